"""Apply a finished session's ``oci`` actions through the SDK, then re-read to prove them.

Only ``email-wizard run --apply`` and the TUI's Apply (after its confirmation) call this:
without them the wizard sends read-only requests only. Each action is one API call (delete
a suppression, create an approved sender) followed by a read of the same list; the entry in
the JSON ``applied`` list says whether the change was made and whether the re-read shows it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from wizard.engine import Session
from wizard.fixes.vocabulary import OciAction
from wizard.ociapi.client import ApiFailure, EmailApi, call_bounded, open_api
from wizard.probes.base import ProbeContext


def oci_actions(session: Session) -> list[tuple[str, OciAction]]:
    """The ``oci`` actions of the session's applicable fixes, with their fix ids."""
    return [(fix.id, action) for fix in session.fixes if fix.applicable
            for action in fix.actions if isinstance(action, OciAction)]


def apply_oci_fixes(session: Session, ctx: ProbeContext) -> list[dict[str, Any]]:
    """Carry out each applicable ``oci`` action and re-read; one result entry per action."""
    return apply_oci_actions(oci_actions(session), ctx)


def apply_oci_actions(planned: list[tuple[str, OciAction]],
                      ctx: ProbeContext) -> list[dict[str, Any]]:
    """Carry out ``planned`` (fix id, action) pairs in order, each followed by a re-read.

    Blocking (it runs its own event loop): a front-end calls it from a worker thread.
    """
    if not planned:
        return []
    settings = ctx.oci
    if settings is None or not settings.enabled:
        return [_entry(fix_id, action, False, False, "no OCI profile: nothing was changed")
                for fix_id, action in planned]
    try:
        api = open_api(settings, ca_file=ctx.ca_file, timeout=ctx.timeout)
    except ApiFailure as failure:
        return [_entry(fix_id, action, False, False, f"{failure.summary}. {failure.fix}")
                for fix_id, action in planned]
    return [asyncio.run(_apply_one(api, ctx.timeout, fix_id, action))
            for fix_id, action in planned]


async def _apply_one(api: EmailApi, timeout: float, fix_id: str,
                     action: OciAction) -> dict[str, Any]:
    import oci

    compartment = action.compartment or api.compartment
    control = api.control
    if action.op == "delete_suppression" and not action.resource:
        return _entry(fix_id, action, False, False, "no suppression id: nothing was changed")
    try:
        if action.op == "delete_suppression":
            await call_bounded(timeout, "delete suppression",
                               lambda: control.delete_suppression(action.resource))
            left = await call_bounded(timeout, "re-read suppressions", lambda: [
                s for s in control.list_suppressions(
                    compartment, email_address=action.address).data
                if s.email_address.lower() == action.address.lower()])
            return _entry(fix_id, action, True, not left,
                          "re-read: no longer on the suppression list" if not left else
                          "re-read: still on the suppression list")
        details = oci.email.models.CreateSenderDetails(compartment_id=compartment,
                                                       email_address=action.address)
        created = await call_bounded(timeout, "create approved sender",
                                     lambda: control.create_sender(details).data)
        found = await call_bounded(timeout, "re-read approved senders", lambda: [
            s for s in control.list_senders(compartment, email_address=action.address).data
            if s.email_address.lower() == action.address.lower()])
        return _entry(fix_id, action, True, bool(found),
                      f"re-read: approved sender {created.id} ({found[0].lifecycle_state})"
                      if found else "re-read: the approved sender is not listed")
    except ApiFailure as failure:
        return _entry(fix_id, action, False, False, f"{failure.summary}. {failure.fix}")


def _entry(fix_id: str, action: OciAction, applied: bool, verified: bool,
           detail: str) -> dict[str, Any]:
    outcome = "applied" if applied and verified else "not_verified" if applied else "rejected"
    return {"fixes": [fix_id], "type": "oci", "op": action.op, "address": action.address,
            "resource": action.resource, "applied": applied, "verified": verified,
            "outcome": outcome, "message": detail or f"{action.op}: {outcome}",
            "detail": detail}
