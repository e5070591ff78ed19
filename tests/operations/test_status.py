"""Service status: the card's "Service affected" select, ``/support status`` without an id,
``/support maintenance``, and the status page (HTML and JSON) behind its token."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from slackops.operations.records import MaintenanceBook
from slackops.operations.status import REFRESH_SECONDS
from slackops.operations.tokens import StatusTokens
from tests.operations.conftest import get
from tests.slack.conftest import reply, wait_for

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _impacts(card: dict) -> set[str]:
    """The service impacts the agents' "More actions" menu offers (every one but the current)."""
    return {v["i"] for b in card["blocks"] if b.get("block_id") == "card_agent_actions" for e in b["elements"]
            if e.get("action_id") == "req_more" for o in e["options"]
            if (v := json.loads(o["value"]))["a"] == "req_service_affected"}


def _select(desk, rid: str, impact: str, user: str = "U0AGENT1", user_team_id: str | None = None):
    card = desk.agents_card(rid)
    actions = next(b for b in card["blocks"] if b.get("block_id") == "card_agent_actions")
    menu = next(e for e in actions["elements"] if e.get("action_id") == "req_more")
    option = next(o for o in menu["options"] if json.loads(o["value"]) == {"a": "req_service_affected", "r": rid, "i": impact})
    req = desk.store.get(rid)
    return desk.driver.block_action("req_more", user_id=user, user_team_id=user_team_id,
                                    channel_id=req.triage_channel or req.channel, message=card, action_type="static_select",
                                    selected_option=option, block_id="card_agent_actions")


@pytest.fixture
def outage(desk):
    """Acme (Interopion) with an open P1 (unavailable by default) and an emergency maintenance in progress."""
    desk.config.public_url = desk.server.base_url
    rid = desk.open_request(priority="P1", title="Nobody can <log in>", extra={"justification": "nobody works"})
    now = datetime.now(UTC)
    book = MaintenanceBook(desk.store.redis, desk.config, desk.store.policy, desk.store.keys.prefix)
    m = book.add(start=now - timedelta(minutes=1), end=now + timedelta(hours=2), now=now, accounts=["acme"],
                 emergency=True, impact="degraded", note="failover to the second site")
    nxt = book.add(start=now + timedelta(days=9), end=now + timedelta(days=9, hours=1), now=now, accounts=["acme"])
    token = StatusTokens(desk.store.redis, desk.config, desk.store.keys.prefix).get("acme")
    return rid, m, nxt, token


def test_the_card_select_records_the_impact_and_refuses_customers(desk):
    rid = desk.open_request(priority="P2")
    desk.settle()
    wait_for(lambda: desk.store.get(rid).triage_ts, what="the agents' card")
    # an agent's choice, in the agents' card's menu: P2 is not service-affecting by default
    assert _impacts(desk.agents_card(rid)) == {"degraded", "unavailable"}
    assert _select(desk, rid, "degraded").status == 200
    wait_for(lambda: desk.store.get(rid).fields.get("service_impact") == "degraded", what="the impact")
    ev = desk.store.history(rid)[-1]
    assert (ev.type, ev.actor, ev.data["impact"]) == ("service_affected", "U0AGENT1", "degraded")
    # a customer pressing it is refused, ephemerally, and nothing changes
    assert _select(desk, rid, "unavailable", user="U0ACME1", user_team_id="T0ACME").status == 200
    desk.wait_ephemeral("U0ACME1")
    assert desk.store.get(rid).fields.get("service_impact") == "degraded"
    # the card shows the new impact once it is re-rendered
    desk.settle()
    wait_for(lambda: _impacts(desk.agents_card(rid)) == {"none", "unavailable"}, what="the card's menu")
    assert "Service affected (degraded)" in json.dumps(desk.agents_card(rid)["blocks"])


def test_p1_is_service_affecting_by_default(desk):
    rid = desk.open_request(priority="P1", extra={"justification": "production is down"})
    desk.settle()
    wait_for(lambda: desk.store.get(rid).triage_ts, what="the agents' card")
    assert _impacts(desk.agents_card(rid)) == {"none", "degraded"}
    assert "Service affected (unavailable)" in json.dumps(desk.agents_card(rid)["blocks"])


