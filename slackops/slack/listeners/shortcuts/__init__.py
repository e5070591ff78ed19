"""Shortcuts: callback_id -> callback."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from slackops.slack.ids import ShortcutId
from slackops.slack.listeners.routing import pattern, router
from slackops.slack.listeners.shortcuts.open_from_message import open_from_message

SHORTCUTS: dict[ShortcutId, Callable[..., None]] = {
    ShortcutId.OPEN_FROM_MESSAGE: open_from_message,
}


def register(app: App) -> None:
    app.shortcut(pattern(SHORTCUTS))(router(SHORTCUTS, lambda body: body.get("callback_id")))
