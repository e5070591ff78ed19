"""Human request ids: ``ACME-42`` = the account's prefix and its counter (sequential, never reused)."""

from __future__ import annotations

import re

from slackops.errors import DomainError

__all__ = ["make_id", "parse_id"]

_ID = re.compile(r"^([A-Za-z][A-Za-z0-9]{0,15})-([1-9][0-9]*)$")


def make_id(account: str, number: int) -> str:
    return f"{account.upper()}-{number}"


def parse_id(request_id: str) -> tuple[str, int]:
    """``"ACME-3"`` -> ``("acme", 3)``; anything else -> DomainError naming the expected shape."""
    m = _ID.match(str(request_id).strip())
    if not m:
        raise DomainError(f"{request_id!r} is not a request id (like ACME-3)")
    return m.group(1).lower(), int(m.group(2))
