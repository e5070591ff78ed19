"""Reading policy files: the packaged presets by name, or any YAML file by path.

A bad file is refused with one line per problem, ``file: path.to.field: reason``, never a
traceback (YAML syntax, unknown fields, bad durations, names that refer to nothing).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from slackops.policy import schema
from slackops.policy.common import PolicyError, parse_closure
from slackops.policy.model import Policy, build_policy
from slackops.policy.schema import PolicyFile, check_references

__all__ = ["load", "load_file", "list_presets", "preset_path", "parse_policy_text"]

_PRESETS = "presets"


def list_presets() -> list[str]:
    """Names of the presets that ship with slackops, sorted."""
    folder = resources.files("slackops.policy") / _PRESETS
    return sorted(p.name[: -len(".yml")] for p in folder.iterdir() if p.name.endswith(".yml"))


def preset_path(name: str) -> Path:
    return Path(str(resources.files("slackops.policy") / _PRESETS / f"{name}.yml"))


def load(name_or_path: str | os.PathLike[str], *, closures: Iterable[Any] = ()) -> Policy:
    """A preset by name (``"comensure"``) or a policy file by path; PolicyError if invalid.

    ``closures``: the operator's closure dates (config ``closures``), added to the
    calendars that declare ``closures_from_config: true`` (Interzen's summer and
    Christmas closures, which "will be communicated from time to time").
    """
    text = os.fspath(name_or_path)
    try:
        extra = tuple(_closure_key(c) for c in closures)
    except (ValueError, TypeError) as e:
        raise PolicyError(f"closures: {e}") from None
    if text in list_presets():
        return _load_cached(str(preset_path(text)), None, extra)
    else:
        path = Path(text)
        if not path.is_file():
            if path.suffix in (".yml", ".yaml") or os.sep in text or "/" in text:
                raise PolicyError(f"{text}: no such policy file")
            close = difflib.get_close_matches(text, list_presets(), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise PolicyError(
                f"{text!r} is not a preset ({hint}presets: {', '.join(list_presets())}) nor a policy file"
            )
        st = path.stat()
        return _load_cached(str(path), (st.st_mtime_ns, st.st_size), extra)


def _closure_key(c: Any) -> str:
    """A closure as text (hashable, for the cache): "2026-08-10" or "2026-08-10..2026-08-21"."""
    if isinstance(c, (tuple, list)):
        first, last = (parse_closure(x) for x in c)
        return f"{first}..{last}"
    parsed = parse_closure(c)
    return f"{parsed[0]}..{parsed[1]}" if isinstance(parsed, tuple) else str(parsed)


@lru_cache(maxsize=128)
def _load_cached(path: str, stamp: tuple[int, int] | None, closures: tuple[str, ...] = ()) -> Policy:
    if closures:
        return _load_cached(path, stamp).with_closures(closures)
    return load_file(path)


def load_file(path: str | os.PathLike[str]) -> Policy:
    """Read and validate one policy file (no cache)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{p}: no such policy file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyError(f"{p}: cannot be read ({e.__class__.__name__}: {e})") from None
    return parse_policy_text(text, source=str(p), name=p.stem)


def parse_policy_text(text: str, *, source: str = "<policy>", name: str = "policy") -> Policy:
    """Validate a policy given as YAML text; ``source`` names it in messages."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise PolicyError(f"{source}: not valid YAML{where}: {problem}") from None
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: (top level): must be a mapping (title, timezone, priorities, ...)")
    try:
        spec = PolicyFile.model_validate(raw)
    except ValidationError as e:
        raise PolicyError(format_errors(source, e, raw)) from None
    problems = check_references(spec)
    if problems:
        raise PolicyError("\n".join(f"{source}: {line}" for line in problems))
    return build_policy(spec, name=name, source=source)


# --------------------------------------------------------------------------- messages


def _known_fields() -> list[str]:
    names: set[str] = set()
    for obj in vars(schema).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            names.update(obj.model_fields)
    return sorted(names)


def _lookup(raw: Any, loc: tuple[Any, ...]) -> tuple[bool, Any]:
    cur = raw
    for part in loc:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, cur


def format_errors(source: str, err: ValidationError, raw: Any) -> str:
    """One line per problem: ``file: priorities[1].targets.first_response: reason``."""
    lines: list[str] = []
    for e in err.errors():
        loc = tuple(e["loc"])
        # "first_response: 4 hours" is short for "{duration: 4 hours}": name the field as written
        if loc and loc[-1] in ("duration", "country", "alias"):
            found, value = _lookup(raw, loc[:-1])
            if found and not isinstance(value, dict):
                loc = loc[:-1]
        path = ""
        for part in loc:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(loc[-1]), _known_fields(), n=1, cutoff=0.75)
            msg = "is not a known field" + (f" (did you mean {close[0]}?)" if close else "")
        elif e["type"] == "missing":
            msg = "is required"
        elif e["type"] == "too_short":
            n = (e.get("ctx") or {}).get("min_length", 1)
            msg = f"needs at least {n} item{'s' if n != 1 else ''}"
        elif e["type"] in ("string_type", "int_type", "int_parsing", "float_type", "float_parsing",
                           "bool_type", "bool_parsing", "list_type", "dict_type", "model_type",
                           "literal_error", "greater_than_equal", "greater_than", "less_than_equal"):
            msg = f"{_show(e.get('input'))} {_lower(msg)}"
        lines.append(f"{source}: {path or '(top level)'}: {msg}")
    return "\n".join(dict.fromkeys(lines))


def _lower(msg: str) -> str:
    # "Input should be a valid integer" -> "should be a valid integer"
    return msg.removeprefix("Input ").removeprefix("Value ").replace("List should", "should").replace(
        "Dictionary should", "should")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (dict, list)):
        return "the value"
    return repr(value)
