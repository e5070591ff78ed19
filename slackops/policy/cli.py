"""``slackops policy list|show|check|timeline|explain``.

Handlers take the parsed ``args`` and return an exit status; a known error is raised as
:class:`SlackopsError` (one plain line, exit status 2, printed by slackops.cli).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slackops.errors import SlackopsError
from slackops.policy.common import CHECKPOINT_KINDS, TARGET_KINDS
from slackops.policy.loader import list_presets, load
from slackops.policy.model import Policy
from slackops.policy.rules import Priority, Target
from slackops.policy.timeline import when


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add this area's sub-commands to the ``slackops`` parser."""
    policy = sub.add_parser("policy", help="list, show, check and try support policies")
    psub = policy.add_subparsers(dest="policy_command", required=True, parser_class=type(policy))

    p = psub.add_parser("list", help="the presets that ship with slackops")
    p.set_defaults(func=cmd_list)

    p = psub.add_parser("show", help="a policy as a readable table (defaults flagged; for a policy that "
                                     "extends another, where each value comes from)")
    p.add_argument("policy", metavar="NAME|FILE", nargs="?")
    p.add_argument("--account", metavar="ID", help="the account's effective contract (from the configuration)")
    p.add_argument("--config", metavar="FILE", help="the configuration file (default: $SLACKOPS_CONFIG)")
    p.set_defaults(func=cmd_show)

    p = psub.add_parser("check", help="validate a policy file")
    p.add_argument("policy", metavar="FILE")
    p.set_defaults(func=cmd_check)

    for name, helptext in (("timeline", "the checkpoints of a request opened at an instant"),
                           ("explain", "the calendar math of one checkpoint, in words")):
        p = psub.add_parser(name, help=helptext)
        p.add_argument("policy", metavar="NAME|FILE")
        p.add_argument("--priority", required=True, metavar="ID")
        p.add_argument("--opened", required=True, metavar="ISO8601",
                       help="when the request was submitted (without an offset: the calendar's zone)")
        p.add_argument("--calendar", default="default", metavar="NAME")
        p.add_argument("--now", metavar="ISO8601", help="judge states at this instant (default: --opened)")
        if name == "timeline":
            p.add_argument("--json", action="store_true", help="machine-readable output")
            p.set_defaults(func=cmd_timeline)
        else:
            p.add_argument("--kind", required=True, choices=CHECKPOINT_KINDS, metavar="KIND",
                           help=", ".join(CHECKPOINT_KINDS))
            p.add_argument("--key", metavar="KEY", help="one checkpoint of several: update:2, escalation:3")
            p.set_defaults(func=cmd_explain)


# --------------------------------------------------------------------------- helpers


def _instant(text: str, zone: str, what: str) -> datetime:
    raw = text.strip()
    try:
        dt = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    except ValueError:
        raise SlackopsError(
            f"{what}: {text!r} is not an ISO 8601 instant (e.g. 2026-12-04T16:30:00-07:00)"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(zone))
    return dt


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _target_cell(t: Target) -> str:
    text = t.text + (f" [{t.calendar}]" if t.calendar else "")
    return text + (" *default" if t.default else "")


# --------------------------------------------------------------------------- commands


def cmd_list(args: argparse.Namespace) -> int:
    rows = [["NAME", "TITLE", "PRIORITIES", "CALENDARS", "DEFAULTS"]]
    for name in list_presets():
        pol = load(name)
        rows.append([
            name, pol.title, " ".join(p.id for p in pol.priorities),
            ", ".join(_calendar_names(pol)), str(len(pol.defaults_flagged)),
        ])
    print("\n".join(_table(rows, indent="")))
    return 0


def _calendar_names(pol: Policy) -> list[str]:
    out = []
    for name, info in pol.calendar_info.items():
        out.append(f"{name}={info.alias_of}" if info.alias_of else name)
    return out


def cmd_show(args: argparse.Namespace) -> int:
    if bool(args.policy) == bool(args.account):
        raise SlackopsError("policy show: name a policy (NAME|FILE) or an account (--account ID), one of them")
    if args.account:
        from slackops.config import Settings, load_config

        path = args.config or Settings.from_env().config_path
        if not path:
            raise SlackopsError("no configuration file: pass --config FILE or set SLACKOPS_CONFIG")
        cfg = load_config(path)
        acct = cfg.account(args.account)
        if acct is None:
            raise SlackopsError(f"{path}: {args.account!r} is not an account "
                                f"({', '.join(a.id for a in cfg.accounts) or 'it has none'})")
        pol = load(acct.policy, closures=cfg.closures)
        print(f"Account {acct.id} ({acct.name}): "
              + ("its own contract, in the configuration" if acct.contract is not None else f"policy {acct.policy}"))
        print("\n".join(show_lines(pol)))
        return 0
    print("\n".join(show_lines(load(args.policy))))
    return 0


