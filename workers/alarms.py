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
  customer told in the thread, the new priority's channel pinged;
- a resolved request its customer has not confirmed (``unconfirmed:…``): ``warn``, a
  reminder in its thread with the Confirm button; ``due``, ``closed`` by "policy".

Actions that change the request record the change and queue the notices it owes in one
atomic write: no history says a notice was sent that is not in the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from slackops.notices import messages as nb
from slackops.notices import routing
from slackops.notices.due import format_left, unconfirmed_close
from slackops.notices.escalations import already_told
from slackops.notices.notice import Notice, notice_id
from slackops.notices.survey import survey_message
from slackops.requests import Alarm, DomainError, Event, NotFound
from slackops.requests.alarms import UNCONFIRMED

from .context import WorkerContext
from .escalations import on_call_note, repeat_of, repeated
from .publisher import card_notice_id

if TYPE_CHECKING:
    from slackops.policy import Checkpoint, Policy
    from slackops.requests import Alarm, Request

__all__ = ["AlarmRef", "handle", "still_holds", "recheck"]

log = logging.getLogger("slackops.workers.alarms")

TOLERANCE = timedelta(seconds=1.5)
"""How far a recomputed instant may be from the alarm's score and still be the same alarm
(the index keeps epoch seconds; rq keeps whole seconds)."""

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
    if alarm.kind == UNCONFIRMED:
        return _unconfirmed_holds(ctx, alarm, now) is not None
    loaded = _load(ctx, alarm, now)
    if loaded is None:
        return False
    _req, cp, _ = loaded
    if alarm.alarm == "warn":
        # a warning that arrives after the breach is noise: the breach alert says it
        return still_holds(cp, alarm, now)
    return cp is not None and cp.state == "breached"


def _cadence(alarm: AlarmRef, cps: list[Any]) -> bool:
    """Is this the due alarm of a cycle with another pending after it (``update:2`` after ``update:1``)?"""
    return alarm.alarm == "due" and any(
        c.kind == alarm.kind and c.key != alarm.checkpoint_key and c.state == "pending" for c in cps)


def handle(ctx: WorkerContext, alarm: AlarmRef, now: datetime,
           later: list[tuple[list[Notice], AlarmRef]] | None = None) -> str:
    """Act on one due alarm; returns what happened (for logs and tests).

    With ``later``, the notices to queue and the alarm to clear are appended to it instead
    (the caller queues a whole batch in one round trip, then clears the alarms). An alarm
    that changes the request is finished here: the change and its notices are one write."""
    if now < alarm.at_dt:
        return "early"
    ctx.crash("job:start", alarm.kind)
    if alarm.kind == UNCONFIRMED:
        return _unconfirmed(ctx, alarm, now, later)
    loaded = _load(ctx, alarm, now)
    if loaded is None:
        ctx.store.alarm_done(alarm.store_alarm())
        return "closed"
    req, cp, cps = loaded
    # a cycle passed: its next cycle's alarms join the index before this one is cleared
    if _cadence(alarm, cps) and ctx.store.advance(req.id, now):
        ctx.crash("job:advanced", alarm.kind)
    if not still_holds(cp, alarm, now):
        if cp is not None and cp.state == "pending" and cp.due_at > now and alarm.alarm == "due":
            return "moved"  # the store rescheduled this alarm: leave the new instant alone
        ctx.store.alarm_done(alarm.store_alarm())
        return "stale"
    policy = ctx.policy_for(req)
    notices, event = plan_notices(ctx, policy, req, cast("Checkpoint", cp), alarm, now)  # still_holds: not None
    if event is not None:
        return _act(ctx, alarm, notices, event, now)
    return _queue(ctx, alarm, notices, now, later)


def _queue(ctx: WorkerContext, alarm: AlarmRef, notices: list[Notice], now: datetime,
           later: list[tuple[list[Notice], AlarmRef]] | None) -> str:
    """Queue an alarm's notices, then clear the alarm (or leave both to the caller's batch)."""
    if later is not None:
        later.append((notices, alarm))
        return "sent" if notices else "nothing"
    ctx.outbox.add_many(notices, now.timestamp())
    ctx.crash("job:queued", alarm.kind)
    ctx.store.alarm_done(alarm.store_alarm())
    return "sent" if notices else "nothing"


def _unconfirmed_holds(ctx: WorkerContext, alarm: AlarmRef, now: datetime) -> tuple[Request, Any, str] | None:
    """(the request, its policy, the close as a Slack date) if the request is still resolved,
    unconfirmed, by the resolution this alarm was set for; else None."""

    try:
        req = ctx.store.get(alarm.request_id)
    except NotFound:
        return None
    if req.status.value != "resolved":
        return None  # confirmed (closed), or reopened
    policy = ctx.policy_for(req)
    found = unconfirmed_close(policy, req, req.language or "en")
    if found is None:
        return None
    remind, close, token = found
    holds = _close(remind, alarm.at_dt) and now < close if alarm.alarm == "warn" else _close(close, alarm.at_dt)
    return (req, policy, token) if holds else None


