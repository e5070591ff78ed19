"""Redis key names of the notices' delivery (the outbox and its pacing), one documented
template each (rq's style, as in :mod:`slackops.requests.keys`).

Every key starts with the desk's prefix (``slackops`` by default, ``SLACKOPS_PREFIX``);
``{dest}`` is a channel or user id, ``{id}`` a notice id.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NoticeKeys", "PACE"]

#: Where the outbox keeps everything: every key below but ``PACE`` starts with it.
OUTBOX = "{prefix}:w:out"
#: One notice: its JSON and its delivery state (a hash: ``state`` queued/sent/void, ``ts``...).
NOTICE = OUTBOX + ":n:{id}"
#: A destination's queue of notice ids, scored by the instant each became due.
QUEUE = OUTBOX + ":q:{dest}"
#: The foldable (digestible) notices of a destination's queue, also in the queue itself:
#: whether a digest is due is one ZCARD, not a scan of the whole backlog.
QUEUE_FOLDABLE = OUTBOX + ":qf:{dest}"
#: What a worker is posting to a destination right now (the intent: a hash).
INFLIGHT = OUTBOX + ":inflight:{dest}"
#: Which worker holds a destination (SET NX PX: a dead worker's lease runs out).
LEASE = OUTBOX + ":lease:{dest}"
#: Destinations with notices waiting (a sorted set, by the oldest one's due instant).
DESTS = OUTBOX + ":dests"
#: Each channel's last message seen (``ts``): where to look for a post that may have landed.
WATERMARKS = OUTBOX + ":wm"
#: Notices Slack refused for good (a list of JSON records).
FAILED = OUTBOX + ":failed"
#: Named in the record script's keys (a post's outcome), never written: kept so that the
#: script's key list stays as deployed scripts expect.
SENT = OUTBOX + ":sent"
#: A user's DM channel, once opened (a hash: user id -> channel id).
DM_CHANNELS = OUTBOX + ":dm"
#: The per-channel pacing: when each channel may next be posted in (a hash).
PACE = "{prefix}:w:pace"


@dataclass(frozen=True)
class NoticeKeys:
    """The key names under one prefix."""

    prefix: str = "slackops"

    @property
    def outbox(self) -> str:
        return OUTBOX.format(prefix=self.prefix)

    def notice(self, notice_id: str) -> str:
        return NOTICE.format(prefix=self.prefix, id=notice_id)

    def queue(self, dest: str) -> str:
        return QUEUE.format(prefix=self.prefix, dest=dest)

    def queue_foldable(self, dest: str) -> str:
        return QUEUE_FOLDABLE.format(prefix=self.prefix, dest=dest)

    def inflight(self, dest: str) -> str:
        return INFLIGHT.format(prefix=self.prefix, dest=dest)

    def lease(self, dest: str) -> str:
        return LEASE.format(prefix=self.prefix, dest=dest)

    @property
    def dests(self) -> str:
        return DESTS.format(prefix=self.prefix)

    @property
    def watermarks(self) -> str:
        return WATERMARKS.format(prefix=self.prefix)

    @property
    def failed(self) -> str:
        return FAILED.format(prefix=self.prefix)

    @property
    def sent(self) -> str:
        return SENT.format(prefix=self.prefix)

    @property
    def dm_channels(self) -> str:
        return DM_CHANNELS.format(prefix=self.prefix)

    @property
    def pace(self) -> str:
        return PACE.format(prefix=self.prefix)
