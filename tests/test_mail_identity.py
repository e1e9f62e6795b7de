"""mail.identity works out who sends to whom from a message file, what was given, or both."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner

SIGNED = (b"Return-Path: <bounces@mailer.example>\r\n"
          b"DKIM-Signature: v=1; a=rsa-sha256; d=Sender.Example; s=sel9; h=from; bh=x; b=y\r\n"
          b"From: App <app@sender.example>\r\nTo: one@r.example, two@r.example\r\n"
          b"Subject: hi\r\n\r\nbody\r\n")


async def identity(**params: Any) -> ProbeResult:
    """Run mail.identity through the registry, as a flow would."""
    return await RegistryRunner(ProbeContext(timeout=5)).run("mail.identity", params)


def write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "m.eml"
    path.write_bytes(data)
    return str(path)


async def test_a_message_gives_envelope_and_header_from_selector_and_recipient(
        tmp_path: Path) -> None:
    result = await identity(message=write(tmp_path, SIGNED))
    assert result.outcome == "from_message"
    facts = result.facts
    assert (facts["envelope_from"], facts["envelope_from_source"]) == (
        "bounces@mailer.example", "return_path")
    assert (facts["header_from"], facts["from_domain"]) == ("app@sender.example",
                                                            "sender.example")
    assert facts["envelope_vs_header"] == "different"
    assert (facts["selector"], facts["selector_source"], facts["dkim_domain"]) == (
        "sel9", "dkim_signature", "sender.example")
    assert facts["signature_domain"] == "sender.example"
    assert (facts["recipient"], facts["recipients"]) == ("one@r.example",
                                                         ["one@r.example", "two@r.example"])
    assert facts["can_test_relay"] is True


async def test_given_values_take_precedence_and_equal_addresses_are_the_same(
        tmp_path: Path) -> None:
    result = await identity(message=write(tmp_path, SIGNED), sender="App@Sender.example",
                            recipient="x@r.example", selector="given1")
    facts = result.facts
    assert (facts["envelope_from"], facts["envelope_from_source"]) == ("App@Sender.example",
                                                                       "given")
    assert facts["envelope_vs_header"] == "same"
    assert (facts["recipient"], facts["selector"], facts["selector_source"]) == (
        "x@r.example", "given1", "given")


async def test_without_a_message_the_header_from_is_assumed_and_not_compared() -> None:
    result = await identity(sender="app@sender.example", recipient="x@r.example")
    assert result.outcome == "given_only"
    facts = result.facts
    assert (facts["header_from"], facts["header_from_source"]) == ("app@sender.example",
                                                                   "assumed_from_sender")
    assert (facts["envelope_vs_header"], facts["selector"], facts["dkim_domain"]) == (
        "unknown", "", "sender.example")
    assert facts["signature_domain"] == ""


async def test_a_message_without_return_path_uses_its_from_as_envelope_but_does_not_compare(
        tmp_path: Path) -> None:
    result = await identity(message=write(tmp_path, b"From: a@s.example\nTo: b@r.example\n\nx\n"))
    facts = result.facts
    assert (facts["envelope_from"], facts["envelope_from_source"]) == ("a@s.example",
                                                                       "header_from")
    assert facts["envelope_vs_header"] == "unknown"
    assert facts["dkim_signed"] is False


async def test_an_unreadable_message_falls_back_to_the_given_values(tmp_path: Path) -> None:
    result = await identity(message=str(tmp_path / "missing.eml"), sender="a@s.example")
    assert result.outcome == "message_unusable"
    assert "cannot be read" in result.facts["problem"]
    assert result.facts["envelope_from"] == "a@s.example"


async def test_nothing_known_without_sender_or_message() -> None:
    result = await identity(recipient="x@r.example")
    assert result.outcome == "nothing_known"
    assert (result.facts["from_domain"], result.facts["can_test_relay"]) == ("", False)


async def test_a_pipe_nobody_writes_to_is_a_timeout(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.eml"
    os.mkfifo(fifo)
    result = await identity(message=str(fifo), sender="a@s.example", timeout=0.3)
    assert result.outcome == "timeout"
    assert result.facts["envelope_from"] == "a@s.example"
