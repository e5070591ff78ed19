"""The operator's configuration file (README.md, "Configuration") and the environment.

One YAML file maps accounts to shared channels and policies, priorities to channels and
escalation roles to managers. Secrets stay in the environment (:class:`Settings`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from slackops.errors import ConfigError

__all__ = ["Account", "Config", "Settings", "load_config", "format_validation_error"]

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
    policy: str = Field(description="a preset name or a path to a policy file")
    calendar: str = "default"
    language: str = "en"
    contacts: list[str] = Field(default_factory=list)
    contacts_24x7: list[str] = Field(default_factory=list, description="IXCloud S1: a 24x7 contact")
    timezone: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ACCOUNT_ID.match(v):
            raise ValueError(f"{v!r} is not an account id (lowercase letters and digits, 1-16, a letter first)")
        return v

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str) -> str:
        if not _CHANNEL_ID.match(v):
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


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_id: str
    enterprise_id: str | None = None
    agents: list[str] = Field(default_factory=list)
    agents_usergroup: str | None = None
    managers: dict[str, list[str]] = Field(default_factory=dict)
    channels: dict[int, str] = Field(default_factory=dict)
    accounts: list[Account] = Field(default_factory=list)
    closures: list[str] = Field(
        default_factory=list,
        description="closure dates or ranges (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD) added to every policy calendar that takes closures",
    )

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

    @field_validator("agents")
    @classmethod
    def _agents(cls, v: list[str]) -> list[str]:
        return _check_ids(v, _USER_ID, "user")

    @field_validator("managers")
    @classmethod
    def _managers(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for users in v.values():
            _check_ids(users, _USER_ID, "user")
        return v

    @field_validator("channels")
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
        return self

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id.lower()), None)

    def account_for_channel(self, channel_id: str) -> Account | None:
        return next((a for a in self.accounts if a.channel == channel_id), None)

    def channel_for_rank(self, rank: int) -> str | None:
        return self.channels.get(rank)


def format_validation_error(path: str | os.PathLike[str], err: ValidationError) -> str:
    """One line per problem: ``file: field.path[2].sub: reason``."""
    lines = []
    for e in err.errors():
        loc = ""
        for part in e["loc"]:
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
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such file") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{p}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: (top level): must be a mapping of settings")
    try:
        return Config.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(format_validation_error(p, e)) from None


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
        )
