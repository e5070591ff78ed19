"""The support desk as the Slack listeners see it: the store, the configuration, the Web
API client and the directory, with the few things several listeners share (work after the
ack, opening a form, telling one person something).

Bolt puts one Desk in every request's ``context["desk"]``; listeners ask for ``desk`` by
name. A listener's durable change is one write to the store; what it calls for in Slack
(the card, thread notices, DMs) is published from the store's history by the workers
(slackops.workers.publisher), exactly once. The desk itself only answers the person in front of
it: forms (views.open) and ephemeral messages, after the ack.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slackops.config import Account, Config, Settings
from slackops.errors import SlackopsError
from slackops.notices.i18n import t
from slackops.notices.outbox import Outbox
from slackops.slack.auth import Directory

if TYPE_CHECKING:
    from slackops.notices.notice import Notice
    from slackops.notices.outbox import Outbox
    from slackops.policy import Policy
    from slackops.requests import Request, RequestStore

__all__ = ["Desk"]

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


FOLLOW_UP_THREADS = 4
"""Threads for work after the ack that is not urgent (see Desk.later)."""

URGENT_THREADS = 4
"""Threads that open forms after the ack (views.open must beat the trigger's 3 s)."""

def card_channel(req: Request) -> str:
    """Where the card (and so the thread) is: the shared channel unless the store says otherwise."""
    return cast(str, getattr(req, "card_channel", None) or req.channel)  # a request with a card has a channel


@dataclass
class Desk:
    settings: Settings
    config: Config
    store: RequestStore
    client: WebClient
    directory: Directory
    clock: Callable[[], datetime] = _utcnow
    vendor_name: str = "Support"
    follow_ups: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(
        max_workers=FOLLOW_UP_THREADS, thread_name_prefix="slackops-follow-up"), repr=False)
    urgent: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(
        max_workers=URGENT_THREADS, thread_name_prefix="slackops-views"), repr=False)
    _pending: int = field(default=0, repr=False)
    _pending_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _outbox: Outbox | None = field(default=None, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def later(self, fn: Callable[..., Any], *args: Any, who: tuple[str | None, str | None] | None = None,
              urgent: bool = False, **kw: Any) -> None:
        """Run work after the ack, off the listener threads: answers to the person in front
        of the app (forms, ephemerals, the Home tab, a manager's DM buttons). Nothing that
        must last goes here: cards, thread notices and DMs are published from the store's
        history by the workers. A small pool keeps a burst of follow-ups from starving the
        acks behind it. ``urgent`` work (opening a form: its trigger_id expires 3 s after
        the click) has its own pool. ``who`` is (user, channel) to tell politely if it
        fails unexpectedly."""

        def run() -> None:
            try:
                fn(*args, **kw)
            except Exception as e:
                if isinstance(e, SlackopsError) and who and who[0]:
                    self.tell(who[0], str(e), channel=who[1])
                    return
                ref = uuid.uuid4().hex[:8]
                rid = next((getattr(a, "id", None) for a in args if hasattr(a, "id")), None) or kw.get("request_id", "-")
                log.error("request %s: follow-up %s failed (ref %s)", rid, getattr(fn, "__name__", fn), ref, exc_info=e)
                if who and who[0]:
                    self.tell(who[0], t("en", "error.unexpected", ref=ref), channel=who[1])

        with self._pending_lock:
            self._pending += 1
        future = (self.urgent if urgent else self.follow_ups).submit(run)
        future.add_done_callback(self._done)

    def _done(self, _future: Any) -> None:
        with self._pending_lock:
            self._pending -= 1

    @property
    def pending(self) -> int:
        """Follow-ups not yet done (GET /healthz shows it: a backlog that keeps growing is trouble)."""
        return self._pending

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait for the follow-ups to finish (a clean shutdown); False if some are still running."""
        import time

        deadline = time.monotonic() + timeout
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._pending

    def open_view(self, trigger_id: str, view: dict[str, Any] | Callable[[], dict[str, Any]], *, user: str | None,
                  channel: str | None, request_id: str | None = None) -> None:
        """views.open after the ack, in the urgent pool (the trigger expires in 3 s). ``view``
        may be a function that builds it: a large form (the intake form lists the policy's
        priorities with their definitions) is then built after the ack, not before it."""
        self.later(self._open_view_now, trigger_id, view, who=(user, channel), urgent=True, request_id=request_id)

    def _open_view_now(self, trigger_id: str, view: dict[str, Any] | Callable[[], dict[str, Any]],
                       request_id: str | None = None) -> None:
        self.client.views_open(trigger_id=trigger_id, view=view() if callable(view) else view)

    # -- look-ups --------------------------------------------------------------------
    def policy(self, name: str) -> Policy:
        """The desk's policy (with the operator's closures), from the registry it shares
        with its store."""
        return self.store.policies.get(name)

    def account(self, account_id: str) -> Account | None:
        return self.config.account(account_id)

    def account_for_channel(self, channel_id: str | None) -> Account | None:
        return self.config.account_for_channel(channel_id) if channel_id else None

    def policy_of(self, req: Request) -> Policy:
        return self.policy(req.policy)

    def once(self, key: str, ttl_seconds: int = 86400) -> bool:
        """True the first time ``key`` is seen (store.first_delivery): gates side effects
        that a redelivery must not repeat."""
        return bool(self.store.first_delivery(key, ttl_seconds=ttl_seconds))

    def find_by_thread(self, channel: str, thread_ts: str) -> Request | None:
        """The open request whose card is the root of this thread (None for any other thread)."""
        return self.store.find_by_card(channel, thread_ts)

    def queue(self, *notices: Notice) -> int:
        """Hand messages to the outbox (slackops.notices.outbox): posted exactly once, even
        if this process dies right after. Returns how many were new."""
        if self._outbox is None:
            self._outbox = Outbox(self.store.redis, self.client, self.store.keys.prefix)
        return int(self._outbox.add_many(list(notices)))

    def tell(self, user_id: str, text: str, *, channel: str | None = None) -> None:
        """An ephemeral in ``channel`` when there is one, else a DM (App Home, modals);
        sent after the ack (urgent pool)."""
        self.later(self.tell_now, user_id, text, channel=channel, urgent=True)

    def tell_now(self, user_id: str, text: str, *, channel: str | None = None) -> None:
        try:
            if channel and not channel.startswith("D"):
                self.client.chat_postEphemeral(channel=channel, user=user_id, text=text)
            else:
                self.client.chat_postMessage(channel=user_id, text=text)
        except SlackApiError as e:
            log.warning("could not tell %s: %s", user_id, e.response.get("error"))

    def contacts_line(self, account: Account) -> str:
        people = account.contacts or []
        return ", ".join(f"<@{u}>" for u in people) if people else t("en", "refuse.no_contacts")
