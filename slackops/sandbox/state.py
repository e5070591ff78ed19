"""The sandbox's Slack kept between runs: what the stand-in holds, saved beside the
sandbox's Redis (``slack.json`` in its data folder), so that a sandbox started again finds
the cards and threads its requests point to.

Written to a temporary file and renamed: a sandbox killed while saving keeps the last
complete copy.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, cast

from slackops.sandbox.slack import FakeSlack, _Channel

__all__ = ["save", "restore", "FILENAME"]

FILENAME = "slack.json"


def save(fake: FakeSlack, folder: str | os.PathLike[str]) -> int:
    """Write what ``fake`` holds; return the version saved."""
    with fake._lock:
        data = {
            "version": fake.version,
            "messages": dict(fake._messages),
            "ephemerals": fake.ephemerals,
            "views": fake.views,
            "home_views": fake.home_views,
            "modals": fake.modals,
            "pins": fake.pins,
            "reactions": fake.reactions,
            "ims": [c.__dict__ for c in fake.channels.values() if c.is_im],
        }
        text = json.dumps(data)
    path = Path(folder) / FILENAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return int(cast(int, data["version"]))


def restore(fake: FakeSlack, folder: str | os.PathLike[str]) -> bool:
    """Load what a previous run saved; False if there was nothing (a new sandbox)."""
    path = Path(folder) / FILENAME
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except ValueError:
        return False
    with fake._lock:
        fake._messages = defaultdict(list, {k: list(v) for k, v in data.get("messages", {}).items()})
        fake.ephemerals[:] = data.get("ephemerals", [])
        fake.views.update(data.get("views", {}))
        fake.home_views.update(data.get("home_views", {}))
        fake.modals.update(data.get("modals", {}))
        fake.pins[:] = [tuple(p) for p in data.get("pins", [])]
        fake.reactions[:] = [tuple(r) for r in data.get("reactions", [])]
        for c in data.get("ims", []):
            fake.channels.setdefault(c["id"], _Channel(**c))
        # go on numbering messages and views after the last ones saved
        numbers = [int(str(m["ts"]).split(".")[1]) for ms in fake._messages.values() for m in ms]
        numbers += [int(str(e.get("message_ts", "0.0")).split(".")[-1] or 0) for e in fake.ephemerals]
        numbers += [int(str(m.get("edited", {}).get("ts", "0.0")).split(".")[-1] or 0)
                    for ms in fake._messages.values() for m in ms]
        fake._ts = itertools.count(max(numbers, default=0) + 1)
        views = [int(v[1:]) for v in fake.views if v[1:].isdigit()]
        fake._ids = itertools.count(max(views, default=0) + 1)
        fake.version = int(data.get("version", 0)) + 1
    return True
