"""The fix library: fixes defined once, used by id with parameters.

A fix lives in a flow's top-level ``fixes:`` map or in a shared file
(``flows/fixes/*.yaml``, declaring ``kind: fixes``). A step uses it with
``use: ID`` and ``with: {param: template}``. A fix id is an identity: two
different definitions of one id anywhere are a defect; the same definition
repeated is not.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.data import template
from wizard.data.diagnostics import DataFileError, Diagnostic, did_you_mean
from wizard.fixes.vocabulary import CATALOG_FIX, CATALOG_FIX_PREFIX, Fix
from wizard.flow.model import FixLibrary, FixStep, FixUse, Flow, LibraryFix, OfferedFix
from wizard.flow.sources import library_dirs

if TYPE_CHECKING:
    from wizard.data.yamlpos import Located


@dataclass(frozen=True)
class Defined:
    """One definition of a library fix and where it stands."""

    fix: LibraryFix
    where: Diagnostic


def _strings(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...],
                                                                         str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def check_entries(fixes: Mapping[str, LibraryFix], located: Located, name: str,
                  base: tuple[str | int, ...] = ("fixes",)) -> list[Diagnostic]:
    """A library fix's texts may name only its own parameters."""
    found: list[Diagnostic] = []
    raw = located.data.get("fixes") if isinstance(located.data, dict) else None
    for fix_id, fix in fixes.items():
        if fix_id.startswith(CATALOG_FIX_PREFIX):
            pos = located.pos((*base, fix_id), key=True)
            found.append(Diagnostic(name, pos.line, pos.col,
                                    f"fix {fix_id!r}: ids starting with "
                                    f"{CATALOG_FIX_PREFIX!r} are the catalog entries' fixes "
                                    "(offered with 'fixes_from:'); choose another id"))
        body = raw.get(fix_id) if isinstance(raw, dict) else None
        if not isinstance(body, dict):
            continue
        for key, value in body.items():
            if key == "params":
                continue
            for path, text in _strings(value, (*base, fix_id, key)):
                for var, _ in template.variables(text):
                    if var not in fix.params:
                        pos = located.pos(path)
                        found.append(Diagnostic(
                            name, pos.line, pos.col,
                            f"fix {fix_id!r}: {{{var}}} is not one of its params"
                            + did_you_mean(var, fix.params)
                            + " (declare it under 'params' and pass it with 'with:')"))
    return found


_CACHE: dict[tuple[str, int, int], tuple[FixLibrary, Located]] = {}


def load_library_file(path: Path, display: str | None = None) -> tuple[FixLibrary, Located]:
    """One ``kind: fixes`` file, checked; defects raise :class:`DataFileError`."""
    from wizard.data.strict_load import load_model, read_located

    name = display or str(path)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    if key is not None and key in _CACHE and display is None:
        return _CACHE[key]
    located = read_located(path, name)
    library = load_model(FixLibrary, located, name)
    defects = check_entries(library.fixes, located, name)
    if defects:
        raise DataFileError(sorted(defects))
    if key is not None and display is None:
        _CACHE[key] = (library, located)
    return library, located


def _definitions(library: FixLibrary | Flow, located: Located,
                 name: str) -> Iterator[tuple[str, Defined]]:
    for fix_id, fix in library.fixes.items():
        pos = located.pos(("fixes", fix_id), key=True)
        yield fix_id, Defined(fix, Diagnostic(name, pos.line, pos.col, ""))


def merge(sources: Iterable[tuple[str, Defined]]) -> tuple[dict[str, Defined], list[Diagnostic]]:
    """Definitions by id; a second, different definition of an id is a defect at its place."""
    merged: dict[str, Defined] = {}
    defects: list[Diagnostic] = []
    for fix_id, defined in sources:
        first = merged.get(fix_id)
        if first is None:
            merged[fix_id] = defined
        elif first.fix != defined.fix:
            where = defined.where
            defects.append(Diagnostic(
                where.file, where.line, where.col,
                f"fix {fix_id!r} is defined differently at {first.where.file}:"
                f"{first.where.line}: a fix id names one fix (rename one of them)"))
    return merged, defects


