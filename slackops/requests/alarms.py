"""The alarm planner and the deadline index.

After every change the store asks :func:`plan` for the request's alarms at that instant
(pure: the policy's timeline of the request, its warn fractions, a resolved request's
reminder and unconfirmed close) and writes them into the deadline index in the same
script as the change (:meth:`AlarmIndex.replace_ops`). The workers read the index
(:meth:`AlarmIndex.due`) and clear what they handled, for good (:meth:`AlarmIndex.done`).

The deadline index (``Keys.deadlines``) holds one member per alarm,
``{request_id}|{checkpoint_key}|warn:{fraction}`` or ``...|due``, scored by epoch
seconds: pending checkpoints get their warn instants and due instant; met or void ones get
none; a breached checkpoint keeps its due alarm until the workers have handled it, and
never gets it back after that. A resolved request its customer has not confirmed has two
alarms of its own (``UNCONFIRMED``): the reminder and the instant it closes by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import redis as redis_py

from slackops.requests import codec
from slackops.requests.contracts import judged
from slackops.requests.keys import Keys
from slackops.requests.model import Request, Status, utc
from slackops.requests.scripts import ALARM_DONE

if TYPE_CHECKING:
    from slackops.policy import Checkpoint, Policy

__all__ = ["UNCONFIRMED", "Alarm", "AlarmIndex", "alarm_member", "plan", "score"]

#: The alarms of a resolved request its customer has not confirmed (its ``checkpoint_key``).
UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class Alarm:
    """One entry of the deadline index: a warning or a due instant of a checkpoint."""

    request_id: str
    checkpoint_key: str
    kind: str
    alarm: str  # "warn" | "due"
    fraction: float | None
    at: datetime
    member: str

    @classmethod
    def from_member(cls, member: str | bytes, score: float) -> Alarm:
        text = member.decode() if isinstance(member, bytes) else member
        request_id, key, what = text.split("|", 2)
        fraction = float(what.split(":", 1)[1]) if what.startswith("warn:") else None
        return cls(
            request_id=request_id, checkpoint_key=key, kind=key.split(":", 1)[0],
            alarm="warn" if fraction is not None else "due", fraction=fraction,
            at=datetime.fromtimestamp(score, tz=UTC), member=text,
        )

    @property
    def suffix(self) -> str:
        return self.member.split("|", 1)[1]


def alarm_member(request_id: str, checkpoint_key: str, fraction: float | None = None) -> str:
    what = "due" if fraction is None else f"warn:{fraction:g}"
    return f"{request_id}|{checkpoint_key}|{what}"


def score(at: datetime) -> str:
    """An instant as the index's score: epoch seconds, to the millisecond."""
    return f"{codec.to_ms(at) / 1000:.3f}"


def plan(policy_of: Callable[[str], Policy], req: Request, now: datetime) -> tuple[dict[str, str], dict[str, str]]:
    """The request's alarms after a change at ``now``, as ``{suffix: score}``.

    ``future``: instants after ``now`` (always set). ``conditional``: instants already
    reached that the workers have not handled yet (set unless in the done-alarms set).
    """
    future: dict[str, str] = {}
    conditional: dict[str, str] = {}
    if req.status is Status.resolved and req.resolved_at is not None:
        # resolved, not yet confirmed: a reminder in the thread, then it closes by itself
        pair = policy_of(req.policy).unconfirmed_close(req.resolved_at)
        if pair is not None:
            remind, close = pair
            key = f"{UNCONFIRMED}:{codec.to_ms(req.resolved_at)}"  # one pair per resolution
            if remind < close:
                (future if remind > now else conditional)[f"{key}|warn:1"] = score(remind)
            (future if close > now else conditional)[f"{key}|due"] = score(close)
        return future, conditional
    if not req.is_open:
        return future, conditional
    policy = policy_of(req.policy)
    # with what an earlier contract decided kept (requests.contracts)
    for cp in judged(req, policy.timeline(**req.timeline_facts(), now=now)):
        if cp.state == "pending":
            fractions = _warn_fractions(policy, cp)
            for frac, at in zip(fractions, cp.warn_at, strict=False):
                suffix = f"{cp.key}|warn:{frac:g}"
                (future if at > now else conditional)[suffix] = score(at)
            (future if cp.due_at > now else conditional)[f"{cp.key}|due"] = score(cp.due_at)
        elif cp.state == "breached" and cp.met_at is None:
            conditional[f"{cp.key}|due"] = score(cp.due_at)
    return future, conditional


def _warn_fractions(policy: Policy, cp: Checkpoint) -> tuple[float, ...]:
    try:
        return tuple(policy.priority(cp.priority).warn_at)
    except Exception:  # noqa: BLE001 - a checkpoint without a priority has no warnings
        return ()


class AlarmIndex:
    """The deadline index of one desk (``keys``)."""

    def __init__(self, redis: redis_py.Redis[bytes], keys: Keys) -> None:
        self.redis = redis
        self.keys = keys
        self._done = redis.register_script(ALARM_DONE)

    def replace_ops(self, ops: list[list[str]], rid: str, old_alarms: Iterable[str],
                    future: dict[str, str], conditional: dict[str, str]) -> list[str]:
        """Append to ``ops`` the commands that replace the request's alarms with ``future``
        (the ``conditional`` ones are set by the write script unless already handled);
        returns all of the request's alarms."""
        alarms = sorted(set(future) | set(conditional))
        gone = set(old_alarms) - set(alarms)
        if gone:
            ops.append(["ZREM", self.keys.deadlines, *(f"{rid}|{x}" for x in sorted(gone))])
        for suffix, at in future.items():
            ops.append(["ZADD", self.keys.deadlines, at, f"{rid}|{suffix}"])
        return alarms

    def due(self, now: datetime, limit: int = 1000) -> list[Alarm]:
        """Alarms whose instant is ``now`` or earlier, oldest first."""
        found = self.redis.zrangebyscore(
            self.keys.deadlines, "-inf", score(utc(now)), start=0, num=limit, withscores=True
        )
        return [Alarm.from_member(m, s) for m, s in found]

    def done(self, alarm: Alarm) -> bool:
        """Take ``alarm`` out of the deadline index for good; False if it moved or went meanwhile."""
        return bool(self._done(
            keys=[self.keys.deadlines, self.keys.alarms_done(alarm.request_id)],
            args=[alarm.member, alarm.suffix, f"{alarm.at.timestamp():.3f}"],
        ))
