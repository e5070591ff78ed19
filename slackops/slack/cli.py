"""``slackops serve [--http] [--port N] [--config FILE]``: the Slack app, in Socket Mode
(``SLACK_APP_TOKEN``) or over HTTP (``SLACK_SIGNING_SECRET``)."""

from __future__ import annotations

import argparse
import logging
import sys

from slackops.config import PREFIX_HELP
from slackops.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the ``slackops`` parser."""
    p = sub.add_parser("serve", help="run the Slack app (Socket Mode, or --http)")
    p.add_argument("--http", action="store_true", help="serve HTTP at POST /slack/events (needs SLACK_SIGNING_SECRET)")
    p.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    p.add_argument("--host", default="0.0.0.0", help="HTTP address (default 0.0.0.0)")
    p.add_argument("--config", help="the configuration file (default: $SLACKOPS_CONFIG)")
    p.add_argument("--prefix", metavar="PREFIX", help=PREFIX_HELP + "; the same as the workers'")
    p.set_defaults(func=_serve)


def check_settings(settings, http: bool) -> None:  # noqa: ANN001 - Settings
    missing = []
    if not settings.bot_token:
        missing.append("SLACK_BOT_TOKEN (the bot token, xoxb-...)")
    if http and not settings.signing_secret:
        missing.append("SLACK_SIGNING_SECRET (Basic Information > App Credentials)")
    if not http and not settings.app_token:
        missing.append("SLACK_APP_TOKEN (an app-level token with connections:write, xapp-...), or use --http")
    if missing:
        raise ConfigError("set " + "; ".join(missing))


def _serve(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from slackops.config import Settings, load_config

    settings = Settings.from_env()
    path = args.config or settings.config_path
    if not path:
        raise ConfigError("name the configuration file: --config FILE or SLACKOPS_CONFIG")
    settings = replace(settings, config_path=path, mode="http" if args.http else "socket")
    config = load_config(path)
    check_settings(settings, args.http)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from slackops import lifecycle
    from slackops.notices.web import auth_check, make_client
    from slackops.requests import RequestStore
    from slackops.requests.redis_server import connect
    from slackops.slack.app import create_app
    from slackops.slack.server import serve_http, serve_socket_mode

    client = make_client(settings)
    who = auth_check(client)
    print(f"slackops serve: the bot {who.get('user')} ({who.get('user_id')}) in {who.get('team')}", file=sys.stderr)

    def interrupt() -> None:  # unwind the blocking serve call in the main thread
        raise KeyboardInterrupt

    lifecycle.install(interrupt)
    try:
        with connect(settings) as (redis, description):
            print(f"slackops serve: using {description}", file=sys.stderr)
            store = RequestStore(redis, config, prefix=args.prefix)
            app = create_app(settings, config, store, client)
            if args.http:
                print(f"slackops serve: HTTP on {args.host}:{args.port}, POST /slack/events, GET /healthz",
                      file=sys.stderr)
                serve_http(app, host=args.host, port=args.port)
            else:
                print("slackops serve: Socket Mode", file=sys.stderr)
                serve_socket_mode(app, settings.app_token or "")
    except KeyboardInterrupt:
        pass
    lifecycle.install()  # from here a signal only hurries the exit along
    print("slackops serve: stopped", file=sys.stderr, flush=True)
    lifecycle.finished(0)
    return 0
