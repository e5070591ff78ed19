"""``slackops backup [--to DIR]``, ``slackops restore FROM [--force]`` and
``slackops requests archive [--older-than DAYS]`` (with ``requests show``'s look in the
archive for a request closed long ago).

Both use ``REDIS_URL`` (``redis://``, ``rediss://``, ``unix://``, ``redis+sentinel://``) or
the embedded server of ``SLACKOPS_DATA_DIR``; backups go to ``DATA_DIR/backups/`` unless
``--to`` says otherwise.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slackops.config import PREFIX_HELP
from slackops.requests.cli import common, with_store

__all__ = ["register", "register_requests"]


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("backup", help="write a consistent snapshot of the desk's Redis (RDB + manifest)")
    b.add_argument("--to", metavar="DIR", help="the folder to write it in (default: DATA_DIR/backups)")
    b.add_argument("--prefix", metavar="PREFIX", help=PREFIX_HELP + "; for the manifest's counts")
    b.set_defaults(func=_backup)

    r = sub.add_parser("restore", help="load a backup into an empty Redis")
    r.add_argument("source", metavar="FROM", help="a backup folder (slackops-...Z) or its manifest.json")
    r.add_argument("--force", action="store_true",
                   help="restore into a Redis that holds keys: the backup's keys replace the same keys")
    r.set_defaults(func=_restore)


def register_requests(rsub: argparse._SubParsersAction) -> None:
    """Add ``archive`` to the ``slackops requests`` sub-commands, and the archive to
    ``show``'s look-up."""
    p = rsub.add_parser("archive", help="move closed requests past the retention age to the archive")
    p.add_argument("--older-than", type=int, metavar="DAYS",
                   help="days since closing (default: the configuration's retention.closed_days, 400)")
    p.add_argument("--rebuild-index", action="store_true",
                   help="first find closed requests by reading every request (a desk from before the closed index)")
    common(p)
    p.set_defaults(func=_archive_closed)
    rsub.choices["show"].set_defaults(find_archived=_find_archived)


def _archive() -> Any:
    from slackops.config import Settings
    from slackops.production.retention import Archive, archive_folder

    return Archive(archive_folder(Settings.from_env()))


def _find_archived(request_id: str) -> Any:
    found = _archive().find(request_id)
    if found is not None:
        print(f"(from the archive, {found.file})", file=sys.stderr)
    return found


def _archive_closed(args: argparse.Namespace) -> int:
    from slackops.production.retention import backfill_closed_index, retire

    def action(store: Any) -> int:
        if args.rebuild_index:
            print(f"{backfill_closed_index(store)} closed requests added to the closed index")
        days = args.older_than or store.config.retention.closed_days
        archive = _archive()
        done = retire(store, archive, datetime.now(UTC), older_than_days=days)
        print(f"{done['removed']} requests closed more than {days} days ago moved to {archive.folder}/"
              + (f" ({done['changed']} changed meanwhile: next run)" if done["changed"] else ""))
        return 0

    return with_store(args, action)


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
