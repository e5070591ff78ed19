from __future__ import annotations

import pytest

from slackops.config import Settings, load_config
from slackops.errors import ConfigError

GOOD = """
team_id: T0VENDOR
agents: [U0AGENT1, U0AGENT2]
managers:
  support_management: [U0MGR1]
  escalation_manager: [U0MGR1]
  directors: [U0DIR1]
  executives: [U0EXEC1]
channels:
  1: C0URGENT
  2: C0HIGH
  3: C0NORMAL
accounts:
  - id: acme
    name: Acme Health
    channel: C0ACMESHARED
    policy: interopion
    calendar: default
    language: en
    contacts: [U0ACME1]
"""


def test_spec_example_loads(tmp_path):
    p = tmp_path / "c.yml"
    p.write_text(GOOD)
    cfg = load_config(p)
    assert cfg.account_for_channel("C0ACMESHARED").prefix == "ACME"
    assert cfg.channel_for_rank(1) == "C0URGENT"
    assert cfg.managers["directors"] == ["U0DIR1"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("channel: C0ACMESHARED", "channel: general"), "accounts[0].channel: 'general' is not a Slack channel id"),
        (("language: en", "language: fr"), "accounts[0].language: 'fr' is not a supported language"),
        (("    contacts: [U0ACME1]", "    contacts: [U0ACME1]\n    colour: red"), "accounts[0].colour: is not a known field"),
        (("team_id: T0VENDOR\n", ""), "team_id: is required"),
        (("team_id: T0VENDOR\n", "team_id: T0VENDOR\nenterprise_id: vendor-org\n"),
         "enterprise_id: 'vendor-org' is not an organisation id"),
        (("team_id: T0VENDOR\n", "team_id: T0VENDOR\nenterprise_id: E0VENDOR\nagent_workspaces: [emea]\n"),
         "agent_workspaces: 'emea' is not a workspace id"),
        (("team_id: T0VENDOR\n", "team_id: T0VENDOR\nagent_workspaces: [T0VENDOR2]\n"),
         "agent_workspaces: other workspaces are the vendor's only within its Enterprise Grid organisation"),
    ],
)
def test_bad_config_names_file_and_field(tmp_path, change, expected):
    p = tmp_path / "bad.yml"
    p.write_text(GOOD.replace(*change))
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert f"{p}: {expected}" in str(e.value)


def test_a_grid_vendor(tmp_path):
    p = tmp_path / "grid.yml"
    p.write_text(GOOD.replace("team_id: T0VENDOR\n", "team_id: T0VENDOR\nenterprise_id: E0VENDOR\n"
                                                     "agent_workspaces: [T0VENDOR2, T0VENDOR3]\n"))
    cfg = load_config(p)
    assert (cfg.enterprise_id, cfg.agent_workspaces) == ("E0VENDOR", ["T0VENDOR2", "T0VENDOR3"])


