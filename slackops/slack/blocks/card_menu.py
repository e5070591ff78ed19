"""The agents' controls on a card: the two or three actions the request's state calls for
next, as buttons, and every other action in one "More actions" menu.

Take, Assign and Acknowledge all accept a request: before anyone has it, Take is the one
button (Assign and Acknowledge are in the menu). Once someone has it, the work is posting
updates and resolving. The menu is a ``static_select`` (Slack's overflow menu holds five
options at most); each option's value names the action it stands for and the request
(``{"a": action id, "r": request id}``), and the app hands it to the same listener as the
button of that action (slackops.slack.listeners.actions.menu)."""

from __future__ import annotations

import json
from typing import Any

from slackops.notices.i18n import t
from slackops.notices.text import plain
from slackops.slack.blocks.common import button, confirm_dialog
from slackops.slack.ids import ActionId

__all__ = ["MENU_ACTION", "agent_controls", "menu_choice"]

MENU_ACTION = "req_more"
"""action_id of the agents' "More actions" menu."""

_IMPACTS = ("none", "degraded", "unavailable")


def _option(text: str, action: str, rid: str, **more: str) -> dict[str, Any]:
    value = json.dumps({"a": action, "r": rid, **more}, separators=(",", ":"))
    return {"text": plain(text, 75), "value": value}


def menu_choice(value: str | None) -> dict[str, str]:
    """The option's value as a mapping (empty when it cannot be read)."""
    try:
        d = json.loads(value or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in d.items()} if isinstance(d, dict) else {}


def agent_controls(req: Any, policy: Any, status: str, lang: str, *, critical: bool,
                   records: list[dict[str, Any]], impact: str | None) -> list[dict[str, Any]]:
    """The buttons for what comes next and the menu of the rest, for an open request.
    ``records``: the record buttons the policy calls for (Post update, Record plan, ...);
    ``critical``: the policy owes a critical-issue notice at this priority; ``impact``: the
    service impact recorded (none, degraded, unavailable)."""
    rid = req.id
    by_id = {b["action_id"]: b for b in records}
    label = {
        ActionId.TAKE: t(lang, "btn.take"), ActionId.ASSIGN: t(lang, "btn.assign"),
        ActionId.ACKNOWLEDGE: t(lang, "btn.acknowledge"), ActionId.RECLASSIFY: t(lang, "btn.reclassify"),
        ActionId.CATEGORIZE: t(lang, "btn.categorize"), ActionId.REQUEST_INFO: t(lang, "btn.request_info"),
        ActionId.FEATURE_REQUEST: t(lang, "btn.feature_request"), ActionId.CRITICAL_NOTICE: t(lang, "btn.critical_notice"),
        ActionId.RESOLVE: t(lang, "btn.resolve"), ActionId.ESCALATE: t(lang, "btn.escalate"),
        **{ActionId(a): b["text"]["text"] for a, b in by_id.items()},
    }
    if not req.assignee:
        # nobody has it: taking it is the next thing; Assign hands it to someone else
        shown = [ActionId.TAKE, ActionId.ASSIGN]
    elif status == "waiting_on_customer":
        shown = [ActionId.POST_UPDATE, ActionId.RESOLVE]
    else:
        shown = [ActionId.POST_UPDATE, ActionId.REQUEST_INFO, ActionId.RESOLVE]
    if critical and not getattr(req, "critical_notice_at", None):
        shown.insert(1 if not req.assignee else 0, ActionId.CRITICAL_NOTICE)
    shown = [a for a in shown if a in label][:3]
    rest: list[ActionId] = []
    if req.assignee:
        rest.append(ActionId.ASSIGN)
    if status == "submitted":
        rest.append(ActionId.ACKNOWLEDGE)
    rest += [ActionId.RECLASSIFY]
    if getattr(policy, "categories", None):
        rest.append(ActionId.CATEGORIZE)
    if status != "waiting_on_customer":
        rest.append(ActionId.REQUEST_INFO)
    rest += [ActionId(a) for a in by_id]
    rest += [ActionId.ESCALATE, ActionId.RESOLVE]
    if critical:
        rest.append(ActionId.CRITICAL_NOTICE)
    rest.append(ActionId.FEATURE_REQUEST)
    seen: set[str] = set(shown)
    menu = []
    for a in rest:
        if a in seen or a not in label:
            continue
        seen.add(a)
        menu.append(_option(label[a], a, rid))
    for i in _IMPACTS:
        if i != (impact or "none"):
            menu.append(_option(t(lang, f"menu.service_{i}"), ActionId.SERVICE_AFFECTED, rid, i=i))
    els: list[dict[str, Any]] = []
    for n, a in enumerate(shown):
        if a in by_id:
            els.append({**by_id[a], **({"style": "primary"} if n == 0 else {})})
        else:
            style = "danger" if a == ActionId.CRITICAL_NOTICE else ("primary" if n == 0 else None)
            els.append(button(label[a], a, rid, style=style))
    els.append({"type": "static_select", "action_id": MENU_ACTION, "placeholder": plain(t(lang, "menu.more"), 150),
                "options": menu[:100]})
    return els


def feature_request_confirmation(rid: str, lang: str) -> list[dict[str, Any]]:
    """Chosen from the menu, logging a feature request (it closes the request) asks first:
    the button with its confirmation dialog, shown to the agent alone."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": t(lang, "confirm.feature_request", id=rid)}},
            {"type": "actions", "elements": [button(
                t(lang, "btn.feature_request"), ActionId.FEATURE_REQUEST, rid, style="danger",
                confirm=confirm_dialog(t(lang, "btn.feature_request"), t(lang, "confirm.feature_request", id=rid),
                                       t(lang, "confirm.yes"), t(lang, "confirm.no")))]}]
