"""`slackops oncall [ROLE] [--at ISO] [--config FILE]`: who is on call now (or then) for each
rotation of ``managers:``, and the next hand-offs. Reads the configuration file only."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import Any

import pendulum

from slackops.errors import SlackopsError

__all__ = ["register", "render"]

HANDOFFS = 3


def register(sub: Any) -> None:
    p = sub.add_parser("oncall", help="who is on call for each rotation, and the next hand-offs")
    p.add_argument("role", nargs="?", help="one role of managers: (default: every rotation)")
    p.add_argument("--at", metavar="ISO", help="an instant with its offset, e.g. 2026-12-24T08:00+01:00 (default: now)")
    p.add_argument("--config", metavar="FILE", help="the configuration file (default: $SLACKOPS_CONFIG)")
    p.set_defaults(func=_run)


def _instant(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SlackopsError(f"--at: {text!r} is not an ISO date and time (e.g. 2026-12-24T08:00+01:00)") from None
    if at.tzinfo is None:
        raise SlackopsError(f"--at: {text!r} has no UTC offset (e.g. 2026-12-24T08:00+01:00, or Z for UTC)")
    return at.astimezone(UTC)


def _when(at: datetime, tz: str) -> str:
    local = pendulum.instance(at).in_tz(tz)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} {local.tzname()}"


def render(config: Any, role: str | None, at: datetime) -> str:
    """The report: one block per rotation."""
    from slackops.oncall import handoffs, on_call

    if role is not None and role not in config.managers:
        known = ", ".join(sorted(config.managers)) or "none"
        raise SlackopsError(f"{role!r} is not a role of managers: ({known})")
    roles = [role] if role else sorted(config.rotations)
    if not roles:
        return "no rotations: every role of managers: is a list of people, all reached"
    lines = []
    for name in roles:
        rot = config.rotation(name)
        if rot is None:
            lines.append(f"{name}: not a rotation; everyone is reached ({', '.join(config.managers[name])})")
            continue
        lines.append(f"{name} ({rot.every} rotation, {rot.timezone}): {on_call(rot, at)} is on call at "
                     f"{_when(at, rot.timezone)}")
        for when, who in handoffs(rot, at, HANDOFFS):
            lines.append(f"  from {_when(when, rot.timezone)}: {who}")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    from slackops.config import load_config

    path = args.config or os.environ.get("SLACKOPS_CONFIG")
    if not path:
        raise SlackopsError("no configuration file: pass --config FILE or set SLACKOPS_CONFIG")
    print(render(load_config(path), args.role, _instant(args.at)))
    return 0
