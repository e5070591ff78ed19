"""The shape every form submission shares: authorize, validate, record in the store
(before the ack, so that an error lands on the form's field), ack. What Slack is told
follows from the store's history (slackops.workers.publisher)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from slackops.errors import DomainError
from slackops.notices.i18n import t
from slackops.slack.desk import Desk
from slackops.slack.flows import record
from slackops.slack.listeners.common import Actor, actor_of, form_values, too_long, view_meta

if TYPE_CHECKING:
    from slackops.requests import Request

Check = Callable[[Actor, "Request"], bool]


def submit_change(ack: Ack, body: dict[str, Any], desk: Desk, *, type_: str, error_block: str,
                  data: Callable[[dict[str, str | None], Request], dict[str, Any]],
                  allowed: Callable[[Actor, Request], bool], after: Callable[[Request], None] | None = None) -> None:
    meta = view_meta(body)
    actor = actor_of(desk, body)
    if not meta.r:
        ack()
        return
    try:
        req = desk.store.get(meta.r)
    except DomainError as e:
        ack(response_action="errors", errors={error_block: str(e)})
        return
    if not allowed(actor, req):
        ack(response_action="errors", errors={error_block: t(req.language, "refuse.not_yours")})
        return
    values = form_values(body)
    errors = too_long(values, req.language or "en")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    payload = data(values, req)
    if "_error" in payload:
        ack(response_action="errors", errors=payload["_error"])
        return
    key = f"view:{body['view']['id']}"
    try:
        after_req = record(desk, req.id, type_, actor.user_id, payload, key=key)
    except DomainError as e:  # ConflictError and NotFound are DomainErrors too
        ack(response_action="errors", errors={error_block: str(e)})
        return
    ack()  # the card, the thread and the DMs follow from the history (slackops.workers.publisher)
    if after is not None:
        desk.later(after, after_req)