def shared_library(near: Path | None = None,
                   skip: Path | None = None) -> tuple[dict[str, Defined], list[Diagnostic]]:
    """Every shared fixes file's definitions, merged (broken files report their defects)."""
    sources: list[tuple[str, Defined]] = []
    defects: list[Diagnostic] = []
    for folder in library_dirs(near):
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml") or not path.is_file():
                continue
            if skip is not None and path.resolve() == skip.resolve():
                continue
            try:
                library, located = load_library_file(path)
            except DataFileError as exc:
                defects.extend(exc.diagnostics)
                continue
            sources.extend(_definitions(library, located, str(path)))
    merged, more = merge(sources)
    return merged, defects + more


def validate_library_file(path: Path, display: str | None = None) -> list[Diagnostic]:
    """Every defect of one fixes file, its clashes with the other shared files included."""
    name = display or str(path)
    try:
        library, located = load_library_file(path, display=name)
    except DataFileError as exc:
        return list(exc.diagnostics)
    others, _ = shared_library(path, skip=path)
    _, defects = merge([*others.items(), *_definitions(library, located, name)])
    return sorted(d for d in defects if d.file == name)


def resolve_flow_fixes(flow: Flow, located: Located, name: str,
                       path: Path | None) -> tuple[Flow, list[Diagnostic]]:
    """Check every ``use:`` of ``flow`` and copy the library fixes it uses into its ``fixes:``.

    Defects: a fix id defined differently in the flow and a shared file, an
    unknown fix id, unknown or missing parameters, an alternative that
    cannot be applied.
    """
    if not flow.fixes and not uses_library(flow):
        return flow, []
    defects = check_entries(flow.fixes, located, name)
    shared, shared_defects = shared_library(path)
    defects += shared_defects
    merged, clashes = merge([*shared.items(), *_definitions(flow, located, name)])
    defects += [d for d in clashes if d.file == name]
    used: dict[str, LibraryFix] = {}
    for step_id, step in flow.steps.items():
        if not isinstance(step, FixStep):
            continue
        for field in ("fixes", "alternatives"):
            for i, item in enumerate(getattr(step, field)):
                at = ("steps", step_id, field, i)
                fix = _check_use(item, merged, located, name, at, defects)
                if isinstance(item, FixUse) and isinstance(fix, LibraryFix):
                    used[item.use] = fix
                if field == "alternatives" and not (fix.applicable if fix else True):
                    pos = located.pos(at)
                    defects.append(Diagnostic(name, pos.line, pos.col,
                                              "an alternative must be applicable "
                                              "(--apply --choose writes one of them)"))
        ids = [a.id or a.use if isinstance(a, FixUse) else a.id for a in step.alternatives]
        for i, alt_id in enumerate(ids):
            if alt_id in ids[:i]:
                pos = located.pos(("steps", step_id, "alternatives", i))
                defects.append(Diagnostic(name, pos.line, pos.col,
                                          f"two alternatives are called {alt_id!r}: give one "
                                          "its own 'id' (--choose names one by id)"))
        if len(step.alternatives) == 1:
            pos = located.pos(("steps", step_id, "alternatives"))
            defects.append(Diagnostic(name, pos.line, pos.col,
                                      "'alternatives' needs at least two fixes to choose from"))
    if defects:
        return flow, sorted(set(defects))
    return flow.model_copy(update={"fixes": {**used, **flow.fixes}}), []


def uses_library(flow: Flow) -> bool:
    """Whether a fix step of ``flow`` uses a library fix (``use:``), its own or a shared one.

    Such a flow depends on files besides its own, so it is never cached.
    """
    return any(isinstance(item, FixUse) for step in flow.steps.values()
               if isinstance(step, FixStep) for item in (*step.fixes, *step.alternatives))


