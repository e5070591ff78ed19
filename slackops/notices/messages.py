"""Pure builders of the messages the workers post: warnings, breaches, reminders,
escalation DMs, the critical-issue notice, auto-upgrade notices and digests.

Each builder takes plain facts (:class:`NoticeFacts`) and returns a :class:`Message`
(``text`` fallback, Block Kit ``blocks`` and a one-line ``line`` used when the notice is
folded into a digest). No Slack, Redis or store access here: the workers gather the
facts, these functions only say them. Everything a person wrote is escaped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slackops.notices.text import SECTION_LIMIT, escape
from slackops.policy.common import timedelta_words

__all__ = [
    "ACK_ESCALATION_ACTION",
    "OPEN_THREAD_ACTION",
    "Message",
    "NoticeFacts",
    "auto_upgrade_channel",
    "auto_upgrade_customer",
    "breach",
    "critical_notice_agents",
    "critical_notice_customer",
    "digest",
    "escalation_channel",
    "escalation_dm",
    "warning",
]

# The buttons of escalation DMs are the Slack app's (slackops.slack.ids); their value is
# an ActionValue as JSON: {"r": request id, "l": level}.
ACK_ESCALATION_ACTION = "esc_acknowledge"  # slackops.slack.ids.ActionId.ESCALATION_ACK
OPEN_THREAD_ACTION = "open_thread"  # slackops.slack.ids.ActionId.OPEN_THREAD

MAX_BLOCKS = 50

WHAT = {
    "first_response": "first response",
    "update": "status update",
    "workaround": "workaround",
    "resolution": "resolution",
    "critical_notice": "critical-issue notice",
    "escalation": "escalation",
    "auto_upgrade": "auto-upgrade",
}


def _span(d: timedelta) -> str:
    """``2 h 5 min``, ``45 s``, ``3 d 4 h``: how long, for people; under a second, in words."""
    if abs(d.total_seconds()) < 1:
        return "less than a second"
    return timedelta_words(d, coarse=True)


def _when(at: datetime, tz: str) -> str:
    """A Slack date token: each reader sees the time in their own zone; the fallback (for
    notifications and clients that cannot render it) is in ``tz`` and names that zone."""
    fallback = at.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M %Z")
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


@dataclass(frozen=True)
class NoticeFacts:
    """What a notice says about one checkpoint of one request."""

    request_id: str
    customer: str
    title: str
    priority: str
    what: str  # checkpoint kind: first_response, update, ...
    due_at: datetime  # aware
    now: datetime  # aware
    submitted_at: datetime  # aware
    tz: str = "UTC"  # the zone times are shown in
    target: str | None = None  # "2 hours", as the policy writes it
    assignee: str | None = None
    level: int | None = None
    permalink: str | None = None

    @property
    def what_label(self) -> str:
        return WHAT.get(self.what, self.what.replace("_", " "))

    @property
    def age(self) -> timedelta:
        return self.now - self.submitted_at

    @property
    def overdue(self) -> timedelta:
        return self.now - self.due_at

    @property
    def at_submission(self) -> bool:
        """Due the moment the request was submitted (an escalation step at hour 0)."""
        return abs((self.due_at - self.submitted_at).total_seconds()) < 1

    @property
    def late_words(self) -> str:
        """``overdue by 2 h 5 min``; just due, ``now overdue`` (never "overdue by 0 s")."""
        return f"overdue by {_span(self.overdue)}" if self.overdue.total_seconds() >= 60 else "now overdue"


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    line: str = ""  # one line for a digest


def _section(text: str) -> dict[str, Any]:
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def _who(f: NoticeFacts) -> str:
    return f"<@{f.assignee}>" if f.assignee else "nobody (unassigned)"


def _head(f: NoticeFacts) -> str:
    return f"*{f.request_id}* · {escape(f.customer)} · {f.priority} · {escape(f.title)}"


def _facts_context(f: NoticeFacts) -> dict[str, Any]:
    if f.at_submission:  # a step the policy sets at hour 0: no target to speak of
        due = "escalated at submission" if f.what == "escalation" else "due at submission"
        return _context(f"Opened {_span(f.age)} ago · {due} · with {_who(f)}")
    target = f" (target {escape(f.target)})" if f.target else ""
    return _context(f"Opened {_span(f.age)} ago · due {_when(f.due_at, f.tz)}{target} · with {_who(f)}")


def _open_button(f: NoticeFacts) -> list[dict[str, Any]]:
    if not f.permalink:
        return []
    return [{"type": "button", "action_id": OPEN_THREAD_ACTION, "text": {"type": "plain_text", "text": "Open the thread"}, "url": f.permalink}]


def warning(f: NoticeFacts, fraction: float | None = None) -> Message:
    """Pre-breach warning (also the reminder before an update or a critical notice is due)."""
    left = _span(f.due_at - f.now)
    pct = f" ({int(round(fraction * 100))}% of the target used)" if fraction else ""
    if f.what == "critical_notice":
        text = f":rotating_light: Reminder: {f.request_id} needs a critical-issue notice to the customer's contacts within {left}{pct}."
    elif f.what == "update":
        text = f":memo: Reminder: {f.request_id} is due a status update in {left}{pct}."
    else:
        text = f":warning: {f.request_id}: {f.what_label} due in {left}{pct}."
    line = f"{f.request_id} {f.priority} {f.what_label} due in {left}, with {_who(f)}"
    return Message(text=text, blocks=[_section(f"{text}\n{_head(f)}"), _facts_context(f)], line=line)


def breach(f: NoticeFacts) -> Message:
    """The target passed and it has not been done."""
    text = f":red_circle: {f.request_id}: {f.what_label} {f.late_words}."
    line = f"{f.request_id} {f.priority} {f.what_label} {f.late_words}, with {_who(f)}"
    return Message(text=text, blocks=[_section(f"{text}\n{_head(f)}"), _facts_context(f)], line=line)


def escalation_dm(f: NoticeFacts, roles: tuple[str, ...] | list[str] = ()) -> Message:
    """What a manager needs at a glance, with buttons: acknowledge escalation, open the thread."""
    level = f.level or 0
    who = ", ".join(r.replace("_", " ") for r in roles if r != "channel") or "managers"
    overdue = ""
    if f.at_submission:
        overdue = "\n*Escalated at submission* (the policy escalates this priority at once)"
    elif f.overdue.total_seconds() >= 60:
        overdue = f"\n*Overdue:* escalation step {level} by {_span(f.overdue)}"
    body = (
        f":rotating_light: *Escalation level {level}* for {who}\n{_head(f)}\n"
        f"*Customer:* {escape(f.customer)}   *Priority:* {f.priority}   *Age:* {_span(f.age)}\n"
        f"*With:* {_who(f)}{overdue}"
    )
    value = json.dumps({"r": f.request_id, "l": level}, separators=(",", ":"))
    buttons: list[dict[str, Any]] = [
        {"type": "button", "action_id": ACK_ESCALATION_ACTION, "style": "primary",
         "text": {"type": "plain_text", "text": "Acknowledge escalation"}, "value": value},
        *_open_button(f),
    ]
    text = f"Escalation level {level}: {f.request_id} ({escape(f.customer)}, {f.priority}), open {_span(f.age)}"
    line = f"{f.request_id} {f.priority} escalation level {level}, open {_span(f.age)}, with {_who(f)}"
    return Message(text=text, blocks=[_section(body), {"type": "actions", "elements": buttons}], line=line)


def escalation_channel(f: NoticeFacts, roles: tuple[str, ...] | list[str] = ()) -> Message:
    level = f.level or 0
    who = ", ".join(r.replace("_", " ") for r in roles if r != "channel")
    to = f" ({who} notified)" if who else ""
    text = f":rotating_light: {f.request_id} escalated to level {level}{to}."
    line = f"{f.request_id} {f.priority} escalated to level {level}{to}"
    return Message(text=text, blocks=[_section(f"{text}\n{_head(f)}"), _facts_context(f)], line=line)


_CUSTOMER = {
    "en": {
        "upgrade": "This request has been raised from {old} to {new}: it was not identified within the response target.",
    },
    "it": {
        "upgrade": "La priorità di questa richiesta è passata da {old} a {new}: non è stata identificata entro il tempo di risposta previsto.",
    },
}


def critical_notice_customer(notice_text: str, contacts: list[str] | tuple[str, ...]) -> Message:
    """The policy's default critical-issue notice, to the customer's contacts in the thread."""
    mentions = " ".join(f"<@{c}>" for c in contacts)
    body = f"{mentions}\n{notice_text}" if mentions else notice_text
    return Message(text=body, blocks=[_section(body)], line=notice_text[:200])


def critical_notice_agents(f: NoticeFacts) -> Message:
    text = (f":loudspeaker: No agent sent the critical-issue notice for {f.request_id} by its deadline: "
            "slackops sent the policy's default notice to the customer's contacts.")
    return Message(text=text, blocks=[_section(f"{text}\n{_head(f)}"), _facts_context(f)],
                   line=f"{f.request_id} {f.priority} default critical-issue notice sent to the customer")


def auto_upgrade_customer(old: str, new: str, lang: str = "en") -> Message:
    strings = _CUSTOMER.get(lang, _CUSTOMER["en"])
    text = strings["upgrade"].format(old=old, new=new)
    return Message(text=text, blocks=[_section(text)], line=text)


def auto_upgrade_channel(f: NoticeFacts, new: str) -> Message:
    text = f":arrow_double_up: {f.request_id} raised from {f.priority} to {new}: not identified within the response target."
    return Message(text=text, blocks=[_section(f"{text}\n{_head(f)}"), _facts_context(f)],
                   line=f"{f.request_id} raised from {f.priority} to {new}")


def digest(lines: list[str], *, title: str | None = None) -> Message:
    """Fold many notices for one channel into one message that lists them all.

    Lines are packed into sections of at most 3,000 characters; the builder refuses
    (ValueError) rather than cut a line off, so the caller sizes its batches.
    """
    n = len(lines)
    head = title or f":bell: {n} notices"
    sections: list[str] = []
    cur = ""
    for ln in lines:
        item = "• " + ln
        if len(item) > SECTION_LIMIT - 1:
            item = item[: SECTION_LIMIT - 2] + "…"
        if cur and len(cur) + 1 + len(item) > SECTION_LIMIT:
            sections.append(cur)
            cur = item
        else:
            cur = f"{cur}\n{item}" if cur else item
    if cur:
        sections.append(cur)
    if len(sections) + 1 > MAX_BLOCKS:
        raise ValueError(f"{n} lines do not fit in one message; send a smaller batch")
    blocks = [_section(f"*{head}*")] + [_section(s) for s in sections]
    text = head + "\n" + "\n".join("• " + ln for ln in lines)
    return Message(text=text[:39000], blocks=blocks, line=head)
