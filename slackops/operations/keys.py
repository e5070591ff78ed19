"""Redis key names of the service side, one documented template each (rq's style, as in
:mod:`slackops.requests.keys`). Every key starts with the desk's prefix.
"""

from __future__ import annotations

__all__ = ["MAINTENANCE", "MAINTENANCE_ALL", "MAINTENANCE_SEQ", "MAINTENANCE_DUE", "STATUS_TOKEN",
           "maintenance", "maintenance_all", "maintenance_seq", "maintenance_due", "status_token"]

#: One maintenance as JSON (``Maintenance.to_json``); ``{id}`` such as ``MNT-3``.
MAINTENANCE = "{prefix}:ops:m:{id}"
#: Every maintenance id, scored by its start (epoch seconds).
MAINTENANCE_ALL = "{prefix}:ops:m:all"
#: The counter behind ``MNT-1``, ``MNT-2`` ... (INCR).
MAINTENANCE_SEQ = "{prefix}:ops:m:seq"
#: The operations' deadline index: one member per notice owed (``MNT-3|v2|acme|reminder:24
#: hours``) scored by its instant; a worker's operations clock turns due members into notices.
MAINTENANCE_DUE = "{prefix}:ops:due"
#: An account's generated status page token (absent while the configuration gives one).
STATUS_TOKEN = "{prefix}:ops:token:{account}"
"""An account's status page token."""
PUBLIC_URL = "{prefix}:ops:public_url"
"""The address Slack's signed requests come to, learnt by the app when no public_url is set."""


def maintenance(prefix: str, mid: str) -> str:
    return MAINTENANCE.format(prefix=prefix, id=mid)


def maintenance_all(prefix: str) -> str:
    return MAINTENANCE_ALL.format(prefix=prefix)


def maintenance_seq(prefix: str) -> str:
    return MAINTENANCE_SEQ.format(prefix=prefix)


def maintenance_due(prefix: str) -> str:
    return MAINTENANCE_DUE.format(prefix=prefix)


def status_token(prefix: str, account: str) -> str:
    return STATUS_TOKEN.format(prefix=prefix, account=account)


def public_url(prefix: str) -> str:
    return PUBLIC_URL.format(prefix=prefix)
