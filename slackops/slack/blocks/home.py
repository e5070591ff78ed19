"""App Home: agents see their queue and the team's unassigned requests ordered by the next
due checkpoint (breached marked); customers see their account's open requests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from slackops.notices.due import due_line, is_breached, next_due
from slackops.notices.i18n import t
from slackops.notices.text import escape, truncate
from slackops.slack.blocks.card import priority_label, status_label
from slackops.slack.blocks.common import button, context, section
from slackops.slack.ids import ActionId

if TYPE_CHECKING:
    from slackops.policy import Checkpoint, Policy
    from slackops.requests import Request

__all__ = ["HomeRow", "agent_home", "customer_home", "sort_rows"]

HOME_BLOCK_LIMIT = 100
ROWS_PER_SECTION = 20

HomeRow = tuple["Request", list["Checkpoint"], "Policy"]  # (request, its checkpoints, its policy)


def sort_rows(rows: list[HomeRow]) -> list[HomeRow]:
    """Breached first, then by next due instant; requests with nothing due last."""
    def key(row: HomeRow) -> tuple[int, float]:
        cp = next_due(row[1])
        when = cp.due_at.timestamp() if cp else float("inf")
        return (0 if is_breached(row[1]) else 1, when)

    return sorted(rows, key=key)


def _row(row: HomeRow, *, now: datetime, tz: str, lang: str, to_customer: bool = False) -> dict[str, Any]:
    req, cps, policy = row
    mark = ":red_circle: *" + t(lang, "home.breached") + "* · " if is_breached(cps) else ""
    line = (f"{mark}*{req.id}* {escape(truncate(req.title, 150))}\n"
            f"{escape(priority_label(policy, req.priority, lang))} · {status_label(req.status, lang, to_customer)}"
            + (f" · <@{req.assignee}>" if req.assignee else "")
            + f"\n{due_line(next_due(cps), now=now, tz=tz, lang=lang)}")
    return section(line)


def _rows(title: str, rows: list[HomeRow], *, now: datetime, tz: str, lang: str, empty: str,
          to_customer: bool = False) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": truncate(title, 150)}}]
    if not rows:
        blocks.append(context(empty))
        return blocks
    ordered = sort_rows(rows)
    for row in ordered[:ROWS_PER_SECTION]:
        blocks.append(_row(row, now=now, tz=tz, lang=lang, to_customer=to_customer))
    if len(ordered) > ROWS_PER_SECTION:
        blocks.append(context(t(lang, "home.more", n=len(ordered) - ROWS_PER_SECTION)))
    blocks.append({"type": "divider"})
    return blocks


def agent_home(mine: list[HomeRow], unassigned: list[HomeRow], *, now: datetime, tz: str, lang: str = "en") -> dict[str, Any]:
    blocks = [
        {"type": "actions", "elements": [button(t(lang, "btn.refresh"), ActionId.HOME_REFRESH)]},
        *_rows(t(lang, "home.mine"), mine, now=now, tz=tz, lang=lang, empty=t(lang, "home.none_mine")),
        *_rows(t(lang, "home.unassigned"), unassigned, now=now, tz=tz, lang=lang, empty=t(lang, "home.none_unassigned")),
        context(t(lang, "home.times_in", tz=tz)),
    ]
    return {"type": "home", "blocks": blocks[:HOME_BLOCK_LIMIT]}


def customer_home(rows: list[HomeRow], *, account_names: list[str], now: datetime, tz: str, lang: str = "en",
                  may_open: bool = True, settings: bool = False, closed: list[str] | None = None,
                  closed_more: int = 0) -> dict[str, Any]:
    """``settings``: the account has something its contacts choose (Interactor's calendar);
    ``closed``: lines of the requests resolved or closed lately, ``closed_more`` not shown."""
    head: list[dict[str, Any]] = [button(t(lang, "btn.refresh"), ActionId.HOME_REFRESH)]
    if settings:
        head.append(button(t(lang, "settings.button"), ActionId.ACCOUNT_SETTINGS))
    if may_open:
        head.insert(0, button(t(lang, "btn.open_request"), ActionId.OPEN_REQUEST, style="primary"))
    names = ", ".join(escape(n) for n in account_names) or "—"
    blocks = [
        {"type": "actions", "elements": head},
        section(t(lang, "home.customer_intro", accounts=names)),
        *_rows(t(lang, "home.open_requests"), rows, now=now, tz=tz, lang=lang, empty=t(lang, "home.none_open"),
               to_customer=True),
    ]
    if closed:
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": t(lang, "history.title")}})
        blocks.extend(section(line) for line in closed)
        if closed_more:
            blocks.append({"type": "actions", "elements": [
                button(t(lang, "history.show_more") + f" ({closed_more})", ActionId.HOME_SHOW_CLOSED)]})
    blocks.append(context(t(lang, "home.times_in", tz=tz)))
    return {"type": "home", "blocks": blocks[:HOME_BLOCK_LIMIT]}
