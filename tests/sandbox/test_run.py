"""``slackops sandbox`` as someone on a fresh machine runs it: the demo desk, its own folder,
serving within 10 s, and stopping on SIGTERM with nothing left running."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import yaml

from slackops.policy import load as load_policy
from slackops.sandbox.run import _demo_dir, prepare_config
from tests.sandbox.conftest import start_sandbox, stop_sandbox

SERVES_WITHIN = 10.0  # seconds, from the command to the page


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read()


def act(url: str, body: dict) -> dict:
    req = urllib.request.Request(url + "api/act", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        return {"status": e.code, **json.loads(e.read())}


def test_the_demo_desk_serves_within_10_s_and_stops_leaving_nothing(tmp_path: Path) -> None:
    started = time.monotonic()
    running = start_sandbox([], tmp_path, timeout=SERVES_WITHIN)
    try:
        status, html = get(running.url)
        served = time.monotonic() - started
        assert status == 200 and b"slackops sandbox" in html
        assert served < SERVES_WITHIN, f"served after {served:.1f} s"
        children = psutil.Process(running.proc.pid).children(recursive=True)
        assert any("worker" in " ".join(c.cmdline()) for c in children), "no worker process"
        people = json.loads(get(running.url + "api/people")[1])["people"]
        kinds = {p["kind"] for p in people}
        assert kinds == {"contact", "customer", "agent", "manager"}
        # its data in its own folder under the working directory, nothing else written there
        assert (tmp_path / ".slackops" / "sandbox" / "redis").is_dir()
        assert sorted(p.name for p in tmp_path.iterdir()) == [".slackops"]
        assert sorted(p.name for p in (tmp_path / ".slackops").iterdir()) == ["sandbox"]
        # the app joined each shared channel: its pinned button is there for the customers
        state = json.loads(get(running.url + "api/state?as=U0ROSSI1")[1])
        assert [c["name"] for c in state["channels"]] == ["rossi-supporto"]
        assert "Apri una richiesta" in json.dumps(state["messages"]["C0ROSSISHARED"]) or _eventually(
            running.url, "U0ROSSI1", "C0ROSSISHARED", "Apri una richiesta")
    finally:
        code = stop_sandbox(running.proc)
    assert code == 0, "".join(running.lines)
    for c in children:
        assert not c.is_running() or c.status() == psutil.STATUS_ZOMBIE, f"left running: {c.cmdline()}"
    assert "Traceback" not in "".join(running.lines), "".join(running.lines)


def _eventually(url: str, who: str, channel: str, text: str, timeout: float = 20.0, by_bot: bool = False) -> bool:
    """Whether ``text`` shows in ``channel`` for ``who`` within ``timeout`` (``by_bot``: in
    one of the app's messages)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = json.loads(get(url + f"api/state?as={who}")[1])
        msgs = [m for m in state["messages"].get(channel, []) if not by_bot or m.get("user") == state["bot"]]
        if text in json.dumps(msgs):
            return True
        time.sleep(0.2)
    return False


def test_a_sandbox_started_again_finds_its_slack_as_it_left_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    running = start_sandbox(["--data-dir", str(data)], tmp_path)
    try:
        assert act(running.url, {"as": "U0ACME1", "kind": "message", "channel": "C0ACMESHARED",
                                 "text": "Is anyone there?"})["ok"]
        assert _eventually(running.url, "U0ACME1", "C0ACMESHARED", "Open a request")
    finally:
        assert stop_sandbox(running.proc) == 0
    running = start_sandbox(["--data-dir", str(data)], tmp_path)
    try:
        state = json.loads(get(running.url + "api/state?as=U0AGENT1")[1])
        texts = [m.get("text", "") for m in state["messages"]["C0ACMESHARED"]]
        assert "Is anyone there?" in texts
        assert sum("Need help from support" in t for t in texts) == 1  # joined once, not again
        # Slack's events of this run are new to the app (their ids are never those of the
        # last run's): a message and its :ticket: open a request at once
        posted = act(running.url, {"as": "U0ACME1", "kind": "message", "channel": "C0ACMESHARED",
                                   "text": "Exports stop at 40% since the restart"})
        assert posted["ok"]
        assert act(running.url, {"as": "U0ACME1", "kind": "react", "channel": "C0ACMESHARED", "ts": posted["ts"],
                                 "name": "ticket"})["ok"]
        assert _eventually(running.url, "U0ACME1", "C0ACMESHARED", "Exports stop at 40% since the restart",
                           by_bot=True), "no card for the ticketed message after the restart:\n" + "".join(running.lines)
    finally:
        assert stop_sandbox(running.proc) == 0
    assert "Traceback" not in "".join(running.lines), "".join(running.lines)


def test_a_second_sandbox_on_a_folder_in_use_is_refused_naming_the_running_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    # a lock file left by a sandbox that died holds no lock: it does not stand in the way
    (data / "sandbox.lock").write_text("999999 http://localhost:1/\n")
    running = start_sandbox(["--data-dir", str(data)], tmp_path)
    try:
        second = subprocess.run([sys.executable, "-m", "slackops.cli", "sandbox", "--no-browser", "--port", "0",
                                 "--data-dir", str(data)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert second.returncode == 2, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in second.stderr, second.stderr
        assert str(data) in lines[0] and f"pid {running.proc.pid}" in lines[0] and running.url in lines[0], lines[0]
        # the running one goes on undisturbed
        assert get(running.url + "api/people")[0] == 200
    finally:
        assert stop_sandbox(running.proc) == 0


def test_the_page_refuses_what_makes_no_sense(sandbox) -> None:  # noqa: ANN001
    assert act(sandbox.url, {"as": "U0NOBODY", "kind": "message"})["status"] == 400
    assert "unknown act" in act(sandbox.url, {"as": "U0ACME1", "kind": "explode"})["error"]
    # a customer cannot post in another account's channel
    r = act(sandbox.url, {"as": "U0ACME1", "kind": "message", "channel": "C0INITECHSHARED", "text": "hi"})
    assert r["status"] == 400 and "not in" in r["error"]
    assert act(sandbox.url, {"as": "U0ACME1", "kind": "submit", "view_id": "V999"})["status"] == 400


def test_a_bad_configuration_is_one_line_naming_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("team_id: T0VENDOR\nagents: [U0AGENT1]\naccounts:\n  - {id: acme, name: A, channel: nope, policy: interopion}\n")
    r = subprocess.run([sys.executable, "-m", "slackops.cli", "sandbox", "--no-browser", "--config", str(bad),
                        "--data-dir", str(tmp_path / "d")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "bad.yml: accounts[0].channel:" in r.stderr and "Traceback" not in r.stderr


def test_the_demo_policies_keep_their_promises_within_minutes(tmp_path: Path) -> None:
    path, config, people = prepare_config(None, tmp_path)
    assert people is not None and {(a.contract or {}).get("extends", a.policy).rsplit("/", 1)[-1]
                                   for a in config.accounts} == {
        f"{p}.yml" for p in ("interopion", "ixcloud", "interactor", "interzen", "comensure")}
    # one account has its own contract over its demo policy, with the satisfaction survey
    (own,) = [a for a in config.accounts if a.contract is not None]
    assert own.id == "initech" and own.policy == "account:initech"
    contract = load_policy(own.policy)
    assert contract.intake.satisfaction_survey and any(e.endswith("comensure.yml") for e in contract.extends)
    assert contract.priority("P1").targets["first_response"].duration.text == "30 seconds"
    assert not any(load_policy(a.policy).intake.satisfaction_survey for a in config.accounts if a is not own)
    for acct in config.accounts:
        policy = load_policy(acct.policy)
        assert policy.name.endswith("-demo") or acct is own
        for prio in policy.priorities:
            for kind, target in prio.targets.items():
                # what people watch for (responses, notices, updates) within half an hour; the
                # longest resolution targets (30 working days) within a few hours
                limit = 4 * 3600 if kind in ("resolution", "workaround") else 30 * 60
                assert _seconds(target.duration) <= limit, f"{acct.policy}: {prio.id} {kind} is {target.duration.text}"
            for step in prio.escalation:
                assert _seconds(step.after) <= 30 * 60
    raw = yaml.safe_load((_demo_dir() / "config.yml").read_text())
    roles = {"support_management", "escalation_manager", "support", "production_management", "engineering",
             "directors", "executives"}
    assert roles <= set(raw["managers"])


def _seconds(d) -> float:  # noqa: ANN001
    assert not d.business and not d.calendar_days, f"{d.text}: the demo counts elapsed time"
    return d.amount * {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}[d.unit]


def test_the_grid_demo_is_an_org_wide_install_with_agents_in_two_workspaces(tmp_path: Path) -> None:
    """``--grid``'s desk, seeded into the stand-in: users.info and auth.test as Slack answers them on Grid."""
    from slack_sdk import WebClient

    from slackops.sandbox.run import grid_demo
    from slackops.sandbox.slack import FakeSlack
    from slackops.sandbox.world import World

    _, config, people = prepare_config(grid_demo(), tmp_path)
    assert (config.enterprise_id, config.agent_workspaces) == ("E0VENDOR", ["T0VENDOR2"])
    world = World(config, people)
    hana, grace, carla = world.people["W0AGENT3"], world.people["U0GLOBEX1"], world.people["U0ACME1"]
    assert (hana.kind, hana.team, hana.enterprise, hana.elsewhere) == ("agent", "T0VENDOR2", "E0VENDOR", True)
    assert "workspace T0VENDOR2" in hana.label
    assert (grace.enterprise, carla.enterprise) == ("E0GLOBEX", None)
    fake = FakeSlack(team_id=config.team_id, enterprise_id=config.enterprise_id, org_install=True).start()
    try:
        world.seed(fake)
        client = WebClient(token="xoxb-sandbox", base_url=fake.url)
        assert client.users_info(user="W0AGENT3")["user"]["enterprise_user"]["enterprise_id"] == "E0VENDOR"
        assert client.users_info(user="U0GLOBEX1")["user"]["enterprise_user"]["enterprise_id"] == "E0GLOBEX"
        assert "enterprise_user" not in client.users_info(user="U0ACME1")["user"]
        assert fake.channels["C0GLOBEXSHARED"].teams == ["E0VENDOR", "E0GLOBEX"]
        assert client.auth_test()["is_enterprise_install"] is True
    finally:
        fake.stop()
