"""Outgoing events: a receiver on 127.0.0.1 gets every event of a request once (after
de-duplicating on its id), in order, signed; retries after 500s, 429s and a worker killed
mid-delivery carry the same id and body; a dead endpoint's events are listed and replayed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from slackops.config import Config, Webhook
from slackops.notices.webhooks import Webhooks, sign, verify
from tests.workers.procs import stop

from .conftest import Harness, utcnow
from .receiver import Receiver

SECRET_ENV = "SLACKOPS_TEST_HOOK_SECRET"
SECRET = "a shared secret"


@pytest.fixture
def receiver():
    r = Receiver(SECRET).start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def hooked(config: Config, receiver: Receiver, monkeypatch) -> Config:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return config.model_copy(update={"webhooks": [Webhook(url=receiver.url, secret_env=SECRET_ENV)]})


class Desk:
    """The worker harness with the webhooks' feeder and dispatcher stepped in this thread."""

    def __init__(self, redis, config, fake, ns) -> None:
        from slackops.workers.hooks import HookFeeder

        self.h = Harness(redis, config, fake, ns)
        self.hooks: Webhooks = self.h.ctx.webhooks
        self.hooks.backoff = 0.1
        self.feeder = HookFeeder(redis, self.h.store, config, self.hooks)
        self.feeder.ensure_groups()
        self.store = self.h.store

    def step(self) -> None:
        self.h.step()
        self.feeder.step(block=0)
        for d in self.hooks.ready(time.time()):
            self.hooks.flush(d)

    def run_until(self, done, timeout: float = 20.0) -> bool:
        end = time.time() + timeout
        while time.time() < end:
            self.step()
            if done():
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        self.h.stop()


@pytest.fixture
def desk(redis, hooked, fake_slack, namespace):
    d = Desk(redis, hooked, fake_slack, namespace)
    try:
        yield d
    finally:
        d.stop()


def of(receiver: Receiver, rid: str) -> list[dict]:
    return [e for e in receiver.events() if (e.get("request") or {}).get("id") == rid]


def test_every_event_once_in_order_signed_same_id_after_500s_and_429(desk, receiver, fake_slack):
    from slackops.requests import Event

    # the endpoint fails twice with 500, then asks to wait with a 429 and Retry-After
    receiver.answer_next(500, 2)
    receiver.answer_next(429, 1, headers={"Retry-After": "1"})
    req = desk.store.open("acme", title="slow <page>", priority="P3", submitted_by="U0ACME1", now=utcnow())
    desk.store.apply(req.id, Event(type="assigned", actor="U0AGENT1", at=utcnow(), data={}))  # Take: accepts it
    desk.store.apply(req.id, Event(type="first_response", actor="U0AGENT1", at=utcnow(), data={}))
    # the resolution target (4 s, warned at half) is warned about, then breached
    assert desk.run_until(lambda: "sla.breached" in [e["type"] for e in of(receiver, req.id)]), \
        [e["type"] for e in of(receiver, req.id)]
    desk.store.apply(req.id, Event(type="resolved", actor="U0AGENT1", at=utcnow(), data={"resolution": "fix"}))
    desk.store.apply(req.id, Event(type="closed", actor="U0ACME1", at=utcnow(), data={}))
    desk.store.apply(req.id, Event(type="csat_rated", actor="U0ACME1", at=utcnow(), data={"rating": 4, "comment": "ok"}))
    assert desk.run_until(lambda: "csat.rated" in [e["type"] for e in of(receiver, req.id)])
    desk.run_until(lambda: False, timeout=1.0)  # anything doubled or late would land by now

    events = of(receiver, req.id)
    # taking it accepts it; the first response is met when an acknowledgement is sent (here the
    # first_response entry), its sla.met right after it
    # (the acknowledgement may be sent before or after the agent's own first_response entry)
    types = [e["type"] for e in events]
    assert types[:2] == ["request.opened", "request.accepted"]
    assert sorted(types[2:4]) == ["request.first_response", "sla.met"]
    assert types[4:] == ["sla.warning", "sla.breached", "request.resolved", "request.closed", "csat.rated"]
    assert events[-1]["data"] == {"rating": 4, "comment": "ok"} and events[-1]["actor"] == "U0ACME1"
    # each taken once: only the refused attempts came again, with the same id and body
    taken = [r.event["id"] for r in receiver.ok()]
    assert len(taken) == len(set(taken))
    first = receiver.received[0]
    assert [r.status for r in receiver.received[:4]] == [500, 500, 429, 200]
    assert {r.body for r in receiver.received[:4]} == {first.body}
    assert receiver.received[3].at - receiver.received[2].at >= 0.9  # Retry-After: 1 honoured
    # every POST is signed with the endpoint's secret, over the exact body
    assert all(r.signed for r in receiver.received)
    assert all(r.headers["x-slackops-signature"] == sign(SECRET, r.headers["x-slackops-timestamp"], r.body)
               for r in receiver.received)
    # the figures of the policy involved
    opened, met, warning, breached = events[0], next(e for e in events if e["type"] == "sla.met"), events[4], events[5]
    assert opened["account"] == {"id": "acme", "name": "Acme <Health>"}
    assert opened["request"]["title"] == "slow <page>"
    assert {c["key"] for c in opened["policy"]["checkpoints"]} == {"first_response", "resolution"}
    assert opened["policy"]["version"] == desk.store.policy(req.policy).version
    assert met["policy"]["checkpoint"]["key"] == "first_response" and met["policy"]["checkpoint"]["target"]
    assert warning["policy"]["checkpoint"]["key"] == breached["policy"]["checkpoint"]["key"] == "resolution"
    assert warning["policy"]["warn_at"] == 0.5
    assert breached["policy"]["checkpoint"]["state"] == "breached"
    assert [e["time"] for e in events] == sorted(e["time"] for e in events)
    assert desk.hooks.failed() == []
    # each event is what its JSON Schema in docs/webhooks/ says, and the docs' example verifies it
    from .schemas import example, problems, schema

    assert {e["type"]: problems(e, schema(e["type"])) for e in events} == {e["type"]: [] for e in events}
    verify_example = example().verify
    assert all(verify_example(SECRET, r.headers["x-slackops-timestamp"], r.body, r.headers["x-slackops-signature"])
               for r in receiver.received)
    assert not verify_example("not the secret", first.headers["x-slackops-timestamp"], first.body,
                              first.headers["x-slackops-signature"])


