"""The survey's form: a rating with a comment, from a contact of the request's customer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from slackops.notices.i18n import t
from slackops.slack.desk import Desk
from slackops.slack.ids import BlockId
from slackops.slack.listeners.actions.satisfaction import thanks
from slackops.slack.listeners.common import actor_of, view_meta
from slackops.slack.listeners.views.customer import _customer_of
from slackops.slack.listeners.views.submit import submit_change

if TYPE_CHECKING:
    from slackops.requests import Request


def submit(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    def data(v: dict[str, str | None], req: Request) -> dict[str, Any]:
        rating = v.get(BlockId.RATING)
        if not rating or not rating.isdigit():
            return {"_error": {BlockId.RATING: t(req.language or "en", "form.required")}}
        return {"rating": int(rating), "comment": v.get(BlockId.TEXT) or ""}

    def after(req: Request) -> None:
        thanks(desk, req, actor_of(desk, body).user_id, view_meta(body).channel)

    submit_change(ack, body, desk, type_="csat_rated", error_block=BlockId.RATING, data=data,
                  allowed=_customer_of(desk), after=after)
