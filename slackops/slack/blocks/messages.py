"""Messages the app posts in a request's thread, in the request's language, and the DMs
it sends managers when a customer escalates or appeals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slackops.notices.i18n import t
from slackops.notices.text import escape, escaped_cut, truncate, user_link
from slackops.slack.blocks.common import button, context, section
from slackops.slack.ids import ActionId

if TYPE_CHECKING:
    from slackops.config import Account
    from slackops.requests import Request

__all__ = ["Message", "thread_message", "reclassified_message", "info_requested_message", "resolved_message",
           "open_button_message", "escalation_dm", "appeal_dm"]

Message = dict[str, Any]  # kwargs for chat.postMessage: text, blocks


def thread_message(text: str, *, buttons: list[dict[str, Any]] | None = None, quote: str | None = None) -> Message:
    """``text`` is mrkdwn written by us (customer parts already escaped); ``quote`` is a
    person's words, escaped and cut here."""
    blocks = [section(text)]
    if quote:
        blocks.append(section(">" + escaped_cut(quote, 2900).replace("\n", "\n>")))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {"text": truncate(text, 3000), "blocks": blocks}


def reclassified_message(req: Any, *, frm: str, to: str, reason: str, agent: str, lang: str,
                         tell: str | None = None, appeal: bool = True) -> Message:
    """``tell``: the customer to notify (the policy says a reclassification must be told);
    ``appeal``: the policy names someone to appeal to."""
    text = t(lang, "notice.reclassified", id=req.id, frm=frm, to=to, agent=user_link(agent))
    if tell:
        text = t(lang, "notice.accepted_notify", who=user_link(tell)) + " " + text
    buttons = [button(t(lang, "btn.appeal"), ActionId.APPEAL, req.id)] if appeal else None
    return thread_message(text, quote=reason, buttons=buttons)


def info_requested_message(req: Request, *, question: str, agent: str, lang: str) -> Message:
    text = t(lang, "notice.info_requested", id=req.id, agent=user_link(agent), who=user_link(req.submitted_by))
    return thread_message(text, quote=question, buttons=[button(t(lang, "btn.add_info"), ActionId.ADD_INFO, req.id, style="primary")])


def resolved_message(req: Request, *, resolution: str, note: str, agent: str, lang: str,
                     closes: str | None = None) -> Message:
    """``closes``: when the request closes by itself unless its customer confirms (a Slack
    date token, shown in each reader's zone), where the policy closes unconfirmed requests."""
    text = t(lang, "notice.resolved", id=req.id, agent=user_link(agent), resolution=t(lang, "resolution." + resolution))
    msg = thread_message(text, quote=note or None, buttons=[
        button(t(lang, "btn.confirm_resolved"), ActionId.CONFIRM_RESOLVED, req.id, style="primary"),
    ])
    if closes:
        msg["blocks"].insert(-1, context(t(lang, "notice.resolved_closes", id=req.id, when=closes)))
    return msg


def unconfirmed_reminder(req: Request, *, closes: str, lang: str) -> Message:
    """The day before a resolved request closes by itself: ask its customer once more."""
    text = t(lang, "notice.unconfirmed_reminder", who=user_link(req.submitted_by), id=req.id, when=closes)
    return thread_message(text, buttons=[
        button(t(lang, "btn.confirm_resolved"), ActionId.CONFIRM_RESOLVED, req.id, style="primary"),
    ])


def open_button_message(account: Account, lang: str = "en") -> Message:
    text = t(lang, "pinned.text", account=escape(account.name))
    return {"text": text, "blocks": [section(text), {"type": "actions", "elements": [
        button(t(lang, "btn.open_request"), ActionId.OPEN_REQUEST, style="primary")]}]}


def _manager_dm(req: Request, headline: str, reason: str, *, permalink: str | None, level: int | None, lang: str = "en") -> Message:
    facts = t(lang, "dm.facts", id=req.id, account=escape(req.account), priority=req.priority,
              assignee=user_link(req.assignee) if req.assignee else t(lang, "card.unassigned"),
              title=escape(truncate(req.title, 200)))
    els = [button(t(lang, "btn.escalation_ack"), ActionId.ESCALATION_ACK, req.id, level=level, style="primary"),
           button(t(lang, "btn.reassign"), ActionId.REASSIGN, req.id)]
    if permalink:
        els.append(button(t(lang, "btn.open_thread"), ActionId.OPEN_THREAD, req.id, url=permalink))
    blocks = [section(headline), section(facts)]
    if reason:
        blocks.append(section(">" + escaped_cut(reason, 2900).replace("\n", "\n>")))
    blocks.append({"type": "actions", "elements": els})
    return {"text": truncate(headline, 3000), "blocks": blocks}


def escalation_dm(req: Request, *, by: str, level: int, reason: str, permalink: str | None) -> Message:
    return _manager_dm(req, t("en", "dm.escalated", id=req.id, who=user_link(by), level=level), reason,
                       permalink=permalink, level=level)


def appeal_dm(req: Request, *, by: str, reason: str, permalink: str | None) -> Message:
    return _manager_dm(req, t("en", "dm.appealed", id=req.id, who=user_link(by)), reason, permalink=permalink, level=None)


def acknowledged_dm_blocks(original: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """An escalation DM after a manager acknowledged it: the same facts, no buttons."""
    return [b for b in original if b.get("type") != "actions"] + [context(text)]
