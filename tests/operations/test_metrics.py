"""/metrics on the web process and on a worker, parsed with prometheus-client's parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.operations.conftest import get


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_web_metrics(desk):
    rid = desk.open_request(priority="P2")
    desk.settle()
    r = get(f"{desk.server.base_url}/metrics")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain; version=")
    s = samples(r.text)
    assert s[("slackops_requests", (("account", "acme"), ("priority", "P2"), ("state", "submitted")))] == 1
    assert s[("slackops_requests_opened", (("account", "acme"),))] == 1
    assert s[("slackops_requests_opened", (("account", "globex"),))] == 0
    assert s[("slackops_ack_seconds_count", ())] >= 2  # the command and the form's submission
    assert ("slackops_outbox_depth", ()) in s and ("slackops_outbox_oldest_seconds", ()) in s
    assert rid


def test_outbox_backlog_is_measured(redis, namespace):
    from slackops.notices.notice import Notice
    from slackops.notices.outbox import Outbox
    from slackops.operations.metrics import exposition
    from slackops.requests import RequestStore
    from tests.requests.helpers import config

    cfg = config()
    store = RequestStore(redis, cfg, prefix=namespace)
    outbox = Outbox(redis, None, namespace, timeout_settle=1.0)  # nobody posts: the backlog stays
    outbox.add_many([Notice(id=f"n{i}", dest="C0ACME", text="x", due_at=1000.0 + i) for i in range(3)], now=1000.0)
    s = samples(exposition(store, cfg)[0].decode())
    assert s[("slackops_outbox_depth", ())] == 3
    assert s[("slackops_outbox_oldest_seconds", ())] > 1_000_000  # due at 1000 s after the epoch


def test_worker_metrics_count_breaches_and_lateness(redis, fake_slack, namespace, tmp_path, monkeypatch):
    import slackops.operations.metrics as metrics

    monkeypatch.setattr(metrics, "CACHE_SECONDS", 0.0)  # the desk's gauges are read afresh at each scrape
    from slackops.config import Config
    from slackops.operations.metrics import serve
    from tests.workers.conftest import POLICY, SHARED, Harness, carried
    from tests.workers.test_notices_flow import open_request

    (tmp_path / "fastdesk.yml").write_text(POLICY)
    cfg = Config.model_validate({
        "team_id": "T0VENDOR", "agents": ["U0AGENT1"], "channels": {1: "C0URGENT", 2: "C0HIGH", 3: "C0NORMAL", 4: "C0LOW"},
        "accounts": [{"id": "acme", "name": "Acme", "channel": SHARED, "policy": str(tmp_path / "fastdesk.yml"),
                      "contacts": ["U0ACME1"]}]})
    h = Harness(redis, cfg, fake_slack, namespace)
    stop = serve(0, h.store, cfg, host="127.0.0.1")
    try:
        before = samples(get(f"http://127.0.0.1:{stop.port}/metrics").text)
        req = open_request(h, "P3")  # taken (the first response); resolution in 4 s, warned at 2 s
        h.card(req)
        assert h.run_until(lambda: any("|resolution|due|" in n for n in carried(fake_slack, "C0NORMAL")), timeout=20)
        after = samples(get(f"http://127.0.0.1:{stop.port}/metrics").text)

        def delta(key):
            return after.get(key, 0) - before.get(key, 0)

        assert delta(("slackops_alarms_total", (("alarm", "due"), ("kind", "resolution")))) >= 1
        assert delta(("slackops_alarms_total", (("alarm", "warn"), ("kind", "resolution")))) >= 1
        assert delta(("slackops_notice_lateness_seconds_count", ())) >= 2
        state = h.store.get(req.id).status.value
        assert after[("slackops_requests", (("account", "acme"), ("priority", "P3"), ("state", state)))] == 1
        assert get(f"http://127.0.0.1:{stop.port}/other").status == 404
    finally:
        stop()
        h.stop()


def test_a_worker_process_serves_metrics_and_stops_on_sigterm(tmp_path, redis_server, redis, namespace, fake_slack):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    import yaml

    from tests.requests.helpers import config
    from tests.workers.procs import stop
    from tests.workers.test_cli import _port

    cfg = tmp_path / "slackops.yml"
    cfg.write_text(yaml.safe_dump(config().model_dump(mode="json", exclude_none=True)))
    port = _port()
    env = dict(os.environ, REDIS_URL=redis_server.url, SLACK_API_URL=fake_slack.url, SLACK_BOT_TOKEN="xoxb-test")
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "slackops.cli", "worker", "--config", str(cfg), "--prefix", namespace,
                             "--metrics-port", str(port)], env=env, cwd=str(Path(__file__).resolve().parents[2]),
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        end = time.time() + 30
        while True:
            try:
                r = get(f"http://127.0.0.1:{port}/metrics")
                break
            except OSError:
                assert time.time() < end and proc.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
                time.sleep(0.3)
        s = samples(r.text)
        assert s[("slackops_requests_opened", (("account", "acme"),))] == 0
        assert ("slackops_notice_lateness_seconds_count", ()) in s
    finally:
        stop(proc)
    # it stopped on SIGTERM: exit 0 once running, or the signal itself while still starting
    # (rq sets its handlers when it starts); stop() would have killed it (-9) after 20 s
    assert proc.returncode in (0, -signal.SIGTERM), (tmp_path / "worker.log").read_text()[-2000:]
