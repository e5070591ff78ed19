"""A support request, the events that change it, and the pure state machine between them.

Lifecycle::

    submitted -> acknowledged -> in_progress <-> waiting_on_customer -> resolved -> closed
                                                                          |
                                               reopened (back to work) <--+

`apply(request, event, rules)` returns the request after the event or raises
:class:`DomainError` with a sentence a person understands ("ACME-12 is already
resolved"). No I/O here: the store (slackops.requests.store) persists what this decides.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from slackops.errors import DomainError
from slackops.requests.contracts import changed as _contract_changed
from slackops.requests.guards import need, refuse_if_done
from slackops.requests.records import (
    identified,
    noted,
    phi_flagged,
    plan_recorded,
    update_posted,
    upgrade_declined,
    upgrade_requested,
    workaround_given,
)
from slackops.requests.satisfaction import rated as _csat_rated

if TYPE_CHECKING:
    from slackops.policy import Policy

__all__ = [
    "Status",
    "Event",
    "EventType",
    "Request",
    "Rules",
    "DomainError",
    "ConflictError",
    "NotFound",
    "RESOLUTIONS",
    "SOURCES",
    "apply",
    "recorded",
    "submit",
    "utc",
    "mention",
]


class Status(StrEnum):
    submitted = "submitted"
    acknowledged = "acknowledged"
    in_progress = "in_progress"
    waiting_on_customer = "waiting_on_customer"
    resolved = "resolved"
    closed = "closed"

    @property
    def words(self) -> str:
        return self.value.replace("_", " ")


class EventType(StrEnum):
    submitted = "submitted"
    acknowledged = "acknowledged"
    assigned = "assigned"
    first_response = "first_response"
    reclassified = "reclassified"
    appealed = "appealed"
    escalated = "escalated"
    escalation_acknowledged = "escalation_acknowledged"
    categorized = "categorized"
    critical_notice_sent = "critical_notice_sent"
    info_requested = "info_requested"
    info_provided = "info_provided"
    update_posted = "update_posted"
    plan_recorded = "plan_recorded"
    workaround_given = "workaround_given"
    identified = "identified"
    upgrade_requested = "upgrade_requested"
    upgrade_declined = "upgrade_declined"
    phi_flagged = "phi_flagged"
    resolved = "resolved"
    closed = "closed"
    reopened = "reopened"
    service_affected = "service_affected"  # impact: none | degraded | unavailable (slackops.operations)
    downtime_corrected = "downtime_corrected"  # start/end of its downtime interval, with a reason
    csat_rated = "csat_rated"  # the customer's rating of a closed request (slackops.requests.satisfaction)
    contract_changed = "contract_changed"  # re-planned under the account's new terms (slackops.requests.contracts)


#: Interactor: "a fix, a workaround or another solution", "not an Error"; Interopion:
#: feature requests are logged and closed; Interzen: "not within jurisdiction".
RESOLUTIONS = ("fix", "workaround", "other", "not_an_error", "feature_request", "not_within_jurisdiction")
SOURCES = ("command", "button", "reaction", "shortcut")

_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_OPEN = (Status.submitted, Status.acknowledged, Status.in_progress, Status.waiting_on_customer)


class NotFound(DomainError):
    """No request has this id."""


class ConflictError(DomainError):
    """The request changed since it was read (``expected_version`` did not match)."""

    def __init__(self, message: str, current: Request | None = None) -> None:
        super().__init__(message)
        self.current = current


def utc(at: datetime) -> datetime:
    """``at`` in UTC, to the millisecond (what the store keeps). Naive datetimes are refused."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no time zone; pass an aware datetime (UTC)")
    at = at.astimezone(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def mention(user: str | None) -> str:
    """How Slack shows a user id in text; "policy" and other non-ids stay as they are."""
    if not user:
        return "nobody"
    return f"<@{user}>" if user[:1] in "UW" and user.isalnum() else user


@dataclass(frozen=True)
class Event:
    """One change to a request: what, who (a Slack user id, or "policy"), when (UTC) and why (data)."""

    type: str
    actor: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict, hash=False)
    id: str | None = None  # the history entry id, once stored

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", utc(self.at))
        object.__setattr__(self, "data", dict(self.data))

    @property
    def reason(self) -> str | None:
        r = self.data.get("reason") or self.data.get("note")
        return str(r) if r else None


