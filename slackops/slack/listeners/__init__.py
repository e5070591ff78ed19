"""Listeners, registered in one place per kind (bolt-python's starter template).

Each kind's package maps ids (slackops.slack.ids) to small callbacks; ``register(app)``
wires them all. tests/slack/test_manifest.py reads the same maps to check manifest.yml.
"""

from __future__ import annotations

from slack_bolt import App

from slackops.slack.listeners import actions, commands, events, shortcuts, views

__all__ = ["register"]


def register(app: App) -> None:
    # Bolt tries listeners in this order: the most frequent deliveries first
    events.register(app)
    actions.register(app)
    views.register(app)
    commands.register(app)
    shortcuts.register(app)
