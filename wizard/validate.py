"""``email-wizard validate``: every shipped data file goes through the same strict loader.

A file says what it is with a ``kind:`` header (``flow``, ``catalog``,
``provider``, ``tour`` or ``fixes``; ``version: 1``). Without one, its kind
follows its folder: ``…/catalog/*.yaml`` is an error catalog
(``rfc-codes.yaml`` there is the RFC code table), ``…/providers/*.yaml`` a
provider profile, ``…/tours/*.yaml`` an onboarding tour, ``…/fixes/*.yaml``
a fix library, ``…/home/*.yaml`` the home screen's list; anything else is a flow.
"""

from __future__ import annotations

from pathlib import Path

from wizard.data.diagnostics import DataFileError, Diagnostic, did_you_mean

KINDS = ("flow", "catalog", "provider", "tour", "fixes", "home")


def declared_kind(path: Path) -> str | None:
    """The ``kind:`` a file declares at its top level (None when it declares none)."""
    from wizard.data.strict_load import read_located

    try:
        data = read_located(path).data
    except DataFileError:
        return None
    kind = data.get("kind") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None


def kind_of(path: Path) -> str:
    """``flow``, ``catalog``, ``rfc-codes``, ``provider``, ``tour``, ``fixes`` or ``home``.

    The file's ``kind:`` header decides; without one, the folder it is in.
    """
    declared = declared_kind(path)
    if declared in KINDS:
        if declared == "catalog" and path.name == "rfc-codes.yaml":
            return "rfc-codes"
        return declared
    try:
        folder = path.resolve().parent.name if path.exists() else path.parent.name
    except (OSError, ValueError, RuntimeError):  # a name too long, a NUL byte, a symlink loop
        folder = path.parent.name
    if folder == "fixes":
        return "fixes"
    if folder == "catalog":
        return "rfc-codes" if path.name == "rfc-codes.yaml" else "catalog"
    if folder == "providers":
        return "provider"
    if folder == "tours":
        return "tour"
    if folder == "home":
        return "home"
    return "flow"


def validate_file(path: Path, display: str | None = None) -> list[Diagnostic]:
    """Every defect of one data file (empty when it is sound)."""
    name = display or str(path)
    declared = declared_kind(path)
    if declared is not None and declared not in KINDS:
        from wizard.data.strict_load import read_located

        pos = read_located(path, name).pos(("kind",))
        return [Diagnostic(name, pos.line, pos.col, f"unknown kind {declared!r}"
                           + did_you_mean(declared, KINDS) + f"; one of: {', '.join(KINDS)}")]
    kind = kind_of(path)
    try:
        if kind == "fixes":
            from wizard.flow.fixlib import validate_library_file

            return validate_library_file(path, display=name)
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
        elif kind == "home":
            from wizard.flow.loader import discover
            from wizard.home_menu import check_home_flows

            return check_home_flows(path, set(discover().flows), display=name)
        else:
            from wizard.flow.loader import load_flow

            load_flow(path, display=name)
    except DataFileError as exc:
        return list(exc.diagnostics)
    return []
