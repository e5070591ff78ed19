"""A request that closes by itself (its resolution never confirmed) asks its customer "How
did we do?" once, with the closing, where the policy runs the satisfaction survey."""

from __future__ import annotations

from pathlib import Path

import pytest

from slackops.config import Config

from .conftest import POLICY, SHARED, Harness
from .test_unconfirmed import resolved, run, thread_texts


@pytest.fixture
def desk(redis, fake_slack, namespace, tmp_path: Path):
    p = tmp_path / "closing.yml"
    p.write_text(POLICY + "intake:\n  close_unconfirmed_after: 3 seconds\n  remind_unconfirmed_before: 1 seconds\n"
                          "  satisfaction_survey: true\n")
    config = Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "channels": {3: "C0NORMAL"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": SHARED, "policy": str(p), "contacts": ["U0ACME1"]}],
    })
    h = Harness(redis, config, fake_slack, namespace)
    h.ctx.publisher.ensure_groups()
    try:
        yield h
    finally:
        h.stop()


def test_closed_by_itself_the_customer_is_asked_once(desk):
    rid, ts = resolved(desk)
    assert run(desk, lambda: any("How did we do?" in t for t in thread_texts(desk, ts)))
    assert desk.store.get(rid).status.value == "closed"
    desk.run_for(1.5)  # a second survey would land by now
    texts = thread_texts(desk, ts)
    assert len([t for t in texts if "How did we do?" in t]) == 1
    assert texts.index(next(t for t in texts if "closed by itself" in t)) < texts.index(
        next(t for t in texts if "How did we do?" in t))
