"""Load the error catalog and the RFC code tables with the flows' strict loader."""

from __future__ import annotations

from pathlib import Path

from wizard.catalog.check import check_catalog
from wizard.catalog.model import Catalog, RfcCodes
from wizard.flow.diagnostics import DataFileError
from wizard.flow.strict_load import load_model, read_located
from wizard.paths import bundled_data_dir
from wizard.providers.loader import load_provider
from wizard.providers.model import Provider

CATALOG_DIR = "catalog"
DEFAULT_CATALOG = "oci-email-delivery.yaml"
RFC_CODES = "rfc-codes.yaml"


def catalog_path(name: str = DEFAULT_CATALOG) -> Path:
    """A bundled catalog file."""
    return bundled_data_dir() / CATALOG_DIR / name


def load_catalog_file(path: Path, provider: Provider | None = None,
                      display: str | None = None) -> Catalog:
    """Load and check one catalog file; defects raise :class:`DataFileError` (FILE:LINE:COL)."""
    name = display or str(path)
    located = read_located(path, name)
    catalog = load_model(Catalog, located, name)
    if provider is None:
        provider = load_provider(catalog.provider)
    defects = check_catalog(catalog, located, name, provider)
    if defects:
        raise DataFileError(defects)
    return catalog


def load_rfc_codes(path: Path | None = None) -> RfcCodes:
    """Load the general meaning of reply codes and enhanced status codes."""
    path = path or catalog_path(RFC_CODES)
    return load_model(RfcCodes, read_located(path), str(path))


__all__ = ["DataFileError", "catalog_path", "load_catalog_file", "load_rfc_codes"]
