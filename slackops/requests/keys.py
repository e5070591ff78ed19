"""Redis key names of the request store, one named constant each (rq's style).

Every key starts with the store's prefix (``slackops`` by default; tests use their
namespace). ``{id}`` is a request id such as ``ACME-3``, ``{account}`` an account id.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Keys"]

#: The counter behind an account's human ids (INCR: sequential, never reused).
COUNTER = "{prefix}:n:{account}"
#: A request's current state: one compact JSON string, its version first.
REQUEST = "{prefix}:r:{id}"
#: The account's append-only history: a Redis Stream of events (fields r = id, e = event).
HISTORY = "{prefix}:h:{account}"
#: Ids of the account's open requests (a set).
OPEN_BY_ACCOUNT = "{prefix}:open:a:{account}"
#: Ids of the open requests assigned to a user (a set).
OPEN_BY_ASSIGNEE = "{prefix}:open:u:{user}"
#: Ids of the open requests at a priority (a set; P1 of every policy together).
OPEN_BY_PRIORITY = "{prefix}:open:p:{priority}"
#: Ids of the account's closed requests still in Redis, scored by their closing instant
#: (epoch seconds): what retention (slackops.production.retention) moves to the archive.
CLOSED_BY_ACCOUNT = "{prefix}:closed:a:{account}"
#: The deadline index: one sorted set of alarms ``{id}|{checkpoint_key}|due`` or
#: ``|warn:{fraction}``, scored by epoch seconds. The workers sweep it.
DEADLINES = "{prefix}:deadlines"
#: Alarms of a request that the workers already handled (a set of ``{checkpoint_key}|...``),
#: so that a breach alerted once is not alarmed again when the request changes.
ALARMS_DONE = "{prefix}:done:{id}"
#: The consumer group on every history stream through which the workers publish the app's
#: changes to Slack (slackops.workers.publisher).
PUBLISH_GROUP = "publish"
#: Where each request's card is: ``{channel}:{ts}`` -> request id (a hash), so that a
#: reply in a card's thread finds its request in one look-up.
CARDS = "{prefix}:cards"
#: Where each request's agents' card is (the triage channel): ``{channel}:{ts}`` -> request
#: id, so that a reply in its thread is known as an internal note.
TRIAGE_CARDS = "{prefix}:cards:triage"
#: Idempotency of a write (``open``/``apply`` with ``idempotency_key``): the result, with a TTL.
IDEMPOTENT_WRITE = "{prefix}:idem:{key}"
#: Inbound deliveries already seen (``first_delivery``): SET NX EX.
DELIVERY = "{prefix}:dlv:{key}"
PEOPLE_NAMES = "{prefix}:people:names"
"""The names Slack gives the people who act (users.info), by user id."""


@dataclass(frozen=True)
class Keys:
    """The key names under one prefix."""

    prefix: str = "slackops"

    def counter(self, account: str) -> str:
        return COUNTER.format(prefix=self.prefix, account=account)

    def request(self, request_id: str) -> str:
        return REQUEST.format(prefix=self.prefix, id=request_id)

    def history(self, account: str) -> str:
        return HISTORY.format(prefix=self.prefix, account=account)

    def open_by_account(self, account: str) -> str:
        return OPEN_BY_ACCOUNT.format(prefix=self.prefix, account=account)

    def closed_by_account(self, account: str) -> str:
        return CLOSED_BY_ACCOUNT.format(prefix=self.prefix, account=account)

    def open_by_assignee(self, user: str) -> str:
        return OPEN_BY_ASSIGNEE.format(prefix=self.prefix, user=user)

    def open_by_priority(self, priority: str) -> str:
        return OPEN_BY_PRIORITY.format(prefix=self.prefix, priority=priority)

    @property
    def deadlines(self) -> str:
        return DEADLINES.format(prefix=self.prefix)

    @property
    def cards(self) -> str:
        return CARDS.format(prefix=self.prefix)

    @property
    def triage_cards(self) -> str:
        return TRIAGE_CARDS.format(prefix=self.prefix)

    def alarms_done(self, request_id: str) -> str:
        return ALARMS_DONE.format(prefix=self.prefix, id=request_id)

    def idempotent_write(self, key: str) -> str:
        return IDEMPOTENT_WRITE.format(prefix=self.prefix, key=key)

    def delivery(self, key: str) -> str:
        return DELIVERY.format(prefix=self.prefix, key=key)


def people_names(prefix: str) -> str:
    return PEOPLE_NAMES.format(prefix=prefix)
