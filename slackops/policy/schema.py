"""The policy file: pydantic models of the YAML, field by field, and the cross-references
pydantic cannot see (:func:`check_references`: a target naming an unknown calendar,
``auto_upgrade.to`` naming an unknown priority, duplicate ids and ranks), one
``path: reason`` line per problem."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from slackops.policy.common import (
    _ID,
    DAY_NAMES,
    LANGUAGES,
    TARGET_KINDS,
    _check_duration,
    _check_zone,
    _names,
    parse_closure,
    parse_days,
    parse_hhmm,
    parse_interval,
)
from slackops.policy.durations import parse_duration


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
    descriptions: dict[str, str] = Field(default_factory=dict, description="the description in other languages")

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


def _positive_duration(value: Any) -> str:
    text = _check_duration(value)
    if parse_duration(text).amount <= 0:
        raise ValueError(f"{text!r} is not a positive duration (e.g. \"30 minutes\")")
    return text


class RepeatSpec(_Spec):
    """An escalation step sent again until one of its people acknowledges it."""

    every: str = Field(description="a positive duration, on the step's calendar")
    times: int = Field(ge=1, description="at most this many more times")

    _every = field_validator("every", mode="before")(lambda cls, v: _positive_duration(v))


class EscalationSpec(_Spec):
    level: int | None = Field(None, ge=1, description="1, 2, ...; the step's position when omitted")
    after: str = Field(description="from submission")
    calendar: str | None = None
    notify: list[str] = Field(min_length=1, description='role names (config `managers`) and/or "channel"')
    unless: list[Literal["resolved", "plan"]] = Field(default_factory=lambda: list[Literal["resolved", "plan"]](["resolved", "plan"]))
    repeat: RepeatSpec | None = Field(None, description="sent again every `every`, `times` more times, until acknowledged")

    _after = field_validator("after", mode="before")(lambda cls, v: _check_duration(v))


class AutoUpgradeSpec(_Spec):
    after: str
    calendar: str | None = None
    to: str
    unless: Literal["identified"] = "identified"

    _after = field_validator("after", mode="before")(lambda cls, v: _check_duration(v))


def _check_languages(v: dict[str, str]) -> dict[str, str]:
    for lang in v:
        if lang not in LANGUAGES:
            raise ValueError(f"{lang!r} is not a supported language ({', '.join(LANGUAGES)})")
    return v


class PrioritySpec(_Spec):
    id: str
    label: str
    rank: int = Field(ge=1, description="1 = most urgent")
    definition: str
    labels: dict[str, str] = Field(default_factory=dict, description="the label in other languages: {it: Alta}")
    definitions: dict[str, str] = Field(default_factory=dict, description="the definition in other languages")
    _languages = field_validator("labels", "definitions")(lambda cls, v: _check_languages(v))
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
    customer: bool = Field(True, description="a customer may choose it (false: the agents' only)")

    _labels = field_validator("labels")(lambda cls, v: _check_languages(v))


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
    customer_calendars: list[str] = Field(
        default_factory=list, description="calendars a customer contact may choose for their account from Slack")
    thread_replies_are_updates: bool = Field(
        True, description="an agent's own reply in a request's thread after the first response is a status update")
    customer_escalation: CustomerEscalationSpec | None = None
    satisfaction_survey: bool = Field(
        False, description="a request that closes asks its customer once, in its thread, how the desk did (1 to 5)")
    close_unconfirmed_after: str | None = Field(
        "7 days", description="a resolved request its customer does not confirm closes by itself this long after "
                              "it was resolved (null: it waits for the customer)")
    remind_unconfirmed_before: str = Field(
        "1 day", description="the customer is reminded in the request's thread this long before it closes by itself")

    @field_validator("close_unconfirmed_after", "remind_unconfirmed_before", mode="before")
    @classmethod
    def _wall_clock(cls, v: Any) -> Any:
        if v is None:
            return v
        text = _check_duration(v)
        if parse_duration(text).business:
            raise ValueError(f'"{text}" counts on the wall clock: write days, hours or minutes, not business time')
        return text

    @model_validator(mode="after")
    def _remind_before_close(self) -> IntakeSpec:
        if self.close_unconfirmed_after is not None:
            close, remind = parse_duration(self.close_unconfirmed_after), parse_duration(self.remind_unconfirmed_before)
            if remind.as_timedelta() >= close.as_timedelta():
                raise ValueError(f"remind_unconfirmed_before ({remind.text}) must be shorter than "
                                 f"close_unconfirmed_after ({close.text})")
        return self


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
    reminders: list[str] = Field(default_factory=lambda: ["24 hours", "1 hour"],
                                 description="reminders to the customer this long before a maintenance starts")

    @field_validator("notice_outside_window", mode="before")
    @classmethod
    def _notice(cls, v: Any) -> Any:
        return v if v is None else _check_duration(v)

    @field_validator("reminders", mode="before")
    @classmethod
    def _reminders(cls, v: Any) -> Any:
        return [_check_duration(x) for x in v] if isinstance(v, list) else v


class CreditSpec(_Spec):
    below: float = Field(gt=0, le=100, description="monthly uptime percent under which the credit applies")
    credit_percent: float = Field(ge=0, le=100, description="percent of the monthly fee")


class UptimeSpec(_Spec):
    target_percent: float = Field(gt=0, le=100)
    period: Literal["monthly"] = "monthly"
    excludes: list[str] = Field(default_factory=list)
    downtime_from: Literal["submission", "impact_recorded"] = Field(
        "submission", description="a service-affecting request's downtime starts when it was submitted (the "
                                  "customer opened the ticket) or when an agent recorded the impact")
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
    languages: list[Literal["en", "it"]] = Field(default_factory=lambda: list[Literal["en", "it"]](["en"]), min_length=1)
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
    for j, name in enumerate(spec.intake.customer_calendars):
        if name not in cal_names:
            problems.append(f"intake.customer_calendars[{j}]: {name!r} is not a calendar of this policy{_names(cal_names, name)}")
    for j, pid in enumerate(spec.intake.needs_24x7_contact):
        if pid not in ids:
            problems.append(f"intake.needs_24x7_contact[{j}]: {pid!r} is not a priority of this policy ({', '.join(ids)})")
    if spec.maintenance is not None and spec.maintenance.window_calendar is not None:
        if spec.maintenance.window_calendar not in cal_names:
            problems.append(f"maintenance.window_calendar: {spec.maintenance.window_calendar!r} is not a calendar of this policy")
    cat_ids: set[str] = set()
    lang: str
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
