"""Starting and stopping a sandbox: its own embedded Redis (under its data folder), the
stand-in for Slack, the real app over HTTP (waitress, as ``slackops serve --http``), a
worker process (``slackops worker``, the same as beside a real desk), and the page.

Nothing here is a real workspace's: the bot token and signing secret are made up for this
run, ``REDIS_URL`` is ignored (the sandbox never touches the real desk's Redis), and the
page listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import yaml

from slackops.config import Config, Settings, load_config
from slackops.errors import ConfigError, SlackopsError

__all__ = ["Sandbox", "prepare_config", "DEFAULT_DATA_DIR"]

DEFAULT_DATA_DIR = ".slackops/sandbox"
PREFIX = "slackops"
BOT_TOKEN = "xoxb-sandbox-not-a-real-token"
SAVE_EVERY = 2.0
"""Seconds between saves of the stand-in's messages (when something changed)."""


LOCK_FILE = "sandbox.lock"


class InUse(SlackopsError):
    """Another sandbox is running on this data folder (exit status 2)."""


class _FolderLock:
    """The data folder's lock: ``sandbox.lock`` held with ``flock`` while a sandbox runs,
    holding its pid and, once it serves, its page's address. The kernel drops the lock of
    a sandbox that died, so a stale file never blocks the next one."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE
        self._fd: int | None = None

    def take(self) -> _FolderLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as f:
                pid, _, url = f.read().strip().partition(" ")
            where = f"pid {pid or '?'}" + (f", {url}" if url else "")
            raise InUse(f"{self.path.parent} is in use by another sandbox ({where}): stop it, "
                        "or give this one another --data-dir") from None
        self._fd = fd
        self.write("")
        return self

    def write(self, url: str) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, f"{os.getpid()} {url}".strip().encode() + b"\n", 0)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing it drops the lock


def _demo_dir() -> Path:
    return Path(str(resources.files("slackops.sandbox").joinpath("demo")))


def grid_demo() -> str:
    """The demo desk of a vendor on Enterprise Grid (``slackops sandbox --grid``)."""
    return str(_demo_dir() / "grid.yml")



def prepare_config(config_path: str | None, data_dir: Path) -> tuple[Path, Config, Path | None]:
    """The configuration the sandbox runs: the given file, or the shipped demo desk.
    Policy files named relative to the configuration are made absolute (the app and the
    worker run from anywhere); the result is written to the data folder. Returns (path,
    config, people file)."""
    src = Path(config_path) if config_path else _demo_dir() / "config.yml"
    config = load_config(src)  # names the file and the field of any mistake
    raw = yaml.safe_load(src.read_text(encoding="utf-8"))
    from slackops.policy import list_presets

    def absolute(name: str) -> str:
        if name not in list_presets() and not Path(name).is_absolute() and (src.parent / name).is_file():
            return str((src.parent / name).resolve())
        return name

    for acct in raw.get("accounts") or []:
        policy = acct.get("policy", "")
        if isinstance(policy, dict):  # an account's own contract: the file it extends, made absolute
            if isinstance(policy.get("extends"), str):
                policy["extends"] = absolute(policy["extends"])
        else:
            acct["policy"] = absolute(str(policy))
    out = data_dir / "config.yml"
    out.write_text("# written by slackops sandbox from " + str(src) + "\n" + yaml.safe_dump(raw, sort_keys=False),
                   encoding="utf-8")
    config = load_config(out)
    from slackops.policy import load as load_policy

    for i, acct in enumerate(config.accounts):
        try:
            load_policy(acct.policy, closures=config.closures)
        except Exception as e:  # noqa: BLE001 - PolicyError and friends: one line for people
            raise ConfigError(f"{src}: accounts[{i}].policy: {e}") from None
    people = src.parent / "people.yml"
    return out, config, people if people.is_file() else None


class _PageServer:
    """The page under waitress in a thread (stopped by closing its sockets)."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        from waitress.server import create_server

        self._server = create_server(app, host=host, port=port, threads=8, ident="slackops-sandbox",
                                     clear_untrusted_proxy_headers=True)
        self.host, self.port = host, int(self._server.effective_port)  # type: ignore[union-attr]
        self._thread = threading.Thread(target=self._run, name="sandbox-page", daemon=True)
        self._stopping = False

    def _run(self) -> None:
        try:
            self._server.asyncore.loop(timeout=0.2, map=self._server._map)  # type: ignore[union-attr]
        except (OSError, ValueError):
            if not self._stopping:
                raise

    def start(self) -> _PageServer:
        self._thread.start()
        return self

    def stop(self, wake: Any = None) -> None:
        """Stop listening, let the requests under way finish (``wake`` answers the long
        polls now), then close the connections: closing them first would pull the rug
        from under a request still writing its answer."""
        self._stopping = True
        server = self._server
        with contextlib.suppress(Exception):
            # the listening socket only (waitress's own close() shuts its trigger first,
            # which a request finishing its answer still pulls)
            server.asyncore.dispatcher.close(server)  # type: ignore[union-attr]
        if wake is not None:
            wake()
        with contextlib.suppress(Exception):
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)  # type: ignore[union-attr]
        with contextlib.suppress(Exception):
            while server._map:  # type: ignore[union-attr]
                for channel in list(server._map.values()):  # type: ignore[union-attr]
                    channel.handle_close()
        self._thread.join(timeout=3)


