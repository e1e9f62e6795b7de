"""Load provider profiles with the flows' strict loader, then check what refers to what."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.data.bounded_read import MAX_DATA_FILE_BYTES, FileRefused, read_regular_file
from wizard.data.diagnostics import DataFileError, Diagnostic
from wizard.data.template import stray_braces, variables
from wizard.paths import bundled_data_dir
from wizard.providers.model import Provider

if TYPE_CHECKING:
    from wizard.data.yamlpos import Located

PROVIDERS_DIR = "providers"

_TEMPLATE_VARIABLES: dict[tuple[str, ...], frozenset[str]] = {
    ("smtp", "endpoint"): frozenset({"host"}),
    ("dkim", "cname_name"): frozenset({"selector", "domain"}),
    ("dkim", "cname_target"): frozenset({"selector", "domain", "region_key"}),
}
_REALM_ENDPOINT_VARIABLES = frozenset({"region", "region_key"})


def provider_path(provider_id: str) -> Path:
    """The bundled file of ``provider_id``."""
    return bundled_data_dir() / PROVIDERS_DIR / f"{provider_id}.yaml"


def bundled_provider_ids() -> list[str]:
    """The ids of the shipped provider profiles."""
    folder = bundled_data_dir() / PROVIDERS_DIR
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def known_region_ids() -> frozenset[str]:
    """Every region a shipped provider profile lists (a profile that does not load lists none)."""
    regions: set[str] = set()
    for provider_id in bundled_provider_ids():
        try:
            regions.update(region.id for region in load_provider(provider_id).regions)
        except DataFileError:
            continue
    return frozenset(regions)


def load_provider(source: str | Path, display: str | None = None) -> Provider:
    """Load a profile by bundled id or path; defects raise :class:`DataFileError`.

    A profile loaded and checked before — in this process, or by an earlier one
    (the user's cache folder, keyed by the file's bytes, the wizard's version
    and this module's and the model's source) — is not parsed again.
    """
    path = Path(source) if isinstance(source, Path) or source.endswith(".yaml") \
        else provider_path(source)
    name = display or str(path)
    try:
        info = path.stat()
        key: tuple[str, str, int, int] | None = (str(path.resolve()), name, info.st_mtime_ns,
                                                 info.st_size)
    except OSError:
        key = None
    if key is not None and key in _LOADED:
        return _LOADED[key]
    try:
        raw = read_regular_file(path, MAX_DATA_FILE_BYTES)
    except FileRefused as exc:
        raise DataFileError([Diagnostic(name, 1, 1, exc.reason)]) from None
    provider = _cached(raw)
    if provider is None:
        provider = _load_checked(raw, name)
        _store(raw, provider)
    if key is not None:
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.clear()
        _LOADED[key] = provider
    return provider


def _load_checked(raw: bytes, name: str) -> Provider:
    """Parse, validate and check a profile's bytes; defects raise :class:`DataFileError`."""
    from wizard.data.strict_load import load_model, parse_located

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError([Diagnostic(name, 1, 1, "not UTF-8 text")]) from exc
    located = parse_located(text, name)
    provider = load_model(Provider, located, name)
    defects = check_provider(provider, located, name)
    if defects:
        raise DataFileError(defects)
    return provider


@cache
def _language_digest() -> bytes:
    """The profile model's and checks' source, and what the model is built on (see
    :func:`~wizard.data.user_cache.code_digest`): a change to any makes cached profiles
    stale."""
    from wizard.data.user_cache import code_digest

    here = Path(__file__)
    return code_digest(here.with_name("model.py"), here,
                       here.parent.parent / "data" / "strict.py",
                       here.parent.parent / "data" / "template.py")


def _entry_name(raw: bytes) -> str:
    from wizard import __version__

    digest = hashlib.sha256(b"provider\0" + __version__.encode() + b"\0" + _language_digest())
    digest.update(raw)
    return f"provider-{digest.hexdigest()}.profile"


def _cached(raw: bytes) -> Provider | None:
    """A profile with these bytes loaded and checked before, from the user's cache folder
    (the flow cache's: :mod:`wizard.data.user_cache`), or None."""
    from wizard.data.user_cache import model_from_blob, read_entry

    data = read_entry(_entry_name(raw))
    return model_from_blob(data.get("provider"), Provider, frozenset({Provider.__module__})) \
        if data is not None else None


def _store(raw: bytes, provider: Provider) -> None:
    from wizard.data.user_cache import model_blob, write_entry

    write_entry(_entry_name(raw), {"provider": model_blob(provider)})


_LOADED: dict[tuple[str, str, int, int], Provider] = {}
"""Profiles already loaded and checked in this process, by path, name, mtime and size: a
``scan`` asks for the same profile for every domain (a changed file is read again)."""
_LOADED_MAX = 64


def _template_defects(text: str, allowed: frozenset[str], located: Located,
                      path: tuple[str | int, ...], name: str) -> list[Diagnostic]:
    pos = located.pos(path)
    out = [Diagnostic(name, pos.line, pos.col,
                      f"{'.'.join(map(str, path))}: unknown template variable {{{var}}} "
                      f"(known: {', '.join(sorted(allowed))})")
           for var, _ in variables(text) if var not in allowed]
    if any(True for _ in stray_braces(text)):
        out.append(Diagnostic(name, pos.line, pos.col,
                              f"{'.'.join(map(str, path))}: stray brace in template"))
    return out


def check_provider(provider: Provider, located: Located, name: str) -> list[Diagnostic]:
    """Meaning checks: regions name known realms and SPF areas, templates known variables."""
    out: list[Diagnostic] = []
    seen: set[str] = set()
    for i, region in enumerate(provider.regions):
        if region.id in seen:
            pos = located.pos(("regions", i, "id"))
            out.append(Diagnostic(name, pos.line, pos.col, f"duplicate region {region.id!r}"))
        seen.add(region.id)
        for field, table in (("realm", provider.realms), ("spf_area", provider.spf_areas)):
            value = getattr(region, field)
            if value not in table:
                pos = located.pos(("regions", i, field))
                out.append(Diagnostic(name, pos.line, pos.col,
                                      f"regions.{i}.{field}: unknown {field} {value!r} "
                                      f"(known: {', '.join(sorted(table)) or 'none'})"))
    for realm_id, realm in provider.realms.items():
        out += _template_defects(realm.smtp_endpoint, _REALM_ENDPOINT_VARIABLES, located,
                                 ("realms", realm_id, "smtp_endpoint"), name)
    if not provider.realms and not provider.smtp.endpoint:
        pos = located.pos(("smtp",))
        out.append(Diagnostic(name, pos.line, pos.col,
                              "smtp: an 'endpoint' is needed when there are no realms"))
    for path, allowed in _TEMPLATE_VARIABLES.items():
        section = getattr(provider, path[0])
        text = getattr(section, path[1], "") if section is not None else ""
        out += _template_defects(text, allowed, located, path, name)
    ports = [p.port for p in provider.smtp.ports]
    for i, port in enumerate(ports):
        if port in ports[:i]:
            pos = located.pos(("smtp", "ports", i, "port"))
            out.append(Diagnostic(name, pos.line, pos.col, f"duplicate port {port}"))
    return sorted(out)
