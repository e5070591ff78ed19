"""What to do when an alarm of the deadline index falls due.

Load the request, recompute its timeline with the pure core at ``now`` and act only
if the alarm's reason still holds:

- ``warn`` (a ``warn_at`` fraction): a pre-breach warning (a reminder, for an update or
  a critical-issue notice) to the priority's channel and the assignee;
- ``due`` of a target: the breach alert, same places;
- ``due`` of ``critical_notice`` with no notice sent by an agent: the policy's default
  notice to the customer's contacts in the request's thread, ``critical_notice_sent``
  recorded, and the agents told;
- ``due`` of an escalation step: ``escalated`` (level, by "policy"), DMs to the managers
  of the step's roles, a ping in the priority's channel;
- ``due`` of ``auto_upgrade``: ``reclassified`` to the new priority by "system", the
  customer told in the thread, the new priority's channel pinged.

Actions that change the request are recorded as an intent first (the notices they owe,
in Redis) so that a worker killed between the change and the notices still sends them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from slackops.notices import routing
from slackops.notices.notice import Notice, notice_id
from slackops.notices.outbox import SENT_TTL
from slackops.slack.blocks import notices as nb

from .context import WorkerContext

if TYPE_CHECKING:
    from slackops.policy import AutoUpgrade, Checkpoint, Policy
    from slackops.requests import Alarm, Request

__all__ = ["AlarmRef", "handle", "still_holds", "recheck"]

log = logging.getLogger("slackops.workers.alarms")

TOLERANCE = timedelta(seconds=1.5)
"""How far a recomputed instant may be from the alarm's score and still be the same alarm
(the index keeps epoch seconds; rq keeps whole seconds)."""

ACTING_KINDS = ("critical_notice", "escalation", "auto_upgrade")
"""Checkpoint kinds whose due alarm changes the request (and so records an intent first)."""

POLICY_ACTOR = "policy"
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class AlarmRef:
    """An alarm as plain data (what RQ jobs carry): the store's ``Alarm`` fields."""

    request_id: str
    checkpoint_key: str
    kind: str
    alarm: str  # "warn" | "due"
    at: float  # epoch seconds
    member: str
    fraction: float | None = None

    @classmethod
    def of(cls, a: Alarm) -> AlarmRef:
        at = a.at.timestamp() if isinstance(a.at, datetime) else float(a.at)
        return cls(a.request_id, a.checkpoint_key, a.kind, a.alarm, at, a.member, getattr(a, "fraction", None))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def at_dt(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)

    def store_alarm(self) -> Alarm:
        """The store's own ``Alarm`` for ``alarm_done``."""
        from slackops.requests import Alarm

        return Alarm(request_id=self.request_id, checkpoint_key=self.checkpoint_key, kind=self.kind,
                     alarm=self.alarm, fraction=self.fraction, at=self.at_dt, member=self.member)


def _close(a: datetime, b: datetime) -> bool:
    return abs(a - b) <= TOLERANCE


def still_holds(cp: Checkpoint | None, alarm: AlarmRef, now: datetime) -> bool:
    """Is the alarm's reason true at ``now`` for the recomputed checkpoint ``cp``?"""
    if cp is None:
        return False
    at = alarm.at_dt
    if alarm.alarm == "warn":
        return cp.state == "pending" and now < cp.due_at and any(_close(w, at) for w in cp.warn_at)
    return cp.state == "breached" and _close(cp.due_at, at)


def _load(ctx: WorkerContext, alarm: AlarmRef, now: datetime) -> tuple[Request, Checkpoint | None, list[Checkpoint]] | None:
    from slackops.requests import NotFound

    try:
        req = ctx.store.get(alarm.request_id)
    except NotFound:
        return None
    if not req.is_open:
        return None
    cps = ctx.store.timeline(req, now)
    cp = next((c for c in cps if c.key == alarm.checkpoint_key), None)
    return req, cp, cps


