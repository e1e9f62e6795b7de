"""catalog.explain: a pasted error (and queued messages' reasons) branch by what they are about."""

from __future__ import annotations

from typing import Any

import pytest

from wizard.catalog import load_error_catalog
from wizard.catalog.model import TOPICS
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.catalog_explain import CAPTURES, SPEC, topic_outcome
from wizard.probes.runner import RegistryRunner


async def explain(text: str = "", **params: Any) -> ProbeResult:
    """Run catalog.explain through the registry, as a flow would."""
    return await RegistryRunner(ProbeContext(timeout=5)).run(
        "catalog.explain", {"text": text, **params})


@pytest.mark.parametrize(("text", "outcome", "entry", "captured"), [
    ("254 4.7.1 Suppression for user ocid1.user.oc1..aaaa to <to@example.net>", "suppressed",
     "smtp-254-suppressed", {"address": "to@example.net", "user": "ocid1.user.oc1..aaaa"}),
    ("535 Authorization failed: address app@example.com not authorized",
     "sender_not_approved", "smtp-535-address-not-authorized", {"address": "app@example.com"}),
    ("SMTPAuthenticationError: (535, b'Authentication credentials invalid')", "auth_failed",
     "python-authentication-error", {}),
    ("javax.mail.MessagingException: Could not connect to SMTP host: smtp.example.net, "
     "port: 587", "tls_or_connection", "java-could-not-connect",
     {"host": "smtp.example.net", "port": "587"}),
    ("455 Maximum messages sent per minute reached : limit is 10", "rate_limited",
     "smtp-455-minute-limit", {"limit": "10"}),
    ("552 Exceeds byte limit", "message_rejected", "smtp-552-byte-limit", {}),
    ("421 Timeout waiting for data from client", "tls_or_connection", "smtp-421-data-timeout",
     {}),
    ('{"code": "MissingParameter", "message": "Required attribute subject can\'t be empty or '
     'null."} status 400', "https_request", "https-400-subject-missing", {}),
    ("451 Server error", "service_error", "smtp-451-server-error", {}),
    ("503 Need RCPT command", "other_match", "smtp-503-need-rcpt", {}),
])
async def test_each_topic_is_an_outcome_with_the_entry_and_its_captures_flat(
        text: str, outcome: str, entry: str, captured: dict[str, str]) -> None:
    result = await explain(text)
    assert result.outcome == outcome
    facts = result.facts
    assert facts["entry_id"] == entry
    for name in CAPTURES:
        assert facts[name] == captured.get(name, "")
    assert facts["meaning"] and facts["fix_title"] and facts["retry_advice"]
    assert facts["match_count"] >= 1 and facts["topics"][0] == facts["topic"]


async def test_the_facts_carry_codes_retry_and_a_headline_with_the_real_address() -> None:
    result = await explain("550 whatever\n254 4.7.1 Suppression for user ocid1.user.oc1..u "
                           "to <gone@example.net>")
    facts = result.facts
    assert (facts["code"], facts["enhanced_code"], facts["protocol"]) == (254, "4.7.1", "smtp")
    assert (facts["retry_kind"], facts["retry_helps"]) == ("transient", True)
    assert "gone@example.net" in facts["headline"] and "<recpt>" not in facts["headline"]
    assert facts["flow"] == "undelivered-mail"


async def test_an_unknown_reply_is_explained_generically() -> None:
    result = await explain("550 5.1.1 <x@example.net>: Recipient address rejected")
    assert result.outcome == "generic_only"
    assert result.facts["entry_id"] == "" and result.facts["address"] == ""
    assert result.facts["generic"].startswith("550: ")
    assert "5.1.1" in result.facts["headline"]


async def test_text_without_a_reply_code_is_not_recognized() -> None:
    result = await explain("my mail just vanishes, please help")
    assert result.outcome == "not_recognized"


async def test_nothing_to_explain_is_no_text() -> None:
    assert (await explain("   \n")).outcome == "no_text"
    assert (await explain("", queue=[{"queue_id": "A1", "reason": ""}])).outcome == "no_text"


async def test_each_queued_reason_is_explained_with_its_recipient() -> None:
    queue = [
        {"queue_id": "A1", "recipient": "one@example.net",
         "reason": "connect to 127.0.0.1[127.0.0.1]:2525: Connection refused"},
        {"queue_id": "B2", "recipient": "two@example.net",
         "reason": "host 127.0.0.1[127.0.0.1] refused to talk to me: 421 Too many "
                   "connections, try again later"},
    ]
    result = await explain("", queue=queue)
    assert result.outcome == "tls_or_connection"
    items = result.facts["items"]
    assert [(i["queue_id"], i["recipient"], i["entry_id"]) for i in items] == [
        ("A1", "one@example.net", "postfix-connect-failed"),
        ("B2", "two@example.net", "smtp-421-too-many-connections")]
    assert items[0]["meaning"].startswith("Postfix could not open a connection to the relay")
    assert "two@example.net (B2)" in result.facts["items_text"]


async def test_the_pasted_text_comes_before_the_queue() -> None:
    queue = [{"queue_id": "B2", "recipient": "two@example.net",
              "reason": "said: 421 Too many connections, try again later"}]
    result = await explain("535 Authentication credentials invalid", queue=queue)
    assert result.outcome == "auth_failed"
    assert result.facts["topics"] == ["auth_failed", "rate_limited"]


async def test_an_unknown_catalog_is_reported() -> None:
    result = await explain("451 Server error", catalog="no-such-catalog.yaml")
    assert result.outcome == "unknown_catalog"


async def test_a_run_that_cannot_finish_in_time_is_a_timeout() -> None:
    result = await explain("451 Server error " * 2000, timeout=1e-9)
    assert result.outcome == "timeout"


def test_every_catalog_topic_has_its_outcome_and_the_captures_are_the_catalogs() -> None:
    catalog = load_error_catalog()
    assert set(CAPTURES) == {name for name, spec in catalog.catalog.captures.items()
                             if spec.shape != "endpoint"}
    assert {topic_outcome(t) for t in TOPICS} <= set(SPEC.outcomes)
    assert {e.topic for e in catalog.catalog.entries} == set(TOPICS)


@pytest.mark.parametrize("address", ["x@x.com&reboot", "x@x.com|bash", "a$HOME@x.com"])
async def test_a_captured_value_never_reaches_a_command_unless_it_is_shell_safe(
        address: str) -> None:
    """A reply (or a deferred reason in the Postfix queue, written by a remote server) can
    carry an address with shell metacharacters: the fix's command keeps the <address>
    placeholder instead of pasting it; the words around it still name the address."""
    result = await explain(f"254 4.7.1 Suppression for user ocid1.user.oc1..aaaa to {address}")
    fix = result.facts["catalog_fix"]
    assert isinstance(fix, dict)
    assert result.facts["address"] == address
    commands = [a["command"] for a in fix["actions"] if a.get("command")]
    assert [c for c in commands if "--email-address" in c] == [
        "oci email suppression list --compartment-id <tenancy-ocid> --email-address <address>"]
    assert not any(address in c for c in commands)
    assert address in fix["title"]


async def test_a_shell_safe_capture_is_written_into_the_command() -> None:
    result = await explain("254 4.7.1 Suppression for user ocid1.user.oc1..aaaa to "
                           "<gone@example.net>")
    fix = result.facts["catalog_fix"]
    assert isinstance(fix, dict)
    assert any("--email-address gone@example.net" in a.get("command", "")
               for a in fix["actions"])
