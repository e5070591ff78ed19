"""Agents' buttons that open a form; the change happens on submission (listeners/views)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from slackops.notices.i18n import t
from slackops.slack.blocks import modals
from slackops.slack.desk import Desk
from slackops.slack.ids import BlockId, CallbackId
from slackops.slack.listeners.common import action_value, channel_of, request_or_tell, require_agent
from slackops.slack.metadata import ViewMeta


def _open_form(body: dict[str, Any], desk: Desk, client: WebClient,
               build: Callable[[Any, Any, ViewMeta, str], dict[str, Any]]) -> None:
    """After the ack (the listener has called it): who pressed, the request and the form
    are looked up in the desk's urgent pool, so the answer to Slack waits on no Redis or
    Web API round trip; the form then opens well within its trigger's 3 s."""
    user = (body.get("user") or {}).get("id")
    desk.later(_open_form_now, body, desk, build, who=(user, channel_of(body)), urgent=True,
               request_id=action_value(body).r)


def _open_form_now(body: dict[str, Any], desk: Desk, build: Callable[[Any, Any, ViewMeta, str], dict[str, Any]],
                   request_id: str | None = None) -> None:
    actor = require_agent(desk, body)
    req = actor and request_or_tell(desk, request_id, actor)
    if not req:
        return
    meta = ViewMeta(r=req.id, channel=actor.channel or req.channel)
    view = build(desk.policy_of(req), req, meta, "en")
    desk.client.views_open(trigger_id=body["trigger_id"], view=view)


def assign(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    # the first acceptance records the initial priority where the policy says so (IXCloud)
    _open_form(body, desk, client, lambda p, r, m, lang: modals.assign_modal(
        r, m.model_copy(update={"force": True}), lang=lang,
        policy=p if p.intake.priority_at_acceptance and r.acknowledged_at is None else None))


def reclassify(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: modals.reclassify_modal(p, r, m, lang=lang))


def categorize(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: modals.categorize_modal(p, r, m, lang=lang))


def request_info(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: modals.text_modal(
        CallbackId.REQUEST_INFO, t(lang, "request_info.title"), m, lang=lang, block_id=BlockId.QUESTION,
        label=t(lang, "request_info.label", id=r.id), intro=t(lang, "request_info.intro")))


def critical_notice(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()

    def build(p: Any, r: Any, m: ViewMeta, lang: str) -> dict[str, Any]:
        texts = getattr(p, "critical_notice_text", {}) or {}
        text = texts.get(r.language) or texts.get("en") or ""
        return modals.notice_modal(r, m, lang=lang, text=text.replace("{id}", r.id).replace("{title}", r.title))

    _open_form(body, desk, client, build)


def resolve(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: modals.resolve_modal(p, r, m, lang=lang))


def reopen(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: modals.text_modal(
        CallbackId.REOPEN, t(lang, "reopen.title"), m, lang=lang, block_id=BlockId.REASON, label=t(lang, "reopen.label", id=r.id)))


def escalate(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    ack()
    _open_form(body, desk, client, lambda p, r, m, lang: modals.text_modal(
        CallbackId.ESCALATE, t(lang, "escalate.title"), m, lang=lang, block_id=BlockId.REASON,
        label=t(lang, "escalate.label", id=r.id, level=(r.escalation_level or 0) + 1)))
