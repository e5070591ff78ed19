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
from typing import Any, NoReturn

from slackops.errors import SlackopsError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one plain line, exit 2 (argparse's own convention)
        self.exit(2, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from slackops import doctor, oncall_cli
    from slackops.notices import cli as notices_cli
    from slackops.operations import cli as operations_cli
    from slackops.policy import cli as policy_cli
    from slackops.production import cli as production_cli
    from slackops.requests import cli as requests_cli
    from slackops.sandbox import cli as sandbox_cli
    from slackops.slack import cli as slack_cli
    from slackops.workers import cli as workers_cli

    parser = _Parser(prog="slackops", description="A support desk in Slack that keeps a support policy's promises.")
    parser.add_argument("--version", action="version", version=f"slackops {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    config = sub.add_parser("config", help="check the configuration file")
    csub = config.add_subparsers(dest="config_command", required=True, parser_class=_Parser)
    check = csub.add_parser("check", help="validate a configuration file")
    check.add_argument("file")
    check.set_defaults(func=_config_check)

    policy_cli.register(sub)
    production_cli.register_requests(requests_cli.register(sub))
    slack_cli.register(sub)
    workers_cli.register(sub)
    doctor.register(sub)
    sandbox_cli.register(sub)
    production_cli.register(sub)
    operations_cli.register(sub)
    oncall_cli.register(sub)
    notices_cli.register(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("slackops")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def _status_link_warning(cfg: Any, file: str) -> list[str]:
    """Without public_url, status page links come from the address Slack's signed HTTP
    requests reach (slackops.operations.address): in Socket Mode there are none."""
    from slackops.config import Settings

    settings = Settings.from_env()
    if cfg.public_url or (settings.signing_secret and not settings.app_token):
        return []
    return [f"{file}: public_url: not set, and in Socket Mode (serve's default) Slack's requests do not name "
            "the app's address: customers get no status page link; set public_url to where they reach the "
            "web process (serve --http learns it from Slack's requests)"]


def _config_check(args: argparse.Namespace) -> int:
    from slackops.config import load_config

    cfg = load_config(args.file)
    from slackops.config_check import check_setup
    from slackops.policy import load as load_policy

    problems, warnings = check_setup(cfg, lambda name: load_policy(name, closures=cfg.closures), str(args.file))
    warnings += _status_link_warning(cfg, str(args.file))
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    for i, acct in enumerate(cfg.accounts):
        if cfg.agent_controls_for(acct.id) != "triage":
            continue
        try:
            pol = load_policy(acct.policy, closures=cfg.closures)
        except SlackopsError:
            continue  # check_setup names it
        missing = [p.id for p in pol.priorities if not cfg.triage_channel_for(acct.id, p.rank)]
        if missing:
            problems.append(f"{args.file}: accounts[{i}]: agent_controls is triage but {', '.join(missing)} of "
                            f"{pol.name} have no triage channel (set accounts[{i}].triage_channel, or "
                            "triage_channels / channels for their ranks)")
    if problems:
        raise SlackopsError("\n".join(problems))
    print(f"{args.file}: ok ({len(cfg.accounts)} accounts" + (f", {len(warnings)} warnings)" if warnings else ")"))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):  # bare `slackops`, or a group without its sub-command
        parser.print_help()
        return 0 if args.command is None else 2
    if getattr(args, "prefix", "") is None:  # every command's --prefix: else the settings'
        from slackops.config import Settings

        args.prefix = Settings.from_env().prefix
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # here, so that a reader gone away is caught below
        return status
    except SlackopsError as e:
        print(str(e), file=sys.stderr)
        return int(getattr(e, "exit_status", 2))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`slackops policy show X | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