def recheck(ctx: WorkerContext, n: Notice, now_epoch: float) -> bool:
    """The outbox's last look before a notice that waited goes out."""
    if not n.recheck:
        return True
    alarm = AlarmRef(**n.recheck)
    now = datetime.fromtimestamp(now_epoch, UTC)
    loaded = _load(ctx, alarm, now)
    if loaded is None:
        return False
    _req, cp, _ = loaded
    if alarm.alarm == "warn":
        # a warning that arrives after the breach is noise: the breach alert says it
        return still_holds(cp, alarm, now)
    return cp is not None and cp.state == "breached"


def _marker(ctx: WorkerContext, alarm: AlarmRef) -> str:
    return f"{ctx.prefix}:w:acted:{alarm.member}"


def handle(ctx: WorkerContext, alarm: AlarmRef, now: datetime,
           later: list[tuple[list[Notice], AlarmRef]] | None = None) -> str:
    """Act on one due alarm; returns what happened (for logs and tests).

    With ``later``, the notices to queue and the alarm to clear are appended to it instead
    (the caller queues a whole batch in one round trip, then clears the alarms)."""
    if now < alarm.at_dt:
        return "early"
    marker = _marker(ctx, alarm)
    # only the alarms that change the request leave a marker (one round trip saved for the rest)
    acts = alarm.alarm == "due" and alarm.kind in ACTING_KINDS
    saved = ctx.redis.get(marker) if acts else None
    if saved is not None:
        # a previous run decided and recorded the change; finish its work
        plan = json.loads(saved)
        return _finish(ctx, alarm, [Notice(**n) for n in plan["notices"]], plan.get("event"), now, later)
    loaded = _load(ctx, alarm, now)
    if loaded is None:
        ctx.store.alarm_done(alarm.store_alarm())
        return "closed"
    req, cp, _ = loaded
    if not still_holds(cp, alarm, now):
        if cp is not None and cp.state == "pending" and cp.due_at > now and alarm.alarm == "due":
            return "moved"  # the store rescheduled this alarm: leave the new instant alone
        ctx.store.alarm_done(alarm.store_alarm())
        return "stale"
    policy = ctx.policy_for(req)
    notices, event = plan_notices(ctx, policy, req, cast("Checkpoint", cp), alarm, now)  # still_holds: not None
    if event is not None:
        ctx.redis.set(marker, json.dumps({"notices": [n.__dict__ for n in notices], "event": event}), ex=SENT_TTL)
    return _finish(ctx, alarm, notices, event, now, later)


def _finish(ctx: WorkerContext, alarm: AlarmRef, notices: list[Notice], event: dict[str, Any] | None, now: datetime,
            later: list[tuple[list[Notice], AlarmRef]] | None = None) -> str:
    from slackops.requests import DomainError, Event

    if event is not None:
        try:
            ctx.store.apply(alarm.request_id, Event(type=event["type"], actor=event["actor"], at=now, data=event["data"]),
                            idempotency_key=f"w:{alarm.member}")
        except DomainError as e:
            # the request changed under us (resolved, already upgraded): its reason no longer holds
            log.info("%s: %s not applied: %s", alarm.member, event["type"], e)
            ctx.store.alarm_done(alarm.store_alarm())
            ctx.redis.delete(_marker(ctx, alarm))
            return "stale"
        _refresh_card(ctx, alarm.request_id, now)
    if later is not None:
        later.append((notices, alarm))
        return "sent" if notices else "nothing"
    ctx.outbox.add_many(notices, now.timestamp())
    ctx.store.alarm_done(alarm.store_alarm())
    return "sent" if notices else "nothing"


def _refresh_card(ctx: WorkerContext, request_id: str, now: datetime) -> None:
    """Show the change (new priority, escalation level) on the request's card; best effort:
    the card is a view of the store, the next change re-renders it anyway."""
    try:
        from slackops.slack.flows import refresh_card

        refresh_card(ctx.store, ctx.outbox.client, request_id, now=now)
    except Exception as e:  # noqa: BLE001 - a card that cannot be updated must not stop the notices
        log.info("%s: card not refreshed: %s", request_id, e)


