"""Apply a finished session's applicable fixes: one plan per main.cf it names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wizard.engine import Session
from wizard.fixes.apply_postconf import ApplyError, apply_plan, plan_postconf
from wizard.flow.model import PostconfAction


def apply_session_fixes(session: Session) -> list[dict[str, Any]]:
    """Apply the applicable fixes' postconf actions: one plan per file, so one backup, one
    ``postfix check`` and, if it fails, one rollback covering all of them.

    Raises :class:`ApplyError` (naming the fixes) when a file cannot be written;
    nothing is changed then.
    """
    by_file: dict[str, tuple[list[str], list[PostconfAction]]] = {}
    for fix in session.fixes:
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
