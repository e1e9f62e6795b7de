"""What a Postfix configuration means for relaying with TLS and SASL — pure derivations.

The ``postfix-tls`` flow branches on plain values (``yes``/``no``, a state
name) with ``switch`` steps; everything that takes reasoning — Postfix's
defaults, its protocol-list syntax, its boolean spellings, which file a map's
database lives in — is decided here, where it can be tested, never in YAML.
Only file metadata is looked at (through an injected ``mtime`` function): a
SASL password map's contents are secrets and are never read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from wizard.postfix.maplist import split_map_list

PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
"""Postfix's protocol names, oldest first."""

MODERN = frozenset({"TLSv1.2", "TLSv1.3"})

DEFAULT_SASL_SECURITY_OPTIONS = "noplaintext, noanonymous"
"""Postfix's default for ``smtp_sasl_security_options``: it forbids PLAIN and LOGIN."""


DATABASE_SUFFIX = {"hash": ".db", "btree": ".db", "lmdb": ".lmdb", "cdb": ".cdb",
                   "dbm": ".pag", "sdbm": ".pag"}
"""Indexed map types: ``postmap`` builds ``<source><suffix>`` from the source file."""

DIRECT_FILE_TYPES = frozenset({"texthash", "pcre", "regexp", "cidr"})
"""Map types Postfix reads straight from the source file (nothing to build)."""

INLINE_TYPES = frozenset({"static", "inline", "randmap", "pipemap", "unionmap"})
"""Maps written in main.cf itself: nothing on disk to check."""

_LIST_SPLIT = re.compile(r"[\s,:]+")
_MAP_SPLIT = re.compile(r"[\s,]+")

Mtime = Callable[[str], float | None]
"""A file's modification time, None when it does not exist; raises OSError otherwise."""


def is_yes(value: str) -> bool:
    """Postfix's reading of a boolean parameter (``yes``/``true``, any case)."""
    return value.strip().lower() in ("yes", "true")


def version_tuple(version: str) -> tuple[int, ...] | None:
    """``3.7.11`` → (3, 7, 11); ``3.9-20240101`` → (3, 9); None when it is not a version."""
    match = re.match(r"\s*(\d+(?:\.\d+)*)", version)
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def has_tls_security_level(version: str) -> str:
    """``yes`` when Postfix is 2.3 or later, ``no`` before, ``unknown`` without a version."""
    parsed = version_tuple(version)
    if parsed is None:
        return "unknown"
    return "yes" if parsed >= (2, 3) else "no"


def legacy_tls(params: Mapping[str, str]) -> str:
    """What the deprecated ``smtp_use_tls`` / ``smtp_enforce_tls`` settings amount to.

    ``unset`` (neither is set), ``redundant`` (set, but ``smtp_tls_security_level``
    overrides them), else the level they mean: ``encrypt``, ``may`` or ``none``.
    """
    use = params.get("smtp_use_tls", "")
    enforce = params.get("smtp_enforce_tls", "")
    if not use and not enforce:
        return "unset"
    if params.get("smtp_tls_security_level", ""):
        return "redundant"
    if is_yes(enforce):
        return "encrypt"
    return "may" if is_yes(use) else "none"


def allowed_protocols(value: str) -> frozenset[str]:
    """The protocols a ``smtp_tls_protocols``-style value allows, as Postfix reads it.

    Names are separated by blanks, commas or colons; ``!name`` excludes one,
    ``>=name`` / ``<=name`` bound the range (Postfix 3.6+), and plain names, if
    any, list the only ones allowed. Empty means every protocol. Unknown names
    are ignored, as Postfix ignores them with a warning.
    """
    known = {name.lower(): name for name in PROTOCOLS}
    index = {name: i for i, name in enumerate(PROTOCOLS)}
    included: set[str] = set()
    excluded: set[str] = set()
    low, high = 0, len(PROTOCOLS) - 1
    for token in _LIST_SPLIT.split(value.strip()):
        if not token:
            continue
        for prefix in (">=", "<=", "!"):
            if token.startswith(prefix):
                name = known.get(token[len(prefix):].lower())
                if name is None:
                    break
                if prefix == ">=":
                    low = max(low, index[name])
                elif prefix == "<=":
                    high = min(high, index[name])
                else:
                    excluded.add(name)
                break
        else:
            name = known.get(token.lower())
            if name is not None:
                included.add(name)
    base = included or set(PROTOCOLS)
    return frozenset(name for name in base - excluded if low <= index[name] <= high)


def allows_modern_tls(value: str) -> bool:
    """True when TLS 1.2 or TLS 1.3 remains allowed."""
    return bool(allowed_protocols(value) & MODERN)


def protocols_suggestion(version: str) -> str:
    """The value that allows TLS 1.2 and later only, in a syntax this Postfix understands."""
    parsed = version_tuple(version)
    if parsed is not None and parsed >= (3, 6):
        return ">=TLSv1.2"
    return "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1"


def _options(value: str) -> set[str]:
    return {token.lower() for token in _MAP_SPLIT.split(value) if token}


