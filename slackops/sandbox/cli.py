"""``slackops sandbox``: the whole desk in a browser, with no Slack workspace."""

from __future__ import annotations

import argparse

from slackops.sandbox.run import DEFAULT_DATA_DIR

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``sandbox`` to the ``slackops`` parser."""
    p = sub.add_parser("sandbox", help="the desk in a browser: the app, a worker and a stand-in for Slack, no workspace")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--config", help="a configuration file (default: the demo desk shipped with slackops)")
    which.add_argument("--grid", action="store_true",
                       help="the demo desk of a vendor on Enterprise Grid: the app installed org-wide, agents in two "
                            "workspaces of the organisation, customers from a plain workspace and from another one")
    p.add_argument("--port", type=int, default=8080, help="the page's port (default 8080; 0: any free port)")
    p.add_argument("--host", default="127.0.0.1", help="the page's address (default 127.0.0.1)")
    p.add_argument("--no-browser", action="store_true", help="print the page's address, do not open a browser")
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR,
                   help=f"the sandbox's own folder: its Redis and its Slack (default {DEFAULT_DATA_DIR})")
    p.set_defaults(func=_sandbox)


def _sandbox(args: argparse.Namespace) -> int:
    import logging

    from slackops.sandbox.run import Sandbox, grid_demo

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("waitress").setLevel(logging.ERROR)  # closing kept-alive page connections on exit
    return Sandbox(config_path=grid_demo() if args.grid else args.config, host=args.host, port=args.port, data_dir=args.data_dir).serve(
        open_browser=not args.no_browser)
