"""`email-wizard validate`: each kind of defect is reported at FILE:LINE:COL and exits 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import FLOWS, cli

GOOD = """\
id: demo
title: Demo
description: A small flow for the validator tests.
inputs:
  host: {type: host, required: true}
  port: {type: port, default: 587}
start: connect
steps:
  connect:
    kind: probe
    probe: tcp.connect
    with: {host: "{host}", port: "{port}"}
    on:
      open: fine
      default: broken
  fine:
    kind: end
    message: "Reached {connect.address}"
  broken:
    kind: fix
    findings:
      - id: demo.broken
        message: "{host}:{port} is {connect.outcome}"
"""


def validate(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "flow.yaml"
    path.write_text(text)
    result = cli("validate", str(path))
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stdout.splitlines() if line]
    for line in lines:
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", line), line
    return result.returncode, lines


def only(lines: list[str]) -> str:
    assert len(lines) == 1, lines
    return lines[0].split(": ", 1)[1]


def position(line: str) -> tuple[int, int]:
    match = re.search(r":(\d+):(\d+): ", line)
    assert match
    return int(match.group(1)), int(match.group(2))


def test_a_sound_flow_validates_clean(tmp_path: Path) -> None:
    assert validate(tmp_path, GOOD) == (0, [])


def test_yaml_syntax_error_is_pinned_to_its_line(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, GOOD.replace("title: Demo", "title: [Demo"))
    assert code == 2
    assert "YAML syntax error" in only(lines)


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, GOOD.replace("    on:\n", "    onn:\n", 1))
    assert code == 2
    message = " ".join(lines)
    assert "unknown key 'onn' (did you mean 'on'?)" in message
    line = next(ln for ln in lines if "unknown key" in ln)
    assert position(line) == (13, 5)


def test_unknown_key_in_a_nested_action_is_found(tmp_path: Path) -> None:
    text = GOOD + """\
    fixes:
      - id: demo.fix
        title: Fix it
        actions:
          - {type: dns, op: add, name: a.example.com., rtype: TXT, valu: x}
"""
    code, lines = validate(tmp_path, text)
    assert code == 2
    assert any("unknown key 'valu' (did you mean 'value'?)" in ln for ln in lines)


def test_branch_to_a_missing_step(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, GOOD.replace("open: fine", "open: fien"))
    assert code == 2
    assert any("step 'fien' does not exist (did you mean 'fine'?)" in ln for ln in lines)


def test_unregistered_probe_name(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, GOOD.replace("probe: tcp.connect", "probe: tcp.conect"))
    assert code == 2
    assert "unknown probe 'tcp.conect' (did you mean 'tcp.connect'?)" in only(lines)
    assert position(lines[0]) == (11, 12)


def test_outcome_neither_handled_nor_defaulted(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, GOOD.replace("      default: broken\n",
                                                  "      refused: broken\n"))
    assert code == 2
    message = only(lines)
    assert "not handled and no 'default'" in message
    assert "timeout" in message and "name_not_found" in message and "refused" not in message


def test_outcome_the_probe_cannot_return(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, GOOD.replace("open: fine", "opened: fine"))
    assert code == 2
    assert any("probe tcp.connect has no outcome 'opened' (did you mean 'open'?)" in ln
               for ln in lines)


def test_step_unreachable_from_the_start(tmp_path: Path) -> None:
    text = GOOD + """\
  orphan:
    kind: end
"""
    code, lines = validate(tmp_path, text)
    assert code == 2
    assert "step 'orphan' is unreachable from the start 'connect'" in only(lines)


def test_template_variable_nothing_provides(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, GOOD.replace("Reached {connect.address}",
                                                  "Reached {connect.adress}"))
    assert code == 2
    message = only(lines)
    assert "{connect.adress} is not provided" in message
    assert "did you mean 'connect.address'" in message


def test_fact_only_some_outcomes_provide_is_flagged_on_other_paths(tmp_path: Path) -> None:
    """connect_ms exists only after 'open'; the default branch cannot use it."""
    code, lines = validate(tmp_path, GOOD.replace("is {connect.outcome}",
                                                  "took {connect.connect_ms}"))
    assert code == 2
    assert "{connect.connect_ms} is not provided" in only(lines)


def test_cycle_without_a_question(tmp_path: Path) -> None:
    text = GOOD.replace("open: fine", "open: again\n      refused: fine") + """\
  again:
    kind: fix
    next: connect
