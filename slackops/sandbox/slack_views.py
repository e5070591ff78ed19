"""The stand-in's Web API methods for views (modals, the Home tab), people (users, user
groups), conversations, pins and reactions: a part of :class:`slackops.sandbox.slack.FakeSlack`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

__all__ = ["ViewsAndPeople"]


@dataclass
class _Channel:
    id: str
    name: str
    is_ext_shared: bool = False
    is_im: bool = False
    members: list[str] = field(default_factory=list)
    bot_member: bool = True
    teams: list[str] = field(default_factory=list)  # shared_team_ids: every side of a shared channel
    host: str = ""  # conversation_host_id: the workspace (or org) that created it


class ViewsAndPeople:
    """Mixed into FakeSlack: its ``_m_<method>`` handlers are found by name. The state
    they read is FakeSlack's, set up by its constructor."""

    bot_user_id: str
    users: dict[str, dict[str, Any]]
    usergroups: dict[str, list[str]]
    views: dict[str, dict[str, Any]]
    home_views: dict[str, dict[str, Any]]
    pins: list[tuple[str, str]]
    reactions: list[tuple[str, str, str]]
    triggers: dict[str, str]
    modals: dict[str, list[str]]
    _messages: dict[str, list[dict[str, Any]]]
    _ids: Iterator[int]
    channels: dict[str, _Channel]
    team_id: str

    def _err(self, error: str) -> dict[str, Any]:
        return {"ok": False, "error": error}

    def _add_reaction(self, msg: dict[str, Any], name: str, user_id: str) -> bool:
        reactions = msg.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if user_id in entry["users"]:
            return False
        entry["users"].append(user_id)
        entry["count"] = len(entry["users"])
        return True

    # -- HTTP ------------------------------------------------------------------------

    def _m_pins_add(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (p.get("channel", ""), p.get("timestamp", ""))
        if key in self.pins:
            return self._err("already_pinned")
        self.pins.append(key)
        return {"ok": True}

    def _m_reactions_add(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (p.get("channel", ""), p.get("timestamp", ""), p.get("name", ""))
        if key in self.reactions:
            return self._err("already_reacted")
        self.reactions.append(key)
        msg = next((m for m in self._messages.get(key[0], []) if m["ts"] == key[1]), None)
        if msg is not None:
            self._add_reaction(msg, key[2], self.bot_user_id)
        return {"ok": True}

    def _m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(p.get("user", ""))
        if not user:
            return self._err("user_not_found")
        return {"ok": True, "user": dict(user)}

    def _m_usergroups_users_list(self, p: dict[str, Any]) -> dict[str, Any]:
        users = self.usergroups.get(p.get("usergroup", ""))
        if users is None:
            return self._err("no_such_subteam")
        return {"ok": True, "users": list(users)}

    def _new_view(self, view: Any, **extra: Any) -> dict[str, Any]:
        if isinstance(view, str):
            view = json.loads(view)
        if not isinstance(view, dict):
            return self._err("invalid_arguments")
        title = (view.get("title") or {}).get("text", "")
        if view.get("type") == "modal" and len(title) > 24:
            return self._err("invalid_arguments")
        if len(view.get("blocks", [])) > 100 or len(view.get("private_metadata", "")) > 3000:
            return self._err("invalid_arguments")
        vid = f"V{next(self._ids):08d}"
        stored = {**view, "id": vid, "hash": f"h{vid}", **extra}
        self.views[vid] = stored
        return {"ok": True, "view": stored}

    def _m_views_open(self, p: dict[str, Any], push: bool = False) -> dict[str, Any]:
        if not p.get("trigger_id"):
            return self._err("invalid_trigger_id")
        res = self._new_view(p.get("view"))
        user = self.triggers.get(str(p["trigger_id"]))
        if res.get("ok") and user:
            stack = self.modals.setdefault(user, [])
            if not push:
                stack.clear()
            stack.append(res["view"]["id"])
        return res

    def _m_views_push(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._m_views_open(p, push=True)

    def _m_views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        vid = p.get("view_id")
        if vid and vid not in self.views:
            return self._err("not_found")
        res = self._new_view(p.get("view"))
        if res.get("ok") and vid:
            new = self.views.pop(res["view"]["id"])
            new["id"] = vid
            self.views[vid] = new
            res["view"] = new
        return res

    def _m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        user = p.get("user_id")
        if not user:
            return self._err("invalid_arguments")
        res = self._new_view(p.get("view"))
        if res.get("ok"):
            self.home_views[user] = res["view"]
        return res

    def _m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = p.get("users")
        if isinstance(users, list):
            users = ",".join(users)
        if not users:
            return self._err("users_list_not_supplied")
        cid = "D" + users.split(",")[0].lstrip("UW")
        self.channels.setdefault(cid, _Channel(cid, cid.lower(), False, True, users.split(",")))
        return {"ok": True, "channel": {"id": cid, "is_im": True}}

    def _m_conversations_info(self, p: dict[str, Any]) -> dict[str, Any]:
        ch = self.channels.get(p.get("channel", ""))
        if not ch:
            return self._err("channel_not_found")
        if ch.is_im:
            return {"ok": True, "channel": {"id": ch.id, "created": 0, "is_im": True, "is_org_shared": False,
                                            "user": ch.members[0] if ch.members else "", "is_user_deleted": False}}
        info: dict[str, Any] = {
            "id": ch.id, "name": ch.name, "name_normalized": ch.name, "is_channel": True, "is_group": False,
            "is_im": False, "is_mpim": False, "is_private": False, "created": 0, "is_archived": False,
            "is_general": False, "is_shared": ch.is_ext_shared, "is_ext_shared": ch.is_ext_shared,
            "is_org_shared": False, "is_pending_ext_shared": False, "is_member": ch.bot_member,
            "context_team_id": self.team_id,
        }
        if ch.is_ext_shared:  # Slack Connect: every side, and who created it
            info.update(shared_team_ids=list(ch.teams), conversation_host_id=ch.host)
        return {"ok": True, "channel": info}

    def _m_conversations_members(self, p: dict[str, Any]) -> dict[str, Any]:
        ch = self.channels.get(p.get("channel", ""))
        if not ch:
            return self._err("channel_not_found")
        return {"ok": True, "members": list(ch.members), "response_metadata": {"next_cursor": ""}}

    def _public(self, m: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
        out = dict(m)
        if not with_metadata:
            out.pop("metadata", None)
        return out

    def _m_conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = p.get("channel")
        if channel not in self._messages and channel not in self.channels:
            return self._err("channel_not_found")
        if self._outside(channel):
            return self._err("not_in_channel")
        oldest = float(p.get("oldest") or 0)
        latest = float(p.get("latest") or 1e12)
        limit = int(p.get("limit") or 100)
        meta = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        msgs = [
            self._public(m, meta)
            for m in self._messages.get(channel, [])
            if (not m.get("thread_ts") or m.get("thread_ts") == m["ts"]) and oldest <= float(m["ts"]) <= latest
        ]
        msgs.sort(key=lambda m: float(m["ts"]), reverse=True)
        return {"ok": True, "messages": msgs[:limit], "has_more": len(msgs) > limit, "response_metadata": {"next_cursor": ""}}

    def _m_conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = p.get("channel"), p.get("ts")
        meta = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        if self._outside(channel):
            return self._err("not_in_channel")
        root = next((m for m in self._messages.get(cast(str, channel), []) if m["ts"] == ts), None)
        if root is None:
            return self._err("thread_not_found")
        oldest = float(p.get("oldest") or 0)
        msgs = [root] + [m for m in self._messages.get(cast(str, channel), []) if m.get("thread_ts") == ts and m["ts"] != ts and float(m["ts"]) >= oldest]
        msgs = [self._public(m, meta) for m in sorted(msgs, key=lambda m: float(m["ts"]))]
        limit = int(p.get("limit") or 1000)
        return {"ok": True, "messages": msgs[:limit], "has_more": len(msgs) > limit, "response_metadata": {"next_cursor": ""}}

    def _outside(self, channel: Any) -> bool:
        """The bot is not a member of this (known, non-DM) channel: Slack answers not_in_channel."""
        ch = self.channels.get(str(channel or ""))
        return ch is not None and not ch.is_im and not ch.bot_member
