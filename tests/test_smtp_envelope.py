"""smtp.envelope: the deciding reply — code, enhanced code, text, stage — as the server said it."""

from __future__ import annotations

import pytest

from tests.servers.smtp import PASSWORD, USER, leaked
from tests.servers.smtp_fixtures import SmtpServers
from wizard.probes.base import ProbeResult
from wizard.probes.runner import ProbeFailed


async def envelope(servers: SmtpServers, mail_from: str, rcpt_to: str = "to@example.net", *,
                   port: int | None = None, **params: object) -> ProbeResult:
    params = {"username": USER, "password": PASSWORD, **params}
    params = {key: value for key, value in params.items() if value is not None}
    result = await servers.run("smtp.envelope", host="127.0.0.1",
                               port=port or servers.submission, mail_from=mail_from,
                               rcpt_to=rcpt_to, **params)
    assert leaked(result) == []
    return result


async def test_an_approved_sender_is_accepted_without_sending_a_message(
        smtp_servers: SmtpServers) -> None:
    before = len(smtp_servers.handler.received)
    result = await envelope(smtp_servers, "app@example.com", "a@example.net, b@example.net")
    assert result.outcome == "accepted"
    assert result.facts["rcpt_to"] == ["a@example.net", "b@example.net"]
    assert result.facts["authenticated"] is True
    assert result.facts["message_sent"] is False
    assert len(smtp_servers.handler.received) == before


async def test_send_data_delivers_a_test_message_whose_header_from_matches_the_envelope(
        smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "app@example.com", send_data=True)
    assert result.outcome == "accepted"
    assert result.facts["message_sent"] is True
    assert result.facts["stage"] == "data"
    assert result.facts["reply_code"] == 250
    message = smtp_servers.handler.received[-1].decode()
    assert "From: <app@example.com>" in message
    assert "To: <to@example.net>" in message
    assert "Subject: email-wizard delivery test" in message


async def test_a_suppression_reply_is_accepted_with_its_enhanced_code(
        smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "suppressed@example.com", send_data=True)
    assert result.outcome == "accepted"
    assert result.facts["reply_code"] == 254
    assert result.facts["enhanced_code"] == "4.7.1"
    assert "Suppression for user" in str(result.facts["reply_text"])


async def test_an_unapproved_sender_is_rejected_with_the_exact_reply(
        smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "unapproved@example.com")
    assert result.outcome == "rejected_sender"
    assert result.facts["stage"] == "mail"
    assert result.facts["reply_code"] == 535
    assert result.facts["enhanced_code"] is None
    assert result.facts["reply_text"] == (
        "Authorization failed: address unapproved@example.com not authorized")
    assert "unapproved@example.com" in result.summary


async def test_an_invalid_recipient_is_rejected(smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "app@example.com", "bad@example.net")
    assert result.outcome == "rejected_recipient"
    assert result.facts["stage"] == "rcpt"
    assert result.facts["reply_code"] == 553
    assert result.facts["reply_text"] == "<bad@example.net> Invalid email address"


@pytest.mark.parametrize(("sender", "code", "text"), [
    ("big@example.com", 552, "Exceeds byte limit"),
    ("unparsable@example.com", 554, "Message parse error"),
])
async def test_a_refused_message_is_rejected_data(smtp_servers: SmtpServers, sender: str,
                                                  code: int, text: str) -> None:
    result = await envelope(smtp_servers, sender, send_data=True)
    assert result.outcome == "rejected_data"
    assert result.facts["stage"] == "data"
    assert (result.facts["reply_code"], result.facts["reply_text"]) == (code, text)
    assert result.facts["message_sent"] is False


async def test_data_before_an_accepted_recipient_is_rejected_data(
        smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "app@example.com", send_data=True, tls="none",
                            username=None, password=None,
                            port=smtp_servers.scripted["no_rcpt_yet"])
    assert result.outcome == "rejected_data"
    assert result.facts["reply_code"] == 503
    assert result.facts["reply_text"] == "Need RCPT command"


@pytest.mark.parametrize(("sender", "stage", "code", "text"), [
    ("burst@example.com", "mail", 455,
     "Maximum messages sent per minute reached : limit is 10"),
    ("daily@example.com", "mail", 455, "Maximum messages sent per day reached : limit is 200"),
    ("busy@example.com", "mail", 421,
     "4.4.0 Problem attempting to execute commands. Please try again later"),
    ("glitch@example.com", "data", 451, "Error in Processing"),
])
async def test_a_4xx_reply_is_a_temporary_failure(smtp_servers: SmtpServers, sender: str,
                                                  stage: str, code: int, text: str) -> None:
    result = await envelope(smtp_servers, sender, send_data=True)
    assert result.outcome == "temporary_failure"
    assert result.facts["stage"] == stage
    assert (result.facts["reply_code"], result.facts["reply_text"]) == (code, text)


async def test_451_server_error_at_mail_is_a_temporary_failure(
        smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "app@example.com", tls="none", username=None,
                            password=None, port=smtp_servers.scripted["mail_server_error"])
    assert result.outcome == "temporary_failure"
    assert result.facts["reply_text"] == "Server error"


async def test_mail_without_auth_is_auth_required(smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "app@example.com", username=None, password=None)
    assert result.outcome == "auth_required"
    assert result.facts["reply_code"] == 530
    assert result.facts["enhanced_code"] == "5.7.0"
    assert result.facts["authenticated"] is False


async def test_535_authentication_required_at_mail_is_auth_required(
        smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "app@example.com", tls="none", username=None,
                            password=None, port=smtp_servers.scripted["mail_needs_auth"])
    assert result.outcome == "auth_required"
    assert result.facts["reply_text"] == "Authentication required"


async def test_wrong_credentials_stop_before_mail(smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "app@example.com", password="wrong-password")
    assert result.outcome == "auth_failed"
    assert result.facts["auth_outcome"] == "invalid_credentials"
    assert result.facts["stage"] == "auth"
    assert not any(line.startswith("C: MAIL") for line in result.evidence)


async def test_a_server_without_starttls_is_tls_failed(smtp_servers: SmtpServers) -> None:
    result = await envelope(smtp_servers, "app@example.com",
                            port=smtp_servers.scripted["plain"])
    assert result.outcome == "tls_failed"
    assert result.facts["tls_problem"] == "starttls_not_offered"


async def test_a_user_name_without_password_is_a_usage_error(smtp_servers: SmtpServers) -> None:
    with pytest.raises(ProbeFailed, match="username and password go together"):
        await smtp_servers.run("smtp.envelope", host="127.0.0.1", port=smtp_servers.submission,
                               mail_from="app@example.com", rcpt_to="to@example.net",
                               username=USER)


@pytest.mark.parametrize(("field", "value"), [("mail_from", "app\x01@example.com"),
                                              ("rcpt_to", "to\x7f@example.net")])
async def test_a_control_character_in_an_address_is_a_usage_error(
        smtp_servers: SmtpServers, field: str, value: str) -> None:
    params = {"mail_from": "app@example.com", "rcpt_to": "to@example.net", field: value}
    with pytest.raises(ProbeFailed, match=f"bad parameters: {field}"):
        await smtp_servers.run("smtp.envelope", host="127.0.0.1", port=smtp_servers.submission,
                               **params)
