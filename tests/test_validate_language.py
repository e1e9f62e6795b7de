"""`validate` on the flow language's reuse constructs: one test per new kind of defect.

Fix library (unknown id, wrong parameters, two definitions of one id), guards
on names nothing provides, sub-flow cycles and missing sub-flow inputs, the
``kind:`` header, and the GitHub annotation format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import cli
from wizard.validate import validate_file

LIBRARY = """\
kind: fixes
version: 1
fixes:
  postfix.tls-level:
    title: "Set smtp_tls_security_level = {level}"
    text: "Postfix then relays to {relay} with TLS {level}."
    params:
      level: {help: may or encrypt}
      relay: {help: the relay host}
      main_cf: {default: /etc/postfix/main.cf}
    applicable: true
    applies_to: "{main_cf}"
    actions:
      - {type: postconf, op: set, param: smtp_tls_security_level, value: "{level}"}
"""

USER = """\
id: user
title: Uses a library fix
inputs:
  relay: {type: host, required: true}
start: broken
steps:
  broken:
    kind: fix
    findings: [{id: user.plain, message: "{relay} without TLS"}]
    fixes:
      - use: postfix.tls-level
        with: {level: encrypt, relay: "{relay}"}
"""


def messages(tmp_path: Path, text: str, name: str = "flow.yaml") -> list[str]:
    """The defects of a flow file written into ``tmp_path`` (beside its ``fixes/`` folder)."""
    path = tmp_path / name
    path.write_text(text)
    return [f"{d.line}:{d.col}: {d.message}" for d in validate_file(path)]


def library(tmp_path: Path, text: str = LIBRARY, name: str = "tls.yaml") -> Path:
    folder = tmp_path / "fixes"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_a_flow_using_a_library_fix_validates_clean(tmp_path: Path) -> None:
    library(tmp_path)
    assert messages(tmp_path, USER) == []
    assert validate_file(tmp_path / "fixes" / "tls.yaml") == []


def test_unknown_fix_id_is_reported_with_did_you_mean(tmp_path: Path) -> None:
    library(tmp_path)
    found = messages(tmp_path, USER.replace("use: postfix.tls-level", "use: postfix.tls-levle"))
    assert found == ["11:14: unknown fix 'postfix.tls-levle' "
                     "(did you mean 'postfix.tls-level'?)"]


def test_unknown_and_missing_fix_parameters_are_reported(tmp_path: Path) -> None:
    library(tmp_path)
    found = messages(tmp_path, USER.replace("relay: \"{relay}\"", "rely: \"{relay}\""))
    assert found == [
        "12:15: fix 'postfix.tls-level' needs parameter 'relay'",
        "12:32: fix 'postfix.tls-level' has no parameter 'rely' (did you mean 'relay'?) "
        "(its params: level, relay, main_cf)",
    ]


def test_a_library_text_naming_an_undeclared_parameter_is_reported(tmp_path: Path) -> None:
    path = library(tmp_path, LIBRARY.replace("with TLS {level}", "with TLS {levle}"))
    found = [d.message for d in validate_file(path)]
    assert found == ["fix 'postfix.tls-level': {levle} is not one of its params "
                     "(did you mean 'level'?) (declare it under 'params' and pass it with "
                     "'with:')"]


def test_two_different_definitions_of_one_fix_id_are_rejected(tmp_path: Path) -> None:
    library(tmp_path)
    other = library(tmp_path, LIBRARY.replace("Postfix then relays", "Postfix relays"),
                    name="zz-copy.yaml")
    found = validate_file(other)
    assert [(d.line, d.message) for d in found] == [
        (4, f"fix 'postfix.tls-level' is defined differently at "
            f"{tmp_path / 'fixes' / 'tls.yaml'}:4: a fix id names one fix (rename one of them)")]
    in_flow = USER + "fixes:\n  postfix.tls-level:\n    title: Something else\n"
    assert any("defined differently" in m for m in messages(tmp_path, in_flow))


def test_the_same_definition_in_two_files_is_one_fix(tmp_path: Path) -> None:
    library(tmp_path)
    copy = library(tmp_path, name="zz-copy.yaml")
    assert validate_file(copy) == []
    assert messages(tmp_path, USER) == []


GUARDED = """\
id: guarded
title: Guarded
inputs:
  relay: {type: host}
