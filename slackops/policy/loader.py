"""Reading policy files: the packaged presets by name, or any YAML file by path.

A bad file is refused with one line per problem, ``file: path.to.field: reason``, never a
traceback (YAML syntax, unknown fields, bad durations, names that refer to nothing).
"""

from __future__ import annotations

import difflib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import asdict
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from slackops.policy import schema
from slackops.policy.common import PolicyError, parse_closure
from slackops.policy.merge import Layer, Origin, compose, id_path, origin_of, strip_nulls
from slackops.policy.model import Policy, build_policy
from slackops.policy.schema import PolicyFile, check_references
from slackops.textfile import FileProblem, read_text

__all__ = ["load", "load_file", "list_presets", "preset_path", "parse_policy_text", "contract_reference",
           "contract_of", "contract_text", "build_chain", "ACCOUNT_REFERENCE"]

ACCOUNT_REFERENCE = "account:"
"""``account:<id>``: the name of an account's own contract, resolved through the configuration
loaded in this process (:func:`contract_reference` registers it)."""

_CONTRACTS: dict[str, str] = {}  # account id -> the self-contained text of its contract
_CONTRACTS_LOCK = threading.Lock()

_PRESETS = "presets"


def list_presets() -> list[str]:
    """Names of the presets that ship with slackops, sorted."""
    folder = resources.files("slackops.policy") / _PRESETS
    return sorted(p.name[: -len(".yml")] for p in folder.iterdir() if p.name.endswith(".yml"))


def preset_path(name: str) -> Path:
    return Path(str(resources.files("slackops.policy") / _PRESETS / f"{name}.yml"))


