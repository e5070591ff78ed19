"""Where a notice goes: the request's thread, the priority's channel (by rank, from the
configuration), the assignee's DMs, the DMs of the managers of an escalation level.

Pure: configuration, policy and request in, destinations out. A destination is a
channel id, or a user id meaning "that person's DMs" (the outbox opens the DM).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from slackops.config import Config
from slackops.oncall import Rotation, on_call

if TYPE_CHECKING:
    from slackops.policy import Policy
    from slackops.requests import Request

__all__ = ["priority_channel", "team", "managers", "on_call_roles", "candidates", "thread", "permalink"]


def priority_channel(config: Config, policy: Policy, priority_id: str) -> str | None:
    """The channel configured for the priority's rank (1 = most urgent), if any."""
    try:
        rank = policy.priority(priority_id).rank
    except Exception:  # an unknown priority has no channel; the caller still reaches the assignee
        return None
    return config.channel_for_rank(rank)


def team(config: Config, policy: Policy, req: Request, priority_id: str | None = None) -> list[str]:
    """The vendor side of a request: its priority's channel and its assignee's DMs."""
    out: list[str] = []
    ch = priority_channel(config, policy, priority_id or req.priority)
    if ch:
        out.append(ch)
    if req.assignee and req.assignee not in out:
        out.append(req.assignee)
    return out


def managers(config: Config, roles: tuple[str, ...] | list[str], at: datetime | None = None) -> list[str]:
    """Users of the roles of an escalation step, once each, in the order the roles name them
    (``"channel"`` is not a role: it means the priority's channel). A role that is an on-call
    rotation is the person on call ``at`` (without ``at``: everyone of it)."""
    out: list[str] = []
    for role in roles:
        if role == "channel":
            continue
        rot = config.rotation(role) if at is not None else None
        for user in [on_call(rot, at)] if rot is not None and at is not None else config.managers.get(role, []):
            if user not in out:
                out.append(user)
    return out


def on_call_roles(config: Config, roles: tuple[str, ...] | list[str], user: str,
                  at: datetime) -> list[Rotation]:
    """The rotations among ``roles`` that have ``user`` on call ``at``."""
    found = [config.rotation(r) for r in roles if r != "channel"]
    return [rot for rot in found if rot is not None and on_call(rot, at) == user]


def candidates(config: Config, roles: tuple[str, ...] | list[str]) -> list[str]:
    """Everyone a DM of these roles may have gone to (all the people of a rotation), once each."""
    return managers(config, roles)


def thread(req: Request) -> tuple[str, str | None]:
    """The request's thread: the card is its root (in the shared channel, unless the card
    was posted elsewhere: ``card_channel``)."""
    return cast(str, getattr(req, "card_channel", None) or req.channel), (req.card_ts or None)


def permalink(channel: str | None, ts: str | None) -> str | None:
    """A link to a message without a Web API call (Slack's archive URL redirects)."""
    if not channel or not ts:
        return None
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"
