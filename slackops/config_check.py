"""``slackops config check``: set-ups that are valid YAML and valid fields but would fail
silently at run time, each refused with the file, the field and the reason; set-ups that
are legal but risky, as warnings.

Refused:

- an account's language that its policy does not answer in;
- a policy that lets only designated contacts open requests, on an account with none;
- an escalation or appeal role (a ladder step's ``notify``, ``reclassification_appeal_to``,
  ``customer_escalation.notify``) with nobody in ``managers``;
- a priority rank with no channel where the policy pings channels (its ladder names
  ``channel``, or the configuration routes priorities to channels at all).

Warned: an account whose policy needs a 24x7 customer contact for some priority (IXCloud
S1) and that names none (``contacts_24x7``): such requests are refused until it does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slackops.errors import SlackopsError

__all__ = ["check_setup"]


def check_setup(cfg: Any, load_policy: Callable[[str], Any], file: str) -> tuple[list[str], list[str]]:
    """(problems, warnings) as ``file: field: reason`` lines; ``load_policy`` may raise."""

    problems: list[str] = []
    warnings: list[str] = []
    roles_missing: dict[str, list[str]] = {}
    ranks_missing: dict[int, list[str]] = {}

    def role_needed(role: str, why: str) -> None:
        if role != "channel" and not cfg.managers.get(role):
            roles_missing.setdefault(role, []).append(why)

    for i, acct in enumerate(cfg.accounts):
        where = f"{file}: accounts[{i}]"
        try:
            pol = load_policy(acct.policy)
        except SlackopsError as e:
            problems.append(f"{where}.policy: {e}")
            continue
        if acct.calendar not in pol.calendars:
            names = ", ".join(sorted(pol.calendars))
            problems.append(f"{where}.calendar: {acct.calendar!r} is not a calendar of {pol.name} ({names})")
        if acct.language not in pol.languages:
            problems.append(f"{where}.language: {acct.language!r} is not a language {pol.name} answers in "
                            f"({', '.join(pol.languages)})")
        intake = pol.intake
        if intake.who_may_open == "contacts" and not acct.contacts:
            problems.append(f"{where}.contacts: {pol.name} lets only designated contacts open requests, "
                            f"and {acct.id} names none: nobody could open one")
        if intake.needs_24x7_contact and not acct.contacts_24x7:
            warnings.append(f"{where}.contacts_24x7: {pol.name} needs a customer contact available 24x7 for "
                            f"{', '.join(intake.needs_24x7_contact)}; {acct.id} names none, so such requests "
                            "are refused until it does")
        pings = bool(cfg.channels)
        for p in pol.priorities:
            for step in p.escalation:
                for role in step.notify:
                    role_needed(role, f"{pol.name} {p.id} escalation level {step.level}")
                pings = pings or "channel" in step.notify
        if intake.reclassification_appeal_to:
            role_needed(intake.reclassification_appeal_to, f"{pol.name} intake.reclassification_appeal_to")
        if intake.customer_escalation is not None:
            for role in intake.customer_escalation.notify:
                role_needed(role, f"{pol.name} intake.customer_escalation.notify")
        if pings:
            for p in pol.priorities:
                if cfg.channel_for_rank(p.rank) is None:
                    ranks_missing.setdefault(p.rank, []).append(f"{pol.name} {p.id} ({acct.id})")
    for role, whys in roles_missing.items():
        problems.append(f"{file}: managers.{role}: nobody is in it, and {'; '.join(dict.fromkeys(whys))} "
                        "notifies it: add its users")
    for rank, whys in sorted(ranks_missing.items()):
        problems.append(f"{file}: channels.{rank}: no channel for priority rank {rank}, used by "
                        f"{', '.join(dict.fromkeys(whys))}: its pings and warnings would reach nobody's channel")
    return problems, warnings
