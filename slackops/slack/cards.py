"""A request's cards: what each one says and where it goes.

``agent_controls: shared``: one card in the customer's shared channel, with everyone's
buttons. ``agent_controls: triage`` (the default): the customer card in the shared channel
(only the customer's buttons) and the agents' card in the vendor's triage channel (the
account's ``triage_channel``, else ``triage_channels`` by the priority's rank, else the
rank's channel in ``channels``). Both are views of the store, rendered from the same
request at the same instant; the publisher posts them through the outbox and updates
them in place (:mod:`slackops.workers.publisher`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slackops.notices.routing import permalink
from slackops.slack.blocks.card import card_text, request_card
from slackops.slack.blocks.card_agents import agents_card
from slackops.slack.blocks.card_customer import customer_card

__all__ = ["triage_channel", "customer_card_message", "agents_card_message", "refresh_cards"]


def triage_channel(config: Any, policy: Any, req: Any) -> str | None:
    """Where the request's agents' card is (once posted, it stays there) or goes; None when
    it has none (``agent_controls: shared``, or no triage channel configured for it: its one
    card then carries the agents' buttons)."""
    if getattr(req, "triage_channel", None):
        return str(req.triage_channel)
    try:
        rank: int | None = policy.priority(req.priority).rank
    except Exception:  # an unknown priority: the account's own triage channel, if any
        rank = None
    return config.triage_channel_for(req.account, rank)


def customer_card_message(store: Any, req: Any, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """The text and blocks of the card in the shared channel."""
    policy = store.policy(req.policy)
    checkpoints = store.timeline(req, now)
    if triage_channel(store.config, policy, req):
        return card_text(req), customer_card(req, checkpoints, policy=policy, now=now)
    return card_text(req), request_card(req, checkpoints, policy=policy, now=now)


def agents_card_message(store: Any, req: Any, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """The text and blocks of the agents' card (its link: the customer card's permalink)."""
    policy = store.policy(req.policy)
    account = store.config.account(req.account)
    link = permalink(getattr(req, "card_channel", None) or req.channel, req.card_ts)
    blocks = agents_card(req, store.timeline(req, now), policy=policy, now=now,
                         account_name=account.name if account else req.account, thread_link=link)
    return card_text(req), blocks


def refresh_cards(store: Any, client: Any, request_id: str, *, now: datetime | None = None) -> int:
    """Re-render the request's posted cards in place (chat.update: safe to repeat); returns
    how many there were."""
    req = store.get(request_id)
    now = now or datetime.now(UTC)
    count = int(bool(req.card_ts)) + int(bool(getattr(req, "triage_ts", None)))
    if req.card_ts:
        text, blocks = customer_card_message(store, req, now)
        client.chat_update(channel=getattr(req, "card_channel", None) or req.channel, ts=req.card_ts, text=text,
                           blocks=blocks)
    if getattr(req, "triage_ts", None):
        text, blocks = agents_card_message(store, req, now)
        client.chat_update(channel=req.triage_channel, ts=req.triage_ts, text=text, blocks=blocks)
    return count