def test_not_yaml(tmp_path):
    p = tmp_path / "x.yml"
    p.write_text("team_id: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(p)


def test_settings_from_env():
    s = Settings.from_env({"SLACK_API_URL": "http://127.0.0.1:9/api", "REDIS_URL": "redis://x"})
    assert s.slack_api_url == "http://127.0.0.1:9/api/"
    assert s.redis_url == "redis://x"
    assert Settings.from_env({}).data_dir == ".slackops"


def test_config_check_command(tmp_path, capsys):
    from slackops.cli import main

    good = tmp_path / "c.yml"
    good.write_text(GOOD + "closures: ['2026-08-10..2026-08-21']\n")
    assert main(["config", "check", str(good)]) == 0
    assert "ok (1 accounts" in capsys.readouterr().out
    bad = tmp_path / "b.yml"
    bad.write_text(GOOD.replace("calendar: default", "calendar: kr").replace("policy: interopion", "policy: nosuch"))
    assert main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "accounts[0].policy:" in err and "nosuch" in err
    cal = tmp_path / "k.yml"
    cal.write_text(GOOD.replace("calendar: default", "calendar: kr"))
    assert main(["config", "check", str(cal)]) == 2
    assert "accounts[0].calendar: 'kr' is not a calendar of interopion" in capsys.readouterr().err
    closures = tmp_path / "x.yml"
    closures.write_text(GOOD + "closures: ['2026-13-01']\n")
    assert main(["config", "check", str(closures)]) == 2
    assert f"{closures}: closures: '2026-13-01' is not a date" in capsys.readouterr().err


def test_agent_controls_default_and_overrides(tmp_path):
    p = tmp_path / "c.yml"
    p.write_text(GOOD)
    cfg = load_config(p)
    assert cfg.agent_controls == "triage" and cfg.agent_controls_for("acme") == "triage"
    assert cfg.triage_channel_for("acme", 2) == "C0HIGH"  # the priority's channel by default
    assert cfg.triage_channel_for("acme", 4) is None
    p.write_text(GOOD.replace("channels:\n", "triage_channels:\n  2: C0TRIAGEHIGH\nchannels:\n"))
    cfg = load_config(p)
    assert cfg.triage_channel_for("acme", 2) == "C0TRIAGEHIGH" and cfg.triage_channel_for("acme", 1) == "C0URGENT"
    p.write_text(GOOD + "    triage_channel: C0ACMETRIAGE\n")
    assert load_config(p).triage_channel_for("acme", 1) == "C0ACMETRIAGE"
    p.write_text("agent_controls: shared\n" + GOOD)
    cfg = load_config(p)
    assert cfg.agent_controls_for("acme") == "shared" and cfg.triage_channel_for("acme", 1) is None
    p.write_text("agent_controls: shared\n" + GOOD + "    agent_controls: triage\n")
    assert load_config(p).triage_channel_for("acme", 1) == "C0URGENT"  # the account's own setting wins


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agent_controls: both\n" + GOOD, "agent_controls: Input should be 'triage' or 'shared'"),
        (GOOD + "    agent_controls: agents\n", "accounts[0].agent_controls: Input should be 'triage' or 'shared'"),
        (GOOD + "    triage_channel: triage\n", "accounts[0].triage_channel: 'triage' is not a Slack channel id"),
        (GOOD + "    triage_channel: C0ACMESHARED\n",
         "accounts[0].triage_channel: C0ACMESHARED is a customer's shared channel"),
        (GOOD.replace("channels:\n", "triage_channels:\n  1: C0ACMESHARED\nchannels:\n"),
         "triage_channels.1: C0ACMESHARED is a customer's shared channel"),
        (GOOD.replace("  3: C0NORMAL", "  3: C0ACMESHARED"),
         "channels.3: C0ACMESHARED is a customer's shared channel and would get the agents' cards"),
    ],
)
def test_bad_agent_controls_name_the_field(tmp_path, text, expected):
    p = tmp_path / "bad.yml"
    p.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert f"{p}: " in str(e.value) and expected in str(e.value)


def test_config_check_wants_a_triage_channel_for_every_priority(tmp_path, capsys):
    from slackops.cli import main

    # no priority channels: ixcloud's ladder pings none, so only the agents' cards lack a place
    # (with priority channels, every rank needs one anyway, and it is also the agents' card's)
    ixcloud = GOOD.replace("policy: interopion", "policy: ixcloud").replace(
        "channels:\n  1: C0URGENT\n  2: C0HIGH\n  3: C0NORMAL\n", "")
    p = tmp_path / "c.yml"
    p.write_text(ixcloud)
    assert main(["config", "check", str(p)]) == 2
    err = capsys.readouterr().err
    assert f"{p}: accounts[0]: agent_controls is triage but S1, S2, S3, S4 of ixcloud have no triage channel" in err
    assert "channels." not in err  # the only problem
    p.write_text(ixcloud + "    triage_channel: C0TRIAGE\n")
    assert main(["config", "check", str(p)]) == 0
    p.write_text(ixcloud + "    agent_controls: shared\n")
    assert main(["config", "check", str(p)]) == 0


# --------------------------------------------------------------------------- an account's own contract

INLINE = GOOD.replace("    policy: interopion\n", """\
    policy:
      extends: contracts/acme.yml
      priorities:
        - id: P2
          targets: {first_response: 2 business hours}
""")
ACME_FILE = """\
extends: interopion
priorities:
  - id: P2
    targets: {first_response: 3 business hours}
  - id: P3
    targets: {first_response: 6 business hours}
"""


def inline_config(tmp_path, text=INLINE):
    (tmp_path / "contracts").mkdir(exist_ok=True)
    (tmp_path / "contracts" / "acme.yml").write_text(ACME_FILE)
    p = tmp_path / "c.yml"
    p.write_text(text)
    return p


