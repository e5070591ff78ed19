"""The managers' DMs: a digest every working morning, and last month's report on the first
working day of a month (Monday to Friday in ``digest_timezone``, from ``digest_at``; none
when ``digest_at`` is not set).

Run by the operations clock in every worker with ``now``. Each DM is a notice with a
deterministic id (``ops|daily|2026-12-07|U0MGR1``, ``ops|monthly|2026-11|U0MGR1``), so
however many workers tick, and however often, each goes out once through the outbox. A
worker that was down at ``digest_at`` sends it when it is back, the same day.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slackops.notices.notice import Notice
from slackops.notices.text import escape, truncate
from slackops.operations.records import MaintenanceBook
from slackops.operations.report import to_text
from slackops.operations.reporting import Period, build

__all__ = ["ManagerReports", "daily_text", "first_working_day"]


def _at_time(at: datetime, zone: ZoneInfo, shown: str, fallback: str) -> str:
    """A Slack date token: each manager reads the time in their own zone; the fallback in the
    digest's zone names it."""
    return f"<!date^{int(at.timestamp())}^{shown}|{at.astimezone(zone).strftime(fallback)}>"


def first_working_day(day: date) -> date:
    d = day.replace(day=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def daily_text(now: datetime, tz: str, rows: list[tuple[Any, list[Any], Any]]) -> str:
    """The morning digest from (request, checkpoints at ``now``, policy) of every open request."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    lo = datetime.combine(today, time(0), zone)
    hi = lo + timedelta(days=1)
    by_priority = Counter((r.account, r.priority) for r, _cps, _p in rows)
    due_today, breached, awaiting = [], [], []
    for r, cps, _p in rows:
        for c in cps:
            if c.kind in ("escalation", "auto_upgrade"):
                continue
            if c.state == "pending" and lo <= c.due_at < hi:
                due_today.append((c.due_at, r, c))
            if c.state == "breached" and c.met_at is None and c.due_at >= now - timedelta(days=1):
                breached.append((c.due_at, r, c))
        if r.escalation_level > r.escalation_acknowledged:
            awaiting.append(r)
    lines = [f"*Support digest for {today:%A %d %B %Y}*",
             "*Open requests by priority*: " + (", ".join(f"{a} {p}: {n}" for (a, p), n in sorted(by_priority.items())) or "none")]
    lines.append(f"*Due today* ({len(due_today)})")
    lines += [f"• {r.id} {c.kind} at {_at_time(c.due_at, zone, '{time}', '%H:%M %Z')} — {escape(truncate(r.title, 80))}"
              for _at, r, c in sorted(due_today, key=lambda x: x[0])[:20]]
    lines.append(f"*Breached since yesterday* ({len(breached)})")
    lines += [f"• {r.id} {c.kind}, due {_at_time(c.due_at, zone, '{date_short_pretty} {time}', '%a %H:%M %Z')} — {escape(truncate(r.title, 80))}"
              for _at, r, c in sorted(breached, key=lambda x: x[0])[:20]]
    lines.append(f"*Escalations awaiting acknowledgement* ({len(awaiting)})")
    lines += [f"• {r.id} level {r.escalation_level} — {escape(truncate(r.title, 80))}" for r in awaiting[:20]]
    return truncate("\n".join(lines), 3000)


class ManagerReports:
    def __init__(self, redis: Any, config: Any, store: Any, outbox: Any, prefix: str = "slackops") -> None:
        self.redis, self.config, self.store, self.outbox, self.prefix = redis, config, store, outbox, prefix

    def _managers(self) -> list[str]:
        return list(dict.fromkeys(u for users in self.config.managers.values() for u in users))

    def _owed(self, ids: list[str]) -> list[str]:
        return [i for i in ids if not self.outbox.state(i)]

    def __call__(self, now: datetime) -> int:
        if not self.config.digest_at:
            return 0  # not asked for
        tz = self.config.digest_timezone
        local = now.astimezone(ZoneInfo(tz))
        hh, mm = (int(x) for x in self.config.digest_at.split(":"))
        if local.weekday() >= 5 or local.time() < time(hh, mm):
            return 0
        day = local.date()
        new = 0
        managers = self._managers()
        owed = self._owed([f"ops|daily|{day.isoformat()}|{u}" for u in managers])
        if owed:
            rows = [(r, self.store.timeline(r, now), self.store.policy(r.policy)) for r in self.store.list(open_only=True)]
            text = daily_text(now, tz, rows)
            new += self.outbox.add_many([Notice(id=i, dest=i.rsplit("|", 1)[1], text=text, line=text.splitlines()[0],
                                                digestible=False, kind="daily_digest", due_at=now.timestamp()) for i in owed])
        if day == first_working_day(day):
            prev = (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
            owed = self._owed([f"ops|monthly|{prev}|{u}" for u in self.config.managers.get("support_management", [])])
            if owed:
                book = MaintenanceBook(self.redis, self.config, self.store.policy, self.prefix)
                report = build(self.store, book, self.config, Period(prev), now)
                text = truncate(f"*Monthly SLA report, {prev}*\n```" + to_text(report, limit=15) + "```", 3000)
                new += self.outbox.add_many([Notice(id=i, dest=i.rsplit("|", 1)[1], text=text, line=f"SLA report {prev}",
                                                    digestible=False, kind="monthly_report", due_at=now.timestamp())
                                             for i in owed])
        return new
