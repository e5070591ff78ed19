"""Text that is safe to show in Slack: escaped, and cut to Slack's limits with a visible note."""

from __future__ import annotations

from typing import Any

__all__ = ["SECTION_LIMIT", "MODAL_TITLE_LIMIT", "escape", "truncate", "plain", "mrkdwn", "user_link"]

SECTION_LIMIT = 3000
"""Characters of a section's text (Slack refuses longer)."""

MODAL_TITLE_LIMIT = 24
"""Characters of a modal's title, submit and close labels."""

HEADER_LIMIT = 150
"""Characters of a header block's plain text."""

_CUT_NOTE = " … (cut: {n} more characters)"


def escape(s: str) -> str:
    """Escape mrkdwn's control characters so that ``<!channel>`` in a customer's text pings nobody."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(s: str, n: int) -> str:
    """``s`` if it fits in ``n`` characters, else its start and a visible note of how much was cut."""
    if len(s) <= n:
        return s
    if n < 1:
        return ""
    # the note's length depends on the count it names: settle it in two passes
    keep = max(0, n - len(_CUT_NOTE.format(n=len(s))))
    note = _CUT_NOTE.format(n=len(s) - keep)
    keep = max(0, n - len(note))
    note = _CUT_NOTE.format(n=len(s) - keep)
    if len(note) > n:  # absurdly small limit: a bare cut
        return s[: max(0, n - 1)] + "…"
    return s[:keep] + note


def escaped_cut(s: str, n: int = SECTION_LIMIT) -> str:
    """Escape then cut, never splitting an entity such as ``&amp;``."""
    e = escape(s)
    if len(e) <= n:
        return e
    # cut the raw text until its escaped form fits with the note
    lo, hi = 0, len(s)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        candidate = escape(s[:mid]) + _CUT_NOTE.format(n=len(s) - mid)
        if len(candidate) <= n:
            lo = mid
        else:
            hi = mid - 1
    return escape(s[:lo]) + _CUT_NOTE.format(n=len(s) - lo)


def plain(text: str, limit: int | None = None, emoji: bool = True) -> dict:
    """A plain_text object (never interpreted: the safe way to show what a customer wrote)."""
    obj: dict[str, Any] = {"type": "plain_text", "text": truncate(text, limit) if limit else text}
    if emoji:
        obj["emoji"] = True
    return obj


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}


def user_link(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "—"
