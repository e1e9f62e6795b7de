"""The result of a run as the JSON object of the command-line contract, secrets redacted."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from wizard.data.redact import REDACTED, Redactor
from wizard.engine import Session, TrailEntry
from wizard.errors import ExitStatus
from wizard.fixes.vocabulary import SEVERITY_RANK
from wizard.redaction import SessionView, session_view

__all__ = ["EXIT_CODES", "REDACTED", "Redactor", "report_markdown", "session_json",
           "session_markdown", "view_json"]

if TYPE_CHECKING:
    from pydantic import TypeAdapter

EXIT_CODES: dict[str, ExitStatus] = {
    "healthy": ExitStatus.OK, "problem": ExitStatus.PROBLEM,
    "inconclusive": ExitStatus.COULD_NOT_FINISH, "error": ExitStatus.COULD_NOT_FINISH,
    "running": ExitStatus.COULD_NOT_FINISH,
}
"""The exit status of ``run`` for each way a session ends."""


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


def view_json(view: SessionView) -> dict[str, Any]:
    """The ``--json`` object of a session's redacted view."""
    result: dict[str, Any] = {
        "flow": view.flow,
        "status": view.status,
        "inputs": dict(view.inputs),
        "trail": [_trail_entry(e) for e in view.trail],
        "findings": [f.model_dump() for f in view.findings],
        "fixes": [f.model_dump(exclude_defaults=False) for f in view.fixes],
    }
    if view.message:
        result["message"] = view.message
    if view.error:
        result["error"] = view.error
    return result


def session_json(session: Session) -> dict[str, Any]:
    """The ``--json`` object for a finished (or failed) session, built from its redacted view."""
    return view_json(session_view(session))


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return " ".join(text.split()).replace("|", "\\|") or " "


def _fence(lines: Iterable[str], info: str = "") -> list[str]:
    body = list(lines)
    fence = "```"
    while any(fence in line for line in body):
        fence += "`"
    return [f"{fence}{info}", *body, fence]


@cache
def _action_adapter() -> TypeAdapter[Any]:
    """The validator of one action (built once per process, on first use)."""
    from pydantic import TypeAdapter

    from wizard.fixes.vocabulary import Action

    return TypeAdapter(Action)


def _fix_markdown(fix: dict[str, Any]) -> list[str]:
    from wizard.fixes.render import action_lines

    adapter = _action_adapter()
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


def session_markdown(session: Session) -> str:
    """The session as a Markdown report, secrets redacted (built from :func:`session_json`)."""
    report = session_json(session)
    report.setdefault("title", session.flow.title)
    return report_markdown(report)
