"""The ``slackops`` command.

Each area registers its own sub-commands (``register(subparsers)``) so that this file
only assembles them: policy (slackops.policy.cli), requests (slackops.requests.cli),
serve (slackops.slack.cli), worker and run (slackops.workers.cli).
A known error (:class:`SlackopsError`) is printed as one plain line, exit status 2 (1 for
:class:`slackops.errors.Unavailable`: Slack or Redis out of reach, worth starting again).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from slackops.errors import SlackopsError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one plain line, exit 2 (argparse's own convention)
        self.exit(2, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from slackops.policy import cli as policy_cli
    from slackops.requests import cli as requests_cli
    from slackops.slack import cli as slack_cli
    from slackops.workers import cli as workers_cli

    parser = _Parser(prog="slackops", description="A support desk in Slack that keeps a support policy's promises.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    config = sub.add_parser("config", help="check the configuration file")
    csub = config.add_subparsers(dest="config_command", required=True, parser_class=_Parser)
    check = csub.add_parser("check", help="validate a configuration file")
    check.add_argument("file")
    check.set_defaults(func=_config_check)

    policy_cli.register(sub)
    requests_cli.register(sub)
    slack_cli.register(sub)
    workers_cli.register(sub)
    return parser


def _config_check(args: argparse.Namespace) -> int:
    from slackops.config import load_config

    cfg = load_config(args.file)
    from slackops.policy import load as load_policy

    problems = []
    for i, acct in enumerate(cfg.accounts):
        try:
            pol = load_policy(acct.policy, closures=cfg.closures)
        except SlackopsError as e:
            problems.append(f"{args.file}: accounts[{i}].policy: {e}")
            continue
        if acct.calendar not in pol.calendars:
            names = ", ".join(sorted(pol.calendars))
            problems.append(f"{args.file}: accounts[{i}].calendar: {acct.calendar!r} is not a calendar of {pol.name} ({names})")
    if problems:
        raise SlackopsError("\n".join(problems))
    print(f"{args.file}: ok ({len(cfg.accounts)} accounts)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SlackopsError as e:
        print(str(e), file=sys.stderr)
        return int(getattr(e, "exit_status", 2))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
