"""Who an escalation level of a request has already reached: the ladder's DMs and those of
a manual escalation, as the history's ``escalated`` events name them (``notified``).
Nobody is DMed twice for one level of one request (docs/workers.md). Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slackops.notices import routing

if TYPE_CHECKING:
    from slackops.config import Config
    from slackops.requests import Event, Request

__all__ = ["already_told", "step_roles"]


def step_roles(policy: Any, req: Request, level: int) -> tuple[str, ...]:
    """The roles of the ladder's step of ``level`` for the request's priority (none: ())."""
    try:
        steps = policy.priority(req.priority).escalation
    except Exception:  # noqa: BLE001 - a priority the policy no longer has: no ladder
        return ()
    return next((tuple(s.notify) for s in steps if s.level == level), ())


def already_told(config: Config, policy: Any, req: Request, history: list[Event], level: int) -> list[str]:
    """The managers already DMed about ``level`` of this request."""
    out: list[str] = []
    for ev in history:
        if ev.type != "escalated" or int(ev.data.get("level") or 0) != level:
            continue
        told = ev.data.get("notified")
        if told is None and ev.data.get("by") == "policy":  # recorded before events named them
            told = routing.managers(config, step_roles(policy, req, level))
        out += [u for u in told or () if u not in out]
    return out
