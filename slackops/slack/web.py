"""The Slack Web API client: base URL from SLACK_API_URL, slack-sdk's retry handlers."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from slackops.config import Settings

__all__ = ["make_client"]

DEFAULT_TIMEOUT = 10
"""Seconds before a Web API call gives up (slack-sdk's default is 30: too long for a listener)."""


def make_client(settings: Settings, *, timeout: int = DEFAULT_TIMEOUT) -> WebClient:
    kw = {"base_url": settings.slack_api_url} if settings.slack_api_url else {}
    return WebClient(
        token=settings.bot_token,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
        **kw,
    )
