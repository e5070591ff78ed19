"""Customers see their history: `/support list` and the Home tab show the requests resolved
or closed in the last 30 days as well, with a way to see more."""

from __future__ import annotations

import json
from datetime import timedelta

from slackops.requests import Event
from tests.slack.conftest import reply, wait_for


def resolve(desk, rid, *, days_ago: float = 0, close: bool = False):
    at = desk.clock() - timedelta(days=days_ago)
    desk.store.apply(rid, Event("resolved", "U0AGENT1", at, {"resolution": "fix", "note": "done"}))
    if close:
        desk.store.apply(rid, Event("closed", "U0ACME1", at, {}))


def test_support_list_shows_recently_closed_requests_and_more(desk):
    open_one = desk.open_request(title="Still open")
    closed = [desk.open_request(title=f"Done {n}") for n in range(7)]
    for n, rid in enumerate(closed):
        resolve(desk, rid, days_ago=n, close=n % 2 == 0)
    old = desk.open_request(title="Long ago")
    resolve(desk, old, days_ago=40, close=True)
    r = desk.driver.command("/support", "list", user_id="U0ACME1", channel_id="C0ACMESHARED", user_team_id="T0ACME")
    text = reply(r)
    assert open_one in text and "Resolved or closed in the last 30 days* (7)" in text
    assert closed[0] in text and closed[4] in text and closed[5] not in text  # five, newest first
    assert text.index(closed[0]) < text.index(closed[1])
    assert "2 more: `/support list closed`" in text and old not in text
    r = desk.driver.command("/support", "list closed", user_id="U0ACME1", channel_id="C0ACMESHARED",
                            user_team_id="T0ACME")
    text = reply(r)
    assert all(rid in text for rid in closed) and old not in text and open_one not in text


def test_home_tab_shows_recently_closed_with_show_more(desk):
    closed = [desk.open_request(title=f"Done {n}") for n in range(6)]
    for n, rid in enumerate(closed):
        resolve(desk, rid, days_ago=n)
    desk.driver.event({"type": "app_home_opened", "user": "U0ACME1", "user_team": "T0ACME", "tab": "home"})

    def home():
        calls = [c for c in desk.fake.calls if c.method == "views.publish" and c.params.get("user_id") == "U0ACME1"]
        if not calls:
            return None
        v = calls[-1].params["view"]
        return json.loads(v) if isinstance(v, str) else v

    first = wait_for(home)
    text = str(first["blocks"])
    assert "Resolved or closed in the last 30 days" in text and closed[4] in text and closed[5] not in text
    assert "home_show_closed" in text
    desk.driver.block_action("home_show_closed", "", user_id="U0ACME1", user_team_id="T0ACME", channel_id=None)
    more = wait_for(lambda: (lambda v: v if v and closed[5] in str(v["blocks"]) else None)(home()))
    assert "home_show_closed" not in str(more["blocks"])
