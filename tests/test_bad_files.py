"""Every command that reads a file a person names, given a folder, an unreadable file, a
file that is not UTF-8, an empty file or a file of 50 MB: one line naming the file and
the problem, exit status 2, never a traceback. (`doctor` lists the same line among its
checks.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from slackops.cli import main

OPENED = "2026-12-07T10:00-07:00"

COMMANDS = {
    "config check": lambda f: ["config", "check", f],
    "policy show": lambda f: ["policy", "show", f],
    "policy check": lambda f: ["policy", "check", f],
    "policy timeline": lambda f: ["policy", "timeline", f, "--priority", "P1", "--opened", OPENED],
    "policy explain": lambda f: ["policy", "explain", f, "--priority", "P1", "--opened", OPENED, "--kind", "resolution"],
    "policy show --account": lambda f: ["policy", "show", "--account", "acme", "--config", f],
    "requests list": lambda f: ["requests", "list", "--config", f],
    "requests show": lambda f: ["requests", "show", "ACME-1", "--config", f],
    "report": lambda f: ["report", "--config", f],
    "maintenance list": lambda f: ["maintenance", "list", "--config", f],
    "serve": lambda f: ["serve", "--config", f],
    "run": lambda f: ["run", "--config", f],
}


def _folder(tmp: Path) -> Path:
    p = tmp / "a-folder.yml"
    p.mkdir()
    return p


def _not_utf8(tmp: Path) -> Path:
    p = tmp / "latin1.yml"
    p.write_bytes("title: Società\n".encode("latin-1"))
    return p


def _empty(tmp: Path) -> Path:
    p = tmp / "empty.yml"
    p.write_bytes(b"")
    return p


def _huge(tmp: Path) -> Path:
    p = tmp / "huge.yml"
    with p.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB (sparse: no disk used)
    return p


def _unreadable(tmp: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root reads every file: no unreadable file to give")
    p = tmp / "secret.yml"
    p.write_text("team_id: T0\n")
    p.chmod(0)
    return p


FILES = {"a folder": (_folder, "is a directory"), "not UTF-8": (_not_utf8, "is not UTF-8 text"),
         "empty": (_empty, "is empty"), "50 MB": (_huge, "is 50 MB, too large"),
         "unreadable": (_unreadable, "cannot be read (permission denied)")}


@pytest.mark.parametrize("kind", list(FILES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_one_line_naming_the_file_and_its_problem(tmp_path, capsys, monkeypatch, command, kind):
    monkeypatch.delenv("SLACKOPS_CONFIG", raising=False)
    make, problem = FILES[kind]
    path = make(tmp_path)
    rc = main(COMMANDS[command](str(path)))
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("using ")]
    assert len(lines) == 1, err
    assert lines[0].startswith(str(path)) and problem in lines[0], lines[0]
    assert "Traceback" not in err
