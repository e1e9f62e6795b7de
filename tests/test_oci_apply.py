"""``oci`` actions: the model checks them, ``--apply`` carries them out or says why not."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.servers.oci_fixtures import PROFILE, OciLab
from wizard.apply_oci import apply_oci_fixes
from wizard.engine import Session, run_to_end
from wizard.fixes.render import action_lines
from wizard.fixes.vocabulary import Fix, OciAction
from wizard.flow.loader import load_flow
from wizard.ociapi.settings import resolve_settings
from wizard.probes.base import ProbeContext

FLOW = """\
id: oci-demo
title: OCI demo
inputs:
  address: {type: email}
  resource: {type: text}
start: suppressed
steps:
  suppressed:
    kind: fix
    findings: [{id: demo.suppressed, message: "{address} is suppressed"}]
    fixes:
      - id: demo.remove
        title: Remove {address}
        applicable: true
        actions:
          - {type: oci, op: delete_suppression, address: "{address}", resource: "{resource}"}
"""


def finished(tmp_path: Path, **inputs: str) -> Session:
    path = tmp_path / "oci-demo.yaml"
    path.write_text(FLOW, encoding="utf-8")
    session = Session.start(load_flow(path), inputs, runner=None)  # type: ignore[arg-type]
    asyncio.run(run_to_end(session))
    return session


def ctx(lab: OciLab | None) -> ProbeContext:
    if lab is None:
        return ProbeContext(timeout=3)
    settings = resolve_settings(config=str(lab.config), profile=PROFILE, auth=None,
                                endpoint=lab.server.url, submit_endpoint=None, env={})
    return ProbeContext(timeout=3, ca_file=str(lab.ca_file), oci=settings)


def test_an_applicable_fix_needs_actions_it_can_apply() -> None:
    with pytest.raises(ValidationError, match="postconf or oci actions"):
        Fix(id="x", title="x", applicable=True,
            actions=[{"type": "console", "instruction": "click"}])  # type: ignore[list-item]
    Fix(id="x", title="x", applicable=True,
        actions=[OciAction(type="oci", op="create_sender", address="a@example.com")])


def test_an_oci_action_reads_as_the_change_and_the_oci_cli_command() -> None:
    lines = action_lines(OciAction(type="oci", op="delete_suppression", address="a@b.example",
                                   resource="ocid1.emailsuppression.oc1..x",
                                   warning="they complained"))
    assert lines[0].startswith("OCI API: remove a@b.example from the suppression list")
    assert "oci email suppression delete --suppression-id ocid1.emailsuppression.oc1..x" \
        in lines[1]
    assert lines[2] == "  warning: they complained"


def test_without_a_profile_nothing_is_changed_and_the_entry_says_so(tmp_path: Path) -> None:
    [entry] = apply_oci_fixes(finished(tmp_path, address="a@example.net", resource="r"),
                              ctx(None))
    assert (entry["applied"], entry["verified"]) == (False, False)
    assert "no OCI profile" in entry["detail"]


def test_a_refused_change_is_reported_with_the_policy(tmp_path: Path, oci_lab: OciLab) -> None:
    resource = oci_lab.server.state.add_suppression("a@example.net")
    oci_lab.server.mode = "no_policy"
    [entry] = apply_oci_fixes(finished(tmp_path, address="a@example.net", resource=resource),
                              ctx(oci_lab))
    assert entry["applied"] is False
    assert "Allow group" in entry["detail"]
    assert oci_lab.server.state.suppressions


def test_the_deletion_is_proven_by_reading_the_list_again(tmp_path: Path,
                                                          oci_lab: OciLab) -> None:
    resource = oci_lab.server.state.add_suppression("a@example.net")
    [entry] = apply_oci_fixes(finished(tmp_path, address="a@example.net", resource=resource),
                              ctx(oci_lab))
    assert (entry["applied"], entry["verified"]) == (True, True)
    methods: list[Any] = [m for m, _ in oci_lab.server.requests]
    assert methods == ["DELETE", "GET"]


def test_a_missing_suppression_id_changes_nothing(tmp_path: Path, oci_lab: OciLab) -> None:
    [entry] = apply_oci_fixes(finished(tmp_path, address="a@example.net", resource=""),
                              ctx(oci_lab))
    assert entry["applied"] is False and oci_lab.server.requests == []
