"""Pure builders: escaping, Slack's limits, the due line in the reader's terms."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from slackops.notices.due import due_line, format_left, next_due
from slackops.notices.text import escape, escaped_cut, truncate
from slackops.policy import load
from slackops.requests import Request
from slackops.slack.blocks.card import request_card
from slackops.slack.blocks.home import agent_home
from slackops.slack.blocks.modals import open_request_modal, reclassify_modal
from slackops.slack.metadata import ActionValue, MetadataError, ViewMeta

NOW = datetime(2026, 1, 13, 14, 20, tzinfo=UTC)  # 07:20 MST


@dataclass(frozen=True)
class Cp:
    kind: str
    due_at: datetime
    state: str = "pending"
    met_at: datetime | None = None
    key: str = "first_response"
    priority: str = ""


def make_request(**kw) -> Request:
    base = dict(id="ACME-7", account="acme", policy="interopion", calendar="default", language="en", priority="P2",
                title="Exports fail", submitted_at=NOW - timedelta(hours=1), submitted_by="U0ACME1",
                description="d", channel="C0ACMESHARED", card_ts="1.1")
    base.update(kw)
    return Request(**base)


def test_escape_and_truncate():
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert truncate("short", 10) == "short"
    cut = truncate("x" * 5000, 3000)
    assert len(cut) <= 3000 and "cut: " in cut and cut.startswith("xxx")
    e = escaped_cut("<" * 2000, 3000)  # escaping triples the length: cut without splitting &lt;
    assert len(e) <= 3000 and "cut" in e and "&l …" not in e and "&lt" in e


@pytest.mark.parametrize("delta,text", [(timedelta(hours=2, minutes=10), "2 h 10 min"), (timedelta(minutes=45), "45 min"),
                                        (timedelta(days=3, hours=4), "3 d 4 h"), (timedelta(seconds=20), "less than a minute")])
def test_format_left(delta, text):
    assert format_left(delta) == text


def test_due_line_in_the_readers_zone():
    cp = Cp("first_response", datetime(2026, 1, 13, 16, 30, tzinfo=UTC))  # 09:30 MST
    assert due_line(cp, now=NOW, tz="America/Denver", per_reader=False) == "first response due 09:30 MST, in 2 h 10 min"
    # in Slack text, a date token: each reader sees their own zone, the fallback names the policy's
    token = f"<!date^{int(cp.due_at.timestamp())}^{{date_short_pretty}} {{time}}|09:30 MST>"
    assert due_line(cp, now=NOW, tz="America/Denver") == f"first response due {token}, in 2 h 10 min"
    assert due_line(cp, now=NOW, tz="America/New_York", per_reader=False) == "first response due 11:30 EST, in 2 h 10 min"
    assert due_line(cp, now=NOW, tz="Europe/Rome", lang="it", per_reader=False) == "presa in carico entro 17:30 CET, tra 2 h 10 min"
    token = due_line(cp, now=NOW, tz="America/Denver", per_reader=True)
    assert token.startswith("first response due <!date^") and "|09:30 MST>" in token
    late = Cp("resolution", NOW - timedelta(minutes=35), state="breached")
    assert due_line(late, now=NOW, tz="UTC", per_reader=False) == "resolution overdue since 13:45 UTC (35 min ago)"
    other_day = Cp("resolution", NOW + timedelta(days=2))
    assert due_line(other_day, now=NOW, tz="UTC", per_reader=False).startswith("resolution due Thu 15 Jan 14:20 UTC")


def test_next_due_skips_done_and_internal_checkpoints():
    cps = [Cp("escalation", NOW + timedelta(minutes=1)), Cp("first_response", NOW - timedelta(hours=1), "met", NOW),
           Cp("resolution", NOW + timedelta(hours=5)), Cp("update", NOW + timedelta(hours=2))]
    assert next_due(cps).kind == "update"


def test_card_respects_limits_and_escapes():
    policy = load("interopion")
    req = make_request(title="T <!channel> " + "t" * 400, description="<!here> " + "d" * 10000)
    blocks = request_card(req, [Cp("first_response", NOW + timedelta(hours=1))], policy=policy, now=NOW)
    assert len(blocks) <= 50
    assert blocks[0]["text"]["type"] == "plain_text" and len(blocks[0]["text"]["text"]) <= 150
    for b in blocks:
        if b.get("text", {}).get("type") == "mrkdwn":
            assert len(b["text"]["text"]) <= 3000
    desc = next(b for b in blocks if b.get("block_id") == "card_description")["text"]["text"]
    assert desc.startswith("&lt;!here&gt;") and "cut:" in desc
    # plain_text is never interpreted; everything mrkdwn is escaped
    assert "<!" not in json.dumps(blocks[1:]).replace("<!date^", "")
    for b in blocks:
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
            for el in b["elements"]:  # a button's value, or each option of a select
                values = [o["value"] for o in el["options"]] if "options" in el else [el["value"]]
                assert all(ActionValue.parse(v).r == "ACME-7" for v in values)


def test_closed_card_has_no_agent_buttons_but_resolved_has_reopen():
    policy = load("interopion")
    closed = request_card(make_request(status="closed", resolution="fix"), [], policy=policy, now=NOW)
    assert "req_take" not in json.dumps(closed) and "req_reopen" not in json.dumps(closed)
    resolved = request_card(make_request(status="resolved", resolution="fix"), [], policy=policy, now=NOW)
    assert "req_reopen" in json.dumps(resolved) and "req_confirm_resolved" in json.dumps(resolved)


def test_modals_titles_and_metadata_within_limits():
    for name in ("interopion", "ixcloud", "interactor", "interzen", "comensure"):
        policy = load(name)
        acct = type("A", (), {"name": "A very long account name " * 5, "language": "it", "contacts_24x7": []})()
        for lang in ("en", "it"):
            view = open_request_modal(policy, acct, ViewMeta(account="acme", channel="C1"), lang=lang)
            assert len(view["title"]["text"]) <= 24 and len(view["submit"]["text"]) <= 24
            assert len(view["blocks"]) <= 100 and len(view["private_metadata"]) <= 3000
            for b in view["blocks"]:
                for o in (b.get("element") or {}).get("options", []):
                    assert len(o["text"]["text"]) <= 75 and len(o.get("description", {}).get("text", "")) <= 75
        view = reclassify_modal(policy, make_request(priority=policy.priorities[0].id), ViewMeta(r="ACME-7"))
        assert len(view["title"]["text"]) <= 24


def test_metadata_round_trip_and_limit():
    meta = ViewMeta(r="ACME-1", channel="C1", source="shortcut", source_ts="1.2")
    assert ViewMeta.parse(meta.dump()) == meta
    assert ActionValue.parse("ACME-3").r == "ACME-3"  # a bare id is accepted
    with pytest.raises(MetadataError):
        ViewMeta(source_permalink="x" * 4000).dump()


def test_agent_home_block_limit():
    policy = load("interopion")
    rows = [(replace(make_request(), id=f"ACME-{i}"), [Cp("first_response", NOW + timedelta(minutes=i))], policy)
            for i in range(300)]
    view = agent_home(rows, rows, now=NOW, tz="UTC")
    assert len(view["blocks"]) <= 100
    assert "and 280 more" in json.dumps(view)
