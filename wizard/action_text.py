"""Actions rendered as what a person types or clicks (shared by the CLI, TUI and reports)."""

from __future__ import annotations

import shlex

from wizard.flow.model import (
    Action,
    ConsoleAction,
    DnsAction,
    MessageAction,
    NetworkAction,
    PostconfAction,
)


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
    raise TypeError(f"unknown action {action!r}")  # pragma: no cover
