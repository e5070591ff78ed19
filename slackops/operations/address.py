"""The app's public address, for the status page links customers are given.

``public_url`` in the configuration says it. Without it, the address Slack's own requests
come to is the one customers can reach too: in HTTP mode every request Slack sends names
it (``Host``, or ``X-Forwarded-Host`` / ``X-Forwarded-Proto`` behind a proxy). It is
learned only from requests whose signature verified (a forged ``Host`` on an unsigned
request must never reach a customer's link), kept in Redis so that the workers' notices use
it too, and written only when it changes. In Socket Mode Slack sends no HTTP request: set
``public_url`` (``config check`` and ``doctor`` say so).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slackops.operations import keys

__all__ = ["from_headers", "learn", "learned", "public_base"]

_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def _key(prefix: str) -> str:
    return keys.public_url(prefix)


def _first(headers: Mapping[str, Any], name: str) -> str:
    v = headers.get(name) or headers.get(name.title()) or ""
    if isinstance(v, (list, tuple)):
        v = v[0] if v else ""
    return str(v).split(",")[0].strip()


def from_headers(headers: Mapping[str, Any]) -> str | None:
    """``https://desk.example.com`` from a request's headers (names lower-case), or None
    when they do not name a plausible host. Slack calls only https addresses: without
    ``X-Forwarded-Proto`` the scheme is https, but for this machine's own loopback address
    (the sandbox, where the stand-in for Slack calls the app directly)."""
    host = _first(headers, "x-forwarded-host") or _first(headers, "host")
    if not host or not _HOST.match(host):
        return None
    proto = _first(headers, "x-forwarded-proto").lower()
    if proto not in ("http", "https"):
        proto = "http" if host.rsplit(":", 1)[0] in _LOOPBACK else "https"
    return f"{proto}://{host}"


def learn(redis: Any, prefix: str, base: str, seen: dict[str, str] | None = None) -> None:
    """Remember ``base`` (from a verified request); ``seen``: this process's last write."""
    if seen is not None and seen.get("base") == base:
        return
    redis.set(_key(prefix), base)
    if seen is not None:
        seen["base"] = base


def learned(redis: Any, prefix: str) -> str | None:
    raw = redis.get(_key(prefix))
    return raw.decode() if isinstance(raw, bytes) else raw


def public_base(config: Any, redis: Any, prefix: str) -> str | None:
    """``public_url`` from the configuration, else the address Slack's verified requests came to."""
    configured = getattr(config, "public_url", None)
    if configured:
        return str(configured).rstrip("/")
    try:
        return learned(redis, prefix)
    except Exception:  # noqa: BLE001 - no link rather than no message
        return None