"""
    code, lines = validate(tmp_path, text)
    assert code == 2
    assert "cycle with no 'ask' step: connect -> again" in only(lines)


def test_cycle_through_a_question_is_allowed(tmp_path: Path) -> None:
    text = GOOD.replace("open: fine", "open: retry") + """\
  retry:
    kind: ask
    question: Try again?
    var: again
    type: choice
    choices: ["yes", "no"]
    on: {"yes": connect, "no": fine}
"""
    assert validate(tmp_path, text) == (0, [])


def test_stray_brace_in_a_template(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, GOOD.replace("Reached {connect.address}",
                                                  "Reached {connect.address"))
    assert code == 2
    assert "stray brace" in only(lines)


def test_unknown_probe_parameter(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, GOOD.replace("port: \"{port}\"}", "prot: \"{port}\"}"))
    assert code == 2
    joined = "\n".join(lines)
    assert "unknown parameter 'prot' (did you mean 'port'?)" in joined
    assert "missing required parameter 'port'" in joined


def test_several_files_all_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("kind: end", "kind: ende"))
    missing = tmp_path / "missing.yaml"
    result = cli("validate", str(bad), str(missing))
    assert result.returncode == 2
    assert f"{missing}:1:1: cannot read" in result.stdout
    assert f"{bad}:" in result.stdout


@pytest.mark.parametrize("path", sorted(FLOWS.rglob("*.yaml")),
                         ids=lambda p: str(p.relative_to(FLOWS)))
def test_every_shipped_data_file_validates_clean(path: Path) -> None:
    result = cli("validate", str(path))
    assert (result.returncode, result.stdout) == (0, "")


SWITCH = GOOD.replace("open: fine", "open: decide") + """\
  decide:
    kind: switch
    value: "{connect.address}"
    cases:
      "127.0.0.1": fine
    default: broken
"""


def test_a_switch_on_a_known_fact_validates(tmp_path: Path) -> None:
    assert validate(tmp_path, SWITCH) == (0, [])


def test_a_switch_case_to_a_missing_step(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, SWITCH.replace('"127.0.0.1": fine', '"127.0.0.1": fin'))
    assert code == 2
    assert any("step 'fin' does not exist (did you mean 'fine'?)" in ln for ln in lines)


def test_a_switch_needs_a_default(tmp_path: Path) -> None:
    head, _, tail = SWITCH.rpartition("    default: broken\n")
    code, lines = validate(tmp_path, head + tail)
    assert code == 2
    assert "missing required key 'default'" in " ".join(lines)


def test_a_switch_on_a_fact_no_path_provides(tmp_path: Path) -> None:
    code, lines = validate(tmp_path, SWITCH.replace('value: "{connect.address}"',
                                                    'value: "{connect.connect_ms}"')
                           .replace("open: decide", "open: fine\n      refused: decide"))
    assert code == 2
    assert any("{connect.connect_ms} is not provided" in ln for ln in lines)


@pytest.mark.parametrize(("folder", "source"), [("catalog", "oci-email-delivery.yaml"),
                                                ("providers", "oci.yaml")])
def test_catalog_and_provider_files_are_checked_by_the_same_loader(tmp_path: Path, folder: str,
                                                                    source: str) -> None:
    text = (FLOWS / folder / source).read_text()
    broken = text.replace("\nsource:", "\nsorce:", 1)
    assert broken != text
    path = tmp_path / folder / source
    path.parent.mkdir()
    path.write_text(broken)
    result = cli("validate", str(path))
    assert result.returncode == 2
    assert "unknown key 'sorce' (did you mean 'source'?)" in result.stdout
    assert re.search(rf"{re.escape(str(path))}:\d+:1: ", result.stdout)


def test_a_tour_naming_a_flow_that_is_not_installed(tmp_path: Path) -> None:
    text = (FLOWS / "tours" / "onboarding.yaml").read_text()
    path = tmp_path / "tours" / "onboarding.yaml"
    path.parent.mkdir()
    path.write_text(text.replace("flow: spf-dmarc", "flow: spf-dmrc"))
    result = cli("validate", str(path))
    assert result.returncode == 2
    assert "no installed flow 'spf-dmrc' (did you mean 'spf-dmarc'?)" in result.stdout
