"""Pictures of every terminal state of spf-dmarc, one per state.

Each walk replays probe results (tests/flow_snapshots.py) built from
documentation values along the path the headless tests in
test_flow_spf_dmarc.py take against the real Knot resolver. Look at every
changed picture before accepting it with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.flow_snapshots import SIZE, ReplayRunner, result, still_app, walk_to_end
from tests.helpers import FLOWS
from wizard.flow.check import successors
from wizard.flow.loader import load_flow
from wizard.flow.model import FixStep, SequenceStep
from wizard.probes.base import ProbeResult

FLOW = load_flow(FLOWS / "spf-dmarc.yaml")
DOMAIN = "example.com"
INCLUDE = "rp.oracleemaildelivery.com"
INPUTS = {"domain": DOMAIN, "region": "", "spf_include": INCLUDE, "provider": "oci"}


def spf(outcome: str = "valid", record: str = f"v=spf1 include:{INCLUDE} ~all"
        ) -> tuple[str, ProbeResult]:
    facts = {"domain": DOMAIN, "records": [record], "record": record, "lookup_count": 2,
             "void_lookups": 0, "includes": [INCLUDE], "include_present": True, "problems": [],
             "record_with_include": record, "required_include": INCLUDE,
             "new_record": f"v=spf1 include:{INCLUDE} ~all"}
    return "spf.check", result(outcome, f"{DOMAIN}: one SPF record, 2 lookups, includes "
                               f"{INCLUDE}", facts, [f"{DOMAIN}: {record}"])


def dmarc(outcome: str, record: str = "v=DMARC1; p=reject", policy: str = "reject",
          problems: list[str] | None = None) -> tuple[str, ProbeResult]:
    facts: dict[str, Any] = {
        "domain": DOMAIN, "org_domain": DOMAIN, "record_name": f"_dmarc.{DOMAIN}",
        "record": record, "problems": problems or [], "policy": policy,
        "subdomain_policy": None, "effective_policy": policy, "pct": 100, "adkim": "r",
        "aspf": "r", "rua": [], "ruf": [], "header_from_domain": DOMAIN, "spf_aligned": None,
        "dkim_aligned": None, "aligned": None}
    summaries = {"policy_enforced": f"{DOMAIN}: DMARC p={policy}",
                 "policy_none": f"{DOMAIN}: DMARC p=none (monitoring only)",
                 "malformed": f"{DOMAIN}: the DMARC record is not valid",
                 "missing": f"{DOMAIN}: no DMARC record", "timeout": "no DNS answer"}
    return "dmarc.check", result(outcome, summaries[outcome], facts,
                                 [f"_dmarc.{DOMAIN}: {record}"] if record else [])


def profile(outcome: str) -> tuple[str, ProbeResult]:
    facts = {"provider_name": "OCI Email Delivery", "regions": ["us-ashburn-1", "eu-frankfurt-1"],
             "region": "us-ashburn"}
    summary = {"unknown_region": "OCI Email Delivery has no region 'us-ashburn' (did you mean "
                                 "'us-ashburn-1'?)",
               "unknown_provider": "no usable provider profile 'nosuch'"}[outcome]
    return "provider.profile", result(outcome, summary, facts)


CASES: dict[str, tuple[dict[str, str], list[tuple[str, ProbeResult]]]] = {
    "enforced": ({}, [spf(), dmarc("policy_enforced")]),
    "monitoring": ({}, [spf(), dmarc("policy_none", "v=DMARC1; p=none", "none")]),
    "dmarc_malformed": ({}, [spf(), dmarc("malformed", "v=DMARC1; p=maybe", "maybe",
                                          ["p=maybe is not none, quarantine or reject"])]),
    "dmarc_missing": ({}, [spf(), dmarc("missing", "")]),
    "unknown_region": ({"spf_include": "", "region": "us-ashburn"},
                       [profile("unknown_region")]),
    "profile_unusable": ({"spf_include": "", "region": "us-ashburn-1", "provider": "nosuch"},
                         [profile("unknown_provider")]),
    "dns_broken": ({}, [spf(), dmarc("timeout", "")]),
}


def reachable(start: str) -> set[str]:
    """``start`` and every step after it."""
    seen, todo = set(), [start]
    while todo:
        step_id = todo.pop()
        if step_id not in seen:
            seen.add(step_id)
            todo += [target for _, target, _, _ in successors(step_id, FLOW.steps[step_id])]
    return seen


def terminal_states() -> set[str]:
    """Steps where the flow finishes: no way on, and not the end of an earlier check of a
    sequence (that falls through to the next check) unless it says ``end: true``."""
    falls_through = {step_id for step in FLOW.steps.values() if isinstance(step, SequenceStep)
                     for check in step.checks[:-1] for step_id in reachable(check)}
    return {step_id for step_id, step in FLOW.steps.items()
            if not list(successors(step_id, step))
            and (step_id not in falls_through or (isinstance(step, FixStep) and step.end))}


def test_every_terminal_state_has_a_picture() -> None:
    assert terminal_states() == set(CASES)


@pytest.mark.parametrize("state", sorted(CASES))
def test_terminal_state(snap_compare: Any, state: str) -> None:
    changes, results = CASES[state]
    app = still_app(FLOW, ReplayRunner(results))
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=walk_to_end(FLOW, {**INPUTS, **changes}))
