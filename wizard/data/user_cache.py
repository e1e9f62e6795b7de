"""Entries of the user's cache folder: pickled data stamped with the wizard's version.

The folder is ``$EMAIL_WIZARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/email-wizard/flows``
(``~/.cache`` by default). The flow cache (:mod:`wizard.flow.cache`) and the provider
profile cache (:mod:`wizard.providers.loader`) keep their entries here; an entry
written by another version is never returned, and a corrupt one is ignored.

Entries are pickles because reading a checked model back from one builds no
validator (reading JSON back through pydantic built every flow model's schema:
a sixth of a warm ``run``). Each entry is sealed with the SHA-256 of its bytes
(a truncated, corrupted or hand-edited entry is a miss, and is rewritten), keyed
by everything the pickled classes depend on (:func:`code_digest`: the model
modules' source, pydantic's and Python's versions), and read with a restricted
unpickler: plain data, and instances of the classes of the modules its reader
allows — never a function, so an entry can run no code. An entry that is not a
regular file of the user's, is writable by others, or is larger than
:data:`MAX_ENTRY_BYTES` is ignored; the folder is made 0700, entries 0600.

The folder is trusted as the user's own files are: a model read back is not
validated again, so an entry crafted on purpose, by someone who can write as the
user, with a matching seal, could still hand the wizard a malformed flow — as
could that someone by editing the user's own flows or settings.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Any, TypeVar

from wizard import __version__

MAX_ENTRY_BYTES = 8 * 1024 * 1024
"""The largest cache entry read (the biggest shipped flow's is about 100 KiB)."""

T = TypeVar("T")

_SEAL = b"email-wizard cache 1\n"
"""What every entry starts with, before the SHA-256 of the rest."""


def _sealed(payload: bytes) -> bytes:
    return _SEAL + hashlib.sha256(payload).digest() + payload


def _unsealed(data: bytes) -> bytes | None:
    """The payload of a sealed entry whose seal matches, else None."""
    if not data.startswith(_SEAL):
        return None
    digest, payload = data[len(_SEAL):len(_SEAL) + 32], data[len(_SEAL) + 32:]
    return payload if hashlib.sha256(payload).digest() == digest else None


def code_digest(*sources: Path) -> bytes:
    """A digest of what pickled models depend on: ``sources`` (the model modules' own
    files), pydantic's version and Python's; part of every entry's key, so a change to
    any of them (even within one version of the wizard, as in a development tree) makes
    the entries stale. Reads pydantic's version file without importing pydantic."""
    import importlib.util

    digest = hashlib.sha256(sys.version.encode())
    spec = importlib.util.find_spec("pydantic")
    for path in (*sources, *([Path(spec.origin).with_name("version.py")]
                             if spec is not None and spec.origin else [])):
        digest.update(b"\0" + path.read_bytes())
    return digest.digest()


class _RestrictedUnpickler(pickle.Unpickler):
    """Builds only plain data, and instances of classes defined in ``modules``."""

    def __init__(self, data: bytes, modules: frozenset[str]) -> None:
        super().__init__(io.BytesIO(data))
        self._modules = modules

    def find_class(self, module: str, name: str) -> Any:
        """A class of an allowed module, already imported by the reader; anything else is
        refused."""
        found = getattr(sys.modules.get(module), name, None) if module in self._modules \
            else None
        if not isinstance(found, type) or found.__module__ != module:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")
        return found


def _loads(data: bytes, modules: frozenset[str] = frozenset()) -> Any:
    """Unpickle ``data`` allowing only the classes of ``modules``; None when it is not a
    well-formed entry."""
    try:
        return _RestrictedUnpickler(data, modules).load()
    except Exception:  # a corrupt entry of any shape is a cache miss
        return None


def cache_dir() -> Path:
    """Where cached flows live: ``$EMAIL_WIZARD_CACHE_DIR``, else XDG's ``email-wizard/flows``."""
    explicit = os.environ.get("EMAIL_WIZARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "email-wizard" / "flows"


def _read_own_file(path: Path) -> bytes | None:
    """The bytes of ``path`` when it is a regular file of this user that others cannot
    write and not larger than :data:`MAX_ENTRY_BYTES`, else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as entry:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES
                or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                or (hasattr(os, "getuid") and info.st_uid != os.getuid())):
            return None
        try:
            return entry.read(MAX_ENTRY_BYTES + 1)
        except OSError:
            return None


def read_entry(name: str) -> dict[str, Any] | None:
    """The entry stored as ``name`` by this version, or None (absent, corrupt, foreign)."""
    data = _read_own_file(cache_dir() / name)
    payload = _unsealed(data) if data is not None and len(data) <= MAX_ENTRY_BYTES else None
    entry = _loads(payload) if payload is not None else None
    if not isinstance(entry, dict) or entry.get("version") != __version__:
        return None
    return entry


def model_blob(model: object) -> bytes:
    """``model`` as bytes to put in an entry (read back with :func:`model_from_blob`)."""
    return pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


def model_from_blob(blob: object, kind: type[T], modules: frozenset[str]) -> T | None:
    """The ``kind`` instance stored by :func:`model_blob`, built from the classes of
    ``modules`` only (each must already be imported), or None."""
    model = _loads(blob, modules) if isinstance(blob, bytes) else None
    return model if isinstance(model, kind) else None


def write_entry(name: str, payload: dict[str, Any]) -> None:
    """Store ``payload`` (plain data, with this version) as ``name``, atomically and
    readable by the user only; an unwritable cache folder is silently skipped."""
    import tempfile

    folder = cache_dir()
    entry = _sealed(pickle.dumps({"version": __version__, **payload},
                                 protocol=pickle.HIGHEST_PROTOCOL))
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(entry)
            os.replace(tmp, folder / name)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
