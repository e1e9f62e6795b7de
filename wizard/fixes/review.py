"""What a front-end shows of a postconf fix before and after applying it (no Textual).

:func:`fix_plan` turns a fix's ``postconf`` actions into the main.cf edit to
review; :func:`applied_text` says in one line what applying it did.
"""

from __future__ import annotations

from pathlib import Path

from wizard.fixes.apply_postconf import ApplyError, ApplyResult, Plan, plan_postconf
from wizard.flow.model import Fix, PostconfAction
from wizard.postfix.check import POSTFIX_CHECK


def fix_plan(fix: Fix, named: list[str]) -> tuple[Plan | None, str]:
    """The main.cf edit of ``fix``'s postconf actions, or why there is none to show.

    ``named`` are the paths the user gave (only a main.cf there may be edited).
    """
    actions = [a for a in fix.actions if isinstance(a, PostconfAction)]
    if not actions or not fix.applies_to:
        return None, ""
    try:
        plan = plan_postconf(Path(fix.applies_to), actions, named=named)
    except ApplyError as exc:
        return None, f"No diff: {exc}"
    if not plan.changes:
        return plan, f"{fix.applies_to} already has these settings."
    return plan, ""


def applied_text(result: ApplyResult, main_cf: Path) -> str:
    """What an apply did, with the backup named."""
    check = result.check
    if result.applied:
        if POSTFIX_CHECK in check.checked:
            return (f"✔ Applied to {main_cf} · backup: {result.backup} · postfix check "
                    "passed. Then: postfix reload")
        return (f"✔ Applied to {main_cf} · backup: {result.backup} · checked: "
                f"{', '.join(check.checked)} · not checked: {'; '.join(check.not_checked)}")
    if result.outcome == "unchanged":
        return f"Nothing to change: {check.output}"
    detail = f": {check.output}" if check.output and not check.ok else ""
    return f"✘ {result.message}{detail}"
