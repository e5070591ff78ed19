"""Modals: opening a request, and the agents' and customers' forms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slackops.notices.i18n import t
from slackops.notices.text import MODAL_TITLE_LIMIT, escape, plain, truncate
from slackops.slack.ids import BlockId, CallbackId, InputId
from slackops.slack.metadata import ViewMeta

if TYPE_CHECKING:
    from slackops.config import Account
    from slackops.policy import Policy
    from slackops.requests import Request

__all__ = [
    "open_request_modal", "text_modal", "reclassify_modal", "categorize_modal", "resolve_modal",
    "assign_modal", "notice_modal",
]

RESOLUTIONS = ("fix", "workaround", "other", "not_an_error")
TEXT_INPUT_LIMIT = 3000
TITLE_LIMIT = 150
"""The title field's limit (the card's header shows it whole)."""


def _option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    o: dict[str, Any] = {"text": plain(text, 75), "value": value}
    if description:
        o["description"] = plain(description, 75)
    return o


def _modal(callback_id: str, title: str, blocks: list[dict[str, Any]], meta: ViewMeta, lang: str,
           submit: str | None = "submit") -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": str(callback_id),
        "title": plain(title, MODAL_TITLE_LIMIT),
        "close": plain(t(lang, "modal.cancel"), MODAL_TITLE_LIMIT),
        "private_metadata": meta.dump(),
        "blocks": blocks[:100],
    }
    if submit:
        view["submit"] = plain(t(lang, "modal." + submit), MODAL_TITLE_LIMIT)
    return view


def text_input(block_id: str, label: str, *, multiline: bool = False, optional: bool = False,
               initial: str | None = None, hint: str | None = None, max_length: int = TEXT_INPUT_LIMIT,
               placeholder: str | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": InputId.VALUE, "multiline": multiline, "max_length": max_length}
    if initial:
        el["initial_value"] = initial[:max_length]
    if placeholder:
        el["placeholder"] = plain(placeholder, 150)
    b: dict[str, Any] = {"type": "input", "block_id": str(block_id), "label": plain(label, 2000), "element": el, "optional": optional}
    if hint:
        b["hint"] = plain(hint, 2000)
    return b


def select_input(block_id: str, label: str, options: list[dict[str, Any]], *, initial: str | None = None,
                 optional: bool = False, hint: str | None = None, radio: bool = False) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "radio_buttons" if radio else "static_select", "action_id": InputId.VALUE, "options": options[:100]}
    if initial:
        chosen = next((o for o in options if o["value"] == initial), None)
        if chosen:
            el["initial_option"] = chosen
    b: dict[str, Any] = {"type": "input", "block_id": str(block_id), "label": plain(label, 2000), "element": el, "optional": optional}
    if hint:
        b["hint"] = plain(hint, 2000)
    return b


def priority_options(policy: Policy, exclude: str | None = None, lang: str = "en") -> list[dict[str, Any]]:
    out = []
    for p in policy.priorities:
        if p.id == exclude:
            continue
        label = p.label_in(lang)
        out.append(_option(f"{p.id} — {label}" if label and label != p.id else p.id, p.id, p.definition_in(lang)))
    return out


def _definitions(policy: Policy, lang: str) -> str:
    """Each priority's definition in ``lang`` where the policy gives one (``definitions:``)."""
    return "\n".join(f"*{escape(p.id)}* — {escape(p.definitions.get(lang) or p.definition or p.label_in(lang))}"
                     for p in policy.priorities)


def open_request_modal(policy: Policy, account: Account, meta: ViewMeta, *, lang: str = "en", priority: str | None = None,
                       title: str | None = None, description: str | None = None) -> dict[str, Any]:
    """The intake form: the policy's priorities with their definitions, title, description,
    impact, environment, steps, category and language where the policy has them, and a
    justification for the most urgent priority."""
    intake = policy.intake
    most_urgent = policy.priorities[0]
    definitions = _definitions(policy, lang)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate(t(lang, "open.intro", account=escape(account.name)), 3000)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(definitions, 3000)}]},
        select_input(BlockId.PRIORITY, t(lang, "open.priority" if intake.customer_sets_priority else "open.priority_proposed"),
                     priority_options(policy, lang=lang), initial=priority,
                     hint=None if intake.customer_sets_priority else t(lang, "open.priority_set_at_acceptance")),
        # right under the priority: the field that refuses the form for the most urgent one, in sight
        text_input(BlockId.JUSTIFICATION, t(lang, "open.justification", priority=most_urgent.id), multiline=True,
                   optional=True, hint=t(lang, "open.justification_hint", priority=most_urgent.id)),
        text_input(BlockId.TITLE, t(lang, "open.title"), initial=title, max_length=TITLE_LIMIT),
        text_input(BlockId.DESCRIPTION, t(lang, "open.description"), multiline=True, initial=description),
        text_input(BlockId.IMPACT, t(lang, "open.impact"), multiline=True, optional=True),
        text_input(BlockId.ENVIRONMENT, t(lang, "open.environment"), multiline=True, optional=True),
        text_input(BlockId.STEPS, t(lang, "open.steps"), multiline=True, optional=True),
    ]
    if any(c.customer for c in policy.categories):
        blocks.append(select_input(BlockId.CATEGORY, t(lang, "open.category"),
                                   [_option(c.label(lang), c.id) for c in policy.categories if c.customer],
                                   optional=True))
    if len(policy.languages) > 1 and intake.answer_in_request_language:
        # left empty: answered in the language the request is written in
        blocks.append(select_input(BlockId.LANGUAGE, t(lang, "open.language"),
                                   [_option(t(lg, "language.name"), lg) for lg in policy.languages],
                                   optional=True, hint=t(lang, "open.language_hint")))
    elif len(policy.languages) > 1:
        blocks.append(select_input(BlockId.LANGUAGE, t(lang, "open.language"),
                                   [_option(t(lg, "language.name"), lg) for lg in policy.languages],
                                   initial=account.language if account.language in policy.languages else policy.languages[0]))
    if intake.phi_guard:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": t(lang, "open.no_phi")}]})
    return _modal(CallbackId.OPEN_REQUEST, t(lang, "open.modal_title"), blocks, meta, lang)


