"""Hostile files and inputs: every command ends quickly, in bounded memory, with a message.

Each case runs the real command line (and the TUI's start) in a subprocess
with an address-space limit (:data:`AS_LIMIT`) and a timeout. A case passes
when the command exits 2 with a message (or lists the bad file as broken and
carries on) and prints no traceback. The corpus is generated here, in
temporary folders: no giant or special file is committed. ``CORPUS`` and the
other tables below are what the README's count of hostile cases is taken from.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT

AS_LIMIT = 300 * 2**20
"""Address space per command: about 200 MB above what the wizard needs to start (~90 MB)."""
TIMEOUT = 30
"""Seconds a command may take before the test calls it a hang (each case takes ~1 s)."""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def limited(*args: str, config: Path, stdin: int | None = subprocess.DEVNULL,
            stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """``email-wizard ARGS`` in a subprocess under the memory limit and the timeout."""
    env = {**os.environ, "EMAIL_WIZARD_CONFIG_DIR": str(config)}
    return subprocess.run([sys.executable, "-m", "wizard", *args], stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
                          timeout=TIMEOUT, preexec_fn=_limit_memory)


def assert_clean_exit(result: subprocess.CompletedProcess[str], code: int = 2) -> None:
    """The exit code wanted, a short message on stderr, and no traceback."""
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == code, (result.returncode, result.stderr[-2000:])
    assert "email-wizard" in result.stderr or ":" in result.stderr or result.stdout
    assert len(result.stderr) < 5000, "the message echoes a value whole"


# -- the corpus of hostile data files --------------------------------------------------------


def alias_bomb(levels: int) -> str:
    """The "billion laughs": nine aliases per level; 9 levels are ~430 bytes, 9**9 values."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def chain_flow(steps: int, last_first: bool = False, flow_id: str = "big-flow") -> str:
    """A valid flow of ``steps`` probe steps in a chain (written last step first if asked)."""
    head = [f"id: {flow_id}", "title: Big", "inputs:", "  host: {type: host, required: true}",
            "start: s0", "steps:"]
    body = []
    for i in range(steps):
        target = f"s{i + 1}" if i < steps - 1 else "done"
        body.append([f"  s{i}:", "    kind: probe", f"    title: Step {i} {{host}}",
                     "    probe: tcp.connect", '    with: {host: "{host}", port: "25"}',
                     f"    on: {{default: {target}}}"])
    if last_first:
        body.reverse()
    end = ["  done:", "    kind: end", "    title: Done", '    message: "ok {s0.outcome}"']
    return "\n".join(head + [line for step in body for line in step] + end) + "\n"


