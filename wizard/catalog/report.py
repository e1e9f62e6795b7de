"""An explanation as JSON (``explain --json``) and as text for a terminal."""

from __future__ import annotations

import shlex
from typing import Any

from wizard.catalog.match import Explanation, Match
from wizard.fixes.render import action_lines


def match_json(match: Match) -> dict[str, Any]:
    """One match in the ``explain --json`` form."""
    entry = match.entry
    return {
        "id": entry.id,
        "protocol": entry.protocol,
        "client": entry.client,
        "code": entry.code,
        "enhanced_code": entry.enhanced_code,
        "error_code": entry.error_code,
        "reply": entry.reply,
        "captures": dict(match.captures),
        "meaning": match.meaning,
        "causes": list(match.causes),
        "fix": match.fix.model_dump(),
        "retry": {"helps": entry.retry.helps, "kind": entry.retry.kind,
                  "advice": entry.retry.advice},
        "topic": entry.topic,
        "flow": match.flow,
        "inputs": dict(match.inputs),
        "not_on_reference_page": list(match.not_on_reference_page),
    }


def run_command(match: Match) -> str:
    """The command that continues with the match's flow, its inputs filled from the text."""
    sets = "".join(f" --set {shlex.quote(f'{k}={v}')}" for k, v in match.inputs.items())
    return f"email-wizard run {match.flow}{sets}"


def explanation_json(explanation: Explanation) -> dict[str, Any]:
    """``{"matches": [...], "generic": {...} | null}``."""
    generic = explanation.generic.as_json() if explanation.generic else None
    return {"matches": [match_json(m) for m in explanation.matches], "generic": generic}


def _match_lines(match: Match) -> list[str]:
    entry = match.entry
    head = entry.label
    if entry.enhanced_code and entry.protocol == "smtp" and \
            not entry.reply.startswith(entry.enhanced_code):
        head += f" {entry.enhanced_code}"
    lines = [f"{head} {entry.reply}  [{entry.id}]", "", f"  {match.meaning}"]
    for name, value in match.captures.items():
        lines.append(f"  {name}: {value}")
    if not match.confirmed:
        lines.append("  (matched on the text alone: no reply code or designation beside it)")
    lines += ["", "  Likely causes:"] + [f"    - {c}" for c in match.causes]
    lines += ["", f"  Fix: {match.fix.title}"]
    if match.fix.text:
        lines.append(f"    {match.fix.text}")
    for action in match.fix.actions:
        lines += [f"    → {line}" for line in action_lines(action)]
    if match.not_on_reference_page:
        lines += ["", "  Not on the provider's reference page (our knowledge, check it):"]
        lines += [f"    - {claim}" for claim in match.not_on_reference_page]
    retry = "yes" if entry.retry.helps else "no"
    lines += ["", f"  Retry helps: {retry} ({entry.retry.kind}): {entry.retry.advice}",
              f"  Continue with: {run_command(match)}"]
    return lines


def explanation_text(explanation: Explanation) -> str:
    """A readable report: each match, or the generic explanation, or why there is none."""
    if explanation.matches:
        blocks = ["\n".join(_match_lines(m)) for m in explanation.matches]
        return "\n\n".join(blocks) + "\n"
    generic = explanation.generic
    if generic is None:
        return ("No known error found: the text holds no catalog error and no SMTP reply "
                "code to explain.\n")
    lines = ["No catalog entry matches; what the standards say about this reply "
             f"({generic.source}):", ""]
    if generic.text:
        lines.append(f"  {generic.text}")
    if generic.code:
        lines.append(f"  {generic.code[0]}xx: {generic.reply_class or 'not a defined class'}")
        lines.append(f"  x{generic.code[1]}x: {generic.reply_category or 'not a defined category'}")
        if generic.reply_meaning:
            lines.append(f"  {generic.code}: {generic.reply_meaning}")
    if generic.enhanced_code:
        lines.append(f"  {generic.enhanced_code}: {generic.enhanced_class or '?'} "
                     f"{generic.enhanced_subject or ''} {generic.enhanced_detail or ''}".rstrip())
    return "\n".join(lines) + "\n"
