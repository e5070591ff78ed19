"""Who is acting, as Slack tells it: the person, their workspace, their organisation, and
whether they are on the vendor's side or a customer.

One function, :func:`who_acts`, reads every place Slack puts it, for each kind of request:

- **Events** (``event_callback``). A message in a Slack Connect channel names the poster's
  side in ``user_team`` and ``source_team``: their workspace (``T...``), or, for a member of
  an Enterprise Grid organisation, the organisation (``E...``); ``team`` is their workspace.
  ``reaction_added`` and ``app_home_opened`` name no team at all. The envelope's
  ``team_id`` / ``enterprise_id`` say where the event happened and ``authorizations`` which
  installation it is for: when ``is_ext_shared_channel`` is false and the envelope is the
  installation's own, everyone in the channel belongs to that workspace (or organisation).
- **Interactive payloads and views** (``block_actions``, ``view_submission``, shortcuts):
  ``user.team_id`` is the person's workspace, ``team`` {``id``, ``enterprise_id``} the same
  workspace and its organisation, ``enterprise.id`` the organisation (null off Grid).
  ``is_enterprise_install`` and ``view.app_installed_team_id`` name the installation, not
  the person.
- **Slash commands** name the workspace the command was run in (``team_id``), its
  organisation (``enterprise_id``) and the installation's kind (``is_enterprise_install``),
  never the person's own workspace: in a Slack Connect channel a customer's command
  carries the vendor's ``team_id``. So a command never says whose side its sender is on.

Where the request cannot tell, ``users.info`` does: ``is_stranger`` (someone of another
workspace), ``enterprise_user.enterprise_id`` (their organisation), ``team_id`` (their
workspace).

The rule: on Enterprise Grid every workspace of the vendor's organisation is "us"; a
person of another organisation, of a workspace that is not the vendor's, or a stranger is a
customer; when nothing says, a person is a customer. The function does no I/O of its own:
``users.info`` is a callable it is given (the caller caches).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Identity", "Vendor", "who_acts", "decide", "side_of"]

UsersInfo = Callable[[str], Mapping[str, Any] | None]
"""``users.info``'s ``user`` for an id, or None when Slack does not know them (or cannot say)."""


@dataclass(frozen=True)
class Vendor:
    """The vendor as the configuration names it: its workspace (where the app runs), its
    Grid organisation, and every workspace where its agents work."""

    team_id: str
    enterprise_id: str | None = None
    workspaces: frozenset[str] = frozenset()

    @classmethod
    def of(cls, team_id: str, enterprise_id: str | None = None, agent_workspaces: Iterable[str] = ()) -> Vendor:
        return cls(team_id, enterprise_id or None, frozenset({team_id, *agent_workspaces}))

    def is_ours(self, team_or_org: str | None) -> bool:
        return bool(team_or_org) and (team_or_org in self.workspaces or team_or_org == self.enterprise_id)


