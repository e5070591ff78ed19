"""Who is in the sandbox's Slack and what each of them can see.

The people come from the configuration (the vendor's agents and managers, each account's
contacts, and one customer per account who is not a contact), named by an optional
people file (the demo's ``people.yml``). Each customer's workspace is a team of its own
(``T0`` + the account id), sharing the account's channel with the vendor's (Slack Connect). What a person sees follows Slack's rules: customers see their account's shared
channel and their own DMs; the vendor's people see every channel the app uses (shared
channels, the priority channels, and any other channel the app posts to) and their DMs.

On Enterprise Grid (the configuration's ``enterprise_id``) the vendor's people of the
``agent_workspaces`` belong to the organisation's other workspaces; a customer whose
people-file entry names an ``enterprise`` belongs to that organisation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from slackops.config import Config
from slackops.sandbox.slack import FakeSlack

__all__ = ["Person", "World"]

DEFAULT_TZ = "America/Denver"
_LOCALES = {"en": "en-US", "it": "it-IT"}
"""A customer's Slack language, unless people.yml names one: their account's."""


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    team: str
    kind: str  # "contact" | "customer" | "agent" | "manager"
    tz: str = DEFAULT_TZ
    account: str | None = None
    roles: tuple[str, ...] = ()
    enterprise: str | None = None  # their Enterprise Grid organisation
    elsewhere: bool = False  # of the vendor, in another workspace of its organisation
    locale: str = "en-US"  # the language Slack shows them dates in (users.info's ``locale``)

    @property
    def vendor(self) -> bool:
        return self.kind in ("agent", "manager")

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["roles"] = list(self.roles)
        out["label"] = self.label
        return out

    @property
    def label(self) -> str:
        what = {"contact": "customer contact", "customer": "customer, not a contact", "agent": "agent",
                "manager": "manager"}[self.kind]
        if self.kind == "manager" and self.roles:
            what = "manager: " + ", ".join(r.replace("_", " ") for r in self.roles)
        where = f", workspace {self.team}" if self.elsewhere else ""
        return f"{self.name} ({what}{', ' + self.account if self.account else ''}{where})"


def _names(people_file: str | Path | None) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    if not people_file or not Path(people_file).is_file():
        return {}, {}
    raw = yaml.safe_load(Path(people_file).read_text(encoding="utf-8")) or {}
    return dict(raw.get("users") or {}), {str(k): str(v) for k, v in (raw.get("channels") or {}).items()}


class World:
    """The sandbox's people and channels, seeded into the stand-in for Slack."""

    def __init__(self, config: Config, people_file: str | Path | None = None) -> None:
        self.config = config
        users, self.channel_names = _names(people_file)
        people: dict[str, Person] = {}

        def add(uid: str, kind: str, team: str, account: str | None = None, language: str = "en") -> None:
            if uid in people:
                return
            info = users.get(uid) or {}
            roles = tuple(r for r, ids in config.managers.items() if uid in ids)
            home = str(info.get("team") or team)
            vendor = kind in ("agent", "manager")
            # the vendor's people in the organisation's other workspaces are the organisation's
            org = config.enterprise_id if vendor and home in config.agent_workspaces else info.get("enterprise")
            people[uid] = Person(uid, str(info.get("name") or uid), home, kind, str(info.get("tz") or DEFAULT_TZ),
                                 account, roles, str(org) if org else None, vendor and home != config.team_id,
                                 locale=str(info.get("locale") or _LOCALES.get(language, "en-US")))

        for acct in config.accounts:
            team = f"T0{acct.id.upper()}"
            for uid in [*acct.contacts, *acct.contacts_24x7]:
                add(uid, "contact", team, acct.name, acct.language)
            others = [u for u, i in users.items() if i.get("team") == team and u not in people]
            add(others[0] if others else f"U0{acct.id.upper()[:8]}GUEST", "customer", team, acct.name, acct.language)
        for uid in config.agents:
            add(uid, "agent", config.team_id)
        for ids in config.managers.values():
            for uid in ids:
                add(uid, "manager", config.team_id)
        self.people = people
        self.shared = {a.channel: a for a in config.accounts}
        self.app_url = ""  # the app's own address (Slack's requests, the status pages)
        self.status_links: dict[str, str] = {}  # account name -> its status page
        self.priority = {ch: rank for rank, ch in config.channels.items()}

    # -- seeding ---------------------------------------------------------------------
    def seed(self, fake: FakeSlack) -> None:
        """Users, the agents' user group, and the channels, as the workspace holds them."""
        for p in self.people.values():
            # a customer shares a channel with the app: users.info names their workspace (not
            # ours), and Slack does not call them a stranger
            fake.add_user(p.id, team_id=p.team, name=p.name, tz=p.tz, tz_label=p.tz, tz_offset=0, enterprise_id=p.enterprise)
        if self.config.agents_usergroup:
            fake.add_usergroup(self.config.agents_usergroup, list(self.config.agents))
        vendor = [p.id for p in self.people.values() if p.vendor]
        for ch, acct in self.shared.items():
            members = vendor + [p.id for p in self.people.values() if p.account == acct.name] + [fake.bot_user_id]
            # the other side of a Slack Connect channel: the customer's workspace, or their organisation
            teams = sorted({p.enterprise or p.team for p in self.people.values() if p.account == acct.name}
                           - {self.config.team_id})
            fake.add_channel(ch, name=self.channel_names.get(ch, f"{acct.id}-support"), is_ext_shared=True,
                             members=members, shared_with=teams or [f"T0{acct.id.upper()}"])
        for ch, rank in self.priority.items():
            fake.add_channel(ch, name=self.channel_names.get(ch, f"support-priority-{rank}"),
                             members=vendor + [fake.bot_user_id])

    # -- what a person sees ----------------------------------------------------------
    def dm_owner(self, fake: FakeSlack, channel: str) -> str | None:
        """The person whose DM with the app ``channel`` is (a user id is their DM too)."""
        if channel[:1] in ("U", "W"):
            return channel
        ch = fake.channels.get(channel)
        if ch is not None and ch.is_im:
            return ch.members[0] if ch.members else None
        if channel.startswith("D") and "U" + channel[1:] in self.people:
            return "U" + channel[1:]
        return None

    def channel_info(self, fake: FakeSlack, channel: str) -> dict[str, Any]:
        if channel in self.shared:
            acct = self.shared[channel]
            return {"id": channel, "name": fake.channels[channel].name if channel in fake.channels else channel,
                    "kind": "shared", "account": acct.name, "policy": acct.policy}
        if channel in self.priority:
            return {"id": channel, "name": fake.channels[channel].name if channel in fake.channels else channel,
                    "kind": "priority", "rank": self.priority[channel]}
        ch = fake.channels.get(channel)
        return {"id": channel, "name": ch.name if ch else self.channel_names.get(channel, channel.lower()),
                "kind": "channel"}

    def sees(self, fake: FakeSlack, person: Person, channel: str) -> bool:
        owner = self.dm_owner(fake, channel)
        if owner is not None:
            return owner == person.id
        if person.vendor:
            return True
        acct = self.shared.get(channel)
        return acct is not None and acct.name == person.account

    def state(self, fake: FakeSlack, person: Person) -> dict[str, Any]:
        """Everything ``person`` would see in Slack now, for the page."""
        with fake._lock:
            version = fake.version
            names = set(self.shared) | set(self.priority) | set(fake._messages)
            channels, dms, messages = [], [], {}
            for ch in sorted(names):
                if not self.sees(fake, person, ch):
                    continue
                msgs = fake.messages(ch)
                if self.dm_owner(fake, ch) is not None:
                    dms.append(ch)
                else:
                    channels.append(self.channel_info(fake, ch))
                messages[ch] = [_shown(m) for m in msgs]
            dm_msgs = sorted((m for ch in dms for m in messages.pop(ch, [])), key=lambda m: float(m["ts"]))
            ephemerals = [dict(e) for e in fake.ephemerals if e.get("user") == person.id]
            modals = [dict(fake.views[v]) for v in fake.modals.get(person.id, []) if v in fake.views]
            home = fake.home_views.get(person.id)
        order = {"shared": 0, "priority": 1, "channel": 2}
        channels.sort(key=lambda c: (order[c["kind"]], c.get("rank", 0), c["name"]))
        return {
            "version": version,
            "me": person.as_json(),
            "bot": fake.bot_user_id,
            "people": [p.as_json() for p in self.people.values()],
            "channels": channels,
            "messages": messages,
            "dm": dm_msgs,
            "ephemerals": ephemerals,
            "modals": modals,
            "home": home,
            # where the app is, and the status pages this person may open (a customer: theirs)
            "app_url": self.app_url,
            "status": [{"account": name, "url": url} for name, url in self.status_links.items()
                       if person.vendor or person.account == name],
        }


def _shown(m: dict[str, Any]) -> dict[str, Any]:
    """A message as a person's Slack client has it (no metadata: that is for apps)."""
    out = {k: v for k, v in m.items() if k != "metadata"}
    return out
