"""The desk's policies by name: each loaded once (with the operator's closures from the
configuration) and its rules for the state machine beside it.

One registry per process, handed to whoever needs a policy: the request store (which
computes timelines and alarms with it), the Slack app's desk, the workers.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from slackops.requests.model import Rules

if TYPE_CHECKING:
    from slackops.config import Config
    from slackops.policy import Policy

__all__ = ["Policies"]


class Policies:
    """``get(name)`` (or calling it) -> the loaded :class:`Policy`; ``rules(name)`` -> its
    :class:`Rules`. Thread-safe; a policy that fails to load raises ``PolicyError`` each time."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._policies: dict[str, Policy] = {}
        self._rules: dict[str, Rules] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Policy:
        pol = self._policies.get(name)
        if pol is None:
            from slackops.policy import load  # policy files parsed on first use, not at import

            pol = load(name)
            closures = getattr(self.config, "closures", None)
            if closures:
                pol = pol.with_closures(closures)
            with self._lock:
                self._policies[name] = pol
                self._rules[name] = Rules.from_policy(pol)
        return pol

    __call__ = get

    def rules(self, name: str) -> Rules:
        if name not in self._rules:
            self.get(name)
        return self._rules[name]
