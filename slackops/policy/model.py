"""The policy file (pydantic models of the YAML) and the runtime policy built from it.

A policy file is validated by the ``*Spec`` models below; :func:`build_policy` turns a
valid file into a :class:`Policy` of frozen dataclasses that the rest of slackops reads.
Cross-references (a target naming an unknown calendar, ``auto_upgrade.to`` naming an
unknown priority, duplicate ids and ranks) are checked by :func:`check_references`, which
returns one ``path: reason`` line per problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from slackops.errors import ConfigError
from slackops.policy.calendar import Calendar
from slackops.policy.durations import Duration, parse_duration

if TYPE_CHECKING:
    from slackops.policy.timeline import Checkpoint

__all__ = [
    "PolicyError",
    "Policy",
    "Priority",
    "Target",
    "EscalationStep",
    "AutoUpgrade",
    "Category",
    "Intake",
    "Maintenance",
    "Uptime",
    "CalendarInfo",
    "PolicyFile",
    "TARGET_KINDS",
    "CHECKPOINT_KINDS",
    "DEFAULT_CRITICAL_NOTICE_TEXT",
]


class PolicyError(ConfigError):
    """A policy file or a question to a policy is invalid: ``file: path.to.field: reason``."""


#: The targets a priority may carry, in the order they are shown.
TARGET_KINDS: tuple[str, ...] = (
    "first_response",
    "update_every",
    "update",
    "workaround",
    "resolution",
    "critical_notice",
)

#: The kinds of checkpoint a timeline holds.
CHECKPOINT_KINDS: tuple[str, ...] = (
    "first_response",
    "update",
    "workaround",
    "resolution",
    "critical_notice",
    "escalation",
    "auto_upgrade",
)

LANGUAGES: tuple[str, ...] = ("en", "it")

#: Sent to the customer's contacts when a critical-notice target falls due and no agent sent one.
DEFAULT_CRITICAL_NOTICE_TEXT: dict[str, str] = {
    "en": (
        "We are aware of a critical issue affecting the service and our support team is "
        "working on it now. We will keep you informed in this thread until it is resolved."
    ),
    "it": (
        "Siamo a conoscenza di un problema critico che interessa il servizio e il nostro "
        "team di supporto ci sta lavorando ora. Vi terremo aggiornati in questo thread "
        "fino alla risoluzione."
    ),
}

_DAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_INTERVAL = re.compile(r"^\s*(\S+?)\s*(?:-|–|—|to)\s*(\S+)\s*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_DATE_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|\s+to\s+)\s*(\d{4}-\d{2}-\d{2})\s*$")


# --------------------------------------------------------------------------- validators


def _check_duration(value: Any) -> str:
    """Keep the words as written, but only if they are a duration."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f'{value!r} is not a duration (write the unit too, e.g. "{value} hours")')
    parse_duration(value)  # ValueError with a plain reason and a suggestion
    return str(value).strip()


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/Denver, Europe/Rome)") from None
    return value


def parse_hhmm(text: str, *, end: bool = False) -> str:
    m = _HHMM.match(text.strip())
    if not m or (m.group(1) == "24" and (m.group(2) != "00" or not end)):
        raise ValueError(f"{text!r} is not a time of day (HH:MM, 00:00 to 24:00)")
    return text.strip()


def parse_interval(text: str) -> tuple[str, str]:
    """ "09:00-13:00" -> ("09:00", "13:00"); an end of 24:00 or one before the start (overnight) is allowed."""
    if not isinstance(text, str):
        raise ValueError(f'{text!r} is not an opening interval (write "09:00-13:00")')
    m = _INTERVAL.match(text)
    if not m:
        raise ValueError(f'{text!r} is not an opening interval (write "09:00-13:00")')
    start, stop = parse_hhmm(m.group(1)), parse_hhmm(m.group(2), end=True)
    if start == stop:
        raise ValueError(f"{text!r} is empty (it starts and ends at the same time)")
    return start, stop


def parse_days(key: str) -> list[int]:
    """ "mon-fri" -> [0..4]; "sat" -> [5]; "mon,wed" -> [0, 2]."""
    days: list[int] = []
    for part in str(key).lower().replace(" ", "").split(","):
        if "-" in part or ".." in part:
            a, b = re.split(r"-|\.\.", part, maxsplit=1)
            if a not in _DAYS or b not in _DAYS:
                raise ValueError(f"{key!r} is not a day or a range of days (e.g. mon-fri)")
            i, j = _DAYS[a], _DAYS[b]
            days.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part in _DAYS:
            days.append(_DAYS[part])
        else:
            raise ValueError(f"{key!r} is not a day or a range of days (e.g. mon-fri)")
    return days


