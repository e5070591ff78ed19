"""Time to acknowledge in the SLA report: per account x priority x escalation level, against
figures computed by hand; JSON, CSV and text; and the Prometheus histogram."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slackops.config import Config
from slackops.operations.records import MaintenanceBook
from slackops.operations.report import to_csv, to_text
from slackops.operations.reporting import Period, build
from slackops.requests import Event, RequestStore

POLICY = """\
name: ackdesk
title: Ack Desk
timezone: UTC
calendars:
  default: {hours: 24x7}
priorities:
  - id: P1
    label: Critical
    rank: 1
    definition: down
    targets:
      first_response: {duration: 1 hours}
    escalation:
      - {level: 1, after: 1 hours, notify: [directors], repeat: {every: 30 minutes, times: 3}}
      - {level: 2, after: 3 hours, notify: [executives]}
"""
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def t(day: int, h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, day, h, m, tzinfo=UTC)


@pytest.fixture
def report(redis, namespace, tmp_path: Path):
    pol = tmp_path / "ackdesk.yml"
    pol.write_text(POLICY)
    cfg = Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "managers": {"directors": ["U0DIR1"], "executives": ["U0EXEC1"]},
        "accounts": [{"id": "acme", "name": "Acme", "channel": "C0ACME", "policy": str(pol)}],
    })
    store = RequestStore(redis, cfg, prefix=namespace)

    def ev(rid, type_, at, actor="policy", **data):
        store.apply(rid, Event(type_, actor, at, data))

    def opened(day):
        rid = store.open("acme", title=f"down {day}", priority="P1", submitted_by="U0ACME1", now=t(day, 10)).id
        ev(rid, "first_response", t(day, 10, 5), actor="U0AGENT1")
        ev(rid, "escalated", t(day, 11), by="policy", level=1, reason="step 1")
        return rid

    # acknowledged 40 min after the first DM; one repeat (11:30) went out before
    r1 = opened(10)
    ev(r1, "escalation_acknowledged", t(10, 11, 40), actor="U0DIR1", level=1)
    ev(r1, "resolved", t(10, 12, 45), actor="U0AGENT1", resolution="fix")
    # nobody answers level 1 (three repeats); level 2 is acknowledged 10 min in, which acknowledges level 1
    r2 = opened(11)
    ev(r2, "escalated", t(11, 13), by="policy", level=2, reason="step 2")
    ev(r2, "escalation_acknowledged", t(11, 13, 10), actor="U0EXEC1", level=2)
    ev(r2, "resolved", t(11, 14), actor="U0AGENT1", resolution="fix")
    # resolved before anyone acknowledged and before the first repeat
    r3 = opened(12)
    ev(r3, "resolved", t(12, 11, 20), actor="U0AGENT1", resolution="fix")
    book = MaintenanceBook(redis, cfg, store.policy, namespace)
    return build(store, book, cfg, Period("2026-11"), NOW, account="acme")


def test_time_to_acknowledge_per_level(report):
    level1, level2 = report["escalations"]
    # level 1: 40 and 130 minutes (11:00 -> 13:10); median 85, p90 40 + 0.9 x 90 = 121
    assert level1 == {"account": "acme", "priority": "P1", "level": 1, "escalated": 3, "acknowledged": 2,
                      "not_acknowledged": 1, "median_ack_minutes": 85.0, "p90_ack_minutes": 121.0, "repeats_sent": 4}
    assert level2 == {"account": "acme", "priority": "P1", "level": 2, "escalated": 1, "acknowledged": 1,
                      "not_acknowledged": 0, "median_ack_minutes": 10.0, "p90_ack_minutes": 10.0, "repeats_sent": 0}


def test_in_the_csv_and_the_text(report):
    rows = [r for r in csv.DictReader(io.StringIO(to_csv(report))) if r["kind"].startswith("escalation")]
    assert [(r["kind"], r["acknowledged"], r["not_acknowledged"], r["median_ack_minutes"], r["p90_ack_minutes"],
             r["repeats_sent"]) for r in rows] == [("escalation level 1", "2", "1", "85.0", "121.0", "4"),
                                                   ("escalation level 2", "1", "0", "10.0", "10.0", "0")]
    text = to_text(report)
    assert "Escalations (time from the first DM to the acknowledgement):" in text
    assert ("acme       P1   level 1  escalated   3  acknowledged   2  not   1  median 85 min, p90 121 min  repeats 4"
            in text)


def test_in_the_chart(report):
    import io

    from PIL import Image

    from slackops.operations.reporting import chart_png

    png = chart_png(report)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and Image.open(io.BytesIO(png)).size == (1000, 800)
    # the same report without escalations draws two charts only: the table is what differs
    assert chart_png({**report, "escalations": []}) != png


def test_the_histogram_is_exposed():
    from prometheus_client import generate_latest

    from slackops.operations import metrics
    from slackops.operations.probes import observe_escalation_ack

    observe_escalation_ack("acme", "P1", 1, 250.0)
    text = generate_latest(metrics.PROCESS).decode()
    assert 'slackops_escalation_ack_seconds_bucket{account="acme",le="300.0",level="1",priority="P1"}' in text
    assert 'slackops_escalation_ack_seconds_count{account="acme",level="1",priority="P1"}' in text
