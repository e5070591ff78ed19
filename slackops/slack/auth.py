"""Who is who: agents, customers (external users of a Slack Connect channel), managers,
designated contacts.

Agents are the configured agent users or members of the configured user group, *and*
members of the vendor's workspace. A user is external (a customer) when the team or
enterprise Slack names for them differs from the configuration's, or, when the payload
does not say, when ``users.info`` says so (``team_id`` / ``is_stranger``). Web API
answers are cached for ``ttl`` seconds so that an ack never waits on them twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackops.config import Account, Config

__all__ = ["Directory", "Role"]

log = logging.getLogger(__name__)


class Role(StrEnum):
    AGENT = "agent"
    MANAGER = "manager"  # vendor side, in config.managers, not an agent
    STAFF = "staff"  # vendor side, neither agent nor manager
    CUSTOMER = "customer"  # external: another team or enterprise, or a stranger


class _TTLCache:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._data: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            hit = self._data.get(key)
            if hit and hit[0] > time.monotonic():
                return hit[1]
            return None

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, value)


class Directory:
    def __init__(self, client: WebClient, config: Config, *, ttl: float = 300.0) -> None:
        self.client = client
        self.config = config
        self._users = _TTLCache(ttl)
        self._groups = _TTLCache(ttl)
        self.on_user: Callable[[str, dict[str, Any]], None] | None = None  # told each user Slack describes

    # -- Web API, cached -------------------------------------------------------------
    def user(self, user_id: str) -> dict[str, Any] | None:
        """``users.info``'s user, or None when Slack does not know them (or cannot say)."""
        hit = self._users.get(user_id)
        if hit is not None:
            return hit or None
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as e:
            log.warning("users.info %s failed: %s", user_id, e.response.get("error"))
            user = {}
        except Exception as e:  # network: do not cache
            log.warning("users.info %s failed: %s", user_id, e)
            return None
        self._users.put(user_id, user)
        if user and self.on_user is not None:
            try:
                self.on_user(user_id, user)
            except Exception:  # noqa: BLE001 - a name kept for display must never stop a check
                log.debug("users.info %s: not remembered", user_id, exc_info=True)
        return user or None

    def agent_ids(self) -> frozenset[str]:
        ids = set(self.config.agents)
        group = self.config.agents_usergroup
        if group:
            members = self._groups.get(group)
            if members is None:
                try:
                    members = frozenset(self.client.usergroups_users_list(usergroup=group)["users"])
                    self._groups.put(group, members)
                except Exception as e:  # keep working with the listed agents
                    log.warning("usergroups.users.list %s failed: %s", group, e)
                    members = frozenset()
            ids |= members
        return frozenset(ids)

    def manager_ids(self) -> frozenset[str]:
        return frozenset(u for users in self.config.managers.values() for u in users)

    def tz(self, user_id: str | None, default: str) -> str:
        if not user_id:
            return default
        user = self.user(user_id)
        return (user or {}).get("tz") or default

    # -- judgements ------------------------------------------------------------------
    def is_external(self, user_id: str, team_id: str | None = None, enterprise_id: str | None = None) -> bool:
        cfg = self.config
        if enterprise_id and cfg.enterprise_id:
            if enterprise_id != cfg.enterprise_id:
                return True
        if team_id and team_id != cfg.team_id:
            # another workspace; on Grid, the same enterprise is still "us"
            return not (cfg.enterprise_id and enterprise_id == cfg.enterprise_id)
        if team_id == cfg.team_id and user_id in self.agent_ids() | self.manager_ids():
            return False  # known vendor people: no need to ask Slack
        user = self.user(user_id)
        if user is None:
            return True  # unknown to our workspace: treat as outside (least privilege)
        if user.get("is_stranger"):
            return True
        ent = (user.get("enterprise_user") or {}).get("enterprise_id")
        if cfg.enterprise_id and ent == cfg.enterprise_id:
            return False
        return user.get("team_id") not in (None, cfg.team_id)

    def role(self, user_id: str, team_id: str | None = None, enterprise_id: str | None = None) -> Role:
        if self.is_external(user_id, team_id, enterprise_id):
            return Role.CUSTOMER
        if user_id in self.agent_ids():
            return Role.AGENT
        if user_id in self.manager_ids():
            return Role.MANAGER
        return Role.STAFF

    def is_agent(self, user_id: str, team_id: str | None = None, enterprise_id: str | None = None) -> bool:
        return self.role(user_id, team_id, enterprise_id) is Role.AGENT

    @staticmethod
    def is_contact(account: Account, user_id: str) -> bool:
        return user_id in account.contacts or user_id in account.contacts_24x7

    def accounts_of(self, user_id: str) -> list[Account]:
        """Accounts that name this user as a contact."""
        return [a for a in self.config.accounts if self.is_contact(a, user_id)]


def payload_identity(body: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(user_id, team_id, enterprise_id) of whoever sent a command, action, view or shortcut."""
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id"), user.get("team_id"), user.get("enterprise_id")
    # slash commands: user_team_id is the user's own workspace in a Slack Connect channel
    return (
        body.get("user_id") or (user if isinstance(user, str) else None),
        body.get("user_team_id") or body.get("team_id"),
        body.get("user_enterprise_id") or body.get("enterprise_id"),
    )
