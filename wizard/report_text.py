"""The result of ``email-wizard run`` as plain text for a terminal (the JSON object, read aloud)."""

from __future__ import annotations

import re
import shutil
import textwrap
from typing import Any

from wizard.fixes.render import STATUS_GLYPHS, action_lines
from wizard.fixes.vocabulary import Fix

_BULLET = re.compile(r"(?:[-*+•]|\d+[.)])\s")
_CONFIG = re.compile(r"[A-Za-z_][\w.-]*\s+=\s|[\w.-]+=\S*$")
_COMMAND = re.compile(r"(?:\$|#|sudo|postconf|postfix|postmap|email-wizard|dig|openssl)\s")
_COLUMNS = re.compile(r"\S {3,}\S")
_GLUED = re.compile(r"email-wizard \w+|--(?:set|secret-env|nameserver|choose)\s+"
                    r"(?:[^\s<]*<[^<>\n]{1,40}>\S*|\S+)|\"[^\"\n]{1,80}\"")
"""What a line break must not split: an option and its value (``--set region=<your region>``;
a ``<placeholder>`` of at most 40 characters), the program and its command (``email-wizard
run``), a quoted text of at most 80 characters (a policy statement to copy)."""
_NO_BREAK = "\ue000"
"""Stands for a space inside a glued span while wrapping (textwrap breaks only at ASCII
whitespace)."""
MIN_WIDTH = 20
"""The narrowest width prose is wrapped to, however narrow the terminal says it is."""


def _kept_as_is(line: str) -> bool:
    """Whether ``line`` is layout rather than prose: indented (a block, a command, aligned
    values), a list item, a ``key = value`` or a shell command, or columns lined up with spaces."""
    return (line[:1].isspace() or bool(_BULLET.match(line) or _CONFIG.match(line)
                                       or _COMMAND.match(line) or _COLUMNS.search(line)))


def reflow(text: str, width: int, indent: str = "  ") -> list[str]:
    """``text`` (a fix's prose from YAML, with its phrases substituted) as lines of at most
    ``width`` columns, each starting with ``indent``.

    Paragraphs are re-wrapped, so a substituted phrase longer or shorter than its
    placeholder leaves no ragged line; blank lines stay, and so do lines that are layout
    rather than prose (:func:`_kept_as_is`), exactly as written. A word longer than the width
    (a URL, a long host name) is never broken; it gets a line of its own."""
    out: list[str] = []
    prose: list[str] = []

    def wrap_prose() -> None:
        if prose:
            glued = _GLUED.sub(lambda m: re.sub(r"\s+", _NO_BREAK, m.group(0)), " ".join(prose))
            out.extend(line.replace(_NO_BREAK, " ") for line in textwrap.wrap(
                glued, max(width, MIN_WIDTH), initial_indent=indent, subsequent_indent=indent,
                break_long_words=False, break_on_hyphens=False))
            prose.clear()

    for line in textwrap.dedent(text).strip("\n").splitlines():
        if not line.strip() or _kept_as_is(line):
            wrap_prose()
            out.append(f"{indent}{line}".rstrip())
        else:
            prose.append(line.strip())
    wrap_prose()
    return out


def run_text(result: dict[str, Any], width: int | None = None) -> str:
    """The trail, findings, applied edits and fixes of a (redacted) ``session_json`` result;
    fix texts are re-wrapped to ``width`` columns (default: the terminal's width, else 80)."""
    width = width or shutil.get_terminal_size().columns
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
            out.extend(f"{line}\n" for line in reflow(fix.text, width))
        for action in fix.actions:
            out.extend(f"  → {line}\n" for line in action_lines(action))
    return "".join(out)
