"""People's names as Slack gave them to the app, kept for the command line (``requests
list`` shows "Alice Park" where the desk has heard of her, the raw id otherwise).

The Slack app records a name each time ``users.info`` tells it one; a name is a display
aid only, never used to decide anything."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slackops.requests import keys

__all__ = ["name_of_user", "names", "remember"]


def _key(prefix: str) -> str:
    return keys.people_names(prefix)


def name_of_user(user: dict[str, Any]) -> str:
    """The name people know someone by, from ``users.info``'s user ("" when it has none)."""
    profile = user.get("profile") or {}
    return str(profile.get("real_name") or user.get("real_name") or profile.get("display_name")
               or user.get("name") or "").strip()


def remember(redis: Any, prefix: str, user_id: str, name: str) -> None:
    if user_id and name:
        redis.hset(_key(prefix), user_id, name[:200])


def names(redis: Any, prefix: str, user_ids: Iterable[str]) -> dict[str, str]:
    """The names the desk knows of these people (those it does not know are left out)."""
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return {}
    got = redis.hmget(_key(prefix), ids)
    return {u: (v.decode() if isinstance(v, bytes) else str(v)) for u, v in zip(ids, got, strict=True) if v}
