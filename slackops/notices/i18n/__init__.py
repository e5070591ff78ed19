"""English and Italian strings: ``t(lang, key, **kw)``.

Strings live in ``en.yml`` / ``it.yml`` next to this file. A key missing in a language
falls back to English; a key missing everywhere is a bug and raises KeyError.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["LANGUAGES", "t", "strings"]

LANGUAGES = ("en", "it")
_DIR = Path(__file__).parent


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = str(v)
    return out


@cache
def strings(lang: str) -> dict[str, str]:
    path = _DIR / f"{lang}.yml"
    if not path.exists():
        return {}
    return _flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def t(lang: str | None, key: str, **kw: Any) -> str:
    table = strings(lang or "en")
    text = table.get(key)
    if text is None:
        text = strings("en")[key]
    if not kw:
        return text
    out = text.format(**kw)
    for v in kw.values():
        # "Rossi S.p.A." ending a sentence: one period, not two (also around mrkdwn's *bold*)
        if isinstance(v, str) and len(v) > 1 and v.endswith(".") and not v.endswith(".."):
            out = out.replace(v + ".", v).replace(v + "*.", v + "*")
    return out