start: relay
steps:
  relay:
    kind: probe
    if: "{relay}"
    else: direct
    id: conn
    probe: tcp.connect
    with: {host: "{relay}", port: 25}
    on: {default: done}
  direct: {kind: end, message: "direct {relay?}"}
  done: {kind: end, message: "{relay}: {conn.outcome}"}
"""


def test_a_guard_a_probe_id_and_an_optional_lookup_validate_clean(tmp_path: Path) -> None:
    assert messages(tmp_path, GUARDED) == []


def test_a_guard_on_a_name_nothing_provides_is_reported(tmp_path: Path) -> None:
    found = messages(tmp_path, GUARDED.replace('if: "{relay}"', 'if: "{rellay}"'))
    assert found == ["9:9: guard {rellay} names a value no input, answer or probe of this "
                     "flow provides (did you mean 'relay'?)"]


def test_after_a_guard_the_name_is_known_only_on_the_guarded_path(tmp_path: Path) -> None:
    text = GUARDED.replace("inputs:\n  relay: {type: host}\n", "inputs: {}\n").replace(
        "start: relay", "start: ask").replace("steps:\n", "steps:\n  ask:\n    kind: switch\n"
                                              "    value: x\n    cases: {y: asked}\n"
                                              "    default: relay\n  asked:\n    kind: ask\n"
                                              "    question: Relay?\n    var: relay\n"
                                              "    next: relay\n")
    assert messages(tmp_path, text) == []
    unguarded = text.replace('direct {relay?}', 'direct {relay}')
    assert [m.split(": ", 1)[1] for m in messages(tmp_path, unguarded)] == [
        "template variable {relay} is not provided by any input or earlier probe on every "
        "path to 'direct'"]


def test_a_probe_id_publishes_its_facts_under_that_name_only(tmp_path: Path) -> None:
    found = messages(tmp_path, GUARDED.replace("{conn.outcome}", "{relay.outcome}"))
    assert len(found) == 1 and "{relay.outcome} is not provided" in found[0]


def test_an_expression_in_a_guard_is_refused(tmp_path: Path) -> None:
    found = messages(tmp_path, GUARDED.replace('if: "{relay}"', 'if: "{relay} == x"'))
    assert len(found) == 1 and "'if' takes one lookup" in found[0]


CHILD = """\
id: child
title: Child
inputs:
  host: {type: host, required: true}
  port: {type: port, default: 25}
start: look
steps:
  look:
    kind: flow
    flow: parent
    with: {host: "{host}"}
"""

PARENT = """\
id: parent
title: Parent
inputs:
  host: {type: host, required: true}
start: sub
steps:
  sub:
    kind: flow
    flow: child
    with: {host: "{host}"}
    next: done
  done: {kind: end, message: "child {sub.status}"}