def _check_use(item: Fix | FixUse, merged: Mapping[str, Defined], located: Located, name: str,
               at: tuple[str | int, ...], defects: list[Diagnostic]) -> LibraryFix | Fix | None:
    if isinstance(item, Fix):
        return item
    defined = merged.get(item.use)
    if defined is None:
        pos = located.pos((*at, "use"))
        defects.append(Diagnostic(name, pos.line, pos.col, f"unknown fix {item.use!r}"
                                  + did_you_mean(item.use, merged)))
        return None
    params = defined.fix.params
    for key in item.with_:
        if key not in params:
            pos = located.pos((*at, "with", key), key=True)
            known = ", ".join(params) or "none"
            defects.append(Diagnostic(name, pos.line, pos.col,
                                      f"fix {item.use!r} has no parameter {key!r}"
                                      + did_you_mean(key, params) + f" (its params: {known})"))
    for key, spec in params.items():
        if spec.default is None and key not in item.with_:
            pos = located.pos((*at, "with") if item.with_ else at)
            defects.append(Diagnostic(name, pos.line, pos.col,
                                      f"fix {item.use!r} needs parameter {key!r}"))
        raw = item.with_.get(key)
        if spec.default is None and isinstance(raw, str) and template.only_optional_lookups(raw):
            pos = located.pos((*at, "with", key))
            defects.append(Diagnostic(name, pos.line, pos.col,
                                      f"fix {item.use!r} needs parameter {key!r}, which would be "
                                      f"left out when {raw} renders empty: use {{name}}, not "
                                      "{name?}, or give the parameter a default"))
    return defined.fix


def render_fix(item: Fix | FixUse, flow: Flow, values: Mapping[str, Any],
               group: str | None = None) -> Fix:
    """A step's fix rendered: inline with the walk's values, a used one with its params.

    A ``with:`` value made only of optional lookups (``{name?}``) that renders empty is
    left out, so the parameter's default applies.
    """
    if isinstance(item, FixUse):
        params: dict[str, Any] = {}
        for key, raw in item.with_.items():
            value = template.render(raw, values) if isinstance(raw, str) else raw
            if value == "" and isinstance(raw, str) and template.only_optional_lookups(raw):
                continue
            params[key] = value
        data = _rendered(item.id or item.use, flow.fixes[item.use], params)
    else:
        data = template.render_strings(item.model_dump(by_alias=True), values)
    if group is None:
        return Fix.model_validate(data)
    return OfferedFix.model_validate({**data, "alternative_group": group,
                                      "alternative": data["id"]})


def _rendered(fix_id: str, entry: LibraryFix, params: Mapping[str, Any]) -> dict[str, Any]:
    """A library fix's body with ``params`` (over its params' defaults) filled in."""
    given: dict[str, Any] = {k: p.default for k, p in entry.params.items()
                             if p.default is not None}
    given.update(params)
    body = {"id": fix_id, **entry.model_dump(by_alias=True, exclude={"params"})}
    rendered: dict[str, Any] = template.render_strings(body, given)
    return rendered


@functools.cache
def _shared_entry(fix_id: str) -> LibraryFix:
    return shared_library()[0][fix_id].fix


def render_library_fix(fix_id: str, params: Mapping[str, Any]) -> Fix:
    """The shared library's fix ``fix_id`` (bundled or the user's ``fixes/``) rendered with
    ``params``: for code that offers a fix outside a flow's walk (a scan row). The library
    is read once per process; an unknown id raises ``KeyError``."""
    return Fix.model_validate(_rendered(fix_id, _shared_entry(fix_id), params))


def offered_fix(step: FixStep, values: Mapping[str, Any]) -> list[Fix]:
    """The ready-made fix a ``fixes_from:`` step takes from its probe (``{ID.catalog_fix}``).

    The probe rendered it already (the catalog entry's fix with what the error captured and
    the provider's facts): it is data, not a template. An empty fact offers nothing, and so
    does one that is not a fix (a probe answered by hand publishes "(not measured)").
    """
    if step.fixes_from is None:
        return []
    name = f"{step.fixes_from}.{CATALOG_FIX}"
    if name not in values or values[name] is None:
        raise template.MissingVariable(name)
    value = values[name]
    return [Fix.model_validate(value)] if isinstance(value, Mapping) and value else []
