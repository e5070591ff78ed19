"""``slackops run`` in Socket Mode, as a process: it asks the stand-in for Slack for a
WebSocket (``apps.connections.open`` with the app token), and everything then arrives over
it as Slack sends it: a customer's /support and the form's submission open a request whose
card the worker posts; an envelope that is not what Slack sends is acknowledged and
dropped; a redelivered one changes nothing; SIGTERM ends the process within 5 s."""

from __future__ import annotations

import json
import signal
import time

import yaml

from slackops.config import Config
from slackops.requests import RequestStore
from slackops.sandbox.driver import SlackDriver
from tests.edges.procs import spawn, still_running
from tests.slack.conftest import CONFIG, VENDOR, form, wait_for

LIMIT = 5.0


def people(fake) -> None:
    for uid in ("U0AGENT1", "U0AGENT2"):
        fake.add_user(uid, team_id=VENDOR)
    fake.add_user("U0ACME1", team_id="T0ACME", tz="America/New_York", is_stranger=True)


def views_opened(fake, callback_id: str) -> list[dict]:
    out = []
    for c in fake.calls_to("views.open"):
        v = c.params["view"]
        v = json.loads(v) if isinstance(v, str) else v
        if v.get("callback_id") == callback_id:
            out.append(v)
    return out


def test_run_in_socket_mode_end_to_end(fake_slack, redis, redis_server, namespace, tmp_path):
    people(fake_slack)
    link = fake_slack.socket_mode()
    cfg = tmp_path / "slackops.yml"
    cfg.write_text(yaml.safe_dump(CONFIG))
    prefix = f"slackops{namespace}"
    proc = spawn(["run", "--config", str(cfg), "--prefix", prefix],
                 {"SLACK_API_URL": fake_slack.url, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-1-test",
                  "REDIS_URL": redis_server.url}, tmp_path, "run")
    try:
        link.wait_connected(60)
        opened = [c for c in fake_slack.calls_to("apps.connections.open")]
        assert opened and opened[0].headers["authorization"] == "Bearer xapp-1-test"
        driver = SlackDriver("", "", team_id=VENDOR, response_url=fake_slack.response_url(), link=link, timeout=10)
        store = RequestStore(redis, Config.model_validate(CONFIG), prefix=prefix)

        # /support, then the form: the ack of each comes back over the socket
        r = driver.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED", user_team_id="T0ACME")
        assert r.status == 200
        view = wait_for(lambda: (views_opened(fake_slack, "slackops_open_request") or [None])[-1], what="the form")
        values = form(priority="P2", title="Exports fail over Socket Mode", description="Nightly export stops at 40%")
        r = driver.view_submission("slackops_open_request", values, user_id="U0ACME1", user_team_id="T0ACME",
                                   private_metadata=view["private_metadata"], view_id="V0SOCKET1")
        assert not r.body or r.json().get("response_action") != "errors", r.text
        req = wait_for(lambda: next(iter(store.list(open_only=False)), None), what="the request")
        assert req.title == "Exports fail over Socket Mode" and req.priority == "P2"
        wait_for(lambda: store.get(req.id).card_ts, timeout=30, what="the card the worker posts")
        card = fake_slack.message("C0ACMESHARED", store.get(req.id).card_ts)
        assert "Exports fail over Socket Mode" in json.dumps(card["blocks"])

        # the same submission delivered again (Slack's retry: the same view) opens nothing more
        driver.view_submission("slackops_open_request", values, user_id="U0ACME1", user_team_id="T0ACME",
                               private_metadata=view["private_metadata"], view_id="V0SOCKET1",
                               headers={"X-Slack-Retry-Num": "1"})
        # an envelope that is not what Slack sends: acknowledged, dropped, nobody messaged
        before = len(fake_slack.calls)
        eid = link.send("interactive", {"type": "block_actions", "user": {"id": "U0ACME1"},
                                        "actions": [{"action_id": "req_take", "value": 5}]})
        assert link.ack(eid)["envelope_id"] == eid
        time.sleep(1.0)
        said = [c for c in fake_slack.calls[before:] if c.method in ("chat.postEphemeral", "chat.postMessage")
                and "went wrong" in json.dumps(c.params)]
        assert said == []
        assert "dropped a Socket Mode interactive envelope" in proc.text()

        # a customer pressing an agent's button over the socket is refused, only to them
        r = driver.block_action("req_take", json.dumps({"r": req.id}), user_id="U0ACME1", user_team_id="T0ACME",
                                channel_id="C0ACMESHARED", message=card)
        wait_for(lambda: any(c.params.get("user") == "U0ACME1" for c in fake_slack.calls_to("chat.postEphemeral")),
                 what="the refusal")
        assert store.get(req.id).assignee is None
    finally:
        tree = proc.tree()
        started = time.monotonic()
        proc.popen.send_signal(signal.SIGTERM)
        proc.popen.wait(20)
        took = time.monotonic() - started
    assert took < LIMIT, proc.text()[-2000:]
    assert proc.popen.returncode == 0, proc.text()[-2000:]
    assert still_running(tree) == []
    assert "Traceback" not in proc.text(), proc.text()[-3000:]
    assert len(store.list(open_only=False)) == 1
