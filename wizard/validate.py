"""``email-wizard validate``: every shipped data file goes through the same strict loader.

A file's kind follows its folder: ``…/catalog/*.yaml`` is an error catalog
(``rfc-codes.yaml`` there is the RFC code table), ``…/providers/*.yaml`` a
provider profile, ``…/tours/*.yaml`` an onboarding tour; anything else is a
flow.
"""

from __future__ import annotations

from pathlib import Path

from wizard.flow.diagnostics import DataFileError, Diagnostic


def kind_of(path: Path) -> str:
    """``flow``, ``catalog``, ``rfc-codes``, ``provider`` or ``tour``, by where the file is."""
    try:
        folder = path.resolve().parent.name if path.exists() else path.parent.name
    except (OSError, ValueError, RuntimeError):  # a name too long, a NUL byte, a symlink loop
        folder = path.parent.name
    if folder == "catalog":
        return "rfc-codes" if path.name == "rfc-codes.yaml" else "catalog"
    if folder == "providers":
        return "provider"
    if folder == "tours":
        return "tour"
    return "flow"


def validate_file(path: Path, display: str | None = None) -> list[Diagnostic]:
    """Every defect of one data file (empty when it is sound)."""
    name = display or str(path)
    kind = kind_of(path)
    try:
        if kind == "catalog":
            from wizard.catalog.loader import load_catalog_file
            from wizard.flow.loader import discover

            flows = {flow_id: set(flow.inputs) for flow_id, (flow, _) in discover().flows.items()}
            load_catalog_file(path, display=name, flows=flows)
        elif kind == "rfc-codes":
            from wizard.catalog.loader import load_rfc_codes

            load_rfc_codes(path)
        elif kind == "provider":
            from wizard.providers.loader import load_provider

            load_provider(path, display=name)
        elif kind == "tour":
            from wizard.flow.loader import discover
            from wizard.tours import check_tour_flows

            return check_tour_flows(path, set(discover().flows), display=name)
        else:
            from wizard.flow.loader import load_flow

            load_flow(path, display=name)
    except DataFileError as exc:
        return list(exc.diagnostics)
    return []
