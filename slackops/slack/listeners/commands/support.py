"""``/support``: no text opens the form; ``/support P1 short title`` opens it prefilled;
``/support list``, ``/support status ID``, ``/support help``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack
from slack_sdk import WebClient

from slackops.slack.auth import Role
from slackops.slack.blocks.card import priority_label, status_label
from slackops.slack.blocks.due import due_line, next_due
from slackops.slack.blocks.modals import open_request_modal
from slackops.slack.blocks.text import escape, truncate
from slackops.slack.desk import Desk
from slackops.slack.i18n import t
from slackops.slack.listeners.common import actor_of, may_open, not_a_contact_text
from slackops.slack.metadata import ViewMeta

if TYPE_CHECKING:
    from slackops.config import Account
    from slackops.policy import Policy
    from slackops.requests import Request
    from slackops.slack.listeners.common import Actor

LIST_LIMIT = 20


def support(ack: Ack, body: dict[str, Any], desk: Desk, client: WebClient) -> None:
    text = (body.get("text") or "").strip()
    word, _, rest = text.partition(" ")
    verb = word.lower()
    actor = actor_of(desk, body)
    account = desk.account_for_channel(actor.channel)
    if account is None and actor.role is Role.CUSTOMER:
        mine = desk.directory.accounts_of(actor.user_id)
        account = mine[0] if len(mine) == 1 else None
    lang = account.language if account else "en"
    if verb in ("help", "?"):
        ack(text=t(lang, "help.text"))
        return
    if account is None:
        ack(text=t(lang, "refuse.unmapped_channel"))
        return
    if verb == "list":
        ack(text=_list(desk, account, actor.user_id, lang))
        return
    if verb == "status":
        ack(text=_status(desk, account, rest.strip(), actor, lang))
        return
    if not may_open(desk, account, actor.user_id):
        ack(text=not_a_contact_text(desk, account))
        return
    policy = desk.policy(account.policy)
    priority, title = _prefill(policy, text)
    ack()
    meta = ViewMeta(account=account.id, channel=actor.channel, source="command")
    desk.open_view(body["trigger_id"],
                   lambda: open_request_modal(policy, account, meta, lang=lang, priority=priority, title=title),
                   user=actor.user_id, channel=actor.channel)


def _prefill(policy: Policy, text: str) -> tuple[str | None, str | None]:
    """``P1 the title`` -> ("P1", "the title"); ``the title`` -> (None, "the title")."""
    if not text:
        return None, None
    first, _, rest = text.partition(" ")
    ids = {p.id.lower(): p.id for p in policy.priorities}
    if first.lower() in ids:
        return ids[first.lower()], (rest.strip() or None)
    return None, text


def _line(desk: Desk, req: Request, tz: str, lang: str) -> str:
    policy = desk.policy_of(req)
    now = desk.now()
    cp = next_due(desk.store.timeline(req, now))
    return (f"*{req.id}* {escape(truncate(req.title, 120))} — {escape(priority_label(policy, req.priority))}, "
            f"{status_label(req.status, lang)}" + (f", <@{req.assignee}>" if req.assignee else "")
            + f"\n      {due_line(cp, now=now, tz=tz, lang=lang)}")


def _list(desk: Desk, account: Account, user_id: str, lang: str) -> str:
    reqs = desk.store.list(account=account.id, open_only=True)
    if not reqs:
        return t(lang, "list.none", account=escape(account.name))
    tz = desk.directory.tz(user_id, desk.policy(account.policy).timezone)
    lines = [t(lang, "list.header", account=escape(account.name), n=len(reqs))]
    lines += [_line(desk, r, tz, lang) for r in reqs[:LIST_LIMIT]]
    if len(reqs) > LIST_LIMIT:
        lines.append(t(lang, "home.more", n=len(reqs) - LIST_LIMIT))
    return truncate("\n".join(lines), 3000)


def _status(desk: Desk, account: Account, request_id: str, actor: Actor, lang: str) -> str:
    from slackops.requests import NotFound

    if not request_id:
        return t(lang, "status.usage")
    try:
        req = desk.store.get(request_id.upper())
    except NotFound:
        return t(lang, "refuse.unknown_request", id=escape(request_id))
    if req.account != account.id and not actor.is_agent:
        return t(lang, "refuse.unknown_request", id=escape(request_id))
    tz = desk.directory.tz(actor.user_id, desk.policy_of(req).timezone)
    return _line(desk, req, tz, req.language or lang)