def load(name_or_path: str | os.PathLike[str], *, closures: Iterable[Any] = ()) -> Policy:
    """A preset by name (``"comensure"``), a policy file by path, or an account's inline
    contract (the reference :func:`contract_reference` makes); PolicyError if invalid.

    A file (or a contract) that says ``extends: NAME|PATH`` is merged over its base
    (slackops.policy.merge); a relative PATH is read from the extending file's folder.

    ``closures``: the operator's closure dates (config ``closures``), added to the
    calendars that declare ``closures_from_config: true`` (Interzen's summer and
    Christmas closures, which "will be communicated from time to time").
    """
    text = os.fspath(name_or_path)
    try:
        extra = tuple(_closure_key(c) for c in closures)
    except (ValueError, TypeError) as e:
        raise PolicyError(f"closures: {e}") from None
    if text.startswith(ACCOUNT_REFERENCE):
        found = contract_text(text)
        if found is None:
            raise PolicyError(f"{text}: no such account's contract in the configuration")
        text = found
    if text.lstrip().startswith("{"):
        top, folder, name = _inline_layer(text)
        return _load_chain(_chain(top, folder, "<inline>"), name, extra)
    if text in list_presets():
        path, stamp = str(preset_path(text)), None
    else:
        p = Path(text)
        if p.is_dir():
            raise PolicyError(f"{text}: is a directory, not a policy file")
        if not p.is_file():
            if p.suffix in (".yml", ".yaml") or os.sep in text or "/" in text:
                raise PolicyError(f"{text}: no such policy file")
            close = difflib.get_close_matches(text, list_presets(), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise PolicyError(
                f"{text!r} is not a preset ({hint}presets: {', '.join(list_presets())}) nor a policy file"
            )
        st = p.stat()
        path, stamp = str(p), (st.st_mtime_ns, st.st_size)
    raw = _read_yaml(path, stamp)
    if not isinstance(raw, dict) or "extends" not in raw:
        return _load_cached(path, stamp, extra)
    label = text if text in list_presets() else path
    top = Layer(Origin(label, label), raw)
    return _load_chain(_chain(top, Path(path).resolve().parent, str(Path(path).resolve())), Path(path).stem, extra)


# --------------------------------------------------------------------------- extends


def contract_reference(contract: dict[str, Any], *, account: str, file: str, folder: str) -> str:
    """The name an account's inline contract goes by wherever a policy is named:
    ``account:<id>`` (what requests store), registered here so that ``load`` finds its
    terms. :func:`contract_text` gives the self-contained text (what a worker keeps of a
    contract's version, to judge by it later).

    ``file`` names the configuration file in messages; a relative ``extends`` is read
    from ``folder``."""
    text = json.dumps({"account": account, "file": file, "folder": folder, "policy": contract},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    with _CONTRACTS_LOCK:
        _CONTRACTS[account] = text
    return ACCOUNT_REFERENCE + account


def contract_text(reference: str) -> str | None:
    """The self-contained text of an account's contract (``account:<id>`` as registered, or
    such a text itself); None for a preset name or a path."""
    if reference.startswith(ACCOUNT_REFERENCE):
        with _CONTRACTS_LOCK:
            return _CONTRACTS.get(reference[len(ACCOUNT_REFERENCE):])
    return reference if reference.lstrip().startswith("{") else None


def contract_of(reference: str) -> dict[str, Any] | None:
    """The inline contract a reference names, as written; None for a preset name or a path."""
    text = contract_text(reference)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("policy") if isinstance(data, dict) and isinstance(data.get("policy"), dict) else None


def _inline_layer(text: str) -> tuple[Layer, Path, str]:
    try:
        data = json.loads(text)
        account, file, folder, doc = data["account"], data["file"], data["folder"], data["policy"]
    except (ValueError, KeyError, TypeError):
        raise PolicyError(f"{text[:40]!r} is neither a preset, a policy file nor an account's contract") from None
    label = f"{file}: accounts[{account}].policy"
    return Layer(Origin(label, str(file), f"accounts[{account}].policy."), doc), Path(folder), f"{account}-contract"


def _chain(top: Layer, folder: Path, ident: str) -> list[Layer]:
    """``top`` and the documents it extends, the base first."""
    layers, seen, labels = [top], [ident], [top.origin.label]
    cur = top
    while "extends" in cur.doc:
        ref = cur.doc["extends"]
        where = cur.origin.where("extends")
        if not isinstance(ref, str) or not ref.strip():
            raise PolicyError(f"{where}: give a preset name or the path of a policy file")
        ref = ref.strip()
        if ref in list_presets():
            path, stamp, label = str(preset_path(ref)), None, ref
        else:
            p = Path(ref) if Path(ref).is_absolute() else folder / ref
            if not p.is_file():
                close = difflib.get_close_matches(ref, list_presets(), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise PolicyError(f"{where}: {ref!r} is not a preset ({hint}presets: "
                                  f"{', '.join(list_presets())}) nor a policy file (looked for {p})")
            st = p.stat()
            path, stamp = str(p.resolve()), (st.st_mtime_ns, st.st_size)
            label = _display(cur.origin, ref)
        if path in seen:
            chain = " -> ".join([*labels, label])
            raise PolicyError(f"{where}: {ref!r} makes a cycle ({chain})")
        raw = _read_yaml(path, stamp, label)
        if not isinstance(raw, dict):
            raise PolicyError(f"{label}: (top level): must be a mapping (title, timezone, priorities, ...)")
        cur = Layer(Origin(label, label), raw)
        layers.append(cur)
        seen.append(path)
        labels.append(label)
        folder = Path(path).parent
    return layers[::-1]


def _display(extender: Origin, ref: str) -> str:
    """A file named by ``extends: ref`` as people see it: beside the file that names it."""
    return os.path.normpath(ref if Path(ref).is_absolute() else str(Path(extender.file).parent / ref))


_BUILT: OrderedDict[Any, Policy] = OrderedDict()
_BUILT_LOCK = threading.Lock()


def _load_chain(layers: list[Layer], name: str, closures: tuple[str, ...]) -> Policy:
    key = (json.dumps([[asdict(x.origin), x.doc] for x in layers], sort_keys=True, default=str), name, closures)
    with _BUILT_LOCK:
        hit = _BUILT.get(key)
        if hit is not None:
            _BUILT.move_to_end(key)
            return hit
    pol = build_chain(layers, name=name)
    if closures:
        pol = pol.with_closures(closures)
    with _BUILT_LOCK:
        _BUILT[key] = pol
        while len(_BUILT) > 128:
            _BUILT.popitem(last=False)
    return pol


def build_chain(layers: list[Layer], *, name: str) -> Policy:
    """Merge ``layers`` (the base first), validate the result as any policy, and keep where
    each value comes from. An error names the top document, the field and, for a value it
    inherits, where that value comes from."""
    doc, prov, merging = compose(layers)
    doc = strip_nulls(doc)
    notes = doc.get("defaults")
    if isinstance(notes, list) and "defaults" in prov:  # a note on a value a later document gives is moot
        doc["defaults"] = [n for n in notes if not isinstance(n, dict) or not isinstance(n.get("field"), str)
                           or origin_of(n["field"], prov) in (None, prov["defaults"])]
    top = layers[-1].origin

    def line(path: str, msg: str) -> str:
        path = id_path(path, doc)
        origin = origin_of(path, prov)
        inherited = f" (inherited from {origin.label})" if origin is not None and origin != top else ""
        return f"{top.where(path)}: {msg}{inherited}"

    try:
        spec = PolicyFile.model_validate(doc)
    except ValidationError as e:
        lines = [line(p, m) for p, m in error_items(e, doc)]
        raise PolicyError("\n".join(dict.fromkeys([*merging, *lines]))) from None
    problems = [*merging, *(line(*p.split(": ", 1)) for p in check_references(spec))]
    if problems:
        raise PolicyError("\n".join(problems))
    return build_policy(spec, name=name, source=top.label,
                        provenance={k: v.label for k, v in prov.items()},
                        extends=tuple(x.origin.label for x in layers[:-1]))


@lru_cache(maxsize=256)
def _read_yaml(path: str, stamp: tuple[int, int] | None, label: str | None = None) -> Any:
    """A policy file's YAML (cached while the file is unchanged)."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise PolicyError(f"{label or path}: no such policy file") from None
    except FileProblem as e:
        raise PolicyError(f"{label or path}: {e}") from None
    return _parse_yaml(text, label or path)


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
        text = read_text(p)
    except FileNotFoundError:
        raise PolicyError(f"{p}: no such policy file") from None
    except FileProblem as e:
        raise PolicyError(f"{p}: {e}") from None
    return parse_policy_text(text, source=str(p), name=p.stem, folder=p.resolve().parent)


def parse_policy_text(text: str, *, source: str = "<policy>", name: str = "policy",
                      folder: Path | None = None) -> Policy:
    """Validate a policy given as YAML text; ``source`` names it in messages; a relative
    ``extends`` is read from ``folder`` (the current folder when omitted)."""
    raw = _parse_yaml(text, source)
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: (top level): must be a mapping (title, timezone, priorities, ...)")
    if "extends" in raw:
        top = Layer(Origin(source, source), raw)
        return build_chain(_chain(top, folder or Path.cwd(), source), name=name)
    try:
        spec = PolicyFile.model_validate(raw)
    except ValidationError as e:
        raise PolicyError(format_errors(source, e, raw)) from None
    problems = check_references(spec)
    if problems:
        raise PolicyError("\n".join(f"{source}: {line}" for line in problems))
    return build_policy(spec, name=name, source=source)


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise PolicyError(f"{source}: not valid YAML{where}: {problem}") from None


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
    return "\n".join(dict.fromkeys(f"{source}: {path}: {msg}" for path, msg in error_items(err, raw)))


def error_items(err: ValidationError, raw: Any) -> list[tuple[str, str]]:
    """``(path, reason)`` of each problem, the path as written (``priorities[1].targets``)."""
    items: list[tuple[str, str]] = []
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
        items.append((path or "(top level)", msg))
    return items


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
