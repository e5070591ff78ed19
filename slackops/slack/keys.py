"""Redis key names of what the Slack app keeps itself (a contact's choices for their
account), one documented template each (rq's style, as in :mod:`slackops.requests.keys`).
Every key starts with the desk's prefix; ``{account}`` is an account id.
"""

from __future__ import annotations

__all__ = ["ACCOUNT_CALENDAR", "ACCOUNT_SETTINGS_HISTORY", "account_calendar", "account_settings_history"]

#: The calendar the account's new requests open under, as its contact chose it.
ACCOUNT_CALENDAR = "{prefix}:acct:{account}:calendar"
#: Every change of the account's settings, with who made it and when (a stream).
ACCOUNT_SETTINGS_HISTORY = "{prefix}:acct:{account}:settings"


def account_calendar(prefix: str, account: str) -> str:
    return ACCOUNT_CALENDAR.format(prefix=prefix, account=account)


def account_settings_history(prefix: str, account: str) -> str:
    return ACCOUNT_SETTINGS_HISTORY.format(prefix=prefix, account=account)
