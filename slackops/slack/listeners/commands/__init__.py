"""Slash commands: id -> callback."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from slackops.slack.ids import Command
from slackops.slack.listeners.commands.support import support

COMMANDS: dict[Command, Callable[..., None]] = {
    Command.SUPPORT: support,
}


def register(app: App) -> None:
    for command, callback in COMMANDS.items():
        app.command(str(command))(callback)
