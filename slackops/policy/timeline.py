"""The timeline of a request: every checkpoint of its policy, with its state at ``now``.

Pure: from the request's facts and ``now`` to a sorted list of :class:`Checkpoint`.
The rules (the time semantics in docs/policy.md):

- every target is measured from submission, on its own calendar, or on the request's
  calendar (the account's choice) when the policy names none;
- after a change of priority the targets are recomputed from the original submission
  under the new priority; a target already met under the priority in force when it was
  done stays met;
- time waiting on the customer does not count toward ``workaround`` and ``resolution``
  (their deadlines move later by the paused open time of their calendar); it counts
  toward everything else;
- ``update_every`` is a cadence from submission: one update is owed in each cycle; the
  timeline holds every cycle up to ``now`` plus the next one, and stops at resolution;
- resolution ends what it makes moot: pending update and escalation checkpoints become
  ``void``, and so does an unsent critical notice;
- an escalation step is ``void`` when its ``unless`` (resolved, plan of resolution) came
  before it fell due; a step with ``repeat`` has a checkpoint of its own for each repeat
  (``escalation:L:repeat:K``, every ``every`` after the step on its calendar), ``void`` once
  the step is acknowledged (``escalation_acks``: an acknowledgement of level L or above),
  or its ``unless`` came, before it fell due; an auto-upgrade is ``void`` once the problem is identified in time
  (``identified_at``; a plan, a workaround or a resolution identify it too; accepting the
  request does not), ``breached`` when its instant passed without that (time to upgrade).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pendulum

from slackops.policy.calendar import Calendar
from slackops.policy.common import CHECKPOINT_KINDS, PolicyError, timedelta_words
from slackops.policy.durations import Duration
from slackops.policy.rules import Intake, Priority, Target

if TYPE_CHECKING:
    from slackops.policy.model import Policy

__all__ = ["Checkpoint", "compute_timeline", "explain", "STATES"]

STATES: tuple[str, ...] = ("pending", "met", "breached", "void")

_KIND_ORDER = {k: i for i, k in enumerate(CHECKPOINT_KINDS)}
_MAX_CYCLES = 10_000  # update cycles kept in one timeline (about nine years of 8-hour cycles)


@dataclass(frozen=True)
class Checkpoint:
    """One promise of the policy for one request, judged at ``now``."""

    kind: str
    key: str
    due_at: datetime
    state: str
    level: int | None = None
    warn_at: tuple[datetime, ...] = ()
    notify: tuple[str, ...] = ()
    met_at: datetime | None = None
    target: str = ""
    priority: str = ""
    calendar: str = ""
    paused: bool = False  # waiting on the customer now: the deadline keeps moving later

    @property
    def is_open(self) -> bool:
        """Still ahead (not done, not yet due)."""
        return self.state == "pending"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "key": self.key,
            "due_at": self.due_at.isoformat(),
            "state": self.state,
        }
        if self.level is not None:
            out["level"] = self.level
        return out


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class _Facts:
    submitted_at: datetime
    now: datetime
    calendar: str
    changes: tuple[tuple[datetime, str], ...]
    waiting: tuple[tuple[datetime, datetime | None], ...]
    first_response_at: datetime | None
    acknowledged_at: datetime | None
    workaround_at: datetime | None
    resolved_at: datetime | None
    plan_at: datetime | None
    critical_notice_at: datetime | None
    updates: tuple[datetime, ...]
    identified_at: datetime | None = None
    escalation_acks: tuple[tuple[int, datetime], ...] = ()


def _aware(value: Any, what: str) -> datetime:
    """An aware instant, in UTC: comparing two datetimes of the same zone in Python compares
    their wall clocks, which is wrong in the repeated hour of a DST change."""
    if not isinstance(value, datetime):
        raise PolicyError(f"{what}: {value!r} is not a date and time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise PolicyError(f"{what}: {value.isoformat()} has no time zone (give an offset, e.g. +00:00)")
    return value.astimezone(UTC)


def _u(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


def _span(a: datetime, b: datetime) -> timedelta:
    """Real time from ``a`` to ``b`` (not their wall-clock difference)."""
    return _u(b) - _u(a)


def _opt(value: Any, what: str) -> datetime | None:
    return None if value is None else _aware(value, what)


def _earliest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _facts(policy: Policy, priority_id: str, submitted_at: datetime, calendar: str, **kw: Any) -> _Facts:
    submitted = _aware(submitted_at, "submitted_at")
    policy.priority(priority_id)
    policy.calendar(calendar)
    now = _opt(kw.get("now"), "now") or submitted
    changes: list[tuple[datetime, str]] = []
    for i, change in enumerate(kw.get("priority_changes") or ()):
        c = tuple(change)
        if len(c) < 2:
            raise PolicyError(f"priority_changes[{i}]: expected (at, new_priority_id)")
        at, to = c[0], (c[1] if len(c) == 2 else c[2])  # (at, to) or (at, from, to, reason...)
        changes.append((_aware(at, f"priority_changes[{i}]"), policy.priority(str(to)).id))
    changes.sort(key=lambda c: c[0])
    waiting: list[tuple[datetime, datetime | None]] = []
    for i, w in enumerate(kw.get("waiting") or ()):
        start, end = tuple(w)
        waiting.append((_aware(start, f"waiting[{i}]"), _opt(end, f"waiting[{i}]")))
    waiting.sort(key=lambda w: w[0])
    return _Facts(
        submitted_at=submitted,
        now=now,
        calendar=calendar,
        changes=tuple(changes),
        waiting=tuple(waiting),
        first_response_at=_opt(kw.get("first_response_at"), "first_response_at"),
        acknowledged_at=_opt(kw.get("acknowledged_at"), "acknowledged_at"),
        workaround_at=_opt(kw.get("workaround_at"), "workaround_at"),
        resolved_at=_opt(kw.get("resolved_at"), "resolved_at"),
        plan_at=_opt(kw.get("plan_at"), "plan_at"),
        critical_notice_at=_opt(kw.get("critical_notice_at"), "critical_notice_at"),
        updates=tuple(sorted(_aware(u, f"updates[{i}]") for i, u in enumerate(kw.get("updates") or ()))),
        identified_at=_opt(kw.get("identified_at"), "identified_at"),
        escalation_acks=tuple(sorted(
            (int(lvl), _aware(at, f"escalation_acks[{i}]"))
            for i, (lvl, at, *_who) in enumerate(kw.get("escalation_acks") or ())
        )),
    )


def _priority_at(policy: Policy, first: str, facts: _Facts, at: datetime | None) -> Priority:
    pid = policy.priority(first).id
    for when, to in facts.changes:
        if at is None or when <= at:
            pid = to
    return policy.priority(pid)


# --------------------------------------------------------------------------- arithmetic


def _calendar(policy: Policy, name: str | None, facts: _Facts) -> Calendar:
    return policy.calendar(name or facts.calendar)


def _deadline(
    cal: Calendar,
    start: datetime,
    duration: Duration,
    fraction: float,
    facts: _Facts,
    pausable: bool,
) -> tuple[datetime, bool, timedelta]:
    """The instant ``fraction`` of ``duration`` is used up; with the waiting pauses if ``pausable``.

    Returns (instant, paused now, open time paused).
    """
    due = _u(cal.add_duration(start, duration, fraction))
    paused_now = False
    total = timedelta(0)
    if pausable:
        for ws, we in facts.waiting:
            ws = max(ws, start)
            if ws >= due:
                break
            end = we if we is not None else max(facts.now, ws)
            if we is None:
                paused_now = True
            if end <= ws:
                continue
            pause = cal.elapsed(ws, end)
            if pause > timedelta(0):
                due = _u(cal.add(due, pause))
                total += pause
    return due, paused_now, total


def _local(dt: datetime, cal: Calendar) -> datetime:
    """``dt`` on the calendar's wall clock, with that instant's fixed offset and abbreviation.

    A fixed offset rather than the ZoneInfo itself: Python compares a ZoneInfo datetime in
    the repeated hour of a DST change as unequal to every datetime of another zone (PEP 495),
    and compares two of the same zone by wall clock; a fixed offset compares exactly.
    """
    x = dt.astimezone(cal.zone)
    return x.replace(tzinfo=timezone(x.utcoffset() or timedelta(0), x.tzname() or ""), fold=0)


def _opt_local(dt: datetime | None, cal: Calendar) -> datetime | None:
    return None if dt is None else _local(dt, cal)


def _judge(due: datetime, done: datetime | None, now: datetime) -> str:
    if done is not None:
        return "met" if done <= due else "breached"
    return "breached" if now >= due else "pending"


def _target_checkpoint(
    policy: Policy, prio: Priority, target: Target, facts: _Facts
) -> Checkpoint:
    """A single (non-repeating) target: first_response, update, workaround, resolution, critical_notice."""
    kind = target.checkpoint_kind
    cal = _calendar(policy, target.calendar, facts)
    pausable = kind in ("workaround", "resolution")
    start = facts.submitted_at
    due, paused, _ = _deadline(cal, start, target.duration, 1.0, facts, pausable)
    warns = tuple(_deadline(cal, start, target.duration, f, facts, pausable)[0] for f in prio.warn_at)
    resolved = facts.resolved_at
    if kind == "first_response":
        # accepting is not responding: the acknowledgement the customer sees (recorded as
        # first_response_at when it is sent), or an agent's first reply, is
        done = _earliest(facts.first_response_at, resolved)
    elif kind == "workaround":
        done = _earliest(facts.workaround_at, resolved)
    elif kind == "resolution":
        done = resolved
    elif kind == "critical_notice":
        done = facts.critical_notice_at
    else:  # a single update target
        done = next((u for u in facts.updates if u >= start), None)
    state = _judge(due, done, facts.now)
    if done is None and resolved is not None and resolved < due and kind in ("critical_notice", "update"):
        state = "void"  # resolved before it fell due: no longer true
    return Checkpoint(
        kind=kind, key=kind, due_at=_local(due, cal), state=state,
        warn_at=tuple(_local(w, cal) for w in warns), met_at=_opt_local(done, cal),
        target=target.text, priority=prio.id, calendar=cal.name,
        paused=paused and done is None,
    )


def _update_cycles(policy: Policy, prio: Priority, target: Target, facts: _Facts) -> list[Checkpoint]:
    """``update_every``: cycle k runs (due[k-1], due[k]], due[0] = submission; one update owed in each."""
    cal = _calendar(policy, target.calendar, facts)
    out: list[Checkpoint] = []
    prev = facts.submitted_at
    resolved = facts.resolved_at
    for k in range(1, _MAX_CYCLES + 1):
        if resolved is not None and resolved <= prev:
            break
        due = _u(cal.add_duration(prev, target.duration))
        if due <= prev:
            break  # a zero cadence promises nothing
        warns = tuple(_local(cal.add_duration(prev, target.duration, f), cal) for f in prio.warn_at)
        done = next((u for u in facts.updates if prev < u <= due), None)
        state = _judge(due, done, facts.now)
        if done is None and resolved is not None and resolved < due:
            state = "void"
        out.append(Checkpoint(
            kind="update", key=f"update:{k}", due_at=_local(due, cal), state=state, warn_at=warns,
            met_at=_opt_local(done, cal), target=target.text, priority=prio.id, calendar=cal.name,
        ))
        if state == "void" or (due > facts.now and done is None):
            break
        prev = due
    return out


def _escalations(policy: Policy, prio: Priority, facts: _Facts) -> list[Checkpoint]:
    out = []
    for step in prio.escalation:
        cal = _calendar(policy, step.calendar, facts)
        due = _u(cal.add_duration(facts.submitted_at, step.after))
        stopper = _earliest(
            facts.resolved_at if "resolved" in step.unless else None,
            facts.plan_at if "plan" in step.unless else None,
        )
        if stopper is not None and (stopper < due or (stopper == due and due > facts.submitted_at)):
            state = "void"
        else:
            state = "breached" if facts.now >= due else "pending"
        out.append(Checkpoint(
            kind="escalation", key=f"escalation:{step.level}", due_at=_local(due, cal), state=state,
            level=step.level, notify=step.notify, target=step.after.text, priority=prio.id,
            calendar=cal.name,
        ))
        if step.repeat is not None and state != "void":
            out.extend(_repeats(step, cal, due, stopper, facts, prio))
    return out


def _repeats(step: Any, cal: Calendar, due: datetime, stopper: datetime | None,
             facts: _Facts, prio: Priority) -> list[Checkpoint]:
    """The step's repeats: one checkpoint each, ``every`` apart on the step's calendar."""
    acked = _earliest(*(at for lvl, at in facts.escalation_acks if lvl >= step.level))
    stop = _earliest(stopper, acked)
    out = []
    prev = due
    for k in range(1, step.repeat.times + 1):
        at = _u(cal.add_duration(prev, step.repeat.every))
        if at <= prev:
            break  # a calendar that never opens again
        state = "void" if stop is not None and stop <= at else ("breached" if facts.now >= at else "pending")
        out.append(Checkpoint(
            kind="escalation", key=f"escalation:{step.level}:repeat:{k}", due_at=_local(at, cal), state=state,
            level=step.level, notify=step.notify, target=f"{step.after.text}, repeat {k} of {step.repeat.times}",
            priority=prio.id, calendar=cal.name, met_at=_opt_local(acked, cal) if state == "void" else None,
        ))
        prev = at
    return out


def _auto_upgrade(policy: Policy, prio: Priority, facts: _Facts) -> list[Checkpoint]:
    up = prio.auto_upgrade
    if up is None:
        return []
    cal = _calendar(policy, up.calendar, facts)
    due = _u(cal.add_duration(facts.submitted_at, up.after))
    # "problem identification": recorded as such; a plan, a workaround or a resolution identify it too
    identified = _earliest(facts.identified_at, facts.plan_at, facts.workaround_at, facts.resolved_at)
    if identified is not None and identified <= due:
        state = "void"
    else:
        state = "breached" if facts.now >= due else "pending"
    return [Checkpoint(
        kind="auto_upgrade", key="auto_upgrade", due_at=_local(due, cal), state=state,
        met_at=_opt_local(identified, cal) if state == "void" else None,
        target=up.after.text, priority=prio.id, calendar=cal.name,
    )]


def _done_at(kind: str, facts: _Facts) -> datetime | None:
    if kind == "first_response":
        return _earliest(facts.first_response_at, facts.resolved_at)
    if kind == "workaround":
        return _earliest(facts.workaround_at, facts.resolved_at)
    if kind == "resolution":
        return facts.resolved_at
    if kind == "critical_notice":
        return facts.critical_notice_at
    if kind == "update":
        return next((u for u in facts.updates if u >= facts.submitted_at), None)
    return None


def _sort_key(cp: Checkpoint) -> tuple[Any, ...]:
    n = cp.level if cp.level is not None else (int(cp.key.split(":")[1]) if ":" in cp.key else 0)
    return (cp.due_at.timestamp(), _KIND_ORDER.get(cp.kind, 99), n, cp.key)


def compute_timeline(
    policy: Policy,
    priority_id: str,
    submitted_at: datetime,
    calendar: str = "default",
    **kw: Any,
) -> list[Checkpoint]:
    """See :meth:`slackops.policy.Policy.timeline`."""
    facts = _facts(policy, priority_id, submitted_at, calendar, **kw)
    current = _priority_at(policy, priority_id, facts, None)
    out: list[Checkpoint] = []

    kinds: dict[str, None] = {}
    target: Target | None
    for target in current.targets.values():
        kinds[target.checkpoint_kind] = None
    # a target met under an earlier priority stays met, even if the new one lacks it
    for kind in ("first_response", "update", "workaround", "resolution", "critical_notice"):
        done = _done_at(kind, facts)
        if done is not None:
            then = _priority_at(policy, priority_id, facts, done)
            t = then.target(kind)
            if t is not None and not t.repeats:
                kinds[kind] = None

    for kind in kinds:
        target = current.target(kind)
        if target is not None and target.repeats:
            out.extend(_update_cycles(policy, current, target, facts))
            continue
        cp = _target_checkpoint(policy, current, target, facts) if target is not None else None
        done = _done_at(kind, facts)
        if done is not None and (cp is None or cp.state != "met"):
            then = _priority_at(policy, priority_id, facts, done)
            old = then.target(kind)
            if then.id != current.id and old is not None and not old.repeats:
                earlier = _target_checkpoint(policy, then, old, facts)
                if earlier.state == "met":
                    cp = earlier
        if cp is not None:
            out.append(cp)

    out.extend(_escalations(policy, current, facts))
    out.extend(_auto_upgrade(policy, current, facts))
    out.sort(key=_sort_key)
    return out


# --------------------------------------------------------------------------- words


def when(dt: datetime) -> str:
    """ "Mon 7 Dec 09:30 MST"."""
    return f"{dt:%a} {dt.day} {dt:%b %H:%M} {dt.tzname()}"


def _day(dt: datetime) -> str:
    return f"{dt:%a} {dt.day} {dt:%b}"


def _pieces(cal: Calendar, start: datetime, due: datetime) -> str:
    """ "1 h 30 min on Fri 4 Dec until 18:00, then 2 h 30 min on Mon 7 Dec from 07:00"."""
    spans = list(cal.intervals(start, due))
    if not spans:
        return f"no open time is needed (due at {when(due)})"
    words = []
    last = len(spans) - 1
    for i, (s, e) in enumerate(spans):
        text = f"{timedelta_words(_span(s, e))} on {_day(s)}"
        if i > 0 or _u(s) != _u(start):
            text += f" from {s:%H:%M}"
        if i < last:
            text += f" until {'24:00' if e.hour == 0 and e.minute == 0 and e.date() != s.date() else f'{e:%H:%M}'}"
        words.append(text)
    if len(words) > 6:
        middle = spans[2:-2]
        total = sum((_span(s, e) for s, e in middle), timedelta(0))
        words = [*words[:2], f"{timedelta_words(total, days=False)} over {len(middle)} more open periods", *words[-2:]]
    return ", then ".join(words)


def _math(cal: Calendar, start: datetime, duration: Duration, due: datetime, unpaused_due: datetime) -> str:
    if duration.business:
        head = ""
        if not cal.is_open(start):
            head = f"opened while {cal.name} is closed, so the clock starts at {when(cal.next_open(start))}; "
        return head + _pieces(cal, start, due)
    if duration.unit == "days":
        n = duration.amount
        return (f"the same wall-clock time {duration.text.split()[0] if n != int(n) else int(n)} "
                f"day{'s' if n != 1 else ''} later in {cal.tz}, whatever the clocks do in between, "
                f"from {when(_local(start, cal))}")
    return (f"{timedelta_words(_span(start, unpaused_due))} of real time from {when(_local(start, cal))} "
            f"(24x7: DST does not shift it)")


def explain(
    policy: Policy,
    priority_id: str,
    submitted_at: datetime,
    calendar: str = "default",
    *,
    kind: str,
    key: str | None = None,
    **kw: Any,
) -> str:
    """One checkpoint's calendar math in words (see :meth:`Policy.explain`)."""
    if kind not in CHECKPOINT_KINDS:
        raise PolicyError(f"{kind!r} is not a kind of checkpoint ({', '.join(CHECKPOINT_KINDS)})")
    checkpoints = compute_timeline(policy, priority_id, submitted_at, calendar, **kw)
    facts = _facts(policy, priority_id, submitted_at, calendar, **kw)
    mine = [c for c in checkpoints if c.kind == kind and (key is None or c.key == key)]
    if not mine:
        current = _priority_at(policy, priority_id, facts, None)
        have = ", ".join(dict.fromkeys(c.key if key else c.kind for c in checkpoints)) or "none"
        what = f"no checkpoint {key!r}" if key else f"no {kind} checkpoint"
        raise PolicyError(f"{policy.name} {current.id} has {what} (it has: {have})")
    cp = mine[0]
    if key is None and kind == "update":
        cp = next((c for c in mine if c.state == "pending"), mine[-1])
    prio = policy.priority(cp.priority)
    cal = policy.calendar(cp.calendar) if cp.calendar in policy.calendars else _calendar(policy, None, facts)
    start = facts.submitted_at
    label = {
        "first_response": "first response", "update": "status update", "workaround": "workaround",
        "resolution": "resolution", "critical_notice": "critical-issue notice",
        "escalation": f"escalation level {cp.level}", "auto_upgrade": "auto-upgrade",
    }[kind]
    if cp.key.startswith("update:"):
        n = int(cp.key.split(":")[1])
        label = f"status update {n} (one every {cp.target}, counted from submission)"
        target = prio.target("update")
        assert target is not None
        prev = start
        for _ in range(n - 1):
            prev = cal.add_duration(prev, target.duration)
        start = prev
        duration = target.duration
    elif kind == "escalation":
        step = next(s for s in prio.escalation if s.level == cp.level)
        duration = step.after
        label += f" (notify {', '.join(step.notify)})"
        if ":repeat:" in cp.key and step.repeat is not None:
            k = int(cp.key.rsplit(":", 1)[1])
            label = f"escalation level {cp.level}, repeat {k} of {step.repeat.times} (notify {', '.join(step.notify)})"
            start = cal.add_duration(start, step.after)
            for _ in range(k - 1):
                start = cal.add_duration(start, step.repeat.every)
            duration = step.repeat.every
    elif kind == "auto_upgrade":
        assert prio.auto_upgrade is not None
        duration = prio.auto_upgrade.after
        label += f" to {prio.auto_upgrade.to} unless identified"
    else:
        target = prio.target(kind)
        assert target is not None
        duration = target.duration
    head = f"{policy.title} {prio.id} {label}: {duration.text} on calendar {cal.name} ({cal.describe()})"
    if start == facts.submitted_at:
        head += f", from submission at {when(_local(start, cal))}"
    elif kind == "escalation":
        head += f", from the previous notice at {when(_local(start, cal))}"
    else:
        head += f", from the previous cycle's end at {when(_local(start, cal))}"
    unpaused = _local(cal.add_duration(start, duration), cal)
    body = _math(cal, start, duration, unpaused, unpaused)
    sentence = f"{head}. {body[0].upper()}{body[1:]}: due {when(unpaused)}"
    if _u(cp.due_at) != _u(unpaused):
        paused = cal.elapsed(unpaused, cp.due_at) if duration.business else _span(unpaused, cp.due_at)
        sentence += (f"; {timedelta_words(paused)} of open time was spent waiting on the customer"
                     f"{' (still waiting)' if cp.paused else ''}, so it moves to {when(cp.due_at)}")
    current = _priority_at(policy, priority_id, facts, None)
    if facts.changes and prio.id == current.id and prio.id != policy.priority(priority_id).id:
        sentence += f" (recomputed from submission under {prio.id} after the change of priority)"
    elif prio.id != current.id:
        sentence += f" (kept from {prio.id}: it was met under the priority in force then)"
    state = {
        "pending": f"pending at {when(_local(facts.now, cal))}",
        "met": f"met at {when(_local(cp.met_at, cal))}" if cp.met_at else "met",
        "breached": (f"breached: done late at {when(_local(cp.met_at, cal))}" if cp.met_at
                     else f"breached: due before {when(_local(facts.now, cal))}"),
        "void": "void: it no longer applies",
    }[cp.state]
    if kind == "escalation" and cp.state == "breached":
        state = "reached: the step is due"
    if kind == "auto_upgrade" and cp.state == "breached":
        state = "reached: not identified in time, so it becomes " + (prio.auto_upgrade.to if prio.auto_upgrade else "")
    return f"{sentence}. State: {state}."


def unconfirmed_close(intake: Intake, tz: str, resolved_at: datetime) -> tuple[datetime, datetime] | None:
    """(the reminder, the close) of a request resolved at ``resolved_at`` that its customer has
    not confirmed, or None where the policy waits for the customer. Wall-clock time in ``tz``
    (the policy's zone): "7 days" is the same local time a week later, across a DST change."""
    after, before = intake.close_unconfirmed_after, intake.remind_unconfirmed_before
    if after is None:
        return None
    close = Calendar.always(tz).add_duration(resolved_at, after).astimezone(UTC)
    if before is None:
        return close, close
    local = pendulum.instance(close).in_tz(tz)
    if before.unit == "days":
        whole = int(before.amount)
        back = local.subtract(days=whole) - timedelta(seconds=(before.amount - whole) * 86400)
    else:
        back = local - before.as_timedelta()
    return max(datetime.fromtimestamp(back.timestamp(), UTC), resolved_at), close
