"""postfix.queue lists a real Postfix queue and says why mail is stuck."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.servers.postfix import PostfixInstance, deferred, write_config_dir
from tests.servers.postfix_fixtures import DEFERRED_RECIPIENT, DEFERRED_SENDER
from wizard.postfix import process
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner

MESSAGE = b"From: a@sender.test\nTo: b@recipient.test\nSubject: hi\n\nhello\n"


async def probe(timeout: float = 10.0, **params: Any) -> ProbeResult:
    """Run postfix.queue through the registry, as a flow would."""
    return await RegistryRunner(ProbeContext(timeout=timeout)).run("postfix.queue", params)


async def test_a_deferred_message_is_listed_with_the_relays_refusal(
        postfix_deferred: PostfixInstance) -> None:
    [queued] = postfix_deferred.queue()
    result = await probe(config_directory=str(postfix_deferred.config_directory))
    assert result.outcome == "has_deferred"
    facts = result.facts
    assert facts["count"] == 1
    assert facts["mail_system_running"] is True
    assert facts["first_queue_id"] == queued["queue_id"]
    assert facts["first_recipient"] == DEFERRED_RECIPIENT
    reason = f"connect to 127.0.0.1[127.0.0.1]:{postfix_deferred.relay_port}: Connection refused"
    assert facts["first_reason"] == reason
    assert facts["deferred"] == [{"queue_name": "deferred", "queue_id": queued["queue_id"],
                                  "sender": DEFERRED_SENDER, "recipient": DEFERRED_RECIPIENT,
                                  "reason": reason}]
    assert reason in result.summary


async def test_a_running_instance_with_nothing_queued_is_empty(
        make_postfix: Callable[[], PostfixInstance]) -> None:
    instance = make_postfix()
    instance.start()
    result = await probe(config_directory=str(instance.config_directory))
    assert result.outcome == "empty"
    assert (result.facts["total"], result.facts["mail_system_running"]) == (0, True)


async def test_held_messages_are_on_hold_not_deferred(
        make_postfix: Callable[[], PostfixInstance]) -> None:
    instance = make_postfix()
    instance.start()
    instance.send("a@sender.test", ["b@recipient.test"], MESSAGE)
    instance.wait_for_queue(deferred)
    instance.hold_all()
    result = await probe(config_directory=str(instance.config_directory))
    assert result.outcome == "on_hold"
    assert (result.facts["held_count"], result.facts["count"]) == (1, 0)
    assert result.facts["messages"][0]["queue_name"] == "hold"


async def test_mail_submitted_while_postfix_is_down_waits_in_maildrop(
        make_postfix: Callable[[], PostfixInstance]) -> None:
    instance = make_postfix()
    instance.start()
    instance.stop()
    instance.send("a@sender.test", ["b@recipient.test"], MESSAGE)
    result = await probe(config_directory=str(instance.config_directory))
    assert result.outcome == "in_flight"
    assert result.facts["in_flight_count"] == 1
    assert result.facts["mail_system_running"] is False
    assert result.facts["messages"][0]["queue_name"] == "maildrop"


async def test_a_config_directory_that_does_not_exist_is_unavailable(tmp_path: Path) -> None:
    result = await probe(config_directory=str(tmp_path / "nowhere"))
    assert result.outcome == "unavailable"
    assert "No such file or directory" in str(result.facts["reason"])


async def test_without_postfix_it_says_not_installed(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(process, "SBIN_DIRS", ())
    result = await probe()
    assert result.outcome == "not_installed"


async def test_a_postqueue_that_blocks_is_killed_and_reported_as_timeout(tmp_path: Path) -> None:
    conf = write_config_dir(tmp_path / "conf", "")
    (conf / "main.cf").unlink()
    os.mkfifo(conf / "main.cf")
    result = await probe(timeout=0.5, config_directory=str(conf))
    assert result.outcome == "timeout"
    assert "postqueue" in str(result.facts["reason"])
