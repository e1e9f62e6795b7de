"""The limits of the strict loader and the checker, in process: fast, bounded, no recursion.

The same cases run end to end (CLI, TUI, memory limit) in test_hostile_files.py;
here each limit is pinned to the function that enforces it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.test_hostile_files import alias_bomb, chain_flow
from wizard.cli import main
from wizard.data import strict_load
from wizard.data.diagnostics import DataFileError
from wizard.data.yamlpos import MAX_DEPTH, YamlSyntaxError, load_located
from wizard.engine import Session, run_to_end
from wizard.errors import ExitStatus, WizardError, exit_status_for, shorten
from wizard.flow import check, loader
from wizard.flow.model import Flow
from wizard.inputs import BadInput
from wizard.probes.base import ProbeResult
from wizard.probes.runner import ProbeFailed
from wizard.validate import validate_file


@pytest.fixture
def low_recursion_limit() -> Iterator[None]:
    """Python's recursion limit at 150 frames: a recursive walk of 300 steps would fail."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(150)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def test_the_408_byte_alias_bomb_is_rejected_at_its_line_before_expanding(
        tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(9))
    assert len(path.read_bytes()) < 450
    started = time.monotonic()
    [defect] = validate_file(path)
    assert time.monotonic() - started < 1.0
    assert (defect.line, defect.col) == (5, 5)
    assert "more than 50000 values" in defect.message


def test_an_alias_that_contains_itself_is_a_defect() -> None:
    with pytest.raises(YamlSyntaxError, match="contains it"):
        load_located("a: &a [1, *a]\n")


