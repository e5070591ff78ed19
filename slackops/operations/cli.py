"""``slackops maintenance add|change|list|cancel``, ``slackops status-token``.

Handlers raise :class:`SlackopsError` for anything refused (one plain line, exit status 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from slackops.config import PREFIX_HELP
from slackops.errors import SlackopsError

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser("maintenance", help="schedule, change, list and cancel maintenance")
    msub = m.add_subparsers(dest="maintenance_command", required=True, parser_class=type(m))

    p = msub.add_parser("add", help="schedule maintenance (checked against each affected account's policy)")
    _times(p, required=True)
    p.add_argument("--accounts", metavar="A,B", help="affected accounts (default: all)")
    p.add_argument("--impact", choices=("none", "degraded", "unavailable"), default="unavailable")
    p.add_argument("--emergency", action="store_true", help="emergency maintenance: allowed any time, announced at once")
    p.add_argument("--note", default="", help="a note for customers")
    _common(p)
    p.set_defaults(func=_add)

    p = msub.add_parser("change", help="move or edit a scheduled maintenance (announced again)")
    p.add_argument("id", metavar="ID")
    _times(p, required=False)
    p.add_argument("--accounts", metavar="A,B")
    p.add_argument("--impact", choices=("none", "degraded", "unavailable"))
    p.add_argument("--note")
    _common(p)
    p.set_defaults(func=_change)

    p = msub.add_parser("list", help="maintenance, soonest first")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="also past and cancelled ones")
    _common(p)
    p.set_defaults(func=_list)

    p = msub.add_parser("cancel", help="cancel a maintenance (the cancellation is announced)")
    p.add_argument("id", metavar="ID")
    p.add_argument("--reason", default="")
    _common(p)
    p.set_defaults(func=_cancel)

    u = sub.add_parser("uptime", help="monthly uptime and service credits per account")
    u.add_argument("--account", metavar="A")
    u.add_argument("--month", metavar="YYYY-MM", help="default: this month (so far)")
    u.add_argument("--json", action="store_true")
    _common(u)
    u.set_defaults(func=_uptime)
    usub = u.add_subparsers(dest="uptime_command", required=False, parser_class=type(u))
    c = usub.add_parser("correct", help="correct the start or end of a request's downtime, with a reason")
    c.add_argument("id", metavar="REQUEST")
    c.add_argument("--start", metavar="ISO")
    c.add_argument("--end", metavar="ISO")
    c.add_argument("--reason", default="", help="why (required; kept in the history)")
    c.add_argument("--by", default="cli", help="who corrects it (a Slack user id; default cli)")
    _common(c)
    c.set_defaults(func=_correct)

    r = sub.add_parser("report", help="SLA report: targets met and breached, times, uptime and credits")
    r.add_argument("--account", metavar="A")
    r.add_argument("--month", metavar="YYYY-MM", help="default: this month so far")
    r.add_argument("--from", dest="start", metavar="DATE", help="first day (YYYY-MM-DD), with --to")
    r.add_argument("--to", dest="end", metavar="DATE", help="last day, included")
    r.add_argument("--format", choices=("text", "csv", "json"), default="text")
    r.add_argument("--chart", metavar="FILE.png", help="also draw the chart into this PNG file")
    _common(r)
    r.set_defaults(func=_report)

    t = sub.add_parser("status-token", help="an account's status page link; --rotate replaces it")
    t.add_argument("account", metavar="ACCOUNT")
    t.add_argument("--rotate", action="store_true", help="a new token: the old link stops working")
    _common(t)
    t.set_defaults(func=_token)


def _times(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--start", required=required, metavar="ISO", help="e.g. 2026-05-04T20:00-06:00")
    p.add_argument("--end", required=required, metavar="ISO")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="the configuration file (default: $SLACKOPS_CONFIG)")
    p.add_argument("--prefix", metavar="PREFIX", help=PREFIX_HELP)


def parse_instant(text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SlackopsError(f"--{what}: {text!r} is not an ISO 8601 date and time (e.g. 2026-05-04T20:00-06:00)") from None
    if at.tzinfo is None:
        raise SlackopsError(f"--{what}: {text!r} has no time zone offset (add e.g. -06:00 or Z)")
    return at


def with_desk(args: argparse.Namespace, action: Any) -> int:
    """Run ``action(redis, config, store)`` on the desk's Redis (REDIS_URL or the embedded one)."""
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
        return int(action(client, config, RequestStore(client, config, prefix=args.prefix)) or 0)


def _book(redis: Any, config: Any, store: Any, prefix: str) -> Any:
    from slackops.operations.records import MaintenanceBook

    return MaintenanceBook(redis, config, store.policy, prefix)


def _accounts(text: str | None) -> list[str] | None:
    return None if text is None else [a for a in text.split(",")]


def _add(args: argparse.Namespace) -> int:
    def run(redis: Any, config: Any, store: Any) -> int:
        m = _book(redis, config, store, args.prefix).add(
            start=parse_instant(args.start, "start"), end=parse_instant(args.end, "end"), now=datetime.now(UTC),
            impact=args.impact, accounts=_accounts(args.accounts), emergency=args.emergency, note=args.note)
        print(f"{m.id} scheduled: {_row(m)}")
        return 0
    return with_desk(args, run)


def _change(args: argparse.Namespace) -> int:
    def run(redis: Any, config: Any, store: Any) -> int:
        m = _book(redis, config, store, args.prefix).change(
            args.id, now=datetime.now(UTC), start=parse_instant(args.start, "start"), end=parse_instant(args.end, "end"),
            impact=args.impact, accounts=_accounts(args.accounts), note=args.note)
        print(f"{m.id} changed (version {m.version}): {_row(m)}")
        return 0
    return with_desk(args, run)


