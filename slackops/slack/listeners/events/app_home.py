"""App Home: agents see their queue and the unassigned requests; customers their account's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from slackops.slack.auth import Role
from slackops.slack.blocks import history
from slackops.slack.blocks.home import agent_home, customer_home
from slackops.slack.desk import Desk
from slackops.slack.listeners.common import log, may_open

if TYPE_CHECKING:
    from slackops.requests import Request
    from slackops.slack.blocks.home import HomeRow


def _rows(desk: Desk, reqs: list[Request]) -> list[HomeRow]:
    now = desk.now()
    return [(r, desk.store.timeline(r, now), desk.policy_of(r)) for r in reqs]


def publish_home(desk: Desk, user_id: str | None, body: dict[str, Any] | None = None,
                 closed_limit: int = history.SHOWN) -> None:
    """``body``: the request that asked for it (who the person is, as Slack tells it)."""
    if not user_id:
        return
    directory = desk.directory
    role = directory.role_of(directory.identify(body)) if body else directory.role(user_id)
    now = desk.now()
    if role is not Role.CUSTOMER and not desk.directory.accounts_of(user_id):
        tz = desk.directory.tz(user_id, "UTC")
        mine = _rows(desk, desk.store.list(open_only=True, assignee=user_id))
        unassigned = _rows(desk, [r for r in desk.store.list(open_only=True) if not r.assignee])
        view = agent_home(mine, unassigned, now=now, tz=tz)
    else:
        accounts = desk.directory.accounts_of(user_id)
        lang = accounts[0].language if accounts else "en"
        tz = desk.directory.tz(user_id, desk.policy(accounts[0].policy).timezone if accounts else "UTC")
        everything = [r for a in accounts for r in desk.store.list(account=a.id, open_only=False)]
        reqs = [r for r in everything if r.is_open]
        done = history.recently_closed(everything, now)
        closed = [history.closed_line(r, now=now, tz=tz, lang=lang) for r in done[:closed_limit]]
        view = customer_home(_rows(desk, reqs), account_names=[a.name for a in accounts], now=now, tz=tz, lang=lang,
                             may_open=any(may_open(desk, a, user_id) for a in accounts),
                             settings=any(desk.policy(a.policy).intake.customer_calendars for a in accounts),
                             closed=closed, closed_more=max(0, min(len(done), history.MORE) - len(closed)))
        from slackops.operations.tokens import status_line  # each account's status page

        for a in accounts:
            link = status_line(desk.store.redis, desk.config, desk.store.keys.prefix, a.id, lang)
            if link and len(view["blocks"]) < 100:
                view["blocks"].append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"{a.name}: {link}"}]})
    try:
        desk.client.views_publish(user_id=user_id, view=view)
    except SlackApiError as e:
        log.warning("views.publish for %s failed: %s", user_id, e.response.get("error"))


def app_home_opened(event: dict[str, Any], body: dict[str, Any], desk: Desk) -> None:
    # no de-duplication: publishing the Home tab twice is harmless and keeps it fresh
    if event.get("tab", "home") != "home":
        return
    desk.later(publish_home, desk, event.get("user"), body, urgent=True)
