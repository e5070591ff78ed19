"""``slackops backup [--to DIR]`` and ``slackops restore FROM [--force]``.

Both use ``REDIS_URL`` (``redis://``, ``rediss://``, ``unix://``, ``redis+sentinel://``) or
the embedded server of ``SLACKOPS_DATA_DIR``; backups go to ``DATA_DIR/backups/`` unless
``--to`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("backup", help="write a consistent snapshot of the desk's Redis (RDB + manifest)")
    b.add_argument("--to", metavar="DIR", help="the folder to write it in (default: DATA_DIR/backups)")
    b.add_argument("--prefix", default=os.environ.get("SLACKOPS_PREFIX", "slackops"),
                   help="the desk's key prefix, for the manifest's counts (default slackops)")
    b.set_defaults(func=_backup)

    r = sub.add_parser("restore", help="load a backup into an empty Redis")
    r.add_argument("source", metavar="FROM", help="a backup folder (slackops-...Z) or its manifest.json")
    r.add_argument("--force", action="store_true",
                   help="restore into a Redis that holds keys: the backup's keys replace the same keys")
    r.set_defaults(func=_restore)


def backups_folder(settings: object) -> Path:
    return Path(getattr(settings, "data_dir", None) or ".slackops") / "backups"


def _backup(args: argparse.Namespace) -> int:
    from slackops.config import Settings
    from slackops.production.backup import take
    from slackops.requests.redis_server import connect

    settings = Settings.from_env()
    with connect(settings) as (client, description):
        print(f"using {description}", file=sys.stderr)
        path = take(client, args.to or backups_folder(settings), prefix=args.prefix)
    from slackops.production.backup import read_manifest

    _folder, manifest = read_manifest(path)
    c = manifest["counts"]
    print(f"{path}: {c['requests']} requests, {c['history']} history entries, {c['alarms']} pending alarms "
          f"({c['keys']} keys, {manifest['bytes']:,} bytes, Redis {manifest['redis_version']})")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from slackops.config import Settings
    from slackops.production.backup import restore
    from slackops.requests.redis_server import connect

    settings = Settings.from_env()
    with connect(settings) as (client, description):
        print(f"using {description}", file=sys.stderr)
        manifest = restore(args.source, client, force=args.force)
    got = manifest["restored"]
    print(f"restored {got['copied']} keys from the backup of {manifest['taken_at']}: "
          f"{got['requests']} requests, {got['history']} history entries, {got['alarms']} pending alarms")
    return 0
