"""Small shared pieces of Block Kit."""

from __future__ import annotations

from typing import Any

from slackops.notices.text import mrkdwn, plain
from slackops.slack.metadata import ActionValue

STATUS_EMOJI = {
    "submitted": ":new:",
    "acknowledged": ":eyes:",
    "in_progress": ":hammer_and_wrench:",
    "waiting_on_customer": ":hourglass_flowing_sand:",
    "resolved": ":white_check_mark:",
    "closed": ":lock:",
}


def status_value(status: str) -> str:
    return str(getattr(status, "value", status))


def button(text: str, action_id: str, request_id: str | None = None, *, style: str | None = None,
           level: int | None = None, confirm: dict | None = None, url: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "button", "text": plain(text, 75), "action_id": str(action_id)}
    if request_id or level is not None:
        b["value"] = ActionValue(r=request_id, l=level).dump()
    if style:
        b["style"] = style
    if confirm:
        b["confirm"] = confirm
    if url:
        b["url"] = url
    return b


def confirm_dialog(title: str, text: str, yes: str, no: str) -> dict[str, Any]:
    return {"title": plain(title, 100), "text": plain(text, 300), "confirm": plain(yes, 30), "deny": plain(no, 30)}


def context(text: str, block_id: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}
    if block_id:
        b["block_id"] = str(block_id)
    return b


def section(text: str, block_id: str | None = None) -> dict[str, Any]:

    b: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        b["block_id"] = str(block_id)
    return b


def cap_blocks(blocks: list[dict[str, Any]], limit: int, note: str) -> list[dict[str, Any]]:
    """Keep within Slack's block limit, saying what was left out."""
    if len(blocks) <= limit:
        return blocks
    return blocks[: limit - 1] + [context(note)]
