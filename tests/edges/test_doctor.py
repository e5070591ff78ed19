"""`slackops doctor` against the fake Slack and a real Redis: what it finds and what it says
to fix; and the manifest's scopes are the ones the doctor checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from slackops.cli import main
from slackops.doctor import MANIFEST_SCOPES
from tests.workers.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(monkeypatch, fake_slack, redis_server, config, tmp_path):
    path = tmp_path / "slackops.yml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    for ch in (SHARED,):
        fake_slack.add_channel(ch, name="acme-support", is_ext_shared=True)
    for ch in config.channels.values():
        fake_slack.add_channel(ch, name=ch.lower())
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-good")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("SLACKOPS_CONFIG", str(path))
    return fake_slack


def _doctor(capsys) -> tuple[int, list[str]]:
    status = main(["doctor"])
    return status, capsys.readouterr().out.splitlines()


def test_all_good(env, capsys):
    status, lines = _doctor(capsys)
    assert status == 0, lines
    assert lines[-1] == "all good"
    assert any(line.startswith("ok") and "every scope" in line for line in lines)
    assert any(line.startswith("ok") and SHARED in line for line in lines)
    assert any(line.startswith("ok") and "Redis" in line for line in lines)


def test_a_missing_scope_is_named(env, capsys):
    env.scopes.remove("im:history")
    status, lines = _doctor(capsys)
    assert status == 1
    (line,) = [x for x in lines if x.startswith("FIX")]
    assert "im:history" in line and "reinstall" in line and "chat:write" not in line


def test_a_channel_the_bot_is_not_in(env, capsys):
    env.add_channel("C0HIGH", name="high", bot_member=False)
    del env.channels["C0LOW"]
    status, lines = _doctor(capsys)
    assert status == 1
    fixes = [x for x in lines if x.startswith("FIX")]
    assert len(fixes) == 2, lines
    assert any("C0HIGH" in x and "/invite @slackops" in x for x in fixes)
    assert any("C0LOW" in x and "channel_not_found" in x for x in fixes)


def test_an_account_channel_not_shared_is_a_warning(env, capsys):
    env.add_channel(SHARED, name="acme", is_ext_shared=False)
    status, lines = _doctor(capsys)
    assert status == 0
    assert any(x.startswith("warn") and SHARED in x and "Slack Connect" in x for x in lines)


def test_a_wrong_token(env, capsys):
    env.tokens = {"xoxb-the-real-one"}
    status, lines = _doctor(capsys)
    assert status == 1
    (fix,) = [x for x in lines if x.startswith("FIX")]
    assert "invalid_auth" in fix and "SLACK_BOT_TOKEN" in fix
    assert not env.calls_to("conversations.info")  # nothing asked with a token Slack refused


def test_no_tokens_and_a_bad_config(env, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.delenv("SLACK_APP_TOKEN")
    bad = tmp_path / "bad.yml"
    bad.write_text("team_id: T0VENDOR\naccounts: [{id: Acme}]\n")
    monkeypatch.setenv("SLACKOPS_CONFIG", str(bad))
    status, lines = _doctor(capsys)
    assert status == 1
    fixes = [x for x in lines if x.startswith("FIX")]
    assert any(str(bad) in x for x in fixes)
    assert any("SLACK_BOT_TOKEN" in x for x in fixes) and any("SLACK_APP_TOKEN" in x for x in fixes)


def test_the_manifest_asks_for_the_scopes_the_doctor_checks():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(MANIFEST_SCOPES)
    assert "im:history" in MANIFEST_SCOPES  # the outbox reads a DM back after an uncertain post


def test_the_versions_and_their_tested_ranges(env, capsys):
    from importlib import metadata

    status, lines = _doctor(capsys)
    assert status == 0, lines
    for name in ("redis", "rq", "slack-sdk", "slack-bolt"):
        (line,) = [x for x in lines if f" {name} {metadata.version(name)}:" in x]
        assert line.startswith("ok") and "within the tested range" in line, line
    assert any(x.startswith("ok") and "Redis server" in x and "within the tested range >=6.2,<8" in x for x in lines)


def test_a_library_outside_its_range_is_a_warning():
    from slackops.versions import _judge, redis_server

    assert _judge("rq", "4.0.0", ">=2.0,<4").in_range is False
    assert "OUTSIDE the tested range >=2.0,<4" in _judge("rq", "4.0.0", ">=2.0,<4").line()
    assert _judge("rq", "3.0.0", ">=2.0,<4").in_range is True
    assert redis_server("8.0.1").in_range is False and redis_server("7.0.15").in_range is True


def _configure(env, config, **fields) -> None:
    """The configuration file with ``fields`` changed."""
    import os

    Path(os.environ["SLACKOPS_CONFIG"]).write_text(yaml.safe_dump({**config.model_dump(mode="json"), **fields}))


def _grid(env, *, org_install: bool) -> None:
    """The stand-in as a vendor on Enterprise Grid (auth.test answers for the org's install)."""
    env.enterprise_id, env.enterprise_name, env.org_install = "E0VENDOR", "Vendor Org", org_install


def test_the_install_kind_of_a_plain_workspace(env, capsys):
    status, lines = _doctor(capsys)
    assert status == 0, lines
    assert any(x.startswith("ok") and "installed in the workspace T0VENDOR (not on Enterprise Grid)" in x for x in lines)


@pytest.mark.parametrize("org_install", [False, True])
def test_a_grid_install_asks_for_the_organisation_in_the_configuration(env, config, capsys, org_install):
    _grid(env, org_install=org_install)
    status, lines = _doctor(capsys)
    assert status == 1
    (fix,) = [x for x in lines if x.startswith("FIX")]
    assert "enterprise_id is not set: set enterprise_id: E0VENDOR" in fix
    assert ("installed org-wide" in fix) is org_install
    _configure(env, config, enterprise_id="E0VENDOR", agent_workspaces=["T0VENDOR2"])
    status, lines = _doctor(capsys)
    assert status == 0, lines
    kind = "installed org-wide: the Enterprise Grid organisation Vendor Org (E0VENDOR)" if org_install else \
        "installed in the workspace T0VENDOR of the Enterprise Grid organisation E0VENDOR"
    assert any(x.startswith("ok") and kind in x and "agents also in T0VENDOR2" in x for x in lines), lines


def test_an_organisation_configured_for_a_plain_workspace(env, config, capsys):
    _configure(env, config, enterprise_id="E0VENDOR")
    status, lines = _doctor(capsys)
    assert status == 1
    (fix,) = [x for x in lines if x.startswith("FIX")]
    assert "not on Enterprise Grid" in fix and "enterprise_id is E0VENDOR: remove it" in fix


def test_the_status_page_links_are_said(env, capsys, monkeypatch, redis_server):
    # Socket Mode, no public_url: no link can be given
    status, lines = _doctor(capsys)
    assert any(ln.startswith("warn") and "status page links: none in Socket Mode without public_url" in ln
               for ln in lines), lines
    # HTTP mode: the address Slack's signed requests came to (kept by the app in Redis)
    monkeypatch.delenv("SLACK_APP_TOKEN")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    import redis as redis_py

    client = redis_py.Redis.from_url(redis_server.url)
    client.set("slackops:ops:public_url", "https://desk.example.com")
    try:
        status, lines = _doctor(capsys)
    finally:
        client.delete("slackops:ops:public_url")
    assert any(ln.startswith("ok") and "status page links: https://desk.example.com, the address Slack's "
               "signed requests come to" in ln for ln in lines), lines
