"""The probe reference — names, parameters, outcomes and facts — generated from the registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wizard.probes.base import ProbeSpec


def probe_catalogue(probes: Mapping[str, ProbeSpec[Any]]) -> list[dict[str, Any]]:
    """Each probe as a JSON-ready description."""
    rows = []
    for name, spec in sorted(probes.items()):
        params = {}
        for field_name, field in spec.params.model_fields.items():
            key = field.alias or field_name
            params[key] = {
                "required": field.is_required(),
                "default": None if field.is_required() else _jsonable(field.default),
                "description": field.description or "",
            }
        rows.append({
            "name": name,
            "description": spec.description,
            "params": params,
            "outcomes": dict(spec.outcomes),
            "facts": {fact: {"description": f.description,
                             "outcomes": sorted(f.outcomes) if f.outcomes is not None else None}
                      for fact, f in spec.facts.items()},
        })
    return rows


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def probe_markdown(probes: Mapping[str, ProbeSpec[Any]]) -> str:
    """``docs/probes.md``: the reference a flow author reads."""
    out = ["# Probe reference", "",
           "Generated from the registry by `email-wizard probes --markdown`; a test fails "
           "when this file is stale.", "",
           "A fact is published under the probe's id: `{step.fact}`. *(after: …)* means the "
           "fact exists only after those outcomes.", ""]
    for row in probe_catalogue(probes):
        out += [f"## `{row['name']}`", "", row["description"], "", "Parameters:", ""]
        for key, param in row["params"].items():
            need = "required" if param["required"] else f"default `{param['default']}`"
            out.append(f"- `{key}` ({need}) {param['description']}".rstrip())
        out += ["", "Outcomes:", ""]
        out += [f"- `{o}` — {text}" for o, text in row["outcomes"].items()]
        if row["facts"]:
            out += ["", "Facts:", ""]
            for fact, info in row["facts"].items():
                after = (f" *(after: {', '.join(info['outcomes'])})*"
                         if info["outcomes"] is not None else "")
                out.append(f"- `{fact}` — {info['description']}{after}")
        out.append("")
    return "\n".join(out)