@dataclass(frozen=True)
class SaslOptions:
    """Whether the SASL security options let PLAIN through over TLS and refuse anonymous logins."""

    security_options: str
    """``yes`` when ``smtp_sasl_security_options`` is fine as it is (default applied)."""
    tls_security_options: str
    """``yes``/``no``, or ``inherited`` when not set (it follows the parameter above)."""
    effective: str
    """``smtp_sasl_security_options`` with Postfix's default applied."""
    problem: str = ""
    """What is wrong with ``smtp_sasl_security_options``, in words."""
    tls_problem: str = ""
    """What is wrong with ``smtp_sasl_tls_security_options``, in words."""


def sasl_options(params: Mapping[str, str]) -> SaslOptions:
    """Judge ``smtp_sasl_security_options`` and ``smtp_sasl_tls_security_options``.

    A provider that takes PLAIN (or LOGIN) needs ``noplaintext`` gone from the
    options Postfix applies inside TLS, and ``noanonymous`` kept everywhere.
    ``noplaintext`` outside TLS is fine only when ``smtp_sasl_tls_security_options``
    is set without it (then PLAIN is used over TLS only).
    """
    general_value = params.get("smtp_sasl_security_options", "") or \
        DEFAULT_SASL_SECURITY_OPTIONS
    general = _options(general_value)
    tls_value = params.get("smtp_sasl_tls_security_options", "")
    tls = _options(tls_value)
    tls_fine = "noanonymous" in tls and "noplaintext" not in tls
    general_fine = "noanonymous" in general and (
        "noplaintext" not in general or (bool(tls_value) and tls_fine))
    return SaslOptions("yes" if general_fine else "no",
                       ("yes" if tls_fine else "no") if tls_value else "inherited",
                       general_value, _problem(general), _problem(tls) if tls_value else "")


def _problem(options: set[str]) -> str:
    problems = []
    if "noplaintext" in options:
        problems.append("noplaintext forbids PLAIN and LOGIN")
    if "noanonymous" not in options:
        problems.append("without noanonymous, an anonymous login is allowed")
    return "; ".join(problems)


def mechanism_filter_allows_plain(value: str) -> str:
    """``yes`` (no filter, or PLAIN listed), ``no``, or ``not_checked`` for a lookup table."""
    if not value.strip():
        return "yes"
    tokens = [t for t in _MAP_SPLIT.split(value.strip()) if t]
    if any(":" in token for token in tokens):
        return "not_checked"
    return "yes" if "plain" in (t.lower() for t in tokens) else "no"


def mechanism_filter_with_plain(value: str) -> str:
    """The filter with PLAIN added (the value a fix sets)."""
    tokens = [t for t in _MAP_SPLIT.split(value.strip()) if t]
    if "plain" in (t.lower() for t in tokens):
        return ", ".join(tokens)
    return ", ".join([*tokens, "plain"])


@dataclass(frozen=True)
class MapCheck:
    """One SASL password map: its state and the files that decide it (never its contents)."""

    state: str
    """``built``, ``stale``, ``not_built``, ``missing`` or ``not_checked``."""
    name: str = ""
    source: str = ""
    database: str = ""


_STATE_ORDER = ("missing", "not_built", "stale", "not_checked", "built")


def _check_map(spec: str, config_directory: str, default_type: str, mtime: Mtime) -> MapCheck:
    map_type, colon, path = spec.partition(":")
    if not colon:
        map_type, path = default_type, spec
    while map_type == "proxy":
        map_type, _, path = path.partition(":")
    if map_type in INLINE_TYPES:
        return MapCheck("built", f"{map_type}:…")
    if map_type not in DATABASE_SUFFIX and map_type not in DIRECT_FILE_TYPES:
        return MapCheck("not_checked", spec)
    source = path if os.path.isabs(path) else os.path.join(config_directory, path)
    name = f"{map_type}:{source}"
    try:
        source_time = mtime(source)
        if map_type in DIRECT_FILE_TYPES:
            return MapCheck("built" if source_time is not None else "missing", name, source)
        database = source + DATABASE_SUFFIX[map_type]
        database_time = mtime(database)
    except OSError:
        return MapCheck("not_checked", name, source)
    if database_time is None:
        return MapCheck("not_built" if source_time is not None else "missing", name, source,
                        database)
    if source_time is not None and database_time < source_time:
        return MapCheck("stale", name, source, database)
    return MapCheck("built", name, source, database)


def sasl_password_map(value: str, config_directory: str, default_type: str,
                      mtime: Mtime) -> MapCheck:
    """The worst state among the maps of ``smtp_sasl_password_maps`` (``unset`` when empty).

    An indexed map (hash, btree, lmdb, cdb, dbm) is ``built`` when its database
    exists and is not older than its source: ``postmap`` was run after the last
    edit. A database without its source still works (``built``).
    """
    specs = split_map_list(value)
    if not specs:
        return MapCheck("unset")
    checks = [_check_map(spec, config_directory, default_type or "hash", mtime)
              for spec in specs]
    return min(checks, key=lambda check: _STATE_ORDER.index(check.state))


def file_mtime(path: str) -> float | None:
    """:data:`Mtime` for the real file system."""
    try:
        return os.stat(path).st_mtime
    except FileNotFoundError:
        return None
