"""The satisfaction survey posted under a request that closes: "How did we do?", five
buttons (1 to 5) and one for a comment. Pure; said by the publisher for a confirmation
and by the workers for a close by itself, so it sits below both.

The buttons are the Slack app's (``slackops.slack.ids.ActionId.CSAT_1`` ... ``CSAT_COMMENT``:
the same strings); their value is the app's ``ActionValue`` as JSON, ``{"r": request id}``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["COMMENT_ACTION", "RATE_ACTIONS", "SURVEY_BLOCK", "rating_of_action", "survey_message"]

RATE_ACTIONS = ("csat_rate_1", "csat_rate_2", "csat_rate_3", "csat_rate_4", "csat_rate_5")
"""One action id per rating, 1 to 5 (Slack wants each button of a block to have its own)."""
COMMENT_ACTION = "csat_comment"
SURVEY_BLOCK = "csat"

_STRINGS = {
    "en": {"ask": "How did we do? {id} is closed: rate our help, 1 (poor) to 5 (excellent). "
                  "You may change it for 7 days.",
           "comment": "Add a comment"},
    "it": {"ask": "Come siamo andati? {id} è chiusa: valuti il nostro aiuto da 1 (scarso) a 5 (eccellente). "
                  "Può cambiare il voto per 7 giorni.",
           "comment": "Aggiungi un commento"},
}


def rating_of_action(action_id: str) -> int | None:
    """The rating a survey button gives (``csat_rate_4`` -> 4)."""
    return RATE_ACTIONS.index(action_id) + 1 if action_id in RATE_ACTIONS else None


def _button(text: str, action_id: str, request_id: str) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text, "emoji": True}, "action_id": action_id,
            "value": json.dumps({"r": request_id}, separators=(",", ":"))}


def survey_message(request_id: str, lang: str) -> dict[str, Any]:
    """The survey in the request's language (English where it has no words of its own)."""
    words = _STRINGS.get(lang) or _STRINGS["en"]
    text = words["ask"].format(id=request_id)
    buttons = [_button(str(n), a, request_id) for n, a in enumerate(RATE_ACTIONS, start=1)]
    buttons.append(_button(words["comment"], COMMENT_ACTION, request_id))
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}},
                                     {"type": "actions", "block_id": SURVEY_BLOCK, "elements": buttons}]}
