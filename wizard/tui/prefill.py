"""Fill a flow's inputs from what an explained error carried (the address, the limit).

Plain Python — no Textual. The inputs the catalog filled for the flow come
first (``Match.inputs``: port-connectivity's ``ports`` from a captured port);
then a capture fills the input of the same name; an address also fills the
first ``email`` input and, through its domain, the first ``domain`` input that
is still empty. A value that does not pass the input's check is left out.
"""

from __future__ import annotations

from collections.abc import Mapping

from wizard.flow.model import Flow
from wizard.inputs import BadInput, check_input


def inputs_from_captures(flow: Flow, captures: Mapping[str, str],
                         inputs: Mapping[str, str] | None = None) -> dict[str, str]:
    """The inputs of ``flow`` that ``inputs`` (the catalog's, for this flow) and ``captures``
    can fill, as raw strings that pass checking."""
    filled: dict[str, str] = {}

    def offer(name: str, value: str) -> None:
        spec = flow.inputs[name]
        if name in filled or spec.type == "secret":
            return
        try:
            check_input(name, spec, value)
        except BadInput:
            return
        filled[name] = value

    for name, value in [*(inputs or {}).items(), *captures.items()]:
        if name in flow.inputs:
            offer(name, value)
    address = captures.get("address", "").strip("<>")
    if "@" in address:
        for name, spec in flow.inputs.items():
            if spec.type == "email" and name not in filled:
                offer(name, address)
                break
        domain = address.rpartition("@")[2]
        for name, spec in flow.inputs.items():
            if spec.type == "domain" and name not in filled:
                offer(name, domain)
                break
    return filled
