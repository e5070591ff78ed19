"""The state machine's guards, shared by the lifecycle (:mod:`.model`) and the agents'
records (:mod:`.records`): a change a closed or resolved request refuses, and a change
missing what it needs. Each raises :class:`DomainError` with a sentence a person
understands ("ACME-12 is already resolved")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slackops.errors import DomainError

if TYPE_CHECKING:
    from slackops.requests.model import Event, Request

__all__ = ["refuse_if_done", "need"]


def refuse_if_done(req: Request, doing: str | None = None) -> None:
    """Refuse a change to a closed request, or to a resolved one (``doing``: what the change
    would do, said in the refusal; a resolved request is to be reopened first)."""
    if req.status == "closed":
        raise DomainError(f"{req.id} is closed" + (f"; it cannot be {doing}" if doing else ""))
    if req.status == "resolved":
        raise DomainError(f"{req.id} is already resolved" + ("; reopen it first" if doing else ""))


def need(ev: Event, key: str, message: str, req: Request) -> Any:
    """``ev.data[key]``, or DomainError(message with ``{id}`` filled in)."""
    value = ev.data.get(key)
    if value in (None, ""):
        raise DomainError(message.format(id=req.id))
    return value
