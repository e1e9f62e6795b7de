"""What ``email-wizard list`` shows of each installed flow, read from the flow cache.

A warm ``list`` builds no flow model (no pydantic, no YAML): each flow's cache
entry carries its listing (:meth:`wizard.flow.model.Flow.listing`) beside the
flow. A flow without a valid entry is loaded and checked as usual (and cached
for the next time); a broken one is reported as
:func:`wizard.flow.loader.discover` reports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wizard.flow.cache import cached_listing, key_content
from wizard.flow.sources import FlowSource, flow_sources

if TYPE_CHECKING:
    from wizard.data.diagnostics import Diagnostic


def discover_listings() -> tuple[dict[str, tuple[dict[str, Any], FlowSource]],
                                 list[Diagnostic]]:
    """Every installed flow's listing by id (later sources shadow earlier ones, as in
    :func:`~wizard.flow.loader.discover`), and the defects of those that do not load."""
    found: dict[str, tuple[dict[str, Any], FlowSource]] = {}
    broken: list[Diagnostic] = []
    for source in flow_sources():
        content = key_content(source.path)
        listing = cached_listing(content) if content is not None else None
        if listing is None:
            from wizard.flow.loader import load_source

            loaded = load_source(source)
            if isinstance(loaded, list):
                broken.extend(loaded)
                continue
            listing = loaded.listing()
        found[listing["id"]] = (listing, source)
    return found, broken