def _facts(ctx: WorkerContext, policy: Policy, req: Request, cp: Checkpoint, now: datetime) -> nb.NoticeFacts:
    acct = ctx.config.account(req.account)
    channel, ts = routing.thread(req)
    return nb.NoticeFacts(
        request_id=req.id, customer=acct.name if acct else req.account, title=req.title,
        priority=req.priority, what=cp.kind, due_at=cp.due_at, now=now, submitted_at=req.submitted_at,
        tz=getattr(policy, "timezone", "UTC") or "UTC", target=cp.target or None, assignee=req.assignee,
        level=cp.level, permalink=routing.permalink(channel, ts),
    )


def plan_notices(ctx: WorkerContext, policy: Policy, req: Request, cp: Checkpoint, alarm: AlarmRef,
                 now: datetime) -> tuple[list[Notice], dict[str, Any] | None]:
    """The notices an alarm owes, and the change to the request it makes (if any)."""
    f = _facts(ctx, policy, req, cp, now)
    due = alarm.at
    ref = alarm.to_dict()
    out: list[Notice] = []

    def to(dests: list[str], msg: nb.Message, *, kind: str, check: bool = True, digestible: bool = True,
           thread_ts: str | None = None) -> None:
        for d in dests:
            out.append(Notice(id=notice_id(alarm.member, d), dest=d, text=msg.text, blocks=msg.blocks, line=msg.line,
                              thread_ts=thread_ts, digestible=digestible, due_at=due, request_id=req.id, kind=kind,
                              recheck=ref if check else None))

    team = routing.team(ctx.config, policy, req)
    if alarm.alarm == "warn":
        to(team, nb.warning(f, alarm.fraction), kind="warning")
        return out, None
    if cp.kind == "critical_notice":
        lang = req.language if req.language in policy.critical_notice_text else "en"
        text = policy.critical_notice_text.get(lang) or next(iter(policy.critical_notice_text.values()), "")
        acct = ctx.config.account(req.account)
        contacts = list(acct.contacts) if acct else []
        channel, ts = routing.thread(req)
        to([channel], nb.critical_notice_customer(text, contacts), kind="critical_notice", check=False,
           digestible=False, thread_ts=ts)
        to(team, nb.critical_notice_agents(f), kind="critical_notice_agents", check=False)
        return out, {"type": "critical_notice_sent", "actor": SYSTEM_ACTOR, "data": {"text": text, "by": "policy"}}
    if cp.kind == "escalation":
        roles = tuple(cp.notify)
        dm = nb.escalation_dm(f, roles)
        to(routing.managers(ctx.config, roles), dm, kind="escalation", check=False)
        ch = routing.priority_channel(ctx.config, policy, req.priority)
        if ch:
            to([ch], nb.escalation_channel(f, roles), kind="escalation", check=False)
        event: dict[str, Any] | None = {"type": "escalated", "actor": POLICY_ACTOR,
                 "data": {"level": cp.level, "by": "policy", "reason": f"policy escalation step {cp.level} ({cp.target})"}}
        if (req.escalation_level or 0) >= (cp.level or 0):
            event = None  # already at this level (a customer escalated): tell, do not apply twice
        return out, event
    if cp.kind == "auto_upgrade":
        new = cp.notify[0] if cp.notify else cast("AutoUpgrade", policy.priority(req.priority).auto_upgrade).to
        channel, ts = routing.thread(req)
        to([channel], nb.auto_upgrade_customer(req.priority, new, req.language), kind="auto_upgrade",
           check=False, digestible=False, thread_ts=ts)
        ch = routing.priority_channel(ctx.config, policy, new)
        if ch:
            to([ch], nb.auto_upgrade_channel(f, new), kind="auto_upgrade", check=False)
        reason = f"not identified within {cp.target}: the policy raises {req.priority} to {new}"
        return out, {"type": "reclassified", "actor": SYSTEM_ACTOR,
                     "data": {"from": req.priority, "to": new, "reason": reason, "justification": reason, "by": "system"}}
    to(team, nb.breach(f), kind="breach")
    return out, None
