"""How fixes read: actions as what a person types or clicks, the lines Copy copies, and the
glyphs of a run's status and a finding's severity (shared by the CLI, TUI and reports)."""

from __future__ import annotations

import shlex

from wizard.fixes.vocabulary import (
    Action,
    ConsoleAction,
    DnsAction,
    Fix,
    MessageAction,
    NetworkAction,
    OciAction,
    PostconfAction,
)

STATUS_GLYPHS: dict[str, str] = {"healthy": "✔", "problem": "✘", "inconclusive": "?",
                                 "error": "!", "running": "•"}
"""The mark of a run's (or a step's) status, in text and on screen."""
SEVERITY_GLYPHS: dict[str, str] = {"error": "✘", "warning": "!", "info": "i"}
"""The mark of a finding's severity."""


def action_lines(action: Action) -> list[str]:
    """One or more lines describing ``action`` concretely."""
    if isinstance(action, DnsAction):
        verb = {"add": "add", "delete": "delete", "replace": "replace"}[action.op]
        lines = [f"DNS {verb}: {action.name} {action.rtype} {action.value}".rstrip()]
        if action.op == "replace" and action.old_value:
            lines.append(f"  (currently {action.old_value})")
        if action.zone_relative_name:
            zone = f" in zone {action.zone}" if action.zone else ""
            lines.append(f"  name relative to the zone{zone}: {action.zone_relative_name}")
        return lines
    if isinstance(action, PostconfAction):
        if action.op == "set":
            return [f"postconf -e {shlex.quote(f'{action.param} = {action.value}')}"]
        return [f"postconf -X {shlex.quote(action.param)}"]
    if isinstance(action, ConsoleAction):
        where = f" ({action.where})" if action.where else ""
        lines = [f"Console{where}: {action.instruction}"]
        if action.command:
            lines.append(f"  or: {action.command}")
        return lines
    if isinstance(action, MessageAction):
        return [f"Message/client: {action.change}"] + ([f"  {action.detail}"]
                                                        if action.detail else [])
    if isinstance(action, NetworkAction):
        where = f" in {action.where}" if action.where else ""
        return [f"Network: allow {action.direction} {action.protocol}/{action.port} "
                f"to {action.destination}{where}"]
    if isinstance(action, OciAction):
        return oci_action_lines(action)
    raise TypeError(f"unknown action {action!r}")  # pragma: no cover


def oci_action_lines(action: OciAction) -> list[str]:
    """An ``oci`` action: what the API call changes, and the same change with the oci CLI."""
    compartment = action.compartment or "<tenancy OCID>"
    if action.op == "delete_suppression":
        lines = [f"OCI API: remove {action.address} from the suppression list "
                 "(email-wizard run --apply does it)",
                 f"  or: oci email suppression delete --suppression-id {action.resource}"]
    else:
        lines = [f"OCI API: add {action.address} as an approved sender "
                 "(email-wizard run --apply does it)",
                 f"  or: oci email sender create --compartment-id {compartment} "
                 f"--email-address {shlex.quote(action.address)}"]
    if action.warning:
        lines.append(f"  warning: {action.warning}")
    return lines


def fix_commands(fix: Fix) -> list[str]:
    """What to type or do for ``fix``, one line each (the text the Copy button copies)."""
    lines: list[str] = []
    for action in fix.actions:
        if isinstance(action, DnsAction):
            ttl = f" {action.ttl}" if action.ttl else ""
            note = f"; {action.op}"
            if action.op == "replace" and action.old_value:
                note += f" (currently {action.old_value})"
            if action.zone_relative_name:
                note += f"; in the zone {action.zone or ''}: {action.zone_relative_name}"
            lines += [note, f"{action.name}{ttl} IN {action.rtype} {action.value}"]
        else:
            lines.extend(action_lines(action))
    return lines
