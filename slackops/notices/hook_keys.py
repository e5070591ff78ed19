"""Redis key names of the outgoing events (webhooks), one named constant each.

Every key starts with the desk's prefix. ``{ep}`` is an endpoint's id (a short hash of its
URL, :func:`slackops.notices.webhooks.endpoint_id`); ``{dest}`` is ``{ep}|{stream}``, one
ordered line of events to one endpoint (``{stream}`` is a request id, or ``maintenance``);
``{id}`` is an event's id.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HookKeys"]

#: An event's body (the JSON POSTed, byte for byte on every attempt), kept 45 days.
EVENT = "{prefix}:w:hook:e:{id}"
#: Set once the event is queued for an endpoint (SET NX, 45 days): queuing it again is a no-op.
QUEUED = "{prefix}:w:hook:d:{ep}:{id}"
#: A line's events waiting to go, scored by their order (the event's instant).
QUEUE = "{prefix}:w:hook:q:{dest}"
#: The lines with something to send, scored by the instant they may next be tried.
DESTS = "{prefix}:w:hook:dests"
#: Whoever holds a line's lease delivers for it (a token, with a TTL).
LEASE = "{prefix}:w:hook:lease:{dest}"
#: The event being delivered on a line (hash: id, attempts, first_at, next_at, error): written
#: before the first attempt, cleared once the endpoint answered 2xx.
INFLIGHT = "{prefix}:w:hook:inflight:{dest}"
#: Events given up (refused, or still failing after the delivery window): ``{ep}|{id}`` -> JSON.
DEAD = "{prefix}:w:hook:dead"
#: Events delivered, a counter per endpoint (hash ep -> count).
DELIVERED = "{prefix}:w:hook:delivered"
#: The consumer group through which the workers read request events for the webhooks.
GROUP = "webhooks"


@dataclass(frozen=True)
class HookKeys:
    """The webhook key names under one prefix."""

    prefix: str = "slackops"

    def event(self, event_id: str) -> str:
        return EVENT.format(prefix=self.prefix, id=event_id)

    def queued(self, ep: str, event_id: str) -> str:
        return QUEUED.format(prefix=self.prefix, ep=ep, id=event_id)

    def queue(self, dest: str) -> str:
        return QUEUE.format(prefix=self.prefix, dest=dest)

    def lease(self, dest: str) -> str:
        return LEASE.format(prefix=self.prefix, dest=dest)

    def inflight(self, dest: str) -> str:
        return INFLIGHT.format(prefix=self.prefix, dest=dest)

    @property
    def dests(self) -> str:
        return DESTS.format(prefix=self.prefix)

    @property
    def dead(self) -> str:
        return DEAD.format(prefix=self.prefix)

    @property
    def delivered(self) -> str:
        return DELIVERED.format(prefix=self.prefix)
