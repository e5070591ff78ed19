"""Customers open requests: /support (plain and prefilled), the form's checks, the card
and its thread, list and status, help."""

from __future__ import annotations

from tests.slack.conftest import form, reply, wait_for


def test_support_opens_the_form_and_the_submission_posts_the_card(desk):
    rid = desk.open_request(priority="P2", title="Exports fail <!channel>", description="x & y <@U0AGENT1>")
    assert rid == "ACME-1"
    req = desk.store.get(rid)
    assert (req.priority, req.submitted_by, req.account, req.source) == ("P2", "U0ACME1", "acme", "command")
    card = desk.card(rid)
    blob = str(card["blocks"])
    # the customer is told the next promise in their terms; the agents' card has the clock
    assert "ACME-1" in blob and "You will hear from us by" in blob and "first response due" not in blob
    assert "first response due" in str(desk.agents_card(rid)["blocks"])
    # customer text never pings: escaped in mrkdwn, plain_text in the header
    assert "<!channel>" not in card["text"] and "&lt;!channel&gt;" in card["text"]
    desc = next(b for b in card["blocks"] if b.get("block_id") == "card_description")
    assert desc["text"]["text"] == "x &amp; y &lt;@U0AGENT1&gt;"
    header = card["blocks"][0]
    assert header["text"]["type"] == "plain_text"
    desk.wait_thread(rid, "we have received")


def test_the_form_shows_priorities_with_definitions(desk):
    desk.driver.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED")
    view = desk.wait_view("slackops_open_request")
    assert len(view["title"]["text"]) <= 24
    prio = next(b for b in view["blocks"] if b.get("block_id") == "priority")
    assert [o["value"] for o in prio["element"]["options"]] == ["P1", "P2", "P3"]
    assert all(o.get("description") for o in prio["element"]["options"])
    ids = [b.get("block_id") for b in view["blocks"]]
    for needed in ("title", "description", "impact", "environment", "steps", "justification"):
        assert needed in ids
    assert "category" not in ids and "language" not in ids  # Interopion has neither


def test_prefilled_from_the_command_text(desk):
    desk.driver.command("/support", "p1 Portal down for everyone", user_id="U0ACME1", channel_id="C0ACMESHARED")
    view = desk.wait_view("slackops_open_request")
    prio = next(b for b in view["blocks"] if b.get("block_id") == "priority")
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")
    assert prio["element"]["initial_option"]["value"] == "P1"
    assert title["element"]["initial_value"] == "Portal down for everyone"


def test_interzen_form_has_categories_and_languages_and_answers_in_italian(desk):
    desk.driver.command("/support", "", user_id="U0ROSSI1", channel_id="C0ROSSISHARED")
    view = desk.wait_view("slackops_open_request")
    ids = [b.get("block_id") for b in view["blocks"]]
    assert "category" in ids and "language" in ids
    rid = desk.open_request("U0ROSSI1", "C0ROSSISHARED", priority="P3", title="Errore", language="it", category="bug")
    assert desk.store.get(rid).language == "it" and desk.store.get(rid).category == "bug"
    desk.wait_thread(rid, "abbiamo ricevuto")


def test_phi_is_refused_inline_on_its_field(desk):
    desk.driver.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED")
    view = desk.wait_view("slackops_open_request")
    r = desk.driver.view_submission("slackops_open_request", form(priority="P2", title="Patient lookup broken",
                                    description="Patient John Smith DOB 03/04/1985 cannot be found", steps="SSN 123-45-6789"),
                                    user_id="U0ACME1", private_metadata=view["private_metadata"])
    body = r.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"description", "steps"}
    assert "date of birth" in body["errors"]["description"] and "Social Security" in body["errors"]["steps"]
    assert desk.store.list(open_only=False) == []


def test_phi_allowed_where_the_policy_does_not_guard(desk):
    rid = desk.open_request("U0INITECH1", "C0INITECHSHARED", priority="P3", description="SSN 123-45-6789 field fails")
    assert rid == "INITECH-1"


def test_most_urgent_priority_needs_a_justification(desk):
    desk.driver.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED")
    view = desk.wait_view("slackops_open_request")
    r = desk.driver.view_submission("slackops_open_request", form(priority="P1", title="Down", description="all down"),
                                    user_id="U0ACME1", private_metadata=view["private_metadata"])
    assert r.json()["errors"].keys() == {"justification"}


def test_ixcloud_severity_1_needs_a_24x7_contact(desk):
    desk.driver.command("/support", "", user_id="U0GLOBEX1", channel_id="C0GLOBEXSHARED")
    view = desk.wait_view("slackops_open_request")
    r = desk.driver.view_submission("slackops_open_request", form(priority="S1", title="Down", description="d", justification="all users"),
                                    user_id="U0GLOBEX1", private_metadata=view["private_metadata"])
    assert "24x7" in r.json()["errors"]["priority"]


def test_only_designated_contacts_may_open(desk):
    r = desk.driver.command("/support", "", user_id="U0ACME2", channel_id="C0ACMESHARED", user_team_id="T0ACME")
    assert r.status == 200
    text = reply(r)
    assert "designated contacts of Acme Health" in text and "<@U0ACME1>" in text
    assert not desk.fake.calls_to("views.open")


def test_repeated_view_submission_opens_one_request_and_one_card(desk):
    desk.driver.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED")
    view = desk.wait_view("slackops_open_request")
    values = form(priority="P2", title="Twice", description="d")
    for _ in range(3):
        r = desk.driver.view_submission("slackops_open_request", values, user_id="U0ACME1",
                                        private_metadata=view["private_metadata"], view_id="V0SAME")
        assert r.status == 200
    wait_for(lambda: desk.store.list(open_only=False) and desk.store.get("ACME-1").card_ts)
    import time
    time.sleep(0.3)
    assert [r.id for r in desk.store.list(open_only=False)] == ["ACME-1"]
    cards = [m for m in desk.fake.messages("C0ACMESHARED") if not m.get("thread_ts")]
    assert len(cards) == 1
    assert len([m for m in desk.thread("ACME-1") if "received" in m["text"]]) == 1


def test_list_status_help_and_unmapped_channel(desk):
    rid = desk.open_request()
    r = desk.driver.command("/support", "list", user_id="U0ACME1", channel_id="C0ACMESHARED")
    assert rid in reply(r)
    r = desk.driver.command("/support", f"status {rid.lower()}", user_id="U0ACME1", channel_id="C0ACMESHARED")
    assert rid in reply(r) and "first response due" in reply(r)
    r = desk.driver.command("/support", "status ACME-99", user_id="U0ACME1", channel_id="C0ACMESHARED")
    assert "no request ACME-99" in reply(r)
    r = desk.driver.command("/support", "help", user_id="U0ACME1", channel_id="C0ACMESHARED")
    assert "/support list" in reply(r)
    r = desk.driver.command("/support", "", user_id="U0AGENT1", channel_id="C0RANDOM")
    assert "not connected to a support account" in reply(r)