def test_events_of_two_requests_each_in_order_and_only_what_the_endpoint_asked_for(
        redis, config, fake_slack, namespace, receiver, monkeypatch):
    from slackops.requests import Event

    monkeypatch.setenv(SECRET_ENV, SECRET)
    cfg = config.model_copy(update={"webhooks": [
        Webhook(url=receiver.url, secret_env=SECRET_ENV, events=["request.opened", "request.resolved",
                                                                   "escalation.raised"])]})
    d = Desk(redis, cfg, fake_slack, namespace)
    try:
        a = d.store.open("acme", title="down", priority="P1", submitted_by="U0ACME1", now=utcnow())
        b = d.store.open("acme", title="slow", priority="P3", submitted_by="U0ACME1", now=utcnow())
        d.store.apply(b.id, Event(type="resolved", actor="U0AGENT1", at=utcnow(), data={"resolution": "fix"}))
        # the P1's escalation step (2 s) is the policy's own event
        assert d.run_until(lambda: "escalation.raised" in [e["type"] for e in of(receiver, a.id)])
        assert [e["type"] for e in of(receiver, b.id)] == ["request.opened", "request.resolved"], [(r.status, r.event["id"], r.event["type"], r.event["time"]) for r in receiver.received]
        assert [e["type"] for e in of(receiver, a.id)] == ["request.opened", "escalation.raised"]
        raised = of(receiver, a.id)[1]
        assert raised["actor"] == "policy" and raised["data"]["level"] == 1
        from .schemas import problems, schema

        assert problems(raised, schema("escalation.raised")) == []
    finally:
        d.stop()


def test_dead_endpoint_listed_then_replayed_in_order(desk, receiver, hooked, tmp_path, redis_server, namespace,
                                                     monkeypatch, capsys):
    from slackops.cli import main
    from slackops.requests import Event

    receiver.down = True
    desk.hooks.window = 1.5  # give up after 1.5 s (24 hours in production)
    req = desk.store.open("acme", title="hello", priority="P4", submitted_by="U0ACME1", now=utcnow())
    desk.store.apply(req.id, Event(type="resolved", actor="U0AGENT1", at=utcnow(), data={"resolution": "fix"}))
    # while the window lasts, the line is retried and listed as such
    assert desk.run_until(lambda: any(r["state"] == "retrying" and r["error"] == "HTTP 503"
                                      for r in desk.hooks.failed()), timeout=10)
    # a resolution meets the first response too: three events, each given up
    assert desk.run_until(lambda: len(desk.hooks.failed()) >= 3 and all(
        r["state"] == "given up" for r in desk.hooks.failed()), timeout=30)
    assert not receiver.ok()
    dead = desk.hooks.failed()
    assert [r["type"] for r in dead] == ["request.opened", "request.resolved", "sla.met"]
    assert all(r["url"] == receiver.url and r["error"] == "HTTP 503" for r in dead)

    cfg_file = tmp_path / "slackops.yml"
    cfg_file.write_text(yaml.safe_dump(hooked.model_dump(mode="json")))
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    assert main(["webhooks", "failed", "--config", str(cfg_file), "--prefix", namespace]) == 0
    out = capsys.readouterr().out
    assert all(r["id"] in out for r in dead) and "given up" in out and "HTTP 503" in out

    receiver.down = False
    assert main(["webhooks", "retry", "--all", "--config", str(cfg_file), "--prefix", namespace]) == 0
    assert "3 event(s) queued again" in capsys.readouterr().out
    assert desk.run_until(lambda: len(of(receiver, req.id)) == 3)
    assert [e["id"] for e in of(receiver, req.id)] == [r["id"] for r in dead]
    assert desk.hooks.failed() == []
    # an unknown id is refused in one line
    assert main(["webhooks", "retry", "ACME-1:nope", "--config", str(cfg_file), "--prefix", namespace]) == 2
    assert "no such failed event" in capsys.readouterr().err