def _text(content: str | bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return write


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(target: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.symlink_to(target)
    return write


@dataclass(frozen=True)
class Case:
    """One hostile data file: its category, name, and how to make it."""

    category: str
    name: str
    make: Callable[[Path], None]
    position: bool = True
    """Whether the defect is reported at a ``LINE:COL`` (not for files that cannot be read)."""


DEEP_BLOCK = "".join("  " * i + f"k{i}:\n" for i in range(600)) + "  " * 600 + "x\n"

CORPUS = [
    Case("YAML structure", "alias-bomb-9", _text(alias_bomb(9))),
    Case("YAML structure", "alias-bomb-10", _text(alias_bomb(10))),
    Case("YAML structure", "recursive-alias", _text("id: &a [*a]\n")),
    Case("YAML structure", "deep-block-nesting", _text(DEEP_BLOCK)),
    Case("YAML structure", "deep-flow-nesting", _text("id: " + "[" * 5000 + "]" * 5000 + "\n")),
    Case("YAML structure", "5000-digit-int", _text("id: x\ntitle: " + "9" * 5000 + "\n")),
    Case("YAML structure", "unknown-tag-on-key", _text("!boom id: x\n")),
    Case("YAML structure", "unknown-tag-on-value", _text("id: !boom x\n")),
    Case("YAML structure", "impossible-date", _text("id: x\ntitle: 2024-13-45\n")),
    Case("YAML structure", "merge-key", _text("a: &a {b: 1}\nc: {<<: *a}\n")),
    Case("YAML structure", "two-documents", _text("id: a\n---\nid: b\n")),
    Case("YAML structure", "top-level-list", _text("- id: x\n")),
    Case("YAML structure", "not-utf8", _text(b"id: \xff\xfe\x00x\n")),
    Case("YAML structure", "empty", _text("")),
    Case("size", "1000-step-flow", _text(chain_flow(1000))),
    Case("size", "800-steps-last-first", _text(chain_flow(800, last_first=True))),
    Case("size", "over-1-MB", _text("# " + "x" * 1_100_000 + "\nid: x\n"), position=False),
    Case("special file", "fifo", _fifo, position=False),
    Case("special file", "dev-zero-link", _link("/dev/zero"), position=False),
    Case("special file", "dev-urandom-link", _link("/dev/urandom"), position=False),
    Case("special file", "dangling-link", _link("/nonexistent/flow.yaml"), position=False),
]
"""Data files that must be reported as broken (as flows, catalogs, provider profiles, tours)."""

KINDS = {"flow": "flows-under-test", "catalog": "catalog", "provider": "providers",
         "tour": "tours"}
"""``validate`` tells the kind of a file by its folder."""


def make_corpus(folder: Path, cases: list[Case] = CORPUS) -> dict[str, Path]:
    """Write every case as ``NAME.yaml`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for case in cases:
        path = folder / f"{case.name}.yaml"
        case.make(path)
        made[case.name] = path
    return made


@pytest.fixture(scope="module")
def hostile_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config folder whose ``flows/`` holds the whole corpus beside one good user flow."""
    config = tmp_path_factory.mktemp("hostile-config")
    make_corpus(config / "flows")
    (config / "flows" / "good-one.yaml").write_text(chain_flow(3, flow_id="good-one"))
    return config


# -- one bad file never takes the others down -------------------------------------------------


def test_list_shows_every_hostile_user_flow_as_broken_and_the_rest(hostile_config: Path) -> None:
    result = limited("list", config=hostile_config)
    assert_clean_exit(result, 0)
    assert "tcp-port" in result.stdout and "good-one" in result.stdout
    for case in CORPUS:
        line = next((ln for ln in result.stderr.splitlines() if f"/{case.name}.yaml:" in ln),
                    None)
        assert line is not None, f"{case.name} is not reported:\n{result.stderr}"
        assert line.startswith("broken: ")
        assert re.search(rf"/{re.escape(case.name)}\.yaml:\d+:\d+: \S", line), line


def test_list_json_names_each_broken_file_with_its_position(hostile_config: Path) -> None:
    result = limited("list", "--json", config=hostile_config)
    assert_clean_exit(result, 0)
    listing = json.loads(result.stdout)
    assert {"tcp-port", "good-one"} <= {f["id"] for f in listing["flows"]}
    for case in CORPUS:
        assert any(f"/{case.name}.yaml:" in b for b in listing["broken"]), case.name
    bomb = next(b for b in listing["broken"] if "/alias-bomb-9.yaml:" in b)
    assert re.search(r"alias-bomb-9\.yaml:[1-9]:\d+: YAML syntax error: "
                     r"the document holds more than", bomb), bomb


def test_a_bundled_flow_runs_beside_the_hostile_files(hostile_config: Path) -> None:
    result = limited("run", "tcp-port", config=hostile_config)
    assert_clean_exit(result)
    assert "needs input host" in result.stderr


def test_a_good_user_flow_runs_beside_the_hostile_files(hostile_config: Path) -> None:
    result = limited("run", "good-one", config=hostile_config)
    assert_clean_exit(result)
    assert "needs input host" in result.stderr


def test_a_broken_flow_run_by_name_is_reported(hostile_config: Path) -> None:
    result = limited("run", "alias-bomb-9", config=hostile_config)
    assert_clean_exit(result)
    assert "alias-bomb-9.yaml:" in result.stderr and "has defects" in result.stderr


def test_explain_runs_beside_the_hostile_files(hostile_config: Path) -> None:
    result = limited("explain", "535 Authentication credentials invalid", config=hostile_config)
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1) and result.stdout


TUI_START = """
import asyncio
from textual.widgets import OptionList
from wizard.tui.app import make_app

async def main():
    app = make_app(cursor_blink=False, animation_level="none")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        listing = app.screen.query_one("#flows", OptionList)
        print("screen", type(app.screen).__name__)
        for i in range(listing.option_count):
            option = listing.get_option_at_index(i)
            state = "disabled" if option.disabled else "enabled"
            print(state, str(option.prompt).replace("\\n", " "))

asyncio.run(main())
"""


def test_the_tui_starts_and_shows_the_hostile_files_greyed_with_the_reason(
        hostile_config: Path) -> None:
    env = {**os.environ, "EMAIL_WIZARD_CONFIG_DIR": str(hostile_config)}
    result = subprocess.run([sys.executable, "-c", TUI_START], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=TIMEOUT * 2, preexec_fn=_limit_memory)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "screen HomeScreen" in result.stdout
    lines = result.stdout.splitlines()
    assert any(ln.startswith("enabled") and "good-one" in ln for ln in lines)
    for case in CORPUS:
        line = next((ln for ln in lines if f"/{case.name}.yaml:" in ln), None)
        assert line is not None and line.startswith("disabled"), case.name
    bomb = next(ln for ln in lines if "/alias-bomb-9.yaml:" in ln)
    assert "each alias counted as a copy" in bomb


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_validate_reports_each_hostile_file_of_each_kind(
        tmp_path: Path, case: Case, kind: str) -> None:
    if case.category == "size" and kind != "flow":
        pytest.skip("the step limit is a flow's")
    path = make_corpus(tmp_path / KINDS[kind], [case])[case.name]
    result = limited("validate", str(path), config=tmp_path / "cfg")
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 2, (result.stdout[-2000:], result.stderr[-2000:])
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}:"), first
    line, col = first[len(str(path)) + 1:].split(":")[:2]
    assert line.isdigit() and col.isdigit()


