"""The JSON Schemas of docs/webhooks/, checked against real events (the keywords they use:
type, const, enum, required, properties, items, minimum, maximum)."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks"
_TYPES = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float), "boolean": bool,
          "null": type(None)}


def schema(event_type: str) -> dict[str, Any]:
    return json.loads((DOCS / f"{event_type}.schema.json").read_text())


def problems(value: Any, s: dict[str, Any], at: str = "$") -> list[str]:
    out: list[str] = []
    if "const" in s and value != s["const"]:
        out.append(f"{at}: {value!r} is not {s['const']!r}")
    if "enum" in s and value not in s["enum"]:
        out.append(f"{at}: {value!r} is not one of {s['enum']}")
    if "type" in s:
        kinds = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(isinstance(value, _TYPES[k]) and not (k in ("integer", "number") and isinstance(value, bool))
                   for k in kinds):
            return out + [f"{at}: {value!r} is not {kinds}"]
    if s.get("format") == "date-time" and isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            out.append(f"{at}: {value!r} is not a date-time")
    if isinstance(value, dict):
        out += [f"{at}.{k}: missing" for k in s.get("required", []) if k not in value]
        for k, sub in s.get("properties", {}).items():
            if k in value:
                out += problems(value[k], sub, f"{at}.{k}")
    if isinstance(value, list) and "items" in s:
        for i, item in enumerate(value):
            out += problems(item, s["items"], f"{at}[{i}]")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in s and value < s["minimum"]:
            out.append(f"{at}: {value} < {s['minimum']}")
        if "maximum" in s and value > s["maximum"]:
            out.append(f"{at}: {value} > {s['maximum']}")
    return out


def example() -> ModuleType:
    """docs/webhooks/verify_example.py, the receiver the docs give."""
    spec = importlib.util.spec_from_file_location("verify_example", DOCS / "verify_example.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
