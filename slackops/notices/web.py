"""The Slack Web API client: base URL from SLACK_API_URL, slack-sdk's retry handlers, and
one kept-alive HTTPS connection per thread."""

from __future__ import annotations

import http.client
import io
import logging
import select
import ssl
import threading
import urllib.parse
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from slackops.config import Settings
from slackops.errors import SlackopsError, Unavailable

__all__ = ["KeepAliveWebClient", "make_client", "sdk_logger"]

DEFAULT_TIMEOUT = 10
"""Seconds before a Web API call gives up (slack-sdk's default is 30: too long for a listener)."""


class KeepAliveWebClient(WebClient):
    """slack-sdk's WebClient, but each thread keeps its HTTP/1.1 connection to the Web API
    open between calls instead of opening one (and, against slack.com, shaking hands over
    TLS) for every call, as ``urllib.request.urlopen`` does. Everything else (retry
    handlers, errors: an HTTP status >= 400 is raised as ``HTTPError`` as urlopen does) is
    slack-sdk's own. A connection the server closed while idle is noticed before it is
    reused; a failure while a call is under way is raised, never retried here (a post
    that may have landed is the caller's to reconcile)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("logger", sdk_logger())
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or self.proxy is not None:
            return super()._perform_urllib_http_request_internal(url, req)
        key = (parts.scheme, parts.hostname or "", parts.port)
        conns: dict[tuple[str, str, int | None], http.client.HTTPConnection] = self._local.__dict__.setdefault("conns", {})
        conn = conns.get(key)
        if conn is not None and _dropped(conn):
            conn.close()
            conn = None
        if conn is None:
            if parts.scheme == "https":
                conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=self.timeout,
                                                   context=self.ssl or ssl.create_default_context())
            else:
                conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.timeout)
            conns[key] = conn
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(req.get_method(), path, body=req.data, headers=dict(req.header_items()))
            resp = conn.getresponse()
            body = resp.read()
        except BaseException:
            conn.close()
            conns.pop(key, None)
            raise
        if resp.will_close:
            conn.close()
            conns.pop(key, None)
        if resp.status >= 400:
            raise HTTPError(url, resp.status, resp.reason, resp.headers, io.BytesIO(body))
        mime, charset = _content_type(resp.headers.get("Content-Type"))
        if mime == "application/gzip":
            return {"status": resp.status, "headers": resp.headers, "body": body}
        return {"status": resp.status, "headers": resp.headers, "body": body.decode(charset)}


def sdk_logger() -> logging.Logger:
    """The clients' logger. slack-sdk formats a debug line for every call (the whole request,
    views and blocks included) whenever its logger's *own* level is NOTSET, the default,
    whatever the effective level: a logger with its level set skips that work. Set
    ``slackops.notices.web`` to DEBUG to see those lines."""
    log = logging.getLogger("slackops.notices.web")
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    return log


def _content_type(value: str | None) -> tuple[str, str]:
    """(media type, charset) of a Content-Type header: what urllib's response would say
    (``get_content_type``, ``get_content_charset`` or utf-8), without the email package's
    header machinery, which costs more than the rest of a call's response handling."""
    if not value:
        return "text/plain", "utf-8"
    mime, *params = value.split(";")
    charset = "utf-8"
    for param in params:
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset" and val.strip().strip('"'):
            charset = val.strip().strip('"').lower()
    mime = mime.strip().lower()
    return (mime if mime.count("/") == 1 else "text/plain"), charset


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """An idle kept-alive connection that has something to read was closed by the server."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def make_client(settings: Settings, *, timeout: int = DEFAULT_TIMEOUT) -> WebClient:
    kw = {"base_url": settings.slack_api_url} if settings.slack_api_url else {}
    return KeepAliveWebClient(
        token=settings.bot_token,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
        **kw,
    )


_REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type",
            "missing_scope", "no_permission", "ekm_access_denied"}


def auth_check(client: WebClient, what: str = "SLACK_BOT_TOKEN") -> Any:
    """``auth.test`` with the client's token, at start-up: the answer (with the token's
    scopes in its ``x-oauth-scopes`` header), or one plain line: a token Slack refuses is
    a :class:`SlackopsError` (exit 2), a Slack out of reach :class:`Unavailable` (exit 1)."""
    from slack_sdk.errors import SlackApiError


    # slack-sdk logs a refused connection itself: the line below says it (``logger`` since
    # slack-sdk 3.31; ``_logger`` before)
    sdk_log = getattr(client, "logger", None) or getattr(client, "_logger", None) or logging.getLogger("slack_sdk")
    quiet, sdk_log.disabled = sdk_log.disabled, True
    try:
        return client.auth_test()
    except SlackApiError as e:
        error = e.response.get("error") if hasattr(e.response, "get") else None
        status = getattr(e.response, "status_code", 200)
        if error in _REFUSED:
            raise SlackopsError(f"Slack refused {what}: {error} (use the app's Bot User OAuth Token, xoxb-..., "
                                "from OAuth & Permissions; reinstall the app if it was revoked)") from None
        raise Unavailable(f"auth.test failed: {error or f'HTTP {status}'} (Slack may be having trouble; "
                          "try again)") from None
    except (OSError, TimeoutError) as e:
        reason = getattr(e, "reason", None) or e
        raise Unavailable(f"cannot reach Slack at {client.base_url}: {reason}") from None
    finally:
        sdk_log.disabled = quiet
