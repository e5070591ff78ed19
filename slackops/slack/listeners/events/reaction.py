"""The :ticket: reaction on a customer's message opens a request from that message,
linked back to it. No trigger_id comes with a reaction, so there is no form: the request
opens at the policy's least urgent priority and an agent confirms or reclassifies it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackops.notices.i18n import t
from slackops.slack.auth import Role
from slackops.slack.desk import Desk
from slackops.slack.language import request_language
from slackops.slack.listeners.common import may_open, not_a_contact_text
from slackops.slack.listeners.events.dedupe import first_delivery
from slackops.slack.listeners.shortcuts.open_from_message import title_from
from slackops.slack.listeners.views.settings import settings_of
from slackops.slack.phi import phi_reason

TICKET_REACTIONS = {"ticket", "admission_tickets"}


def _source_message(client: WebClient, channel: str, ts: str) -> dict[str, Any] | None:
    try:
        msgs = client.conversations_history(channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1)["messages"]
        if msgs and msgs[0].get("ts") == ts:
            return msgs[0]
    except SlackApiError:
        pass
    return None


def reaction_added(event: dict[str, Any], body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    if event.get("reaction") not in TICKET_REACTIONS:
        return
    item = event.get("item") or {}
    channel, ts = item.get("channel"), item.get("ts")
    if item.get("type") != "message" or not channel or not ts:
        return
    account = desk.account_for_channel(channel)
    if account is None or not first_delivery(desk, body):
        return
    # Events are answered when this returns: the request is opened here, before the answer
    # (one Web API read), so that it is durable; the card and replies follow after it.
    reactor = event.get("user") or ""
    author = event.get("item_user") or reactor
    role = desk.directory.role_of(desk.directory.identify(body))
    # a contact tickets their own (or a colleague's) message; an agent may ticket a contact's message
    if may_open(desk, account, reactor):
        submitted_by = reactor
    elif role is Role.AGENT and may_open(desk, account, author):
        submitted_by = author
    else:
        desk.tell(reactor, not_a_contact_text(desk, account), channel=channel)
        return
    source = _source_message(client, channel, ts)
    text = (source or {}).get("text") or ""
    if not text.strip():
        desk.tell(reactor, t(account.language, "reaction.no_text"), channel=channel)
        return
    policy = desk.policy(account.policy)
    if policy.intake.phi_guard:
        reason = phi_reason(text, account.language)
        if reason:
            desk.tell(reactor, t(account.language, "reaction.phi", reason=reason), channel=channel)
            return
    priority = policy.priorities[-1].id
    permalink = None
    try:
        permalink = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except SlackApiError:
        pass
    fields = {"language": request_language(policy, text, account.language), "source_ts": ts}
    if permalink:
        fields["source_permalink"] = permalink
    if policy.intake.customer_calendars:  # the contact's choice of calendar (Interactor)

        fields["calendar"] = settings_of(desk).calendar(account, policy)
    desk.store.open(account.id, title=title_from(text) or t(account.language, "reaction.untitled"), description=text,
                          priority=priority, submitted_by=submitted_by, now=desk.now(), source="reaction", fields=fields,
                          idempotency_key=f"reaction:{channel}:{ts}")
    # the card, its thread and the reply under the ticketed message follow from the
    # history (slackops.workers.publisher)
