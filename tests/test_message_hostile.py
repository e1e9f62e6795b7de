"""Crafted message files end within the probe's timeout, under 200 MB, with a clear outcome.

The stdlib header parser is quadratic or worse on some inputs (10,000 encoded
words in a Subject reached 2.65 GB; 100,000 addresses in a To took 120 s) and
ran on the event loop, where ``--timeout`` and Ctrl-C could not stop it.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT
from wizard.message.isolated import Unusable, analyse, analyse_isolated
from wizard.message.summary import MessageSummary

MEMORY_LIMIT = 1024 * 2**20
"""Address space of the CLI under test (threads reserve far more than they use)."""
MAX_RSS_KB = 200 * 1024
TIMEOUT = 5

FLOW = """\
id: message-only
title: Message only
inputs:
  message: {type: path, required: true}
start: parse
steps:
  parse:
    kind: probe
    probe: message.parse
    with: {path: "{message}", max_recipients: 50}
    on: {default: identity}
  identity:
    kind: probe
    probe: mail.identity
    with: {message: "{message}"}
    on: {default: done}
  done: {kind: end, message: "done"}
"""


def encoded_subject(words: int) -> bytes:
    subject = " ".join(f"=?utf-8?q?w{i}=C3=A9?=" for i in range(words))
    return (f"From: a@example.com\nTo: b@example.com\nSubject: {subject}\n\nbody\n").encode()


def long_to(addresses: int) -> bytes:
    to = ", ".join(f"user{i}@example.com" for i in range(addresses))
    return f"From: a@example.com\nTo: {to}\nSubject: hi\n\nbody\n".encode()


def run_limited(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float,
                                                       int]:
    """The CLI under RLIMIT_AS: its result, wall time and peak RSS in KB (its own children
    included, nobody else's)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out_path, err_path = tmp_path / "stdout", tmp_path / "stderr"
    started = time.monotonic()
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "wizard", *args], stdout=out,
                                stderr=err, env=env, cwd=ROOT, preexec_fn=limit)
    try:
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            assert time.monotonic() - started < 60, "the run did not end within 60 s"
            time.sleep(0.05)
    finally:
        if not pid:
            proc.kill()
            os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out_path.read_text(),
                                         err_path.read_text())
    return result, elapsed, usage.ru_maxrss


@pytest.mark.parametrize(("name", "data", "summary"), [
    ("subject", encoded_subject(10_000), "a message from a@example.com"),
    ("to", long_to(100_000), "recipients over the provider's limit"),
], ids=["subject-10000-encoded-words", "to-100000-addresses"])
def test_a_crafted_message_ends_within_the_timeout_and_memory(
        tmp_path: Path, name: str, data: bytes, summary: str) -> None:
    message = tmp_path / f"{name}.eml"
    message.write_bytes(data)
    flow = tmp_path / "flow.yaml"
    flow.write_text(FLOW)
    result, elapsed, peak = run_limited(tmp_path, "run", str(flow), "--set", f"message={message}",
                                        "--timeout", str(TIMEOUT), "--json")
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    report = json.loads(result.stdout)
    parse, identity = report["trail"][0], report["trail"][1]
    assert summary in parse["summary"]
    assert identity["outcome"] == "from_message"
    assert parse["elapsed_ms"] <= TIMEOUT * 1000 and identity["elapsed_ms"] <= TIMEOUT * 1000
    assert elapsed < 3 * TIMEOUT, "two probes, each within the timeout, and the start-up"
    assert peak < MAX_RSS_KB, f"peak RSS {peak} KB"


def test_the_long_to_is_counted_exactly_and_listed_in_part() -> None:
    summary = analyse(long_to(100_000))
    assert isinstance(summary, MessageSummary)
    assert summary.recipient_count == 100_000
    assert len(summary.recipients) == 1000
    assert any("scanned, not parsed" in d for d in summary.defects)


def test_an_oversized_subject_is_shown_as_written_not_decoded() -> None:
    summary = analyse(encoded_subject(10_000))
    assert isinstance(summary, MessageSummary)
    assert summary.subject.startswith("=?utf-8?q?w0=C3=A9?=") and summary.subject.endswith("…")
    assert summary.from_addresses == ["a@example.com"]


async def test_a_parse_past_its_deadline_is_killed_and_says_so() -> None:
    started = time.monotonic()
    result = await analyse_isolated(long_to(2000) * 1, 0.05)
    assert isinstance(result, Unusable) and result.kind == "timeout"
    assert time.monotonic() - started < 2


def parsing_child(pid: int) -> bool:
    """Whether process ``pid`` has a child parsing a message (wizard.message.isolated)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"wizard.message.isolated" in cmdline:
            return True
    return False


def test_ctrl_c_stops_a_run_parsing_a_crafted_message(tmp_path: Path) -> None:
    message = tmp_path / "to.eml"
    message.write_bytes(long_to(100_000))
    flow = tmp_path / "flow.yaml"
    flow.write_text(FLOW)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "wizard", "run", str(flow), "--set",
                             f"message={message}", "--timeout", "30"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)
    deadline = time.monotonic() + 20
    while not parsing_child(proc.pid):
        assert proc.poll() is None, "the run ended before it parsed the message"
        assert time.monotonic() < deadline, "no parse began within 20 s"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    try:
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 130, err[-2000:]
    assert time.monotonic() - sent < 3