def parse_closure(text: Any) -> date | tuple[date, date]:
    """ "2026-08-10" or "2026-08-10..2026-08-28" (a date range, both days closed)."""
    if isinstance(text, date) and not isinstance(text, datetime):
        return text
    s = str(text).strip()
    m = _DATE_RANGE.match(s)
    try:
        if m:
            first, last = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            if last < first:
                raise ValueError(f"{s!r}: the range ends before it starts")
            return (first, last)
        return date.fromisoformat(s)
    except ValueError as e:
        if "ends before" in str(e):
            raise
        raise ValueError(
            f"{s!r} is not a closure (a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD)"
        ) from None


# --------------------------------------------------------------------------- file models


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HolidaySpec(_Spec):
    """Public holidays from the ``holidays`` package: ``IT`` or ``{country: US, subdivision: CA}``."""

    country: str
    subdivision: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _short(cls, v: Any) -> Any:
        return {"country": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _known(self) -> HolidaySpec:
        import holidays

        try:
            holidays.country_holidays(self.country, subdiv=self.subdivision)
        except NotImplementedError:
            where = f"{self.country}/{self.subdivision}" if self.subdivision else self.country
            raise ValueError(f"{where!r} is not a country (or subdivision) the holidays package knows") from None
        return self


class CalendarSpec(_Spec):
    """A named calendar: 24x7, or weekly opening hours; or an alias of another calendar."""

    alias: str | None = Field(None, description="this name is another name of that calendar")
    timezone: str | None = Field(None, description="IANA zone; the policy's zone when omitted")
    hours: Literal["24x7"] | None = None
    week: dict[str, list[str]] | None = Field(None, description='day or range -> ["09:00-13:00", ...]')
    holidays: HolidaySpec | None = None
    closures: list[str] = Field(default_factory=list)
    closures_from_config: bool = Field(False, description="the operator's closures (config `closures`) apply")
    description: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _alias(cls, v: Any) -> Any:
        return {"alias": v} if isinstance(v, str) else v

    _zone = field_validator("timezone")(lambda cls, v: v if v is None else _check_zone(v))

    @field_validator("week")
    @classmethod
    def _week(cls, v: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if v is None:
            return v
        seen: set[int] = set()
        for key, intervals in v.items():
            for d in parse_days(key):
                if d in seen:
                    raise ValueError(f"{DAY_NAMES[d]} is given twice (in {key!r})")
                seen.add(d)
            for text in intervals:
                parse_interval(text)
        return v

    @field_validator("closures")
    @classmethod
    def _closures(cls, v: list[str]) -> list[str]:
        for c in v:
            parse_closure(c)
        return [str(c) for c in v]

    @model_validator(mode="after")
    def _shape(self) -> CalendarSpec:
        if self.alias is not None:
            return self
        if self.hours is None and self.week is None:
            raise ValueError('give either hours: 24x7 or week: {mon-fri: ["09:00-17:00"]}')
        if self.hours is not None and self.week is not None:
            raise ValueError("give hours: 24x7 or week, not both")
        return self


class TargetSpec(_Spec):
    """A target: ``"4 business hours"`` or ``{duration: ..., calendar: ..., default: true, why: ...}``."""

    duration: str
    calendar: str | None = Field(None, description="a calendar name; the request's calendar when omitted")
    default: bool = Field(False, description="the seed gives no number: a default the operator should override")
    why: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _short(cls, v: Any) -> Any:
        return {"duration": v} if isinstance(v, (str, int, float)) and not isinstance(v, bool) else v

    _duration = field_validator("duration", mode="before")(lambda cls, v: _check_duration(v))


class TargetsSpec(_Spec):
    first_response: TargetSpec | None = None
    update_every: TargetSpec | None = Field(None, description="cadence of status updates, from submission")
    update: TargetSpec | None = Field(None, description="one status update due this long after submission")
    workaround: TargetSpec | None = None
    resolution: TargetSpec | None = None
    critical_notice: TargetSpec | None = None

    @model_validator(mode="after")
    def _one_update(self) -> TargetsSpec:
        if self.update_every is not None and self.update is not None:
            raise ValueError("give update_every (a cadence) or update (a single target), not both")
        return self


class EscalationSpec(_Spec):
    level: int | None = Field(None, ge=1, description="1, 2, ...; the step's position when omitted")
    after: str = Field(description="from submission")
    calendar: str | None = None
    notify: list[str] = Field(min_length=1, description='role names (config `managers`) and/or "channel"')
    unless: list[Literal["resolved", "plan"]] = Field(default_factory=lambda: ["resolved", "plan"])

    _after = field_validator("after", mode="before")(lambda cls, v: _check_duration(v))


class AutoUpgradeSpec(_Spec):
    after: str
    calendar: str | None = None
    to: str
    unless: Literal["identified"] = "identified"

    _after = field_validator("after", mode="before")(lambda cls, v: _check_duration(v))


class PrioritySpec(_Spec):
    id: str
    label: str
    rank: int = Field(ge=1, description="1 = most urgent")
    definition: str
    targets: TargetsSpec = Field(default_factory=TargetsSpec)
    warn_at: list[float] | None = None
    escalation: list[EscalationSpec] = Field(default_factory=list)
    auto_upgrade: AutoUpgradeSpec | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"{v!r} is not a priority id (letters, digits, _ and -, e.g. P1)")
        return v

    @field_validator("warn_at")
    @classmethod
    def _warn(cls, v: list[float] | None) -> list[float] | None:
        return v if v is None else _check_fractions(v)


def _check_fractions(v: list[float]) -> list[float]:
    for f in v:
        if not 0 < f < 1:
            raise ValueError(f"{f} is not a fraction of a target between 0 and 1 (e.g. 0.75)")
    if len(set(v)) != len(v):
        raise ValueError("a fraction is given twice")
    return sorted(v)


class CategorySpec(_Spec):
    id: str
    labels: dict[str, str]

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: dict[str, str]) -> dict[str, str]:
        for lang in v:
            if lang not in LANGUAGES:
                raise ValueError(f"{lang!r} is not a supported language ({', '.join(LANGUAGES)})")
        return v


