"""An account's maintenance as an iCalendar feed (RFC 5545, the ``icalendar`` library).

Every maintenance that affects the account is an event; a cancelled one stays in the feed
with ``STATUS:CANCELLED`` so that subscribed calendars remove it, and ``SEQUENCE`` is its
version so that a changed one replaces the old.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from icalendar import Calendar, Event

__all__ = ["feed"]


def feed(account: Any, items: list[Any], now: datetime, vendor: str = "slackops") -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{vendor}//maintenance//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{account.name}: maintenance")
    for m in items:
        ev = Event()
        ev.add("uid", f"{m.id}@{account.id}.slackops")
        ev.add("dtstamp", now)
        ev.add("dtstart", m.start)
        ev.add("dtend", m.end)
        kind = "Emergency maintenance" if m.emergency else "Maintenance"
        ev.add("summary", f"{kind} {m.id} ({m.impact})")
        if m.note:
            ev.add("description", m.note)
        ev.add("sequence", m.version)
        ev.add("status", "CANCELLED" if m.status == "cancelled" else "CONFIRMED")
        cal.add_component(ev)
    return cal.to_ical()
