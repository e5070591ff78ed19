"""`slackops run`: the web app and a worker on the embedded Redis; notices reach Slack."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import yaml

from slackops.config import Settings
from slackops.sandbox.driver import SlackDriver
from tests.slack.conftest import form
from tests.workers.conftest import SHARED, carried
from tests.workers.procs import stop

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_starts_app_and_worker_on_embedded_redis(tmp_path, config, fake_slack):
    from datetime import UTC, datetime

    from slackops.requests import RequestStore
    from slackops.requests.redis_server import connect

    cfg = tmp_path / "slackops.yml"
    cfg.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    data = tmp_path / "data"
    port = _port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(SLACK_API_URL=fake_slack.url, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s3cret",
               SLACKOPS_DATA_DIR=str(data))
    log = open(tmp_path / "run.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "slackops.cli", "run", "--config", str(cfg), "--http",
                             "--port", str(port), "--prefix", "desk1"], env=env, cwd=str(ROOT), stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        end = time.time() + 30
        while time.time() < end and not (data / "slackops.db").exists() and not list(data.glob("*.aof")):
            time.sleep(0.2)
        time.sleep(1.0)
        settings = replace(Settings.from_env({}), data_dir=str(data))
        with connect(settings) as (redis, _desc):
            store = RequestStore(redis, config, prefix="desk1")
            req = store.open("acme", title="run", priority="P3", submitted_by="U0ACME1", now=datetime.now(UTC))
            # a customer opens a request through the web app: the worker posts its card
            fake_slack.add_user("U0ACME1", team_id="T0ACME", is_stranger=True)
            driver = SlackDriver(f"http://127.0.0.1:{port}/slack/events", "s3cret", team_id="T0VENDOR")
            end = time.time() + 30
            while True:
                try:
                    r = driver.view_submission(
                        "slackops_open_request", form(priority="P4", title="Exports fail", description="at 40%"),
                        user_id="U0ACME1", user_team_id="T0ACME", view_id="V0RUN",
                        private_metadata=json.dumps({"account": "acme", "channel": SHARED, "source": "command"}))
                    break
                except OSError:  # the web app is still starting
                    assert time.time() < end, (tmp_path / "run.log").read_text()[-3000:]
                    time.sleep(0.3)
            assert r.status == 200 and not r.body, r.text
            end = time.time() + 30
            found: list[str] = []  # the notices posted, alone or in a digest (a busy machine folds more)
            while time.time() < end and len(found) < 2:
                # alone, or folded into a digest when late; the agents' cards of the triage channel aside
                found = [n for n in carried(fake_slack, "C0NORMAL") if not n.startswith("triage|")]
                time.sleep(0.2)
            assert len(found) >= 2, (tmp_path / "run.log").read_text()[-3000:]
            assert all(nid.startswith(f"{req.id}|") for nid in found), found
            opened = next(r for r in store.list(account="acme") if r.title == "Exports fail")
            end = time.time() + 30
            while time.time() < end and not store.get(opened.id).card_ts:
                time.sleep(0.2)
            card = fake_slack.message(SHARED, store.get(opened.id).card_ts)
            assert card and opened.id in card["text"], (tmp_path / "run.log").read_text()[-3000:]
            # the web app answers too
            import urllib.request

            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                assert r.status == 200
            # the embedded server's first daily backup, where `run` said it would be
            end = time.time() + 30
            while time.time() < end and not list((data / "backups").glob("slackops-*/manifest.json")):
                time.sleep(0.2)
            assert list((data / "backups").glob("slackops-*/manifest.json")), (tmp_path / "run.log").read_text()[-3000:]
    finally:
        stop(proc, 40)
        log.close()
    assert proc.returncode == 0
    assert f"daily backups in {data / 'backups'}/" in (tmp_path / "run.log").read_text()
