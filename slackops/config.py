"""The operator's configuration file (README.md, "Configuration") and the environment.

One YAML file maps accounts to shared channels and policies, priorities to channels and
escalation roles to managers. Secrets stay in the environment (:class:`Settings`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from slackops.errors import ConfigError
from slackops.oncall import Rotation, RotationSpec
from slackops.textfile import FileProblem, read_text

__all__ = ["AGENT_CONTROLS", "WEBHOOK_EVENTS", "Account", "Backups", "Config", "Retention", "Settings", "Webhook",
           "load_config", "format_validation_error"]

AgentControls = Literal["triage", "shared"]
AGENT_CONTROLS: tuple[str, ...] = ("triage", "shared")
"""Where agents act on a request: ``triage`` (an agents' card in the vendor's triage channel;
the customer card in the shared channel carries only the customer's actions) or
``shared`` (one card in the shared channel with everyone's buttons)."""

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_ACCOUNT_ID = re.compile(r"^[a-z][a-z0-9]{0,15}$")


def _check_ids(values: list[str], pattern: re.Pattern[str], what: str) -> list[str]:
    for v in values:
        if not pattern.match(v):
            raise ValueError(f"{v!r} is not a Slack {what} id")
    return values


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="prefix of request ids: acme -> ACME-1")
    name: str
    channel: str
    policy: str = Field(description="a preset name, a path to a policy file, or the account's own contract "
                                    "inline ({extends: comensure, priorities: [...]}); read as a reference "
                                    "that slackops.policy.load takes")
    calendar: str = "default"
    language: str = "en"
    contacts: list[str] = Field(default_factory=list)
    contacts_24x7: list[str] = Field(default_factory=list, description="IXCloud S1: a 24x7 contact")
    timezone: str | None = None
    thread_replies_are_updates: bool | None = Field(
        None, description="override the policy's intake.thread_replies_are_updates for this account")
    agent_controls: AgentControls | None = Field(default=None, description="this account's own agent_controls")
    triage_channel: str | None = Field(default=None, description="where this account's agents' cards go")
    status_token: str | None = Field(None, min_length=16, description="the status page's secret (generated when omitted)")

    @model_validator(mode="before")
    @classmethod
    def _inline_contract(cls, data: Any, info: ValidationInfo) -> Any:
        """``policy: {extends: comensure, ...}``: the account's own contract, kept as the
        self-contained reference every part of the desk names a policy by."""
        if isinstance(data, dict) and isinstance(data.get("policy"), dict):
            from slackops.policy.loader import contract_reference

            ctx = info.context or {}
            data = {**data, "policy": contract_reference(
                data["policy"], account=str(data.get("id")), file=str(ctx.get("file", "configuration")),
                folder=str(ctx.get("folder", Path.cwd())))}
        return data

    @field_serializer("policy")
    def _dump_policy(self, policy: str) -> Any:
        """An account's own contract is written back as the contract (a relative ``extends``
        made absolute), so that a dumped configuration loads anywhere."""
        from slackops.policy.loader import ACCOUNT_REFERENCE, contract_text

        text = contract_text(policy) if policy.startswith(ACCOUNT_REFERENCE) else None
        if text is None:
            return policy
        import json

        data = json.loads(text)
        doc = dict(data["policy"])
        base = doc.get("extends")
        if isinstance(base, str) and not Path(base).is_absolute() and (Path(data["folder"]) / base).is_file():
            doc["extends"] = str((Path(data["folder"]) / base).resolve())
        return doc

    @property
    def contract(self) -> dict[str, Any] | None:
        """The account's inline contract as written; None when ``policy`` names a preset or a file."""
        from slackops.policy.loader import contract_of

        return contract_of(self.policy)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ACCOUNT_ID.match(v):
            raise ValueError(f"{v!r} is not an account id (lowercase letters and digits, 1-16, a letter first)")
        return v

    @field_validator("channel", "triage_channel")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        if v is not None and not _CHANNEL_ID.match(v):
            raise ValueError(f"{v!r} is not a Slack channel id (use ids like C0123ABC, never names)")
        return v

    @field_validator("contacts", "contacts_24x7")
    @classmethod
    def _contacts(cls, v: list[str]) -> list[str]:
        return _check_ids(v, _USER_ID, "user")

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        if v not in ("en", "it"):
            raise ValueError(f"{v!r} is not a supported language (en or it)")
        return v

    @property
    def prefix(self) -> str:
        return self.id.upper()


class Backups(BaseModel):
    """The embedded Redis's own daily backups (``slackops backup`` takes one by hand)."""

    model_config = ConfigDict(extra="forbid")

    keep: int = Field(7, ge=1, description="how many backups to keep in the data folder's backups/")
    every_hours: float = Field(24.0, gt=0, description="hours between two backups")


class Retention(BaseModel):
    """How long closed requests stay in Redis before they move to the archive."""

    model_config = ConfigDict(extra="forbid")

    closed_days: int = Field(400, ge=1, description="days after closing (a year's reports still work)")


WEBHOOK_EVENTS: tuple[str, ...] = (
    "request.opened", "request.accepted", "request.first_response", "request.reclassified",
    "sla.warning", "sla.breached", "sla.met", "escalation.raised", "escalation.acknowledged",
    "request.resolved", "request.closed", "csat.rated",
    "maintenance.scheduled", "maintenance.started", "maintenance.ended", "maintenance.cancelled",
)
"""The outgoing events an endpoint may ask for (docs/operations.md, "Outgoing events")."""

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_URL = re.compile(r"^https?://[^/\s:]+(:\d{1,5})?(/\S*)?$")


class Webhook(BaseModel):
    """One endpoint that receives the desk's events, signed with a secret from the environment."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(description="where the events are POSTed (http or https)")
    secret_env: str = Field(description="the environment variable holding the signing secret")
    events: list[str] = Field(default_factory=lambda: ["*"], description='event types, or ["*"] for every one')

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not _URL.match(v):
            raise ValueError(f"{v!r} is not an http:// or https:// address")
        return v

    @field_validator("secret_env")
    @classmethod
    def _secret_env(cls, v: str) -> str:
        if not _ENV_NAME.match(v):
            raise ValueError(f"{v!r} is not the name of an environment variable (the secret itself stays out of the file)")
        return v

    @field_validator("events")
    @classmethod
    def _events(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError('name at least one event type, or ["*"]')
        for e in v:
            if e != "*" and e not in WEBHOOK_EVENTS:
                raise ValueError(f"{e!r} is not an event type ({', '.join(WEBHOOK_EVENTS)}, or *)")
        return v

    def wants(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events

    def secret(self, env: dict[str, str] | None = None) -> str:
        """The signing secret; ConfigError naming the variable when it is not set."""
        value = (os.environ if env is None else env).get(self.secret_env, "")
        if not value:
            raise ConfigError(f"webhooks: {self.url}: the environment variable {self.secret_env} "
                              "(its signing secret) is not set")
        return value


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_id: str
    enterprise_id: str | None = Field(None, description="the vendor's Enterprise Grid organisation (E...): every "
                                                        "workspace of it is the vendor's side")
    agent_workspaces: list[str] = Field(default_factory=list, description="on Enterprise Grid, the organisation's "
                                        "workspaces (T...) where agents work, besides team_id")
    agents: list[str] = Field(default_factory=list)
    agents_usergroup: str | None = None
    managers: dict[str, list[str]] = Field(default_factory=dict)
    rotations: dict[str, RotationSpec] = Field(
        default_factory=dict, description="the roles of managers: written as on-call rotations (slackops.oncall)")
    channels: dict[int, str] = Field(default_factory=dict)
    agent_controls: AgentControls = "triage"
    triage_channels: dict[int, str] = Field(
        default_factory=dict, description="agents' cards by priority rank (default: the rank's channel in channels)")
    accounts: list[Account] = Field(default_factory=list)
    closures: list[str] = Field(
        default_factory=list,
        description="closure dates or ranges (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD) added to every policy calendar that takes closures",
    )
    backups: Backups = Field(default_factory=Backups)
    retention: Retention = Field(default_factory=Retention)
    public_url: str | None = Field(None, description="where customers reach the web process (status page links)")
    digest_at: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                                  description="managers' morning digest and monthly report DMs at this local time (unset: none)")
    digest_timezone: str = Field("UTC", description="the managers' zone: digest_at and the first working day of a month")
    webhooks: list[Webhook] = Field(default_factory=list, description="endpoints that receive the desk's events")

    @field_validator("digest_timezone")
    @classmethod
    def _digest_zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not an IANA time zone (e.g. Europe/Rome)") from None
        return v

    @field_validator("closures")
    @classmethod
    def _closures(cls, v: list[str]) -> list[str]:
        from datetime import date

        for item in v:
            parts = str(item).split("..")
            try:
                days = [date.fromisoformat(x.strip()) for x in parts]
            except ValueError:
                raise ValueError(f"{item!r} is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)") from None
            if len(days) > 2 or (len(days) == 2 and days[1] < days[0]):
                raise ValueError(f"{item!r}: a range goes from its first day to its last")
        return v

    @field_validator("enterprise_id")
    @classmethod
    def _enterprise(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"E[A-Z0-9]{2,}", v):
            raise ValueError(f"{v!r} is not an organisation id (E followed by capitals and digits)")
        return v

    @field_validator("agent_workspaces")
    @classmethod
    def _workspaces(cls, v: list[str], info: ValidationInfo) -> list[str]:
        if v and not info.data.get("enterprise_id"):
            raise ValueError("other workspaces are the vendor's only within its Enterprise Grid organisation; "
                             "set enterprise_id too")
        for team in v:
            if not re.fullmatch(r"T[A-Z0-9]{2,}", team):
                raise ValueError(f"{team!r} is not a workspace id (T followed by capitals and digits)")
        return v

    @field_validator("agents")
    @classmethod
    def _agents(cls, v: list[str]) -> list[str]:
        return _check_ids(v, _USER_ID, "user")

    @model_validator(mode="before")
    @classmethod
    def _rotations(cls, data: Any) -> Any:
        """A role of ``managers:`` written as a mapping is an on-call rotation."""
        if isinstance(data, dict) and isinstance(data.get("managers"), dict):
            managers = dict(data["managers"])
            found = {role: v for role, v in managers.items() if isinstance(v, dict)}
            if found:
                data = {**data, "managers": {r: v for r, v in managers.items() if r not in found},
                        "rotations": {**(data.get("rotations") or {}), **found}}
        return data

    @model_validator(mode="after")
    def _rotation_people(self) -> Config:
        # everyone of a rotation is one of the role's people (staff, digests); its escalation
        # DMs go to the one on call (rotation())
        for role, spec in self.rotations.items():
            self.managers[role] = spec.everyone()
        return self

    def rotation(self, role: str) -> Rotation | None:
        """The role's on-call rotation, if it is one."""
        spec = self.rotations.get(role)
        return spec.build(role) if spec is not None else None

    @field_validator("managers")
    @classmethod
    def _managers(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for users in v.values():
            _check_ids(users, _USER_ID, "user")
        return v

    @field_validator("channels", "triage_channels")
    @classmethod
    def _channels(cls, v: dict[int, str]) -> dict[int, str]:
        for rank, ch in v.items():
            if rank < 1:
                raise ValueError(f"priority rank {rank} must be 1 or more (1 = most urgent)")
            _check_ids([ch], _CHANNEL_ID, "channel")
        return v

    @model_validator(mode="after")
    def _unique(self) -> Config:
        seen: dict[str, str] = {}
        for i, a in enumerate(self.accounts):
            if a.id in seen:
                raise ValueError(f"accounts[{i}].id: {a.id!r} is used twice")
            seen[a.id] = a.channel
        chans = [a.channel for a in self.accounts]
        dup = {c for c in chans if chans.count(c) > 1}
        if dup:
            raise ValueError(f"channel {sorted(dup)[0]} is mapped to more than one account")
        if not self.agents and not self.agents_usergroup:
            raise ValueError("agents: name agent user ids or an agents_usergroup")
        shared = set(chans)
        for rank, ch in sorted(self.triage_channels.items()):
            if ch in shared:
                raise ValueError(f"triage_channels.{rank}: {ch} is a customer's shared channel; "
                                 "agents' cards go in a channel of the vendor's own")
        for i, a in enumerate(self.accounts):
            if a.triage_channel and a.triage_channel in shared:
                raise ValueError(f"accounts[{i}].triage_channel: {a.triage_channel} is a customer's shared channel; "
                                 "agents' cards go in a channel of the vendor's own")
        urls = [w.url for w in self.webhooks]
        for i, w in enumerate(self.webhooks):
            if urls.index(w.url) != i:
                raise ValueError(f"webhooks[{i}].url: {w.url} is listed twice")
        if any(self.agent_controls_for(a.id) == "triage" and not a.triage_channel for a in self.accounts):
            for rank, ch in sorted(self.channels.items()):
                if ch in shared and rank not in self.triage_channels:
                    raise ValueError(f"channels.{rank}: {ch} is a customer's shared channel and would get the "
                                     f"agents' cards (set triage_channels.{rank}, or agent_controls: shared)")
        return self

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id.lower()), None)

    def account_for_channel(self, channel_id: str) -> Account | None:
        return next((a for a in self.accounts if a.channel == channel_id), None)

    def channel_for_rank(self, rank: int) -> str | None:
        return self.channels.get(rank)

    def agent_controls_for(self, account_id: str) -> str:
        """``triage`` or ``shared`` for this account (its own setting, else the top-level one)."""
        account = self.account(account_id)
        return (account.agent_controls if account and account.agent_controls else None) or self.agent_controls

    def triage_channel_for(self, account_id: str, rank: int | None) -> str | None:
        """Where an agents' card of this account at this priority rank goes: the account's
        ``triage_channel``, else ``triage_channels[rank]``, else the rank's channel; None in
        ``shared`` mode (or when nothing is configured: the card in the shared channel then
        carries the agents' buttons, as in ``shared`` mode)."""
        if self.agent_controls_for(account_id) != "triage":
            return None
        account = self.account(account_id)
        if account and account.triage_channel:
            return account.triage_channel
        if rank is None:
            return None
        return self.triage_channels.get(rank) or self.channels.get(rank)