"""


def test_a_sub_flow_cycle_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text(CHILD)
    found = messages(tmp_path, PARENT, name="parent.yaml")
    assert found == ["9:11: sub-flow cycle: parent -> child -> parent"]


def test_a_missing_sub_flow_input_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "child.yaml").write_text(CHILD.replace("    flow: parent\n", "    flow: leaf\n"))
    (tmp_path / "leaf.yaml").write_text("id: leaf\ntitle: Leaf\ninputs: {host: {}}\nstart: e\n"
                                        "steps: {e: {kind: end}}\n")
    assert messages(tmp_path, PARENT, name="parent.yaml") == []
    found = messages(tmp_path, PARENT.replace('    with: {host: "{host}"}\n', ""),
                     name="parent.yaml")
    assert found == ["8:5: sub-flow 'child' needs input 'host': give it under 'with:'"]
    found = messages(tmp_path, PARENT.replace('{host: "{host}"}', '{host: "{host}", prot: 1}'),
                     name="parent.yaml")
    assert found == ["10:28: flow 'child' has no input 'prot' (did you mean 'port'?)"]


def test_an_unknown_sub_flow_is_rejected(tmp_path: Path) -> None:
    found = messages(tmp_path, PARENT.replace("flow: child", "flow: chlid"), name="parent.yaml")
    assert found == ["9:11: no installed flow 'chlid'"]


def test_a_kind_header_decides_what_a_file_is(tmp_path: Path) -> None:
    (tmp_path / "catalog").mkdir()
    path = tmp_path / "catalog" / "looks-like-a-catalog.yaml"
    path.write_text("kind: flow\nversion: 1\n" + GUARDED)
    assert validate_file(path) == []
    path.write_text("kind: flwo\n" + GUARDED)
    assert [d.message for d in validate_file(path)] == [
        "unknown kind 'flwo' (did you mean 'flow'?); one of: flow, catalog, provider, tour, "
        "fixes, home"]
    path.write_text("version: 2\n" + GUARDED)
    assert "Input should be 1" in " ".join(d.message for d in validate_file(path))


def test_validate_format_github_prints_annotations(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(GUARDED.replace('if: "{relay}"', 'if: "{rellay}"'))
    result = cli("validate", "--format", "github", str(path))
    assert result.returncode == 2
    assert result.stdout == (f"::error file={path},line=9,col=9::guard {{rellay}} names a "
                             "value no input, answer or probe of this flow provides (did you "
                             "mean 'relay'?)\n")


def test_a_required_probe_parameter_cannot_be_an_optional_lookup(tmp_path: Path) -> None:
    found = messages(tmp_path, GUARDED.replace('{host: "{relay}", port: 25}',
                                               '{host: "{relay?}", port: 25}'))
    assert found == ["13:18: required parameter 'host' would be left out when {relay?} renders "
                     "empty: use {name}, not {name?}"]


def test_two_alternatives_with_one_id_are_rejected(tmp_path: Path) -> None:
    library(tmp_path)
    text = USER.replace("    fixes:\n      - use: postfix.tls-level\n"
                        "        with: {level: encrypt, relay: \"{relay}\"}\n",
                        "    alternatives:\n"
                        "      - {use: postfix.tls-level, with: {level: may, relay: x}}\n"
                        "      - {use: postfix.tls-level, with: {level: encrypt, relay: x}}\n")
    found = messages(tmp_path, text)
    assert found == ["12:9: two alternatives are called 'postfix.tls-level': give one its own "
                     "'id' (--choose names one by id)"]
    fixed = text.replace("{use: postfix.tls-level, with: {level: may",
                         "{use: postfix.tls-level, id: tls-may, with: {level: may")
    assert messages(tmp_path, fixed) == []


def test_the_documented_example_validates_and_its_graph_is_the_one_shown(
        tmp_path: Path) -> None:
    from wizard.flow.graph import to_mermaid
    from wizard.flow.loader import load_flow

    docs = (Path(__file__).resolve().parent.parent / "docs" / "flows.md").read_text()
    blocks = re.findall(r"```(yaml|mermaid)\n(.*?)```", docs, re.S)
    lib = next(b for k, b in blocks if b.startswith("# flows/fixes/network.yaml"))
    flow = next(b for k, b in blocks if "id: relay-check" in b)
    shown = next(b for k, b in blocks if k == "mermaid")
    library(tmp_path, lib, name="network.yaml")
    path = tmp_path / "relay-check.yaml"
    path.write_text(flow)
    assert validate_file(path) == []
    assert to_mermaid(load_flow(path)) == shown


def test_an_unknown_key_in_a_use_entry_is_pinned_to_its_line(tmp_path: Path) -> None:
    library(tmp_path)
    found = messages(tmp_path, USER.replace("        with: {level", "        wth: {level"))
    assert found == ["12:9: unknown key 'wth' (did you mean 'with'?)"]


def test_every_data_file_kind_may_declare_itself(tmp_path: Path) -> None:
    flows = Path(__file__).resolve().parent.parent / "flows"
    for kind, source in (("provider", flows / "providers" / "generic.yaml"),
                         ("catalog", flows / "catalog" / "client-errors.yaml"),
                         ("tour", flows / "tours" / "onboarding.yaml")):
        path = tmp_path / f"some-{kind}.yaml"
        path.write_text(source.read_text())
        assert validate_file(path), f"without a header a {kind} file here reads as a flow"
        path.write_text(f"kind: {kind}\nversion: 1\n" + source.read_text())
        assert validate_file(path) == [], kind


def test_a_flow_defining_a_library_id_differently_is_rejected_even_unused(
        tmp_path: Path) -> None:
    library(tmp_path)
    text = GUARDED + "fixes:\n  postfix.tls-level:\n    title: Something else\n"
    found = messages(tmp_path, text)
    assert len(found) == 1 and "fix 'postfix.tls-level' is defined differently at" in found[0]


DEFAULT_EDGE = """\
id: default-edge
title: A default that takes only the open outcome
inputs:
  host: {type: host, required: true}