def test_webhooks_test_sends_a_signed_sample(receiver, monkeypatch, capsys):
    from slackops.cli import main

    monkeypatch.setenv("SLACKOPS_WEBHOOK_SECRET", SECRET)
    assert main(["webhooks", "test", receiver.url]) == 0
    assert "delivered" in capsys.readouterr().out
    (r,) = receiver.received
    assert r.signed and r.event["type"] == "test"
    receiver.answer_next(500)
    assert main(["webhooks", "test", receiver.url]) == 2
    assert "HTTP 500" in capsys.readouterr().err


def test_verify_refuses_a_changed_body_an_old_timestamp_and_another_secret():
    ts = str(int(time.time()))
    sig = sign(SECRET, ts, b'{"id":"x"}')
    assert verify(SECRET, ts, b'{"id":"x"}', sig)
    assert not verify(SECRET, ts, b'{"id":"y"}', sig)
    assert not verify("another", ts, b'{"id":"x"}', sig)
    old = str(int(time.time()) - 3600)
    assert not verify(SECRET, old, b'{"id":"x"}', sign(SECRET, old, b'{"id":"x"}'))


def start_worker(config_file: Path, url: str, fake, ns: str, tmp_path: Path, name: str,
                 crash_at: str = "") -> subprocess.Popen:
    env = dict(os.environ, REDIS_URL=url, SLACK_API_URL=fake.url, SLACK_BOT_TOKEN="xoxb-test",
               SLACKOPS_DATA_DIR=str(tmp_path / "data"), **{SECRET_ENV: SECRET})
    if crash_at:
        env["SLACKOPS_CRASH_AT"] = crash_at
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "slackops.cli", "worker", "--config", str(config_file),
                             "--prefix", ns, "--lease-seconds", "2", "--handoff-seconds", "3"],
                            env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=str(Path(__file__).resolve().parents[2]))


def resolved_request(redis, config: Config, ns: str):
    """A request opened, answered and resolved before any worker runs: four events owed."""
    from slackops.requests import Event, RequestStore

    store = RequestStore(redis, config, prefix=ns)
    req = store.open("acme", title="slow", priority="P4", submitted_by="U0ACME1", now=utcnow())
    store.apply(req.id, Event(type="first_response", actor="U0AGENT1", at=utcnow(), data={}))
    store.apply(req.id, Event(type="resolved", actor="U0AGENT1", at=utcnow(), data={"resolution": "fix"}))
    return req


OWED = ["request.opened", "request.first_response", "sla.met", "request.resolved"]


def wait_for_events(receiver: Receiver, rid: str, types: list[str], timeout: float = 40) -> None:
    end = time.time() + timeout
    while [e["type"] for e in of(receiver, rid)] != types and time.time() < end:
        time.sleep(0.1)
    time.sleep(1.5)  # anything doubled would land by now