def _unconfirmed(ctx: WorkerContext, alarm: AlarmRef, now: datetime,
                 later: list[tuple[list[Notice], AlarmRef]] | None) -> str:
    """A resolved request its customer has not confirmed: the reminder in its thread, then
    ``closed`` by the policy and the customer told, in one write (the publisher leaves the
    workers' own events to them)."""
    held = _unconfirmed_holds(ctx, alarm, now)
    if held is None:
        ctx.store.alarm_done(alarm.store_alarm())
        return "stale"
    req, policy, token = held
    from slackops.slack.blocks.messages import unconfirmed_reminder
    from slackops.slack.flows import closure_message

    lang = req.language or "en"
    channel, ts, root = _thread(ctx, req)

    def said(msg: Any, kind: str, line: str, check: bool) -> list[Notice]:
        return [Notice(id=notice_id(alarm.member, channel), dest=channel, text=msg["text"], blocks=msg["blocks"],
                       line=line, thread_ts=ts, digestible=False, due_at=alarm.at, request_id=req.id, kind=kind,
                       recheck=alarm.to_dict() if check else None, thread_of=root)]

    if alarm.alarm == "due":
        after = policy.intake.close_unconfirmed_after
        event = {"type": "closed", "actor": POLICY_ACTOR,
                 "data": {"unconfirmed": True, "by": "policy",
                          "reason": f"resolved and not confirmed within {after.text if after else 'the set time'}"}}
        msg = closure_message(policy, req, lang, after=format_left(alarm.at_dt - cast("datetime", req.resolved_at), lang))
        # recorded with the closing itself: no recheck (the event says it was sent)
        notices = said(msg, "closed_unconfirmed", f"{req.id} closed: not confirmed", False)
        if policy.intake.satisfaction_survey:  # "How did we do?", asked once with the closing
            ask = survey_message(req.id, lang)
            notices.append(Notice(id=notice_id(alarm.member, channel) + "|csat", dest=channel, text=ask["text"],
                                  blocks=ask["blocks"], thread_ts=ts, digestible=False, due_at=alarm.at,
                                  request_id=req.id, kind="csat_survey", thread_of=root))
        return _act(ctx, alarm, notices, event, now)
    notices = said(unconfirmed_reminder(req, closes=token, lang=lang), "unconfirmed_reminder",
                   f"{req.id}: a reminder to confirm the resolution", True)
    return _queue(ctx, alarm, notices, now, later)


def _act(ctx: WorkerContext, alarm: AlarmRef, notices: list[Notice], event: dict[str, Any], now: datetime) -> str:
    """Record the change and queue its notices in one atomic write (the event marks them as
    sent: it is never applied without them); then clear the alarm and show the change."""

    try:
        ctx.store.apply(alarm.request_id, Event(type=event["type"], actor=event["actor"], at=now, data=event["data"]),
                        idempotency_key=f"w:{alarm.member}", also=ctx.outbox.add_ops(notices, now.timestamp()))
    except DomainError as e:
        # the request changed under us (resolved, already upgraded): its reason no longer
        # holds, and neither the change nor its notices are recorded
        log.info("%s: %s not applied: %s", alarm.member, event["type"], e)
        ctx.store.alarm_done(alarm.store_alarm())
        return "stale"
    ctx.crash("job:applied", alarm.kind)
    ctx.store.alarm_done(alarm.store_alarm())
    if ctx.publisher is not None:
        ctx.publisher.mark_stale({alarm.request_id})
    _refresh_card(ctx, alarm.request_id, now)
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


def _thread(ctx: WorkerContext, req: Any) -> tuple[str, str | None, str]:
    """Where a reply to the customer goes: (channel, the card's ts, the card's notice to wait
    for). The store's record of the card, else the card notice's (its after-sent hook was
    lost with its process: repaired here); a card queued but not posted yet is waited for."""
    channel, ts = routing.thread(req)
    if ts:
        return channel, ts, ""

    root = card_notice_id(req.id)
    state = ctx.outbox.state(root)
    found = ctx.publisher.card_ts(req, state) if ctx.publisher is not None else None
    if found:
        return channel, found, ""
    return channel, None, root if state.get("state") == "queued" else ""


def _rank(policy: Any, priority: str) -> int:
    try:
        return int(policy.priority(priority).rank)
    except Exception:  # noqa: BLE001 - a priority the policy no longer has: least urgent
        return 0


