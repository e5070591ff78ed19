"""The agents' "More actions" menu on a card: each option stands for a button, and is
handed to that button's listener as if the button had been pressed.

Logging a feature request closes the request, so its button asks for confirmation; a
menu cannot ask per option, so chosen from the menu it shows the agent that button (with
its confirmation) rather than acting at once."""

from __future__ import annotations

import copy
import json
from typing import Any

from slackops.notices.i18n import t
from slackops.requests import NotFound
from slackops.slack.blocks.card_menu import MENU_ACTION, feature_request_confirmation, menu_choice
from slackops.slack.ids import ActionId
from slackops.slack.listeners.common import actor_of

__all__ = ["MENU_ACTION", "closed_request", "unfold"]

_STILL_OPEN_TO = frozenset({ActionId.REOPEN, ActionId.OPEN_THREAD, ActionId.ESCALATION_ACK})
"""Actions that still have something to do once a request is closed."""


def unfold(body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``body`` as the chosen option's own action (a button press, or the service-impact
    choice), and whether the choice must be confirmed first. A body that is not the menu's
    comes back as it is."""
    action = (body.get("actions") or [{}])[0]
    if action.get("action_id") != MENU_ACTION:
        return body, False
    choice = menu_choice((action.get("selected_option") or {}).get("value"))
    name, rid = choice.get("a", ""), choice.get("r", "")
    out = copy.copy(body)
    inner: dict[str, Any] = {k: v for k, v in action.items() if k not in ("selected_option", "placeholder")}
    inner["action_id"] = name
    if name == ActionId.SERVICE_AFFECTED:
        inner["type"] = "static_select"
        inner["selected_option"] = {"value": json.dumps({"r": rid, "i": choice.get("i", "")})}
    else:
        inner["type"] = "button"
        inner["value"] = json.dumps({"r": rid})
    out["actions"] = [inner]
    return out, name == ActionId.FEATURE_REQUEST


def confirm_feature_request(body: dict[str, Any], client: Any, rid: str) -> None:
    """Show the agent the feature-request button with its confirmation, in the card's channel."""
    user = (body.get("user") or {}).get("id") or ""
    channel = (body.get("channel") or {}).get("id") or ((body.get("container") or {}).get("channel_id"))
    blocks = feature_request_confirmation(rid, "en")
    text = blocks[0]["text"]["text"]
    if channel:
        client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
    else:
        client.chat_postMessage(channel=user, text=text, blocks=blocks)


def closed_request(body: dict[str, Any], desk: Any, ack: Any) -> bool:
    """A button of a closed request (left in its thread: "Confirm resolved", "Add
    information"): answer, in the request's language, that it is closed, and do nothing."""

    action = (body.get("actions") or [{}])[0]
    name = str(action.get("action_id") or "")
    if not name.startswith("req_") or name in _STILL_OPEN_TO or desk is None:
        return False
    try:
        rid = json.loads(action.get("value") or "{}").get("r")
    except (ValueError, AttributeError):
        return False
    if not rid:
        return False
    try:
        req = desk.store.get(rid)
    except NotFound:
        return False
    if str(getattr(req.status, "value", req.status)) != "closed":
        return False
    ack()
    actor = actor_of(desk, body)
    desk.tell(actor.user_id, t(req.language or "en", "menu.closed", id=req.id), channel=actor.channel)
    return True
