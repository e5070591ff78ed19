"""The publisher: what each change to a request calls for in Slack, derived from the store's
history and posted through the outbox, exactly once.

Every event the Slack app records is an entry in its account's history stream, written in
the same atomic step as the request's new state. A consumer group (``publish``) on those
streams hands each entry to one publisher, which

1. queues in the outbox the messages the event calls for (``slackops.slack.flows.announcements``:
   the thread notice in the request's language, the managers' DMs); their notice ids are the
   entry's id and a key, so queuing them again changes nothing;
2. re-renders the request's card (``chat.update``: a view of the store, safe to repeat;
   cards whose targets the workers warned about or saw breached are re-rendered too, one
   every 1.2 s across all workers, so a card never says "due in 2 h" after the breach);
3. only then acknowledges the entry (``XACK``).

A publisher that dies anywhere before step 3 leaves the entry pending; a publisher claims
it (``XAUTOCLAIM``) once it has been idle for ``claim_idle`` seconds and does it again: the
outbox already holds what was queued, so nothing is posted twice and nothing is lost. The
listeners of the Slack app do nothing after their ack but this one write.

A new request's card is itself a notice (``card|ACME-3``). With ``agent_controls: triage``
(the default) the request also has an agents' card in the vendor's triage channel, a
notice of its own (``triage|ACME-3``): it is queued once the customer card is posted (it
links to the customer's thread), by the outbox's after-sent hook and, should that hook be
lost, by the request's ``submitted`` entry, which stays pending until then; both cards are
re-rendered together. A publisher or outbox that dies between the two posts
leaves the entry pending or the notice queued: each card goes out exactly once. Replies queued before it is
posted name it as their thread's root (``Notice.thread_of``) and the outbox fills in its ts.
The outbox's after-sent hook tells the store where the card is (:meth:`card_posted`); a
hook lost with its process is repaired from the card notice's record the next time the
request's card is needed. A request opened with the :ticket: reaction also gets a reply
under the ticketed message linking to its card: its ``submitted`` entry stays pending until
the card is posted.

Events that workers record themselves (policy escalations, auto-upgrades, critical notices
with actor ``policy`` or ``system``) come with their own notices (:mod:`slackops.workers.alarms`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import redis as redis_py
from slack_sdk.errors import SlackApiError

from slackops.errors import DomainError
from slackops.notices.escalations import ack_note, level_dm_ids, update_level_dms
from slackops.notices.i18n import t
from slackops.notices.notice import Notice
from slackops.notices.text import escape
from slackops.requests import NotFound, codec
from slackops.requests.keys import (
    PUBLISH_GROUP as GROUP,  # the consumer group on every history stream
)
from slackops.requests.model import Event
from slackops.slack.flows import ACCEPTED_KEY

from . import keys as worker_keys

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from slackops.config import Config
    from slackops.notices.outbox import Outbox
    from slackops.requests import Request, RequestStore

__all__ = ["GROUP", "Publisher", "card_notice_id", "triage_notice_id"]

log = logging.getLogger("slackops.workers.publisher")


CARD_REFRESH_INTERVAL = 1.2
"""Seconds between two re-renderings of stale cards, across all workers (Slack's chat.update
is a Tier 3 method: about 50 calls a minute)."""

WORKER_ACTORS = frozenset({"policy", "system"})
"""Actors of the events workers record (slackops.workers.alarms.POLICY_ACTOR, SYSTEM_ACTOR)."""


def card_notice_id(request_id: str) -> str:
    return f"card|{request_id}"


def triage_notice_id(request_id: str) -> str:
    """The agents' card's notice (``agent_controls: triage``)."""
    return f"triage|{request_id}"


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Publisher:
    """Consumes the history streams of every configured account (see the module's docstring)."""

    def __init__(
        self,
        redis: redis_py.Redis,
        store: RequestStore,
        config: Config,
        client: WebClient,
        outbox: Outbox,
        *,
        claim_idle: float = 30.0,
        block: float = 1.0,
        retry_every: float = 0.25,
        batch: int = 100,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.redis = redis
        self.store = store
        self.config = config
        self.client = client
        self.outbox = outbox
        self.claim_idle = claim_idle
        self.block = block
        self.retry_every = retry_every
        self.batch = batch
        self.clock = clock
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._awaiting: dict[tuple[str, str], Any] = {}  # (stream, entry id) -> fields: waiting for a card
        self._next_claim = 0.0
        self._stop = threading.Event()
        self._groups_ready = False

    # -- set-up ----------------------------------------------------------------------
    def streams(self) -> list[str]:
        return [self.store.keys.history(a.id) for a in self.config.accounts]

    def ensure_groups(self) -> None:
        """Create the consumer group on every account's stream (the app and the workers both
        do this when they start; a publisher also does when it meets a stream without it)."""
        self.store.ensure_groups(GROUP)
        self._groups_ready = True

    # -- cards that went stale ---------------------------------------------------------
    @property
    def _stale_key(self) -> str:
        return worker_keys.stale_cards(self.store.keys.prefix)

    def mark_stale(self, request_ids: Iterable[str]) -> None:
        """These requests' cards no longer tell the truth (a warning went out, a target was
        breached): re-render them when the rate allows (``refresh_stale``)."""
        ids = sorted(set(request_ids))
        if ids:
            self.redis.zadd(self._stale_key, dict.fromkeys(ids, time.time()), nx=True)

    def refresh_stale(self) -> str | None:
        """Re-render the card that has been stale longest, if no worker did one in the last
        ``CARD_REFRESH_INTERVAL`` seconds (chat.update allows about 50 a minute): a storm of
        breaches trails its card updates behind it and never delays a notice."""
        if not self.redis.zcard(self._stale_key):
            return None
        if not self.redis.set(worker_keys.stale_cards_slot(self.store.keys.prefix), "1", nx=True, px=int(CARD_REFRESH_INTERVAL * 1000)):
            return None
        popped = self.redis.zpopmin(self._stale_key, 1)
        if not popped:
            return None
        rid = _text(popped[0][0])
        if self._refresh(rid) > 1:  # two cards, two chat.update calls: the next slot waits twice as long
            self.redis.pexpire(worker_keys.stale_cards_slot(self.store.keys.prefix), int(2 * CARD_REFRESH_INTERVAL * 1000))
        return rid

    # -- running ---------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self._groups_ready:
                    self.ensure_groups()
                self.step()
            except redis_py.ResponseError as e:
                if "NOGROUP" in str(e):
                    self._groups_ready = False  # an account added since (or a flushed Redis)
                    continue
                log.exception("publisher: Redis refused a command; will retry")
                self._stop.wait(0.5)
            except redis_py.RedisError as e:
                log.warning("publisher: Redis unavailable (%s); retrying", e)
                self._groups_ready = False
                self._stop.wait(0.5)
            except Exception:  # keep publishing; the entry stays pending and is claimed again
                log.exception("publisher: unexpected error; will retry")
                self._stop.wait(0.5)

    def step(self, block: float | None = None) -> int:
        """Handle what is new (waiting up to ``block`` seconds for it), what waits for a card,
        and what another publisher left pending for too long. Returns entries acknowledged."""
        done = 0
        now = time.monotonic()
        if now >= self._next_claim:
            self._next_claim = now + max(self.claim_idle / 3, 0.05)
            done += self._claim()
        if self._awaiting:
            waiting = list(self._awaiting.items())
            self._awaiting.clear()
            done += self._handle_all(waiting)
        self.refresh_stale()
        wait = self.block if block is None else block
        if self._awaiting:
            wait = min(wait, self.retry_every)
        resp = self.redis.xreadgroup(GROUP, self.consumer, dict.fromkeys(self.streams(), ">"),
                                     count=self.batch, block=max(int(wait * 1000), 1) if wait > 0 else None)
        for stream, entries in stream_replies(resp):
            s = _text(stream)
            done += self._handle_all([((s, _text(eid)), fields) for eid, fields in entries if fields])
        return done

    def drain(self, timeout: float = 30.0) -> None:
        """Publish everything written so far, in this thread (tests, benchmarks)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.step(block=0)
            if not self._awaiting and not self.pending():
                return
            time.sleep(0.02)

    def pending(self) -> int:
        """Entries handed out and not yet acknowledged, over every stream."""
        total = 0
        for key in self.streams():
            try:
                total += int(self.redis.xpending(key, GROUP)["pending"])
            except redis_py.ResponseError:
                continue  # no group yet
        return total

    def _claim(self) -> int:
        """Take over entries left pending (a publisher died, or one waits for its card)."""
        done = 0
        idle_ms = int(self.claim_idle * 1000)
        for key in self.streams():
            start = "0-0"
            for _page in range(100):
                try:
                    res = self.redis.xautoclaim(key, GROUP, self.consumer, idle_ms, start_id=start, count=self.batch)
                except redis_py.ResponseError:
                    break  # no group yet
                start, entries = _text(res[0]), res[1]
                entries = [((key, _text(eid)), fields) for eid, fields in entries if fields]
                entries = [e for e in entries if e[0] not in self._awaiting]
                if entries:
                    log.info("publisher: claimed %d pending entries of %s", len(entries), key)
                    done += self._handle_all(entries)
                if start == "0-0":
                    break
        return done

    # -- one batch -------------------------------------------------------------------
    def _handle_all(self, entries: list[tuple[tuple[str, str], Any]]) -> int:
        refresh: set[str] = set()
        acked = 0
        by_stream: dict[str, list[str]] = {}
        for (stream, eid), fields in entries:
            try:
                finished = self.handle(stream, eid, fields, refresh)
            except redis_py.RedisError:
                raise
            except Exception:  # noqa: BLE001 - this entry stays pending (claimed again later); the others go on
                log.exception("publisher: entry %s of %s failed; it stays pending", eid, stream)
                continue
            if finished:
                by_stream.setdefault(stream, []).append(eid)
            else:
                self._awaiting[(stream, eid)] = fields
        for rid in sorted(refresh):
            self._refresh(rid)
        for stream, ids in by_stream.items():
            acked += int(self.redis.xack(stream, GROUP, *ids))
        return acked

    def handle(self, stream: str, eid: str, fields: Any, refresh: set[str]) -> bool:
        """Queue what entry ``eid`` calls for. False: not finished, try again later."""
        from slackops.slack.flows import announcements

        f = {_text(k): v for k, v in fields.items()}
        rid = _text(f["r"])
        event = codec.decode_event(f["e"], eid)
        if event.actor in WORKER_ACTORS:
            return True  # its notices and card refresh are the worker's own
        try:
            req = self.store.get(rid)
        except NotFound:
            return True
        channel = req.card_channel or req.channel
        if not channel:
            log.error("%s: no channel to publish %s in", rid, event.type)
            return True
        card = {} if req.card_ts else self.outbox.state(card_notice_id(rid))
        card_ts = self.card_ts(req, card)
        notices: list[Notice] = []
        now = self.clock()
        if not card_ts and not card:  # render the card once: a queued one is not queued again
            notices.append(self._card_notice(req, now))
        policy = self.store.policy(req.policy)
        permalink = self._permalink(channel, card_ts) if card_ts and event.type in ("escalated", "appealed") else None
        for said in announcements(self.config, policy, req, event.type, event.actor, dict(event.data),
                                  permalink=permalink):
            nid = f"ev|{eid}|{said.key}"
            kind = f"{event.type}:{said.key}"
            text = said.message.get("text", "")
            blocks = list(said.message.get("blocks") or [])
            if said.dm_to:
                notices.append(Notice(id=nid, dest=said.dm_to, text=text, blocks=blocks, digestible=False,
                                      request_id=rid, kind=kind))
            else:
                notices.append(Notice(id=nid, dest=channel, text=text, blocks=blocks, digestible=False,
                                      thread_ts=card_ts, thread_of="" if card_ts else card_notice_id(rid),
                                      broadcast=said.broadcast, request_id=rid, kind=kind))
        finished = self._agents_card(req, policy, card_ts, now, notices) or event.type != "submitted"
        source_ts = (req.fields or {}).get("source_ts")
        if event.type == "submitted" and source_ts and req.source == "reaction":
            if card_ts:  # the reply under the ticketed message links to the card
                notices.append(self._source_reply(req, eid, str(source_ts), self._permalink(channel, card_ts)))
            else:
                finished = False
        self.outbox.add_many(notices, now.timestamp())
        if event.type == "escalation_acknowledged":
            self._acknowledged(req, policy, event)
        if card_ts and event.type != "submitted":
            refresh.add(rid)
        return finished

    def _acknowledged(self, req: Request, policy: Any, event: Any) -> None:
        """Every DM of the acknowledged level says who took it (again, harmlessly, if this
        entry is handled twice; one Slack refuses for now leaves the entry pending)."""

        level = int(event.data.get("level") or req.escalation_acknowledged or 0)
        ids = level_dm_ids(self.config, policy, req, self.store.history(req.id), level)
        update_level_dms(self.outbox.client, self.outbox, ids, ack_note(event.actor, level))

    # -- the card --------------------------------------------------------------------
    def card_ts(self, req: Request, state: dict[str, str] | None = None) -> str | None:
        """Where the request's card is: the store's record, else the card notice's (a
        lost after-sent hook, repaired here). ``state``: the card notice's, if already read."""
        if req.card_ts:
            return str(req.card_ts)
        if state is None:
            state = self.outbox.state(card_notice_id(req.id))
        if state.get("state") == "sent" and state.get("ts"):
            self.store.set_card(req.id, cast(str, state.get("channel") or req.channel), state["ts"])
            return state["ts"]
        return None

    def _agents_card(self, req: Any, policy: Any, card_ts: str | None, now: datetime, notices: list[Notice]) -> bool:
        """Queue the request's agents' card if it has none yet (and should). False: it
        waits for the customer card (it links to its thread)."""
        from slackops.slack.cards import triage_channel

        dest = triage_channel(self.config, policy, req)
        if not dest or req.triage_ts:
            return True
        state = self.outbox.state(triage_notice_id(req.id))
        if state:
            if state.get("state") == "sent" and state.get("ts"):  # a lost after-sent hook, repaired here
                self.store.set_triage_card(req.id, state.get("channel") or dest, state["ts"])
            return True
        if not card_ts:
            return False
        notices.append(self._triage_notice(replace(req, card_ts=card_ts), dest, now))
        return True

    def card_posted(self, ids: list[str], channel: str, ts: str) -> None:
        """The outbox's after-sent hook: a card went out (remember where), or the "Open a
        request" message the app queued when it joined a shared channel (pin it)."""
        for nid in ids:
            if nid.startswith("card|"):
                req = self.store.set_card(nid[len("card|"):], channel, ts)
                self._queue_agents_card(req)
            elif nid.startswith("triage|"):
                self.store.set_triage_card(nid[len("triage|"):], channel, ts)
            elif nid.startswith("intro|"):
                try:
                    self.client.pins_add(channel=channel, timestamp=ts)
                except SlackApiError as e:  # already pinned, or no right to pin: the message stands
                    log.warning("%s: could not pin the open button: %s", channel, e.response.get("error"))
            elif nid.startswith("ev|") and nid.endswith("|" + ACCEPTED_KEY):
                self._acknowledgement_sent(nid, ts)

    def _acknowledgement_sent(self, nid: str, ts: str) -> None:
        """The customer has the acknowledgement of their request: that is its first response,
        at the time Slack took the message (once: a redelivered hook finds it recorded)."""

        notice = self.outbox.notice(nid)
        rid = notice.request_id if notice else ""
        if not rid:
            return
        try:
            req = self.store.get(rid)
            if req.first_response_at is not None or not req.is_open:
                return  # an agent answered first, or it is already over
            self.store.apply(rid, Event("first_response", "system", self.clock(), {"ts": ts, "by": "acknowledgement"}),
                             idempotency_key=f"acknowledged:{nid}")
        except DomainError as e:
            log.info("%s: acknowledgement sent, first response not recorded: %s", rid, e)
            return
        self.mark_stale([rid])  # its cards now show the first response met

    def _queue_agents_card(self, req: Any) -> None:
        """Right after the customer card is posted, queue the agents' card (it links to the
        customer's thread). Best effort: the request's ``submitted`` entry stays pending until
        the agents' card is queued, so a publisher queues it if this hook is lost."""
        try:
            now = self.clock()
            notices: list[Notice] = []
            self._agents_card(req, self.store.policy(req.policy), req.card_ts, now, notices)
            if notices:
                self.outbox.add_many(notices, now.timestamp())
        except Exception:  # noqa: BLE001 - the publisher's pending entry queues it instead
            log.exception("%s: agents' card not queued after its customer card; the publisher will", req.id)

    def _card_notice(self, req: Any, now: datetime) -> Notice:
        from slackops.slack.cards import customer_card_message

        text, blocks = customer_card_message(self.store, req, now)
        return Notice(id=card_notice_id(req.id), dest=req.channel, text=text, blocks=blocks,
                      digestible=False, request_id=req.id, kind="card")

    def _triage_notice(self, req: Any, dest: str, now: datetime) -> Notice:
        from slackops.slack.cards import agents_card_message

        text, blocks = agents_card_message(self.store, req, now)
        return Notice(id=triage_notice_id(req.id), dest=dest, text=text, blocks=blocks,
                      digestible=False, request_id=req.id, kind="card:agents")

    def _refresh(self, rid: str) -> int:
        """Re-render the request's cards; returns how many it has (chat.update calls)."""
        from slackops.slack.cards import refresh_cards

        try:
            return refresh_cards(self.store, self.client, rid, now=self.clock())
        except SlackApiError as e:
            log.warning("%s: card update failed: %s", rid, e.response.get("error"))
        except Exception as e:  # noqa: BLE001 - a view of the store; the next change renders it again
            log.warning("%s: card not refreshed: %s", rid, e)
        return 1

    def _permalink(self, channel: str, ts: str) -> str | None:
        try:
            return str(self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
        except Exception:  # noqa: BLE001 - a message without a link is better than none
            return None

    def _source_reply(self, req: Request, eid: str, source_ts: str, link: str | None) -> Notice:
        from slackops.slack.blocks.card import priority_label
        from slackops.slack.blocks.messages import thread_message

        lang = req.language or "en"
        policy = self.store.policy(req.policy)
        msg = thread_message(t(lang, "reaction.opened", id=req.id, link=link or req.id,
                               priority=escape(priority_label(policy, req.priority))))
        return Notice(id=f"ev|{eid}|source", dest=cast(str, req.channel), text=msg["text"], blocks=list(msg["blocks"]),
                      thread_ts=source_ts, digestible=False, request_id=req.id, kind="submitted:source")


def stream_replies(resp: Any) -> list[tuple[Any, list[Any]]]:
    """XREAD / XREADGROUP's reply as ``[(stream, entries)]``, whichever protocol spoke it:
    RESP2 gives ``[[stream, entries], ...]``; redis-py's RESP3 reading gives
    ``{stream: [entries]}``, the entries one list deeper."""
    if not resp:
        return []
    if isinstance(resp, dict):
        out = []
        for stream, value in resp.items():
            entries = value[0] if value and isinstance(value[0], list) else value
            out.append((stream, list(entries or [])))
        return out
    return [(stream, list(entries or [])) for stream, entries in resp]
