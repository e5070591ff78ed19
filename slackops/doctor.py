"""``slackops doctor``: is this installation ready? Each check prints one line, ``ok``,
``warn`` or ``FIX``, and what to do about it:

- the configuration file and the policies its accounts name;
- the tokens in the environment (the bot token always; Socket Mode's app token or the
  HTTP signing secret), and the bot token against Slack (``auth.test``, its workspace);
- the bot token's scopes (Slack sends them in the ``x-oauth-scopes`` header of every Web
  API answer) against those ``manifest.yml`` asks for;
- every channel the configuration names (``conversations.info``): the bot a member of it,
  an account's channel shared with the customer (Slack Connect);
- the installation's kind (``auth.test``'s ``is_enterprise_install`` and
  ``enterprise_id``: one workspace, a workspace of an Enterprise Grid organisation, or the
  whole organisation) against the configuration's ``team_id`` and ``enterprise_id``;
- the Redis server: its version (6.2 or later) and its persistence;
- the versions of the Redis server, redis-py, rq, slack-sdk and slack-bolt, each against
  the range the test suite covers (``warn`` outside it).

Exit status 0 when nothing needs fixing, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import Any, cast

from slackops.config import Settings, load_config
from slackops.errors import SlackopsError
from slackops.operations.address import learned as learned_address
from slackops.requests.redis_server import connect
from slackops.versions import libraries, redis_server

__all__ = ["MANIFEST_SCOPES", "Report", "check", "register"]

MANIFEST_SCOPES = ("commands", "chat:write", "channels:history", "groups:history", "channels:read", "groups:read",
                   "reactions:read", "pins:write", "users:read", "usergroups:read", "im:write", "im:history",
                   "files:write")
"""The bot scopes manifest.yml asks for (a test holds the two together)."""


@dataclass
class Report:
    lines: list[tuple[str, str]] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append(("ok", text))

    def warn(self, text: str) -> None:
        self.lines.append(("warn", text))

    def fix(self, text: str) -> None:
        self.lines.append(("FIX", text))

    @property
    def problems(self) -> int:
        return sum(1 for level, _ in self.lines if level == "FIX")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check the configuration, the tokens, the scopes, the channels and Redis")
    p.add_argument("--config", help="configuration file (default: $SLACKOPS_CONFIG)")
    p.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:

    settings = Settings.from_env()
    report = check(settings, args.config or settings.config_path)
    for level, text in report.lines:
        print(f"{level:<4} {text}")
    print(f"{report.problems} thing(s) to fix" if report.problems else "all good")
    sys.stdout.flush()
    return 1 if report.problems else 0


def check(settings: Any, config_path: str | None) -> Report:
    report = Report()
    config = _config(report, config_path)
    client = _tokens(report, settings, config)
    if client is not None and config is not None:
        _channels(report, client, config)
    learned = _redis(report, settings)
    if config is not None:
        _public_address(report, settings, config, learned)
    _versions(report)
    return report


def _public_address(report: Report, settings: Any, config: Any, learned: str | None) -> None:
    """Where the status page links customers are given point (slackops.operations.address)."""
    if config.public_url:
        report.ok(f"status page links: {str(config.public_url).rstrip('/')} (public_url)")
    elif settings.app_token and not settings.signing_secret:
        report.warn("status page links: none in Socket Mode without public_url (Slack sends no request that "
                    "names the app's address): set public_url to where customers reach the web process")
    elif learned:
        report.ok(f"status page links: {learned}, the address Slack's signed requests come to (no public_url)")
    else:
        report.ok("status page links: the address Slack's signed requests come to (no public_url; none has "
                  "come yet)")


def _versions(report: Report) -> None:

    for lib in libraries():
        if lib.version is None:
            report.fix(f"{lib.line()}: pip install -e . installs it")
        elif lib.in_range is False:
            report.warn(f"{lib.line()}: slackops may misbehave; pip install -c constraints/latest.txt -e . "
                        "installs the tested set")
        else:
            report.ok(lib.line())


def _config(report: Report, path: str | None) -> Any:
    from slackops.policy import load as load_policy

    if not path:
        report.fix("no configuration file: pass --config FILE or set SLACKOPS_CONFIG")
        return None
    try:
        cfg = load_config(path)
    except SlackopsError as e:
        report.fix(str(e))
        return None
    bad = 0
    for i, acct in enumerate(cfg.accounts):
        try:
            pol = load_policy(acct.policy, closures=cfg.closures)
        except SlackopsError as e:
            report.fix(f"{path}: accounts[{i}].policy: {e}")
            bad += 1
            continue
        if acct.calendar not in pol.calendars:
            report.fix(f"{path}: accounts[{i}].calendar: {acct.calendar!r} is not a calendar of {pol.name}")
            bad += 1
    if not bad:
        report.ok(f"configuration {path}: {len(cfg.accounts)} accounts, their policies load")
    return cfg


def _tokens(report: Report, settings: Any, config: Any) -> Any:
    from slackops.notices.web import auth_check, make_client

    if settings.app_token:
        if settings.app_token.startswith("xapp-"):
            report.ok("SLACK_APP_TOKEN is set (Socket Mode)")
        else:
            report.fix("SLACK_APP_TOKEN is not an app-level token (xapp-...): Basic Information > App-Level Tokens")
    if settings.signing_secret:
        report.ok("SLACK_SIGNING_SECRET is set (HTTP)")
    if not settings.app_token and not settings.signing_secret:
        report.fix("set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP, serve --http)")
    if not settings.bot_token:
        report.fix("set SLACK_BOT_TOKEN: the Bot User OAuth Token (xoxb-...), OAuth & Permissions")
        return None
    if not settings.bot_token.startswith("xoxb-"):
        report.warn("SLACK_BOT_TOKEN does not start with xoxb-: slackops needs the bot token, not a user token")
    client = make_client(settings)
    try:
        who = auth_check(client)
    except SlackopsError as e:
        report.fix(str(e))
        return None
    report.ok(f"the bot token works: {who.get('user')} ({who.get('user_id')}) in {who.get('team')} ({who.get('team_id')})")
    _install(report, who, config)
    _scopes(report, who)
    return client


def _install(report: Report, who: Any, config: Any) -> None:
    """The installation's kind as ``auth.test`` tells it (``is_enterprise_install``,
    ``enterprise_id``), against the configuration's ``team_id`` and ``enterprise_id``."""
    team, org = who.get("team_id"), who.get("enterprise_id")
    if who.get("is_enterprise_install"):
        kind = f"installed org-wide: the Enterprise Grid organisation {who.get('team')} ({org})"
    elif org:
        kind = f"installed in the workspace {team} of the Enterprise Grid organisation {org}"
    else:
        kind = f"installed in the workspace {team} (not on Enterprise Grid)"
    if config is None:
        report.ok(kind)
    elif org and config.enterprise_id != org:
        report.fix(f"{kind}, but the configuration's enterprise_id is {config.enterprise_id or 'not set'}: "
                   f"set enterprise_id: {org} (every workspace of the organisation is the vendor's side)")
    elif not org and config.enterprise_id:
        report.fix(f"{kind}, but the configuration's enterprise_id is {config.enterprise_id}: remove it "
                   "(and agent_workspaces)")
    elif not who.get("is_enterprise_install") and team != config.team_id:
        report.fix(f"{kind}, but the configuration's team_id is {config.team_id}: use the vendor workspace's id")
    else:
        extra = f", agents also in {', '.join(config.agent_workspaces)}" if config.agent_workspaces else ""
        report.ok(f"{kind}{extra}")


