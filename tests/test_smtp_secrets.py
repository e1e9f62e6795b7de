"""The canary password never leaves an SMTP probe: not in a result, not in a log line."""

from __future__ import annotations

import base64
import logging

import pytest

from tests.servers.smtp import PASSWORD, USER, leaked, secret_forms
from tests.servers.smtp_fixtures import SmtpServers

SERVER_LOGGERS = ("mail.log",)
"""aiosmtpd's own logger belongs to the test server, not to the wizard."""


async def test_no_result_and_no_log_line_contains_the_password(
        smtp_servers: SmtpServers, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    creds = {"username": USER, "password": PASSWORD}
    envelope = {**creds, "mail_from": "app@example.com", "rcpt_to": "to@example.net"}
    plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    runs = [
        ("smtp.auth", {"port": smtp_servers.submission, **creds}),
        ("smtp.auth", {"port": smtp_servers.submission, **creds, "mechanism": "LOGIN"}),
        ("smtp.auth", {"port": smtp_servers.scripted["echoes_credentials"], **creds,
                       "tls": "none"}),
        ("smtp.auth", {"port": smtp_servers.scripted["echoes_credentials"], **creds,
                       "tls": "none", "mechanism": "LOGIN"}),
        ("smtp.auth", {"port": smtp_servers.starttls_variants["unknown_ca"], **creds}),
        ("smtp.auth", {"port": smtp_servers.scripted["silent"], **creds}),
        ("smtp.envelope", {"port": smtp_servers.submission, **envelope, "send_data": True}),
        ("smtp.envelope", {"port": smtp_servers.submission, **envelope,
                           "mail_from": "unapproved@example.com"}),
        ("smtp.envelope", {"port": smtp_servers.scripted["echoes_credentials"], **envelope,
                           "tls": "none"}),
        ("smtp.auth_plain_lint", {**creds, "auth_string": plain}),
        ("smtp.auth_plain_lint", {**creds, "auth_string": plain + "Cg=="}),
    ]
    outcomes = []
    for probe, params in runs:
        if probe != "smtp.auth_plain_lint":
            params = {"host": "127.0.0.1", **params}
        ctx = smtp_servers.ctx(timeout=1.0)
        result = await smtp_servers.run(probe, ctx, **params)
        outcomes.append(result.outcome)
        assert leaked(result) == [], (probe, result.outcome)
    assert outcomes[:4] == ["ok", "ok", "invalid_credentials", "invalid_credentials"]
    ours = [record for record in caplog.records if not record.name.startswith(SERVER_LOGGERS)]
    for record in ours:
        text = record.getMessage() + str(record.exc_info or "")
        assert not [form for form in secret_forms() if form in text], record.name