def show_lines(pol: Policy) -> list[str]:
    lines = [f"{pol.title} ({pol.name})" + (f"; source: {pol.seed}" if pol.seed else "")]
    lines.append(f"  file: {pol.source}")
    if pol.extends:
        lines.append(f"  extends: {' <- '.join(reversed(pol.extends))}")
    lines.append(f"  contract version: {pol.version}")
    lines.append(f"  time zone: {pol.timezone}; languages: {', '.join(pol.languages)}")
    lines.append("")
    lines.append("Calendars")
    rows = []
    for name, info in pol.calendar_info.items():
        cal = pol.calendars[name]
        if info.alias_of:
            rows.append([name, f"= {info.alias_of}", ""])
            continue
        extra = []
        if info.closures_from_config:
            extra.append("closures from the config")
        if cal.describe().startswith("24x7"):
            wd = ""
        else:
            wd = f"working day {cal.working_day.total_seconds() / 3600:g} h"
        rows.append([name, cal.describe(), "; ".join(x for x in [wd, *extra] if x)])
    lines += _table(rows)
    lines.append("")
    lines.append("Priorities (most urgent first; [calendar] when a target names one, else the request's)")
    kinds = [k for k in TARGET_KINDS if any(k in p.targets for p in pol.priorities)]
    rows = [["ID", "LABEL", *[k.upper() for k in kinds], "WARN AT"]]
    for p in pol.priorities:
        rows.append([p.id, p.label, *[_target_cell(p.targets[k]) if k in p.targets else "-" for k in kinds],
                     ", ".join(f"{f:.0%}" for f in p.warn_at)])
    lines += _table(rows)
    for p in pol.priorities:
        lines += _priority_extras(p)
    lines.append("")
    lines.append("Definitions")
    for p in pol.priorities:
        lines.append(f"  {p.id}: {p.definition}")
    if pol.categories:
        lines.append("")
        lines.append("Categories")
        lines += _table([[c.id, *[c.labels.get(lang, "") for lang in pol.languages]] for c in pol.categories])
    lines.append("")
    lines.append("Intake")
    i = pol.intake
    rows = [
        ["who may open", i.who_may_open],
        ["customer sets priority", _yn(i.customer_sets_priority)],
        ["priority recorded at acceptance", _yn(i.priority_at_acceptance)],
        ["PHI guard", _yn(i.phi_guard)],
        ["feature requests close", _yn(i.feature_requests_close)],
        ["upgrade needs justification", _yn(i.upgrade_needs_justification)],
        ["'not an error' allowed", _yn(i.not_an_error_allowed)],
        ["24x7 contact needed for", ", ".join(i.needs_24x7_contact) or "-"],
    ]
    if i.reclassification_must_be_told:
        rows.append(["reclassification", "the customer is told"
                     + (f"; appeal to {i.reclassification_appeal_to}" if i.reclassification_appeal_to else "")])
    if i.notify_on:
        rows.append(["notify the customer on", ", ".join(i.notify_on)])
    if i.answer_in_request_language:
        rows.append(["answer in", "the language of the request"])
    if i.customer_escalation:
        rows.append(["customer escalation notifies", ", ".join(i.customer_escalation.notify)])
    rows.append(["unconfirmed resolution closes", f"after {i.close_unconfirmed_after.text}, reminded "
                 f"{i.remind_unconfirmed_before.text if i.remind_unconfirmed_before else 'never'} before"
                 if i.close_unconfirmed_after else "never: it waits for the customer"])
    lines += _table(rows)
    if pol.maintenance:
        m = pol.maintenance
        lines.append("")
        lines.append("Maintenance")
        if m.window:
            lines.append(f"  window {m.window[0]:%H:%M}–{m.window[1]:%H:%M} {m.timezone}"
                         + ("" if m.notice_inside_window else ", no notice needed inside it"))
        if m.window_calendar is not None:
            lines.append(f"  during {m.window_calendar.describe()}")
        if m.notice_outside_window:
            lines.append(f"  outside it: {m.notice_outside_window.text} notice")
        if m.emergency_any_time:
            lines.append("  emergency maintenance: any time")
    if pol.uptime:
        u = pol.uptime
        lines.append("")
        lines.append(f"Uptime: {u.target_percent:g}% {u.period}"
                     + (f", excluding {', '.join(u.excludes)}" if u.excludes else "")
                     + ("; downtime measured from submission (the customer opened the ticket)"
                        if u.downtime_from == "submission" else "; downtime measured from when an agent recorded the impact"))
        for below, credit in ((c.below, c.credit_percent) for c in u.credits):
            lines.append(f"  below {below:g}%: credit {credit:g}% of the monthly fee"
                         + (" *default" if u.credits_default else ""))
    lines += origin_lines(pol)
    lines.append("")
    if pol.defaults_flagged:
        lines.append("Defaults (the source document gives no number: check them and override in your own policy file)")
        lines += [f"  * {d}" for d in pol.defaults_flagged]
    else:
        lines.append("Defaults: none (every number comes from the source document)")
    return lines


