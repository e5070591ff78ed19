"""One Bolt listener per kind that hands each request to its callback by id.

Bolt tries every registered listener's matchers in turn, building keyword arguments for
each: with one listener per id (36 of them) that cost more than the rest of an ack. One
listener per kind, matching all of that kind's ids with one pattern, keeps the id ->
callback maps (and the one place per kind where they are registered) and lets Bolt match
in a handful of steps. Callbacks still ask only for the arguments they need.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

__all__ = ["pattern", "router"]

_Id = TypeVar("_Id", bound=StrEnum)


def pattern(ids: Mapping[_Id, Any]) -> re.Pattern[str]:
    return re.compile("^(?:" + "|".join(re.escape(str(i)) for i in ids) + ")$")


def router(table: Mapping[_Id, Callable[..., None]], key: Callable[[dict[str, Any]], str | None]) -> Callable[..., None]:
    """A Bolt listener that calls ``table[key(body)]`` with the arguments it names."""
    callbacks = {str(k): (cb, tuple(inspect.signature(cb).parameters)) for k, cb in table.items()}

    def route(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, logger: Any) -> None:
        found = callbacks.get(key(body) or "")
        if found is None:  # the pattern matched, so this cannot happen; answer anyway
            ack()
            return
        callback, names = found
        available: dict[str, Any] = {
            "ack": ack, "body": body, "client": client, "context": context, "logger": logger,
            "desk": context.get("desk"), "event": body.get("event"), "payload": body,
        }
        callback(**{n: available.get(n) for n in names})

    route.__name__ = f"route_{next(iter(table)).__class__.__name__}" if table else "route"
    return route
