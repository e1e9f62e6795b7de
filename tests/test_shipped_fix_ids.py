"""The reuse measures of the flow language, enforced on every shipped flow and fix library.

Every fix the shipped flows offer is defined once: in ``flows/fixes/*.yaml`` or a flow's
``fixes:`` map (used by id), or inline in exactly one step — never twice. No single probe
hides behind a one-entry ``probes:`` map, and no two steps differ only by a parameter
left out (they merge with ``{name?}``)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from wizard.flow.fixlib import shared_library
from wizard.flow.model import LibraryFix
from wizard.validate import validate_file

FLOWS = Path(__file__).resolve().parent.parent / "flows"


def _flow_files() -> list[Path]:
    return sorted(p for p in FLOWS.glob("*.yaml"))


def _definitions() -> dict[str, list[str]]:
    """Fix id -> every place that defines a body for it."""
    places: dict[str, list[str]] = defaultdict(list)
    for path in sorted((FLOWS / "fixes").glob("*.yaml")):
        library: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for fix_id in library["fixes"]:
            places[fix_id].append(f"{path.name}: fixes")
    for path in _flow_files():
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for fix_id in data.get("fixes") or {}:
            places[fix_id].append(f"{path.name}: fixes")
        for step_id, step in data["steps"].items():
            for field in ("fixes", "alternatives"):
                for item in step.get(field) or []:
                    if "use" not in item:
                        places[item["id"]].append(f"{path.name}: {step_id}")
    return places


def test_no_fix_id_is_defined_twice_in_the_shipped_files() -> None:
    twice = {fix_id: where for fix_id, where in _definitions().items() if len(where) > 1}
    assert twice == {}


def test_the_shipped_fix_libraries_hold_no_two_definitions_of_one_id() -> None:
    """What ``validate`` rejects (a second, different definition of an id) in the merged
    shared libraries the bundled flows use — and no library repeats another's id at all."""
    merged, defects = shared_library(FLOWS / "undelivered-mail.yaml")
    assert defects == []
    assert set(merged) == {fix_id for path in (FLOWS / "fixes").glob("*.yaml")
                           for fix_id in yaml.safe_load(path.read_text(encoding="utf-8"))[
                               "fixes"]}


def _steps() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path.name, step_id, step) for path in _flow_files()
            for step_id, step in yaml.safe_load(path.read_text(encoding="utf-8"))[
                "steps"].items()]


NOT_YET_AN_ID = {"port-connectivity.yaml: endpoint_from_api"}
"""Migrated on the port-connectivity branch (another engineer's file): drop it from here
when that branch is merged."""


def test_no_one_entry_probes_map_is_used_as_a_name() -> None:
    """A single probe is ``probe:`` + ``with:``, its facts named by the step or its ``id:``."""
    found = {f"{name}: {step_id}" for name, step_id, step in _steps()
             if step.get("kind") == "probe" and len(step.get("probes") or {}) == 1}
    assert found <= NOT_YET_AN_ID


def left_out_only(a: Any, b: Any, parent: str = "") -> bool:
    """True when ``a`` and ``b`` are equal but for keys of a ``with:`` map one of them lacks
    (a parameter left out) — the step titles aside."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() | b.keys():
            if key == "title" and parent == "":
                continue
            if key not in a or key not in b:
                if parent != "with":
                    return False
                continue
            if not left_out_only(a[key], b[key], str(key)):
                return False
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(left_out_only(x, y, parent)
                                        for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_left_out_only_tells_a_left_out_parameter_from_a_real_difference() -> None:
    envelope = {"kind": "probe", "probe": "smtp.envelope", "with": {"host": "{host}"},
                "on": {"default": "next"}}
    anonymous = {**envelope, "title": "x", "with": {"host": "{host}", "mail_from": "{s}"}}
    assert left_out_only(envelope, anonymous)
    assert not left_out_only(envelope, {**anonymous, "on": {"default": "other"}})
    assert not left_out_only(envelope, {**envelope, "with": {"host": "{relay}"}})


def test_no_two_steps_differ_only_by_a_parameter_left_out() -> None:
    """Such pairs merge into one step with ``{name?}`` (an empty optional is left out)."""
    steps = _steps()
    pairs = [(f"{n1}: {s1}", s2) for i, (n1, s1, a) in enumerate(steps)
             for n2, s2, b in steps[i + 1:] if n1 == n2 and a != b and left_out_only(a, b)]
    assert pairs == []


def test_an_id_given_to_a_used_fix_is_no_other_fix_s_id() -> None:
    defined = _definitions()
    renamed = {item["id"]: f"{path.name}: {step_id}"
               for path in _flow_files()
               for step_id, step in yaml.safe_load(path.read_text(encoding="utf-8"))[
                   "steps"].items()
               for field in ("fixes", "alternatives") for item in step.get(field) or []
               if "use" in item and "id" in item}
    assert {i: w for i, w in renamed.items() if i in defined} == {}


def test_the_shipped_fix_libraries_validate_clean() -> None:
    for path in sorted((FLOWS / "fixes").glob("*.yaml")):
        assert validate_file(path) == [], path.name


def test_a_library_fix_made_through_the_oci_api_needs_no_main_cf() -> None:
    fix = LibraryFix.model_validate({
        "title": "Add {address}", "applicable": True, "params": {"address": {}},
        "actions": [{"type": "oci", "op": "create_sender", "address": "{address}"}]})
    assert fix.applicable and not fix.applies_to


def test_no_flow_file_holds_oci_console_text() -> None:
    """OCI console menus and ``oci`` CLI commands live in ``flows/fixes/oci.yaml`` (or the
    catalog and provider profile), so a flow stays provider-neutral in its fixes."""
    console = ("Email Delivery >", "Email Delivery →", "Identity >", "oci email ")
    found = [(path.name, n) for path in _flow_files()
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if any(text in line for text in console)]
    assert found == []
