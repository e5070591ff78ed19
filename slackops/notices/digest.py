"""Folding: when more notices wait for one channel than it can take promptly
(about one message a second), the waiting ones go out as one digest that lists them all.

Thread replies (customer-facing messages in a request's own thread) are never folded:
they go out one at a time, paced with the rest of their channel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from slackops.notices import messages as nb

from .notice import Notice

__all__ = ["MAX_ITEMS", "batch_id", "choose_batch", "render"]

MAX_ITEMS = 500
"""Most notices listed in one digest message (keeps blocks <= 50 and metadata small)."""


def choose_batch(waiting: Sequence[Notice], max_items: int = MAX_ITEMS) -> list[Notice]:
    """What the next message for a channel carries: every foldable notice waiting
    (up to ``max_items``) when two or more wait, otherwise the oldest one alone."""
    foldable = [n for n in waiting if n.digestible]
    if len(foldable) >= 2:
        return foldable[:max_items]
    return list(waiting[:1])


def batch_id(batch: Sequence[Notice]) -> str:
    """The notice id of a message: the notice's own id, or a digest id derived from its content."""
    if len(batch) == 1:
        return batch[0].id
    h = hashlib.sha1("\n".join(sorted(n.id for n in batch)).encode()).hexdigest()[:20]
    return f"digest:{h}"


def render(batch: Sequence[Notice]) -> tuple[str, list[dict[str, Any]]]:
    """Text and blocks of the message for ``batch``."""
    if len(batch) == 1:
        n = batch[0]
        return n.text, list(n.blocks)
    ordered = sorted(batch, key=lambda n: (n.due_at, n.id))
    lines = [n.line or n.text.splitlines()[0] for n in ordered]
    msg = nb.digest(lines, title=f":bell: {len(lines)} notices are due")
    return msg.text, msg.blocks
