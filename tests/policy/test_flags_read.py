"""Every field a policy file can declare changes behaviour: walk every field of the policy
model (priorities, targets, ladders, the intake block, ...) and fail for one that no code
path outside ``policy show`` reads. A field nobody reads is decorative: remove it."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from slackops.policy import schema

ROOT = Path(__file__).resolve().parents[2]

DEFINITIONS = {"slackops/policy/schema.py", "slackops/policy/rules.py", "slackops/policy/model.py",
               "slackops/policy/cli.py"}
"""Where fields are declared, copied into the run-time model, and shown (``policy show``)."""

FOR_THE_OPERATOR = {
    "seed": "the document the numbers come from",
    "why": "why a default stands where the seed is silent",
    "default": "the seed gives no number: flagged for the operator",
    "defaults": "other values the seed does not give",
    "credits_default": "the credit table is a default",
}
"""Notes for the operator, not rules: ``policy show`` is where they belong (checked below)."""

BUILT_INTO_CALENDARS = {"alias", "hours", "week", "holidays", "closures", "closures_from_config", "country",
                        "subdivision", "timezone"}
"""Calendar definitions: the builder turns them into the calendars every deadline is computed on."""

OPERATIONS = {"maintenance", "uptime"}
"""Read by the operations part (maintenance windows and notice, uptime and credits):
slackops/policy/operations.py or its commands must read each of their fields."""



def _fields() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen: set[type] = set()

    def walk(model: type[BaseModel], path: str) -> None:
        for name, info in model.model_fields.items():
            out.append((path + name, name))
            for a in (info.annotation, *typing.get_args(info.annotation)):
                for b in (a, *typing.get_args(a)):
                    if isinstance(b, type) and issubclass(b, BaseModel) and b not in seen:
                        seen.add(b)
                        walk(b, f"{path}{name}.")

    walk(schema.PolicyFile, "")
    return out


def _sources(include: set[str] | None = None, exclude: set[str] = frozenset()) -> dict[str, str]:
    files = [*ROOT.joinpath("slackops").rglob("*.py"), *ROOT.joinpath("workers").rglob("*.py")]
    out = {}
    for p in files:
        rel = str(p.relative_to(ROOT))
        if rel in exclude or (include is not None and rel not in include):
            continue
        out[rel] = p.read_text(encoding="utf-8")
    return out


def _read(name: str, sources: dict[str, str]) -> list[str]:
    """Files that read an attribute (``x.name``, ``getattr(x, "name")``, ``"name" in ...``) by this name."""
    pattern = re.compile(r"\." + re.escape(name) + r"\b|[\"']" + re.escape(name) + r"[\"']")
    return sorted(f for f, text in sources.items() if pattern.search(text))


def test_the_walk_sees_the_intake_block_and_the_priorities():
    paths = {p for p, _ in _fields()}
    assert {"intake.notify_on", "intake.customer_escalation.next_level", "priorities.auto_upgrade.unless",
            "priorities.escalation.unless", "intake.thread_replies_are_updates"} <= paths


def test_every_rule_a_policy_declares_is_read_outside_policy_show():
    runtime = _sources(exclude=DEFINITIONS)
    builder = _sources(include={"slackops/policy/model.py"})
    operations = _sources(include={"slackops/policy/operations.py"})
    shown = _sources(include={"slackops/policy/cli.py"})
    unread = []
    for path, name in _fields():
        top = path.split(".", 1)[0]
        if name in FOR_THE_OPERATOR:
            if not (_read(name, shown) or _read(name, builder) or _read(name, runtime)):
                unread.append(f"{path} (a note for the operator that policy show does not show)")
        elif top in OPERATIONS and path != top:
            if not _read(name, operations) and not _read(name, runtime):
                unread.append(path)
        elif top == "calendars" and name in BUILT_INTO_CALENDARS:
            if not _read(name, builder):
                unread.append(f"{path} (a calendar field the builder ignores)")
        elif not _read(name, runtime):
            unread.append(path)
    assert not unread, "fields no code path outside `policy show` reads (remove them or use them):\n" + "\n".join(unread)


def test_the_check_finds_a_decorative_field():
    """The walk is not a formality: a field read only by `policy show` is caught."""
    shown_only = {"slackops/policy/cli.py": "row(intake.reclassification_must_be_told)"}
    assert _read("reclassification_must_be_told", shown_only) == ["slackops/policy/cli.py"]
    assert _read("reclassification_must_be_told", {"x.py": "policy.intake.reclassification_told"}) == []
