"""What agents record of the work the policy measures, and a customer's request for a
higher priority: the transitions of ``update_posted``, ``plan_recorded``,
``workaround_given``, ``identified``, ``upgrade_requested`` and ``upgrade_declined``
(slackops.requests.model.apply calls them). Pure, like the rest of the machine.

The texts agents write are kept, cut to :data:`NOTE_LIMIT`, in ``Request.notes`` (the
card shows them; the history keeps them whole): ``status`` (the last update), ``plan``,
``plan_expected``, ``workaround``, ``diagnosis``, ``upgrade_to`` and ``upgrade_why``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from slackops.errors import DomainError
from slackops.requests.guards import need, refuse_if_done

if TYPE_CHECKING:
    from slackops.requests.model import Event, Request, Rules


NOTE_LIMIT = 1500
"""Characters of an agent's text kept on the request (the card shows it; the history has all)."""


def _text_of(ev: Event, req: Request, what: str) -> str:
    text = str(need(ev, "text", "write the " + what + " for {id}", req)).strip()
    if not text:
        raise DomainError(f"write the {what} for {req.id}")
    return text


def noted(req: Request, **notes: str | None) -> dict[str, str]:
    out = dict(req.notes)
    for k, v in notes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v[:NOTE_LIMIT]
    return out


def _told(req: Request, ev: Event) -> tuple[datetime, ...]:
    """Whatever an agent tells the customer about the request's progress is a status update
    (it meets the ``update_every`` cycle it falls in, or the single ``update`` target)."""
    return req.updates + (ev.at,)


def update_posted(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    refuse_if_done(req)
    changes: dict[str, Any] = {"updates": _told(req, ev)}
    text = str(ev.data.get("text") or "").strip()
    if text:
        changes["notes"] = noted(req, status=text)
    if ev.data.get("workaround") and req.workaround_at is None:
        changes["workaround_at"] = ev.at  # Comensure P2: a workaround may come before the fix
    return changes


def plan_recorded(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    """Comensure: "escalated if a solution or plan of resolution cannot be achieved": the
    first plan stops the ladder steps with ``unless: plan``; a revised plan replaces its text."""
    refuse_if_done(req)
    text = str(ev.data.get("text") or "").strip()
    if req.plan_at is not None and not text:
        raise DomainError(f"{req.id} already has a plan of resolution; write the revised plan")
    expected = ev.data.get("expected")
    changes: dict[str, Any] = {"plan_at": req.plan_at or ev.at}
    if text:  # told to the customer in the thread: a status update too
        changes["updates"] = _told(req, ev)
        changes["notes"] = noted(req, plan=text, plan_expected=str(expected) if expected else None)
    return changes


def workaround_given(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    """Comensure P2: "temporary fix or workaround ... within five (5) calendar days": meets
    the ``workaround`` target; the request stays open and its resolution clock runs on."""
    refuse_if_done(req)
    text = _text_of(ev, req, "workaround")
    return {"workaround_at": req.workaround_at or ev.at, "updates": _told(req, ev),
            "notes": noted(req, workaround=text)}


def identified(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    """Comensure P2: "If problem identification has not occurred ... it will be upgraded to P1"."""
    refuse_if_done(req)
    text = _text_of(ev, req, "diagnosis")
    return {"identified_at": req.identified_at or ev.at, "updates": _told(req, ev),
            "notes": noted(req, diagnosis=text)}


def upgrade_requested(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    """IXCloud: "In requesting any assignment of a higher severity level, you must provide
    ... sufficient information that demonstrates the increased impact"."""
    refuse_if_done(req, "raised")
    to = rules.check_priority(str(need(ev, "to", "say which priority {id} should have", req)))
    if rules.rank(to) >= rules.rank(req.priority):
        raise DomainError(f"{to} is not more urgent than {req.priority}, the priority of {req.id}")
    why = str(need(ev, "justification", "say how the impact of {id} has increased", req)).strip()
    if not why:
        raise DomainError(f"say how the impact of {req.id} has increased")
    if req.notes.get("upgrade_to"):
        raise DomainError(f"{req.id} already waits for an answer to a request for {req.notes['upgrade_to']}")
    return {"notes": noted(req, upgrade_to=to, upgrade_why=why)}


def upgrade_declined(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    if not req.notes.get("upgrade_to"):
        raise DomainError(f"nobody asked for a higher priority of {req.id}")
    need(ev, "reason", "give the customer a reason to keep {id} at its priority", req)
    return {"notes": noted(req, upgrade_to=None, upgrade_why=None)}


def phi_flagged(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    """Likely PHI in a customer's thread reply (Interopion: "no PHI will be provided"): the
    card flags it for agents (the reply's ts); the text itself is never kept."""
    if str(getattr(req.status, "value", req.status)) == "closed":
        raise DomainError(f"{req.id} is closed")
    ts = str(need(ev, "ts", "say which reply of {id} holds it", req))
    return {"notes": noted(req, phi=ts)}
