"""Shared test data: a configuration with one account per preset, and pinned instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slackops.config import Config

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in New York


def at(minutes: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes)


def config() -> Config:
    return Config.model_validate({
        "team_id": "T0VENDOR",
        "agents": ["U0AGENT1", "U0AGENT2"],
        "managers": {"support_management": ["U0MGR1"]},
        "accounts": [
            {"id": "acme", "name": "Acme", "channel": "C0ACME", "policy": "comensure", "contacts": ["U0ACME1"]},
            {"id": "ixc", "name": "IX", "channel": "C0IXC", "policy": "ixcloud"},
            {"id": "zen", "name": "Zen", "channel": "C0ZEN", "policy": "interzen", "language": "it"},
            {"id": "opi", "name": "Opi", "channel": "C0OPI", "policy": "interopion"},
            {"id": "act", "name": "Act", "channel": "C0ACT", "policy": "interactor", "calendar": "kr"},
        ],
    })
