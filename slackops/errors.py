"""Exceptions that carry a message meant for a person, not a traceback."""

from __future__ import annotations


class SlackopsError(Exception):
    """Base class: the message is shown to people as it is."""


class ConfigError(SlackopsError):
    """A configuration or policy file is invalid: names the file, the field and why."""


class DomainError(SlackopsError):
    """An action is not allowed in the request's current state ("ACME-12 is already resolved")."""
