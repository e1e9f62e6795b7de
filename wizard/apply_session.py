"""Apply a finished session's applicable fixes: one plan per main.cf, each one the user named."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from wizard.engine import Session
from wizard.fixes.apply_postconf import ApplyError, ApplyResult, apply_plan, plan_postconf
from wizard.fixes.vocabulary import PostconfAction
from wizard.flow.model import AskStep, OfferedFix


class ApplyInterrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM came while applying; ``done`` says what each file was left as."""

    def __init__(self, message: str, signal_name: str, done: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.message = message
        self.signal_name = signal_name
        self.done = done


class PartlyApplied(ApplyError):
    """A file could not be applied (it is unchanged); ``done`` lists the files before it."""

    def __init__(self, message: str, done: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.done = done


def user_named_paths(session: Session) -> list[str]:
    """The values the user gave: the flow's inputs (not its defaults) and ask answers.

    Only a main.cf in one of these folders (or one of these files) may be
    edited: a flow cannot name a target itself.
    """
    named: list[str] = []
    for name, spec in session.flow.inputs.items():
        value = session.values.get(name)
        default = None if spec.default is None else str(spec.default)
        if isinstance(value, str) and value and value != default:
            named.append(value)
    for step in session.flow.steps.values():
        if isinstance(step, AskStep):
            value = session.values.get(step.var)
            if isinstance(value, str) and value:
                named.append(value)
    return named


def result_json(result: ApplyResult) -> dict[str, Any]:
    """One apply's outcome, as ``run --json`` shows it under ``applied``."""
    check = result.check
    return {
        "outcome": result.outcome, "message": result.message,
        "applied": result.applied, "rolled_back": result.rolled_back,
        "backup": str(result.backup) if result.backup else None,
        "check": {"ran": check.ran, "ok": check.ok, "output": check.output,
                  "checked": list(check.checked), "not_checked": list(check.not_checked)},
    }


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
    (none when none is chosen). Raises :class:`PartlyApplied` (naming the fixes)
    when a file may not or cannot be written — that file is unchanged — and
    :class:`ApplyInterrupted` after a signal (each file is left as the original
    or the checked new text).
    """
    alternative_groups(session, choose)
    named = user_named_paths(session)
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
            plan = plan_postconf(Path(file), actions, named=named)
            outcome = apply_plan(plan)
        except ApplyError as exc:
            raise PartlyApplied(f"{exc} (fixes: {', '.join(ids)})", done) from None
        done.append({"fixes": ids, "file": file, "diff": plan.diff, **result_json(outcome)})
        if outcome.signal:
            raise ApplyInterrupted(outcome.message, outcome.signal, done)
    return done


def apply_failed(done: list[dict[str, Any]]) -> bool:
    """True when a fix meant to be applied was not (rejected, rolled back, not restored)."""
    return any(entry["outcome"] not in ("applied", "unchanged") for entry in done)
