"""The DMs of an escalation level.

- Who a level of a request has already reached: the ladder's DMs and those of a manual
  escalation, as the history's ``escalated`` events name them (``notified``). Nobody is
  DMed twice for one level of one request (docs/workers.md). Pure.
- Once a manager acknowledges a level, every other DM of it says who: the ladder's (the
  step and its repeats: notice ids ``{request}|escalation:{level}[:repeat:{k}]|due|{user}``)
  and those of a manual escalation to that level (``ev|{history entry}|dm:{user}``). Each
  one the outbox posted as a message of its own is updated in place (the same facts, the
  buttons replaced by who acknowledged). Updating twice gives the same message, so the
  publisher, which does it for the ``escalation_acknowledged`` event, may do it again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from slackops.notices import routing

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from slackops.config import Config
    from slackops.notices.outbox import Outbox
    from slackops.requests import Event, Request

__all__ = ["ack_note", "acknowledged_blocks", "already_told", "level_dm_ids", "step_roles", "update_level_dms"]

log = logging.getLogger(__name__)

GONE = {"message_not_found", "cant_update_message", "channel_not_found", "is_archived", "edit_window_closed"}
"""Slack refusals that will not change: that DM is left as it is."""


def step_roles(policy: Any, req: Request, level: int) -> tuple[str, ...]:
    """The roles of the ladder's step of ``level`` for the request's priority (none: ())."""
    try:
        steps = policy.priority(req.priority).escalation
    except Exception:  # noqa: BLE001 - a priority the policy no longer has: no ladder
        return ()
    return next((tuple(s.notify) for s in steps if s.level == level), ())


def already_told(config: Config, policy: Any, req: Request, history: list[Event], level: int) -> list[str]:
    """The managers already DMed about ``level`` of this request."""
    out: list[str] = []
    for ev in history:
        if ev.type != "escalated" or int(ev.data.get("level") or 0) != level:
            continue
        told = ev.data.get("notified")
        if told is None and ev.data.get("by") == "policy":  # recorded before events named them
            told = routing.managers(config, step_roles(policy, req, level))
        out += [u for u in told or () if u not in out]
    return out


def ack_note(who: str, level: int) -> str:
    """What every DM of the level says once it is acknowledged (the managers' DMs are in English)."""
    return f"Acknowledged by <@{who}> (level {level})."


def acknowledged_blocks(original: list[dict[str, Any]], note: str) -> list[dict[str, Any]]:
    """An escalation DM after a manager acknowledged it: the same facts, no buttons."""
    return [b for b in original if b.get("type") != "actions"] + [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": note[:3000]}]}]


def level_dm_ids(config: Config, policy: Any, req: Request, history: list[Event], level: int) -> list[str]:
    """The notice ids the DMs of ``level`` of ``req`` have (or would have), once each."""
    out: list[str] = []
    for prio in policy.priorities:
        for step in prio.escalation:
            if step.level != level:
                continue
            people = routing.candidates(config, step.notify)
            times = step.repeat.times if step.repeat else 0
            keys = [f"escalation:{level}"] + [f"escalation:{level}:repeat:{k}" for k in range(1, times + 1)]
            out += [f"{req.id}|{key}|due|{u}" for key in keys for u in people]
    for ev in history:
        if ev.type == "escalated" and int(ev.data.get("level") or 0) == level and ev.id:
            told = ev.data.get("notified")
            people = told if told is not None else routing.candidates(config, list(config.managers))
            out += [f"ev|{ev.id}|dm:{u}" for u in people]
    return list(dict.fromkeys(out))


def update_level_dms(client: WebClient, outbox: Outbox, ids: list[str], note: str) -> int:
    """Replace the buttons of each posted DM among ``ids`` with ``note``; returns how many.
    A refusal that may pass (rate limited, Slack unavailable) is raised: the caller tries again."""
    done = 0
    for nid in ids:
        found = outbox.posted(nid)
        if found is None:
            continue
        channel, ts, notice = found
        try:
            client.chat_update(channel=channel, ts=ts, text=f"{notice.text}\n{note}",
                               blocks=acknowledged_blocks(list(notice.blocks), note))
            done += 1
        except SlackApiError as e:
            if e.response.get("error") not in GONE:
                raise
            log.info("%s: DM not updated: %s", nid, e.response.get("error"))
    return done
