"""The survey under a closed request: a customer contact rates it (1 to 5) or opens the
form with a comment. Anyone else is refused ephemerally; nothing is recorded for them."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from slackops.errors import DomainError
from slackops.notices.due import slack_date
from slackops.notices.i18n import t
from slackops.notices.survey import rating_of_action
from slackops.requests.satisfaction import RATING_WINDOW, csat_of
from slackops.slack.blocks.satisfaction import survey_modal
from slackops.slack.desk import Desk
from slackops.slack.flows import change
from slackops.slack.listeners.common import (
    action_value,
    actor_of,
    request_or_tell,
    require_customer_of,
)
from slackops.slack.metadata import ViewMeta


def _customer_and_request(body: dict[str, Any], desk: Desk) -> tuple[Any, Any]:
    req = request_or_tell(desk, action_value(body).r, actor_of(desk, body))
    if req is None:
        return None, None
    return require_customer_of(desk, body, req), req


def thanks(desk: Desk, req: Any, user: str, channel: str | None) -> None:
    csat = csat_of(req) or {}
    end = req.closed_at + RATING_WINDOW
    until = slack_date(end, end.strftime("%Y-%m-%d %H:%M UTC"))
    desk.tell(user, t(req.language or "en", "csat.thanks", id=req.id, rating=csat.get("rating"), until=until),
              channel=channel)


def rate(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    rating = rating_of_action(str(action.get("action_id") or ""))
    actor, req = _customer_and_request(body, desk)
    if not actor or rating is None:
        return
    key = f"csat:{req.id}:{actor.user_id}:{action.get('action_ts') or body.get('trigger_id')}"
    try:
        after = change(desk, req.id, "csat_rated", actor.user_id, {"rating": rating}, key=key)
    except DomainError as e:
        desk.tell(actor.user_id, str(e), channel=actor.channel)
        return
    thanks(desk, after, actor.user_id, actor.channel)


def comment(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    ack()
    actor, req = _customer_and_request(body, desk)
    if not actor:
        return
    lang = req.language or "en"
    meta = ViewMeta(r=req.id, channel=actor.channel or req.channel)
    desk.open_view(body["trigger_id"], user=actor.user_id, channel=actor.channel, request_id=req.id,
                   view=survey_modal(req, meta, lang))
