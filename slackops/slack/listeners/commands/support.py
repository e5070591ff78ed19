"""``/support``: no text opens the form; ``/support P1 short title`` opens it prefilled;
``/support list`` (open requests, then those closed in the last 30 days; ``/support list
closed`` for more), ``/support status ID``, ``/support settings``, ``/support help``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack
from slack_sdk import WebClient

from slackops.notices.due import due_line, next_due
from slackops.notices.i18n import t
from slackops.notices.text import escape, truncate
from slackops.requests import NotFound
from slackops.slack.auth import Role
from slackops.slack.blocks import history
from slackops.slack.blocks.card import priority_label, status_label
from slackops.slack.blocks.modals import open_request_modal
from slackops.slack.desk import Desk
from slackops.slack.listeners.commands.operations import command as operations_command
from slackops.slack.listeners.common import actor_of, may_open, not_a_contact_text
from slackops.slack.listeners.views.settings import open_settings
from slackops.slack.metadata import ViewMeta

if TYPE_CHECKING:
    from slackops.policy import Policy
    from slackops.requests import Request

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
    if verb in ("maintenance", "report", "downtime") or (verb == "status" and not rest.strip()):
        operations_command(verb, ack, body, desk, account, lang)
        return
    if account is None:
        ack(text=t(lang, "refuse.unmapped_channel"))
        return
    if verb == "list":
        more = rest.strip().lower() in ("closed", "more", "chiuse")
        ack(text=_list(desk, account, actor.user_id, lang) if not more else _closed(desk, account, actor.user_id, lang))
        return
    if verb == "status":
        ack(text=_status(desk, account, rest.strip(), actor, lang))
        return
    if verb == "settings":  # the calendar of the account's new requests (Interactor)

        answer = open_settings(desk, account, actor, body["trigger_id"], lang)
        if answer:
            ack(text=answer)
        else:
            ack()
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
    return (f"*{req.id}* {escape(truncate(req.title, 120))} — {escape(priority_label(policy, req.priority, lang))}, "
            f"{status_label(req.status, lang, True)}" + (f", <@{req.assignee}>" if req.assignee else "")
            + f"\n      {due_line(cp, now=now, tz=tz, lang=lang)}")


def _list(desk: Desk, account: Any, user_id: str, lang: str) -> str:
    everything = desk.store.list(account=account.id, open_only=False)
    reqs = [r for r in everything if r.is_open]
    tz = desk.directory.tz(user_id, desk.policy(account.policy).timezone)
    if not reqs:
        lines = [t(lang, "list.none", account=escape(account.name))]
    else:
        lines = [t(lang, "list.header", account=escape(account.name), n=len(reqs))]
        lines += [_line(desk, r, tz, lang) for r in reqs[:LIST_LIMIT]]
        if len(reqs) > LIST_LIMIT:
            lines.append(t(lang, "home.more", n=len(reqs) - LIST_LIMIT))
    lines += _closed_lines(desk, everything, tz, lang, history.SHOWN)
    return truncate("\n".join(lines), 3000)


def _closed_lines(desk: Desk, everything: list[Any], tz: str, lang: str, limit: int) -> list[str]:
    """Customers' history: resolved or closed in the last 30 days."""
    now = desk.now()
    done = history.recently_closed(everything, now)
    if not done:
        return []
    lines = [t(lang, "history.header", n=len(done), days=history.HISTORY_DAYS)]
    lines += ["      " + history.closed_line(r, now=now, tz=tz, lang=lang) for r in done[:limit]]
    if len(done) > limit:
        lines.append(t(lang, "history.more", n=len(done) - limit) if limit < history.MORE
                     else t(lang, "home.more", n=len(done) - limit))
    return lines


def _closed(desk: Desk, account: Any, user_id: str, lang: str) -> str:
    """``/support list closed``: the whole recent history (up to 50)."""
    tz = desk.directory.tz(user_id, desk.policy(account.policy).timezone)
    lines = _closed_lines(desk, desk.store.list(account=account.id, open_only=False), tz, lang, history.MORE)
    return truncate("\n".join(lines) or t(lang, "history.none", days=history.HISTORY_DAYS), 3000)


def _status(desk: Desk, account: Any, request_id: str, actor: Any, lang: str) -> str:

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