class CustomerEscalationSpec(_Spec):
    notify: list[str] = Field(min_length=1)
    next_level: bool = Field(True, description="the customer may ask for the next level")


class IntakeSpec(_Spec):
    phi_guard: bool = False
    feature_requests_close: bool = False
    who_may_open: Literal["contacts", "anyone"] = "contacts"
    customer_sets_priority: bool = True
    priority_at_acceptance: bool = Field(False, description="the vendor records the initial priority when it accepts a request")
    upgrade_needs_justification: bool = False
    not_an_error_allowed: bool = False
    needs_24x7_contact: list[str] = Field(default_factory=list)
    reclassification_must_be_told: bool = False
    reclassification_appeal_to: str | None = None
    notify_on: list[Literal["acceptance", "closure"]] = Field(default_factory=list)
    answer_in_request_language: bool = False
    customer_escalation: CustomerEscalationSpec | None = None


class WindowSpec(_Spec):
    start: str
    end: str
    timezone: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _sexagesimal(cls, v: Any) -> Any:
        # YAML 1.1 reads an unquoted 19:00 as the base-60 integer 1140
        return f"{v // 60:02d}:{v % 60:02d}" if isinstance(v, int) and not isinstance(v, bool) else v

    _start = field_validator("start")(lambda cls, v: parse_hhmm(v))
    _end = field_validator("end")(lambda cls, v: parse_hhmm(v, end=True))
    _zone = field_validator("timezone")(lambda cls, v: v if v is None else _check_zone(v))


class MaintenanceSpec(_Spec):
    window: WindowSpec | None = None
    window_calendar: str | None = Field(None, description="maintenance happens during this calendar's hours")
    notice_inside_window: bool = False
    notice_outside_window: str | None = None
    emergency_any_time: bool = True

    @field_validator("notice_outside_window", mode="before")
    @classmethod
    def _notice(cls, v: Any) -> Any:
        return v if v is None else _check_duration(v)


class CreditSpec(_Spec):
    below: float = Field(gt=0, le=100, description="monthly uptime percent under which the credit applies")
    credit_percent: float = Field(ge=0, le=100, description="percent of the monthly fee")


class UptimeSpec(_Spec):
    target_percent: float = Field(gt=0, le=100)
    period: Literal["monthly"] = "monthly"
    excludes: list[str] = Field(default_factory=list)
    downtime_from: str | None = None
    credits: list[CreditSpec] = Field(default_factory=list)
    credits_default: bool = False
    why: str | None = None


