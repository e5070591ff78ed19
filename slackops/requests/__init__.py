"""Support requests: the model and its state machine (pure), and the Redis store.

>>> from slackops.requests import RequestStore, Event
>>> store = RequestStore(redis_client, config, prefix="slackops")  # doctest: +SKIP
"""

from __future__ import annotations

from slackops.requests.alarms import UNCONFIRMED, Alarm, alarm_member
from slackops.requests.model import (
    RESOLUTIONS,
    SOURCES,
    ConflictError,
    DomainError,
    Event,
    EventType,
    NotFound,
    Request,
    Rules,
    Status,
    apply,
    recorded,
    submit,
)
from slackops.requests.policies import Policies
from slackops.requests.store import RequestStore

__all__ = [
    "Policies",
    "RequestStore",
    "Request",
    "Event",
    "EventType",
    "Status",
    "Alarm",
    "Rules",
    "DomainError",
    "ConflictError",
    "NotFound",
    "RESOLUTIONS",
    "SOURCES",
    "apply",
    "recorded",
    "submit",
    "alarm_member",
    "UNCONFIRMED",
]