# -- files given on the command line -----------------------------------------------------------


@pytest.fixture
def specials(tmp_path: Path) -> dict[str, Path]:
    """A FIFO, a folder, an empty file, a text file that is not PEM, a 1 MB value, a NUL."""
    out = {"fifo": tmp_path / "pipe", "folder": tmp_path / "folder",
           "empty": tmp_path / "empty", "text": tmp_path / "text.txt",
           "big": tmp_path / "big.txt", "nul": tmp_path / "nul.txt",
           "long": tmp_path / ("x" * 300)}
    os.mkfifo(out["fifo"])
    os.mkfifo(str(out["fifo"]) + ".yaml")
    out["zero_link"] = tmp_path / "zero.yml"
    out["zero_link"].symlink_to("/dev/zero")
    out["folder"].mkdir()
    out["empty"].write_text("")
    out["text"].write_text("hello, not a certificate\n")
    out["garbled"] = tmp_path / "garbled.pem"
    out["garbled"].write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                              "-----END CERTIFICATE-----\n")
    out["big"].write_text("a" * 1_000_000)
    out["nul"].write_bytes(b"example.com\x00evil")
    return out


RUN = ("run", "tcp-port", "--set", "host=127.0.0.1", "--set", "port=9", "--timeout", "1")

COMMAND_LINE = {
    "set-at-dev-zero": (("run", "tcp-port", "--set", "host=@/dev/zero"), "not a regular file"),
    "set-unknown-at-urandom": (("run", "tcp-port", "--set", "nosuch=@/dev/urandom"),
                               "not a regular file"),
    "set-unknown-at-fifo": (("run", "tcp-port", "--set", "nosuch=@{fifo}"),
                            "not a regular file"),
    "set-at-folder": (("run", "tcp-port", "--set", "host=@{folder}"), "directory"),
    "set-at-long-path": (("run", "tcp-port", "--set", "host=@{long}"), "too long"),
    "validate-dev-zero": (("validate", "/dev/zero"), "not a regular file"),
    "validate-dev-urandom": (("validate", "/dev/urandom"), "not a regular file"),
    "validate-fifo": (("validate", "{fifo}"), "not a regular file"),
    "validate-long-path": (("validate", "{long}.yaml"), "too long"),
    "run-fifo-flow-path": (("run", "{fifo}.yaml"), "not a regular file"),
    "run-dev-zero": (("run", "/dev/zero"), "unknown flow"),
    "run-long-flow-path": (("run", "{long}.yaml"), "too long"),
    "run-dev-zero-flow-link": (("run", "{zero_link}"), "not a regular file"),
    "ca-file-dev-zero": ((*RUN, "--ca-file", "/dev/zero"), "not a regular file"),
    "ca-file-fifo": ((*RUN, "--ca-file", "{fifo}"), "not a regular file"),
    "ca-file-folder": ((*RUN, "--ca-file", "{folder}"), "directory"),
    "ca-file-empty": ((*RUN, "--ca-file", "{empty}"), "no PEM certificate"),
    "ca-file-not-pem": ((*RUN, "--ca-file", "{text}"), "no PEM certificate"),
    "ca-file-garbled-pem": ((*RUN, "--ca-file", "{garbled}"), "not a usable PEM"),
    "ca-file-long-path": ((*RUN, "--ca-file", "{long}"), "too long"),
    "text-nul-byte": (("run", "tcp-port", "--set", "host=@{nul}"), "NUL byte"),
    "text-1-mb-value": (("run", "tcp-port", "--set", "host=@{big}"), "too long"),
    "path-input-over-255-bytes": (("run", "undelivered-mail", "--set", "sender=a@example.com",
                                   "--set", "message={long}"), "too long"),
}
"""Special files and values given on the command line: each is exit 2 before anything runs."""