def text_modal(callback_id: str, title: str, meta: ViewMeta, *, lang: str, block_id: str, label: str,
               intro: str | None = None, initial: str | None = None, optional: bool = False,
               submit: str = "submit") -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    if intro:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": truncate(intro, 3000)}})
    blocks.append(text_input(block_id, label, multiline=True, initial=initial, optional=optional))
    return _modal(callback_id, title, blocks, meta, lang, submit)


def accept_modal(policy: Policy, req: Request, meta: ViewMeta, *, lang: str = "en") -> dict[str, Any]:
    """Acceptance where the policy records the initial priority then (IXCloud): the
    priorities with their definitions, the customer's choice preselected."""
    definitions = _definitions(policy, lang)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate(t(lang, "accept.intro", id=req.id, priority=escape(req.priority)), 3000)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(definitions, 3000)}]},
        select_input(BlockId.PRIORITY, t(lang, "accept.priority"), priority_options(policy, lang=lang), initial=req.priority),
        text_input(BlockId.REASON, t(lang, "accept.note"), multiline=True, optional=True),
    ]
    return _modal(CallbackId.ACCEPT, t(lang, "accept.title"), blocks, meta, lang, "submit")


def reclassify_modal(policy: Policy, req: Request, meta: ViewMeta, *, lang: str = "en") -> dict[str, Any]:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": t(lang, "reclassify.intro", id=req.id, priority=req.priority)}},
        select_input(BlockId.PRIORITY, t(lang, "reclassify.new_priority"), priority_options(policy, exclude=req.priority, lang=lang)),
        text_input(BlockId.REASON, t(lang, "reclassify.reason"), multiline=True),
        text_input(BlockId.JUSTIFICATION, t(lang, "reclassify.justification"), multiline=True, optional=True,
                   hint=t(lang, "reclassify.justification_hint")),
    ]
    return _modal(CallbackId.RECLASSIFY, t(lang, "reclassify.title"), blocks, meta, lang)


def categorize_modal(policy: Policy, req: Request, meta: ViewMeta, *, lang: str = "en") -> dict[str, Any]:
    opts = [_option(c.label(lang), c.id) for c in policy.categories]
    blocks = [select_input(BlockId.CATEGORY, t(lang, "categorize.label", id=req.id), opts, initial=req.category)]
    return _modal(CallbackId.CATEGORIZE, t(lang, "categorize.title"), blocks, meta, lang)


def resolve_modal(policy: Policy, req: Request, meta: ViewMeta, *, lang: str = "en") -> dict[str, Any]:
    kinds = [r for r in RESOLUTIONS if r != "not_an_error" or policy.intake.not_an_error_allowed]
    blocks = [
        select_input(BlockId.RESOLUTION, t(lang, "resolve.label", id=req.id),
                     [_option(t(lang, "resolution." + r), r) for r in kinds], radio=True, initial="fix"),
        text_input(BlockId.NOTE, t(lang, "resolve.note"), multiline=True),
    ]
    return _modal(CallbackId.RESOLVE, t(lang, "resolve.title"), blocks, meta, lang)


def assign_modal(req: Any, meta: ViewMeta, *, lang: str = "en", policy: Any = None) -> dict[str, Any]:
    """``policy``: assigning accepts the request and the policy records the initial
    priority at acceptance (IXCloud): the form asks for it too."""
    el: dict[str, Any] = {"type": "users_select", "action_id": InputId.VALUE}
    if req.assignee:
        el["initial_user"] = req.assignee
    blocks = [{"type": "input", "block_id": BlockId.ASSIGNEE, "label": plain(t(lang, "assign.label", id=req.id)), "element": el}]
    if policy is not None:
        blocks.append(select_input(BlockId.PRIORITY, t(lang, "accept.priority"), priority_options(policy),
                                   initial=req.priority, hint=t(lang, "accept.hint", priority=req.priority)))
    return _modal(CallbackId.ASSIGN, t(lang, "assign.title"), blocks, meta, lang)


def notice_modal(req: Request, meta: ViewMeta, *, lang: str, text: str) -> dict[str, Any]:
    return text_modal(CallbackId.CRITICAL_NOTICE, t(lang, "notice.modal_title"), meta, lang=lang,
                      block_id=BlockId.NOTICE_TEXT, label=t(lang, "notice.modal_label", id=req.id),
                      intro=t(lang, "notice.modal_intro"), initial=text, submit="send")
