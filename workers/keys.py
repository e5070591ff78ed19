"""Redis key names of the workers' own coordination, one documented template each (rq's
style, as in :mod:`slackops.requests.keys`). Every key starts with the desk's prefix;
``{member}`` is an alarm of the deadline index (``ACME-3|first_response|due``).
"""

from __future__ import annotations

__all__ = ["HANDED", "ACTED", "SWEEP_LOCK", "STALE_CARDS", "STALE_CARDS_SLOT",
           "handed", "acted", "acted_pattern", "sweep_lock", "stale_cards", "stale_cards_slot"]

#: Set by the sweep while an alarm is in a job's hands (expires if the worker dies).
HANDED = "{prefix}:w:handed:{member}"
#: An intent left by workers of an earlier version: a change to a request with the notices
#: it owes (read and finished or dropped by ``slackops.workers.intents``; never written today).
ACTED = "{prefix}:w:acted:{member}"
#: The sweep's lock: one worker at a time moves due alarms into jobs (SET NX PX).
SWEEP_LOCK = "{prefix}:w:sweep:lock"
#: Requests whose cards no longer tell the truth, scored by when they went stale.
STALE_CARDS = "{prefix}:w:cards:stale"
#: The pace of card refreshes: taken (SET NX PX) by the worker that refreshes the next one.
STALE_CARDS_SLOT = STALE_CARDS + ":slot"


def handed(prefix: str, member: str) -> str:
    return HANDED.format(prefix=prefix, member=member)


def acted(prefix: str, member: str) -> str:
    return ACTED.format(prefix=prefix, member=member)


def acted_pattern(prefix: str) -> tuple[str, str]:
    """(the head of every intent's key, a SCAN pattern matching them all)."""
    head = ACTED.format(prefix=prefix, member="")
    return head, head + "*"


def sweep_lock(prefix: str) -> str:
    return SWEEP_LOCK.format(prefix=prefix)


def stale_cards(prefix: str) -> str:
    return STALE_CARDS.format(prefix=prefix)


def stale_cards_slot(prefix: str) -> str:
    return STALE_CARDS_SLOT.format(prefix=prefix)
