"""The runtime policy: :class:`Policy`, and :func:`build_policy`, which turns a policy file
that passed validation (:mod:`slackops.policy.schema`) into one, with its calendars.

The parts live by concept: the vocabulary and text parsers in
:mod:`slackops.policy.common`, the file's schema in :mod:`slackops.policy.schema`, a
priority's targets, ladder and upgrade and the intake rules in
:mod:`slackops.policy.rules`, maintenance and uptime in :mod:`slackops.policy.operations`,
the checkpoints of a request in :mod:`slackops.policy.timeline`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from slackops.policy.calendar import Calendar
from slackops.policy.common import (
    CHECKPOINT_KINDS,
    DEFAULT_CRITICAL_NOTICE_TEXT,
    LANGUAGES,
    TARGET_KINDS,
    PolicyError,
    parse_closure,
    parse_days,
    parse_interval,
    timedelta_words,
)
from slackops.policy.durations import parse_duration
from slackops.policy.merge import contract_version, origin_of
from slackops.policy.operations import Credit, Maintenance, Uptime
from slackops.policy.rules import (
    AutoUpgrade,
    Category,
    CustomerEscalation,
    EscalationStep,
    Intake,
    Priority,
    Repeat,
    Target,
)
from slackops.policy.schema import CalendarSpec, PolicyFile, TargetSpec
from slackops.policy.timeline import Checkpoint, compute_timeline, unconfirmed_close
from slackops.policy.timeline import explain as explain_checkpoint

__all__ = [
    "PolicyError",
    "Policy",
    "Priority",
    "Target",
    "EscalationStep",
    "AutoUpgrade",
    "Category",
    "CustomerEscalation",
    "Intake",
    "Maintenance",
    "Uptime",
    "CalendarInfo",
    "PolicyFile",
    "TARGET_KINDS",
    "CHECKPOINT_KINDS",
    "DEFAULT_CRITICAL_NOTICE_TEXT",
    "LANGUAGES",
    "build_policy",
    "timedelta_words",
]


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
    #: The contract's version: a hash of its terms (slackops.policy.merge.contract_version).
    version: str = ""
    #: The policies it extends, the base first (presets by name, files by path).
    extends: tuple[str, ...] = ()
    #: Where each value of an extending policy comes from, by value path
    #: (``priorities.P1.targets.first_response`` -> ``contracts/acme.yml``); empty for a
    #: policy that extends none (every value is its own).
    provenance: dict[str, str] = field(default_factory=dict, compare=False)

    # -- lookups

    def origin(self, path: str) -> str:
        """Where the value at ``path`` comes from (``priorities.P1.targets.first_response``):
        a preset's name or a file's path; this policy's own source for a value it does not
        inherit, or that no document gives (a default)."""
        return origin_of(path, self.provenance) or self.source

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

    def unconfirmed_close(self, resolved_at: datetime) -> tuple[datetime, datetime] | None:
        """(the reminder, the close) of a request resolved at ``resolved_at`` that its customer
        has not confirmed, or None where the policy waits for the customer. Wall-clock time in
        the policy's zone: "7 days" is the same local time a week later, across a DST change."""
        return unconfirmed_close(self.intake, self.timezone, resolved_at)

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
        identified_at: datetime | None = None,
        escalation_acks: Sequence[tuple[int, datetime]] = (),
    ) -> list[Checkpoint]:
        """Every checkpoint of a request, sorted by ``due_at``; see slackops.policy.timeline."""
        return compute_timeline(
            self, priority_id, submitted_at, calendar, now=now,
            priority_changes=priority_changes, waiting=waiting,
            first_response_at=first_response_at, acknowledged_at=acknowledged_at,
            workaround_at=workaround_at, resolved_at=resolved_at, plan_at=plan_at,
            critical_notice_at=critical_notice_at, updates=updates, identified_at=identified_at,
            escalation_acks=escalation_acks,
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
        return explain_checkpoint(self, priority_id, submitted_at, calendar, kind=kind, key=key, **facts)

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
        return build_policy(self.spec, name=self.name, source=self.source, closures=extra,
                            provenance=self.provenance, extends=self.extends)


# --------------------------------------------------------------------------- building


def _build_calendar(name: str, spec: CalendarSpec, policy_tz: str, extra_closures: Sequence[Any]) -> Calendar:
    cal = _calendar_of(name, spec, policy_tz, extra_closures)
    cal.description = spec.description  # type: ignore[attr-defined]  # what the card calls it
    cal.descriptions = dict(spec.descriptions)  # type: ignore[attr-defined]  # ... in other languages
    return cal


def _calendar_of(name: str, spec: CalendarSpec, policy_tz: str, extra_closures: Sequence[Any]) -> Calendar:
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
    spec: PolicyFile, *, name: str, source: str = "", closures: Sequence[Any] = (),
    provenance: dict[str, str] | None = None, extends: tuple[str, ...] = (),
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
                repeat=Repeat(parse_duration(s.repeat.every), s.repeat.times) if s.repeat else None,
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
            labels={k: v.strip() for k, v in p.labels.items()}, definitions={k: v.strip() for k, v in p.definitions.items()},
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
            credits=tuple(sorted((Credit(c.below, c.credit_percent) for c in u.credits),
                                 key=lambda c: (c.below, c.credit_percent), reverse=True)),
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
            reminders=tuple(parse_duration(r) for r in m.reminders),
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
        thread_replies_are_updates=ie.thread_replies_are_updates,
        satisfaction_survey=ie.satisfaction_survey,
        customer_calendars=tuple(ie.customer_calendars),
        customer_escalation=(CustomerEscalation(tuple(ie.customer_escalation.notify), ie.customer_escalation.next_level)
                             if ie.customer_escalation else None),
        close_unconfirmed_after=parse_duration(ie.close_unconfirmed_after) if ie.close_unconfirmed_after else None,
        remind_unconfirmed_before=parse_duration(ie.remind_unconfirmed_before),
    )
    notice: dict[str, str] = {lang: DEFAULT_CRITICAL_NOTICE_TEXT.get(lang, DEFAULT_CRITICAL_NOTICE_TEXT["en"]) for lang in spec.languages}
    notice.update({k: v.strip() for k, v in spec.critical_notice_text.items()})

    return Policy(
        name=spec.name or name,
        title=spec.title,
        timezone=spec.timezone,
        priorities=priorities,
        calendars=calendars,
        categories=[Category(c.id, dict(c.labels), c.customer) for c in spec.categories],
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
        version=contract_version(spec),
        extends=extends,
        provenance=dict(provenance or {}),
    )


def _time(text: str) -> time:
    return time(0) if text == "24:00" else time.fromisoformat(text)


def _closure_text(c: Any) -> str:
    if isinstance(c, tuple):
        return f"{c[0].isoformat()}..{c[1].isoformat()}"
    return c.isoformat() if isinstance(c, date) else str(c)
