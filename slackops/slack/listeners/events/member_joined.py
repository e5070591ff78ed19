"""When the app joins a mapped shared channel: post and pin the "Open a request" button."""

from __future__ import annotations

from typing import Any, cast

from slack_bolt import BoltContext
from slack_sdk import WebClient

from slackops.notices.notice import Notice
from slackops.slack.blocks.messages import open_button_message
from slackops.slack.desk import Desk
from slackops.slack.listeners.events.dedupe import first_delivery


def member_joined_channel(event: dict[str, Any], body: dict[str, Any], context: BoltContext, desk: Desk,
                          client: WebClient) -> None:
    channel = event.get("channel")
    if event.get("user") != context.bot_user_id:
        return
    account = desk.account_for_channel(channel)
    if account is None or not first_delivery(desk, body):
        return
    # Posted by the workers' outbox, exactly once per join (a redelivery has the same
    # event_id, so the same notice id); the workers pin it once it is posted.
    msg = open_button_message(account, account.language)
    desk.queue(Notice(id=f"intro|{channel}|{body.get('event_id') or event.get('event_ts')}", dest=cast(str, channel),
                      text=msg["text"], blocks=list(msg.get("blocks") or []), digestible=False, kind="intro"))
