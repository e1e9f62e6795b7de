"""Every fix the shipped flows offer is defined once: in ``flows/fixes/*.yaml`` or a
flow's ``fixes:`` map (used by id), or inline in exactly one step — never twice."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

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


NOT_YET_ONCE = {"postfix.tls-level-may", "postfix.tls-level-encrypt"}
"""postfix-tls offers these in five steps with different actions (with or without removing
the legacy settings) and a different ``applicable``, which a library fix's string
parameters cannot vary: they become one definition each when postfix-tls moves to
``alternatives:`` (a change of what ``--apply`` writes, so it is left to its own commit)."""


def test_no_fix_id_is_defined_twice_in_the_shipped_files() -> None:
    twice = {fix_id for fix_id, where in _definitions().items() if len(where) > 1}
    assert twice == NOT_YET_ONCE


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