@dataclass(frozen=True)
class Rules:
    """What the request's policy says about changes (from ``slackops.policy.Policy``)."""

    policy: str = ""
    priorities: tuple[str, ...] = ()  # most urgent first
    upgrade_needs_justification: bool = False
    not_an_error_allowed: bool = True
    feature_requests_close: bool = False
    categories: tuple[str, ...] = ()

    @classmethod
    def from_policy(cls, policy: Policy) -> Rules:
        prios = sorted(policy.priorities, key=lambda p: p.rank)
        return cls(
            policy=policy.name,
            priorities=tuple(p.id for p in prios),
            upgrade_needs_justification=policy.intake.upgrade_needs_justification,
            not_an_error_allowed=policy.intake.not_an_error_allowed,
            feature_requests_close=policy.intake.feature_requests_close,
            categories=tuple(c.id for c in policy.categories),
        )

    def check_priority(self, priority: str) -> str:
        if not self.priorities:
            return priority
        if priority in self.priorities:
            return priority
        for p in self.priorities:
            if p.lower() == str(priority).lower():
                return p
        raise DomainError(
            f"{priority!r} is not a priority of {self.policy or 'this policy'} "
            f"(use one of {', '.join(self.priorities)})"
        )

    def check_category(self, category: str) -> str:
        if not self.categories:
            raise DomainError(f"{self.policy or 'this policy'} has no categories")
        if category not in self.categories:
            raise DomainError(
                f"{category!r} is not a category of {self.policy or 'this policy'} "
                f"(use one of {', '.join(self.categories)})"
            )
        return category

    def rank(self, priority: str) -> int:
        return self.priorities.index(priority) if priority in self.priorities else len(self.priorities)


@dataclass(frozen=True)
class Request:
    id: str
    account: str
    policy: str
    calendar: str
    language: str
    priority: str
    title: str
    submitted_at: datetime
    submitted_by: str
    description: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict, hash=False)
    status: Status = Status.submitted
    assignee: str | None = None
    channel: str | None = None
    card_ts: str | None = None
    version: int = 1
    acknowledged_at: datetime | None = None
    first_response_at: datetime | None = None
    workaround_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str | None = None
    plan_at: datetime | None = None
    critical_notice_at: datetime | None = None
    updates: tuple[datetime, ...] = ()
    waiting: tuple[tuple[datetime, datetime | None], ...] = ()
    priority_changes: tuple[tuple[datetime, str, str, str], ...] = ()
    escalation_level: int = 0
    category: str | None = None
    closed_at: datetime | None = None
    # beyond the contract's list: the rest of the audit state
    source: str = "command"
    escalation_acknowledged: int = 0
    # each acknowledgement of an escalation: (level, when, who)
    escalation_acks: tuple[tuple[int, datetime, str], ...] = ()
    customer_escalated_at: datetime | None = None  # the customer's first escalation
    appealed_at: datetime | None = None
    card_channel: str | None = None
    # what agents recorded for the customer (the full texts are in the history):
    # status, plan, plan_expected, workaround, diagnosis, upgrade_to, upgrade_why
    identified_at: datetime | None = None
    notes: Mapping[str, str] = field(default_factory=dict, hash=False)
    # the agents' card in the vendor's triage channel (agent_controls: triage)
    triage_channel: str | None = None
    triage_ts: str | None = None

    @property
    def is_open(self) -> bool:
        """Still being worked on: not resolved and not closed."""
        return self.status in _OPEN

    @property
    def initial_priority(self) -> str:
        return self.priority_changes[0][1] if self.priority_changes else self.priority

    @property
    def number(self) -> int:
        return int(self.id.rsplit("-", 1)[1])

    def timeline_facts(self) -> dict[str, Any]:
        """Keyword arguments for ``Policy.timeline`` (add ``now=``)."""
        return {
            "priority_id": self.initial_priority,
            "submitted_at": self.submitted_at,
            "calendar": self.calendar,
            "priority_changes": tuple((at, to) for at, _frm, to, _why in self.priority_changes),
            "waiting": self.waiting,
            "first_response_at": self.first_response_at,
            "acknowledged_at": self.acknowledged_at,
            "workaround_at": self.workaround_at,
            "resolved_at": self.resolved_at,
            "plan_at": self.plan_at,
            "critical_notice_at": self.critical_notice_at,
            "updates": self.updates,
            "identified_at": self.identified_at,
            "escalation_acks": tuple((level, at) for level, at, _who in self.escalation_acks),
        }


