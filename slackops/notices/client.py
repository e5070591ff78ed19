"""The Web API client the outbox posts with."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from slackops.notices.web import KeepAliveWebClient

__all__ = ["make_client"]


def make_client(token: str | None, base_url: str | None = None, timeout: int = 10) -> WebClient:
    """A WebClient without slack-sdk's own retry handlers: the outbox retries itself so
    that it can pace channels, reconcile ambiguous failures and never double-post."""
    kw: dict[str, Any] = {"token": token or "xoxb-missing", "timeout": timeout}
    if base_url:
        kw["base_url"] = base_url
    client = KeepAliveWebClient(**kw)
    client.retry_handlers = []
    return client
