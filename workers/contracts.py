"""At a worker's start: open requests whose account's contract changed are re-planned.

Each account with its own contract (``policy: {extends: ...}`` in the configuration, named
``account:<id>``) has a version (``Policy.version``, a hash of its terms); each request
records the version it was opened under. The text of every version a worker has run with is
kept in Redis (``{prefix}:w:contracts:{account}:{version}``), so that the old terms can be
read again. At the next start after a change, each open request still on an older version is
re-planned from its submission under the new terms, with one ``contract_changed`` entry
(actor ``system``, idempotent on the request and the new version): what was decided under
the old terms (met, or breached) stays so, and the entry lists what moved. Its alarms are
recomputed in the same write: a target the new terms make already due is alerted by the
sweep as any other.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slackops.policy import load
from slackops.policy.loader import contract_text
from slackops.requests import DomainError, Event
from slackops.requests.contracts import freeze, judged, version_of

if TYPE_CHECKING:
    from slackops.policy import Checkpoint

    from .context import WorkerContext

__all__ = ["replan", "text_key"]

log = logging.getLogger("slackops.workers.contracts")


#: The text of an account contract's version, kept by every worker that runs with it (no TTL:
#: a request opened under it may be re-planned from it years later).
CONTRACT_TEXT = "{prefix}:w:contracts:{account}:{version}"


def text_key(prefix: str, account: str, version: str) -> str:
    return CONTRACT_TEXT.format(prefix=prefix, account=account, version=version)


def _moved(old: list[Checkpoint], new: list[Checkpoint], frozen: dict[str, Any]) -> list[dict[str, Any]]:
    before = {c.key: c for c in old}
    after = {c.key: c for c in new}
    out = []
    for key in sorted(set(before) | set(after), key=lambda k: (after.get(k) or before[k]).due_at):
        b, a = before.get(key), after.get(key)
        if key in frozen:
            continue  # decided under the old terms: it stays as it was
        if b is not None and a is not None and b.due_at == a.due_at and b.target == a.target:
            continue
        out.append({"key": key, "from_target": b.target if b else None, "to_target": a.target if a else None,
                    "from_due": b.due_at.isoformat() if b else None, "to_due": a.due_at.isoformat() if a else None})
    return out


def replan(ctx: WorkerContext, now: datetime | None = None) -> int:
    """Re-plan every open request whose account's contract changed; returns how many."""
    now = now or datetime.now(UTC)
    done = 0
    for acct in ctx.config.accounts:
        text = contract_text(acct.policy)
        if text is None:
            continue  # a preset or a policy file: no contract of its own
        policy = ctx.store.policy(acct.policy)
        ctx.redis.set(text_key(ctx.prefix, acct.id, policy.version), text, nx=True)
        for req in ctx.store.list(account=acct.id, open_only=True):
            was = version_of(req)
            if was == policy.version or req.policy != acct.policy:
                continue  # up to date, or judged under terms it names itself (a preset, a file)
            old_text = ctx.redis.get(text_key(ctx.prefix, acct.id, was)) if was else None
            old_terms = load(old_text.decode()) if old_text else None
            facts = req.timeline_facts()
            new_cps = policy.timeline(**facts, now=now)
            old_cps = judged(req, old_terms.timeline(**facts, now=now)) if old_terms else []
            frozen = {c.key: freeze(c) for c in old_cps if c.state in ("met", "breached")}
            data = {"from": was, "to": policy.version, "moved": _moved(old_cps, new_cps, frozen), "frozen": frozen}
            try:
                ctx.store.apply(req.id, Event("contract_changed", "system", now, data),
                                idempotency_key=f"contract:{req.id}:{policy.version}")
            except DomainError as e:  # it closed meanwhile: nothing to re-plan
                log.info("%s: not re-planned: %s", req.id, e)
                continue
            done += 1
            log.info("%s: re-planned under %s's contract %s (was %s)", req.id, acct.id, policy.version, was)
    return done
