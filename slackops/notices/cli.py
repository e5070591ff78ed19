"""``slackops webhooks failed``, ``slackops webhooks retry ID|--all`` and
``slackops webhooks test URL``: the operator's view of the outgoing events."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from slackops.config import Settings, load_config
from slackops.errors import SlackopsError

from .webhooks import Webhooks, post_signed

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[Any]) -> None:
    hooks = sub.add_parser("webhooks", help="outgoing events: what failed, send it again, try an endpoint")
    hsub = hooks.add_subparsers(dest="webhooks_command", required=True, parser_class=type(hooks))

    p = hsub.add_parser("failed", help="events given up or still being retried, oldest first")
    _common(p)
    p.set_defaults(func=cmd_failed)

    p = hsub.add_parser("retry", help="send given-up events again (and try retrying ones now)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("id", nargs="?", metavar="ID", help="an event id, as `webhooks failed` lists it")
    which.add_argument("--all", action="store_true", help="every given-up event")
    _common(p)
    p.set_defaults(func=cmd_retry)

    p = hsub.add_parser("test", help="POST a signed sample event to URL and say what it answered")
    p.add_argument("url", metavar="URL")
    p.add_argument("--secret-env", metavar="NAME",
                   help="the variable holding the secret (default: the endpoint's secret_env in the configuration, "
                        "else SLACKOPS_WEBHOOK_SECRET)")
    p.add_argument("--config", metavar="FILE", help="the configuration file (default: $SLACKOPS_CONFIG)")
    p.set_defaults(func=cmd_test)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="the configuration file (default: $SLACKOPS_CONFIG)")
    p.add_argument("--prefix", default=os.environ.get("SLACKOPS_PREFIX", "slackops"), metavar="PREFIX",
                   help="the Redis key prefix of the desk (default: slackops)")


def _config(args: argparse.Namespace) -> Any:
    path = getattr(args, "config", None) or Settings.from_env().config_path
    if not path:
        raise SlackopsError("no configuration file: pass --config FILE or set SLACKOPS_CONFIG")
    return load_config(path)


def _with_hooks(args: argparse.Namespace, action: Any) -> int:
    from slackops.requests.redis_server import (
        connect,  # starts an embedded Redis: only when a command runs
    )

    config = _config(args)
    with connect(Settings.from_env()) as (client, description):
        print(f"using {description}", file=sys.stderr)
        # the secrets are not needed to list or re-queue: an empty stand-in for each
        hooks = Webhooks(client, config.webhooks, prefix=args.prefix,
                         env={w.secret_env: "-" for w in config.webhooks})
        return int(action(hooks) or 0)


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if epoch else "-"


def cmd_failed(args: argparse.Namespace) -> int:
    def show(hooks: Any) -> int:
        rows = hooks.failed()
        if not rows:
            print("no failed events")
            return 0
        for r in rows:
            extra = f"next try {_when(r['next_at'])}" if r["state"] == "retrying" else f"given up {_when(r['given_up_at'])}"
            print(f"{r['id']}  {r.get('type') or '-'}  {r['url']}  {r['state']} after {r['attempts']} attempt(s): "
                  f"{r['error']}; first tried {_when(r['first_at'])}, {extra}")
        return 0

    return _with_hooks(args, show)


def cmd_retry(args: argparse.Namespace) -> int:
    def retry(hooks: Any) -> int:
        n = hooks.retry(None if args.all else args.id)
        if not n and not args.all:
            raise SlackopsError(f"{args.id}: no such failed event (see `slackops webhooks failed`)")
        print(f"{n} event(s) queued again")
        return 0

    return _with_hooks(args, retry)


def cmd_test(args: argparse.Namespace) -> int:
    name = args.secret_env
    if not name:
        try:
            config = _config(args)
        except SlackopsError:
            config = None
        found = next((w for w in (config.webhooks if config else []) if w.url == args.url), None)
        name = found.secret_env if found else "SLACKOPS_WEBHOOK_SECRET"
    secret = os.environ.get(name, "")
    if not secret:
        raise SlackopsError(f"the environment variable {name} (the signing secret) is not set")
    now = time.time()
    body = {"id": f"test:{int(now * 1000)}", "type": "test", "time": _when(now).replace(" UTC", "Z").replace(" ", "T"),
            "account": {"id": "example", "name": "Example"}, "data": {"note": "a sample event from slackops webhooks test"}}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    answer = post_signed(args.url, secret, raw, timeout=10.0)
    if answer.kind == "ok":
        print(f"{args.url}: HTTP {answer.status}: signed sample {body['id']} delivered")
        return 0
    raise SlackopsError(f"{args.url}: {answer.error or 'no answer'}: the sample was not taken")
