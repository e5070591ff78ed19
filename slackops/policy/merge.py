"""Policies that extend policies: the merge of a chain of policy documents, where each value
comes from, and the contract's version. Pure: documents in, a document out (the loader
reads the files).

A document that says ``extends: BASE`` gives only what differs from BASE:

- ``priorities`` merge by ``id``: a priority's fields key by key, its ``targets`` target by
  target (a target given replaces the inherited one whole); an ``escalation`` given
  replaces the ladder whole. An id the base does not have is a new priority, and must then
  give ``label``, ``rank`` and ``definition``;
- ``calendars`` merge by name (a calendar given replaces the inherited one whole);
- ``intake``, ``maintenance``, ``uptime`` and ``critical_notice_text`` merge key by key;
- everything else (``categories``, ``languages``, ``title``, ``timezone``, ``warn_at`` ...)
  replaces; ``name`` is never inherited;
- ``null`` removes an inherited value: the field is then as if never written (its default,
  or none), except where null is itself a value (``intake.close_unconfirmed_after: null``:
  a resolved request waits for its customer).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from slackops.policy.durations import parse_duration
from slackops.policy.schema import PolicyFile

__all__ = ["Origin", "Layer", "compose", "strip_nulls", "origin_of", "id_path", "contract_version"]

T = TypeVar("T")

#: Sections merged key by key.
KEYED = ("intake", "maintenance", "uptime", "critical_notice_text")
#: What a new priority must give (an existing one inherits them).
PRIORITY_REQUIRED = ("label", "rank", "definition")


@dataclass(frozen=True)
class Origin:
    """Where values come from: ``label`` names it to people ("comensure", "contracts/acme.yml",
    "config.yml: accounts[acme].policy"); an error in it reads ``{file}: {prefix}{path}: ...``."""

    label: str
    file: str
    prefix: str = ""

    def where(self, path: str) -> str:
        return f"{self.file}: {self.prefix}{path}" if path else f"{self.file}: {self.prefix.rstrip('.') or '(top level)'}"


@dataclass(frozen=True)
class Layer:
    """One document of a chain, as written (``extends`` included)."""

    origin: Origin
    doc: dict[str, Any]


def compose(layers: list[Layer]) -> tuple[dict[str, Any], dict[str, Origin], list[str]]:
    """The merged document of ``layers`` (the base first), the origin of each value by value
    path (``priorities.P1.targets.first_response``, ``intake.phi_guard``), and the problems
    of the merge itself (a priority without an id, an unknown id that is no new priority),
    one ``file: path: reason`` line each."""
    doc: dict[str, Any] = {}
    prov: dict[str, Origin] = {}
    problems: list[str] = []
    for n, layer in enumerate(layers):
        if n:
            doc.pop("name", None)
            prov.pop("name", None)
        _apply(doc, prov, layer, problems)
    return doc, prov, problems


def _set(prov: dict[str, Origin], path: str, origin: Origin) -> None:
    for key in [k for k in prov if k.startswith(path + ".")]:
        del prov[key]
    prov[path] = origin


def _apply(doc: dict[str, Any], prov: dict[str, Origin], layer: Layer, problems: list[str]) -> None:
    o = layer.origin
    for key, value in layer.doc.items():
        if key == "extends":
            continue
        base = doc.get(key)
        if key == "priorities" and isinstance(value, list) and isinstance(base, (list, type(None))):
            doc[key] = _priorities(list(base or []), value, prov, o, problems)
        elif key in (*KEYED, "calendars") and isinstance(value, dict) and isinstance(base, (dict, type(None))):
            merged = dict(base or {})
            for sub, v in value.items():
                merged[sub] = v
                _set(prov, f"{key}.{sub}", o)
            doc[key] = merged
            prov.pop(key, None)
        else:
            doc[key] = value
            _set(prov, key, o)


def _priorities(base: list[Any], over: list[Any], prov: dict[str, Origin], o: Origin,
                problems: list[str]) -> list[Any]:
    out = [dict(p) if isinstance(p, dict) else p for p in base]
    by_id = {p.get("id"): i for i, p in enumerate(out) if isinstance(p, dict)}
    known = [str(k) for k in by_id]
    for j, item in enumerate(over):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(f"{o.where(f'priorities[{j}]')}: give the id of the priority it sets "
                            f"(e.g. {{id: P1, targets: {{first_response: 30 minutes}}}})")
            continue
        pid = item["id"]
        if pid in by_id:
            target = out[by_id[pid]]
        else:
            missing = [f for f in PRIORITY_REQUIRED if f not in item]
            if known and missing:
                close = [k for k in known if k.lower() == pid.lower()] or difflib.get_close_matches(pid, known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(
                    f"{o.where(f'priorities.{pid}')}: {pid!r} is not a priority it inherits ({hint}"
                    f"{', '.join(known)}); a new priority gives {', '.join(PRIORITY_REQUIRED)} "
                    f"({', '.join(missing)} missing)")
                continue
            target = {"id": pid}
            by_id[pid] = len(out)
            out.append(target)
            prov[f"priorities.{pid}.id"] = o
        for field, v in item.items():
            if field == "id":
                continue
            path = f"priorities.{pid}.{field}"
            inherited = target.get(field)
            if field == "targets" and isinstance(v, dict) and isinstance(inherited, (dict, type(None))):
                targets = dict(inherited or {})
                for kind, t in v.items():
                    targets[kind] = t
                    _set(prov, f"{path}.{kind}", o)
                target[field] = targets
                prov.pop(path, None)
            else:
                target[field] = v
                _set(prov, path, o)
    return out


# --------------------------------------------------------------------------- nulls


def strip_nulls(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` without the nulls that stand for "removed" (the field then takes its
    default); nulls stay where a field takes null as a value."""
    out = _strip(doc, PolicyFile)
    return out if isinstance(out, dict) else doc


