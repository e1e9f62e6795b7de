"""What a front-end shows of a fix before and after applying it (no Textual).

:func:`fix_plan` turns a fix's ``postconf`` actions into the main.cf edit to
review; :func:`apply_report` says what applying it did, the real message first.
:func:`oci_changes` says what a fix's ``oci`` actions will change at the provider
and :func:`oci_apply_report` what applying them did (re-read included).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.fixes.apply_postconf import ApplyError, ApplyResult, Plan, plan_postconf
from wizard.fixes.vocabulary import Fix, OciAction, PostconfAction
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


@dataclass(frozen=True)
class ApplyReport:
    """What an apply did, for a person: the real message first, then what follows."""

    ok: bool
    headline: str
    details: tuple[str, ...] = ()
    next_command: str = ""
    """What to run next (``postfix reload``), when the change was applied."""


def reload_command(main_cf: Path) -> str:
    """``postfix reload`` for the Postfix instance whose main.cf this is."""
    folder = main_cf.resolve().parent
    if folder == Path("/etc/postfix"):
        return "postfix reload"
    return f"postfix -c {shlex.quote(str(folder))} reload"


def apply_report(result: ApplyResult, main_cf: Path) -> ApplyReport:
    """The apply's outcome, the real message first: applied (checked or not), nothing to
    change, or not applied (rejected, rolled back, interrupted) with what Postfix said."""
    check = result.check
    backup = f"Backup of the old file: {result.backup}" if result.backup else ""
    if result.applied:
        if POSTFIX_CHECK in check.checked:
            return ApplyReport(True, f"Applied to {main_cf}; postfix check passed.",
                               tuple(filter(None, [backup])), reload_command(main_cf))
        checked = ", ".join(check.checked) or "nothing"
        return ApplyReport(True, f"Applied to {main_cf}; checked: {checked}.",
                           tuple(filter(None, [
                               *(f"Not checked: {reason}" for reason in check.not_checked),
                               backup])))
    if result.outcome == "unchanged":
        return ApplyReport(True, f"Nothing to change: {check.output}")
    said = check.output.strip() if check.output and not check.ok else ""
    return ApplyReport(False, said or result.message,
                       tuple(filter(None, [result.message if said else "", backup])))


OCI_OPERATIONS = {
    "delete_suppression": "Remove from the suppression list (DELETE the suppression)",
    "create_sender": "Add an approved sender (POST a new sender)",
}
"""What each ``oci`` operation does, in the words the confirmation shows."""


def oci_actions_of(fix: Fix) -> list[OciAction]:
    """The fix's ``oci`` actions (what the TUI's Apply sends), when the flow allows applying."""
    if not fix.applicable:
        return []
    return [a for a in fix.actions if isinstance(a, OciAction)]


@dataclass(frozen=True)
class OciChange:
    """One API change as the confirmation shows it: every field, and the warning if any."""

    operation: str
    address: str
    compartment: str
    resource: str
    warning: str = ""

    def lines(self) -> list[str]:
        """The change, one field a line."""
        return [f"Operation:   {self.operation}", f"Address:     {self.address}",
                f"Compartment: {self.compartment}", f"Resource:    {self.resource}"]


def oci_changes(fix: Fix, profile: str) -> list[OciChange]:
    """What applying ``fix`` changes at the provider, through OCI profile ``profile``."""
    return [OciChange(
        operation=OCI_OPERATIONS.get(action.op, action.op),
        address=action.address,
        compartment=action.compartment or f"the tenancy of profile {profile}",
        resource=action.resource or "(new: the API assigns its OCID)",
        warning=action.warning.strip())
        for action in oci_actions_of(fix)]


def oci_apply_report(entries: list[dict[str, Any]]) -> ApplyReport:
    """What :func:`wizard.apply_oci.apply_oci_actions` did: ok only when every change
    was applied and the re-read shows it."""
    if not entries:
        return ApplyReport(False, "Nothing to apply: the fix has no OCI changes.")
    ok = all(e["applied"] and e["verified"] for e in entries)
    details = []
    for entry in entries:
        state = ("" if entry["applied"] and entry["verified"]
                 else "applied, NOT verified by re-reading — " if entry["applied"]
                 else "not applied — ")
        details.append(f"{entry['op']} {entry['address']}: {state}{entry['detail']}")
    if ok:
        headline = ("Applied through the OCI API and verified by re-reading."
                    if len(entries) == 1 else
                    f"All {len(entries)} changes applied through the OCI API and verified by "
                    "re-reading.")
    elif any(e["applied"] for e in entries):
        headline = "Applied, but re-reading does not show every change."
    else:
        headline = f"Not applied: {entries[0]['detail']}"
    return ApplyReport(ok, headline, tuple(details))
