"""What each outgoing event says (pure: the request, its event and the policy in; a
:class:`~slackops.notices.webhooks.HookEvent` out).

Every body has ``id`` (stable: the same event always has the same id), ``type``, ``time``
(when it happened, ISO 8601 UTC), ``account`` and, for a request's events, ``request`` (as
it stood when the event was read) and ``policy`` (its name, version and the figures
involved: a checkpoint's target and due instant, or the request's pending ones). The JSON
Schemas of docs/webhooks/ describe each type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .webhooks import HookEvent

if TYPE_CHECKING:
    from slackops.policy import Checkpoint, Policy
    from slackops.requests import Event, Request

__all__ = ["ACCEPTING", "HISTORY_TYPES", "MET_BY", "alarm_event", "maintenance_event", "request_events"]

HISTORY_TYPES: Mapping[str, str] = {
    "submitted": "request.opened",
    "acknowledged": "request.accepted",
    "first_response": "request.first_response",
    "reclassified": "request.reclassified",
    "escalated": "escalation.raised",
    "escalation_acknowledged": "escalation.acknowledged",
    "resolved": "request.resolved",
    "closed": "request.closed",
    "csat_rated": "csat.rated",
}
"""History entries that are outgoing events, by the entry's event type."""

ACCEPTING = frozenset({"assigned", "info_requested"})
"""Entries that also accept a request when they come first (their data says ``accepted``)."""

MET_BY = frozenset({"acknowledged", "first_response", "resolved", "closed", "workaround_given", "plan_recorded",
                    "update_posted", "identified", "critical_notice_sent", "escalation_acknowledged", "assigned"})
"""Entries that may meet a checkpoint (``sla.met``, one per checkpoint met at that instant)."""

MAINTENANCE_STAGES: Mapping[str, str] = {
    "scheduled": "maintenance.scheduled",
    "start": "maintenance.started",
    "end": "maintenance.ended",
    "cancelled": "maintenance.cancelled",
}

_SAME = timedelta(milliseconds=1)  # the store keeps instants to the millisecond


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z") if at else None


def _order(at: datetime, tie: int = 0) -> float:
    """An event's place in its line: its instant in ms, then a tie-break (below 1000)."""
    return float(int(at.timestamp() * 1000) * 1000 + min(max(tie, 0), 999))


def checkpoint_json(cp: Checkpoint) -> dict[str, Any]:
    return {"key": cp.key, "kind": cp.kind, "target": cp.target or None, "due_at": _iso(cp.due_at),
            "state": cp.state, "met_at": _iso(cp.met_at), "priority": cp.priority or None}


def _account(config: Any, account_id: str) -> dict[str, Any]:
    acct = config.account(account_id)
    return {"id": account_id, "name": acct.name if acct else account_id}


def _request(req: Request) -> dict[str, Any]:
    return {"id": req.id, "title": req.title, "priority": req.priority, "status": str(req.status.value),
            "assignee": req.assignee, "language": req.language, "submitted_at": _iso(req.submitted_at),
            "escalation_level": getattr(req, "escalation_level", 0) or 0}


def _policy(policy: Policy, req: Request, **figures: Any) -> dict[str, Any]:
    return {"name": policy.name, "version": getattr(policy, "version", None), "priority": req.priority, **figures}


def _body(event_id: str, etype: str, at: datetime, account: dict[str, Any], **rest: Any) -> dict[str, Any]:
    return {"id": event_id, "type": etype, "time": _iso(at), "account": account, **rest}


def request_events(config: Any, policy: Policy, req: Request, event: Event, entry_id: str,
                   checkpoints: Iterable[Checkpoint]) -> list[HookEvent]:
    """The outgoing events of one history entry (``checkpoints``: the request's timeline now)."""
    cps = list(checkpoints)
    # the entry's place in its stream orders a request's events exactly (its events' own
    # instants may tie, or be given a moment before they are written)
    ms, _, seq_text = entry_id.partition("-")
    base = float(int(ms) * 1000 + min(int(seq_text or 0), 99) * 10)
    account = _account(config, req.account)
    out: list[HookEvent] = []
    etype = HISTORY_TYPES.get(event.type)
    if etype is None and event.data.get("accepted") and event.type in ACCEPTING:
        etype = "request.accepted"  # Take or Assign accepted it first (the history marks it)
    data = {k: v for k, v in dict(event.data).items() if k in _DATA_FIELDS}
    if etype is not None:
        figures: dict[str, Any] = {}
        if event.type in ("submitted", "reclassified"):
            figures["checkpoints"] = [checkpoint_json(c) for c in cps if c.state != "void"]
        eid = f"{req.id}:{entry_id}"
        out.append(HookEvent(eid, etype, req.id, base, _body(
            eid, etype, event.at, account, request=_request(req), policy=_policy(policy, req, **figures),
            actor=event.actor, data=data)))
    if event.type in MET_BY:
        met = [c for c in cps if c.state == "met" and c.met_at is not None and abs(c.met_at - event.at) < _SAME]
        for i, cp in enumerate(sorted(met, key=lambda c: c.key), start=1):
            # one id per checkpoint met (two entries of the same instant name it once)
            eid = f"{req.id}:met:{cp.key}:{int(cp.met_at.timestamp() * 1000) if cp.met_at else 0}"
            out.append(HookEvent(eid, "sla.met", req.id, base + min(i, 9), _body(
                eid, "sla.met", event.at, account, request=_request(req),
                policy=_policy(policy, req, checkpoint=checkpoint_json(cp)), actor=event.actor, data={})))
    return out


_DATA_FIELDS = frozenset({"from", "to", "reason", "level", "by", "unconfirmed", "rating", "comment", "assignee",
                          "category", "previous", "changed"})
"""What of an event's data goes out (never a person's free text beyond a reason or a comment)."""


def alarm_event(config: Any, policy: Policy, req: Request, cp: Checkpoint, alarm: str, member: str,
                at: datetime, fraction: float | None = None) -> HookEvent:
    """``sla.warning`` (a ``warn`` alarm) or ``sla.breached`` (a ``due`` one) of a checkpoint."""
    etype = "sla.warning" if alarm == "warn" else "sla.breached"
    eid = f"{req.id}:alarm:{member.split('|', 1)[1] if '|' in member else member}"
    figures: dict[str, Any] = {"checkpoint": checkpoint_json(cp)}
    if fraction is not None:
        figures["warn_at"] = fraction
    return HookEvent(eid, etype, req.id, _order(at, 5), _body(
        eid, etype, at, _account(config, req.account), request=_request(req), policy=_policy(policy, req, **figures),
        actor="policy", data={}))


def maintenance_event(config: Any, account_id: str, member: str, stage: str, maintenance: Mapping[str, Any],
                      at: datetime) -> HookEvent | None:
    """A maintenance's stage for one account (reminders are not events); None if not one."""
    etype = MAINTENANCE_STAGES.get(stage)
    if etype is None:
        return None
    eid = f"maintenance:{member}"
    return HookEvent(eid, etype, "maintenance", _order(at), _body(
        eid, etype, at, _account(config, account_id), maintenance=dict(maintenance)))