def test_worker_killed_mid_delivery_same_id_again_nothing_lost(redis, redis_server, namespace, fake_slack, hooked,
                                                              receiver, tmp_path):
    req = resolved_request(redis, hooked, namespace)
    config_file = tmp_path / "slackops.yml"
    config_file.write_text(yaml.safe_dump(hooked.model_dump(mode="json")))
    receiver.answer_next(200, delay=5)  # the first POST hangs: the worker dies while the endpoint has it

    a = start_worker(config_file, redis_server.url, fake_slack, namespace, tmp_path, "a")
    try:
        end = time.time() + 30
        while not receiver.received and time.time() < end:
            time.sleep(0.02)
        assert receiver.received, (tmp_path / "a.log").read_text()
        a.send_signal(signal.SIGKILL)
        a.wait(5)
    finally:
        if a.poll() is None:
            a.kill()
    b = start_worker(config_file, redis_server.url, fake_slack, namespace, tmp_path, "b")
    try:
        wait_for_events(receiver, req.id, OWED)
    finally:
        stop(b, 10)
    events = of(receiver, req.id)
    assert [e["type"] for e in events] == OWED, [(e["id"], e["time"], e["policy"].get("checkpoint")) for e in events]
    assert [e["policy"]["checkpoint"]["key"] for e in events if e["type"] == "sla.met"] == ["first_response"]
    # the event the dead worker was delivering came again with the same id and body
    killed = receiver.received[0]
    again = [r for r in receiver.received[1:] if r.event["id"] == killed.event["id"]]
    assert again and all(r.body == killed.body for r in again)
    # every other event was taken exactly once, every POST signed
    ids = [r.event["id"] for r in receiver.received[1:]]
    assert len(ids) == len(set(ids))
    assert all(r.signed for r in receiver.received)


WEBHOOK_POINTS = ("webhook:posting", "webhook:posted")


@pytest.mark.parametrize("point", WEBHOOK_POINTS)
def test_worker_ended_at_each_webhook_crash_point_nothing_lost(point, redis, redis_server, namespace, fake_slack,
                                                               hooked, receiver, tmp_path):
    from slackops.workers.crash import CRASH_STATUS

    req = resolved_request(redis, hooked, namespace)
    config_file = tmp_path / "slackops.yml"
    config_file.write_text(yaml.safe_dump(hooked.model_dump(mode="json")))
    a = start_worker(config_file, redis_server.url, fake_slack, namespace, tmp_path, "a", crash_at=f"{point}@2")
    try:
        assert a.wait(40) == CRASH_STATUS, (tmp_path / "a.log").read_text()
    finally:
        if a.poll() is None:
            a.kill()
    b = start_worker(config_file, redis_server.url, fake_slack, namespace, tmp_path, "b")
    try:
        wait_for_events(receiver, req.id, OWED)
    finally:
        stop(b, 10)
    assert [e["type"] for e in of(receiver, req.id)] == OWED, (tmp_path / "b.log").read_text()[-3000:]
    taken = [r.event["id"] for r in receiver.ok()]
    second = of(receiver, req.id)[1]["id"]  # the event the first worker was at when it ended
    # after "posted" the endpoint had it: it comes again, same id; after "posting" it never left
    assert taken.count(second) == (2 if point == "webhook:posted" else 1)
    assert len([i for i in taken if i != second]) == len({i for i in taken if i != second})


@pytest.mark.parametrize(("hook", "message"), [
    ({"url": "ftp://x", "secret_env": "S"}, "webhooks[0].url: 'ftp://x' is not an http:// or https:// address"),
    ({"url": "https://h.example/x", "secret_env": "my secret"}, "webhooks[0].secret_env: 'my secret' is not the name"),
    ({"url": "https://h.example/x", "secret_env": "S", "events": ["sla.breach"]},
     "webhooks[0].events: 'sla.breach' is not an event type"),
    ({"url": "https://h.example/x", "secret_env": "S", "token": "x"}, "webhooks[0].token: is not a known field"),
])
def test_a_bad_endpoint_is_named_by_file_and_field(config, tmp_path, hook, message):
    from slackops.config import load_config
    from slackops.errors import ConfigError

    raw = config.model_dump(mode="json")
    raw["webhooks"] = [hook]
    p = tmp_path / "slackops.yml"
    p.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert str(e.value).startswith(f"{p}: {message}"), str(e.value)
    assert "\n" not in str(e.value)


def test_a_missing_secret_stops_the_worker_naming_the_variable(config, monkeypatch):
    from slackops.errors import ConfigError

    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(ConfigError, match=f"the environment variable {SECRET_ENV} .* is not set"):
        Webhooks(None, [Webhook(url="https://h.example/x", secret_env=SECRET_ENV)])  # type: ignore[arg-type]


def test_the_schema_check_refuses_what_a_schema_does_not_allow():
    from .schemas import problems, schema

    s = schema("sla.met")
    assert "$.type: 'sla.breached' is not 'sla.met'" in problems({"type": "sla.breached"}, s)
    assert "$.policy: missing" in problems({"type": "sla.met"}, s)
    bad = {"id": "x", "type": "csat.rated", "time": "yesterday", "account": {"id": "a", "name": "A"},
           "request": {}, "policy": {}, "actor": "U1", "data": {"rating": 9}}
    found = problems(bad, schema("csat.rated"))
    assert "$.time: 'yesterday' is not a date-time" in found and "$.data.rating: 9 > 5" in found