def _strip(value: Any, annotation: Any) -> Any:
    model = _model(annotation)
    if isinstance(value, dict) and model is not None:
        out = {}
        for key, v in value.items():
            field = model.model_fields.get(key)
            if field is None:
                out[key] = v
            elif v is None:
                if _nullable(field.annotation):
                    out[key] = None
            else:
                out[key] = _strip(v, field.annotation)
        return out
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _strip(value, args[0])
    if origin is list and isinstance(value, list) and args:
        return [_strip(v, args[0]) for v in value if v is not None]
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return {k: _strip(v, args[1]) for k, v in value.items() if v is not None}
    return value


def _model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _model(args[0])
    return None


def _nullable(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


# --------------------------------------------------------------------------- errors


def id_path(path: str, doc: dict[str, Any]) -> str:
    """``priorities[0].targets`` as ``priorities.P1.targets`` (the id of that priority in ``doc``)."""
    m = re.match(r"^priorities\[(\d+)\]", path)
    prios = doc.get("priorities")
    if m and isinstance(prios, list) and int(m.group(1)) < len(prios):
        p = prios[int(m.group(1))]
        if isinstance(p, dict) and isinstance(p.get("id"), str):
            return f"priorities.{p['id']}{path[m.end():]}"
    return path


def origin_of(path: str, prov: Mapping[str, T]) -> T | None:
    """The origin of the value at ``path`` (or of the nearest value that holds it)."""
    parts = [p for p in re.split(r"[.\[\]]+", path) if p]
    for k in range(len(parts), 0, -1):
        hit = prov.get(".".join(parts[:k]))
        if hit is not None:
            return hit
    return None


# --------------------------------------------------------------------------- version


def contract_version(spec: PolicyFile) -> str:
    """12 hex digits of the SHA-256 of the terms of ``spec`` as canonical JSON: the same
    for the same terms however they are written (key order, short or long forms, "60
    minutes" or "1 hour", a value given that equals the inherited one); the policy's name
    and its notes on its source (``seed``, ``defaults``) are not terms."""
    data = spec.model_dump(mode="json", exclude={"name", "seed", "defaults"})
    data["priorities"] = sorted(data["priorities"], key=lambda p: p["rank"])
    text = json.dumps(_canonical(data, ""), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


_DURATION_KEYS = {"duration", "after", "close_unconfirmed_after", "remind_unconfirmed_before",
                  "notice_outside_window", "reminders"}


def _canonical(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v, key) for v in value]
    if isinstance(value, str) and key in _DURATION_KEYS:
        d = parse_duration(value)
        if d.unit == "days":
            return f"{d.amount:g} {'business ' if d.business else ''}days"
        seconds = d.as_timedelta().total_seconds()
        return f"{seconds:g} {'business ' if d.business else ''}seconds"
    return value