@dataclass
class Sandbox:
    """One sandbox: ``with Sandbox(...).running() as sb: sb.url``."""

    config_path: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: str = DEFAULT_DATA_DIR
    out: TextIO = sys.stderr
    worker_args: tuple[str, ...] = ()

    # set while running()
    url: str = ""
    fake: Any = field(default=None, repr=False)
    world: Any = field(default=None, repr=False)
    worker: Any = field(default=None, repr=False)
    folder: Path | None = None

    def say(self, text: str) -> None:
        print(f"slackops sandbox: {text}", file=self.out, flush=True)

    @contextlib.contextmanager
    def running(self) -> Iterator[Sandbox]:
        from slackops.notices.web import make_client
        from slackops.requests import RequestStore
        from slackops.requests.redis_server import connect
        from slackops.sandbox import state
        from slackops.sandbox.driver import SlackDriver
        from slackops.sandbox.page import Page
        from slackops.sandbox.slack import FakeSlack
        from slackops.sandbox.world import World
        from slackops.slack.app import create_app
        from slackops.slack.server import HttpServer

        folder = Path(self.data_dir).expanduser().resolve()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ConfigError(f"cannot create the sandbox's folder {folder}: {e.strerror}") from None
        lock = _FolderLock(folder).take()  # before anything in the folder is touched
        with contextlib.ExitStack() as stack:
            stack.callback(lock.release)
            cfg_path, config, people = prepare_config(self.config_path, folder)
            world = World(config, people)
            secret = secrets.token_hex(16)
            # its own Redis, whatever REDIS_URL says: never the real desk's data
            conn = stack.enter_context(connect(Settings(redis_url=None, data_dir=str(folder / "redis"))))
            redis = conn.client
            self.say(conn.description)
            # a vendor on Enterprise Grid: the app installed org-wide, as docs/slack.md advises
            fake = FakeSlack(team_id=config.team_id, enterprise_id=config.enterprise_id,
                             org_install=bool(config.enterprise_id)).start()
            stack.callback(fake.stop)
            stack.callback(state.save, fake, folder)  # last, once the worker has posted what it had
            world.seed(fake)
            resumed = state.restore(fake, folder)
            settings = Settings(bot_token=BOT_TOKEN, signing_secret=secret, slack_api_url=fake.url, mode="http",
                                config_path=str(cfg_path), data_dir=str(folder))
            store = RequestStore(redis, config, prefix=PREFIX)
            app = create_app(settings, config, store, make_client(settings))
            server = HttpServer(app, "127.0.0.1", 0).start()
            stack.callback(server.stop)
            worker = _Worker(cfg_path, conn.url, fake.url, folder, self.worker_args, self.say)
            worker.start()
            stack.callback(worker.stop)
            self.say(f"the app (Slack's requests, status pages): {server.base_url}")
            from slackops.operations.tokens import StatusTokens

            tokens = StatusTokens(redis, config, PREFIX)
            world.app_url = server.base_url
            world.status_links = {a.name: f"{server.base_url.rstrip('/')}/status/{a.id}?token={tokens.get(a.id)}"
                                  for a in config.accounts}
            driver = SlackDriver(server.url, secret, team_id=config.team_id, response_url=fake.response_url(), slack=fake)
            page = Page(fake, driver, world)
            try:
                web = _PageServer(page, self.host, self.port).start()
            except OSError as e:
                raise ConfigError(f"cannot listen on {self.host}:{self.port}: {e.strerror} (try --port)") from None
            stack.callback(web.stop, lambda: _wake(fake))
            if not resumed:
                for ch in world.shared:  # the app joins each shared channel: it pins its button there
                    driver.event({"type": "member_joined_channel", "user": fake.bot_user_id, "channel": ch,
                                  "channel_type": "C", "team": config.team_id, "event_ts": f"{time.time():.6f}"})
            shown = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "") else self.host
            self.url = f"http://{shown}:{web.port}/"
            lock.write(self.url)
            self.fake, self.world, self.worker, self.folder = fake, world, worker, folder
            yield self

    def serve(self, open_browser: bool = True) -> int:
        """Run until SIGINT or SIGTERM; everything started is stopped before returning."""
        stop = threading.Event()
        previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            with self.running() as sb:
                from slackops.sandbox import state

                self.say(f"the desk, as each person sees it in Slack: {sb.url}  (Ctrl-C stops it)")
                self.say(f"data in {sb.folder}/ (delete it to start over)")
                if open_browser:
                    import webbrowser

                    threading.Thread(target=webbrowser.open, args=(sb.url,), daemon=True).start()
                saved = -1
                while not stop.wait(SAVE_EVERY):
                    if sb.fake.version != saved:
                        saved = state.save(sb.fake, sb.folder or ".")
                    sb.worker.check()
                self.say("stopping")
        finally:
            for s, h in previous.items():
                signal.signal(s, h)
        return 0


def _wake(fake: Any) -> None:
    with fake._lock:
        fake._bump()


class _Worker:
    """``slackops worker`` as a child process, pointed at the sandbox's Redis and Slack."""

    def __init__(self, config: Path, redis_url: str, api_url: str, folder: Path, args: tuple[str, ...], say: Any) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SLACKOPS_", "REDIS_"))}
        env.update(REDIS_URL=redis_url, SLACK_API_URL=api_url, SLACK_BOT_TOKEN=BOT_TOKEN,
                   SLACKOPS_CONFIG=str(config), SLACKOPS_DATA_DIR=str(folder))
        self.cmd = [sys.executable, "-m", "slackops.cli", "worker", "--prefix", PREFIX, *args]
        self.env = env
        self.say = say
        self.proc: subprocess.Popen[bytes] | None = None
        self._stopped = False

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, env=self.env)

    def check(self) -> None:
        """Start the worker again if it died (it posts everything the desk owes)."""
        if self.proc is not None and self.proc.poll() is not None and not self._stopped:
            self.say(f"the worker exited ({self.proc.returncode}); starting it again")
            self.start()

    def stop(self) -> None:
        self._stopped = True
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
