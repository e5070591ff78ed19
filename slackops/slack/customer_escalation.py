"""Whom a customer's "Escalate to a manager" engages, and at which level.

- The customer's first escalation engages the policy's ``customer_escalation.notify``
  roles (IXCloud: the escalation manager), whatever level the ladder has reached: at level
  1 if the request was not escalated yet, else at the level reached (the level stays).
- A further one ("next level", where the policy allows it) goes one level above the
  highest reached: the people of that level's step of the ladder (the request's priority),
  else the usual roles of that level.
- Nobody is DMed twice for one level of one request: the people already told of that level
  (by the ladder or an earlier escalation) are left out.

Pure: from the configuration, the policy, the request and its history.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from slackops.notices import routing
from slackops.notices.escalations import already_told, step_roles

if TYPE_CHECKING:
    from slackops.config import Config
    from slackops.requests import Event, Request

__all__ = ["customer_escalation"]


def customer_escalation(config: Config, policy: Any, req: Request, history: list[Event],
                        at: datetime) -> tuple[int, list[str]]:
    """(the level the customer's escalation records, the managers to DM ``at``: a role that is
    an on-call rotation is the person on call then)."""
    from slackops.slack.flows import escalation_roles

    if req.customer_escalated_at is None:
        level = max(req.escalation_level, 1)
        people = escalation_roles(config, 1, policy, at=at)
    else:
        level = req.escalation_level + 1
        roles = [r for r in step_roles(policy, req, level) if r != "channel"]
        people = routing.managers(config, roles, at=at) if roles else escalation_roles(config, level, at=at)
    told = set(already_told(config, policy, req, history, level))
    return level, [u for u in people if u not in told]
