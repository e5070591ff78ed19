"""Forms and thread messages for what agents record of the work the policy measures
(a status update, a plan of resolution, a workaround, the problem identified) and for a
customer's request for a higher priority. Pure builders: no Slack, Redis or store access.

Agents' forms are in the agent's language (English unless told otherwise); what they
write for the customer is prefilled and posted in the request's language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slackops.notices.i18n import t
from slackops.notices.text import escape, truncate, user_link
from slackops.slack.blocks.common import button, context, section
from slackops.slack.blocks.messages import Message, thread_message
from slackops.slack.blocks.modals import _modal, _option, select_input, text_input
from slackops.slack.ids import ActionId, BlockId, CallbackId
from slackops.slack.metadata import ViewMeta

__all__ = [
    "update_modal", "plan_modal", "workaround_modal", "identified_modal", "upgrade_request_modal",
    "upgrade_decline_modal", "update_message", "plan_message", "workaround_message", "identified_message",
    "upgrade_requested_message", "upgrade_declined_message", "higher_priorities", "expected_date",
]


def _intro(text: str) -> dict[str, Any]:
    return section(truncate(text, 3000))


def _language(lang: str, in_lang: str) -> str:
    return t(lang, "records.in_language", language=t(in_lang, "language.name"))


def update_modal(req: Any, meta: ViewMeta, *, lang: str = "en") -> dict[str, Any]:
    """"Post update": the text for the customer, prefilled with the last status (or a
    first sentence) in the request's language."""
    rl = req.language or "en"
    initial = (req.notes or {}).get("status") or t(rl, "update.template", id=req.id)
    blocks = [
        _intro(t(lang, "update.intro", id=req.id) + " " + _language(lang, rl)),
        text_input(BlockId.TEXT, t(lang, "update.label"), multiline=True, initial=initial),
    ]
    return _modal(CallbackId.POST_UPDATE, t(lang, "update.title"), blocks, meta, lang, "send")


def plan_modal(req: Any, meta: ViewMeta, *, lang: str = "en") -> dict[str, Any]:
    notes = req.notes or {}
    picker: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if notes.get("plan_expected"):
        picker["initial_date"] = notes["plan_expected"]
    blocks = [
        _intro(t(lang, "plan.intro", id=req.id) + " " + _language(lang, req.language or "en")),
        text_input(BlockId.TEXT, t(lang, "plan.label"), multiline=True, initial=notes.get("plan")),
        {"type": "input", "block_id": str(BlockId.EXPECTED), "optional": True,
         "label": {"type": "plain_text", "text": t(lang, "plan.expected")}, "element": picker},
    ]
    return _modal(CallbackId.RECORD_PLAN, t(lang, "plan.title"), blocks, meta, lang)


def workaround_modal(req: Any, meta: ViewMeta, *, lang: str = "en") -> dict[str, Any]:
    blocks = [
        _intro(t(lang, "workaround.intro", id=req.id) + " " + _language(lang, req.language or "en")),
        text_input(BlockId.TEXT, t(lang, "workaround.label"), multiline=True,
                   initial=(req.notes or {}).get("workaround")),
    ]
    return _modal(CallbackId.WORKAROUND, t(lang, "workaround.title"), blocks, meta, lang)


def identified_modal(req: Any, meta: ViewMeta, *, lang: str = "en", upgrade: str | None = None) -> dict[str, Any]:
    """``upgrade``: what the agent is saving the request from ("becomes P1 at 14:30")."""
    intro = t(lang, "identified.intro", id=req.id)
    if upgrade:
        intro += " " + upgrade
    blocks = [
        _intro(intro + " " + _language(lang, req.language or "en")),
        text_input(BlockId.TEXT, t(lang, "identified.label"), multiline=True,
                   initial=(req.notes or {}).get("diagnosis"), max_length=1500),
    ]
    return _modal(CallbackId.IDENTIFIED, t(lang, "identified.title"), blocks, meta, lang)


def higher_priorities(policy: Any, current: str) -> list[Any]:
    try:
        rank = policy.priority(current).rank
    except Exception:
        return []
    return [p for p in policy.priorities if p.rank < rank]


