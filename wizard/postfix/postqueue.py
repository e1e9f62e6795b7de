"""``postqueue [-c DIR] -j``: the messages in a Postfix queue, bounded by a timeout."""

from __future__ import annotations

import json
from dataclasses import dataclass

from wizard.postfix.process import find_program, run_program

MAIL_SYSTEM_DOWN = "Mail system is down"


class PostqueueNotFound(Exception):
    """No ``postqueue`` program: Postfix is not installed here."""


class PostqueueFailed(Exception):
    """``postqueue`` exited with an error (mail system down for a user, bad config directory)."""

    def __init__(self, reason: str, stderr: list[str]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stderr = stderr


@dataclass(frozen=True)
class QueuedRecipient:
    """One recipient of a queued message and, once an attempt failed, why."""

    address: str
    delay_reason: str


@dataclass(frozen=True)
class QueuedMessage:
    """One message as ``postqueue -j`` reports it."""

    queue_name: str
    queue_id: str
    sender: str
    recipients: tuple[QueuedRecipient, ...]
    message_size: int
    arrival_time: int


@dataclass(frozen=True)
class QueueListing:
    """All queued messages, whether the mail system was running, and postqueue's warnings."""

    messages: list[QueuedMessage]
    mail_system_running: bool
    warnings: list[str]


def parse_postqueue_json(text: str) -> list[QueuedMessage]:
    """Parse ``postqueue -j`` output (one JSON object per line); skip lines that are not."""
    messages: list[QueuedMessage] = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        recipients = tuple(
            QueuedRecipient(str(r.get("address", "")), str(r.get("delay_reason", "")))
            for r in record.get("recipients", [])
            if isinstance(r, dict)
        )
        messages.append(QueuedMessage(
            queue_name=str(record.get("queue_name", "")),
            queue_id=str(record.get("queue_id", "")),
            sender=str(record.get("sender", "")),
            recipients=recipients,
            message_size=int(record.get("message_size", 0) or 0),
            arrival_time=int(record.get("arrival_time", 0) or 0),
        ))
    return messages


async def list_queue(config_directory: str | None, timeout: float) -> QueueListing:
    """Run ``postqueue [-c DIR] -j``; raise :class:`PostqueueFailed` or :class:`PostqueueNotFound`.

    Raises :class:`~wizard.postfix.process.ProgramTimedOut` when it does not finish.
    """
    path = find_program("postqueue")
    if path is None:
        raise PostqueueNotFound("postqueue is not installed (not on PATH nor in sbin)")
    argv = [path] + (["-c", config_directory] if config_directory else []) + ["-j"]
    completed = await run_program(argv, timeout)
    stderr = completed.stderr_lines()
    if completed.returncode != 0:
        fatal = [line for line in stderr if ": fatal: " in line]
        reason = (fatal or stderr or [f"postqueue exited with {completed.returncode}"])[-1]
        raise PostqueueFailed(reason, stderr)
    running = not any(MAIL_SYSTEM_DOWN in line for line in stderr)
    return QueueListing(parse_postqueue_json(completed.stdout), running, stderr)
