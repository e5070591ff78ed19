"""Within a destination's queue alarms go first, the most urgent first: a breach alert due in a
channel with hundreds of cards queued ahead of it is posted at its instant, and every card
still goes out exactly once."""

from __future__ import annotations

from collections import Counter

from slackops.config import Config
from slackops.notices.notice import Notice

from .conftest import SHARED, Harness, carried, utcnow

CHANNEL = "C0NORMAL"  # P3's channel: the agents' cards (triage) and its alarms
LONE_ALERT = """\
name: lonedesk
title: Lone Desk
timezone: UTC
calendars:
  default: {hours: 24x7}
priorities:
  - id: P3
    label: Normal
    rank: 3
    definition: usable
    warn_at: []
    targets:
      first_response: {duration: 3 seconds}
"""


def _cards(n: int, now: float) -> list[Notice]:
    return [Notice(id=f"card:agents|BULK-{i}", dest=CHANNEL, text=f"card {i}", digestible=False,
                   request_id=f"BULK-{i}", kind="card:agents", due_at=now) for i in range(n)]


def test_an_alert_behind_300_cards_is_posted_at_its_instant(redis, fake_slack, namespace, tmp_path):
    # one alert, alone: no warning before it, nothing to fold it with
    pol = tmp_path / "lonedesk.yml"
    pol.write_text(LONE_ALERT)
    config = Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "channels": {3: CHANNEL},
        "accounts": [{"id": "acme", "name": "Acme", "channel": SHARED, "policy": str(pol), "contacts": ["U0ACME1"]}],
    })
    h = Harness(redis, config, fake_slack, namespace, interval=0.05)
    try:
        now = utcnow()
        h.ctx.outbox.add_many(_cards(300, now.timestamp()), now.timestamp())
        req = h.store.open("acme", title="Slow page", priority="P3", submitted_by="U0ACME1", now=now)
        breach = f"{req.id}|first_response|due|{CHANNEL}"  # 3 s after opening
        assert h.run_until(lambda: breach in carried(fake_slack, CHANNEL), timeout=15)
        due = req.submitted_at.timestamp() + 3
        posted = _posted_at(fake_slack, breach)
        assert due <= posted <= due + 2.0, posted - due
        # the cards were still going out before it and after it: each exactly once
        assert h.run_until(lambda: sum(1 for c in carried(fake_slack, CHANNEL) if c.startswith("card:")) >= 300,
                           timeout=60)
        h.run_for(0.5)
        seen = Counter(c for c in carried(fake_slack, CHANNEL) if c.startswith("card:"))
        assert len(seen) == 300 and set(seen.values()) == {1}
        cards_before = [m for m in _messages(fake_slack) if m[1].startswith("card:") and m[0] < posted]
        assert 0 < len(cards_before) < 300
    finally:
        h.stop()


def test_alarms_of_a_more_urgent_priority_go_first(redis, config, fake_slack, namespace):
    """Alarms queued together for one destination with folding off: by priority rank, then due."""
    from slackops.notices.outbox import Outbox, make_client

    outbox = Outbox(redis, make_client("xoxb-test", fake_slack.url, timeout=5), namespace, interval=0.01, max_digest=1)
    t = utcnow().timestamp()
    outbox.add_many([
        *_cards(3, t - 10),
        Notice(id="p3-early", dest=CHANNEL, text="P3 warning", due_at=t - 5, rank=3, kind="warning"),
        Notice(id="p1-late", dest=CHANNEL, text="P1 breach", due_at=t - 1, rank=1, kind="breach"),
        Notice(id="p2", dest=CHANNEL, text="P2 breach", due_at=t - 2, rank=2, kind="breach"),
    ], t)
    outbox.drain(timeout=20)
    order = [nid for _at, nid in sorted(_messages(fake_slack))]
    assert order == ["p1-late", "p2", "p3-early", *(f"card:agents|BULK-{i}" for i in range(3))]


def _messages(fake) -> list[tuple[float, str]]:
    """(when chat.postMessage reached Slack, the notice id it carried) of the successful posts."""
    out = []
    for c in fake.calls_to("chat.postMessage"):
        md = c.params.get("metadata") or {}
        if c.status == 200 and isinstance(md, dict) and md.get("event_payload"):
            out.append((c.at, md["event_payload"]["notice_id"]))
    return out


def _posted_at(fake, notice_id: str) -> float:
    found = [at for at, nid in _messages(fake) if nid == notice_id]
    if not found:  # carried inside a digest with another alarm
        found = [c.at for c in fake.calls_to("chat.postMessage") if c.status == 200
                 and notice_id in ((c.params.get("metadata") or {}).get("event_payload") or {}).get("notice_ids", [])]
    return min(found)
