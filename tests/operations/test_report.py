"""SLA reports: a seeded Comensure month against figures computed by hand; CSV, JSON, the chart."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from slackops.cli import main
from slackops.config import Settings
from slackops.operations.records import MaintenanceBook
from slackops.operations.report import quantile, to_csv, to_text
from slackops.operations.reporting import Period, build, chart_png
from slackops.requests import Event, RequestStore
from slackops.requests.redis_server import connect
from tests.requests.helpers import config

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 3, 12, tzinfo=NY)


def ny(mo: int, d: int, h: int, m: int = 0) -> datetime:
    return datetime(2026, mo, d, h, m, tzinfo=NY)


def seed(store: RequestStore) -> dict[str, str]:
    """Acme (Comensure): P3 first response 8 hours (24x7), resolution 5 business days (Mon-Fri 09-17)."""
    def ev(rid, type_, at, **data):
        store.apply(rid, Event(type_, "U0AGENT1", at, data))

    ids = {}
    r1 = store.open("acme", title="Export", priority="P3", submitted_by="U0ACME1", now=ny(11, 10, 10)).id
    ev(r1, "first_response", ny(11, 10, 12))
    ev(r1, "resolved", ny(11, 12, 10), resolution="fix", note="")
    r2 = store.open("acme", title="Report totals", priority="P3", submitted_by="U0ACME1", now=ny(11, 13, 16)).id
    ev(r2, "first_response", ny(11, 14, 8))  # 16 h: 8 h late
    ev(r2, "info_requested", ny(11, 16, 10), question="which report?")
    ev(r2, "info_provided", ny(11, 17, 10), text="the monthly one")
    ev(r2, "resolved", ny(11, 27, 12), resolution="fix", note="")
    r3 = store.open("acme", title="All down", priority="P1", submitted_by="U0ACME1", now=ny(11, 18, 9)).id
    ev(r3, "first_response", ny(11, 18, 9, 30))
    ev(r3, "resolved", ny(11, 18, 15), resolution="fix", note="")
    r4 = store.open("acme", title="Still open", priority="P3", submitted_by="U0ACME1", now=ny(11, 30, 10)).id
    ev(r4, "first_response", ny(11, 30, 11))
    r5 = store.open("acme", title="Dark mode", priority="P3", submitted_by="U0ACME1", now=ny(11, 20, 10)).id
    ev(r5, "first_response", ny(11, 20, 10, 30))
    ev(r5, "resolved", ny(11, 20, 11), resolution="feature_request", note="")
    store.open("acme", title="October", priority="P2", submitted_by="U0ACME1", now=ny(10, 30, 10))  # not in November
    ids.update(r1=r1, r2=r2, r3=r3, r4=r4, r5=r5)
    return ids


@pytest.fixture
def seeded(redis, namespace):
    cfg = config()
    store = RequestStore(redis, cfg, prefix=namespace)
    book = MaintenanceBook(redis, cfg, store.policy, namespace)
    return store, book, cfg, seed(store)


def test_quantile_is_linear_interpolation():
    assert quantile([0.5, 1, 2, 16], 0.5) == 1.5
    assert quantile([0.5, 1, 2, 16], 0.9) == pytest.approx(11.8)
    assert quantile([], 0.5) is None and quantile([3], 0.9) == 3


def test_report_figures_equal_the_hand_computed_ones(seeded):
    store, book, cfg, ids = seeded
    report = build(store, book, cfg, Period("2026-11"), NOW, account="acme")
    assert report["requests"] == 5
    rows = {(r["priority"], r["kind"]): r for r in report["rows"]}
    assert list(rows) == [("P1", "first_response"), ("P3", "first_response"), ("P3", "resolution")]
    fr = rows[("P3", "first_response")]
    # first responses after 2 h, 16 h (late), 1 h and 0.5 h: sorted 0.5, 1, 2, 16
    assert (fr["met"], fr["breached"], fr["open"], fr["attainment_percent"]) == (3, 1, 0, 75.0)
    assert (fr["median_wall_hours"], fr["p90_wall_hours"]) == (1.5, 11.8)  # 2 + 0.7 x 14
    assert (fr["median_business_hours"], fr["p90_business_hours"]) == (1.5, 11.8)  # a 24x7 target
    res = rows[("P3", "resolution")]
    assert (res["met"], res["breached"], res["open"], res["attainment_percent"]) == (2, 1, 1, 66.67)
    # wall: 48 h, 332 h (Fri 13 16:00 -> Fri 27 12:00), 1 h
    assert (res["median_wall_hours"], res["p90_wall_hours"]) == (48.0, 275.2)
    # business (Mon-Fri 09-17): 16 h; 1 + 9 x 8 + 3 = 76 h less 8 h waiting = 68 h; 1 h
    assert (res["median_business_hours"], res["p90_business_hours"]) == (16.0, 57.6)
    assert rows[("P1", "first_response")]["attainment_percent"] == 100.0
    breaches = [(b["request"], b["kind"], b["late_by_minutes"]) for b in report["breaches"]]
    # first response due Sat 14 00:00, given 08:00; resolution due after 40 + 8 (paused) business
    # hours, Mon 23 16:00, given Fri 27 12:00: 3 days 20 hours late
    assert breaches == [(ids["r2"], "first_response", 480.0), (ids["r2"], "resolution", 5520.0)]
    assert [f["request"] for f in report["feature_requests"]] == [ids["r5"]]
    [up] = report["uptime"]
    assert up["month"] == "2026-11" and up["account"] == "acme"
    # R3 (P1, unavailable by default) was down 09:00-15:00 on the 18th: 360 of 43,260 minutes
    assert up["downtime_minutes"] == 360 and up["uptime_percent"] == round(100 * (43260 - 360) / 43260, 4)
    assert (up["uptime_percent"], up["met"], up["credit_percent"]) == (99.1678, True, 0)  # above 99%: no credit
    text = to_text(report)
    assert "acme       P3   first_response   met    3  breached    1  open    0  attainment 75%" in text
    assert f"{ids['r2']} resolution due 2026-11-23T16:00-05:00, late by 5520 min" in text


def test_csv_json_and_chart(seeded, tmp_path):
    store, book, cfg, ids = seeded
    report = build(store, book, cfg, Period(start="2026-11-01", end="2026-11-30"), NOW, account="acme")
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert [(r["priority"], r["kind"], r["met"], r["breached"], r["open"], r["attainment_percent"]) for r in rows] == [
        ("P1", "first_response", "1", "0", "0", "100.0"), ("P3", "first_response", "3", "1", "0", "75.0"),
        ("P3", "resolution", "2", "1", "1", "66.67")]
    assert rows[2]["p90_business_hours"] == "57.6" and rows[1]["median_wall_hours"] == "1.5"
    assert json.loads(json.dumps(report))["rows"] == report["rows"]
    png = chart_png(report)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert img.size == (1000, 800)
    weeks = {(w["priority"], w["week"]) for w in report["weekly_attainment"]}
    assert ("P3", "2026-11-09") in weeks


def test_bad_periods_are_refused():
    from slackops.errors import DomainError

    for kw, words in [({"month": "2026-11", "start": "2026-11-01", "end": "2026-11-02"}, "not both"),
                      ({"start": "2026-11-01"}, "both --from and --to"),
                      ({"start": "2026-11-05", "end": "2026-11-01"}, "before"),
                      ({"month": "11/2026"}, "not a month"), ({"start": "x", "end": "y"}, "YYYY-MM-DD")]:
        with pytest.raises(DomainError, match=words):
            Period(**kw)


def test_report_cli(tmp_path, monkeypatch, namespace, capsys):
    cfg_file = tmp_path / "slackops.yml"
    cfg_file.write_text(yaml.safe_dump(config().model_dump(mode="json", exclude_none=True)))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SLACKOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SLACKOPS_CONFIG", str(cfg_file))
    with connect(Settings(data_dir=str(tmp_path / "data"))) as (client, _):
        seed(RequestStore(client, config(), prefix=namespace))
    chart = tmp_path / "chart.png"
    assert main(["report", "--account", "acme", "--month", "2026-11", "--format", "csv", "--chart", str(chart),
                 "--prefix", namespace]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("account,priority,kind,met,breached,open,attainment_percent")
    assert chart.read_bytes()[:4] == b"\x89PNG"
    assert main(["report", "--month", "2026-11", "--format", "json", "--prefix", namespace]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["account"] for r in data["rows"]} == {"acme"}  # the other accounts had no requests
    assert main(["report", "--month", "2026-11", "--from", "2026-11-01", "--prefix", namespace]) == 2
    assert "not both" in capsys.readouterr().err


def test_support_report_summary_and_files_in_the_dm(desk):
    from datetime import UTC, datetime

    from tests.slack.conftest import reply, wait_for

    rid = desk.open_request(priority="P2", title="Exports fail")
    desk.store.apply(rid, Event("first_response", "U0AGENT1", datetime.now(UTC), {}))
    r = desk.driver.command("/support", "report", user_id="U0ACME1", channel_id="C0ACMESHARED", user_team_id="T0ACME")
    assert "Only the vendor's agents" in reply(r)
    r = desk.driver.command("/support", "report 2026-13x", user_id="U0MGR1", channel_id="C0TRIAGE")
    assert "neither a month" in reply(r)
    r = desk.driver.command("/support", "report acme", user_id="U0MGR1", channel_id="C0TRIAGE")
    assert "Building the SLA report for this month for acme" in reply(r)
    summary = desk.wait_ephemeral("U0MGR1", "SLA report")
    assert "acme" in summary["text"] and "first_response" in summary["text"]
    files = wait_for(lambda: [f for f in desk.fake.files.values() if f["channel"]] if len(
        [f for f in desk.fake.files.values() if f["channel"]]) == 3 else None, timeout=20, what="three files shared")
    assert {f["channel"] for f in files} == {"D0MGR1"}  # the asker's DM (conversations.open)
    by_ext = {f["name"].rsplit(".", 1)[1]: f for f in files}
    assert by_ext["png"]["content"][:8] == b"\x89PNG\r\n\x1a\n"
    assert by_ext["csv"]["content"].decode().startswith("account,priority,kind")
    assert "first_response" in by_ext["txt"]["content"].decode()
    assert [c.method for c in desk.fake.calls if c.method.startswith("files.")].count("files.completeUploadExternal") == 1