def _scopes(report: Report, who: Any) -> None:
    headers = getattr(who, "headers", None) or {}
    raw = next((v for k, v in dict(headers).items() if k.lower() == "x-oauth-scopes"), None)
    if raw is None:
        report.warn("Slack did not say the token's scopes (no x-oauth-scopes header); check them in OAuth & Permissions")
        return
    have = {s.strip() for s in str(raw).split(",") if s.strip()}
    missing = [s for s in MANIFEST_SCOPES if s not in have]
    if missing:
        report.fix(f"the bot token lacks the scopes {', '.join(missing)}: add them under OAuth & Permissions "
                   "> Bot Token Scopes (or create the app again from manifest.yml), then reinstall the app")
    else:
        report.ok(f"the bot token has every scope manifest.yml asks for ({len(MANIFEST_SCOPES)})")


def _channels(report: Report, client: Any, config: Any) -> None:
    from slack_sdk.errors import SlackApiError

    named: list[tuple[str, str, bool]] = [(a.channel, f"account {a.id}'s channel", True) for a in config.accounts]
    named += [(ch, f"the priority {rank} channel", False) for rank, ch in sorted(config.channels.items())]
    for channel, what, shared in named:
        try:
            info = client.conversations_info(channel=channel)["channel"]
        except SlackApiError as e:
            error = e.response.get("error") if hasattr(e.response, "get") else str(e)
            report.fix(f"{what} {channel}: Slack says {error} (is the id right? for a private channel, "
                       "/invite @slackops there first)")
            continue
        except OSError as e:
            report.fix(f"{what} {channel}: Slack could not be asked ({e})")
            continue
        if info.get("is_archived"):
            report.fix(f"{what} {channel} (#{info.get('name')}) is archived: unarchive it or change the configuration")
        elif not info.get("is_member"):
            report.fix(f"{what} {channel} (#{info.get('name')}): the bot is not in it; /invite @slackops there")
        elif shared and not (info.get("is_ext_shared") or info.get("is_pending_ext_shared")):
            report.warn(f"{what} {channel} (#{info.get('name')}) is not shared with another organization "
                        "(Slack Connect): customers will not see it")
        else:
            report.ok(f"{what} {channel} (#{info.get('name')}): the bot is in it")


