"""The agents' "Service affected" control on a request's card (a pure builder over
operations' impact).

A select whose options carry the request and the impact (``{"r": "ACME-3", "i": "degraded"}``);
its initial option is the request's current impact (at the most urgent priority the default
is "unavailable" until an agent says otherwise)."""

from __future__ import annotations

import json
from typing import Any

from slackops.operations.status import impact_of
from slackops.slack.ids import ActionId

__all__ = ["service_control", "parse_choice"]

_LABELS = {"none": "Service not affected", "degraded": "Service degraded", "unavailable": "Service unavailable"}


def _option(rid: str, impact: str) -> dict[str, Any]:
    value = json.dumps({"r": rid, "i": impact}, separators=(",", ":"))
    return {"text": {"type": "plain_text", "text": _LABELS[impact]}, "value": value}


def service_control(req: Any, policy: Any) -> dict[str, Any]:
    current = impact_of(req, policy) or "none"
    options = [_option(req.id, i) for i in ("none", "degraded", "unavailable")]
    return {"type": "static_select", "action_id": str(ActionId.SERVICE_AFFECTED),
            "placeholder": {"type": "plain_text", "text": "Service affected?"},
            "options": options, "initial_option": options[("none", "degraded", "unavailable").index(current)]}


def parse_choice(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(request id, impact) from the select's block action."""
    action = (body.get("actions") or [{}])[0]
    try:
        d = json.loads(((action.get("selected_option") or {}).get("value")) or "{}")
    except ValueError:
        return None, None
    return (d.get("r"), d.get("i")) if isinstance(d, dict) else (None, None)
