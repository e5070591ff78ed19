"""The customer card (``agent_controls: triage``): the request as the customer sees it in
their shared channel. Its thread holds the conversation; agents reply there.

It shows the id, title, priority, status, who is on it and the next promise in the
customer's own terms ("You will hear from us by 09:30"), what agents told them they
recorded (diagnosis, plan, workaround) and their own pending request for a higher
priority, and only the customer's buttons. The agents' buttons, clocks and flags are on the agents' card in the vendor's
triage channel (:mod:`slackops.slack.blocks.card_agents`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slackops.notices.due import (
    format_left,
    format_when,
    next_due,
    slack_date,
    unconfirmed_close,
)
from slackops.notices.i18n import t
from slackops.notices.text import HEADER_LIMIT, SECTION_LIMIT, escaped_cut, plain
from slackops.slack.blocks.card import OPEN_STATUSES, card_fields, customer_actions
from slackops.slack.blocks.card_records import records_blocks
from slackops.slack.blocks.common import context, status_value
from slackops.slack.ids import BlockId

__all__ = ["customer_card", "promise_line"]


def promise_line(req: Any, checkpoints: list[Any], *, policy: Any, now: datetime, lang: str) -> str:
    """The next thing we promised, said to the customer: "You will hear from us by 09:30
    (in 2 h 10 min)." (the time in each reader's own zone); late promises are owned."""
    if status_value(req.status) == "waiting_on_customer":
        return ":hourglass_flowing_sand: " + t(lang, "promise.waiting")
    cp = next_due(checkpoints)
    if cp is None:
        return ":hammer_and_wrench: " + t(lang, "promise.none")
    when = slack_date(cp.due_at, format_when(cp.due_at, policy.timezone, now, lang))
    left = cp.due_at - now
    if cp.state == "pending" and left.total_seconds() >= 0:
        return ":stopwatch: " + t(lang, f"promise.{cp.kind}", when=when, left=format_left(left, lang))
    return ":red_circle: " + t(lang, "promise.late", what=t(lang, f"checkpoint.{cp.kind}"), when=when)


def customer_card(req: Any, checkpoints: list[Any], *, policy: Any, now: datetime,
                  lang: str | None = None) -> list[dict[str, Any]]:
    """The customer card's blocks, in the request's language."""
    lang = lang or req.language or "en"
    status = status_value(req.status)
    fields = card_fields(req, policy, lang, to_customer=True)
    if not req.assignee:  # "who is on it", in the customer's terms
        fields["fields"][2]["text"] = f"*{t(lang, 'card.on_it')}*\n{t(lang, 'card.our_team')}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "block_id": BlockId.CARD_HEADER, "text": plain(f"{req.id} · {req.title}", HEADER_LIMIT)},
        fields,
    ]
    if status in OPEN_STATUSES:
        blocks.append(context(promise_line(req, checkpoints, policy=policy, now=now, lang=lang), BlockId.CARD_DUE))
    elif req.resolution:
        line = t(lang, "card.resolution", resolution=t(lang, "resolution." + str(req.resolution)))
        closing = unconfirmed_close(policy, req, lang) if status == "resolved" else None
        if closing:
            line += " · " + t(lang, "card.closes_by_itself", when=closing[2])
        blocks.append(context(line, BlockId.CARD_DUE))
    if req.description:
        blocks.append({"type": "section", "block_id": BlockId.CARD_DESCRIPTION,
                       "text": {"type": "mrkdwn", "text": escaped_cut(req.description, SECTION_LIMIT)}})
    # what the customer was told was recorded (diagnosis, plan, workaround) and their pending upgrade request
    blocks.extend(records_blocks(req, checkpoints, policy=policy, now=now, lang=lang, for_customer=True))
    actions = customer_actions(req, status, lang, policy)
    if actions:  # the heading speaks to the reader: only the customer's buttons are here
        actions[0] = context(t(lang, "card.for_you"))
    blocks.extend(actions)
    return blocks