def upgrade_request_modal(policy: Any, req: Any, meta: ViewMeta, *, lang: str) -> dict[str, Any]:
    """The customer's form, in the request's language: a higher priority and why."""
    options = [_option(f"{p.id} — {p.label_in(lang)}" if p.label_in(lang) != p.id else p.id, p.id, p.definition_in(lang))
               for p in higher_priorities(policy, req.priority)]
    blocks = [
        _intro(t(lang, "upgrade.intro", id=req.id, priority=escape(req.priority))),
        select_input(BlockId.PRIORITY, t(lang, "upgrade.priority"), options,
                     initial=options[-1]["value"] if len(options) == 1 else None),
        text_input(BlockId.JUSTIFICATION, t(lang, "upgrade.justification"), multiline=True,
                   hint=t(lang, "upgrade.justification_hint")),
    ]
    return _modal(CallbackId.REQUEST_UPGRADE, t(lang, "upgrade.title"), blocks, meta, lang)


def upgrade_decline_modal(req: Any, meta: ViewMeta, *, lang: str = "en") -> dict[str, Any]:
    to = (req.notes or {}).get("upgrade_to") or "?"
    blocks = [
        _intro(t(lang, "upgrade.decline_intro", id=req.id, to=escape(to), priority=escape(req.priority))),
        text_input(BlockId.REASON, t(lang, "upgrade.decline_reason"), multiline=True),
    ]
    return _modal(CallbackId.UPGRADE_DECLINE, t(lang, "upgrade.decline_title"), blocks, meta, lang)


def expected_date(value: str | None) -> str | None:
    """A datepicker's ``YYYY-MM-DD``, checked; None when empty. ValueError when it is not a date."""
    if not value:
        return None
    return date.fromisoformat(value).isoformat()


# --------------------------------------------------------------------------- thread messages


def update_message(req: Any, *, text: str, agent: str, lang: str) -> Message:
    return thread_message(t(lang, "notice.update", id=req.id, agent=user_link(agent)), quote=text)


def plan_message(req: Any, *, text: str, expected: str | None, agent: str, lang: str) -> Message:
    head = t(lang, "notice.plan", id=req.id, agent=user_link(agent))
    if expected:
        d = date.fromisoformat(expected)
        months = t(lang, "dur.months").split()
        head += " " + t(lang, "notice.plan_expected", date=f"{d.day} {months[d.month - 1]} {d.year}")
    return thread_message(head, quote=text)


def workaround_message(req: Any, *, text: str, agent: str, lang: str) -> Message:
    return thread_message(t(lang, "notice.workaround", id=req.id, agent=user_link(agent)), quote=text)


def identified_message(req: Any, *, text: str, agent: str, lang: str) -> Message:
    return thread_message(t(lang, "notice.identified", id=req.id, agent=user_link(agent)), quote=text)


def _upgrade_buttons(req: Any) -> list[dict[str, Any]]:
    return [button(t("en", "btn.upgrade_accept"), ActionId.UPGRADE_ACCEPT, req.id, style="primary"),
            button(t("en", "btn.upgrade_decline"), ActionId.UPGRADE_DECLINE, req.id)]


def upgrade_requested_message(req: Any, *, to: str, justification: str, who: str, lang: str,
                              for_agents: bool = False, buttons: bool = True) -> Message:
    """In the thread (request's language), and in the priority channel (``for_agents``,
    English, with the request's title): Accept / Decline for agents (not in the customer's
    thread when agents work from an agents' card: ``buttons=False``)."""
    if for_agents:
        text = t("en", "notice.upgrade_requested_agents", id=req.id, who=user_link(who), frm=escape(req.priority),
                 to=escape(to), title=escape(truncate(req.title, 200)))
    else:
        text = t(lang, "notice.upgrade_requested", id=req.id, who=user_link(who), frm=escape(req.priority),
                 to=escape(to))
    msg = thread_message(text, quote=justification, buttons=_upgrade_buttons(req) if buttons or for_agents else None)
    if not for_agents:  # before the buttons, if any
        msg["blocks"].insert(len(msg["blocks"]) - int(buttons), context(t(lang, "notice.upgrade_agents_decide")))
    return msg


def upgrade_declined_message(req: Any, *, to: str, reason: str, agent: str, lang: str) -> Message:
    return thread_message(t(lang, "notice.upgrade_declined", id=req.id, agent=user_link(agent), to=escape(to),
                            priority=escape(req.priority)), quote=reason)
