"""Typed metadata that round-trips through Slack: a button's ``value`` and a modal's
``private_metadata`` (Netflix/dispatch's pattern: a small pydantic model, not ad-hoc strings)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = ["ActionValue", "ViewMeta", "MetadataError"]

PRIVATE_METADATA_LIMIT = 3000
BUTTON_VALUE_LIMIT = 2000


class MetadataError(ValueError):
    pass


class _Compact(BaseModel):
    model_config = ConfigDict(extra="ignore")

    def dump(self, limit: int) -> str:
        s = self.model_dump_json(exclude_none=True, exclude_defaults=True)
        if len(s) > limit:
            raise MetadataError(f"metadata of {len(s)} characters exceeds Slack's {limit}")
        return s

    @classmethod
    def parse(cls, raw: str | None):
        if not raw:
            return cls()
        try:
            return cls.model_validate_json(raw)
        except ValidationError:
            # a plain request id is accepted too (older cards, hand-written values)
            return cls.model_validate({"r": raw}) if "r" in cls.model_fields else cls()


class ActionValue(_Compact):
    """A button's value: the request it acts on, and an escalation level where it matters."""

    r: str | None = None  # request id
    l: int | None = None  # noqa: E741  escalation level

    def dump(self, limit: int = BUTTON_VALUE_LIMIT) -> str:  # type: ignore[override]
        return super().dump(limit)


class ViewMeta(_Compact):
    """A modal's private_metadata: where it came from and what it acts on."""

    r: str | None = None  # request id
    account: str | None = None
    channel: str | None = None  # where to answer (ephemeral) / the shared channel
    source: str | None = None  # command | button | reaction | shortcut
    source_ts: str | None = None
    source_permalink: str | None = None
    level: int | None = None
    force: bool = False
    assignee: str | None = None  # Take where acceptance asks for the initial priority: who takes it
    dm_channel: str | None = None  # an escalation DM to update after the change
    dm_ts: str | None = None

    def dump(self, limit: int = PRIVATE_METADATA_LIMIT) -> str:  # type: ignore[override]
        return super().dump(limit)