def submit(
    request_id: str,
    *,
    account: str,
    policy: str,
    calendar: str,
    language: str,
    priority: str,
    title: str,
    submitted_by: str,
    at: datetime,
    description: str = "",
    fields: Mapping[str, Any] | None = None,
    channel: str | None = None,
    source: str = "command",
    rules: Rules | None = None,
) -> tuple[Request, Event]:
    """A new request and its ``submitted`` event (the first line of its history)."""
    rules = rules or Rules()
    title = (title or "").strip()
    if not title:
        raise DomainError("a request needs a title")
    if not submitted_by:
        raise DomainError("a request needs the user who submits it")
    if source not in SOURCES:
        raise DomainError(f"{source!r} is not a way to open a request (use one of {', '.join(SOURCES)})")
    priority = rules.check_priority(priority)
    flds = {k: v for k, v in (fields or {}).items() if v not in (None, "")}
    category = flds.get("category")
    if category is not None:
        rules.check_category(str(category))
    at = utc(at)
    req = Request(
        id=request_id, account=account, policy=policy, calendar=calendar,
        language=str(flds.get("language") or language), priority=priority, title=title,
        description=description or "", fields=flds, submitted_at=at, submitted_by=submitted_by,
        channel=channel, source=source, category=str(category) if category else None,
    )
    event = Event("submitted", submitted_by, at, {"priority": priority, "source": source})
    return req, event


# --------------------------------------------------------------------------- the machine


def _end_wait(req: Request, at: datetime) -> tuple[tuple[datetime, datetime | None], ...]:
    if req.waiting and req.waiting[-1][1] is None:
        start = req.waiting[-1][0]
        return req.waiting[:-1] + ((start, max(start, at)),)
    return req.waiting


def _working_status(req: Request) -> Status:
    return Status.in_progress if req.assignee else Status.acknowledged


