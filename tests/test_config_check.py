"""`slackops config check` refuses set-ups that would fail silently at run time, naming the
file, the field and the reason, and warns about legal but risky ones (exit 0)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from slackops.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = yaml.safe_load((ROOT / "examples" / "config.yml").read_text())


def check(tmp_path, capsys, change) -> tuple[int, str, str]:
    cfg = yaml.safe_load(yaml.safe_dump(EXAMPLE))
    change(cfg)
    p = tmp_path / "c.yml"
    p.write_text(yaml.safe_dump(cfg))
    rc = main(["config", "check", str(p)])
    out = capsys.readouterr()
    return rc, out.out, out.err.replace(str(p), "FILE")


def account(cfg, account_id):
    return next(a for a in cfg["accounts"] if a["id"] == account_id)


def test_the_example_passes(capsys):
    assert main(["config", "check", str(ROOT / "examples" / "config.yml")]) == 0
    assert "ok (5 accounts)" in capsys.readouterr().out


@pytest.mark.parametrize(("change", "line"), [
    (lambda c: account(c, "acme").update(language="it"),
     "FILE: accounts[0].language: 'it' is not a language interopion answers in (en)"),
    (lambda c: account(c, "acme").update(contacts=[]),
     "FILE: accounts[0].contacts: interopion lets only designated contacts open requests, and acme names none"),
    (lambda c: c["managers"].pop("executives"),
     "FILE: managers.executives: nobody is in it, and comensure P1 escalation level 3 notifies it"),
    (lambda c: c["managers"].update(support_management=[]),
     "FILE: managers.support_management: nobody is in it, and interopion intake.reclassification_appeal_to notifies it"),
    (lambda c: c["managers"].pop("escalation_manager"),
     "FILE: managers.escalation_manager: nobody is in it, and ixcloud intake.customer_escalation.notify notifies it"),
    (lambda c: c["channels"].pop(4),
     "FILE: channels.4: no channel for priority rank 4, used by ixcloud S4 (globex), interactor S4 (hanil), "
     "interzen P4 (rossi)"),
])
def test_refusals_name_the_file_the_field_and_the_reason(tmp_path, capsys, change, line):
    rc, out, err = check(tmp_path, capsys, change)
    assert rc == 2 and line in err, err
    assert "ok" not in out


def test_a_ladder_that_pings_a_channel_needs_one_even_without_routing(tmp_path, capsys):
    def only_comensure(c):
        c["accounts"] = [account(c, "initech")]
        c["channels"] = {}
    rc, _out, err = check(tmp_path, capsys, only_comensure)
    assert rc == 2 and "FILE: channels.1: no channel for priority rank 1, used by comensure P1 (initech)" in err


def test_an_s1_capable_account_without_a_24x7_contact_is_a_warning(tmp_path, capsys):
    rc, out, err = check(tmp_path, capsys, lambda c: account(c, "globex").pop("contacts_24x7"))
    assert rc == 0 and "ok (5 accounts, 1 warnings)" in out
    assert "warning: FILE: accounts[1].contacts_24x7: ixcloud needs a customer contact available 24x7 for S1" in err


@pytest.mark.parametrize(("env", "warned"), [
    ({"SLACK_APP_TOKEN": "xapp-1"}, True),  # Socket Mode: Slack's requests name no address
    ({}, True),  # serve's default is Socket Mode
    ({"SLACK_SIGNING_SECRET": "s"}, False),  # HTTP: the address Slack's signed requests come to
])
def test_no_status_link_possible_is_a_warning(tmp_path, capsys, monkeypatch, env, warned):
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    rc, _out, err = check(tmp_path, capsys, lambda c: c.pop("public_url"))
    assert rc == 0
    assert ("warning: FILE: public_url: not set, and in Socket Mode" in err) is warned, err
