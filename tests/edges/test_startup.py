"""Start-up checks: a token Slack refuses, or something other than Redis at REDIS_URL, is
one plain line and an exit status, in every mode, before anything starts."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from slackops.slack.guard import envelope_problem
from tests.edges.procs import ROOT, free_port, spawn

MODES = {
    "serve": ["serve", "--http", "--port", "0"],
    "serve-socket": ["serve"],
    "worker": ["worker"],
    "run": ["run", "--http"],
}


@pytest.fixture
def config_file(tmp_path: Path, config) -> Path:
    p = tmp_path / "slackops.yml"
    p.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    return p


def _one_line(proc, timeout: float = 60.0) -> tuple[int, list[str]]:
    proc.popen.wait(timeout)
    lines = [x for x in proc.text().splitlines() if x.strip()]
    return proc.popen.returncode, lines


@pytest.mark.parametrize("mode", list(MODES))
def test_a_wrong_token_is_one_line_and_exit_2(mode, config_file, tmp_path, fake_slack, redis_server):
    fake_slack.tokens = {"xoxb-the-real-one"}
    proc = spawn([*MODES[mode], "--config", str(config_file)],
                 {"SLACK_API_URL": fake_slack.url, "SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_SIGNING_SECRET": "s",
                  "SLACK_APP_TOKEN": "xapp-1", "REDIS_URL": redis_server.url}, tmp_path, mode)
    status, lines = _one_line(proc)
    assert status == 2, lines
    assert len(lines) == 1 and "invalid_auth" in lines[0] and "SLACK_BOT_TOKEN" in lines[0], lines
    assert [c.method for c in fake_slack.calls] == ["auth.test"]


class _NotRedis:
    """A TCP service that answers like a web server, whatever it is sent."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass
            finally:
                conn.close()


@pytest.mark.parametrize("mode", ["serve", "worker", "requests"])
def test_something_that_is_not_redis_is_one_line(mode, config_file, tmp_path, fake_slack):
    service = _NotRedis()
    try:
        args = ["requests", "list"] if mode == "requests" else MODES[mode]
        proc = spawn([*args, "--config", str(config_file)],
                     {"SLACK_API_URL": fake_slack.url, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
                      "REDIS_URL": f"redis://127.0.0.1:{service.port}/0"}, tmp_path, mode)
        status, lines = _one_line(proc)
    finally:
        service.sock.close()
    assert status == 2, lines
    lines = [x for x in lines if not x.startswith("slackops serve: the bot")]
    assert len(lines) == 1 and "is not Redis" in lines[0] and "Traceback" not in proc.text(), lines


def test_nothing_at_redis_url_is_one_line(config_file, tmp_path, fake_slack):
    proc = spawn(["worker", "--config", str(config_file)],
                 {"SLACK_API_URL": fake_slack.url, "SLACK_BOT_TOKEN": "xoxb-test",
                  "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}, tmp_path, "w")
    status, lines = _one_line(proc)
    assert status == 2 and len(lines) == 1 and "cannot reach Redis" in lines[0], lines


def test_socket_mode_envelopes_get_the_same_shape_check():
    assert envelope_problem("hello", None) == ""
    assert envelope_problem("interactive", {"type": "block_actions", "user": {"id": "U1"},
                                            "actions": [{"action_id": "a", "value": "v"}]}) == ""
    assert "not an object" in envelope_problem("interactive", [])
    assert "value" in envelope_problem("interactive", {"type": "block_actions", "user": {"id": "U1"},
                                                       "actions": [{"action_id": "a", "value": 5}]})
    assert "user_id" in envelope_problem("slash_commands", {"command": "/support", "team_id": "T", "channel_id": "C"})
    assert "event" in envelope_problem("events_api", {"type": "event_callback", "event_id": "E", "event": "x"})
    deep: list = []
    for _ in range(100):
        deep = [deep]
    assert "deeply" in envelope_problem("events_api", {"type": "event_callback", "event_id": "E", "x": deep})


def test_bare_slackops_lists_its_commands_and_version_answers():
    r = subprocess.run([sys.executable, "-m", "slackops.cli"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0
    for command in ("config", "policy", "requests", "serve", "worker", "run", "doctor"):
        assert f"    {command}" in r.stdout
    r = subprocess.run([sys.executable, "-m", "slackops.cli", "--version"], capture_output=True, text=True, cwd=ROOT,
                       timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("slackops ")


@pytest.mark.parametrize("args", [["policy", "show", "comensure"], ["policy", "list"], ["--help"],
                                  ["policy", "timeline", "interopion", "--priority", "P2", "--opened",
                                   "2026-12-04T16:30-07:00"]])
def test_a_reader_that_goes_away_is_no_traceback(args):
    proc = subprocess.Popen([sys.executable, "-m", "slackops.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdout.close()  # `| head` that has read enough, before anything was written
    err = proc.stderr.read().decode()
    proc.wait(60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode in (0, 141)


def test_requests_list_is_oldest_first_across_accounts(monkeypatch, tmp_path, redis, redis_server, namespace, capsys):
    from datetime import UTC, datetime, timedelta

    from slackops.cli import main
    from slackops.config import Config
    from slackops.requests import RequestStore
    from tests.slack.conftest import CONFIG

    path = tmp_path / "four.yml"
    path.write_text(yaml.safe_dump(Config.model_validate(CONFIG).model_dump(mode="json")))
    store = RequestStore(redis, Config.model_validate(CONFIG), prefix=namespace)
    t0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
    opened = []
    for i, account in enumerate(["globex", "acme", "globex", "acme", "initech"]):
        policy = {"globex": "S3", "acme": "P3", "initech": "P3"}[account]
        req = store.open(account, title=f"r{i}", priority=policy, submitted_by="U0X", now=t0 + timedelta(minutes=i))
        opened.append(req.id)
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    assert main(["requests", "list", "--config", str(path), "--prefix", namespace]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [r.split()[0] for r in rows] == opened