def plan_notices(ctx: WorkerContext, policy: Any, req: Any, cp: Any, alarm: AlarmRef,
                 now: datetime) -> tuple[list[Notice], dict[str, Any] | None]:
    """The notices an alarm owes, and the change to the request it makes (if any)."""
    f = _facts(ctx, policy, req, cp, now)
    due = alarm.at
    ref = alarm.to_dict()
    out: list[Notice] = []

    rank = _rank(policy, req.priority)

    def to(dests: list[str], msg: nb.Message, *, kind: str, check: bool = True, digestible: bool = True,
           thread_ts: str | None = None, thread_of: str = "") -> None:
        for d in dests:
            out.append(Notice(id=notice_id(alarm.member, d), dest=d, text=msg.text, blocks=msg.blocks, line=msg.line,
                              thread_ts=thread_ts, digestible=digestible, due_at=due, request_id=req.id, kind=kind,
                              recheck=ref if check else None, thread_of=thread_of, rank=rank))

    team = routing.team(ctx.config, policy, req)
    if alarm.alarm == "warn":
        to(team, nb.warning(f, alarm.fraction), kind="warning")
        return out, None
    if cp.kind == "critical_notice":
        lang = req.language if req.language in policy.critical_notice_text else "en"
        text = policy.critical_notice_text.get(lang) or next(iter(policy.critical_notice_text.values()), "")
        acct = ctx.config.account(req.account)
        contacts = list(acct.contacts) if acct else []
        from slackops.operations.tokens import status_line  # the account's status page

        link = status_line(ctx.redis, ctx.config, ctx.prefix, req.account, lang)
        text = f"{text}\n{link}" if link else text
        channel, ts, root = _thread(ctx, req)
        to([channel], nb.critical_notice_customer(text, contacts), kind="critical_notice", check=False,
           digestible=False, thread_ts=ts, thread_of=root)
        to(team, nb.critical_notice_agents(f), kind="critical_notice_agents", check=False)
        return out, {"type": "critical_notice_sent", "actor": SYSTEM_ACTOR, "data": {"text": text, "by": "policy"}}
    if cp.kind == "escalation":
        roles = tuple(cp.notify)
        k = repeat_of(cp.key)
        dm, ping = nb.escalation_dm(f, roles), nb.escalation_channel(f, roles)
        if k is not None:  # a repeat: the same notices again, re-checked before they go; no change
            step = next(s for s in policy.priority(cp.priority).escalation if s.level == cp.level)
            times = step.repeat.times if step.repeat else k
            dm, ping = repeated(dm, k, times), repeated(ping, k, times)
        people = routing.managers(ctx.config, roles, at=now)  # a rotation: the person on call now
        if k is None and (req.escalation_level or 0) >= (cp.level or 0):
            # already at this level (a customer escalated): nobody is DMed twice for one level
            told = set(already_told(ctx.config, policy, req, ctx.store.history(req.id), cp.level or 0))
            people = [u for u in people if u not in told]
        for user in people:
            rotations = routing.on_call_roles(ctx.config, roles, user, now)
            to([user], on_call_note(dm, rotations, now) if rotations else dm, kind="escalation", check=k is not None)
        ch = routing.priority_channel(ctx.config, policy, req.priority)
        if ch:
            to([ch], ping, kind="escalation", check=k is not None)
        if k is not None:
            return out, None
        event: dict[str, Any] | None = {"type": "escalated", "actor": POLICY_ACTOR,
                 "data": {"level": cp.level, "by": "policy", "reason": f"policy escalation step {cp.level} ({cp.target})",
                          "notified": people}}
        if (req.escalation_level or 0) >= (cp.level or 0):
            event = None  # already at this level (a customer escalated): tell, do not apply twice
        return out, event
    if cp.kind == "auto_upgrade":
        new = cp.notify[0] if cp.notify else policy.priority(req.priority).auto_upgrade.to
        channel, ts, root = _thread(ctx, req)
        to([channel], nb.auto_upgrade_customer(req.priority, new, req.language), kind="auto_upgrade",
           check=False, digestible=False, thread_ts=ts, thread_of=root)
        ch = routing.priority_channel(ctx.config, policy, new)
        if ch:
            to([ch], nb.auto_upgrade_channel(f, new), kind="auto_upgrade", check=False)
        reason = f"not identified within {cp.target}: the policy raises {req.priority} to {new}"
        return out, {"type": "reclassified", "actor": SYSTEM_ACTOR,
                     "data": {"from": req.priority, "to": new, "reason": reason, "justification": reason, "by": "system"}}
    to(team, nb.breach(f), kind="breach")
    return out, None
