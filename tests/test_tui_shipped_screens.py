"""The shipped flows on screen at 80×24 and 120×40: each flow's questions, and the fix kinds
the frozen TUI scenes do not show (console and message actions).

The forms come from the real flow files; the fixes replay documentation values
through the real walk screen (tests/flow_snapshots.py), reusing the results the
flows' own snapshot tests build. Look at every changed picture before accepting
it with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.flow_snapshots import ReplayRunner, still_app, walk_to_end
from tests.helpers import FLOWS
from tests.test_flow_port_snapshots import FLOW as PORT_FLOW
from tests.test_flow_port_snapshots import SCENES as PORT_SCENES
from tests.test_flow_undelivered_snapshots import FLOW as UNDELIVERED_FLOW
from tests.test_flow_undelivered_snapshots import HOST, MixedRunner, envelope, healthy_domain
from tests.test_flow_undelivered_snapshots import INPUTS as UNDELIVERED_INPUTS
from wizard.flow.loader import load_flow
from wizard.tui.app import EmailWizardApp

SIZES = [(80, 24), (120, 40)]
SHIPPED = sorted(p.stem for p in FLOWS.glob("*.yaml"))


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.mark.parametrize("size", SIZES, ids=size_id)
@pytest.mark.parametrize("flow_id", SHIPPED)
def test_each_shipped_flow_asks_for_its_inputs(snap_compare: Any, flow_id: str,
                                               size: tuple[int, int]) -> None:
    flow = load_flow(FLOWS / f"{flow_id}.yaml")

    async def open_form(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, EmailWizardApp)
        app.open_flow(flow)
        await pilot.pause()

    assert snap_compare(still_app(flow, ReplayRunner([])), terminal_size=size,
                        run_before=open_form)


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_a_console_action_the_support_request(snap_compare: Any, size: tuple[int, int]) -> None:
    values, results = PORT_SCENES["provider_ports"]
    inputs = {"ports": "587,25", "external_mta_domain": "example.org", **values}
    assert snap_compare(still_app(PORT_FLOW, ReplayRunner(results)), terminal_size=size,
                        run_before=walk_to_end(PORT_FLOW, inputs))


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_a_message_action_the_size_limit(snap_compare: Any, size: tuple[int, int]) -> None:
    replies = [*healthy_domain(), envelope(
        "rejected_data", f"{HOST}:587 rejected the message: 552 Exceeds byte limit", 552,
        "Exceeds byte limit", "data")]
    app = still_app(UNDELIVERED_FLOW, MixedRunner(replies))
    assert snap_compare(app, terminal_size=size, run_before=walk_to_end(
        UNDELIVERED_FLOW, {**UNDELIVERED_INPUTS, "send_test": "yes"}))
