"""Apply ``postconf`` actions to main.cf *text*, keeping every comment and blank line.

Pure: the same edits ``postconf -e`` / ``postconf -X`` make — replace a
parameter's logical line (with its continuation lines) in place, append a new
parameter at the end, delete a removed one — so the change can be shown as a
diff before anything is written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from wizard.flow.model import PostconfAction

_ASSIGNMENT = re.compile(r"^([A-Za-z0-9_]+)\s*=")


def _spans(lines: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Parameter → the (start, end) line index ranges of each of its assignments."""
    spans: dict[str, list[tuple[int, int]]] = {}
    i = 0
    while i < len(lines):
        match = _ASSIGNMENT.match(lines[i])
        if not match:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end][:1] in (" ", "\t") and lines[end].strip():
            end += 1
        spans.setdefault(match.group(1), []).append((i, end))
        i = end
    return spans


def edit_main_cf(text: str, actions: Iterable[PostconfAction]) -> str:
    """``text`` with each action applied in order."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    for action in actions:
        spans = _spans(lines).get(action.param, [])
        if action.op == "remove":
            for start, end in reversed(spans):
                del lines[start:end]
            continue
        assignment = f"{action.param} = {action.value}".rstrip()
        if spans:
            *earlier, (start, end) = spans
            lines[start:end] = [assignment]
            for e_start, e_end in reversed(earlier):
                del lines[e_start:e_end]
        else:
            lines.append(assignment)
    result = newline.join(lines)
    return result + newline if lines else result


def unified_diff(before: str, after: str, path: str) -> str:
    """A unified diff of main.cf, as ``diff -u`` would print it."""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True),
                                        after.splitlines(keepends=True),
                                        fromfile=f"{path} (now)", tofile=f"{path} (fixed)"))
