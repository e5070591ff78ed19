"""Firefox driven over WebDriver BiDi, the W3C protocol Firefox speaks by itself (no
geckodriver): Debian's ``firefox-esr`` started headless with ``--remote-debugging-port``,
one WebSocket, and the few commands the sandbox's tests need. Input goes through
``input.performActions``: real pointer and key events, as a person's would be."""

from __future__ import annotations

import base64
import contextlib
import json
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox") or "/usr/bin/firefox-esr"
LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")
ENTER = "\ue007"


class BidiError(AssertionError):
    pass


class Firefox:
    def __init__(self, binary: str = FIREFOX, width: int = 1400, height: int = 900) -> None:
        self.profile = tempfile.mkdtemp(prefix="slackops-firefox-")
        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-remote", "--profile", self.profile, "--remote-debugging-port", "0",
             "--width", str(width), "--height", str(height), "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.lines: list[str] = []
        found: list[str] = []

        def read() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                self.lines.append(line)
                m = LISTENING.search(line)
                if m and not found:
                    found.append(m.group(1))

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 60
        while not found:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise BidiError("Firefox did not start:\n" + "".join(self.lines[-20:]))
            time.sleep(0.05)
        # no Origin header (Firefox refuses WebSocket connections that send one), no size limit
        # (screenshots come back as one large message)
        self.ws = connect(found[0] + "/session", open_timeout=60, max_size=None, compression=None)
        self._id = 0
        self.errors: list[str] = []  # the page's uncaught JavaScript errors
        self.command("session.new", {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": True}}})
        self.command("session.subscribe", {"events": ["log.entryAdded"]})
        self.context = self.command("browsingContext.getTree", {})["contexts"][0]["context"]
        self.command("browsingContext.setViewport", {"context": self.context,
                                                     "viewport": {"width": width, "height": height}})

    def command(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._id += 1
        mine = self._id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") != mine:  # an event
                p = msg.get("params") or {}
                if msg.get("method") == "log.entryAdded" and p.get("type") == "javascript" and p.get("level") == "error":
                    self.errors.append(str(p.get("text")))
                continue
            if msg.get("type") == "error":
                raise BidiError(f"{method}: {msg.get('error')}: {msg.get('message')}")
            return msg["result"]

    def goto(self, url: str) -> None:
        self.command("browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"})

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (strings, numbers, booleans, null)."""
        r = self.command("script.evaluate", {"expression": expression, "target": {"context": self.context},
                                              "awaitPromise": True, "resultOwnership": "none"})
        if r.get("type") == "exception":
            raise BidiError(f"{expression}: {r['exceptionDetails'].get('text')}")
        value = r["result"]
        return value.get("value") if value.get("type") not in ("undefined", "null") else None

    def wait_for(self, expression: str, timeout: float = 30.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BidiError(f"timed out waiting for {what or expression}")
            time.sleep(0.1)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the first element ``selector`` finds."""
        box = self.wait_for(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
                            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                            " return r.width > 0 ? JSON.stringify([r.x + r.width / 2, r.y + r.height / 2]) : null; })()",
                            what=selector)
        x, y = json.loads(box)
        self.command("input.performActions", {"context": self.context, "actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "x": round(x), "y": round(y)},
                        {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}]})

    def click_text(self, selector: str, text: str) -> None:
        """Click the first element ``selector`` finds whose text contains ``text``."""
        self.wait_for(f"(() => {{ document.querySelectorAll('[data-bidi]').forEach((e) => e.removeAttribute('data-bidi'));"
                      f" const e = [...document.querySelectorAll({json.dumps(selector)})]"
                      f".find((x) => x.textContent.includes({json.dumps(text)})); if (!e) return false;"
                      " e.setAttribute('data-bidi', '1'); return true; })()", what=f"{selector} with {text!r}")
        self.click("[data-bidi='1']")

    def labelled(self, label: str, scope: str = "body") -> str:
        """A selector for the form control whose label says ``label``."""
        ident = self.wait_for(f"(() => {{ const l = [...document.querySelectorAll({json.dumps(scope + ' label')})]"
                              f".find((x) => x.textContent.trim().startsWith({json.dumps(label)}));"
                              " return l && l.htmlFor ? l.htmlFor : null; })()", what=f"the label {label!r}")
        return f"#{ident}"

    def type(self, text: str) -> None:
        """Key presses into whatever has the focus."""
        keys: list[dict[str, Any]] = []
        for ch in text:
            keys += [{"type": "keyDown", "value": ch}, {"type": "keyUp", "value": ch}]
        self.command("input.performActions", {"context": self.context,
                                              "actions": [{"type": "key", "id": "keyboard", "actions": keys}]})

    def screenshot(self, path: Path) -> Path:
        data = self.command("browsingContext.captureScreenshot", {"context": self.context})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.command("session.end", {})
        with contextlib.suppress(Exception):
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    import os

                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        shutil.rmtree(self.profile, ignore_errors=True)
