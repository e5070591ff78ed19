"""What every listener needs: who is acting, may they, and on which request."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slackops.config import Account
from slackops.notices.i18n import t
from slackops.operations.records import MaintenanceBook
from slackops.requests import NotFound
from slackops.slack.auth import Role
from slackops.slack.blocks.modals import TEXT_INPUT_LIMIT, TITLE_LIMIT
from slackops.slack.desk import Desk
from slackops.slack.ids import BlockId, InputId
from slackops.slack.metadata import ActionValue, ViewMeta

if TYPE_CHECKING:
    from slackops.requests import Request

log = logging.getLogger("slackops.slack")

__all__ = ["Actor", "actor_of", "channel_of", "action_value", "view_meta", "form_values", "clean_text", "too_long", "require_agent",
           "require_staff", "require_customer_of", "may_open", "request_or_tell",
           "needs_24x7_refusal", "maintenance_book"]


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: Role
    channel: str | None

    @property
    def is_agent(self) -> bool:
        return self.role is Role.AGENT


def channel_of(body: dict[str, Any]) -> str | None:
    ch = body.get("channel")
    if isinstance(ch, dict):
        return ch.get("id")
    if isinstance(ch, str):
        return ch
    if body.get("channel_id"):
        return body["channel_id"]
    container = body.get("container") or {}
    if container.get("channel_id"):
        return container["channel_id"]
    view = body.get("view") or {}
    if view.get("private_metadata"):
        return ViewMeta.parse(view["private_metadata"]).channel
    return None


def actor_of(desk: Desk, body: dict[str, Any]) -> Actor:
    who = desk.directory.identify(body)
    return Actor(who.user_id, desk.directory.role_of(who), channel_of(body))


def action_value(body: dict[str, Any]) -> ActionValue:
    action = (body.get("actions") or [{}])[0]
    return ActionValue.parse(action.get("value"))


def view_meta(body: dict[str, Any]) -> ViewMeta:
    return ViewMeta.parse((body.get("view") or {}).get("private_metadata"))


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (but tab and newline) and lone UTF-16 surrogates: never stored."""


def clean_text(value: str) -> str:
    """``value`` without control characters or lone surrogates (which no Slack client
    types and Redis could not store), stripped."""
    return _UNPRINTABLE.sub("", value).strip()


def form_values(body: dict[str, Any]) -> dict[str, str | None]:
    """{block_id: the input's value} for text inputs, selects, radios and user selects
    (text cleaned by :func:`clean_text`)."""
    out: dict[str, str | None] = {}
    state = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    for block_id, actions in state.items():
        el: dict[str, Any] = actions.get(InputId.VALUE) or next(iter(actions.values()), {})
        value = el.get("value")
        if value is None and el.get("selected_option"):
            value = el["selected_option"].get("value")
        if value is None and el.get("selected_user"):
            value = el["selected_user"]
        if value is None and el.get("selected_date"):
            value = el["selected_date"]
        out[block_id] = clean_text(value) if isinstance(value, str) else value
    return out


def too_long(values: dict[str, str | None], lang: str) -> dict[str, str]:
    """{block_id: reason} for each text over the limit its form states (the title's
    :data:`TITLE_LIMIT`, any other field's :data:`TEXT_INPUT_LIMIT`)."""

    out: dict[str, str] = {}
    for block, value in values.items():
        limit = TITLE_LIMIT if block == BlockId.TITLE else TEXT_INPUT_LIMIT
        if isinstance(value, str) and len(value) > limit:
            out[block] = t(lang, "form.too_long", limit=limit, n=len(value))
    return out


def require_agent(desk: Desk, body: dict[str, Any]) -> Actor | None:
    """The actor if they are an agent; else they are told, ephemerally, and None."""
    actor = actor_of(desk, body)
    if actor.is_agent:
        return actor
    log.info("refused %s (%s): agents only", actor.user_id, actor.role)
    desk.tell(actor.user_id, t("en", "refuse.agents_only"), channel=actor.channel)
    return None


def require_staff(desk: Desk, body: dict[str, Any]) -> Actor | None:
    """Agents and managers (escalation DMs)."""
    actor = actor_of(desk, body)
    if actor.role in (Role.AGENT, Role.MANAGER):
        return actor
    desk.tell(actor.user_id, t("en", "refuse.staff_only"), channel=actor.channel)
    return None


def require_customer_of(desk: Desk, body: dict[str, Any], req: Request) -> Actor | None:
    """The request's customer side: its account's contacts and whoever opened it."""
    actor = actor_of(desk, body)
    account = desk.account(req.account)
    if actor.user_id == req.submitted_by or (account and desk.directory.is_contact(account, actor.user_id)):
        return actor
    lang = req.language or "en"
    desk.tell(actor.user_id, t(lang, "refuse.customers_only", account=account.name if account else req.account),
              channel=actor.channel)
    return None


def may_open(desk: Desk, account: Account, user_id: str) -> bool:
    """Only designated contacts may open requests (IXCloud, Interopion), unless the policy says anyone."""
    if desk.directory.is_contact(account, user_id):
        return True
    try:
        return desk.policy(account.policy).intake.who_may_open == "anyone"
    except Exception:
        return False


def not_a_contact_text(desk: Desk, account: Account) -> str:
    return t(account.language, "refuse.not_contact", account=account.name, contacts=desk.contacts_line(account))


def needs_24x7_refusal(desk: Desk, req: Any, priority: str | None, lang: str) -> str | None:
    """IXCloud: "You must provide ... a contact during this 24x7 period" holds whenever a
    request becomes a priority that is worked around the clock (intake, acceptance,
    reclassification, a customer's upgrade): the reason to refuse, or None."""
    if not priority:
        return None
    policy = desk.policy_of(req)
    account = desk.account(req.account)
    if priority in (policy.intake.needs_24x7_contact or ()) and account is not None and not account.contacts_24x7:
        return t(lang, "open.needs_24x7_agent", priority=priority, account=account.name)
    return None


def request_or_tell(desk: Desk, request_id: str | None, actor: Actor) -> Any | None:

    if not request_id:
        desk.tell(actor.user_id, t("en", "refuse.no_request"), channel=actor.channel)
        return None
    try:
        return desk.store.get(request_id)
    except NotFound:
        desk.tell(actor.user_id, t("en", "refuse.unknown_request", id=request_id), channel=actor.channel)
        return None


def maintenance_book(desk: Desk) -> MaintenanceBook:
    """The operations' maintenance windows of this desk."""
    return MaintenanceBook(desk.store.redis, desk.config, desk.store.policy, desk.store.keys.prefix)