@dataclass(frozen=True)
class Identity:
    """Who acts: ``team_id`` / ``enterprise_id`` as the request (or ``users.info``) names
    them, None where nothing does; ``ours``: on the vendor's side; ``because``: which
    field decided, for the logs."""

    user_id: str
    team_id: str | None
    enterprise_id: str | None
    ours: bool
    because: str


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _d(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _is_org(some_id: str | None) -> bool:
    return bool(some_id) and str(some_id).startswith("E")


def _from_event(body: Mapping[str, Any]) -> tuple[str | None, str | None, str | None, str]:
    """(user, team, organisation, where it was read) from an ``event_callback``."""
    event = _d(body.get("event"))
    user = _s(event.get("user"))
    team = org = None
    said = []
    for key in ("user_team", "source_team", "team"):
        value = _s(event.get(key))
        if value is None:
            continue
        if _is_org(value):
            org = org or value
        else:
            team = team or value
        said.append(f"event.{key}")
    if team or org:
        return user, team, org, ", ".join(said)
    # the event names no team: a channel that is not shared outside the installation's
    # workspace (or organisation) holds only its people
    channel = _s(event.get("channel")) or _s(_d(event.get("item")).get("channel"))
    if channel and body.get("is_ext_shared_channel") is False and event.get("type") in ("message", "reaction_added"):
        env_team, env_org = _s(body.get("team_id")), _s(body.get("enterprise_id"))
        auths = body.get("authorizations")
        for auth in map(_d, auths if isinstance(auths, list) else ()):
            same_org = env_org and _s(auth.get("enterprise_id")) == env_org
            same_team = env_team and _s(auth.get("team_id")) == env_team
            if same_team or (same_org and auth.get("is_enterprise_install")):
                return user, env_team, env_org, "a channel not shared outside the installation (is_ext_shared_channel)"
    return user, None, None, ""


def _from_interactive(body: Mapping[str, Any]) -> tuple[str | None, str | None, str | None, str]:
    """(user, team, organisation, where it was read) from an interactive payload or a view."""
    user = _d(body.get("user"))
    team_obj, ent_obj = _d(body.get("team")), _d(body.get("enterprise"))
    team = _s(user.get("team_id"))
    said = ["user.team_id"] if team else []
    if team is None and _s(team_obj.get("id")):
        team = _s(team_obj.get("id"))
        said.append("team.id")
    org = _s(user.get("enterprise_id"))
    if org:
        said.append("user.enterprise_id")
    if _is_org(team):  # an org-wide installation may name the organisation where a workspace would be
        org, team = org or team, None
    elif not org and team and _s(team_obj.get("id")) == team:  # team and enterprise describe the person's workspace
        org = _s(team_obj.get("enterprise_id")) or _s(ent_obj.get("id"))
        if org:
            said.append("team.enterprise_id" if team_obj.get("enterprise_id") else "enterprise.id")
    return _s(user.get("id")), team, org, ", ".join(said)


def _from_command(body: Mapping[str, Any]) -> tuple[str | None, str | None, str | None, str]:
    """A slash command's ``team_id`` / ``enterprise_id`` are where it was run (the
    installation's workspace, even for a customer in a shared channel): not the person's."""
    return _s(body.get("user_id")), None, None, ""


def side_of(team: str | None, org: str | None, vendor: Vendor) -> bool | None:
    """Whether a person of ``team`` / ``org`` is on the vendor's side; None when these do not tell."""
    if org:
        if vendor.enterprise_id:
            return org == vendor.enterprise_id  # any workspace of our organisation; any other org is not
        # a vendor without an organisation: only its own workspaces are "us"
        return bool(team) and team in vendor.workspaces
    if team:
        if team in vendor.workspaces:
            return True
        if not vendor.enterprise_id:
            return False  # another workspace
        return None  # on Grid: a workspace of the organisation the configuration does not list?
    return None


def _side_of_user(user: Mapping[str, Any] | None, vendor: Vendor) -> tuple[bool, str | None, str | None, str]:
    if not user:
        return False, None, None, "users.info does not know them"
    team = _s(user.get("team_id"))
    org = _s(_d(user.get("enterprise_user")).get("enterprise_id"))
    if user.get("is_stranger"):
        return False, team, org, "users.info is_stranger"
    if org and vendor.enterprise_id:
        return org == vendor.enterprise_id, team, org, "users.info enterprise_user.enterprise_id"
    return vendor.is_ours(team), team, org, "users.info team_id"


def who_acts(body: Mapping[str, Any], vendor: Vendor, users_info: UsersInfo | None = None) -> Identity:
    """Who sent ``body`` (an event envelope, an interactive payload or view, or a slash
    command's fields) and whether they are on the vendor's side (see the module's doc)."""
    if "event" in body or body.get("type") == "event_callback":
        user, team, org, said = _from_event(body)
    elif isinstance(body.get("user"), Mapping):
        user, team, org, said = _from_interactive(body)
    else:
        user, team, org, said = _from_command(body)
    return decide(user or "", team, org, vendor, users_info, said)


def decide(user_id: str, team: str | None, org: str | None, vendor: Vendor, users_info: UsersInfo | None = None,
           said: str = "") -> Identity:
    """The verdict for a person the request names with ``team`` / ``org`` (None where it
    names nothing), asking ``users.info`` only when these do not tell."""
    ours = side_of(team, org, vendor)
    if ours is not None:
        return Identity(user_id, team, org, ours, said or "the request")
    if not user_id or users_info is None:
        return Identity(user_id, team, org, False, "nothing says: a customer")
    verdict, u_team, u_org, why = _side_of_user(users_info(user_id), vendor)
    return Identity(user_id, team or u_team, org or u_org, verdict, why)
