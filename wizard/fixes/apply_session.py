"""Apply a finished session's applicable fixes: one plan per main.cf it names."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from wizard.engine import Session
from wizard.fixes.apply_postconf import ApplyError, apply_plan, plan_postconf
from wizard.flow.model import OfferedFix, PostconfAction


def alternative_groups(session: Session, choose: Collection[str] = ()) -> list[dict[str, Any]]:
    """The alternatives the run offered, by group: the choices and the one chosen (or None).

    Raises :class:`ApplyError` when two alternatives of one group are chosen.
    """
    groups: dict[str, list[str]] = {}
    for fix in session.fixes:
        if isinstance(fix, OfferedFix):
            groups.setdefault(fix.alternative_group, []).append(fix.alternative)
    out = []
    for group, ids in groups.items():
        chosen = [i for i in ids if i in choose]
        if len(chosen) > 1:
            raise ApplyError(f"--choose {' and '.join(chosen)}: both are alternatives of "
                             f"{group}; choose one")
        out.append({"group": group, "alternatives": ids,
                    "chosen": chosen[0] if chosen else None})
    return out


def apply_session_fixes(session: Session, choose: Collection[str] = ()) -> list[dict[str, Any]]:
    """Apply the applicable fixes' postconf actions: one plan per file, so one backup, one
    ``postfix check`` and, if it fails, one rollback covering all of them.

    Of a step's ``alternatives`` only the one named in ``choose`` is applied
    (none when none is chosen). Raises :class:`ApplyError` (naming the fixes)
    when a file cannot be written; nothing is changed then.
    """
    alternative_groups(session, choose)
    by_file: dict[str, tuple[list[str], list[PostconfAction]]] = {}
    for fix in session.fixes:
        if isinstance(fix, OfferedFix) and fix.alternative not in choose:
            continue
        actions = [a for a in fix.actions if isinstance(a, PostconfAction)]
        if fix.applicable and actions:
            ids, collected = by_file.setdefault(fix.applies_to, ([], []))
            ids.append(fix.id)
            collected.extend(actions)
    done: list[dict[str, Any]] = []
    for file, (ids, actions) in by_file.items():
        try:
            plan = plan_postconf(Path(file), actions)
            outcome = apply_plan(plan)
        except ApplyError as exc:
            raise ApplyError(f"{exc} (fixes: {', '.join(ids)})") from None
        done.append({
            "fixes": ids, "file": file, "diff": plan.diff,
            "applied": outcome.applied, "rolled_back": outcome.rolled_back,
            "backup": str(outcome.backup) if outcome.backup else None,
            "check": {"ran": outcome.check.ran, "ok": outcome.check.ok,
                      "output": outcome.check.output},
        })
    return done
