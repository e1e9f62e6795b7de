"""Load the error catalog and the RFC code tables with the flows' strict loader."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from wizard.catalog.check import check_catalog
from wizard.catalog.model import Catalog, RfcCodes
from wizard.data.diagnostics import DataFileError, Diagnostic
from wizard.data.strict_load import load_model, read_located
from wizard.paths import bundled_data_dir
from wizard.providers.loader import load_provider
from wizard.providers.model import Provider

CATALOG_DIR = "catalog"
DEFAULT_CATALOG = "oci-email-delivery.yaml"
CLIENT_CATALOG = "client-errors.yaml"
"""The errors applications, libraries and mail servers raise themselves; merged into every
provider catalog by :func:`load_merged`."""
RFC_CODES = "rfc-codes.yaml"


def catalog_path(name: str = DEFAULT_CATALOG) -> Path:
    """A bundled catalog file."""
    return bundled_data_dir() / CATALOG_DIR / name


def load_catalog_file(path: Path, provider: Provider | None = None,
                      display: str | None = None,
                      flows: Mapping[str, Collection[str]] | None = None) -> Catalog:
    """Load and check one catalog file; defects raise :class:`DataFileError` (FILE:LINE:COL).

    Given ``flows`` (flow id -> input names), the flows entries continue with and the inputs
    they fill are checked too (``email-wizard validate`` does).
    """
    name = display or str(path)
    located = read_located(path, name)
    catalog = load_model(Catalog, located, name)
    if provider is None:
        provider = load_provider(catalog.provider)
    defects = check_catalog(catalog, located, name, provider, flows)
    if defects:
        raise DataFileError(defects)
    return catalog


def merge_catalogs(main: Catalog, extra: Catalog, name: str) -> Catalog:
    """``main`` with the entries, captures and context texts of ``extra`` after its own."""
    ids = {entry.id for entry in main.entries}
    defects = [Diagnostic(name, 1, 1, f"entry id {entry.id!r} is in {main.id!r} too")
               for entry in extra.entries if entry.id in ids]
    defects += [Diagnostic(name, 1, 1, f"capture {key!r} differs from {main.id!r}'s")
                for key, spec in extra.captures.items()
                if key in main.captures and main.captures[key] != spec]
    if defects:
        raise DataFileError(defects)
    return main.model_copy(update={
        "captures": {**main.captures, **extra.captures},
        "context": [*main.context, *extra.context],
        "entries": [*main.entries, *extra.entries],
    })


def load_merged(name: str = DEFAULT_CATALOG) -> tuple[Catalog, Provider]:
    """A bundled provider catalog with the client errors merged in, and its provider profile."""
    catalog = load_catalog_file(catalog_path(name))
    provider = load_provider(catalog.provider)
    if name != CLIENT_CATALOG:
        client = catalog_path(CLIENT_CATALOG)
        catalog = merge_catalogs(catalog, load_catalog_file(client), str(client))
    return catalog, provider


def load_rfc_codes(path: Path | None = None) -> RfcCodes:
    """Load the general meaning of reply codes and enhanced status codes."""
    path = path or catalog_path(RFC_CODES)
    return load_model(RfcCodes, read_located(path), str(path))


__all__ = ["DataFileError", "catalog_path", "load_catalog_file", "load_merged", "load_rfc_codes",
           "merge_catalogs"]