class DefaultNote(_Spec):
    field: str
    why: str


class PolicyFile(_Spec):
    """The whole policy file."""

    name: str | None = None
    title: str
    seed: str | None = None
    timezone: str
    languages: list[Literal["en", "it"]] = Field(default_factory=lambda: ["en"], min_length=1)
    calendars: dict[str, CalendarSpec] = Field(default_factory=dict)
    warn_at: list[float] = Field(default_factory=lambda: [0.75])
    priorities: list[PrioritySpec] = Field(min_length=1)
    categories: list[CategorySpec] = Field(default_factory=list)
    intake: IntakeSpec = Field(default_factory=IntakeSpec)
    maintenance: MaintenanceSpec | None = None
    uptime: UptimeSpec | None = None
    critical_notice_text: dict[str, str] = Field(default_factory=dict)
    defaults: list[DefaultNote] = Field(default_factory=list)

    _zone = field_validator("timezone")(lambda cls, v: _check_zone(v))
    _warn = field_validator("warn_at")(lambda cls, v: _check_fractions(v))

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", v):
            raise ValueError(f"{v!r} is not a policy name (lowercase letters, digits, _ and -)")
        return v


def check_references(spec: PolicyFile) -> list[str]:
    """What pydantic cannot see field by field: names that must refer to something, uniqueness."""
    problems: list[str] = []
    cal_names = set(spec.calendars) | {"default"}
    for name, cal in spec.calendars.items():
        if cal.alias is not None:
            target = spec.calendars.get(cal.alias)
            if target is None:
                real = [n for n, c in spec.calendars.items() if c.alias is None]
                problems.append(f"calendars.{name}: {cal.alias!r} is not a calendar of this policy{_names(real, cal.alias)}")
            elif target.alias is not None:
                problems.append(f"calendars.{name}: {cal.alias!r} is itself an alias; name a calendar")
    if "default" not in spec.calendars and len(spec.calendars) > 1:
        problems.append(
            f"calendars: name one 'default' (a calendar, or an alias such as default: {next(iter(spec.calendars))})"
        )

    def check_cal(path: str, name: str | None) -> None:
        if name is not None and name not in cal_names:
            problems.append(f"{path}.calendar: {name!r} is not a calendar of this policy{_names(cal_names, name)}")

    ids: dict[str, int] = {}
    ranks: dict[int, int] = {}
    for i, p in enumerate(spec.priorities):
        if p.id in ids:
            problems.append(f"priorities[{i}].id: {p.id!r} is already the id of priorities[{ids[p.id]}]")
        ids.setdefault(p.id, i)
        if p.rank in ranks:
            problems.append(f"priorities[{i}].rank: {p.rank} is already the rank of priorities[{ranks[p.rank]}]")
        ranks.setdefault(p.rank, i)
    for i, p in enumerate(spec.priorities):
        for kind in TARGET_KINDS:
            t = getattr(p.targets, kind)
            if t is not None:
                check_cal(f"priorities[{i}].targets.{kind}", t.calendar)
        levels: list[int] = []
        for j, step in enumerate(p.escalation):
            check_cal(f"priorities[{i}].escalation[{j}]", step.calendar)
            level = step.level if step.level is not None else j + 1
            if levels and level <= levels[-1]:
                problems.append(f"priorities[{i}].escalation[{j}].level: {level} must be higher than the step before ({levels[-1]})")
            levels.append(level)
        if p.auto_upgrade is not None:
            check_cal(f"priorities[{i}].auto_upgrade", p.auto_upgrade.calendar)
            to = p.auto_upgrade.to
            if to not in ids:
                problems.append(f"priorities[{i}].auto_upgrade.to: {to!r} is not a priority of this policy ({', '.join(ids)})")
            elif to == p.id or spec.priorities[ids[to]].rank >= p.rank:
                problems.append(f"priorities[{i}].auto_upgrade.to: {to!r} is not more urgent than {p.id!r}")
    for j, pid in enumerate(spec.intake.needs_24x7_contact):
        if pid not in ids:
            problems.append(f"intake.needs_24x7_contact[{j}]: {pid!r} is not a priority of this policy ({', '.join(ids)})")
    if spec.maintenance is not None and spec.maintenance.window_calendar is not None:
        if spec.maintenance.window_calendar not in cal_names:
            problems.append(f"maintenance.window_calendar: {spec.maintenance.window_calendar!r} is not a calendar of this policy")
    cat_ids: set[str] = set()
    for i, c in enumerate(spec.categories):
        if c.id in cat_ids:
            problems.append(f"categories[{i}].id: {c.id!r} is used twice")
        cat_ids.add(c.id)
        for lang in spec.languages:
            if lang not in c.labels:
                problems.append(f"categories[{i}].labels: no label in {lang!r} (the policy's languages: {', '.join(spec.languages)})")
    for lang in spec.critical_notice_text:
        if lang not in spec.languages:
            problems.append(f"critical_notice_text.{lang}: {lang!r} is not one of the policy's languages ({', '.join(spec.languages)})")
    return problems


