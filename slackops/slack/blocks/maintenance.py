"""The maintenance form (``/support maintenance``, for agents and managers): a pure builder."""

from __future__ import annotations

from typing import Any

from slackops.notices.text import truncate
from slackops.slack.ids import BlockId, CallbackId, InputId
from slackops.slack.metadata import ViewMeta

__all__ = ["maintenance_modal", "IMPACTS"]

IMPACTS = (("unavailable", "Unavailable"), ("degraded", "Degraded"), ("none", "No interruption"))


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _opt(value: str, text: str) -> dict[str, Any]:
    return {"text": _plain(truncate(text, 75)), "value": value}


def maintenance_modal(config: Any, meta: ViewMeta) -> dict[str, Any]:
    accounts = [_opt(a.id, a.name) for a in config.accounts][:100]
    blocks: list[dict[str, Any]] = [
        {"type": "input", "block_id": BlockId.MNT_START, "label": _plain("Start"),
         "element": {"type": "datetimepicker", "action_id": InputId.VALUE}},
        {"type": "input", "block_id": BlockId.MNT_END, "label": _plain("End"),
         "element": {"type": "datetimepicker", "action_id": InputId.VALUE}},
        {"type": "input", "block_id": BlockId.MNT_IMPACT, "label": _plain("Impact"),
         "element": {"type": "static_select", "action_id": InputId.VALUE, "options": [_opt(v, t) for v, t in IMPACTS],
                     "initial_option": _opt(*IMPACTS[0])}},
        {"type": "input", "block_id": BlockId.MNT_ACCOUNTS, "optional": True, "label": _plain("Affected accounts (none: all)"),
         "element": {"type": "multi_static_select", "action_id": InputId.VALUE, "options": accounts,
                     "placeholder": _plain("All accounts")}},
        {"type": "input", "block_id": BlockId.MNT_EMERGENCY, "optional": True, "label": _plain("Emergency"),
         "element": {"type": "checkboxes", "action_id": InputId.VALUE,
                     "options": [_opt("yes", "Emergency maintenance: allowed any time, announced at once")]}},
        {"type": "input", "block_id": BlockId.MNT_NOTE, "optional": True, "label": _plain("Note for customers"),
         "element": {"type": "plain_text_input", "action_id": InputId.VALUE, "multiline": True, "max_length": 1000}},
    ]
    return {"type": "modal", "callback_id": str(CallbackId.MAINTENANCE), "title": _plain("Schedule maintenance"),
            "submit": _plain("Schedule"), "close": _plain("Cancel"), "private_metadata": meta.dump(), "blocks": blocks}
