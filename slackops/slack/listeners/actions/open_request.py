"""The "Open a request" button: pinned in the shared channel, and on customers' App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from slackops.notices.i18n import t
from slackops.slack.blocks.modals import open_request_modal
from slackops.slack.desk import Desk
from slackops.slack.listeners.common import actor_of, may_open, not_a_contact_text
from slackops.slack.metadata import ViewMeta


def open_request(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    actor = actor_of(desk, body)
    account = desk.account_for_channel(actor.channel)
    if account is None:
        mine = desk.directory.accounts_of(actor.user_id)
        account = mine[0] if mine else None
    if account is None:
        desk.tell(actor.user_id, t("en", "refuse.unmapped_channel"), channel=actor.channel)
        return
    if not may_open(desk, account, actor.user_id):
        desk.tell(actor.user_id, not_a_contact_text(desk, account), channel=actor.channel)
        return
    meta = ViewMeta(account=account.id, channel=account.channel, source="button")
    policy = desk.policy(account.policy)
    desk.open_view(body["trigger_id"], lambda: open_request_modal(policy, account, meta, lang=account.language),
                   user=actor.user_id, channel=actor.channel)
