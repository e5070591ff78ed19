"""When the app joins a mapped shared channel: post and pin the "Open a request" button."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackops.slack.blocks.messages import open_button_message
from slackops.slack.desk import Desk
from slackops.slack.listeners.common import log
from slackops.slack.listeners.events.dedupe import first_delivery


def member_joined_channel(event: dict[str, Any], body: dict[str, Any], context: BoltContext, desk: Desk,
                          client: WebClient) -> None:
    channel = event.get("channel")
    if event.get("user") != context.bot_user_id:
        return
    account = desk.account_for_channel(channel)
    if account is None or not first_delivery(desk, body):
        return
    if not desk.once(f"pinned:{channel}", ttl_seconds=3600):
        return
    desk.later(_post_and_pin, client, channel, account)


def _post_and_pin(client: WebClient, channel: str, account: Any) -> None:
    try:
        res = client.chat_postMessage(channel=channel, **open_button_message(account, account.language))
        client.pins_add(channel=channel, timestamp=res["ts"])
    except SlackApiError as e:
        log.warning("%s: could not post or pin the open button: %s", channel, e.response.get("error"))