def _names(names: Iterable[str], wrong: str) -> str:
    import difflib

    names = sorted(names)
    close = difflib.get_close_matches(wrong, names, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" ({', '.join(names)})" if names else ""


# --------------------------------------------------------------------------- runtime


@dataclass(frozen=True)
class Target:
    """One promise of a priority: a duration, on a named calendar or on the request's."""

    kind: str
    duration: Duration
    calendar: str | None = None
    default: bool = False
    why: str | None = None

    @property
    def text(self) -> str:
        return self.duration.text

    @property
    def repeats(self) -> bool:
        """``update_every``: due again every ``duration`` from submission."""
        return self.kind == "update_every"

    @property
    def checkpoint_kind(self) -> str:
        return "update" if self.kind in ("update_every", "update") else self.kind


@dataclass(frozen=True)
class EscalationStep:
    level: int
    after: Duration
    notify: tuple[str, ...]
    calendar: str | None = None
    unless: tuple[str, ...] = ("resolved", "plan")


@dataclass(frozen=True)
class AutoUpgrade:
    after: Duration
    to: str
    calendar: str | None = None
    unless: str = "identified"


@dataclass(frozen=True)
class Priority:
    id: str
    label: str
    rank: int
    definition: str
    targets: dict[str, Target] = field(default_factory=dict)
    warn_at: tuple[float, ...] = (0.75,)
    escalation: tuple[EscalationStep, ...] = ()
    auto_upgrade: AutoUpgrade | None = None

    def target(self, kind: str) -> Target | None:
        """The target of a checkpoint kind (``update`` finds ``update_every`` too)."""
        if kind == "update":
            return self.targets.get("update_every") or self.targets.get("update")
        return self.targets.get(kind)


@dataclass(frozen=True)
class Category:
    id: str
    labels: dict[str, str]

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or next(iter(self.labels.values()), self.id)


@dataclass(frozen=True)
class CustomerEscalation:
    notify: tuple[str, ...]
    next_level: bool = True


@dataclass(frozen=True)
class Intake:
    phi_guard: bool = False
    feature_requests_close: bool = False
    who_may_open: str = "contacts"
    customer_sets_priority: bool = True
    priority_at_acceptance: bool = False
    upgrade_needs_justification: bool = False
    not_an_error_allowed: bool = False
    needs_24x7_contact: tuple[str, ...] = ()
    reclassification_must_be_told: bool = False
    reclassification_appeal_to: str | None = None
    notify_on: tuple[str, ...] = ()
    answer_in_request_language: bool = False
    customer_escalation: CustomerEscalation | None = None


@dataclass(frozen=True)
class Maintenance:
    """When planned maintenance may happen without notice, and how much notice it needs otherwise."""

    window: tuple[time, time] | None = None
    timezone: str = "UTC"
    window_calendar: Calendar | None = None
    notice_inside_window: bool = False
    notice_outside_window: Duration | None = None
    emergency_any_time: bool = True

    def in_window(self, at: datetime) -> bool:
        """Is ``at`` inside the maintenance window (a wall-clock window may cross midnight)?"""
        if self.window_calendar is not None:
            return self.window_calendar.is_open(at)
        if self.window is None:
            return False
        t = at.astimezone(ZoneInfo(self.timezone)).time().replace(tzinfo=None)
        start, end = self.window
        if start < end or end == time(0):
            return start <= t and (end == time(0) or t < end)
        return t >= start or t < end

    def notice_needed(self, start: datetime, *, emergency: bool = False) -> Duration | None:
        """The advance notice owed for maintenance starting at ``start`` (None: no notice needed)."""
        if emergency and self.emergency_any_time:
            return None
        if self.in_window(start) and not self.notice_inside_window:
            return None
        return self.notice_outside_window


@dataclass(frozen=True)
class Uptime:
    target_percent: float
    period: str = "monthly"
    excludes: tuple[str, ...] = ()
    downtime_from: str | None = None
    credits: tuple[tuple[float, float], ...] = ()  # (below percent, credit percent), highest first
    credits_default: bool = False

    def credit_for(self, uptime_percent: float) -> float:
        """Percent of the monthly fee credited for a month at ``uptime_percent``."""
        owed = 0.0
        for below, credit in self.credits:
            if uptime_percent < below:
                owed = max(owed, credit)
        return owed


@dataclass(frozen=True)
class CalendarInfo:
    """How a calendar was written, for ``policy show``."""

    name: str
    alias_of: str | None
    timezone: str
    hours: str
    holidays: str | None
    closures: tuple[str, ...]
    closures_from_config: bool


@dataclass(frozen=True)
class Policy:
    """A loaded, valid policy. Read-only; build a changed one with :meth:`with_closures`."""

    name: str
    title: str
    timezone: str
    priorities: list[Priority]
    calendars: dict[str, Calendar]
    categories: list[Category] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: ["en"])
    intake: Intake = field(default_factory=Intake)
    critical_notice_text: dict[str, str] = field(default_factory=dict)
    defaults_flagged: list[str] = field(default_factory=list)
    maintenance: Maintenance | None = None
    uptime: Uptime | None = None
    seed: str | None = None
    source: str = ""
    calendar_info: dict[str, CalendarInfo] = field(default_factory=dict)
    spec: PolicyFile | None = field(default=None, repr=False, compare=False)

    # -- lookups

    def priority(self, priority_id: str) -> Priority:
        for p in self.priorities:
            if p.id == priority_id:
                return p
        for p in self.priorities:  # "p1" for "P1"
            if p.id.lower() == str(priority_id).lower():
                return p
        raise PolicyError(
            f"{priority_id!r} is not a priority of {self.name} ({', '.join(p.id for p in self.priorities)})"
        )

    def calendar(self, name: str = "default") -> Calendar:
        try:
            return self.calendars[name]
        except KeyError:
            raise PolicyError(
                f"{name!r} is not a calendar of {self.name} ({', '.join(sorted(self.calendars))})"
            ) from None

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        known = ", ".join(c.id for c in self.categories) or "it has none"
        raise PolicyError(f"{category_id!r} is not a category of {self.name} ({known})")

    def priority_by_rank(self, rank: int) -> Priority | None:
        return next((p for p in self.priorities if p.rank == rank), None)

    def is_upgrade(self, from_id: str, to_id: str) -> bool:
        """Is ``to_id`` more urgent than ``from_id``? (IXCloud: an upgrade needs a justification.)"""
        return self.priority(to_id).rank < self.priority(from_id).rank

    # -- time

    def timeline(
        self,
        priority_id: str,
        submitted_at: datetime,
        calendar: str = "default",
        *,
        now: datetime | None = None,
        priority_changes: Sequence[tuple[Any, ...]] = (),
        waiting: Sequence[tuple[datetime, datetime | None]] = (),
        first_response_at: datetime | None = None,
        acknowledged_at: datetime | None = None,
        workaround_at: datetime | None = None,
        resolved_at: datetime | None = None,
        plan_at: datetime | None = None,
        critical_notice_at: datetime | None = None,
        updates: Sequence[datetime] = (),
    ) -> list[Checkpoint]:
        """Every checkpoint of a request, sorted by ``due_at``; see slackops.policy.timeline."""
        from slackops.policy.timeline import compute_timeline

        return compute_timeline(
            self, priority_id, submitted_at, calendar, now=now,
            priority_changes=priority_changes, waiting=waiting,
            first_response_at=first_response_at, acknowledged_at=acknowledged_at,
            workaround_at=workaround_at, resolved_at=resolved_at, plan_at=plan_at,
            critical_notice_at=critical_notice_at, updates=updates,
        )

    def explain(
        self,
        priority_id: str,
        submitted_at: datetime,
        calendar: str = "default",
        *,
        kind: str,
        key: str | None = None,
        **facts: Any,
    ) -> str:
        """The calendar math of one checkpoint in words (``kind``, or ``key`` such as ``update:2``)."""
        from slackops.policy.timeline import explain

        return explain(self, priority_id, submitted_at, calendar, kind=kind, key=key, **facts)

    # -- operator settings

    def with_closures(self, closures: Iterable[Any]) -> Policy:
        """This policy with the operator's closure dates added to the calendars that take them.

        ``closures``: dates, ``(first, last)`` pairs, or strings ``YYYY-MM-DD`` /
        ``YYYY-MM-DD..YYYY-MM-DD`` (the config's ``closures``).
        """
        try:
            extra = [parse_closure(c) if not isinstance(c, (tuple, list)) else tuple(map(parse_closure, c))
                     for c in closures]
        except (ValueError, TypeError) as e:
            raise PolicyError(f"closures: {e}") from None
        if not extra or self.spec is None:
            return self
        return build_policy(self.spec, name=self.name, source=self.source, closures=extra)