def test_support_status_without_id_answers_for_the_account(desk, outage):
    rid, m, nxt, token = outage
    r = desk.driver.command("/support", "status", user_id="U0ACME1", channel_id="C0ACMESHARED", user_team_id="T0ACME")
    text = reply(r)
    assert text.startswith("*Acme Health*: Service unavailable")
    assert f"{rid} (P1 " in text and "Nobody can &lt;log in&gt;" in text
    assert f"Maintenance in progress {m.id}" in text and f"Next maintenance: {nxt.id}" in text
    assert f"Status page: {desk.server.base_url}/status/acme?token={token}" in text
    # an agent in a channel of no account is told so
    r = desk.driver.command("/support", "status", user_id="U0AGENT1", channel_id="C0TRIAGE")
    assert "not" in reply(r).lower()


def test_status_json_and_page_need_the_token(desk, outage):
    rid, m, nxt, token = outage
    base = desk.server.base_url
    r = get(f"{base}/status/acme.json?token={token}")
    assert r.status == 200 and r.headers["Content-Type"] == "application/json"
    s = json.loads(r.body)
    assert s["state"] == "unavailable"
    assert [(x["id"], x["impact"]) for x in s["service_affecting"]] == [(rid, "unavailable")]
    assert [(x["id"], x["impact"], x["emergency"]) for x in s["maintenance_in_progress"]] == [(m.id, "degraded", True)]
    assert s["next_maintenance"]["id"] == nxt.id
    assert len(s["history"]) == 90 and s["history"][0]["state"] == "unavailable"
    assert sorted(s["history"][0]["incidents"]) == sorted([rid, m.id])
    assert all(d["state"] == "operational" for d in s["history"][2:])
    assert s["timezone"] == "America/Denver"
    page = get(f"{base}/status/acme?token={token}")
    assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    assert "Service unavailable" in page.text and "Nobody can &lt;log in&gt;" in page.text
    assert get(f"{base}/status/acme/{token}").status == 200
    assert get(f"{base}/status/acme/{token}.json").status == 200
    wrong = token[:-1] + ("y" if token.endswith("x") else "x")  # one character off
    for bad in ("/status/acme", "/status/acme.json", f"/status/acme?token={wrong}",
                f"/status/rossi?token={token}", "/status/nobody", f"/status/acme.ics?token={token}"):
        assert get(base + bad).status == 404, bad
    # the Slack app is still behind the router
    assert get(f"{base}/healthz").status == 200


def test_maintenance_modal_for_agents_only(desk):
    r = desk.driver.command("/support", "maintenance", user_id="U0ACME1", channel_id="C0ACMESHARED",
                            user_team_id="T0ACME")
    assert "Only the vendor's agents" in reply(r)
    r = desk.driver.command("/support", "maintenance", user_id="U0AGENT1", channel_id="C0TRIAGE")
    assert r.status == 200
    view = desk.wait_view("slackops_maintenance")
    assert [b["block_id"] for b in view["blocks"]] == ["mnt_start", "mnt_end", "mnt_impact", "mnt_accounts",
                                                        "mnt_emergency", "mnt_note"]
    now = datetime.now(UTC)

    def values(start: datetime, end: datetime, emergency: bool = False, accounts=("acme",)):
        v = {"mnt_start": {"value": {"type": "datetimepicker", "selected_date_time": int(start.timestamp())}},
             "mnt_end": {"value": {"type": "datetimepicker", "selected_date_time": int(end.timestamp())}},
             "mnt_impact": {"value": {"type": "static_select", "selected_option": {"value": "degraded"}}},
             "mnt_accounts": {"value": {"type": "multi_static_select",
                                        "selected_options": [{"value": a} for a in accounts]}},
             "mnt_emergency": {"value": {"type": "checkboxes",
                                         "selected_options": [{"value": "yes"}] if emergency else []}},
             "mnt_note": {"value": {"type": "plain_text_input", "value": "router swap"}}}
        return v

    # Acme's Interopion policy: two days ahead, outside the window, is refused with the earliest start
    noon = (now + timedelta(days=2)).replace(hour=19, minute=0, second=0, microsecond=0)  # 12:00 Denver
    r = desk.submit("slackops_maintenance", values(noon, noon + timedelta(hours=1)), "U0AGENT1", view=view)
    body = r.json()
    assert body["response_action"] == "errors" and "earliest allowed start" in body["errors"]["mnt_start"]
    book = MaintenanceBook(desk.store.redis, desk.config, desk.store.policy, desk.store.keys.prefix)
    assert book.list() == []
    r = desk.submit("slackops_maintenance", values(noon, noon + timedelta(hours=1), emergency=True), "U0AGENT1", view=view)
    assert r.status == 200 and not r.body
    [m] = book.list()
    assert (m.accounts, m.impact, m.emergency, m.note, m.created_by) == (("acme",), "degraded", True, "router swap", "U0AGENT1")
    wait_for(lambda: any("MNT-1 scheduled" in c.params.get("text", "") for c in desk.fake.calls_to("chat.postMessage")),
             what="the agent told")


