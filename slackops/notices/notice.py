"""A notice: one message owed to one place (a channel, a thread, a person's DMs)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["Notice", "notice_id", "job_safe"]


def notice_id(alarm_member: str, dest: str, part: str = "") -> str:
    """Deterministic: the same alarm (request id | checkpoint key | due or warn:fraction,
    the deadline index's member) owed to the same place always has the same id."""
    return f"{alarm_member}|{dest}{'|' + part if part else ''}"


def job_safe(text: str) -> str:
    """rq job ids take letters, digits, ``_`` and ``-`` only."""
    return hashlib.sha1(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Notice:
    id: str
    dest: str  # channel id (C/G/D...) or a user id (U/W...) for a DM
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    line: str = ""  # one line for a digest
    thread_ts: str | None = None
    digestible: bool = True  # thread replies are never folded into a digest
    due_at: float = 0.0  # epoch seconds of the instant that made it due
    request_id: str = ""
    kind: str = ""
    recheck: dict[str, Any] | None = None  # the alarm, re-checked if the notice waited
    thread_of: str = ""  # a notice whose message is this thread's root (a request's card, not yet posted)
    broadcast: bool = False  # a thread reply also shown in the channel (reply_broadcast)
    rank: int = 0  # an alarm's priority rank (1 = most urgent): alarms go first, the most urgent first

    def urgency(self, now: float) -> float:
        """Its place among the foldable notices (alarms) of its destination: by priority rank,
        then by due instant."""
        return (self.rank or 99) * 1e10 + (self.due_at or now)

    def to_json(self) -> str:
        # a shallow dict: dataclasses.asdict deep-copies the blocks, and this runs per notice
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Notice:
        return cls(**json.loads(raw))
