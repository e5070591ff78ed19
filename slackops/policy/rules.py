"""The rules of a priority at run time: its targets, its escalation ladder and
automatic upgrade, and the intake rules of the policy (who may open, PHI, acceptance,
reclassification, customer escalation). Frozen dataclasses built from a valid file."""

from __future__ import annotations

from dataclasses import dataclass, field

from slackops.policy.durations import Duration


@dataclass(frozen=True)
class Target:
    """One promise of a priority: a duration, on a named calendar or on the request's."""

    kind: str
    duration: Duration
    calendar: str | None = None
    default: bool = False
    why: str | None = None

    @property
    def text(self) -> str:
        return self.duration.text

    @property
    def repeats(self) -> bool:
        """``update_every``: due again every ``duration`` from submission."""
        return self.kind == "update_every"

    @property
    def checkpoint_kind(self) -> str:
        return "update" if self.kind in ("update_every", "update") else self.kind


@dataclass(frozen=True)
class EscalationStep:
    level: int
    after: Duration
    notify: tuple[str, ...]
    calendar: str | None = None
    unless: tuple[str, ...] = ("resolved", "plan")
    repeat: Repeat | None = None


@dataclass(frozen=True)
class Repeat:
    """Until acknowledged, an escalation step's notices go out again every ``every`` (on the
    step's calendar), at most ``times`` more times."""

    every: Duration
    times: int


@dataclass(frozen=True)
class AutoUpgrade:
    after: Duration
    to: str
    calendar: str | None = None
    unless: str = "identified"


@dataclass(frozen=True)
class Priority:
    id: str
    label: str
    rank: int
    definition: str
    targets: dict[str, Target] = field(default_factory=dict)
    warn_at: tuple[float, ...] = (0.75,)
    escalation: tuple[EscalationStep, ...] = ()
    auto_upgrade: AutoUpgrade | None = None
    labels: dict[str, str] = field(default_factory=dict)  # the label in other languages
    definitions: dict[str, str] = field(default_factory=dict)

    def label_in(self, lang: str | None) -> str:
        """The label in ``lang`` where the policy gives one, else as written."""
        return self.labels.get(lang or "en") or self.label

    def definition_in(self, lang: str | None) -> str:
        return self.definitions.get(lang or "en") or self.definition

    def target(self, kind: str) -> Target | None:
        """The target of a checkpoint kind (``update`` finds ``update_every`` too)."""
        if kind == "update":
            return self.targets.get("update_every") or self.targets.get("update")
        return self.targets.get(kind)


@dataclass(frozen=True)
class Category:
    id: str
    labels: dict[str, str]
    customer: bool = True  # a customer may choose it; False: the agents' only

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or next(iter(self.labels.values()), self.id)


@dataclass(frozen=True)
class CustomerEscalation:
    notify: tuple[str, ...]
    next_level: bool = True


@dataclass(frozen=True)
class Intake:
    phi_guard: bool = False
    feature_requests_close: bool = False
    who_may_open: str = "contacts"
    customer_sets_priority: bool = True
    priority_at_acceptance: bool = False
    upgrade_needs_justification: bool = False
    not_an_error_allowed: bool = False
    needs_24x7_contact: tuple[str, ...] = ()
    reclassification_must_be_told: bool = False
    reclassification_appeal_to: str | None = None
    notify_on: tuple[str, ...] = ()
    answer_in_request_language: bool = False
    thread_replies_are_updates: bool = True
    customer_calendars: tuple[str, ...] = ()
    customer_escalation: CustomerEscalation | None = None
    satisfaction_survey: bool = False
    close_unconfirmed_after: Duration | None = None
    remind_unconfirmed_before: Duration | None = None
