"""Changes to a request made from Slack, and what is said about each one.

``change()``/``record()`` write the event to the store: that is all a listener does
before it returns. What the event calls for in Slack (the card re-rendered, a notice in
the request's thread in its language, DMs to managers) is derived from the event as the
store's history keeps it, by the publisher in the workers (:mod:`slackops.workers.publisher`),
and posted through the outbox: exactly once, even if a process dies at any line.
``announcements()`` is that derivation, a pure function of the request and the event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slackops.notices import routing
from slackops.notices.due import unconfirmed_close
from slackops.notices.i18n import t
from slackops.notices.survey import survey_message
from slackops.notices.text import escape, user_link
from slackops.requests import Event
from slackops.slack.blocks import records
from slackops.slack.blocks.card import category_label, priority_label
from slackops.slack.blocks.messages import (
    Message,
    appeal_dm,
    escalation_dm,
    info_requested_message,
    reclassified_message,
    resolved_message,
    thread_message,
)
from slackops.slack.cards import refresh_cards, triage_channel

if TYPE_CHECKING:

    from slackops.config import Config
    from slackops.policy import Policy
    from slackops.requests import Request
    from slackops.slack.desk import Desk

__all__ = ["Said", "announcements", "change", "record", "escalation_roles", "refresh_card", "closure_message"]

log = logging.getLogger(__name__)

ESCALATION_ROLES = {1: ("escalation_manager", "support_management"), 2: ("directors",), 3: ("executives",)}
"""Who a manual escalation engages, by level (IXCloud: the escalation manager, then "the next level")."""


def escalation_roles(config: Config, level: int, policy: Policy | None = None, at: datetime | None = None) -> list[str]:
    """Managers to DM for a manual escalation to ``level``: the policy's own roles for a
    customer's first escalation (IXCloud: the escalation manager), then the ladder above.
    With ``at``, a role that is an on-call rotation is the person on call then."""

    roles: tuple[str, ...] = ESCALATION_ROLES.get(min(level, 3), ())
    custom = getattr(getattr(policy, "intake", None), "customer_escalation", None)
    if level == 1 and custom is not None and getattr(custom, "notify", None):
        roles = tuple(custom.notify) + roles
    for role in roles:
        users = routing.managers(config, [role], at=at) if at is not None else config.managers.get(role)
        if users:
            return list(users)
    return []


def record(desk: Desk, request_id: str, type_: str, actor: str, data: dict[str, Any] | None = None, *,
           key: str | None = None, expected_version: int | None = None) -> Request:
    """Apply one event in the store; returns the request after it. Raises DomainError /
    ConflictError / NotFound with a sentence for a person. A redelivery with the same
    ``key`` changes nothing and so says nothing again (no new history entry)."""

    return desk.store.apply(request_id, Event(type=type_, actor=actor, at=desk.now(), data=dict(data or {})),
                            expected_version=expected_version, idempotency_key=key)


change = record  # listeners that have acked call it by this name


@dataclass(frozen=True)
class Said:
    """One message an event calls for: in the request's thread, or a DM to ``dm_to``.
    ``key`` is stable for the event (its notice id is the history entry's id and this key)."""

    key: str
    message: Message
    dm_to: str | None = None
    broadcast: bool = False


ACCEPTED_KEY = "accepted"
"""The key of the acknowledgement a customer is sent when their request is accepted: its
notice id ends with it, and its delivery is the request's first response."""


def announcements(config: Config, policy: Policy, req: Request, type_: str, actor: str, data: dict[str, Any], *,
                  permalink: str | None = None) -> list[Said]:
    """What the app says about one event, in the request's language. Pure: the same event
    gives the same messages, so that a retried publication finds them already sent."""
    lang = req.language or "en"
    who = user_link(actor)
    out: list[Said] = []

    def thread(msg: Message, key: str = "thread", broadcast: bool = False) -> None:
        out.append(Said(key, msg, broadcast=broadcast))

    if type_ == "submitted":
        extra = ""
        link = (req.fields or {}).get("source_permalink")
        if link:
            extra = "\n" + t(lang, "notice.from_message", link=link)
        thread(thread_message(t(lang, "notice.received", id=req.id, who=user_link(req.submitted_by)) + extra))
    elif type_ == "acknowledged" or (data.get("accepted") and type_ in ("assigned", "info_requested")):
        # Take, Assign and Acknowledge all accept a request, and the first acceptance tells
        # the customer in their thread who has it: that message, once sent, is the first
        # response (the publisher records it). Where the policy notifies the customer of
        # acceptance (Interzen) it names the customer; where it records an initial priority
        # at acceptance (IXCloud), it gives it.
        intake = getattr(policy, "intake", None)
        notify = "acceptance" in getattr(intake, "notify_on", ())
        prio = str(data.get("priority") or req.priority)
        text = t(lang, "notice.accepted", id=req.id, agent=user_link(data.get("assignee") or actor))
        if data.get("priority") or getattr(intake, "priority_at_acceptance", False):
            text += " " + t(lang, "notice.initial_priority", priority=escape(priority_label(policy, prio, lang)))
        if notify:
            text = t(lang, "notice.accepted_notify", who=user_link(req.submitted_by)) + " " + text
        thread(thread_message(text, quote=data.get("reason") if data.get("priority") else None), key=ACCEPTED_KEY)
        if type_ == "info_requested":
            thread(info_requested_message(req, question=data.get("question", ""), agent=actor, lang=lang))
    elif type_ == "reclassified":
        # Interopion: the vendor "will inform Customer of any such change"; the customer
        # "may appeal any such reclassification to ... Support management"
        intake = getattr(policy, "intake", None)
        thread(reclassified_message(req, frm=data.get("from") or "", to=data["to"],
                                    reason=data.get("reason", ""), agent=actor, lang=lang,
                                    tell=req.submitted_by if getattr(intake, "reclassification_must_be_told", False) else None,
                                    appeal=bool(getattr(intake, "reclassification_appeal_to", None))))
    elif type_ == "categorized":
        thread(thread_message(t(lang, "notice.categorized", id=req.id, agent=who,
                                category=escape(category_label(policy, data.get("category"), lang) or ""))))
    elif type_ == "info_requested":
        thread(info_requested_message(req, question=data.get("question", ""), agent=actor, lang=lang))
    elif type_ == "info_provided" and not data.get("quiet"):
        thread(thread_message(t(lang, "notice.info_provided", id=req.id, who=who), quote=data.get("text")))
    elif type_ == "resolved":
        if data.get("resolution") == "feature_request":
            thread(thread_message(t(lang, "notice.feature_request", id=req.id, agent=who)))
            if getattr(getattr(policy, "intake", None), "feature_requests_close", False):
                thread(closure_message(policy, req, lang), key="closed")
        else:
            closing = unconfirmed_close(policy, req, lang)
            thread(resolved_message(req, resolution=data.get("resolution", "other"),
                                    note=data.get("note", ""), agent=actor, lang=lang,
                                    closes=closing[2] if closing else None))
    elif type_ == "closed":
        thread(closure_message(policy, req, lang))
        if getattr(getattr(policy, "intake", None), "satisfaction_survey", False):
            thread(survey_message(req.id, lang), key="csat")  # asked once: the closing entry's own notice
    elif type_ == "reopened":
        thread(thread_message(t(lang, "notice.reopened", id=req.id, who=who), quote=data.get("reason")))
    elif type_ == "critical_notice_sent":
        account = config.account(req.account)
        contacts = " ".join(f"<@{u}>" for u in (account.contacts if account else []))
        thread(thread_message(t(lang, "notice.critical", id=req.id, contacts=contacts), quote=data.get("text")),
               broadcast=True)
    elif type_ == "escalated":
        level = int(data.get("level") or 1)
        notified = data.get("notified")  # chosen when it was recorded (slack/customer_escalation.py)
        managers = list(notified) if notified is not None else escalation_roles(config, level, policy)
        thread(thread_message(t(lang, "notice.escalated", id=req.id, who=who, level=level,
                                managers=" ".join(f"<@{u}>" for u in managers) or "—")))
        dm = escalation_dm(req, by=actor, level=level, reason=data.get("reason", ""), permalink=permalink)
        out.extend(Said(f"dm:{u}", dm, dm_to=u) for u in managers)
    elif type_ == "appealed":
        role = getattr(policy.intake, "reclassification_appeal_to", None) or "support_management"
        managers = list(config.managers.get(role) or config.managers.get("support_management") or [])
        thread(thread_message(t(lang, "notice.appealed", id=req.id, who=who)))
        dm = appeal_dm(req, by=actor, reason=data.get("reason", ""), permalink=permalink)
        out.extend(Said(f"dm:{u}", dm, dm_to=u) for u in managers)
    elif type_ in RECORDS:
        out.extend(record_announcements(config, policy, req, type_, actor, data))
    elif type_ == "escalation_acknowledged":
        thread(thread_message(t(lang, "notice.escalation_acknowledged", id=req.id, who=who,
                                level=data.get("level") or req.escalation_level)))
    return out


def closure_message(policy: Any, req: Any, lang: str, *, after: str | None = None) -> Message:
    """Where the policy notifies the customer of closure (Interzen), the notice names them.
    ``after``: closed by itself, this long after it was resolved without a confirmation."""
    text = t(lang, "notice.closed_unconfirmed", id=req.id, after=after) if after else t(lang, "notice.closed", id=req.id)
    if "closure" in getattr(getattr(policy, "intake", None), "notify_on", ()):
        text = t(lang, "notice.closed_notify", who=user_link(req.submitted_by)) + " " + text
    return thread_message(text)


RECORDS = ("update_posted", "plan_recorded", "workaround_given", "identified", "upgrade_requested",
           "upgrade_declined")
"""Events of slackops.slack.blocks.records: agents' records and a customer's upgrade request."""


def record_announcements(config: Any, policy: Any, req: Any, type_: str, actor: str,
                         data: dict[str, Any]) -> list[Said]:
    lang = req.language or "en"
    text = str(data.get("text") or "")
    if type_ == "update_posted":
        if data.get("source") == "thread" or not text:
            return []  # the agent's own reply in the thread: already said
        return [Said("thread", records.update_message(req, text=text, agent=actor, lang=lang))]
    if type_ == "plan_recorded":
        if not text:
            return []
        return [Said("thread", records.plan_message(req, text=text, expected=data.get("expected"), agent=actor,
                                                    lang=lang))]
    if type_ == "workaround_given":
        return [Said("thread", records.workaround_message(req, text=text, agent=actor, lang=lang))]
    if type_ == "identified":
        return [Said("thread", records.identified_message(req, text=text, agent=actor, lang=lang))]
    if type_ == "upgrade_requested":
        to = str(data.get("to") or "")
        why = str(data.get("justification") or "")
        # with an agents' card (agent_controls: triage) Accept / Decline are for the vendor's
        # channels only: the customer's thread says that support decides, without them
        triage = triage_channel(config, policy, req)
        out = [Said("thread", records.upgrade_requested_message(req, to=to, justification=why, who=actor, lang=lang,
                                                                buttons=triage is None))]
        channel = None
        for pid in (to, req.priority):
            try:
                channel = config.channel_for_rank(policy.priority(pid).rank)
            except Exception:  # noqa: BLE001 - a priority the policy no longer has: the next one
                channel = None
            if channel:
                break
        channel = channel or triage
        if channel:
            out.append(Said("channel", records.upgrade_requested_message(
                req, to=to, justification=why, who=actor, lang=lang, for_agents=True), dm_to=channel))
        return out
    if type_ == "upgrade_declined":
        return [Said("thread", records.upgrade_declined_message(req, to=str(data.get("to") or ""),
                                                               reason=str(data.get("reason") or ""), agent=actor,
                                                               lang=lang))]
    return []


def refresh_card(store: Any, client: Any, request_id: str, *, now: datetime | None = None) -> None:
    """Re-render a request's cards from the store (the customer card, and the agents' card
    where there is one), for code outside the Slack app (the workers, after an auto-upgrade
    or a policy escalation). Does nothing for a card not yet posted."""

    refresh_cards(store, client, request_id, now=now)
