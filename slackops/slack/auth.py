"""Who is who: agents, customers (external users of a Slack Connect channel), managers,
designated contacts.

Agents are the configured agent users or members of the configured user group, *and* on
the vendor's side: its workspace, or on Enterprise Grid any workspace of its organisation.
Which side someone is on is decided by :func:`slackops.slack.identity.who_acts` from
what Slack sends, with ``users.info`` where that does not tell. Web API answers are
cached for ``ttl`` seconds so that an ack never waits on them twice.
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
from slackops.slack.identity import Identity, Vendor, decide, who_acts

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
    @property
    def vendor(self) -> Vendor:
        cfg = self.config
        return Vendor.of(cfg.team_id, cfg.enterprise_id, cfg.agent_workspaces)

    def identify(self, body: dict[str, Any]) -> Identity:
        """Who sent ``body`` (any kind of request Slack sends) and on which side they are."""
        return who_acts(body, self.vendor, self.user)

    def role_of(self, who: Identity) -> Role:
        if not who.ours:
            return Role.CUSTOMER
        if who.user_id in self.agent_ids():
            return Role.AGENT
        if who.user_id in self.manager_ids():
            return Role.MANAGER
        return Role.STAFF

    def role(self, user_id: str, team_id: str | None = None, enterprise_id: str | None = None) -> Role:
        """The role of someone known only by id (and, when something names them, their
        workspace and organisation); requests go through :meth:`identify`."""
        return self.role_of(decide(user_id, team_id, enterprise_id, self.vendor, self.user))

    @staticmethod
    def is_contact(account: Account, user_id: str) -> bool:
        return user_id in account.contacts or user_id in account.contacts_24x7

    def accounts_of(self, user_id: str) -> list[Account]:
        """Accounts that name this user as a contact."""
        return [a for a in self.config.accounts if self.is_contact(a, user_id)]

