"""The account settings form a customer contact opens with ``/support settings`` or from
the Home tab: the calendar (time zone and public holidays) of the account's new requests."""

from __future__ import annotations

from typing import Any

from slackops.notices.i18n import t
from slackops.notices.text import escape
from slackops.slack.blocks.common import section
from slackops.slack.blocks.modals import _modal, _option, select_input
from slackops.slack.ids import BlockId, CallbackId
from slackops.slack.metadata import ViewMeta

__all__ = ["settings_modal"]


def settings_modal(policy: Any, account: Any, current: str, meta: ViewMeta, *, lang: str) -> dict[str, Any]:
    options = []
    for name in policy.intake.customer_calendars:
        cal = policy.calendar(name)
        options.append(_option(getattr(cal, "description", None) or name, name, cal.describe()))
    blocks = [
        section(t(lang, "settings.intro", account=escape(account.name))),
        select_input(BlockId.CALENDAR, t(lang, "settings.calendar"), options, initial=policy.calendar(current).name,
                     radio=True),
    ]
    return _modal(CallbackId.ACCOUNT_SETTINGS, t(lang, "settings.title"), blocks, meta, lang)
