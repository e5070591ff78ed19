"""Buttons for what agents record of the work the policy measures: Post update, Record
plan, Workaround given, Problem identified (forms; the change happens on submission,
listeners/views/records), and the answer to a customer's request for a higher priority
(Accept reclassifies at once; Decline asks for the reason the customer will see).
The customer's own button, Ask for a higher priority, opens its form here too."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from slackops.notices.i18n import t
from slackops.slack.blocks import records
from slackops.slack.blocks.card_records import upgrade_owed_line
from slackops.slack.desk import Desk
from slackops.slack.flows import change
from slackops.slack.listeners.actions.agent_forms import _open_form
from slackops.slack.listeners.common import (
    action_value,
    actor_of,
    needs_24x7_refusal,
    request_or_tell,
    require_agent,
    require_customer_of,
)
from slackops.slack.metadata import ViewMeta

__all__ = ["post_update", "record_plan", "workaround", "identified", "upgrade_accept", "upgrade_decline",
           "request_upgrade", "upgrade_owed"]


def upgrade_owed(desk: Desk, req: Any, lang: str = "en") -> str | None:
    """"becomes P1 at 14:30 unless identified", while the policy's auto-upgrade is pending."""
    now = desk.now()
    return upgrade_owed_line(desk.store.timeline(req, now), desk.policy_of(req), now=now, lang=lang, per_reader=False)


def post_update(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: records.update_modal(r, m, lang=lang))


def record_plan(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: records.plan_modal(r, m, lang=lang))


def workaround(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: records.workaround_modal(r, m, lang=lang))


def identified(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: records.identified_modal(
        r, m, lang=lang, upgrade=upgrade_owed(desk, r, lang)))


def upgrade_accept(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """Reclassify to the priority the customer asked for, with their justification."""
    ack()
    actor = require_agent(desk, body)
    req = actor and request_or_tell(desk, action_value(body).r, actor)
    if not req:
        return
    to = (req.notes or {}).get("upgrade_to")
    if not to:
        desk.tell(actor.user_id, t("en", "upgrade.nothing_pending", id=req.id), channel=actor.channel)
        return
    refusal = needs_24x7_refusal(desk, req, to, "en")
    if refusal:
        desk.tell(actor.user_id, refusal, channel=actor.channel)
        return
    change(desk, req.id, "reclassified", actor.user_id, {
        "from": req.priority, "to": to, "reason": t(req.language, "upgrade.accepted_reason"),
        "justification": req.notes.get("upgrade_why") or "", "requested": True,
    }, key=f"upgrade-accept:{req.id}:{req.version}")


def upgrade_decline(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: records.upgrade_decline_modal(r, m, lang=lang))


def request_upgrade(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    """The customer's button: a higher priority, with the increase of impact that justifies it."""
    ack()
    req = request_or_tell(desk, action_value(body).r, actor_of(desk, body))
    actor = req and require_customer_of(desk, body, req)
    if not actor:
        return
    assert req is not None  # actor is set only for a request found
    lang = req.language or "en"
    policy = desk.policy_of(req)
    if not records.higher_priorities(policy, req.priority):
        desk.tell(actor.user_id, t(lang, "upgrade.already_highest", id=req.id, priority=req.priority),
                  channel=actor.channel)
        return
    meta = ViewMeta(r=req.id, channel=actor.channel or req.channel)
    desk.open_view(body["trigger_id"], lambda: records.upgrade_request_modal(policy, req, meta, lang=lang),
                   user=actor.user_id, channel=actor.channel, request_id=req.id)
