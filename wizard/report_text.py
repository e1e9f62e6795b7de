"""The result of ``email-wizard run`` as plain text for a terminal (the JSON object, read aloud)."""

from __future__ import annotations

from typing import Any

from wizard.fixes.render import STATUS_GLYPHS, action_lines
from wizard.fixes.vocabulary import Fix


def run_text(result: dict[str, Any]) -> str:
    """The trail, findings, applied edits and fixes of a (redacted) ``session_json`` result."""
    out = [f"{result['flow']}: {result['status']}\n\n"]
    for entry in result["trail"]:
        if entry["kind"] == "probe":
            out.append(f"  • {entry['title']}: {entry['summary']} [{entry['outcome']}]\n")
            out.extend(f"      {line}\n" for line in entry["evidence"])
        elif entry["kind"] == "ask":
            out.append(f"  ? {entry['summary']}\n")
    if result.get("message"):
        out.append(f"\n{STATUS_GLYPHS.get(result['status'], '')} {result['message']}\n")
    if result.get("error"):
        out.append(f"\n! could not finish: {result['error']}\n")
    out.extend(f"\n[{finding['severity']}] {finding['message']}\n"
               for finding in result["findings"])
    for applied in result.get("applied", []):
        if applied.get("type") == "oci":
            verb = "done" if applied["applied"] else "NOT done"
            proof = "proven by re-reading" if applied["verified"] else "not proven"
            out.append(f"\nOCI {applied['op']} {applied['address']} ({', '.join(applied['fixes'])})"
                       f": {verb}, {proof}\n  {applied['detail']}\n")
            continue
        out.append(f"\nApplied {', '.join(applied['fixes'])} to {applied['file']}:\n"
                   f"{applied['diff']}")
        out.append(f"  {applied['message']}\n")
        if not applied["check"]["ok"] and applied["check"]["output"]:
            out.extend(f"  {line}\n" for line in applied["check"]["output"].splitlines())
        out.extend(f"  not checked: {line}\n" for line in applied["check"]["not_checked"])
    if result.get("apply_error"):
        out.append(f"\n--apply failed: {result['apply_error']}\n")
    if "applied" in result and not result["applied"] and not result.get("apply_error"):
        out.append("\n--apply: no fix of this run can be applied\n")
    for raw in result["fixes"]:
        fix = Fix.model_validate({k: v for k, v in raw.items()
                                  if k not in ("alternative_group", "alternative")})
        if "alternative" in raw:
            out.append(f"\nFix (one of the alternatives of {raw['alternative_group']}; "
                       f"--apply --choose {raw['alternative']}): {fix.title}\n")
        else:
            out.append(f"\nFix: {fix.title}\n")
        if fix.text:
            out.extend(f"  {line}\n" for line in fix.text.strip().splitlines())
        for action in fix.actions:
            out.extend(f"  → {line}\n" for line in action_lines(action))
    return "".join(out)