def origin_lines(pol: Policy) -> list[str]:
    """Every value an extending policy's documents give, with the document it comes from."""
    if not pol.extends or pol.spec is None:
        return []
    short = pol.spec.model_dump(mode="json", exclude_defaults=True)
    full = pol.spec.model_dump(mode="json")
    rows = [["VALUE", "", "FROM"]]
    for path in sorted(pol.provenance, key=_path_order):
        found, value = _value_at(short, path)
        if not found:
            found, value = _value_at(full, path)
        rows.append([path, _brief(value) if found else "(removed)", pol.provenance[path]])
    return ["", f"Where each value comes from ({pol.source} over {' over '.join(reversed(pol.extends))}; "
                "a value no document gives is the default of a policy file)", *_table(rows)]


_SECTIONS = ["name", "title", "seed", "timezone", "languages", "calendars", "warn_at", "priorities", "categories",
             "intake", "maintenance", "uptime", "critical_notice_text", "defaults"]


def _path_order(path: str) -> tuple[int, str]:
    head = path.split(".", 1)[0]
    return (_SECTIONS.index(head) if head in _SECTIONS else len(_SECTIONS), path)


def _value_at(doc: Any, path: str) -> tuple[bool, Any]:
    cur = doc
    for part in path.split("."):
        if isinstance(cur, list):  # priorities, by id
            cur = next((p for p in cur if isinstance(p, dict) and p.get("id") == part), None)
            if cur is None:
                return False, None
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return False, None
    return True, cur


def _brief(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"duration"}:
        value = value["duration"]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"


def _priority_extras(p: Priority) -> list[str]:
    out = []
    for s in p.escalation:
        cal = f" [{s.calendar}]" if s.calendar else ""
        out.append(f"  {p.id} escalation {s.level}: after {s.after.text}{cal} notify "
                   f"{', '.join(s.notify)} unless {' or '.join(s.unless)}"
                   + (f"; again every {s.repeat.every.text}, {s.repeat.times} times at most, until acknowledged"
                      if s.repeat else ""))
    if p.auto_upgrade:
        u = p.auto_upgrade
        out.append(f"  {p.id} auto-upgrade: to {u.to} after {u.after.text}"
                   f"{f' [{u.calendar}]' if u.calendar else ''} unless {u.unless}")
    return out


def _yn(b: bool) -> str:
    return "yes" if b else "no"


def cmd_check(args: argparse.Namespace) -> int:
    pol = load(args.policy)
    note = f", {len(pol.defaults_flagged)} defaults flagged" if pol.defaults_flagged else ""
    print(f"{args.policy}: ok ({len(pol.priorities)} priorities, "
          f"{len(pol.calendar_info)} calendars{note})")
    for d in pol.defaults_flagged:
        print(f"  default: {d}")
    return 0


def _question(args: argparse.Namespace) -> tuple[Policy, str, datetime, datetime | None]:
    pol = load(args.policy)
    prio = pol.priority(args.priority)
    cal = pol.calendar(args.calendar)
    opened = _instant(args.opened, cal.tz, "--opened")
    now = _instant(args.now, cal.tz, "--now") if args.now else None
    return pol, prio.id, opened, now


def cmd_timeline(args: argparse.Namespace) -> int:
    pol, pid, opened, now = _question(args)
    cps = pol.timeline(pid, opened, args.calendar, now=now)
    cal = pol.calendar(args.calendar)
    if args.json:
        out = {
            "policy": pol.name,
            "priority": pid,
            "calendar": args.calendar,
            "opened_at": opened.astimezone(cal.zone).isoformat(),
            "checkpoints": [
                {**c.to_json(), "target": c.target, "priority": c.priority,
                 "warn_at": [w.isoformat() for w in c.warn_at],
                 **({"notify": list(c.notify)} if c.notify else {})}
                for c in cps
            ],
        }
        print(json.dumps(out, indent=2))
        return 0
    print(f"{pol.title} {pid}, opened {when(opened.astimezone(cal.zone))} on calendar "
          f"{args.calendar} ({cal.describe()})")
    rows = [["KEY", "DUE", "TARGET", "STATE", "WARN AT", "NOTIFY"]]
    for c in cps:
        rows.append([c.key, when(c.due_at), c.target + (f" [{c.calendar}]" if c.calendar else ""), c.state,
                     ", ".join(when(w) for w in c.warn_at) or "-", ", ".join(c.notify) or "-"])
    print("\n".join(_table(rows)))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    pol, pid, opened, now = _question(args)
    print(pol.explain(pid, opened, args.calendar, kind=args.kind, key=args.key, now=now))
    return 0
