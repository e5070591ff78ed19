"""App Home: agents see their queue and the unassigned requests ordered by next due, breached
marked; customers see their account's open requests."""

from __future__ import annotations

from datetime import timedelta

from tests.slack.conftest import wait_for


def home_of(desk, user):
    return wait_for(lambda: desk.fake.home_views.get(user), what=f"home of {user}")


def test_agent_home_queue_and_unassigned_ordered_by_next_due(desk):
    slow = desk.open_request(priority="P3", title="Slow reports")
    urgent = desk.open_request(priority="P1", title="All down", extra={"justification": "every clinic"})
    mine = desk.open_request(priority="P2", title="Mine")
    desk.press("req_take", mine, "U0AGENT1")
    wait_for(lambda: desk.store.get(mine).assignee == "U0AGENT1")
    desk.driver.event({"type": "app_home_opened", "user": "U0AGENT1", "tab": "home", "channel": "D0AGENT1"})
    view = home_of(desk, "U0AGENT1")
    text = str(view["blocks"])
    assert text.index("Your queue") < text.index(mine) < text.index("Unassigned")
    assert text.index(urgent) < text.index(slow)  # P1 first response is due sooner
    assert mine not in text[text.index("Unassigned"):]


def test_breached_requests_are_marked_and_come_first(desk):
    late = desk.open_request(priority="P3", title="Old")
    fresh = desk.open_request(priority="P1", title="New", extra={"justification": "x"})
    desk.clock.at = desk.store.get(late).submitted_at + timedelta(days=30)
    desk.driver.event({"type": "app_home_opened", "user": "U0AGENT2", "tab": "home"})
    view = home_of(desk, "U0AGENT2")
    text = str(view["blocks"])
    assert "breached" in text
    assert text.index(late) < text.index(fresh) or "breached" in text[: text.index(fresh)]


def test_customer_home_shows_their_accounts_open_requests(desk):
    acme = desk.open_request(title="Acme thing")
    other = desk.open_request("U0GLOBEX1", "C0GLOBEXSHARED", priority="S3", title="Globex thing")
    desk.driver.event({"type": "app_home_opened", "user": "U0ACME1", "tab": "home"})
    view = home_of(desk, "U0ACME1")
    text = str(view["blocks"])
    assert acme in text and other not in text and "open_request" in text
    assert "America/New_York" in text  # their own zone


def test_home_refresh_button(desk):
    desk.driver.block_action("home_refresh", "", user_id="U0AGENT1", container={"type": "view", "view_id": "V1"})
    home_of(desk, "U0AGENT1")
