"""Submitting the intake form: checks on the fields (PHI, justification, 24x7 contact),
then the request is opened in the store before the ack, and announced after it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from slack_bolt import Ack

from slackops.errors import DomainError
from slackops.notices.i18n import t
from slackops.slack.desk import Desk
from slackops.slack.ids import BlockId
from slackops.slack.language import request_language
from slackops.slack.listeners.common import (
    actor_of,
    form_values,
    may_open,
    not_a_contact_text,
    too_long,
    view_meta,
)
from slackops.slack.listeners.views.settings import settings_of
from slackops.slack.phi import phi_reason

if TYPE_CHECKING:
    from slackops.config import Account
    from slackops.policy import Policy

TEXT_FIELDS = (BlockId.TITLE, BlockId.DESCRIPTION, BlockId.IMPACT, BlockId.ENVIRONMENT, BlockId.STEPS, BlockId.JUSTIFICATION)


def validate(policy: Policy, account: Account, values: dict[str, str | None], lang: str) -> dict[str, str]:
    """{block_id: reason} for every field the customer must fix; {} when all is well."""
    errors: dict[str, str] = {}
    if policy.intake.phi_guard:
        # Interopion: "Customer acknowledges and agrees that no PHI will be provided by Customer"
        for block in TEXT_FIELDS:
            reason = phi_reason(values.get(block) or "", lang)
            if reason:
                errors[block] = reason
    priority = values.get(BlockId.PRIORITY)
    ids = [p.id for p in policy.priorities]
    if priority not in ids:
        errors[BlockId.PRIORITY] = t(lang, "open.bad_priority", ids=", ".join(ids))
        return errors
    if not values.get(BlockId.TITLE):
        errors[BlockId.TITLE] = t(lang, "form.required")
    if priority == ids[0] and not values.get(BlockId.JUSTIFICATION) and BlockId.JUSTIFICATION not in errors:
        errors[BlockId.JUSTIFICATION] = t(lang, "open.justification_required", priority=priority)
    category = values.get(BlockId.CATEGORY)
    if category and category not in {c.id for c in policy.categories if c.customer}:
        # the agents' own categories (Interzen's "to be invoiced") are not the customer's to choose
        errors[BlockId.CATEGORY] = t(lang, "open.bad_category")
    if priority in (policy.intake.needs_24x7_contact or ()) and not account.contacts_24x7:
        # IXCloud: "You must provide ... a contact during this 24x7 period"
        errors[BlockId.PRIORITY] = t(lang, "open.needs_24x7", priority=priority)
    return errors


def submit(ack: Ack, body: dict[str, Any], desk: Desk) -> None:

    meta = view_meta(body)
    actor = actor_of(desk, body)
    account = desk.account(meta.account or "")
    if account is None:
        ack(response_action="errors", errors={BlockId.TITLE: t("en", "refuse.unmapped_channel")})
        return
    lang = account.language
    if not may_open(desk, account, actor.user_id):
        ack(response_action="errors", errors={BlockId.TITLE: not_a_contact_text(desk, account)})
        return
    policy = desk.policy(account.policy)
    values = form_values(body)
    # the customer's choice, else (where the policy answers in the request's language) the
    # language they wrote in, else the account's
    language = values.get(BlockId.LANGUAGE) or request_language(
        policy, f"{values.get(BlockId.TITLE) or ''}\n{values.get(BlockId.DESCRIPTION) or ''}", account.language)
    errors = too_long(values, language if language in ("en", "it") else lang)
    errors = errors or validate(policy, account, values, language if language in ("en", "it") else lang)
    if errors:
        ack(response_action="errors", errors={str(k): v for k, v in errors.items()})
        return
    fields: dict[str, Any] = {"language": language}
    if policy.intake.customer_calendars:  # the contact's choice of calendar (Interactor)

        fields["calendar"] = settings_of(desk).calendar(account, policy)
    for key, block in (("impact", BlockId.IMPACT), ("environment", BlockId.ENVIRONMENT), ("steps", BlockId.STEPS),
                       ("category", BlockId.CATEGORY), ("justification", BlockId.JUSTIFICATION)):
        if values.get(block):
            fields[key] = values[block]
    if meta.source_ts:
        fields["source_ts"] = meta.source_ts
    if meta.source_permalink:
        fields["source_permalink"] = meta.source_permalink
    try:
        desk.store.open(account.id, title=cast(str, values[BlockId.TITLE]), description=values.get(BlockId.DESCRIPTION) or "",
                              priority=cast(str, values[BlockId.PRIORITY]), submitted_by=actor.user_id, now=desk.now(),
                              source=meta.source or "command", fields=fields,
                              idempotency_key=f"view:{body['view']['id']}")
    except DomainError as e:
        ack(response_action="errors", errors={BlockId.PRIORITY: str(e)})
        return
    ack()  # the card and its thread follow from the history (slackops.workers.publisher)
