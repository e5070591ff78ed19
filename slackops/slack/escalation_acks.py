"""Once a manager acknowledges an escalation level, every other DM of that level says who.

The DMs of a level are the policy ladder's (the step and its repeats: notice ids
``{request}|escalation:{level}[:repeat:{k}]|due|{user}``) and those of a manual escalation
to that level (``ev|{history entry}|dm:{user}``). Each one the outbox posted as a message
of its own is updated in place: the same facts, the buttons replaced by who acknowledged.
Updating twice gives the same message, so a redelivered click does no harm.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from slackops.notices import routing
from slackops.slack.blocks.messages import acknowledged_dm_blocks

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from slackops.config import Config
    from slackops.notices.outbox import Outbox
    from slackops.policy import Policy
    from slackops.requests import Event, Request

__all__ = ["level_dm_ids", "update_level_dms"]

log = logging.getLogger(__name__)


def level_dm_ids(config: Config, policy: Policy, req: Request, history: list[Event], level: int) -> list[str]:
    """The notice ids the DMs of ``level`` of ``req`` have (or would have), once each."""
    out: list[str] = []
    for prio in policy.priorities:
        for step in prio.escalation:
            if step.level != level:
                continue
            people = routing.candidates(config, step.notify)
            keys = [f"escalation:{level}"] + [f"escalation:{level}:repeat:{k}" for k in range(1, (step.repeat.times if step.repeat else 0) + 1)]
            out += [f"{req.id}|{key}|due|{u}" for key in keys for u in people]
    for ev in history:
        if ev.type == "escalated" and int(ev.data.get("level") or 0) == level and ev.id:
            out += [f"ev|{ev.id}|dm:{u}" for u in ev.data.get("notified") or _all_managers(config)]
    return list(dict.fromkeys(out))


def _all_managers(config: Config) -> list[str]:
    """An escalation recorded before its event named who it notified: anyone may have been."""
    return routing.candidates(config, list(config.managers))


def update_level_dms(client: WebClient, outbox: Outbox, ids: list[str], note: str,
                     skip: tuple[str, str] | None = None) -> int:
    """Replace the buttons of each posted DM among ``ids`` with ``note``; returns how many."""
    done = 0
    for nid in ids:
        found = outbox.posted(nid)
        if found is None:
            continue
        channel, ts, notice = found
        if skip is not None and (channel, ts) == skip:
            continue
        blocks: list[dict[str, Any]] = acknowledged_dm_blocks(list(notice.blocks), note)
        try:
            client.chat_update(channel=channel, ts=ts, text=f"{notice.text}\n{note}", blocks=blocks)
            done += 1
        except SlackApiError as e:
            log.info("%s: DM not updated: %s", nid, e.response.get("error"))
    return done
