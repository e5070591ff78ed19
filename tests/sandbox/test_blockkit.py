"""The page's Block Kit, drawn generically (any message or modal the app builds), and the
other ways people reach the app: a :ticket: reaction, the message shortcut, the Home tab."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.sandbox.conftest import shot
from tests.sandbox.test_story import WAIT, as_, card, modal, open_pane, say

OPTION = lambda text, value: {"text": {"type": "plain_text", "text": text}, "value": value}  # noqa: E731

BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "Every block"}},
    {"type": "section", "block_id": "s1",
     "text": {"type": "mrkdwn", "text": "*bold* _italic_ ~gone~ `code` <https://example.com|a link> <@U0AGENT1> "
                                         "<#C0HIGH> <!date^1767268800^{date_short} at {time}|1 Jan> &lt;b&gt; :ticket:"},
     "fields": [{"type": "mrkdwn", "text": "*Priority*\nP2"}, {"type": "plain_text", "text": "<i>not html</i>"}],
     "accessory": {"type": "overflow", "action_id": "ov", "options": [OPTION("First", "1"), OPTION("Second", "2")]}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "context _line_"}]},
    {"type": "divider"},
    {"type": "actions", "block_id": "a1", "elements": [
        {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}, "style": "primary", "value": "v"},
        {"type": "static_select", "action_id": "pick", "options": [OPTION("Red", "r"), OPTION("Blue", "b")]}]},
    {"type": "input", "block_id": "t", "label": {"type": "plain_text", "text": "Text"},
     "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "initial_value": "hello"}},
    {"type": "input", "block_id": "r", "label": {"type": "plain_text", "text": "Radio"},
     "element": {"type": "radio_buttons", "action_id": "value", "options": [OPTION("One", "1"), OPTION("Two", "2")],
                 "initial_option": OPTION("Two", "2")}},
    {"type": "input", "block_id": "c", "optional": True, "label": {"type": "plain_text", "text": "Boxes"},
     "element": {"type": "checkboxes", "action_id": "value", "options": [OPTION("A", "a"), OPTION("B", "b")]}},
    {"type": "input", "block_id": "u", "label": {"type": "plain_text", "text": "Who"},
     "element": {"type": "users_select", "action_id": "value", "initial_user": "U0AGENT2"}},
    {"type": "input", "block_id": "d", "label": {"type": "plain_text", "text": "When"},
     "element": {"type": "datepicker", "action_id": "value", "initial_date": "2026-12-24"}},
    {"type": "input", "block_id": "s", "label": {"type": "plain_text", "text": "Select"},
     "element": {"type": "static_select", "action_id": "value", "option_groups": [
         {"label": {"type": "plain_text", "text": "G"}, "options": [OPTION("X", "x"), OPTION("Y", "y")]}]}},
]


def test_blocks_render_and_read_back_as_slack_has_them(page) -> None:  # noqa: ANN001
    pg = page
    as_(pg, "U0AGENT1", "Alice Park")
    pg.evaluate("""(blocks) => {
        window.fired = [];
        const s = {people: [{id: "U0AGENT1", name: "Alice Park"}, {id: "U0AGENT2", name: "Bruno Costa"}],
                   channels: [{id: "C0HIGH", name: "support-p2"}], tz: "America/New_York"};
        const node = BK.render(blocks, {...s, onAction: (a) => window.fired.push(a)});
        node.id = "probe";  // over the page, out of the way of its live re-rendering
        node.style.cssText = "position:fixed;inset:0;background:#fff;overflow:auto;padding:16px;z-index:50";
        document.body.append(node);
    }""", BLOCKS)
    probe = pg.locator("#probe")
    expect(probe.locator(".bk-header")).to_have_text("Every block")
    section = probe.locator(".bk-section").first
    assert section.locator("b", has_text="bold").count() == 1 and section.locator("i", has_text="italic").count() == 1
    assert section.locator("s", has_text="gone").count() == 1 and section.locator("code", has_text="code").count() == 1
    expect(section.locator("a[href='https://example.com']")).to_have_text("a link")
    expect(section.locator(".bk-mention", has_text="@Alice Park")).to_have_count(1)
    expect(section.locator(".bk-mention", has_text="#support-p2")).to_have_count(1)
    expect(section.locator("time")).to_have_text("Jan 1, 2026 at 7:00 AM")  # in the reader's zone
    assert "<b>" in section.inner_text() and "<i>not html</i>" in section.inner_text()  # escaped, not markup
    expect(probe.locator(".bk-context")).to_contain_text("context line")
    expect(probe.locator("hr.bk-divider")).to_have_count(1)

    probe.get_by_role("button", name="Go").click()
    probe.locator(".bk-overflow").select_option(label="Second")
    probe.locator(".bk-actions select").select_option(label="Blue")
    fired = pg.evaluate("window.fired")
    assert [(a["action_id"], a["type"]) for a in fired] == [("go", "button"), ("ov", "overflow"), ("pick", "static_select")]
    assert fired[0]["value"] == "v" and fired[0]["block_id"] == "a1"
    assert fired[1]["selected_option"]["value"] == "2" and fired[2]["selected_option"]["value"] == "b"

    probe.get_by_label("B").check()
    probe.get_by_label("Select").select_option(label="Y")
    values = pg.evaluate("BK.values(document.getElementById('probe'))")
    assert values["t"]["value"] == {"type": "plain_text_input", "value": "hello"}
    assert values["r"]["value"]["selected_option"]["value"] == "2"
    assert [o["value"] for o in values["c"]["value"]["selected_options"]] == ["b"]
    assert values["u"]["value"] == {"type": "users_select", "selected_user": "U0AGENT2"}
    assert values["d"]["value"] == {"type": "datepicker", "selected_date": "2026-12-24"}
    assert values["s"]["value"]["selected_option"] == OPTION("Y", "y")
    assert "a1" in values and values["a1"]["pick"]["selected_option"]["value"] == "b"  # actions' state is sent too
    shot(pg, "10-block-kit")


def test_a_ticket_reaction_the_message_shortcut_and_the_home_tab(page) -> None:  # noqa: ANN001
    pg = page
    as_(pg, "U0ACME1", "Carla Acme")
    open_pane(pg, "acme-support")
    say(pg, "Reports are empty since the upgrade")
    msg = pg.locator("#log article.msg", has_text="Reports are empty since the upgrade").first
    expect(msg).to_be_visible(timeout=WAIT)
    msg.locator(".tool.shortcut").click()
    m = modal(pg, "Open a request")
    expect(m.get_by_label("Title")).to_have_value(re.compile("Reports are empty"))
    m.get_by_role("button", name="Cancel").click()
    expect(pg.locator(".modal")).to_have_count(0, timeout=WAIT)

    msg.locator(".tool.react").click()
    expect(msg.locator(".reaction")).to_contain_text("1", timeout=WAIT)
    header = pg.locator("#log .bk-header", has_text="Reports are empty since the upgrade")
    expect(header).to_be_visible(timeout=WAIT)
    rid = re.search(r"ACME-\d+", header.inner_text()).group(0)

    as_(pg, "U0AGENT2", "Bruno Costa")
    open_pane(pg, "slackops · Home")
    expect(pg.locator("#log")).to_contain_text(rid, timeout=WAIT)
    shot(pg, "11-agent-home")
    expect(card(pg, rid)).to_have_count(0)  # the Home tab is not a channel


def test_a_form_refuses_as_slack_does(page) -> None:  # noqa: ANN001
    """An empty required field is refused before anything is sent (Slack's client does
    that); the app's own refusal (likely PHI, on Interopion's desk) lands under its field."""
    pg = page
    as_(pg, "U0ACME1", "Carla Acme")
    open_pane(pg, "acme-support")
    say(pg, "/support")
    m = modal(pg, "Open a request")
    m.get_by_role("button", name="Submit").click()
    title_error = m.locator(".bk-input-block", has=pg.get_by_label("Title")).locator(".bk-error")
    expect(title_error).to_have_text("Please complete this required field.")
    m.get_by_label("Priority").select_option(value="P3")
    m.get_by_label("Title").fill("Patient lookup fails")
    m.get_by_label("Description of the problem").fill("Lookup fails for SSN 123-45-6789 since Monday.")
    m.get_by_role("button", name="Submit").click()
    description = m.locator(".bk-input-block", has=pg.get_by_label("Description of the problem"))
    expect(description.locator(".bk-error")).to_contain_text("Social Security number", timeout=WAIT)
    expect(title_error).to_have_text("")
    shot(pg, "12-form-refused")
    m.get_by_role("button", name="Cancel").click()
    expect(pg.locator(".modal")).to_have_count(0, timeout=WAIT)
    expect(pg.locator("#log .bk-header", has_text="Patient lookup fails")).to_have_count(0)
