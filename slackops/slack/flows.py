"""Changes to a request made from Slack, and what the app says about each one.

``change()`` records the event in the store first (the durable part), then re-renders the
card and posts what the event calls for in the request's thread, in the request's
language. Side effects are keyed so that a repeated submission says nothing twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slackops.slack.blocks.card import priority_label
from slackops.slack.blocks.messages import (
    appeal_dm,
    escalation_dm,
    info_requested_message,
    reclassified_message,
    resolved_message,
    thread_message,
)
from slackops.slack.blocks.text import escape, user_link
from slackops.slack.desk import Desk
from slackops.slack.i18n import t

__all__ = ["change", "record", "publish", "escalation_roles", "announce_opened", "refresh_card"]

log = logging.getLogger(__name__)

ESCALATION_ROLES = {1: ("escalation_manager", "support_management"), 2: ("directors",), 3: ("executives",)}
"""Who a manual escalation engages, by level (IXCloud: the escalation manager, then "the next level")."""


def escalation_roles(desk: Desk, level: int, policy: Any = None) -> list[str]:
    """Managers to DM for a manual escalation to ``level``: the policy's own roles for a
    customer's first escalation (IXCloud: the escalation manager), then the ladder above."""
    roles: tuple[str, ...] = ESCALATION_ROLES.get(min(level, 3), ())
    custom = getattr(getattr(policy, "intake", None), "customer_escalation", None)
    if level == 1 and custom is not None and getattr(custom, "notify", None):
        roles = tuple(custom.notify) + roles
    for role in roles:
        users = desk.config.managers.get(role)
        if users:
            return list(users)
    return []


def record(desk: Desk, request_id: str, type_: str, actor: str, data: dict[str, Any] | None = None, *,
           key: str | None = None, expected_version: int | None = None) -> tuple[Any, Any]:
    """The durable part: apply one event in the store. Returns (before, after).
    Raises DomainError / ConflictError / NotFound with a sentence for a person."""
    from slackops.requests import Event

    before = desk.store.get(request_id)
    req = desk.store.apply(request_id, Event(type=type_, actor=actor, at=desk.now(), data=dict(data or {})),
                           expected_version=expected_version, idempotency_key=key)
    return before, req


def publish(desk: Desk, before: Any, req: Any, type_: str, actor: str, data: dict[str, Any] | None = None, *,
            key: str | None = None) -> Any:
    """The Slack part, after the ack: re-render the card, say what happened (once per key)."""
    first_time = key is None or desk.once(f"effects:{key}")
    req = desk.refresh_card(req.id)
    if first_time:
        try:
            _announce(desk, before, req, type_, actor, dict(data or {}))
        except Exception:  # the change is recorded; a lost message must not undo it
            log.exception("%s: announcing %s failed", req.id, type_)
    return req


def change(desk: Desk, request_id: str, type_: str, actor: str, data: dict[str, Any] | None = None, *,
           key: str | None = None, expected_version: int | None = None) -> Any:
    """record() now, publish() after (Desk.later): for listeners that have already acked."""
    before, req = record(desk, request_id, type_, actor, data, key=key, expected_version=expected_version)
    desk.later(publish, desk, before, req, type_, actor, data, key=key)
    return req