def _redis(report: Report, settings: Any) -> str | None:
    """Checks the Redis server; returns the public address learned from Slack's requests."""
    import redis as redis_py


    learned: str | None = None
    try:
        with connect(settings) as conn:
            client = conn.client
            try:
                info = cast("dict[str, Any]", client.info("server")) | cast("dict[str, Any]", client.info("persistence"))
            except redis_py.RedisError as e:
                report.fix(f"{conn.description}: INFO failed: {e}")
                return None
            try:

                learned = learned_address(client, "slackops")
            except redis_py.RedisError:
                learned = None
            version = str(info.get("redis_version", "0"))
            parts = tuple(int(x) for x in version.split(".")[:2] if x.isdigit())

            server = redis_server(version)
            if parts < (6, 2):
                report.fix(f"{conn.description}: Redis {version} is too old; slackops needs 6.2 or later")
            elif server.in_range is False:
                report.warn(f"{conn.description}: {server.line()}")
            else:
                report.ok(f"{conn.description}: {server.line()}")
            aof = str(info.get("aof_enabled", "0")) == "1"
            try:
                save = client.config_get("save").get("save", "")
            except redis_py.RedisError:  # managed services hide CONFIG
                save = None
            if aof:
                report.ok("Redis persistence: append-only file on")
            elif save:
                report.warn(f"Redis persistence: snapshots only (save {save}); a crash loses the last minutes: "
                            "turn on appendonly yes")
            elif save is None:
                report.warn("Redis persistence: cannot tell (CONFIG is not allowed); make sure appendonly is on")
            else:
                report.fix("Redis keeps nothing on disk (no appendonly, no save): a restart loses every request; "
                           "set appendonly yes")
    except SlackopsError as e:
        report.fix(str(e))
    return learned
