"""A change of an account's contract: open requests are re-planned from their submission
under the new terms at the next start; what was met stays met, the entry says what moved,
reports judge what was decided before by the old terms; requests store the short name
``account:<id>`` and the version of the terms they are judged under."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slackops.workers.contracts import replan
from slackops.workers.runtime import Runtime, build_context

from slackops.config import Config
from slackops.notices.outbox import make_client
from slackops.requests import Event, RequestStore
from slackops.requests.contracts import version_of

BASE = """\
name: plain
title: Plain
timezone: UTC
languages: [en]
calendars:
  24x7: {hours: 24x7}
  default: 24x7
priorities:
  - id: P1
    label: Urgent
    rank: 1
    definition: down
    targets:
      first_response: {duration: 10 minutes, calendar: 24x7}
  - id: P2
    label: High
    rank: 2
    definition: impeded
    targets:
      first_response: {duration: 1 hours, calendar: 24x7}
      resolution: {duration: 8 hours, calendar: 24x7}
"""
T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def config(folder: Path, first_response: str, resolution: str) -> Config:
    return Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "channels": {2: "C0HIGH"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": "C0ACMESHARED", "contacts": ["U0ACME1"],
                      "policy": {"extends": "plain.yml", "priorities": [
                          {"id": "P2", "targets": {"first_response": first_response, "resolution": resolution}}]}}],
    }, context={"file": str(folder / "slackops.yml"), "folder": str(folder)})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "plain.yml").write_text(BASE)
    return tmp_path


def cps(store: RequestStore, rid: str, now: datetime) -> dict[str, tuple[str, datetime]]:
    return {c.key: (c.state, c.due_at) for c in store.timeline(store.get(rid), now)}


def test_a_changed_contract_replans_open_requests_keeping_what_was_met(redis, namespace, folder, fake_slack):
    old = config(folder, "1 hours", "8 hours")
    store = RequestStore(redis, old, prefix=namespace)
    client = make_client("xoxb-test", fake_slack.url)
    replan(build_context(redis, old, client, prefix=namespace))  # a worker ran with the old terms
    a = store.open("acme", title="answered", priority="P2", submitted_by="U0ACME1", now=T0)
    b = store.open("acme", title="waiting", priority="P2", submitted_by="U0ACME1", now=T0)
    store.apply(a.id, Event("first_response", "U0AGENT1", T0 + timedelta(minutes=20)))
    # requests store the account's short name, and the version of the terms in their history
    assert a.policy == "account:acme"
    v1 = store.policy(a.policy).version
    assert version_of(store.get(a.id)) == v1
    assert store.history(a.id)[0].data["contract"] == v1

    # the contract changes: P2 first response in 15 minutes, resolution in 4 hours
    new = config(folder, "15 minutes", "4 hours")
    ctx = build_context(redis, new, client, prefix=namespace)
    v2 = ctx.store.policy("account:acme").version
    assert v2 != v1
    at = T0 + timedelta(minutes=30)
    assert replan(ctx, now=at) == 2
    assert replan(ctx, now=at + timedelta(minutes=1)) == 0  # once per change

    s = ctx.store
    # A's first response (20 min) was met under the old terms: it stays met; its resolution moves
    assert cps(s, a.id, at) == {"first_response": ("met", T0 + timedelta(hours=1)),
                                "resolution": ("pending", T0 + timedelta(hours=4))}
    # B was still waiting: re-planned from its submission, now already late (15 minutes)
    assert cps(s, b.id, at) == {"first_response": ("breached", T0 + timedelta(minutes=15)),
                                "resolution": ("pending", T0 + timedelta(hours=4))}
    entry = [e for e in s.history(b.id) if e.type == "contract_changed"]
    assert len(entry) == 1 and entry[0].actor == "system"
    assert entry[0].data["from"] == v1 and entry[0].data["to"] == v2
    assert {(m["key"], m["from_target"], m["to_target"], m["from_due"], m["to_due"]) for m in entry[0].data["moved"]} == {
        ("first_response", "1 hours", "15 minutes", (T0 + timedelta(hours=1)).isoformat(),
         (T0 + timedelta(minutes=15)).isoformat()),
        ("resolution", "8 hours", "4 hours", (T0 + timedelta(hours=8)).isoformat(), (T0 + timedelta(hours=4)).isoformat())}
    a_moved = [e for e in s.history(a.id) if e.type == "contract_changed"][0].data["moved"]
    assert [m["key"] for m in a_moved] == ["resolution"]  # the met first response did not move
    assert version_of(s.get(a.id)) == v2 == version_of(s.get(b.id))

    # the alarms follow the new plan: B's breach is due now, A's resolution at 4 hours
    members = {m.decode(): sc for m, sc in redis.zrange(s.keys.deadlines, 0, -1, withscores=True)}
    assert members[f"{b.id}|first_response|due"] == (T0 + timedelta(minutes=15)).timestamp()
    assert members[f"{a.id}|resolution|due"] == (T0 + timedelta(hours=4)).timestamp()
    assert f"{a.id}|first_response|due" not in members

    # a request opened now is planned under the new terms from the start
    c = s.open("acme", title="new", priority="P2", submitted_by="U0ACME1", now=at)
    assert version_of(c) == v2
    assert cps(s, c.id, at)["first_response"] == ("pending", at + timedelta(minutes=15))


def test_a_breach_under_the_old_terms_stays_a_breach_when_the_new_ones_are_kinder(redis, namespace, folder, fake_slack):
    from slackops.operations.records import MaintenanceBook
    from slackops.operations.reporting import Period, build

    strict = config(folder, "15 minutes", "8 hours")
    client = make_client("xoxb-test", fake_slack.url)
    replan(build_context(redis, strict, client, prefix=namespace))
    store = RequestStore(redis, strict, prefix=namespace)
    r = store.open("acme", title="late", priority="P2", submitted_by="U0ACME1", now=T0)
    store.apply(r.id, Event("first_response", "U0AGENT1", T0 + timedelta(minutes=40)))  # 25 minutes late
    kind = config(folder, "1 hours", "8 hours")
    ctx = build_context(redis, kind, client, prefix=namespace)
    assert replan(ctx, now=T0 + timedelta(hours=1)) == 1
    now = T0 + timedelta(hours=2)
    assert cps(ctx.store, r.id, now)["first_response"] == ("breached", T0 + timedelta(minutes=15))
    report = build(ctx.store, MaintenanceBook(redis, kind, ctx.store.policy, namespace), kind,
                   Period(start="2026-11-01", end="2026-11-30"), now)
    (row,) = [x for x in report["rows"] if x["kind"] == "first_response"]
    assert (row["met"], row["breached"]) == (0, 1)  # judged by the terms in force when it was due


def test_the_worker_replans_at_its_start(redis, namespace, folder, fake_slack):
    client = make_client("xoxb-test", fake_slack.url)
    old = config(folder, "1 hours", "8 hours")
    Runtime(build_context(redis, old, client, prefix=namespace), sweep=False, dispatch=False, publish=False).start().stop()
    r = RequestStore(redis, old, prefix=namespace).open("acme", title="x", priority="P2", submitted_by="U0ACME1",
                                                        now=datetime.now(UTC))
    new = config(folder, "15 minutes", "4 hours")
    ctx = build_context(redis, new, client, prefix=namespace)
    Runtime(ctx, sweep=False, dispatch=False, publish=False).start().stop()
    assert [e.type for e in ctx.store.history(r.id)][-1] == "contract_changed"
    assert version_of(ctx.store.get(r.id)) == ctx.store.policy("account:acme").version


def test_requests_under_a_policy_file_are_left_to_it(redis, namespace, folder, fake_slack):
    client = make_client("xoxb-test", fake_slack.url)
    by_file = Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "channels": {2: "C0HIGH"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": "C0ACMESHARED", "policy": str(folder / "plain.yml")}]})
    r = RequestStore(redis, by_file, prefix=namespace).open("acme", title="x", priority="P2", submitted_by="U0ACME1",
                                                            now=T0)
    # the account moves to a contract of its own: the request opened under the file keeps it
    ctx = build_context(redis, config(folder, "15 minutes", "4 hours"), client, prefix=namespace)
    assert replan(ctx, now=T0 + timedelta(minutes=5)) == 0
    assert [e.type for e in ctx.store.history(r.id)] == ["submitted"]
    assert cps(ctx.store, r.id, T0)["first_response"] == ("pending", T0 + timedelta(hours=1))
