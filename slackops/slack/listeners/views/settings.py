"""``/support settings`` (and the Home tab's button): a customer contact chooses the
calendar of their account's new requests, where the policy lets them (Interactor)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from slackops.notices.i18n import t
from slackops.slack.account_settings import AccountSettings
from slackops.slack.blocks.settings import settings_modal
from slackops.slack.desk import Desk
from slackops.slack.ids import BlockId
from slackops.slack.listeners.common import Actor, actor_of, form_values, view_meta
from slackops.slack.metadata import ViewMeta

__all__ = ["settings_of", "open_settings", "submit"]


def settings_of(desk: Desk) -> AccountSettings:
    return AccountSettings(desk.store.redis, desk.store.keys.prefix)


def _may_choose(desk: Desk, account: Any, actor: Actor) -> bool:
    return actor.is_agent or desk.directory.is_contact(account, actor.user_id)


def open_settings(desk: Desk, account: Any, actor: Actor, trigger_id: str, lang: str) -> str | None:
    """Open the form; or the sentence to answer with when there is nothing to set."""
    policy = desk.policy(account.policy)
    if not policy.intake.customer_calendars:
        return t(lang, "settings.nothing", account=account.name)
    if not _may_choose(desk, account, actor):
        return t(lang, "settings.contacts_only", account=account.name)
    current = settings_of(desk).calendar(account, policy)
    meta = ViewMeta(account=account.id, channel=actor.channel)
    desk.open_view(trigger_id, lambda: settings_modal(policy, account, current, meta, lang=lang),
                   user=actor.user_id, channel=actor.channel)
    return None


def submit(ack: Ack, body: dict[str, Any], desk: Desk) -> None:
    meta = view_meta(body)
    actor = actor_of(desk, body)
    account = desk.account(meta.account or "")
    if account is None:
        ack(response_action="errors", errors={BlockId.CALENDAR: t("en", "refuse.unmapped_channel")})
        return
    lang = account.language
    if not _may_choose(desk, account, actor):
        ack(response_action="errors", errors={BlockId.CALENDAR: t(lang, "settings.contacts_only", account=account.name)})
        return
    policy = desk.policy(account.policy)
    chosen = form_values(body).get(BlockId.CALENDAR)
    if not chosen:
        ack(response_action="errors", errors={BlockId.CALENDAR: t(lang, "form.required")})
        return
    try:
        changed = settings_of(desk).choose(account, policy, chosen, by=actor.user_id, at=desk.now())
    except ValueError as e:
        ack(response_action="errors", errors={BlockId.CALENDAR: str(e)})
        return
    ack()
    cal = policy.calendar(chosen)
    words = getattr(cal, "description", None) or chosen
    desk.tell(actor.user_id, t(lang, "settings.saved" if changed else "settings.unchanged", calendar=words,
                               account=account.name), channel=meta.channel)
