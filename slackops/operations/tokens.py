"""The unguessable link of each account's status page and calendar feed.

A token comes from the account's ``status_token`` in the configuration, or is generated
once and kept in Redis (:data:`slackops.operations.keys.STATUS_TOKEN`); ``rotate`` replaces a
generated one (the old link stops working at once). Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from slackops.errors import DomainError
from slackops.operations import keys
from slackops.operations.address import public_base

__all__ = ["StatusTokens", "status_line"]


class StatusTokens:
    def __init__(self, redis: Any, config: Any, prefix: str = "slackops") -> None:
        self.redis = redis
        self.config = config
        self.prefix = prefix

    def _key(self, account: str) -> str:
        return keys.status_token(self.prefix, account)

    def _account(self, account_id: str) -> Any:
        acct = self.config.account(account_id)
        if acct is None:
            raise DomainError(f"{account_id!r} is not an account")
        return acct

    def get(self, account_id: str) -> str:
        acct = self._account(account_id)
        if acct.status_token:
            return str(acct.status_token)
        key = self._key(acct.id)
        self.redis.set(key, secrets.token_urlsafe(24), nx=True)
        return str(self.redis.get(key).decode())

    def rotate(self, account_id: str) -> str:
        acct = self._account(account_id)
        if acct.status_token:
            raise DomainError(f"{acct.id}'s status token is set in the configuration (accounts[].status_token): "
                              "change it there")
        token = secrets.token_urlsafe(24)
        self.redis.set(self._key(acct.id), token)
        return token

    def check(self, account_id: str, token: str | None) -> bool:
        """Does ``token`` open ``account_id``'s pages? (False for unknown accounts: same 404.)"""
        if not token or self.config.account(account_id) is None:
            return False
        return hmac.compare_digest(self.get(account_id).encode(), token.encode())

    def url(self, account_id: str, path: str = "status") -> str | None:
        """The account's link (``public_url`` from the configuration, else the address Slack's
        verified requests came to: slackops.operations.address), or None when neither is known."""

        base = public_base(self.config, self.redis, self.prefix)
        if not base:
            return None
        acct = self._account(account_id)
        suffix = ".ics" if path == "maintenance" else ""
        return f"{base.rstrip('/')}/{path}/{acct.id}{suffix}?token={self.get(acct.id)}"


def status_line(redis: Any, config: Any, prefix: str, account_id: str, lang: str = "en") -> str:
    """"Status page: <link>" for a customer's message, or "" when the app's address is not known."""
    if config.account(account_id) is None:
        return ""
    url = StatusTokens(redis, config, prefix).url(account_id)
    if not url:
        return ""
    return f"{'Pagina di stato' if lang == 'it' else 'Status page'}: {url}"