@pytest.mark.parametrize("name", sorted(COMMAND_LINE))
def test_special_files_and_bad_values_on_the_command_line_are_exit_2(
        name: str, specials: dict[str, Path], tmp_path: Path) -> None:
    args, message = COMMAND_LINE[name]
    formatted = [a.format(**{k: str(v) for k, v in specials.items()}) for a in args]
    started = time.monotonic()
    result = limited(*formatted, config=tmp_path / "cfg")
    assert_clean_exit(result)
    said = result.stdout + result.stderr  # validate prints its defects on stdout
    assert message in said, said
    assert "{" not in said, "an unrendered template in the message"
    assert time.monotonic() - started < TIMEOUT


def test_a_1_mb_value_is_never_echoed_whole(specials: dict[str, Path], tmp_path: Path) -> None:
    result = limited("run", "tcp-port", "--set", f"port=@{specials['big']}",
                     "--set", "host=127.0.0.1", config=tmp_path / "cfg")
    assert_clean_exit(result)
    assert "too long (1000000 characters" in result.stderr
    assert len(result.stderr) < 1000


def test_explain_stdin_from_dev_zero_is_bounded(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        result = limited("explain", "-", config=tmp_path / "cfg", stdin=zero.fileno())
    assert_clean_exit(result)
    assert "too large" in result.stderr


def test_a_provider_profile_that_is_a_fifo_does_not_hang(specials: dict[str, Path],
                                                          tmp_path: Path) -> None:
    fifo = Path(str(specials["fifo"]) + ".yaml")
    result = limited("run", "dkim-needs-attention", "--set", "domain=example.com",
                     "--set", "selector=s1", "--set", f"provider={fifo}", "--set",
                     "region=us-ashburn-1", "--nameserver", "127.0.0.1:9", "--timeout", "1",
                     "--json", config=tmp_path / "cfg")
    assert "Traceback" not in result.stderr
    assert result.returncode == 3
    assert "not a regular file" in result.stdout


# -- output and signals ----------------------------------------------------------------------


def test_list_to_a_full_disk_is_a_short_message(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        result = limited("list", config=tmp_path / "cfg", stdout=full.fileno())
    assert_clean_exit(result, 3)
    assert "cannot write the output" in result.stderr


def test_list_into_a_closed_pipe_is_a_short_message(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = limited("list", "--json", config=tmp_path / "cfg", stdout=write_end)
    finally:
        os.close(write_end)
    assert_clean_exit(result, 3)
    assert "cannot write the output" in result.stderr


def test_the_first_ctrl_c_ends_the_program_with_130(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    env = {**os.environ, "EMAIL_WIZARD_CONFIG_DIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "wizard", "explain", "-"], stdin=read_end,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, cwd=ROOT, preexec_fn=_limit_memory)
    os.close(read_end)
    try:
        time.sleep(1.5)  # started, waiting for stdin
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        os.close(write_end)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