def test_an_accounts_inline_contract_beats_its_file_which_beats_the_preset(tmp_path, monkeypatch):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from slackops.policy import load

    p = inline_config(tmp_path)
    monkeypatch.chdir("/")  # a relative extends is read from the configuration's folder
    acct = load_config(p).account("acme")
    assert acct.contract == {"extends": "contracts/acme.yml",
                             "priorities": [{"id": "P2", "targets": {"first_response": "2 business hours"}}]}
    pol = load(acct.policy)
    assert pol.name == "acme-contract" and pol.source == f"{p}: accounts[acme].policy"
    assert pol.extends == ("interopion", str(tmp_path / "contracts" / "acme.yml"))
    opened = datetime(2026, 12, 4, 16, 30, tzinfo=ZoneInfo("America/Denver"))  # a Friday
    due = {p: next(c.due_at for c in pol.timeline(p, opened) if c.kind == "first_response") for p in ("P1", "P2", "P3")}
    assert due["P1"] == opened + timedelta(hours=2)  # the preset's, 24x7
    assert due["P2"] == datetime(2026, 12, 7, 7, 30, tzinfo=ZoneInfo("America/Denver"))  # the account's: 1.5 h + 0.5 h
    assert due["P3"] == datetime(2026, 12, 7, 11, 30, tzinfo=ZoneInfo("America/Denver"))  # the file's: 1.5 h + 4.5 h
    assert pol.origin("priorities.P2.targets.first_response") == f"{p}: accounts[acme].policy"
    assert pol.origin("priorities.P3.targets.first_response") == str(tmp_path / "contracts" / "acme.yml")
    assert pol.origin("priorities.P1.targets.first_response") == "interopion"
    assert load(acct.policy) is pol
    # the same terms as a file of their own: the same version
    (tmp_path / "contracts" / "same.yml").write_text(
        "extends: acme.yml\npriorities: [{id: P2, targets: {first_response: 2 business hours}}]\n")
    assert load(str(tmp_path / "contracts" / "same.yml")).version == pol.version
    assert load(str(tmp_path / "contracts" / "acme.yml")).version != pol.version


@pytest.mark.parametrize(("change", "expected"), [
    (("first_response: 2 business", "first_responce: 2 business"),
     "accounts[acme].policy.priorities.P2.targets.first_responce: is not a known field (did you mean first_response?)"),
    (("extends: contracts/acme.yml", "extends: contracts/nosuch.yml"),
     "accounts[acme].policy.extends: 'contracts/nosuch.yml' is not a preset"),
    (("- id: P2", "- id: P9"), "accounts[acme].policy.priorities.P9: 'P9' is not a priority it inherits (P1, P2, P3)"),
    (("      priorities:", "      timezone: Mars/Olympus\n      priorities:"),
     "accounts[acme].policy.timezone: 'Mars/Olympus' is not an IANA time zone"),
])
def test_a_bad_inline_contract_names_the_file_the_account_and_the_field(tmp_path, change, expected):
    p = inline_config(tmp_path, INLINE.replace(*change))
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert f"{p}: {expected}" in str(e.value) and "Traceback" not in str(e.value)


def test_policy_show_and_config_check_take_an_inline_contract(tmp_path, capsys):
    from slackops.cli import main

    p = inline_config(tmp_path)
    assert main(["config", "check", str(p)]) == 0
    assert "ok (1 accounts" in capsys.readouterr().out
    assert main(["policy", "show", "--account", "acme", "--config", str(p)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Account acme (Acme Health): its own contract, in the configuration\n")
    assert f"  extends: {tmp_path / 'contracts' / 'acme.yml'} <- interopion\n" in out
    rows = {line.split()[0]: line for line in out.split("Where each value comes from")[1].splitlines() if line.strip()}
    assert rows["priorities.P2.targets.first_response"].split()[1:] == [
        "2", "business", "hours", f"{p}:", "accounts[acme].policy"]
    assert rows["priorities.P3.targets.first_response"].endswith(str(tmp_path / "contracts" / "acme.yml"))
    assert rows["priorities.P1.targets.first_response"].endswith("interopion")
    assert main(["policy", "show", "--account", "nobody", "--config", str(p)]) == 2
    assert f"{p}: 'nobody' is not an account (acme)" in capsys.readouterr().err
    assert main(["policy", "show"]) == 2
    assert main(["policy", "show", "comensure", "--account", "acme"]) == 2
