"""The real ``email-wizard`` program in a real terminal (tmux): keys in, the screen read back.

A dedicated tmux server (``tmux -L ew-test-<uuid>``) runs the installed console
script with its config folder in a temporary directory; the test types like a
user — filter the home list, fill the tcp-port form, run the probe against a
closed loopback port, save the report, find it on the home screen — and reads
the screen with ``capture-pane``. The server is killed at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT

PROGRAM = Path(sys.executable).with_name("email-wizard")

if shutil.which("tmux") is None or not PROGRAM.exists():  # scripts/test installs both
    pytest.fail("tmux and the installed email-wizard script are needed: run scripts/test",
                pytrace=False)


class Terminal:
    """One tmux session on its own server socket."""

    def __init__(self, socket_name: str) -> None:
        self.socket = socket_name

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=10, check=False)
        return done.stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "ew", key)
            time.sleep(0.05)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "ew", "-l", text)
        time.sleep(0.1)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "ew")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} did not appear; the screen:\n{screen}")
            time.sleep(0.1)

    def dead(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "ew", "#{pane_dead}").strip() == "1"


@contextlib.contextmanager
def program_in_tmux(tmp_path: Path, name: str, size: tuple[int, int]) -> Iterator[Terminal]:
    """``email-wizard`` in a tmux pane of ``size`` on its own server (config and cache in
    ``tmp_path``, the checkout under test on PYTHONPATH); the server is killed at the end."""
    term = Terminal(f"{name}-{uuid.uuid4().hex[:12]}")
    env = {"EMAIL_WIZARD_CONFIG_DIR": str(tmp_path / "config"),
           "EMAIL_WIZARD_CACHE_DIR": str(tmp_path / "cache"), "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH"))
                                         if p)}
    command = " ".join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), str(PROGRAM)])
    term.tmux("-f", "/dev/null", "new-session", "-d", "-s", "ew", "-x", str(size[0]),
              "-y", str(size[1]), command)
    term.tmux("set-option", "-t", "ew", "remain-on-exit", "on")
    socket_path = term.tmux("display-message", "-p", "#{socket_path}").strip()
    try:
        yield term
    finally:
        term.tmux("kill-server")
        if socket_path:
            Path(socket_path).unlink(missing_ok=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """The program in a 100×30 pane."""
    with program_in_tmux(tmp_path, "ew-test", (100, 30)) as term:
        yield term


def test_the_real_program_walks_to_a_fix_saves_it_and_lists_it(
        terminal: Terminal, closed_port: int, tmp_path: Path) -> None:
    terminal.wait_for("What do you want to find out?")
    terminal.type("tcp-port")
    terminal.wait_for("Is a TCP port reachable?")
    terminal.keys("Enter")
    terminal.wait_for("Run the checks")
    terminal.type("127.0.0.1")
    terminal.keys("Tab", "C-u")
    terminal.type(str(closed_port))
    terminal.keys("C-r")
    terminal.wait_for(f"127.0.0.1:{closed_port} refused the connection")
    terminal.wait_for("Re-run")
    terminal.keys("Enter")
    screen = terminal.wait_for("Problem found")
    assert f"Nothing listens on 127.0.0.1:{closed_port}" in screen
    terminal.keys("s")
    terminal.wait_for("Save report")
    terminal.keys("C-s")
    sessions = tmp_path / "config" / "sessions"
    deadline = time.monotonic() + 10
    while len(list(sessions.glob("*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    report = json.loads(next(sessions.glob("tcp-port-*.json")).read_text())
    assert report["status"] == "problem"
    terminal.keys("h")
    screen = terminal.wait_for("Saved sessions")
    assert "tcp-port-" in screen
    terminal.keys("C-q")
    deadline = time.monotonic() + 10
    while not terminal.dead():
        assert time.monotonic() < deadline, terminal.screen()
        time.sleep(0.1)
