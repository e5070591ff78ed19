"""Exceptions that carry a message meant for a person, not a traceback."""

from __future__ import annotations


class SlackopsError(Exception):
    """Base class: the message is shown to people as it is."""


class Unavailable(SlackopsError):
    """Slack or Redis cannot be reached now: worth trying again (exit status 1, where a
    known error that starting again will not mend exits with 2)."""

    exit_status = 1


class ConfigError(SlackopsError):
    """A configuration or policy file is invalid: names the file, the field and why."""


class DomainError(SlackopsError):
    """An action is not allowed in the request's current state ("ACME-12 is already resolved")."""