def _announce(desk: Desk, before: Any, req: Any, type_: str, actor: str, data: dict[str, Any]) -> None:
    lang = req.language or "en"
    policy = desk.policy_of(req)
    who = user_link(actor)
    if type_ == "acknowledged":
        desk.post_thread(req, thread_message(t(lang, "notice.accepted", id=req.id, agent=who,
                                               priority=escape(priority_label(policy, req.priority)))))
    elif type_ == "reclassified":
        desk.post_thread(req, reclassified_message(req, frm=data.get("from") or before.priority, to=data["to"],
                                                   reason=data.get("reason", ""), agent=actor, lang=lang))
    elif type_ == "categorized":
        from slackops.slack.blocks.card import category_label

        desk.post_thread(req, thread_message(t(lang, "notice.categorized", id=req.id, agent=who,
                                               category=escape(category_label(policy, data.get("category"), lang) or ""))))
    elif type_ == "info_requested":
        desk.post_thread(req, info_requested_message(req, question=data.get("question", ""), agent=actor, lang=lang))
    elif type_ == "info_provided" and not data.get("quiet"):
        desk.post_thread(req, thread_message(t(lang, "notice.info_provided", id=req.id, who=who), quote=data.get("text")))
    elif type_ == "resolved":
        if data.get("resolution") == "feature_request":
            desk.post_thread(req, thread_message(t(lang, "notice.feature_request", id=req.id, agent=who)))
            if str(req.status) == "closed":
                desk.post_thread(req, thread_message(t(lang, "notice.closed", id=req.id)))
        else:
            desk.post_thread(req, resolved_message(req, resolution=data.get("resolution", "other"),
                                                   note=data.get("note", ""), agent=actor, lang=lang))
    elif type_ == "closed":
        desk.post_thread(req, thread_message(t(lang, "notice.closed", id=req.id)))
    elif type_ == "reopened":
        desk.post_thread(req, thread_message(t(lang, "notice.reopened", id=req.id, who=who), quote=data.get("reason")))
    elif type_ == "critical_notice_sent":
        account = desk.account(req.account)
        contacts = " ".join(f"<@{u}>" for u in (account.contacts if account else []))
        desk.post_thread(req, thread_message(t(lang, "notice.critical", id=req.id, contacts=contacts), quote=data.get("text")),
                         broadcast=True)
    elif type_ == "escalated":
        level = int(data.get("level") or req.escalation_level or 1)
        managers = escalation_roles(desk, level, policy)
        desk.post_thread(req, thread_message(t(lang, "notice.escalated", id=req.id, who=who, level=level,
                                               managers=" ".join(f"<@{u}>" for u in managers) or "—")))
        if managers:
            desk.dm(managers, escalation_dm(req, by=actor, level=level, reason=data.get("reason", ""),
                                            permalink=desk.permalink(req)))
    elif type_ == "appealed":
        role = getattr(policy.intake, "reclassification_appeal_to", None) or "support_management"
        managers = list(desk.config.managers.get(role) or desk.config.managers.get("support_management") or [])
        desk.post_thread(req, thread_message(t(lang, "notice.appealed", id=req.id, who=who)))
        if managers:
            desk.dm(managers, appeal_dm(req, by=actor, reason=data.get("reason", ""), permalink=desk.permalink(req)))
    elif type_ == "escalation_acknowledged":
        desk.post_thread(req, thread_message(t(lang, "notice.escalation_acknowledged", id=req.id, who=who,
                                               level=data.get("level") or req.escalation_level)))


def announce_opened(desk: Desk, req: Any) -> None:
    """The card (once) and a first word in its thread, in the request's language. A
    repeated submission of the same form finds the request already announced."""
    if not desk.once(f"opened:{req.id}"):
        return
    req = desk.refresh_card(req.id)
    lang = req.language or "en"
    extra = ""
    link = (req.fields or {}).get("source_permalink")
    if link:
        extra = "\n" + t(lang, "notice.from_message", link=link)
    desk.post_thread(req, thread_message(t(lang, "notice.received", id=req.id, who=user_link(req.submitted_by)) + extra))


def refresh_card(store: Any, client: Any, request_id: str, *, now: datetime | None = None) -> None:
    """Re-render a request's card from the store, for code outside the Slack app (the
    workers, after an auto-upgrade or a policy escalation). Does nothing if it has no card."""
    from slackops.slack.blocks.card import card_text, request_card
    from slackops.slack.desk import card_channel

    req = store.get(request_id)
    if not req.card_ts:
        return
    now = now or datetime.now(UTC)
    blocks = request_card(req, store.timeline(req, now), policy=store.policy(req.policy), now=now)
    client.chat_update(channel=card_channel(req), ts=req.card_ts, text=card_text(req), blocks=blocks)
