"""Messages in a request's thread: an agent's first reply is the first response, and each
later one is a status update (as Zendesk and Pylon count public replies; the policy's
``intake.thread_replies_are_updates`` or the account's setting turns that off); a
customer's reply while the request waits on them is the information they were asked for..

Replies in the thread of a request's agents' card (in the vendor's triage channel) are
internal notes: the customer never sees them, so they are never a response to the customer
nor an update, and are not recorded as one."""

from __future__ import annotations

from typing import Any

from slackops.errors import DomainError
from slackops.notices.i18n import t
from slackops.slack.auth import Role
from slackops.slack.desk import Desk
from slackops.slack.flows import change
from slackops.slack.listeners.common import log
from slackops.slack.listeners.events.dedupe import first_delivery
from slackops.slack.phi import phi_reason

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join", "channel_leave"}


def replies_are_updates(desk: Desk, req: Any) -> bool:
    account = desk.account(req.account)
    if account is not None and account.thread_replies_are_updates is not None:
        return account.thread_replies_are_updates
    return bool(desk.policy_of(req).intake.thread_replies_are_updates)


def _screen_for_phi(desk: Desk, req: Any, user: str, event: dict[str, Any], key: str) -> None:
    """Where the policy forbids PHI (Interopion), a customer's reply that looks like it gets
    an ephemeral warning asking its author to delete it, and the card a flag for agents."""
    policy = desk.policy_of(req)
    if not policy.intake.phi_guard:
        return

    lang = req.language or "en"
    reason = phi_reason(event.get("text") or "", lang)
    if not reason:
        return
    desk.tell(user, t(lang, "phi.thread_warning", reason=reason, id=req.id), channel=event.get("channel"))

    try:
        change(desk, req.id, "phi_flagged", user, {"ts": event.get("ts")}, key=key + ":phi")
    except DomainError as e:
        log.info("%s: PHI flag not recorded: %s", req.id, e)


def message(event: dict[str, Any], body: dict[str, Any], desk: Desk) -> None:
    if event.get("subtype") in IGNORED_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return
    thread_ts, ts, channel = event.get("thread_ts"), event.get("ts"), event.get("channel")
    if not thread_ts or thread_ts == ts or not channel:
        return
    internal = desk.store.find_by_triage_card(channel, thread_ts)
    if internal:
        log.debug("%s: internal note in its agents' card's thread; not a response to the customer", internal)
        return
    if desk.account_for_channel(channel) is None:
        return
    req = desk.find_by_thread(channel, thread_ts)
    if req is None or not req.is_open:
        return
    if not first_delivery(desk, body):
        return
    user = event["user"]
    role = desk.directory.role_of(desk.directory.identify(body))
    key = f"event:{body.get('event_id') or ts}"

    if role is not Role.AGENT:
        _screen_for_phi(desk, req, user, event, key)
    try:
        if role is Role.AGENT and req.first_response_at is None:
            change(desk, req.id, "first_response", user, {"ts": ts}, key=key)
        elif role is Role.AGENT and replies_are_updates(desk, req):
            change(desk, req.id, "update_posted", user, {"text": event.get("text") or "", "ts": ts, "source": "thread"},
                   key=key)
        elif role is Role.CUSTOMER and str(getattr(req.status, "value", req.status)) == "waiting_on_customer":
            change(desk, req.id, "info_provided", user, {"text": event.get("text") or "", "ts": ts, "quiet": True}, key=key)
    except DomainError as e:
        log.info("%s: thread reply not recorded: %s", req.id, e)
