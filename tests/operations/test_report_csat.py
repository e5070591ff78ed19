"""Customer satisfaction in `slackops report`: per account, priority and assignee, the
number of ratings, their average and the share rated 4 or 5, equal to figures computed by
hand; the text, the JSON and the chart's CSAT panel."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from slackops.operations.records import MaintenanceBook
from slackops.operations.report import to_text
from slackops.operations.reporting import Period, build, chart_png
from slackops.requests import Event, RequestStore
from tests.operations.test_report import NOW, ny
from tests.requests.helpers import config

# (account, priority, assignee, rating); None: closed, never rated
RATED = [
    ("acme", "P3", "U0AGENT1", 5), ("acme", "P3", "U0AGENT1", 4), ("acme", "P1", "U0AGENT2", 2),
    ("acme", "P3", None, 3), ("acme", "P3", "U0AGENT2", None),
    ("ixc", "S2", "U0AGENT2", 5), ("ixc", "S3", "U0AGENT1", 1), ("ixc", "S3", "U0AGENT1", 4),
]


def seed(store: RequestStore) -> None:
    for i, (account, priority, assignee, rating) in enumerate(RATED):
        at = ny(11, 2 + i, 10)
        contact = "U0ACME1" if account == "acme" else "U0IXC1"
        rid = store.open(account, title=f"r{i}", priority=priority, submitted_by=contact, now=at).id
        if assignee:
            store.apply(rid, Event("assigned", "U0AGENT1", at + timedelta(minutes=5), {"assignee": assignee}))
        store.apply(rid, Event("resolved", assignee or "U0AGENT1", at + timedelta(hours=1), {"resolution": "fix"}))
        store.apply(rid, Event("closed", contact, at + timedelta(hours=2), {}))
        if rating:
            # a first rating, then the one that counts (changed within the 7 days)
            store.apply(rid, Event("csat_rated", contact, at + timedelta(hours=3), {"rating": 6 - rating}))
            store.apply(rid, Event("csat_rated", contact, at + timedelta(days=2), {"rating": rating, "comment": "ok"}))
    # out of the period: not counted
    old = store.open("acme", title="October", priority="P3", submitted_by="U0ACME1", now=ny(10, 20, 10)).id
    store.apply(old, Event("resolved", "U0AGENT1", ny(10, 20, 11), {"resolution": "fix"}))
    store.apply(old, Event("closed", "U0ACME1", ny(10, 20, 12), {}))
    store.apply(old, Event("csat_rated", "U0ACME1", ny(10, 20, 13), {"rating": 1}))


def by_hand(key_of) -> dict[str, tuple[int, float, float]]:
    groups: dict[str, list[int]] = {}
    for row in RATED:
        if row[3] is not None:
            groups.setdefault(key_of(row), []).append(row[3])
    return {k: (len(v), round(sum(v) / len(v), 2), round(100 * sum(r >= 4 for r in v) / len(v), 2))
            for k, v in groups.items()}


def test_csat_figures_equal_the_hand_computed_ones(redis, namespace):
    cfg = config()
    store = RequestStore(redis, cfg, prefix=namespace)
    seed(store)
    report = build(store, MaintenanceBook(redis, cfg, store.policy, namespace), cfg, Period("2026-11"), NOW)

    def got(group: str) -> dict[str, tuple[int, float, float]]:
        return {r["key"]: (r["ratings"], r["average"], r["satisfied_percent"]) for r in report["csat"][group]}

    assert got("account") == by_hand(lambda r: r[0]) == {"acme": (4, 3.5, 50.0), "ixc": (3, 3.33, 66.67)}
    assert got("priority") == by_hand(lambda r: r[1])
    assert got("assignee") == by_hand(lambda r: r[2] or "-")
    assert got("assignee")["U0AGENT1"] == (4, 3.5, 75.0)  # 5, 4, 1, 4

    text = to_text(report)
    assert "account   acme            4 ratings  average 3.5  4-5 50%" in text
    assert json.loads(json.dumps(report))["csat"] == report["csat"]
    from PIL import Image

    img = Image.open(io.BytesIO(chart_png(report)))
    assert img.size == (1000, 1100)  # the CSAT panel below the other two

    # one account's report counts only its own
    acme = build(store, MaintenanceBook(redis, cfg, store.policy, namespace), cfg, Period("2026-11"), NOW,
                 account="acme")
    assert [r["key"] for r in acme["csat"]["account"]] == ["acme"]
