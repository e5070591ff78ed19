"""Compact encodings of requests and events for Redis.

A request is one JSON string with short field names, instants as epoch milliseconds and
empty fields left out (memory: 100,000 open requests must fit in 1.6 KB each with their
history and index entries). The version and the write count come first
(``{"v":3,"w":4,"id":"ACME-3",...``) so that the store's Lua script can check them without
parsing the rest; the ids of the request's history entries come last (``"h":[...]``) so that
the script can append the new one.

``v`` (``Request.version``) counts events; ``w`` counts every write, including those that
record no event (``set_card``): writes compare-and-set on ``w``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from slackops.requests.model import Event, Request, Status

__all__ = ["Stored", "body_text", "decode_request", "encode_event", "decode_event", "to_ms", "from_ms", "account_of"]


class Stored(NamedTuple):
    """A request as stored: the request, its alarm suffixes, its history entry ids, its write count."""

    request: Request
    alarms: list[str]
    entries: list[str]
    writes: int


def to_ms(at: datetime) -> int:
    return int(round(at.timestamp() * 1000))


def from_ms(ms: int | float | str) -> datetime:
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC)


def _ms(at: datetime | None) -> int | None:
    return None if at is None else to_ms(at)


def _t(ms: Any) -> datetime | None:
    return None if ms is None else from_ms(ms)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def request_body(req: Request, alarms: list[str]) -> dict[str, Any]:
    """Every field but ``v``, ``id`` and ``h``, short names, empties left out."""
    # Left out as well: the account (the id's prefix), the calendar "default", the language
    # "en" and the status "submitted", the values the decoder assumes.
    d: dict[str, Any] = {
        "po": req.policy, "ca": None if req.calendar == "default" else req.calendar,
        "la": None if req.language == "en" else req.language,
        "pr": req.priority, "ti": req.title, "de": req.description, "f": dict(req.fields),
        "s": None if req.status is Status.submitted else req.status.value, "as": req.assignee, "sa": to_ms(req.submitted_at),
        "sb": req.submitted_by, "ch": req.channel, "ct": req.card_ts, "cc": req.card_channel,
        "tc": req.triage_channel, "tt": req.triage_ts,
        "ak": _ms(req.acknowledged_at), "fr": _ms(req.first_response_at),
        "wa": _ms(req.workaround_at), "ra": _ms(req.resolved_at), "rs": req.resolution,
        "pa": _ms(req.plan_at), "cn": _ms(req.critical_notice_at),
        "up": [to_ms(u) for u in req.updates],
        "wt": [[to_ms(s), _ms(e)] for s, e in req.waiting],
        "pc": [[to_ms(at), frm, to, why] for at, frm, to, why in req.priority_changes],
        "el": req.escalation_level, "ea": req.escalation_acknowledged,
        "ek": [[lvl, to_ms(at), who] for lvl, at, who in req.escalation_acks],
        "ce": _ms(req.customer_escalated_at), "cg": req.category,
        "cl": _ms(req.closed_at), "so": None if req.source == "command" else req.source,
        "ap": _ms(req.appealed_at), "ia": _ms(req.identified_at), "no": dict(req.notes), "al": alarms,
    }
    return {k: v for k, v in d.items() if v not in (None, "", [], {}, 0)}


def account_of(request_id: str) -> str:
    """``ACME-3`` -> ``acme`` (account ids have no dash)."""
    return request_id.rsplit("-", 1)[0].lower()


def body_text(req: Request, alarms: list[str], history: list[str]) -> str:
    """The JSON after ``{"v":N,"w":N,"id":"X"``, up to ``"h":[`` and the known entries.

    The store's script completes it with the new history entry id (if any) and ``]}``.
    """
    body = _dumps(request_body(req, alarms))[1:-1]
    hist = ",".join(f'"{h}"' for h in history)
    return f',{body},"h":[{hist}'


def decode_request(raw: bytes | str) -> Stored:
    """The request, its alarm suffixes, history entry ids and write count, from the stored JSON."""
    d = json.loads(_text(raw))
    req = Request(
        id=d["id"], account=d.get("ac") or account_of(d["id"]), policy=d["po"], calendar=d.get("ca", "default"),
        language=d.get("la", "en"), priority=d["pr"], title=d.get("ti", ""),
        description=d.get("de", ""), fields=d.get("f", {}), status=Status(d.get("s", "submitted")),
        assignee=d.get("as"), submitted_at=from_ms(d["sa"]), submitted_by=d.get("sb", ""),
        channel=d.get("ch"), card_ts=d.get("ct"), card_channel=d.get("cc"), version=d["v"],
        triage_channel=d.get("tc"), triage_ts=d.get("tt"),
        acknowledged_at=_t(d.get("ak")), first_response_at=_t(d.get("fr")),
        workaround_at=_t(d.get("wa")), resolved_at=_t(d.get("ra")), resolution=d.get("rs"),
        plan_at=_t(d.get("pa")), critical_notice_at=_t(d.get("cn")),
        updates=tuple(from_ms(u) for u in d.get("up", ())),
        waiting=tuple((from_ms(s), _t(e)) for s, e in d.get("wt", ())),
        priority_changes=tuple((from_ms(at), frm, to, why) for at, frm, to, why in d.get("pc", ())),
        escalation_level=d.get("el", 0), escalation_acknowledged=d.get("ea", 0),
        escalation_acks=tuple((lvl, from_ms(at), who) for lvl, at, who in d.get("ek", ())),
        customer_escalated_at=_t(d.get("ce")),
        category=d.get("cg"), closed_at=_t(d.get("cl")), source=d.get("so", "command"),
        appealed_at=_t(d.get("ap")), identified_at=_t(d.get("ia")), notes=d.get("no", {}),
    )
    return Stored(req, list(d.get("al", ())), list(d.get("h", ())), int(d.get("w", d["v"])))


def encode_event(event: Event) -> str:
    d: dict[str, Any] = {"t": event.type, "a": event.actor, "at": to_ms(event.at)}
    if event.data:
        d["d"] = event.data
    return _dumps(d)


def decode_event(raw: bytes | str, entry_id: str | None = None) -> Event:
    d = json.loads(_text(raw))
    return Event(type=d["t"], actor=d["a"], at=from_ms(d["at"]), data=d.get("d", {}), id=entry_id)
