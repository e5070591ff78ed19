"""The customer's rating of a closed request (``csat_rated``): pure, as the state machine.

A closed request may be rated 1 to 5 by its customer, with an optional comment, and the
rating changed until ``RATING_WINDOW`` after it closed. The rating lives in the request's
``fields`` (``csat``: rating, comment, by, at); every change is a history entry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slackops.errors import DomainError

if TYPE_CHECKING:
    from .model import Event, Request, Rules

__all__ = ["COMMENT_LIMIT", "RATING_WINDOW", "csat_of", "rated"]

RATING_WINDOW = timedelta(days=7)
"""How long after it closed a request's rating may still be given or changed."""
COMMENT_LIMIT = 3000


def csat_of(req: Request) -> dict[str, Any] | None:
    """The request's rating (``rating``, ``comment``, ``by``, ``at``), if it has one."""
    found = (req.fields or {}).get("csat")
    return dict(found) if isinstance(found, dict) else None


def rated(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    """The change a rating makes; DomainError with a sentence for a person otherwise."""
    if str(req.status.value) != "closed" or req.closed_at is None:
        raise DomainError(f"{req.id} is not closed yet: it can be rated once it closes")
    if ev.at - req.closed_at > RATING_WINDOW:
        raise DomainError(f"{req.id} closed more than 7 days ago: its rating can no longer change")
    rating = ev.data.get("rating")
    if isinstance(rating, str) and rating.isdigit():
        rating = int(rating)
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise DomainError(f"{rating!r} is not a rating (1 to 5)")
    before = csat_of(req) or {}
    comment = ev.data.get("comment")
    # a button changes the number and keeps the comment; the form gives both
    text = str(before.get("comment") or "") if comment is None else str(comment).strip()[:COMMENT_LIMIT]
    csat = {"rating": rating, "comment": text, "by": ev.actor, "at": ev.at.isoformat()}
    return {"fields": {**(req.fields or {}), "csat": csat}}