def format_validation_error(path: str | os.PathLike[str], err: ValidationError) -> str:
    """One line per problem: ``file: field.path[2].sub: reason``."""
    lines = []
    for e in err.errors():
        loc = ""
        for part in e["loc"]:
            part = "managers" if part == "rotations" and not loc else part  # written under managers:
            part = "from" if part == "from_" else part
            loc += f"[{part}]" if isinstance(part, int) else (f".{part}" if loc else str(part))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "is not a known field"
        elif e["type"] == "missing":
            msg = "is required"
        lines.append(f"{path}: {loc or '(top level)'}: {msg}")
    return "\n".join(lines)


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate the configuration file; raise ConfigError naming file and field."""
    p = Path(path)
    try:
        raw = yaml.safe_load(read_text(p))
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such file") from None
    except FileProblem as e:
        raise ConfigError(f"{p}: {e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{p}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: (top level): must be a mapping of settings")
    try:
        cfg = Config.model_validate(raw, context={"file": str(p), "folder": str(p.resolve().parent)})
    except ValidationError as e:
        raise ConfigError(format_validation_error(p, e)) from None
    problems = []
    for acct in cfg.accounts:
        if acct.contract is not None:
            from slackops.policy import load

            try:
                load(acct.policy)
            except ConfigError as e:  # a PolicyError: file: accounts[id].policy.field: reason
                problems.append(str(e))
    if problems:
        raise ConfigError("\n".join(problems))
    return cfg


PREFIX_HELP = "the desk's Redis key prefix (default: $SLACKOPS_PREFIX, else slackops)"


@dataclass(frozen=True)
class Settings:
    """Secrets and endpoints from the environment (never from the config file)."""

    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    redis_url: str | None = None
    slack_api_url: str | None = None
    config_path: str | None = None
    data_dir: str = ".slackops"
    mode: Literal["socket", "http"] = "socket"
    prefix: str = "slackops"  # SLACKOPS_PREFIX: the desk's Redis keys and queues

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        api = env.get("SLACK_API_URL") or None
        if api and not api.endswith("/"):
            api += "/"
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            redis_url=env.get("REDIS_URL") or None,
            slack_api_url=api,
            config_path=env.get("SLACKOPS_CONFIG") or None,
            data_dir=env.get("SLACKOPS_DATA_DIR") or ".slackops",
            prefix=env.get("SLACKOPS_PREFIX") or "slackops",
        )
