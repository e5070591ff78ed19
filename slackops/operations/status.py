"""The service's status for one account: open service-affecting requests, maintenance in
progress, the next one scheduled, and the last 90 days' history.

:func:`compute` is pure (``now`` and data in, a plain dict out: the JSON of the status
page); :func:`account_status` gathers the data from the store and the maintenance book;
:func:`render_page` fills the HTML template shipped in this package.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["HISTORY_DAYS", "impact_of", "compute", "account_status", "render_page"]

HISTORY_DAYS = 90
REFRESH_SECONDS = 30
_RANK = {None: 0, "none": 0, "maintenance": 1, "degraded": 2, "unavailable": 3}


def impact_of(req: Any, policy: Any) -> str | None:
    """A request's service impact: the agents' toggle, or "unavailable" by default at the most
    urgent priority (rank 1); None when it does not affect the service."""
    set_ = (req.fields or {}).get("service_impact")
    if set_ in ("degraded", "unavailable"):
        return str(set_)
    if set_ == "none":
        return None
    try:
        return "unavailable" if policy.priority(req.priority).rank == 1 else None
    except Exception:  # noqa: BLE001 - a priority the policy no longer has
        return None


def _iso(at: datetime | None, zone: ZoneInfo) -> str | None:
    return at.astimezone(zone).isoformat() if at else None


def compute(now: datetime, account: Any, tz: str, requests: list[tuple[Any, str | None, str]],
            maintenance: list[Any], days: int = HISTORY_DAYS) -> dict[str, Any]:
    """``requests``: (request, impact or None, priority label). All instants aware."""
    zone = ZoneInfo(tz)
    since = now - timedelta(days=days)
    affecting = [(r, imp, label) for r, imp, label in requests if imp is not None]
    open_now = [{"id": r.id, "title": r.title, "priority": label, "impact": imp,
                 "since": _iso(r.submitted_at, zone), "status": r.status.value.replace("_", " ")}
                for r, imp, label in affecting if r.is_open]
    live = [m for m in maintenance if m.status == "scheduled"]
    in_progress = [m.public(tz) for m in live if m.start <= now < m.end]
    upcoming = sorted((m for m in live if m.start > now), key=lambda m: m.start)
    worst = max([o["impact"] for o in open_now] + [
        "maintenance" if m["impact"] == "none" else m["impact"] for m in in_progress] + [None],
        key=lambda x: _RANK[x])
    state = {None: "operational", "maintenance": "maintenance", "degraded": "degraded",
             "unavailable": "unavailable"}[worst]
    # the history: one row a day (newest first), each with the worst impact of that day
    incidents = []
    for r, imp, _label in affecting:
        end = r.resolved_at or r.closed_at or (None if r.is_open else r.submitted_at)
        if (end or now) >= since:
            incidents.append({"kind": "request", "id": r.id, "impact": imp, "start": r.submitted_at,
                              "end": end})
    for m in maintenance:
        if m.status == "scheduled" and m.start <= now and m.end >= since:
            incidents.append({"kind": "maintenance", "id": m.id, "impact": m.impact, "start": m.start,
                              "end": m.end if m.end <= now else None})
    today = now.astimezone(zone).date()
    rows: list[dict[str, Any]] = []
    for back in range(days):
        day = today - timedelta(days=back)
        lo = datetime.combine(day, datetime.min.time(), zone)
        hi = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
        hits = [i for i in incidents if i["start"] < hi and (i["end"] or now) > lo]
        level = max((("maintenance" if i["kind"] == "maintenance" and i["impact"] != "unavailable" else i["impact"])
                     for i in hits), key=lambda x: _RANK[x], default=None)
        rows.append({"date": day.isoformat(), "state": "operational" if level in (None, "none") else level,
                     "incidents": sorted(i["id"] for i in hits)})
    changes = json.dumps([state, open_now, in_progress, upcoming[0].public(tz) if upcoming else None],
                         sort_keys=True)
    return {
        "account": {"id": account.id, "name": account.name, "language": getattr(account, "language", "en") or "en"},
        "fingerprint": hashlib.sha1(changes.encode()).hexdigest()[:16],  # the page reloads when it changes
        "generated_at": _iso(now, zone),
        "timezone": tz,
        "state": state,
        "service_affecting": open_now,
        "maintenance_in_progress": in_progress,
        "next_maintenance": upcoming[0].public(tz) if upcoming else None,
        "history": rows,
        "incidents": [{**i, "start": _iso(i["start"], zone), "end": _iso(i["end"], zone)}
                      for i in sorted(incidents, key=lambda i: i["start"], reverse=True)],
        "refresh_seconds": REFRESH_SECONDS,
    }


def account_status(store: Any, book: Any, account: Any, now: datetime) -> dict[str, Any]:
    """The status of ``account`` at ``now`` from the store and the maintenance book."""
    policy = store.policy(account.policy)
    since = now - timedelta(days=HISTORY_DAYS)
    rows = []
    for r in store.list(account=account.id, open_only=False):
        if not r.is_open and (r.resolved_at or r.closed_at or r.submitted_at) < since:
            continue
        try:
            label = f"{r.priority} {policy.priority(r.priority).label_in(account.language)}"
        except Exception:  # noqa: BLE001
            label = r.priority
        rows.append((r, impact_of(r, policy), label))
    tz = account.timezone or policy.timezone
    return compute(now.astimezone(UTC), account, tz, rows, book.list(account.id, since=since))


@lru_cache(maxsize=1)
def _template() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("slackops.operations", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    from slackops.operations import status_words

    env.filters["local"] = status_words.local
    env.filters["day"] = status_words.day
    return env.get_template("status.html")


def render_page(state: dict[str, Any], token: str) -> bytes:
    """The page in the account's language (English or Italian)."""
    from slackops.operations.status_words import words

    lang = (state.get("account") or {}).get("language") or "en"
    return _template().render(s=state, token=token, w=words(lang), lang=lang).encode()