start: connect
steps:
  connect:
    kind: probe
    probe: tcp.connect
    with: {host: "{host}", port: 25}
    on: {refused: closed, timeout: closed, unreachable: closed, name_not_found: closed,
         lookup_timeout: closed, default: open}
  open: {kind: end, message: "open in {connect.connect_ms} ms"}
  closed: {kind: end, message: "{connect.outcome}"}
"""


def test_a_default_branch_knows_the_facts_of_every_outcome_it_takes(tmp_path: Path) -> None:
    assert messages(tmp_path, DEFAULT_EDGE) == []
    found = messages(tmp_path, DEFAULT_EDGE.replace("lookup_timeout: closed, ", ""))
    assert found == ["13:30: template variable {connect.connect_ms} is not provided by any "
                     "input or earlier probe on every path to 'open' (did you mean "
                     "'connect.port'?)"]


OPTIONAL_PARAM = """\
id: optional-param
title: A library fix parameter left out when its lookup is empty
inputs:
  relay: {type: host, required: true}
  level: {type: text}
start: broken
steps:
  broken:
    kind: fix
    findings: [{id: user.plain, message: "{relay} without TLS"}]
    fixes:
      - use: postfix.tls-level
        with: {level: "{level?}", relay: "{relay}"}
"""


def test_a_fix_parameter_left_out_when_empty_takes_its_default(tmp_path: Path) -> None:
    library(tmp_path, LIBRARY.replace("level: {help: may or encrypt}",
                                      "level: {help: may or encrypt, default: encrypt}"))
    path = tmp_path / "optional-param.yaml"
    path.write_text(OPTIONAL_PARAM)
    assert validate_file(path) == []
    for given, level in ((["--set", "level=may"], "may"), ([], "encrypt")):
        result = cli("run", str(path), "--json", "--set", "relay=relay.example", *given)
        [fix] = json.loads(result.stdout)["fixes"]
        assert fix["actions"][0]["value"] == level, result.stderr


def test_a_required_fix_parameter_given_only_an_optional_lookup_is_rejected(
        tmp_path: Path) -> None:
    library(tmp_path)
    assert messages(tmp_path, OPTIONAL_PARAM) == [
        "13:23: fix 'postfix.tls-level' needs parameter 'level', which would be left out "
        "when {level?} renders empty: use {name}, not {name?}, or give the parameter a "
        "default"]
