"""Escalation notices beyond the step itself: the repeats of a step nobody acknowledged.

A step with ``repeat`` (docs/policy.md) has a checkpoint of its own for each repeat
(``escalation:L:repeat:K``); its alarm sends the step's DMs and channel ping again, each a
notice of its own (its id is the alarm's member and the destination: exactly once), re-checked
before it goes out (none once the level is acknowledged, the request resolved, or a plan
recorded where the step has ``unless: plan``). A repeat changes nothing in the request.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from slackops.oncall import Rotation, handoffs

__all__ = ["on_call_note", "repeat_of", "repeated"]


def repeat_of(key: str) -> int | None:
    """``escalation:2:repeat:3`` -> 3; None for the step itself."""
    head, sep, k = key.rpartition(":repeat:")
    return int(k) if sep and head.startswith("escalation:") and k.isdigit() else None


def repeated(msg: Any, k: int, times: int) -> Any:
    """The step's message (a notice builder's Message: text, blocks, line), said again: which
    repeat, and that nobody acknowledged it yet."""
    note = f"Reminder {k} of {times}: nobody has acknowledged this escalation yet."
    context: dict[str, Any] = {"type": "context", "elements": [{"type": "mrkdwn", "text": f":repeat: {note}"}]}
    blocks = [*msg.blocks[:1], context, *msg.blocks[1:]]
    return replace(msg, text=f"{msg.text} ({note})", blocks=blocks, line=f"{msg.line} (reminder {k} of {times})")


def on_call_note(msg: Any, rotations: list[Rotation], at: datetime) -> Any:
    """The DM of a person reached because they are on call: which rotation, and until when
    (a Slack date: each reader sees their own zone)."""
    parts = []
    for rot in rotations:
        nxt = handoffs(rot, at, 1)
        until = ""
        if nxt:
            epoch = int(nxt[0][0].timestamp())
            until = f" until <!date^{epoch}^{{date_short_pretty}} {{time}}|{nxt[0][0]:%Y-%m-%d %H:%M} UTC>"
        parts.append(f"{rot.role.replace('_', ' ')} ({rot.every} rotation){until}")
    note = "You are on call for " + "; ".join(parts) + "."
    context: dict[str, Any] = {"type": "context", "elements": [{"type": "mrkdwn", "text": f":pager: {note}"}]}
    return replace(msg, text=f"{msg.text} ({note})", blocks=[*msg.blocks[:1], context, *msg.blocks[1:]])