def _acknowledged(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    refuse_if_done(req)
    if req.status is not Status.submitted:
        raise DomainError(f"{req.id} is already acknowledged")
    changes: dict[str, Any] = {"status": Status.acknowledged, "acknowledged_at": ev.at}
    # IXCloud: "At the time [the vendor] accepts a service request, [it] will record an
    # initial severity level": acceptance may set the priority (no justification needed).
    new = ev.data.get("priority")
    if new:
        new = rules.check_priority(str(new))
        if new != req.priority:
            changes["priority"] = new
            changes["priority_changes"] = req.priority_changes + (
                (ev.at, req.priority, new, str(ev.data.get("reason") or "set at acceptance")),
            )
    if ev.data.get("assignee"):
        changes.update(_assigned(req, ev, rules))
        changes["status"] = Status.in_progress
    return changes


def _assigned(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    refuse_if_done(req, "assigned")
    who = ev.data["assignee"] if "assignee" in ev.data else ev.actor  # no assignee: "Take"
    if who and not _USER.match(str(who)):
        raise DomainError(f"{who!r} is not a Slack user id")
    if not who and not req.assignee:
        raise DomainError(f"{req.id} is not assigned to anyone")
    if who and req.assignee == who:
        raise DomainError(f"{req.id} is already assigned to {mention(who)}")
    if req.assignee and who and not ev.data.get("force"):
        raise DomainError(f"{req.id} is taken by {mention(req.assignee)}")
    changes: dict[str, Any] = {"assignee": who or None}
    if req.status in (Status.submitted, Status.acknowledged):
        # Taking a request accepts it: the vendor is now working on it.
        changes["status"] = Status.in_progress if who else Status.acknowledged
        if req.acknowledged_at is None:
            changes["acknowledged_at"] = ev.at
    return changes


def _first_response(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    if req.status is Status.closed:
        raise DomainError(f"{req.id} is closed")
    if req.first_response_at is not None:
        raise DomainError(f"{req.id} already has its first response")
    return {"first_response_at": ev.at}


def _reclassified(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    refuse_if_done(req, "reclassified")
    to = rules.check_priority(str(need(ev, "to", "say which priority {id} should have", req)))
    frm = ev.data.get("from")
    if frm and str(frm) != req.priority:
        raise DomainError(f"{req.id} is {req.priority} now, not {frm}")
    if to == req.priority:
        raise DomainError(f"{req.id} is already {to}")
    reason = str(need(ev, "reason", "give a reason to reclassify {id}", req))
    by_policy = ev.data.get("by") == "policy" or ev.actor == "policy"
    if (
        rules.upgrade_needs_justification
        and not by_policy
        and rules.rank(to) < rules.rank(req.priority)
        and not ev.data.get("justification")
    ):
        # IXCloud: upgrades "only with stated justification of increased impact".
        raise DomainError(
            f"raising {req.id} from {req.priority} to {to} needs a justification of increased impact"
        )
    changes: dict[str, Any] = {
        "priority": to,
        "priority_changes": req.priority_changes + ((ev.at, req.priority, to, reason),),
    }
    if req.notes.get("upgrade_to"):  # a customer's pending request for a higher priority is settled
        changes["notes"] = noted(req, upgrade_to=None, upgrade_why=None)
    return changes


def _appealed(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    if req.status is Status.closed:
        raise DomainError(f"{req.id} is closed")
    if not req.priority_changes:
        raise DomainError(f"{req.id} has not been reclassified; there is nothing to appeal")
    need(ev, "reason", "say why you appeal {id}", req)
    return {"appealed_at": ev.at}


def _escalated(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    refuse_if_done(req, "escalated")
    by = ev.data.get("by", "customer")
    if by not in ("customer", "policy", "agent"):
        raise DomainError(f"{by!r} cannot escalate (customer, agent or policy)")
    level = ev.data.get("level")
    level = req.escalation_level + 1 if level in (None, "") else int(level)
    # the customer's first escalation engages its own managers at the level the ladder reached
    engage = by == "customer" and req.customer_escalated_at is None and level == req.escalation_level >= 1
    if level <= req.escalation_level and not engage:
        raise DomainError(f"{req.id} is already at escalation level {req.escalation_level}")
    if by == "customer" and not ev.data.get("reason"):
        raise DomainError(f"say why you escalate {req.id}")
    if by == "customer":
        return {"escalation_level": level, "customer_escalated_at": req.customer_escalated_at or ev.at}
    return {"escalation_level": level}


def _escalation_acknowledged(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    if req.status is Status.closed:
        raise DomainError(f"{req.id} is closed")
    level = int(ev.data.get("level") or req.escalation_level)
    if req.escalation_level == 0 or level > req.escalation_level:
        raise DomainError(f"{req.id} has not been escalated to level {max(level, 1)}")
    if level <= req.escalation_acknowledged:
        raise DomainError(f"escalation level {level} of {req.id} is already acknowledged")
    return {"escalation_acknowledged": level,
            "escalation_acks": req.escalation_acks + ((level, ev.at, ev.actor),)}


def _categorized(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    if req.status is Status.closed:
        raise DomainError(f"{req.id} is closed")
    cat = rules.check_category(str(need(ev, "category", "say which category {id} is in", req)))
    if cat == req.category:
        raise DomainError(f"{req.id} is already in category {cat}")
    return {"category": cat}


def _critical_notice_sent(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    refuse_if_done(req)
    return {} if req.critical_notice_at else {"critical_notice_at": ev.at}


def _info_requested(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    refuse_if_done(req, "put on hold")
    if req.status is Status.waiting_on_customer:
        raise DomainError(f"{req.id} is already waiting on the customer")
    need(ev, "question", "say what information {id} needs", req)
    changes: dict[str, Any] = {
        "status": Status.waiting_on_customer,
        "waiting": req.waiting + ((ev.at, None),),
    }
    if req.acknowledged_at is None:
        changes["acknowledged_at"] = ev.at
    return changes


def _info_provided(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    refuse_if_done(req)
    if req.status is not Status.waiting_on_customer:
        return {}  # extra information is welcome any time; only a hold changes the clock
    return {"status": _working_status(req), "waiting": _end_wait(req, ev.at)}


def _resolved(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    refuse_if_done(req)
    how = str(ev.data.get("resolution") or "fix")
    if how not in RESOLUTIONS:
        raise DomainError(f"{how!r} is not a resolution (use one of {', '.join(RESOLUTIONS)})")
    if how == "not_an_error" and not rules.not_an_error_allowed:
        raise DomainError(f"{rules.policy or 'this policy'} does not allow closing a request as not an error")
    changes: dict[str, Any] = {
        "status": Status.resolved,
        "resolved_at": ev.at,
        "resolution": how,
        "waiting": _end_wait(req, ev.at),
    }
    if how == "workaround" and req.workaround_at is None:
        changes["workaround_at"] = ev.at
    if how == "feature_request" and rules.feature_requests_close:
        # Interopion: feature requests "will be logged and closed".
        changes["status"] = Status.closed
        changes["closed_at"] = ev.at
    return changes


def _closed(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    if req.status is Status.closed:
        raise DomainError(f"{req.id} is already closed")
    if req.status is not Status.resolved:
        raise DomainError(f"{req.id} is not resolved yet; resolve it before closing")
    return {"status": Status.closed, "closed_at": ev.at}


def _reopened(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    if req.status is Status.closed:
        raise DomainError(f"{req.id} is closed and cannot be reopened; open a new request")
    if req.status is not Status.resolved:
        raise DomainError(f"{req.id} is not resolved; there is nothing to reopen")
    need(ev, "reason", "say why you reopen {id}", req)
    return {"status": _working_status(req), "resolved_at": None, "resolution": None}


def _service_affected(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    impact = ev.data.get("impact")
    if impact not in ("none", "degraded", "unavailable"):
        raise DomainError(f"{impact!r} is not a service impact (none, degraded or unavailable)")
    changes = {**req.fields, "service_impact": impact}
    if impact == "unavailable" and req.fields.get("service_impact") != "unavailable":
        changes["unavailable_since"] = utc(ev.at).isoformat()  # downtime_from: impact_recorded
    elif impact != "unavailable":
        changes.pop("unavailable_since", None)
    return {"fields": changes}


def _downtime_corrected(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    need(ev, "reason", f"say why {req.id}'s downtime is corrected", req)
    start, end = ev.data.get("start"), ev.data.get("end")
    if not start and not end:
        raise DomainError(f"give the corrected start or end of {req.id}'s downtime")
    try:
        s = datetime.fromisoformat(start) if start else None
        e = datetime.fromisoformat(end) if end else None
    except (TypeError, ValueError):
        raise DomainError("a corrected start or end is an ISO 8601 instant with an offset") from None
    if any(x is not None and x.tzinfo is None for x in (s, e)):
        raise DomainError("a corrected start or end needs a time zone offset")
    old = dict(req.fields.get("downtime") or {})
    new = {**old, **({"start": utc(s).isoformat()} if s else {}), **({"end": utc(e).isoformat()} if e else {})}
    if "start" in new and "end" in new and new["end"] <= new["start"]:
        raise DomainError(f"{req.id}'s downtime would end before it starts")
    return {"fields": {**req.fields, "downtime": new}}


def _submitted(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    raise DomainError(f"{req.id} was already submitted")


_TRANSITIONS = {
    EventType.submitted: _submitted,
    EventType.acknowledged: _acknowledged,
    EventType.assigned: _assigned,
    EventType.first_response: _first_response,
    EventType.reclassified: _reclassified,
    EventType.appealed: _appealed,
    EventType.escalated: _escalated,
    EventType.escalation_acknowledged: _escalation_acknowledged,
    EventType.categorized: _categorized,
    EventType.critical_notice_sent: _critical_notice_sent,
    EventType.info_requested: _info_requested,
    EventType.info_provided: _info_provided,
    EventType.update_posted: update_posted,
    EventType.plan_recorded: plan_recorded,
    EventType.workaround_given: workaround_given,
    EventType.identified: identified,
    EventType.upgrade_requested: upgrade_requested,
    EventType.upgrade_declined: upgrade_declined,
    EventType.phi_flagged: phi_flagged,
    EventType.resolved: _resolved,
    EventType.closed: _closed,
    EventType.reopened: _reopened,
    EventType.service_affected: _service_affected,
    EventType.downtime_corrected: _downtime_corrected,
    EventType.csat_rated: _csat_rated,
    EventType.contract_changed: _contract_changed,
}


def apply(request: Request, event: Event, rules: Rules | None = None) -> Request:
    """The request after ``event``, one version later; DomainError if the change is not allowed."""
    try:
        kind = EventType(event.type)
    except ValueError:
        raise DomainError(f"{event.type!r} is not something that can happen to a request") from None
    if not event.actor:
        raise DomainError(f"who did this to {request.id}? (an event needs an actor)")
    changes = _TRANSITIONS[kind](request, event, rules or Rules())
    changes["version"] = request.version + 1
    return _with(request, changes)


def _with(request: Request, changes: Mapping[str, Any]) -> Request:
    """``dataclasses.replace`` without re-running ``__init__`` over 35 fields (hot path)."""
    new = copy.copy(request)
    for name, value in changes.items():
        object.__setattr__(new, name, value)
    return new


def recorded(before: Request, event: Event, after: Request) -> Event:
    """``event`` as the history keeps it: its data completed with what the change decided
    (the priority it came from, who was assigned, the escalation level reached), so that
    the audit trail reads on its own."""
    data = dict(event.data)
    kind = event.type
    if before.acknowledged_at is None and after.acknowledged_at is not None:
        data["accepted"] = True  # Take, Assign, Acknowledge: whichever came first accepted it
    if kind == "reclassified":
        data.setdefault("from", before.priority)
    elif kind == "assigned":
        data["assignee"] = after.assignee
        if before.assignee and before.assignee != after.assignee:
            data.setdefault("previous", before.assignee)
    elif kind == "escalated":
        data["level"] = after.escalation_level
    elif kind == "escalation_acknowledged":
        data["level"] = after.escalation_acknowledged
    elif kind == "resolved":
        data.setdefault("resolution", after.resolution)
    return event if data == event.data else replace(event, data=data)