# --------------------------------------------------------------------------- building


def _build_calendar(name: str, spec: CalendarSpec, policy_tz: str, extra_closures: Sequence[Any]) -> Calendar:
    tz = spec.timezone or policy_tz
    if spec.hours == "24x7":
        return Calendar.always(tz, name)
    week: dict[int, list[tuple[str, str]]] = {}
    for key, intervals in (spec.week or {}).items():
        for d in parse_days(key):
            week[d] = [parse_interval(t) for t in intervals]
    holidays = (spec.holidays.country, spec.holidays.subdivision) if spec.holidays else None
    closures: list[Any] = [parse_closure(c) for c in spec.closures]
    if spec.closures_from_config:
        closures.extend(extra_closures)
    return Calendar(name, tz, week=week, holidays=holidays, closures=closures)


def _describe_hours(spec: CalendarSpec) -> str:
    if spec.hours == "24x7":
        return "24x7"
    parts = []
    for key, intervals in (spec.week or {}).items():
        parts.append(f"{key.title() if '-' not in key else '–'.join(d.title() for d in key.split('-'))} "
                     f"{' + '.join('–'.join(parse_interval(t)) for t in intervals)}")
    return "; ".join(parts) or "never open"


def build_policy(
    spec: PolicyFile, *, name: str, source: str = "", closures: Sequence[Any] = ()
) -> Policy:
    """A runtime :class:`Policy` from a file that passed validation and :func:`check_references`.

    Raises PolicyError naming the calendar when the calendar engine refuses its hours.
    """
    calendars: dict[str, Calendar] = {}
    info: dict[str, CalendarInfo] = {}
    problems: list[str] = []
    for cal_name, cal in spec.calendars.items():
        if cal.alias is not None:
            continue
        try:
            calendars[cal_name] = _build_calendar(cal_name, cal, spec.timezone, closures)
        except (ValueError, TypeError) as e:
            problems.append(f"{source}: calendars.{cal_name}: {e}")
            continue
        hol = None
        if cal.holidays:
            hol = cal.holidays.country + (f"/{cal.holidays.subdivision}" if cal.holidays.subdivision else "")
        info[cal_name] = CalendarInfo(
            name=cal_name, alias_of=None, timezone=cal.timezone or spec.timezone,
            hours=_describe_hours(cal), holidays=hol,
            closures=tuple(cal.closures) + tuple(_closure_text(c) for c in closures if cal.closures_from_config),
            closures_from_config=cal.closures_from_config,
        )
    if problems:
        raise PolicyError("\n".join(problems))
    for cal_name, cal in spec.calendars.items():
        if cal.alias is not None:
            calendars[cal_name] = calendars[cal.alias]
            info[cal_name] = replace(info[cal.alias], name=cal_name, alias_of=cal.alias)
    if "default" not in calendars:
        if calendars:
            only = next(iter(calendars))
            calendars["default"] = calendars[only]
            info["default"] = replace(info[only], name="default", alias_of=only)
        else:
            calendars["default"] = Calendar.always(spec.timezone, "default")
            info["default"] = CalendarInfo("default", None, spec.timezone, "24x7", None, (), False)

    flagged: list[str] = []
    priorities: list[Priority] = []
    for i, p in enumerate(spec.priorities):
        targets: dict[str, Target] = {}
        for kind in TARGET_KINDS:
            t: TargetSpec | None = getattr(p.targets, kind)
            if t is None:
                continue
            targets[kind] = Target(kind, parse_duration(t.duration), t.calendar, t.default, t.why)
            if t.default:
                flagged.append(f'priorities[{i}].targets.{kind}: default "{t.duration}", {t.why or "the seed gives none"}')
        steps = tuple(
            EscalationStep(
                level=s.level if s.level is not None else j + 1,
                after=parse_duration(s.after), notify=tuple(s.notify),
                calendar=s.calendar, unless=tuple(s.unless),
            )
            for j, s in enumerate(p.escalation)
        )
        up = None
        if p.auto_upgrade is not None:
            up = AutoUpgrade(parse_duration(p.auto_upgrade.after), p.auto_upgrade.to,
                             p.auto_upgrade.calendar, p.auto_upgrade.unless)
        priorities.append(Priority(
            id=p.id, label=p.label, rank=p.rank, definition=p.definition.strip(), targets=targets,
            warn_at=tuple(p.warn_at if p.warn_at is not None else spec.warn_at),
            escalation=steps, auto_upgrade=up,
        ))
    priorities.sort(key=lambda p: p.rank)
    for d in spec.defaults:
        flagged.append(f"{d.field}: default, {d.why}")

    uptime = None
    if spec.uptime is not None:
        u = spec.uptime
        uptime = Uptime(
            target_percent=u.target_percent, period=u.period, excludes=tuple(u.excludes),
            downtime_from=u.downtime_from,
            credits=tuple(sorted(((c.below, c.credit_percent) for c in u.credits), reverse=True)),
            credits_default=u.credits_default,
        )
        if u.credits_default:
            flagged.append(f"uptime.credits: default, {u.why or 'the seed gives no credit table'}")

    maintenance = None
    if spec.maintenance is not None:
        m = spec.maintenance
        window = None
        if m.window is not None:
            window = (_time(m.window.start), _time(m.window.end))
        maintenance = Maintenance(
            window=window,
            timezone=(m.window.timezone if m.window and m.window.timezone else spec.timezone),
            window_calendar=calendars[m.window_calendar] if m.window_calendar else None,
            notice_inside_window=m.notice_inside_window,
            notice_outside_window=parse_duration(m.notice_outside_window) if m.notice_outside_window else None,
            emergency_any_time=m.emergency_any_time,
        )

    ie = spec.intake
    intake = Intake(
        phi_guard=ie.phi_guard, feature_requests_close=ie.feature_requests_close,
        who_may_open=ie.who_may_open, customer_sets_priority=ie.customer_sets_priority,
        priority_at_acceptance=ie.priority_at_acceptance or not ie.customer_sets_priority,
        upgrade_needs_justification=ie.upgrade_needs_justification,
        not_an_error_allowed=ie.not_an_error_allowed,
        needs_24x7_contact=tuple(ie.needs_24x7_contact),
        reclassification_must_be_told=ie.reclassification_must_be_told,
        reclassification_appeal_to=ie.reclassification_appeal_to,
        notify_on=tuple(ie.notify_on), answer_in_request_language=ie.answer_in_request_language,
        customer_escalation=(CustomerEscalation(tuple(ie.customer_escalation.notify), ie.customer_escalation.next_level)
                             if ie.customer_escalation else None),
    )
    notice = {lang: DEFAULT_CRITICAL_NOTICE_TEXT.get(lang, DEFAULT_CRITICAL_NOTICE_TEXT["en"]) for lang in spec.languages}
    notice.update({k: v.strip() for k, v in spec.critical_notice_text.items()})

    return Policy(
        name=spec.name or name,
        title=spec.title,
        timezone=spec.timezone,
        priorities=priorities,
        calendars=calendars,
        categories=[Category(c.id, dict(c.labels)) for c in spec.categories],
        languages=list(spec.languages),
        intake=intake,
        critical_notice_text=notice,
        defaults_flagged=flagged,
        maintenance=maintenance,
        uptime=uptime,
        seed=spec.seed,
        source=source,
        calendar_info=info,
        spec=spec,
    )


def _time(text: str) -> time:
    return time(0) if text == "24:00" else time.fromisoformat(text)


def _closure_text(c: Any) -> str:
    if isinstance(c, tuple):
        return f"{c[0].isoformat()}..{c[1].isoformat()}"
    return c.isoformat() if isinstance(c, date) else str(c)


def timedelta_words(td: timedelta, *, days: bool = True) -> str:
    """ "1 h 30 min", "2 d 3 h", "45 s" (``days=False``: "51 h", for open time)."""
    secs = int(round(td.total_seconds()))
    sign = "-" if secs < 0 else ""
    secs = abs(secs)
    d, rem = divmod(secs, 86400) if days else (0, secs)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    parts = []
    if d:
        parts.append(f"{d} d")
    if h:
        parts.append(f"{h} h")
    if m:
        parts.append(f"{m} min")
    if s or not parts:
        parts.append(f"{s} s")
    return sign + " ".join(parts)
