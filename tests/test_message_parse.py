"""message.parse reads real message files and reports what a provider would object to."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner
from wizard.providers.loader import load_provider

DKIM = (b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.test;\r\n"
        b" s=sel1; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
        b" b=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==\r\n")
GOOD = (b"Return-Path: <app@sender.test>\r\n" + DKIM
        + b"From: App <app@sender.test>\r\nTo: one@recipient.test\r\n"
        b"Cc: \"Two, Jr\" <two@recipient.test>\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n"
        b"Message-ID: <20240101.1234@sender.test>\r\n\r\nHello.\r\n")


OCI_LIMITS = load_provider("oci").limits


async def probe(path: Path | str, timeout: float = 5.0, **params: Any) -> ProbeResult:
    """Run message.parse through the registry as a flow would: limits from the OCI profile."""
    params.setdefault("max_header_kb", OCI_LIMITS.max_header_kb)
    params.setdefault("max_recipients", OCI_LIMITS.max_recipients)
    return await RegistryRunner(ProbeContext(timeout=timeout)).run(
        "message.parse", {"path": str(path), **params})


def write(tmp_path: Path, data: bytes, name: str = "message.eml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


async def test_a_good_message_is_parsed_with_its_addresses_and_dkim(tmp_path: Path) -> None:
    result = await probe(write(tmp_path, GOOD))
    assert result.outcome == "parsed"
    facts = result.facts
    assert facts["from_addresses"] == ["app@sender.test"]
    assert (facts["from_count"], facts["from_domain"]) == (1, "sender.test")
    assert facts["return_path"] == "app@sender.test"
    assert facts["return_path_matches_from"] is True
    assert facts["recipients"] == ["one@recipient.test", "two@recipient.test"]
    assert facts["recipient_counts"] == {"to": 1, "cc": 1, "bcc": 0}
    assert (facts["dkim_signed"], facts["dkim_domain"], facts["dkim_selector"]) == (
        True, "sender.test", "sel1")
    assert facts["message_id_valid"] is True
    assert facts["subject"] == "café"
    assert facts["header_bytes"] == GOOD.index(b"\r\n\r\n") + 2
    assert (facts["header_too_large"], facts["too_many_recipients"]) == (False, False)
    assert facts["non_ascii_header_names"] == []


async def test_several_from_addresses_are_counted(tmp_path: Path) -> None:
    message = b"From: a@sender.test, b@sender.test\nFrom: c@other.test\nTo: x@r.test\n\nx\n"
    result = await probe(write(tmp_path, message))
    assert result.outcome == "parsed"
    assert result.facts["from_count"] == 3
    assert result.facts["return_path_matches_from"] is None
    assert any("2 from fields" in defect for defect in result.facts["defects"])


async def test_an_envelope_sender_that_differs_from_the_header_from_is_reported(
        tmp_path: Path) -> None:
    message = b"Return-Path: <bounces@mailer.test>\nFrom: app@sender.test\nTo: x@r.test\n\nx\n"
    result = await probe(write(tmp_path, message))
    assert result.facts["return_path"] == "bounces@mailer.test"
    assert result.facts["return_path_matches_from"] is False


async def test_a_header_section_over_256_kb_exceeds_the_limit(tmp_path: Path) -> None:
    filler = b"".join(b"X-Filler-%06d: %s\n" % (i, b"y" * 70) for i in range(3500))
    message = b"From: a@sender.test\nTo: x@r.test\n" + filler + b"\nbody\n"
    result = await probe(write(tmp_path, message))
    assert result.outcome == "exceeds_limits"
    assert result.facts["header_bytes"] > 256 * 1024
    assert result.facts["header_too_large"] is True
    assert result.facts["too_many_recipients"] is False
    assert "header section" in result.summary


async def test_the_header_limit_comes_from_the_caller(tmp_path: Path) -> None:
    result = await probe(write(tmp_path, GOOD), max_header_bytes=100, max_header_kb=0)
    assert result.outcome == "exceeds_limits"
    assert result.facts["max_header_bytes"] == 100


async def test_51_recipients_across_to_cc_bcc_exceed_the_limit_of_50(tmp_path: Path) -> None:
    to = ", ".join(f"to{i}@r.test" for i in range(20)).encode()
    cc = ", ".join(f"cc{i}@r.test" for i in range(20)).encode()
    bcc = ", ".join(f"bcc{i}@r.test" for i in range(11)).encode()
    message = b"From: a@sender.test\nTo: " + to + b"\nCc: " + cc + b"\nBcc: " + bcc + b"\n\nx\n"
    result = await probe(write(tmp_path, message))
    assert result.outcome == "exceeds_limits"
    assert result.facts["recipient_count"] == 51
    assert result.facts["too_many_recipients"] is True
    assert "recipients" in result.summary


async def test_exactly_50_recipients_are_within_the_limit(tmp_path: Path) -> None:
    to = ", ".join(f"to{i}@r.test" for i in range(50)).encode()
    result = await probe(write(tmp_path, b"From: a@sender.test\nTo: " + to + b"\n\nx\n"))
    assert (result.outcome, result.facts["recipient_count"]) == ("parsed", 50)


async def test_a_non_ascii_header_name_is_named_and_later_fields_still_count(
        tmp_path: Path) -> None:
    message = ("To: x@r.test\nX-Priorité: haute\nFrom: a@sender.test\n"
               "Message-ID: <1@sender.test>\n\nx\n").encode()
    result = await probe(write(tmp_path, message))
    assert result.outcome == "parsed"
    assert result.facts["non_ascii_header_names"] == ["X-Priorité"]
    assert result.facts["from_address"] == "a@sender.test"
    assert result.facts["message_id_valid"] is True


async def test_a_malformed_message_id_is_not_valid(tmp_path: Path) -> None:
    message = b"From: a@sender.test\nTo: x@r.test\nMessage-ID: 12345 no brackets\n\nx\n"
    result = await probe(write(tmp_path, message))
    assert result.facts["message_id"] == "12345 no brackets"
    assert result.facts["message_id_valid"] is False


async def test_broken_headers_do_not_stop_the_parse(tmp_path: Path) -> None:
    message = (b"From: \"unclosed <a@sender.test\nTo: <<>>, ,@,\nSubject: caf\xe9 =?bogus?x?zz?=\n"
               b"Message-ID: <a@b@c>\n\nbody\n")
    result = await probe(write(tmp_path, message))
    assert result.outcome == "parsed"
    assert result.facts["message_id_valid"] is False
    assert "\ufffd" in str(result.facts["subject"])


async def test_a_message_arriving_through_a_pipe_is_parsed(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.eml"
    os.mkfifo(fifo)
    source = write(tmp_path, GOOD, "source.eml")
    writer = subprocess.Popen(["sh", "-c", f"cat '{source}' > '{fifo}'"])
    try:
        result = await probe(fifo)
    finally:
        writer.wait(timeout=30)
    assert result.outcome == "parsed"
    assert result.facts["dkim_selector"] == "sel1"


async def test_a_pipe_nobody_writes_to_times_out(tmp_path: Path) -> None:
    fifo = tmp_path / "silent.eml"
    os.mkfifo(fifo)
    result = await probe(fifo, timeout=0.5)
    assert result.outcome == "timeout"


async def test_an_image_is_binary(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    result = await probe(write(tmp_path, png, "picture.png"))
    assert result.outcome == "binary"


async def test_an_empty_file_is_not_a_message(tmp_path: Path) -> None:
    result = await probe(write(tmp_path, b""))
    assert result.outcome == "not_a_message"
    assert "empty" in result.summary


async def test_text_without_header_fields_is_not_a_message(tmp_path: Path) -> None:
    result = await probe(write(tmp_path, b"Dear team,\nplease find attached...\n"))
    assert result.outcome == "not_a_message"
    assert "no header fields" in result.summary


async def test_a_directory_is_unreadable(tmp_path: Path) -> None:
    result = await probe(tmp_path)
    assert result.outcome == "unreadable"
    assert "Is a directory" in str(result.facts["reason"])


async def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    result = await probe(tmp_path / "nowhere.eml")
    assert result.outcome == "unreadable"
    assert "No such file" in str(result.facts["reason"])


async def test_a_file_over_the_cap_is_too_large_without_being_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.eml"
    with huge.open("wb") as file:
        file.truncate(50 * 1024 * 1024 + 1)
    result = await probe(huge)
    assert result.outcome == "too_large"
    assert str(50 * 1024 * 1024 + 1) in str(result.facts["reason"])


async def test_an_endless_device_is_too_large(tmp_path: Path) -> None:
    result = await probe("/dev/zero", max_file_bytes=1024 * 1024)
    assert result.outcome == "too_large"


async def test_the_header_limit_can_be_given_in_kb_as_provider_profiles_do(
        tmp_path: Path) -> None:
    filler = b"".join(b"X-Filler-%04d: %s\n" % (i, b"y" * 90) for i in range(30))
    message = b"From: a@sender.test\nTo: x@r.test\n" + filler + b"\nbody\n"
    over = await probe(write(tmp_path, message), max_header_kb=2)
    assert over.outcome == "exceeds_limits"
    assert (over.facts["max_header_bytes"], over.facts["header_too_large"]) == (2048, True)
    within = await probe(write(tmp_path, message), max_header_kb=4, max_header_bytes=100)
    assert within.outcome == "parsed"
    assert within.facts["max_header_bytes"] == 4096


async def test_a_limit_of_0_means_none_documented(tmp_path: Path) -> None:
    many = ", ".join(f"r{i}@r.test" for i in range(80)).encode()
    message = b"From: a@sender.test\nTo: " + many + b"\n\nx\n"
    result = await probe(write(tmp_path, message), max_recipients=0, max_header_kb=0)
    assert result.outcome == "parsed"
    assert result.facts["too_many_recipients"] is False
    assert result.facts["max_header_bytes"] == 0 and result.facts["header_too_large"] is False
