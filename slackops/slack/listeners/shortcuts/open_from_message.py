"""The "Open support request" message shortcut: the form, prefilled from the message and
linked back to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackops.notices.i18n import t
from slackops.slack.blocks.modals import open_request_modal
from slackops.slack.desk import Desk
from slackops.slack.listeners.common import actor_of, may_open, not_a_contact_text
from slackops.slack.metadata import ViewMeta

if TYPE_CHECKING:
    from slackops.config import Account
    from slackops.slack.listeners.common import Actor


def title_from(text: str) -> str:
    first = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return first[:150]


def open_from_message(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    actor = actor_of(desk, body)
    account = desk.account_for_channel(actor.channel)
    if account is None:
        desk.tell(actor.user_id, t("en", "refuse.unmapped_channel"), channel=actor.channel)
        return
    if not may_open(desk, account, actor.user_id):
        desk.tell(actor.user_id, not_a_contact_text(desk, account), channel=actor.channel)
        return
    desk.later(_open_form, desk, client, body, actor, account, urgent=True)


def _open_form(desk: Desk, client: WebClient, body: dict[str, Any], actor: Actor, account: Account) -> None:
    message = body.get("message") or {}
    ts = message.get("ts") or body.get("message_ts")
    permalink = None
    try:
        permalink = client.chat_getPermalink(channel=cast(str, actor.channel), message_ts=ts)["permalink"] if ts else None
    except SlackApiError:
        pass
    meta = ViewMeta(account=account.id, channel=actor.channel, source="shortcut", source_ts=ts, source_permalink=permalink)
    text = message.get("text") or ""
    client.views_open(trigger_id=body["trigger_id"], view=open_request_modal(
        desk.policy(account.policy), account, meta, lang=account.language, title=title_from(text), description=text))
    # (already after the ack, in the urgent pool: the permalink look-up and the form share the trigger's 3 s)
