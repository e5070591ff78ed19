"""The versions slackops runs on, and whether each is one its tests cover.

The tested range of each library is its bound in the project's dependencies (what
``pip`` enforced when slackops was installed); ``constraints/oldest.txt`` and
``constraints/latest.txt`` are the two ends the test suite runs on. The Redis server's
range is the servers the suite has run against: the embedded one (6.2) and 7.x.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

__all__ = ["LIBRARIES", "REDIS_SERVER_TESTED", "Component", "libraries", "redis_server"]

LIBRARIES = ("redis", "rq", "slack-sdk", "slack-bolt")
"""The libraries whose behaviour the desk's promises rest on (the wire to Redis, the job
queue, the Slack client and app framework): ``slackops doctor`` reports each."""

REDIS_SERVER_TESTED = ">=6.2,<8"
"""Redis servers the suite runs against (the embedded 6.2, and 7.x)."""


@dataclass(frozen=True)
class Component:
    name: str
    version: str | None  # None: not installed
    tested: str  # a PEP 440 specifier, "" when unknown
    in_range: bool | None  # None: cannot tell

    def line(self) -> str:
        if self.version is None:
            return f"{self.name}: not installed"
        if self.in_range is None:
            return f"{self.name} {self.version} (tested range unknown)"
        where = "within" if self.in_range else "OUTSIDE"
        return f"{self.name} {self.version}: {where} the tested range {self.tested}"


def _bounds() -> dict[str, str]:
    try:
        reqs = metadata.requires("slackops") or []
    except metadata.PackageNotFoundError:
        return {}
    out: dict[str, str] = {}
    for raw in reqs:
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        if req.marker is None:  # extras (test, bench) carry a marker
            out[_norm(req.name)] = str(req.specifier)
    return out


def _norm(name: str) -> str:
    return name.lower().replace("_", "-")


def _judge(name: str, version: str | None, spec: str) -> Component:
    if version is None or not spec:
        return Component(name, version, spec, None)
    from packaging.specifiers import SpecifierSet

    try:
        return Component(name, version, spec, Version(version) in SpecifierSet(spec))
    except InvalidVersion:
        return Component(name, version, spec, None)


def libraries() -> list[Component]:
    """Each of ``LIBRARIES``: its installed version and the range slackops is tested with."""
    bounds = _bounds()
    out = []
    for name in LIBRARIES:
        try:
            version: str | None = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = None
        out.append(_judge(name, version, bounds.get(_norm(name), "")))
    return out


def redis_server(version: str) -> Component:
    """The Redis server ``version`` (from INFO) against the servers the suite runs on."""
    return _judge("Redis server", version, REDIS_SERVER_TESTED)
