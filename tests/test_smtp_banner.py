"""smtp.banner: the greeting, and what EHLO offers before any TLS."""

from __future__ import annotations

from tests.servers.smtp_fixtures import SmtpServers


async def test_a_submission_server_greets_and_offers_starttls_but_no_auth_yet(
        smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.banner", host="mail.test",
                                    port=smtp_servers.submission)
    assert result.outcome == "greeting"
    facts = result.facts
    assert facts["greeting_code"] == 220
    assert facts["greeting_text"] == "mail.test Python SMTP 1.4.6"
    assert facts["starttls_offered"] is True
    assert facts["auth_mechanisms"] == []
    assert facts["size_limit"] == 33554432
    assert facts["smtputf8"] is True and facts["eightbitmime"] is True
    assert "S: 220 mail.test Python SMTP 1.4.6" in result.evidence
    assert "220 mail.test Python SMTP 1.4.6" in result.summary


async def test_a_plain_text_server_shows_its_auth_mechanisms(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.banner", host="127.0.0.1",
                                    port=smtp_servers.scripted["plain"])
    assert result.outcome == "greeting"
    assert result.facts["starttls_offered"] is False
    assert result.facts["auth_mechanisms"] == ["PLAIN", "LOGIN"]
    assert result.facts["extensions"] == ["8BITMIME", "AUTH", "SIZE", "SMTPUTF8"]