def test_nesting_deeper_than_the_limit_is_a_defect_not_a_recursion_error(
        tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("".join("  " * i + f"k{i}:\n" for i in range(600)) + "  " * 600 + "x\n")
    [defect] = validate_file(path)
    assert f"nested more than {MAX_DEPTH} levels deep" in defect.message
    assert defect.line == MAX_DEPTH + 1


def test_the_position_builder_does_not_recurse(low_recursion_limit: None) -> None:
    located = load_located("a:\n" + "".join("  " * i + f"- k{i}:\n"
                                            for i in range(1, MAX_DEPTH // 2)) + "x: 1\n")
    assert located.data["x"] == 1


def test_a_5000_digit_integer_is_a_defect_at_its_position(tmp_path: Path) -> None:
    path = tmp_path / "int.yaml"
    path.write_text("id: x\ntitle: " + "9" * 5000 + "\n")
    [defect] = validate_file(path)
    assert (defect.line, defect.col) == (2, 8)
    assert "number longer than" in defect.message


@pytest.mark.parametrize(("text", "where", "message"), [
    ("!boom id: x\n", (1, 1), "could not determine a constructor for the tag '!boom'"),
    ("id: 2024-13-45\n", (1, 5), "month must be in 1..12"),
    ("1: a\n'1': b\n", (2, 1), "duplicate key '1'"),
])
def test_keys_and_values_that_cannot_be_built_are_defects(
        text: str, where: tuple[int, int], message: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        load_located(text)
    assert (caught.value.pos.line, caught.value.pos.col) == where
    assert message in caught.value.message


def test_a_flow_of_more_than_300_steps_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(chain_flow(1000))
    started = time.monotonic()
    [defect] = validate_file(path)
    assert time.monotonic() - started < 3.0
    assert defect.message == "too many steps (1001; at most 300)"
    assert (defect.line, defect.col) == (6, 1)


def test_the_cycle_check_does_not_recurse(tmp_path: Path, low_recursion_limit: None) -> None:
    text = chain_flow(290).replace("on: {default: done}", "on: {default: s0}")
    path = tmp_path / "loop.yaml"
    path.write_text(text)
    defects = validate_file(path)
    assert any("cycle with no 'ask' step: s0 -> s1 -> s2" in d.message for d in defects)


def test_the_variable_analysis_settles_in_few_passes_whatever_the_step_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Steps written last first made one pass per step: 45 s for 800 steps."""
    calls = 0
    real = check._provided

    def counting(*args: Any) -> set[str]:
        nonlocal calls
        calls += 1
        return real(*args)

    monkeypatch.setattr(check, "_provided", counting)
    path = tmp_path / "last-first.yaml"
    path.write_text(chain_flow(250, last_first=True))
    assert validate_file(path) == []
    assert calls < 10 * 250


def test_running_one_flow_parses_no_other_flow_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "bomb.yaml").write_text(alias_bomb(9))
    (flows / "other.yaml").write_text(chain_flow(3, flow_id="other"))
    monkeypatch.setenv("EMAIL_WIZARD_CONFIG_DIR", str(tmp_path))
    parsed: list[str] = []
    real = strict_load.read_located

    def recording(path: Path, display: str | None = None) -> Any:
        parsed.append(path.name)
        return real(path, display)

    monkeypatch.setattr(strict_load, "read_located", recording)
    assert loader.find_flow("tcp-port").id == "tcp-port"
    assert parsed in ([], ["tcp-port.yaml"]), "only the flow asked for (or its cached copy)"


def test_a_user_flow_in_any_file_still_replaces_the_bundled_one_of_its_id(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "mine.yaml").write_text(chain_flow(2, flow_id="tcp-port"))
    monkeypatch.setenv("EMAIL_WIZARD_CONFIG_DIR", str(tmp_path))
    flow = loader.find_flow("tcp-port")
    assert flow.title == "Big"
    assert loader.discover().flows["tcp-port"][0].title == "Big"


def test_a_fifo_in_the_flows_folder_is_listed_as_broken(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    (tmp_path / "flows").mkdir()
    os.mkfifo(tmp_path / "flows" / "pipe.yaml")
    monkeypatch.setenv("EMAIL_WIZARD_CONFIG_DIR", str(tmp_path))
    catalogue = loader.discover()
    assert "tcp-port" in catalogue.flows
    [defect] = catalogue.broken
    assert defect.file.endswith("pipe.yaml") and "not a regular file" in defect.message


# -- the root exception and the exit statuses --------------------------------------------------


def test_the_root_exception_says_its_docstring_by_default() -> None:
    class NoRoute(WizardError):
        """No route to the server."""

    assert str(NoRoute()) == "No route to the server."
    assert str(NoRoute("custom")) == "custom"


@pytest.mark.parametrize(("exc", "status"), [
    (KeyboardInterrupt(), ExitStatus.INTERRUPTED),
    (BadInput("port: bad"), ExitStatus.BAD_INPUT),
    (DataFileError([]), ExitStatus.BAD_INPUT),
    (WizardError(), ExitStatus.COULD_NOT_FINISH),
    (RuntimeError("bug"), ExitStatus.COULD_NOT_FINISH),
])
def test_one_place_maps_exceptions_to_exit_statuses(exc: BaseException,
                                                     status: ExitStatus) -> None:
    assert exit_status_for(exc) is status


def test_values_in_messages_are_cut() -> None:
    shown = shorten("x" * 1_000_000)
    assert len(shown) < 300 and "1000000 characters" in shown


def test_an_unexpected_error_is_a_short_message_and_debug_shows_the_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("boom " + "v" * 100_000)

    monkeypatch.setattr("wizard.cli._list", broken)
    assert main(["list"]) == 3
    err = capsys.readouterr().err
    assert "unexpected error: RuntimeError: boom" in err and "--debug" in err
    assert "Traceback" not in err and len(err) < 600
    assert main(["list", "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err
    assert main(["--debug", "list"]) == 3
    assert "Traceback" in capsys.readouterr().err


FAILING_FLOW = """\
id: failing
title: Failing
inputs:
  host: {type: host, required: true}
start: connect
steps:
  connect:
    kind: probe
    title: Connect to {host} on {connect.address}
    probe: tcp.connect
    with: {host: "{host}", port: 25}
    on: {default: done}
  banner:
    kind: probe
    title: Banner of {host}
    probe: tcp.connect
    with: {host: "{host}", port: 25}
    on: {default: done}
  done:
    kind: end
    title: Done
"""


class _Failing:
    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        raise ProbeFailed("the CA file is not PEM")


@pytest.mark.parametrize(("start", "title"), [("banner", "Banner of 127.0.0.1"),
                                              ("connect", "connect")])
def test_a_failed_step_never_shows_an_unrendered_title(tmp_path: Path, start: str,
                                                        title: str) -> None:
    path = tmp_path / "failing.yaml"
    path.write_text(FAILING_FLOW.replace("start: connect", f"start: {start}"))
    flow = strict_load.load_model(Flow, strict_load.read_located(path), "failing.yaml")
    session = Session.start(flow, {"host": "127.0.0.1"}, _Failing())
    asyncio.run(run_to_end(session))
    assert session.status == "error"
    assert session.trail[-1].title == title
