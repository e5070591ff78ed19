"""HTTP mode on waitress: /slack/events, /healthz, everything else 404; the serve command's
plain refusals."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from slackops.cli import main


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_healthz_and_unknown_paths(desk):
    assert get(desk.server.base_url + "/healthz") == (200, {"ok": True, "follow_ups": 0})
    assert get(desk.server.base_url + "/nope")[0] == 404
    assert get(desk.server.url)[0] == 405  # GET /slack/events


def test_url_verification_challenge(desk):
    r = desk.driver.url_verification("abc123")
    assert r.status == 200 and "abc123" in r.text


def test_unexpected_error_is_logged_with_the_request_id_and_answered_politely(desk, caplog):
    rid = desk.open_request()
    desk.fake.fail_next("views.open", status=500, times=5)  # beyond the client's retries
    with caplog.at_level("ERROR", logger="slackops.slack"):
        desk.press("req_resolve", rid, "U0AGENT1")
        e = desk.wait_ephemeral("U0AGENT1", "Sorry, something went wrong")
    assert "reference" in e["text"]
    ref = e["text"].split("reference ")[1].split(")")[0]
    assert any(rid in r.getMessage() and ref in r.getMessage() for r in caplog.records)


def test_unknown_request_in_a_button_is_a_plain_message(desk):
    desk.driver.block_action("req_take", json.dumps({"r": "ACME-99"}), user_id="U0AGENT1", channel_id="C0ACMESHARED")
    desk.wait_ephemeral("U0AGENT1", "no request ACME-99")


def test_serve_refuses_without_config_or_tokens(monkeypatch, capsys, tmp_path):
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACKOPS_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    assert main(["serve"]) == 2
    assert "--config FILE or SLACKOPS_CONFIG" in capsys.readouterr().err
    cfg = tmp_path / "c.yml"
    cfg.write_text("team_id: T0VENDOR\nagents: [U0AGENT1]\n")
    assert main(["serve", "--http", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "SLACK_SIGNING_SECRET" in err and "Traceback" not in err
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["serve", "--config", str(cfg)]) == 2
    assert "SLACK_APP_TOKEN" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["serve", "--port", "x"]])
def test_serve_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2


def test_socket_mode_refusal_is_one_plain_line(fake_slack, monkeypatch, capsys, tmp_path):
    """apps.connections.open refused (here: an app token Slack does not accept) -> one line, no traceback."""
    fake_slack.tokens = {"xoxb-1"}  # the bot token is good; the app token is revoked
    cfg = tmp_path / "c.yml"
    cfg.write_text("team_id: T0VENDOR\nagents: [U0AGENT1]\n")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    monkeypatch.setenv("SLACKOPS_DATA_DIR", str(tmp_path / "data"))
    assert main(["serve", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "Socket Mode could not connect: invalid_auth" in err and "Traceback" not in err


def test_socket_mode_out_of_reach_is_one_line_and_worth_another_try(monkeypatch, capsys, tmp_path):
    """No network (or Slack down): one plain line and exit status 1, which `slackops run`
    answers by starting it again later; a bad configuration exits 2 and is not retried."""
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = tmp_path / "c.yml"
    cfg.write_text("team_id: T0VENDOR\nagents: [U0AGENT1]\n")
    monkeypatch.delenv("REDIS_URL", raising=False)
    for k, v in {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACKOPS_DATA_DIR": str(tmp_path / "data"),
                 "SLACK_API_URL": f"http://127.0.0.1:{port}/api/"}.items():
        monkeypatch.setenv(k, v)
    assert main(["serve", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert "reach Slack" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_kept_alive_connection_serves_many_slack_requests(desk):
    """Slack may reuse its connection: waitress answers request after request on one socket."""
    from slackops.sandbox.driver import SlackDriver

    driver = SlackDriver(desk.server.url, desk.driver.secret, team_id=desk.driver.team_id, keep_alive=True)
    answers = [driver.command("/support", "help", user_id="U0ACME1", channel_id="C0ACMESHARED", user_team_id="T0ACME")
               for _ in range(5)]
    assert [a.status for a in answers] == [200] * 5
    assert all("/support" in a.text for a in answers)
    conn = driver._local.conn
    assert conn is not None and conn.sock is not None  # still the one open connection
