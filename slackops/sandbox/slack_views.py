"""The stand-in's Web API methods for views (modals, the Home tab), people (users, user
groups), pins and reactions: a part of :class:`slackops.sandbox.slack.FakeSlack`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

__all__ = ["ViewsAndPeople"]


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
