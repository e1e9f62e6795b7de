"""What a front-end shows of a postconf fix before and after applying it (no Textual).

:func:`fix_plan` turns a fix's ``postconf`` actions into the main.cf edit to
review; :func:`applied_text` says in one line what applying it did.
"""

from __future__ import annotations

from pathlib import Path

from wizard.fixes.apply_postconf import ApplyError, ApplyResult, Plan, plan_postconf
from wizard.flow.model import Fix, PostconfAction


def fix_plan(fix: Fix) -> tuple[Plan | None, str]:
    """The main.cf edit of ``fix``'s postconf actions, or why there is none to show."""
    actions = [a for a in fix.actions if isinstance(a, PostconfAction)]
    if not actions or not fix.applies_to:
        return None, ""
    try:
        plan = plan_postconf(Path(fix.applies_to), actions)
    except ApplyError as exc:
        return None, f"No diff: {exc}"
    if not plan.changes:
        return plan, f"{fix.applies_to} already has these settings."
    return plan, ""


def applied_text(result: ApplyResult, main_cf: Path) -> str:
    """What an apply did, with the backup named."""
    check = result.check
    if result.applied:
        checked = "postfix check passed" if check.ran else check.output
        return (f"✔ Applied to {main_cf} · backup: {result.backup} · {checked}. "
                "Then: postfix reload")
    if result.rolled_back:
        return (f"✘ postfix check failed; the original was put back (backup: {result.backup}): "
                f"{check.output}")
    return f"Nothing to change: {check.output}"