def _cancel(args: argparse.Namespace) -> int:
    def run(redis: Any, config: Any, store: Any) -> int:
        m = _book(redis, config, store, args.prefix).cancel(args.id, now=datetime.now(UTC), reason=args.reason)
        print(f"{m.id} cancelled")
        return 0
    return with_desk(args, run)


def _row(m: Any) -> str:
    accounts = ",".join(m.accounts) if m.accounts is not None else "all"
    flags = " emergency" if m.emergency else ""
    start, end = m.start.isoformat(timespec="minutes"), m.end.isoformat(timespec="minutes")  # ISO 8601, offset
    return (f"{start} → {end}  {m.impact}{flags}  accounts {accounts}"
            f"  {m.status}" + (f"  “{m.note}”" if m.note else ""))


def _list(args: argparse.Namespace) -> int:
    def run(redis: Any, config: Any, store: Any) -> int:
        book = _book(redis, config, store, args.prefix)
        now = datetime.now(UTC)
        items = book.list() if args.all else book.list(since=now, include_cancelled=False)
        if args.json:
            print(json.dumps([json.loads(m.to_json()) for m in items], indent=2))
            return 0
        if not items:
            print("no maintenance scheduled")
        for m in items:
            print(f"{m.id}  {_row(m)}")
        return 0
    return with_desk(args, run)


def _token(args: argparse.Namespace) -> int:
    def run(redis: Any, config: Any, store: Any) -> int:
        from slackops.operations.tokens import StatusTokens

        tokens = StatusTokens(redis, config, args.prefix)
        token = tokens.rotate(args.account) if args.rotate else tokens.get(args.account)
        print(tokens.url(args.account) or f"/status/{args.account.lower()}?token={token}")
        return 0
    return with_desk(args, run)


def uptime_months(store: Any, book: Any, config: Any, account: str | None, month: str | None,
                  now: datetime) -> list[Any]:
    """Each account's :class:`slackops.operations.uptime.Month` (the I/O around the pure core)."""
    from slackops.operations.status import impact_of
    from slackops.operations.uptime import monthly, this_month

    accounts = config.accounts
    if account is not None:
        acct = config.account(account)
        if acct is None:
            raise SlackopsError(f"{account!r} is not an account (known: {', '.join(a.id for a in accounts)})")
        accounts = [acct]
    out = []
    for acct in accounts:
        policy = store.policy(acct.policy)
        rows = [(r, impact_of(r, policy)) for r in store.list(account=acct.id, open_only=False)]
        try:
            out.append(monthly(acct, policy, rows, book.list(acct.id), month or this_month(now, policy.timezone), now))
        except ValueError as e:
            raise SlackopsError(f"--month: {e}") from None
    return out


def _uptime(args: argparse.Namespace) -> int:
    def run(redis: Any, config: Any, store: Any) -> int:
        months = uptime_months(store, _book(redis, config, store, args.prefix), config, args.account, args.month,
                               datetime.now(UTC))
        if args.json:
            print(json.dumps([m.to_json() for m in months], indent=2))
            return 0
        print(f"{'ACCOUNT':<10} {'MONTH':<8} {'UPTIME':>9} {'TARGET':>7} {'DOWNTIME':>10} {'CREDIT':>8}")
        for m in months:
            target = f"{m.target_percent:g}%" if m.target_percent is not None else "-"
            credit = "-" if m.credit_percent is None else f"{m.credit_percent:g}%" + (" (default table)" if m.credit_default else "")
            print(f"{m.account:<10} {m.month + ('*' if m.partial else ''):<8} {m.uptime_percent:>8.3f}% {target:>7} "
                  f"{m.downtime_minutes:>7.1f} min {credit:>8}")
        if any(m.partial for m in months):
            print("* month in progress: measured up to now")
        return 0
    return with_desk(args, run)


def _correct(args: argparse.Namespace) -> int:
    def run(redis: Any, config: Any, store: Any) -> int:
        from slackops.requests import Event

        start, end = parse_instant(args.start, "start"), parse_instant(args.end, "end")
        data = {"reason": args.reason, **({"start": start.isoformat()} if start else {}),
                **({"end": end.isoformat()} if end else {})}
        req = store.apply(args.id, Event("downtime_corrected", args.by, datetime.now(UTC), data))
        fix = req.fields.get("downtime") or {}
        print(f"{req.id}: downtime now from {fix.get('start', 'its submission')} to {fix.get('end', 'its resolution')}")
        return 0
    return with_desk(args, run)


def _report(args: argparse.Namespace) -> int:
    from slackops.operations.report import to_csv, to_text
    from slackops.operations.reporting import Period, build, chart_png

    period = Period(args.month, args.start, args.end)

    def run(redis: Any, config: Any, store: Any) -> int:
        report = build(store, _book(redis, config, store, args.prefix), config, period, datetime.now(UTC), args.account)
        if args.format == "json":
            print(json.dumps(report, indent=2))
        elif args.format == "csv":
            sys.stdout.write(to_csv(report))
        else:
            print(to_text(report))
        if args.chart:
            try:
                with open(args.chart, "wb") as f:
                    f.write(chart_png(report))
            except OSError as e:
                raise SlackopsError(f"--chart: cannot write {args.chart}: {e.strerror}") from None
            print(f"chart written to {args.chart}", file=sys.stderr)
        return 0
    return with_desk(args, run)
