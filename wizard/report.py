"""The result of a run as the JSON object of the command-line contract, secrets redacted."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from wizard.engine import Session, TrailEntry
from wizard.flow.model import SEVERITY_RANK

REDACTED = "********"

EXIT_CODES = {"healthy": 0, "problem": 1, "inconclusive": 3, "error": 3, "running": 3}


class Redactor:
    """Replaces secret values — and the base64 forms an AUTH exchange would carry — by stars."""

    def __init__(self, secrets: Iterable[str]) -> None:
        needles: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            needles.add(secret)
            needles.add(base64.b64encode(secret.encode()).decode())
            needles.add(repr(secret)[1:-1])
        self.needles = sorted((n for n in needles if len(n) >= 3), key=len, reverse=True)

    def text(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for needle in self.needles:
            if needle in text:
                text = text.replace(needle, REDACTED)
        return text

    def value(self, value: Any) -> Any:
        """Redact inside any JSON-like value."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


def _trail_entry(entry: TrailEntry) -> dict[str, Any]:
    out: dict[str, Any] = {"step": entry.step, "kind": entry.kind, "title": entry.title}
    if entry.probes:
        out["probe"] = entry.probe
    out.update(outcome=entry.outcome, summary=entry.summary, evidence=list(entry.evidence),
               elapsed_ms=entry.elapsed_ms)
    if len(entry.probes) > 1:
        out["probes"] = [
            {"id": p.id, "probe": p.probe, "outcome": p.outcome, "summary": p.summary,
             "evidence": list(p.evidence), "elapsed_ms": p.elapsed_ms}
            for p in entry.probes
        ]
    if entry.probes:
        out["facts"] = {f"{p.id}.{k}": v for p in entry.probes for k, v in p.facts.items()}
    if entry.answer is not None:
        out["answer"] = entry.answer
    return out


def session_json(session: Session, secret_names: Iterable[str] = ()) -> dict[str, Any]:
    """The ``--json`` object for a finished (or failed) session."""
    secret_names = set(secret_names) | {
        name for name, spec in session.flow.inputs.items() if spec.type == "secret"}
    secrets = [str(session.values.get(n, "")) for n in secret_names]
    inputs = {
        name: (REDACTED if name in secret_names and session.values.get(name) else
               session.values.get(name))
        for name in session.flow.inputs
    }
    result: dict[str, Any] = {
        "flow": session.flow.id,
        "status": session.status,
        "inputs": inputs,
        "trail": [_trail_entry(e) for e in session.trail],
        "findings": [f.model_dump() for f in session.findings],
        "fixes": [f.model_dump(exclude_defaults=False) for f in session.fixes],
    }
    if session.end_message:
        result["message"] = session.end_message
    if session.error:
        result["error"] = session.error
    redacted: dict[str, Any] = Redactor(secrets).value(result)
    return redacted


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|") or " "


def _fence(lines: Iterable[str], info: str = "") -> list[str]:
    body = list(lines)
    fence = "```"
    while any(fence in line for line in body):
        fence += "`"
    return [f"{fence}{info}", *body, fence]


def _fix_markdown(fix: dict[str, Any]) -> list[str]:
    from pydantic import TypeAdapter

    from wizard.action_text import action_lines
    from wizard.flow.model import Action

    adapter: TypeAdapter[Any] = TypeAdapter(Action)
    out = [f"### {fix.get('title', fix.get('id', 'Fix'))}", ""]
    if str(fix.get("text", "")).strip():
        out += [str(fix["text"]).strip(), ""]
    actions = [adapter.validate_python(a) for a in fix.get("actions", [])]
    dns = [a for a in actions if a.type == "dns"]
    if dns:
        out += ["| op | name | zone-relative name | type | value |",
                "| --- | --- | --- | --- | --- |"]
        out += [f"| {a.op} | `{_cell(a.name)}` | {_cell(a.zone_relative_name)} | {a.rtype} "
                f"| `{_cell(a.value)}` |" for a in dns]
        out.append("")
    postconf = [line for a in actions if a.type == "postconf" for line in action_lines(a)]
    if postconf:
        out += [*_fence(postconf, "sh"), ""]
    other = [line for a in actions if a.type not in ("dns", "postconf")
             for line in action_lines(a)]
    if other:
        out += [f"- {line.strip()}" for line in other] + [""]
    if fix.get("applicable") and fix.get("applies_to"):
        out += [f"Can be applied to `{fix['applies_to']}` (`email-wizard run --apply`).", ""]
    return out


def report_markdown(report: dict[str, Any]) -> str:
    """A ``session_json`` object (already redacted) as a Markdown report to attach to a ticket."""
    title = report.get("title") or report.get("flow", "flow")
    out = [f"# email-wizard report: {title}", "",
           f"- Flow: `{report.get('flow', '')}`",
           f"- Status: **{report.get('status', '')}**"]
    if report.get("saved_at"):
        out.append(f"- Saved: {report['saved_at']}")
    out.append("")
    if report.get("error"):
        out += [f"Could not finish: {report['error']}", ""]
    if report.get("message"):
        out += [str(report["message"]), ""]
    inputs = report.get("inputs") or {}
    if inputs:
        out += ["## Inputs", "", "| input | value |", "| --- | --- |"]
        out += [f"| {_cell(k)} | {_cell(v)} |" for k, v in inputs.items()] + [""]
    trail = report.get("trail") or []
    if trail:
        out += ["## Steps", ""]
        for number, entry in enumerate(trail, 1):
            outcome = f" — {entry['outcome']}" if entry.get("outcome") else ""
            out.append(f"{number}. **{_cell(entry.get('title'))}**{outcome}")
            if entry.get("summary"):
                out.append(f"   {_cell(entry['summary'])}")
            if entry.get("evidence"):
                out += ["", *("   " + line for line in _fence(entry["evidence"])), ""]
        out.append("")
    findings = report.get("findings") or []
    if findings:
        out += ["## Findings", ""]
        for finding in sorted(findings, key=lambda f: SEVERITY_RANK.get(f.get("severity"), 3)):
            out.append(f"- **{finding.get('severity', '')}** {_cell(finding.get('message'))} "
                       f"(`{finding.get('id', '')}`)")
        out.append("")
    fixes = report.get("fixes") or []
    if fixes:
        out += ["## Fixes", ""]
        for fix in fixes:
            out += _fix_markdown(fix)
    return "\n".join(out).rstrip() + "\n"


def session_markdown(session: Session, secret_names: Iterable[str] = ()) -> str:
    """The session as a Markdown report, secrets redacted (built from :func:`session_json`)."""
    report = session_json(session, secret_names)
    report.setdefault("title", session.flow.title)
    return report_markdown(report)
