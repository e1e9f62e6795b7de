"""Apply ``postconf`` actions to main.cf *text*, keeping every comment and blank line.

Pure: the same edits ``postconf -e`` / ``postconf -X`` make — replace a
parameter's logical line in place (its first line takes the new assignment,
its continuation lines go; blank and comment lines inside it stay, as
``postconf -e`` keeps them), append a new parameter at the end, delete a
removed one — so the change can be shown as a diff before anything is written.
Logical lines are found by :func:`wizard.postfix.maincf.assignments`, the
reader's own model, and every edit is read back (:func:`check_edit`) before it
is offered.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from wizard.fixes.vocabulary import PostconfAction
from wizard.postfix.maincf import MainCfError, assignments, parse_main_cf, physical_lines


class EditMismatch(ValueError):
    """The edited text, read back the way Postfix reads it, does not give the intended values."""


def _apply(lines: list[str], action: PostconfAction, newline: str) -> bool:
    """Apply one action to ``lines`` in place; True when anything changed."""
    found, _ = assignments(lines)
    spans = [a for a in found if a.name == action.param]
    if action.op == "remove":
        doomed = {index for a in spans for index in a.line.physical}
    else:
        value = action.value.strip()
        if len(spans) == 1 and spans[0].value == value:
            return False
        assignment = f"{action.param} = {value}".rstrip()
        if not spans:
            lines.append(assignment + ("\r" if newline == "\r\n" else ""))
            return True
        *earlier, last = spans
        first = last.line.physical[0]
        carriage = "\r" if lines[first].endswith("\r") else ""
        lines[first] = assignment + carriage
        doomed = {index for a in earlier for index in a.line.physical}
        doomed |= set(last.line.physical[1:])
    for index in sorted(doomed, reverse=True):
        del lines[index]
    return action.op != "remove" or bool(doomed)


def edit_main_cf(text: str, actions: Iterable[PostconfAction]) -> str:
    """``text`` with each action applied in order (unchanged text when nothing changes).

    Raises :class:`~wizard.postfix.maincf.MainCfError` when ``text`` has a line
    Postfix refuses (``postconf -e`` refuses it too).
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = physical_lines(text)
    changed = False
    for action in actions:
        changed = _apply(lines, action, newline) or changed
    if not changed:
        return text
    return "\n".join(lines) + "\n" if lines else ""


def intended_values(before: str, actions: Iterable[PostconfAction]) -> dict[str, str]:
    """The parameter values ``before`` should give after ``actions``, as Postfix reads them."""
    values = parse_main_cf(before).values()
    for action in actions:
        if action.op == "remove":
            values.pop(action.param, None)
        else:
            values[action.param] = action.value.strip()
    return values


def check_edit(before: str, after: str, actions: Sequence[PostconfAction]) -> None:
    """Raise :class:`EditMismatch` unless ``after`` reads back as exactly the intended values."""
    try:
        got = parse_main_cf(after).values()
    except MainCfError as exc:
        raise EditMismatch(f"the edited main.cf does not parse: {exc}") from None
    wanted = intended_values(before, actions)
    if got != wanted:
        wrong = sorted(name for name in wanted.keys() | got.keys()
                       if wanted.get(name) != got.get(name))
        raise EditMismatch("the edited main.cf would not give the intended values for "
                           + ", ".join(wrong))


def _keepends(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def unified_diff(before: str, after: str, path: str) -> str:
    """A unified diff of main.cf, as ``diff -u`` would print it."""
    return "".join(difflib.unified_diff(_keepends(before), _keepends(after),
                                        fromfile=f"{path} (now)", tofile=f"{path} (fixed)"))
