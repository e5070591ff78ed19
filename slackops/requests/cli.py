"""``slackops requests list [--account A] [--open]`` and ``slackops requests show ID``.

``slackops requests archive`` belongs to production (slackops.production.cli adds it to
the sub-commands :func:`register` returns, and lets ``show`` look in the archive): the
store's layer does not reach up to archiving.

Handlers take the parsed ``args`` and return an exit status; a known error is raised as
:class:`SlackopsError` (one plain line, exit status 2, printed by slackops.cli). Times are
shown in the policy's zone.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slackops.config import PREFIX_HELP
from slackops.errors import SlackopsError
from slackops.requests.model import Event, Request

if TYPE_CHECKING:
    from slackops.requests.store import RequestStore


def register(sub: argparse._SubParsersAction[Any]) -> argparse._SubParsersAction[Any]:
    """Add this area's sub-commands to the ``slackops`` parser; returns the ``requests``
    sub-commands, for the parts above to add theirs."""
    requests: argparse.ArgumentParser = sub.add_parser("requests", help="list and show support requests")
    rsub: argparse._SubParsersAction[Any] = requests.add_subparsers(dest="requests_command", required=True, parser_class=type(requests))

    p = rsub.add_parser("list", help="requests, oldest first")
    p.add_argument("--account", metavar="A", help="one account (its id, e.g. acme)")
    p.add_argument("--open", action="store_true", help="open requests only (not resolved or closed)")
    common(p)
    p.set_defaults(func=cmd_list)

    p = rsub.add_parser("show", help="one request: its facts, its SLA checkpoints and its history")
    p.add_argument("id", metavar="ID", help="a request id such as ACME-3")
    common(p)
    p.set_defaults(func=cmd_show, find_archived=None)
    return rsub


# --------------------------------------------------------------------------- plumbing


def common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="the configuration file (default: $SLACKOPS_CONFIG)")
    p.add_argument("--prefix", metavar="PREFIX", help=PREFIX_HELP)


def with_store(args: argparse.Namespace, action: Any) -> int:
    from slackops.config import Settings, load_config
    from slackops.requests.redis_server import connect
    from slackops.requests.store import RequestStore

    settings = Settings.from_env()
    path = getattr(args, "config", None) or settings.config_path
    if not path:
        raise SlackopsError("no configuration file: pass --config FILE or set SLACKOPS_CONFIG")
    config = load_config(path)
    with connect(settings) as (client, description):
        print(f"using {description}", file=sys.stderr)
        return int(action(RequestStore(client, config, prefix=args.prefix)) or 0)


def _local(dt: datetime | None, zone: str) -> str:
    if dt is None:
        return "-"
    return dt.astimezone(ZoneInfo(zone)).isoformat(timespec="minutes")


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------- list


def cmd_list(args: argparse.Namespace) -> int:
    def action(store: Any) -> int:
        # oldest first across accounts too (the store lists them account by account)
        reqs = sorted(store.list(account=args.account, open_only=args.open), key=lambda r: r.submitted_at)
        if not reqs:
            print("no open requests" if args.open else "no requests")
            return 0
        from slackops.requests.people import names

        known = names(store.redis, store.keys.prefix, [r.assignee for r in reqs if r.assignee])
        rows = [["ID", "PRIORITY", "STATUS", "ASSIGNEE", "SUBMITTED", "TITLE"]]
        for r in reqs:
            zone = store.policy(r.policy).timezone
            rows.append([
                r.id, r.priority, r.status.words, known.get(r.assignee or "", r.assignee or "-"),
                _local(r.submitted_at, zone), _cut(r.title, 60),
            ])
        print("\n".join(_table(rows)))
        return 0

    return with_store(args, action)


# --------------------------------------------------------------------------- show


def cmd_show(args: argparse.Namespace) -> int:
    from slackops.requests.model import NotFound

    def action(store: Any) -> int:
        now = datetime.now(UTC)
        try:
            req = store.get(args.id)
            events = store.history(req.id)
        except NotFound:
            # closed long ago: moved to the archive (when production has added the lookup)
            found = args.find_archived(args.id) if args.find_archived else None
            if found is None:
                raise
            req, events = found.request, found.history
        print("\n".join(show_lines(store, req, events, now)))
        return 0

    return with_store(args, action)


def _event_words(ev: Event) -> str:
    d = ev.data
    t = ev.type
    if t == "submitted":
        return f"submitted at {d.get('priority', '?')} (via {d.get('source', 'command')})"
    if t == "acknowledged":
        return "acknowledged" + (f", priority set to {d['priority']}" if d.get("priority") else "")
    if t == "assigned":
        who = d["assignee"] if "assignee" in d else ev.actor
        return f"assigned to {who}" if who else "unassigned"
    if t == "reclassified":
        extra = f" (justification: {d['justification']})" if d.get("justification") else ""
        return f"reclassified {d.get('from', '')}→{d.get('to')}: {d.get('reason', '')}{extra}"
    if t == "escalated":
        return f"escalated to level {d.get('level', '?')} by {d.get('by', 'customer')}" + (
            f": {d['reason']}" if d.get("reason") else ""
        )
    if t == "escalation_acknowledged":
        return f"escalation level {d.get('level', '?')} acknowledged"
    if t == "categorized":
        return f"categorized as {d.get('category')}"
    if t == "info_requested":
        return f"information requested: {d.get('question', '')}"
    if t == "info_provided":
        return "information provided"
    if t == "resolved":
        return f"resolved ({d.get('resolution', 'fix')})" + (f": {d['note']}" if d.get("note") else "")
    if t in ("reopened", "appealed"):
        return f"{t}: {d.get('reason', '')}"
    return t.replace("_", " ")


def show_lines(store: RequestStore, req: Request, events: list[Event], now: datetime) -> list[str]:
    """``requests show``: the request, the SLA state of each checkpoint now, its history."""
    policy = store.policy(req.policy)
    zone = policy.timezone
    lines = [
        f"{req.id}  {req.title}",
        f"  account    {req.account} (policy {policy.name}, calendar {req.calendar}, {req.language})",
        f"  priority   {req.priority}",
        f"  status     {req.status.words}" + (f" ({req.resolution})" if req.resolution else ""),
        f"  assignee   {req.assignee or '-'}",
        f"  submitted  {_local(req.submitted_at, zone)} by {req.submitted_by}",
    ]
    if req.category:
        lines.append(f"  category   {req.category}")
    if req.escalation_level:
        lines.append(f"  escalation level {req.escalation_level}")
    lines += ["", f"SLA checkpoints (at {_local(now, zone)}):"]
    checkpoints = store.timeline(req, now)
    if not checkpoints:
        lines.append("  none")
    else:
        rows = []
        for cp in checkpoints:
            state = cp.state + (f" ({_local(cp.met_at, zone)})" if cp.met_at else "")
            rows.append([cp.key, _local(cp.due_at, zone), state, cp.target or ""])
        lines += ["  " + row for row in _table(rows)]
    lines += ["", "History:"]
    for ev in events:
        lines.append(f"  {_local(ev.at, zone)}  {ev.actor:<10}  {_event_words(ev)}")
    return lines
