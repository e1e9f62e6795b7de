"""Turn located YAML into a pydantic model, reporting every defect at its line and column.

Shared by flows, the error catalog and provider profiles: one loader, one
error format (``FILE:LINE:COL: message``, with "did you mean" for unknown keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from wizard.data.bounded_read import MAX_DATA_FILE_BYTES, FileRefused, read_regular_file
from wizard.data.diagnostics import DataFileError, Diagnostic, did_you_mean
from wizard.data.yamlpos import Located, YamlSyntaxError, load_located

M = TypeVar("M", bound=BaseModel)



def read_located(path: Path, display: str | None = None) -> Located:
    """Read and parse a YAML file; unreadable or invalid files raise :class:`DataFileError`."""
    name = display or str(path)
    try:
        raw = read_regular_file(path, MAX_DATA_FILE_BYTES)
    except FileRefused as exc:
        raise DataFileError([Diagnostic(name, 1, 1, exc.reason)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError([Diagnostic(name, 1, 1, "not UTF-8 text")]) from exc
    return parse_located(text, name)


def parse_located(text: str, name: str) -> Located:
    """Parse YAML text; syntax errors raise :class:`DataFileError` with their position."""
    try:
        return load_located(text)
    except YamlSyntaxError as exc:
        raise DataFileError(
            [Diagnostic(name, exc.pos.line, exc.pos.col, f"YAML syntax error: {exc.message}")]
        ) from exc


def _walk(model: type[BaseModel] | None, data: Any, loc: tuple[Any, ...]) -> tuple[
    tuple[str | int, ...], type[BaseModel] | None, bool]:
    """Map a pydantic error location onto the data path, skipping union tags.

    Returns the data path, the model owning the last key, and whether the
    last element names a key (rather than a value).
    """
    path: list[str | int] = []
    owner: type[BaseModel] | None = model
    current = data
    for element in loc:
        if isinstance(current, dict) and element in (current.get("kind"), current.get("type")):
            continue  # the tag pydantic inserts for a discriminated union
        if isinstance(current, dict) and element in current:
            path.append(element)
            current = current[element]
            continue
        if isinstance(current, list) and isinstance(element, int) and element < len(current):
            path.append(element)
            current = current[element]
            continue
        if isinstance(current, dict) and isinstance(element, str) and element not in current:
            # a discriminated-union tag such as 'probe' in ('steps', 'x', 'probe', 'on'),
            # or a missing field; the caller tells them apart.
            continue
        break
    return tuple(path), owner, bool(path) and isinstance(path[-1], str)


def _submodels(annotation: Any) -> list[type[BaseModel]]:
    import typing

    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    for arg in typing.get_args(annotation):
        found.extend(_submodels(arg))
    return found


def _sibling_fields(model: type[BaseModel], data: Any, path: tuple[str | int, ...]) -> list[str]:
    """The valid keys of the mapping holding ``path``'s last key."""
    parent = data
    for element in path[:-1]:
        parent = parent[element]
    if not isinstance(parent, dict):
        return []
    # Find the model whose fields best cover the parent's other keys.
    best: list[str] = []
    best_score = -1
    for candidate in _all_models(model):
        fields = {f.alias or n for n, f in candidate.model_fields.items()}
        kind = parent.get("kind") or parent.get("type")
        tag_ok = True
        for tag in ("kind", "type"):
            field = candidate.model_fields.get(tag)
            if field is not None and kind is not None:
                literal = getattr(field.annotation, "__args__", ())
                if literal and kind not in literal:
                    tag_ok = False
        score = len(fields & set(parent)) + (100 if tag_ok else 0)
        if score > best_score:
            best, best_score = sorted(fields), score
    return best


def _all_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    stack = [model]
    while stack:
        current = stack.pop()
        if current in out:
            continue
        out.append(current)
        for field in current.model_fields.values():
            stack.extend(_submodels(field.annotation))
    return out


def validation_diagnostics(
    model: type[BaseModel], located: Located, name: str, exc: ValidationError
) -> list[Diagnostic]:
    """Pydantic's errors as positioned diagnostics (unknown keys get "did you mean")."""
    out: list[Diagnostic] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path, _, _ = _walk(model, located.data, loc)
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            pos = located.pos(path, key=True)
            hint = did_you_mean(key, _sibling_fields(model, located.data, path))
            out.append(Diagnostic(name, pos.line, pos.col, f"unknown key {key!r}{hint}"))
            continue
        pos = located.pos(path)
        where = ".".join(str(p) for p in path) or "top level"
        if err["type"] == "missing":
            out.append(Diagnostic(name, pos.line, pos.col,
                                  f"{where}: missing required key {str(loc[-1])!r}"))
            continue
        message = err["msg"].removeprefix("Value error, ")
        out.append(Diagnostic(name, pos.line, pos.col, f"{where}: {message}"))
    return sorted(set(out))


def load_model(model: type[M], located: Located, name: str) -> M:
    """Validate located data against ``model``; raise :class:`DataFileError` on any defect."""
    if not isinstance(located.data, dict):
        pos = located.pos(())
        raise DataFileError([Diagnostic(name, pos.line, pos.col,
                                        "expected a mapping at the top level")])
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        raise DataFileError(validation_diagnostics(model, located, name, exc)) from exc
