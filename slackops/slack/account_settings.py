"""What a customer contact chooses for their account from Slack: the calendar its new
requests run on, where the policy lets the customer choose (Interactor: "local time zone
selected by Customer (US PST, or Seoul South Korea)").

Kept in Redis beside the requests: the current choice (one key per account) and every
change with who made it and when (a stream per account), written in one transaction.
A request keeps the calendar it was opened under; only new requests take the choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slackops.slack import keys

__all__ = ["AccountSettings", "SettingChange"]


@dataclass(frozen=True)
class SettingChange:
    calendar: str
    by: str
    at: datetime


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class AccountSettings:
    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    def _key(self, account_id: str) -> str:
        return keys.account_calendar(self.prefix, account_id)

    def _history(self, account_id: str) -> str:
        return keys.account_settings_history(self.prefix, account_id)

    def calendar(self, account: Any, policy: Any) -> str:
        """The calendar new requests of ``account`` open under: the contact's choice where the
        policy offers one and it is still a calendar of it, else the configuration's."""
        chosen = self.redis.get(self._key(account.id))
        if chosen is not None:
            name = _text(chosen)
            if name in policy.intake.customer_calendars and name in policy.calendars:
                return name
        return str(account.calendar)

    def choose(self, account: Any, policy: Any, calendar: str, *, by: str, at: datetime) -> bool:
        """Record ``by``'s choice; False if it changes nothing. ValueError for a calendar the
        policy does not let customers choose."""
        if calendar not in policy.intake.customer_calendars:
            raise ValueError(f"{calendar!r} is not a calendar {policy.name} lets customers choose "
                             f"({', '.join(policy.intake.customer_calendars) or 'none'})")
        if policy.calendar(self.calendar(account, policy)).name == policy.calendar(calendar).name:
            return False
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._key(account.id), calendar)
        pipe.xadd(self._history(account.id), {"calendar": calendar, "by": by,
                                              "at": at.astimezone(UTC).isoformat()})
        pipe.execute()
        return True

    def history(self, account_id: str) -> list[SettingChange]:
        out = []
        for _eid, fields in self.redis.xrange(self._history(account_id)):
            f = {_text(k): _text(v) for k, v in fields.items()}
            out.append(SettingChange(f["calendar"], f["by"], datetime.fromisoformat(f["at"])))
        return out
