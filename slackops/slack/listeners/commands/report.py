"""``/support report [YYYY-MM] [account]``: a summary for the asker (ephemeral), and the full
report (text, CSV) with its chart uploaded to their DM (files.uploadV2)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack
from slack_sdk.errors import SlackApiError

from slackops.errors import DomainError
from slackops.notices.text import escape, truncate
from slackops.operations.report import to_csv, to_text
from slackops.operations.reporting import Period, build, chart_png
from slackops.slack.desk import Desk
from slackops.slack.listeners.common import Actor, maintenance_book

__all__ = ["report_command", "parse_args"]

log = logging.getLogger("slackops.slack")


def parse_args(text: str, config: Any) -> tuple[str | None, str | None]:
    """``report 2026-11 acme`` -> ("2026-11", "acme"); either may be left out."""
    month = account = None
    for word in text.split()[1:]:
        if re.fullmatch(r"\d{4}-\d{2}", word):
            month = word
        elif config.account(word) is not None:
            account = word.lower()
        else:
            raise DomainError(f"“{escape(truncate(word, 40))}” is neither a month (YYYY-MM) nor an account "
                              f"({', '.join(a.id for a in config.accounts)})")
    return month, account


def report_command(ack: Ack, body: dict[str, Any], desk: Desk, actor: Actor) -> None:
    try:
        month, account = parse_args(body.get("text") or "", desk.config)
        period = Period(month)
    except DomainError as e:
        ack(text=str(e))
        return
    what = f"{month or 'this month'}{' for ' + account if account else ''}"
    ack(text=f"Building the SLA report for {what}: a summary follows here, the full report and its chart in your DM.")
    desk.later(send_report, desk, actor.user_id, actor.channel, period, account, who=(actor.user_id, actor.channel))


def send_report(desk: Desk, user_id: str, channel: str | None, period: Any, account: str | None) -> None:
    book = maintenance_book(desk)
    report = build(desk.store, book, desk.config, period, desk.now(), account)
    desk.tell_now(user_id, truncate("```" + to_text(report, limit=10) + "```", 3000), channel=channel)
    stem = "sla-report-" + report["period"].replace(" ", "-") + (f"-{account}" if account else "")
    try:
        dm = desk.client.conversations_open(users=user_id)["channel"]["id"]
        desk.client.files_upload_v2(channel=dm, initial_comment=f"SLA report {report['period']}",
                                    file_uploads=[
                                        {"content": to_text(report), "filename": f"{stem}.txt", "title": "SLA report"},
                                        {"content": to_csv(report), "filename": f"{stem}.csv", "title": "SLA report (CSV)"},
                                        {"file": chart_png(report), "filename": f"{stem}.png", "title": "SLA chart"},
                                    ])
    except SlackApiError as e:
        log.warning("report upload to %s failed: %s", user_id, e.response.get("error"))
        desk.tell_now(user_id, "The full report could not be uploaded to your DM; run `slackops report` instead.",
                      channel=channel)