def test_status_page_in_chromium(desk, outage, tmp_path):
    from playwright.sync_api import sync_playwright

    rid, m, nxt, token = outage
    url = f"{desk.server.base_url}/status/acme?token={token}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)  # a phone
            page.clock.install()  # the page's own timers, moved on below instead of waited for
            page.goto(url)
            assert page.locator("#state").inner_text().strip() == "Service unavailable"
            assert page.get_by_text("Nobody can <log in>").count() == 1  # escaped, shown as typed
            assert page.locator(".day").count() == 90
            # nothing wider than the phone's screen
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "status-page-phone.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            # real time: once the request is resolved the page reloads itself from its JSON
            from slackops.requests import Event

            desk.store.apply(rid, Event("resolved", "U0AGENT1", datetime.now(UTC), {"resolution": "fix", "note": "ok"}))
            with page.expect_navigation(timeout=30000):  # the page notices the change and reloads
                page.clock.run_for(REFRESH_SECONDS * 1000 + 1000)
            state = page.locator("#state").inner_text()
            assert "Maintenance" in state or "degraded" in state, state
        finally:
            browser.close()


def test_critical_notice_and_app_home_link_the_status_page(desk):
    from tests.slack.conftest import form

    desk.config.public_url = "https://status.example.test"
    token = StatusTokens(desk.store.redis, desk.config, desk.store.keys.prefix).get("acme")
    link = f"https://status.example.test/status/acme?token={token}"
    rid = desk.open_request(priority="P1", extra={"justification": "all clinics down"})
    desk.press("req_critical_notice", rid, "U0AGENT1")
    view = desk.wait_view("slackops_critical_notice")
    initial = view["blocks"][-1]["element"]["initial_value"]
    desk.submit("slackops_critical_notice", form(notice_text=initial), "U0AGENT1", view=view)
    msg = desk.wait_thread(rid, "Critical-issue notice")
    assert f"Status page: {link}" in json.dumps(msg["blocks"])
    desk.driver.event({"type": "app_home_opened", "user": "U0ACME1", "tab": "home"})
    home = wait_for(lambda: [c for c in desk.fake.calls_to("views.publish") if c.params.get("user_id") == "U0ACME1"],
                    what="the customer's App Home")
    view = home[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert f"Acme Health: Status page: {link}" in json.dumps(view)


def test_the_default_critical_notice_links_the_status_page(redis, fake_slack, namespace, tmp_path):
    """The workers' own critical notice (no agent sent one) carries the link too."""
    from slackops.config import Config
    from tests.workers.conftest import POLICY, SHARED, Harness, notices
    from tests.workers.test_notices_flow import open_request

    (tmp_path / "fastdesk.yml").write_text(POLICY)
    cfg = Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "public_url": "https://status.example.test",
        "channels": {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL", 4: "C0LOW"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": SHARED, "policy": str(tmp_path / "fastdesk.yml"),
                      "contacts": ["U0ACME1"]}]})
    h = Harness(redis, cfg, fake_slack, namespace)
    try:
        req = open_request(h, "P1")
        root = h.card(req)
        assert h.run_until(lambda: len(notices(fake_slack, SHARED, root)) >= 1, timeout=15)
        token = StatusTokens(redis, cfg, namespace).get("acme")
        text = notices(fake_slack, SHARED, root)[0]["text"]
        assert "critical issue" in text and f"Status page: https://status.example.test/status/acme?token={token}" in text
    finally:
        h.stop()


def test_an_italian_accounts_status_page_is_in_italian(desk):
    token = StatusTokens(desk.store.redis, desk.config, desk.store.keys.prefix).get("rossi")
    page = get(f"{desk.server.base_url}/status/rossi?token={token}")
    html = page.body.decode()
    main = html[html.index("<main>"):html.index("</main>")]
    assert page.status == 200 and '<html lang="it">' in html
    assert "Rossi S.p.A.: stato del servizio" in main and "Tutti i sistemi funzionano" in main, main
    assert "Prossima manutenzione programmata" in main and "Gli ultimi 90 giorni" in main
    assert re.search(r"Aggiornato <span id=\"updated\">(lun|mar|mer|gio|ven|sab|dom) \d\d [a-z]{3} \d{4}, \d\d:\d\d CE", main)
    for english in ("service status", "All systems operational", "Next scheduled maintenance", "Updated", "The last"):
        assert english not in main, english
