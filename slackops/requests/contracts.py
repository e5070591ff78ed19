"""Contract versions (pure): which terms a request is judged under, and what a change of
its account's contract moved.

A request records the version of its contract (``Policy.version``, a hash of the terms)
when it is opened: in its ``submitted`` entry and in ``fields["contract"]``. When the
account's contract changes, the workers re-plan its open requests from their submission
under the new terms (``contract_changed``, slackops.workers.contracts): a checkpoint already
decided under the old terms (met, or breached) keeps that verdict, frozen in
``fields["contract"]["frozen"]``; one still pending is judged by the new terms. The
``contract_changed`` entry says what moved (each checkpoint's target and due instant,
before and after).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slackops.errors import DomainError
from slackops.policy.timeline import Checkpoint

if TYPE_CHECKING:
    from .model import Event, Request, Rules

__all__ = ["changed", "freeze", "judged", "version_of"]


def version_of(req: Request) -> str | None:
    """The version of the contract the request is judged under (None: opened before versions
    were recorded)."""
    found = (req.fields or {}).get("contract")
    return str(found.get("version")) if isinstance(found, dict) and found.get("version") else None


def freeze(cp: Checkpoint) -> dict[str, Any]:
    return {"kind": cp.kind, "state": cp.state, "due_at": cp.due_at.isoformat(),
            "met_at": cp.met_at.isoformat() if cp.met_at else None, "target": cp.target,
            "priority": cp.priority, "calendar": cp.calendar, "level": cp.level}


def judged(req: Request, checkpoints: list[Checkpoint]) -> list[Checkpoint]:
    """``checkpoints`` (the policy's timeline under today's terms) with the verdicts frozen
    at a contract change put back: what was decided under the old terms stays decided."""
    found = (req.fields or {}).get("contract")
    frozen = found.get("frozen") if isinstance(found, dict) else None
    if not frozen:
        return checkpoints
    out = []
    seen = set()
    for cp in checkpoints:
        f = frozen.get(cp.key)
        if f is not None:
            seen.add(cp.key)
            cp = replace(cp, state=f["state"], due_at=datetime.fromisoformat(f["due_at"]),
                         met_at=datetime.fromisoformat(f["met_at"]) if f.get("met_at") else None,
                         target=f.get("target") or cp.target, warn_at=())
        out.append(cp)
    if len(seen) < len(frozen):  # decided under the old terms, gone from the new ones: still counted
        for key, f in frozen.items():
            if key not in seen:
                out.append(Checkpoint(kind=f["kind"], key=key, due_at=datetime.fromisoformat(f["due_at"]),
                                       state=f["state"], met_at=datetime.fromisoformat(f["met_at"]) if f.get("met_at")
                                       else None, target=f.get("target") or "", priority=f.get("priority") or "",
                                       calendar=f.get("calendar") or "", level=f.get("level")))
    return sorted(out, key=lambda c: c.due_at)


def changed(req: Request, ev: Event, rules: Rules) -> dict[str, Any]:
    """``contract_changed``: the request is judged under version ``to`` from now on; the
    verdicts in ``frozen`` (checkpoint key -> :func:`freeze`) stay as they were."""
    to = ev.data.get("to")
    if not to:
        raise DomainError(f"{req.id}: a contract change names the version it changes to")
    before = (req.fields or {}).get("contract")
    frozen = dict(before.get("frozen") or {}) if isinstance(before, dict) else {}
    frozen.update(ev.data.get("frozen") or {})
    contract = {"version": str(to), "since": ev.at.isoformat(), **({"frozen": frozen} if frozen else {})}
    return {"fields": {**(req.fields or {}), "contract": contract}}
