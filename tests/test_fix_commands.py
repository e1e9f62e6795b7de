"""The command lines behind a walk (wizard.walk_commands): the ``email-wizard run`` that
reproduces it, secrets as placeholders, and the ``dig``/``swaks``/``openssl``/``postconf``
lines that check each finding by hand — on a real walk against the loopback Knot servers."""

from __future__ import annotations

import shlex

from tests.servers.dns_fixtures import DnsServers
from wizard.engine import ProbeRecord, Session, run_to_end
from wizard.fixes.vocabulary import Fix
from wizard.flow.loader import find_flow
from wizard.probes.runner import RegistryRunner
from wizard.settings import Settings
from wizard.walk_commands import (
    dig_command,
    fix_checks,
    postconf_command,
    probe_checks,
    run_command,
    smtp_commands,
    walk_commands,
)

PROVIDER_KEY = "sel1.keys.provider.test"


def test_the_run_line_gives_each_value_and_a_placeholder_for_a_secret() -> None:
    flow = find_flow("undelivered-mail")
    secret = next(name for name, spec in flow.inputs.items() if spec.type == "secret")
    session = Session.start(flow, {"host": "smtp.example.test", secret: "hunter2 pass"},
                            RegistryRunner(Settings().probe_context(with_oci=False)))
    line = run_command(session)
    assert "hunter2" not in line
    words = shlex.split(line)
    assert words[:3] == ["email-wizard", "run", "undelivered-mail"]
    assert "host=smtp.example.test" in words
    assert words[words.index(f"{secret}={secret.upper()}") - 1] == "--secret-env"


def test_the_run_line_quotes_values_and_names_the_settings() -> None:
    flow = find_flow("tcp-port")
    session = Session.start(flow, {"host": "a b;rm -rf ~"},
                            RegistryRunner(Settings().probe_context(with_oci=False)))
    settings = Settings(nameservers=("127.0.0.1:5353",), authoritative=True,
                        ca_file="/tmp/my ca.pem", timeout=3)
    words = shlex.split(run_command(session, settings))
    assert "host=a b;rm -rf ~" in words
    assert words[words.index("--nameserver") + 1] == "127.0.0.1:5353"
    assert "--authoritative" in words
    assert words[words.index("--ca-file") + 1] == "/tmp/my ca.pem"
    assert words[words.index("--timeout") + 1] == "3"


def test_the_hand_checks_for_records_servers_and_parameters() -> None:
    assert dig_command("sel1._domainkey.example.com.", "cname") == \
        "dig +short CNAME sel1._domainkey.example.com."
    assert dig_command("example.com", "TXT", ["127.0.0.1:5353"]) == \
        "dig @127.0.0.1 -p 5353 +short TXT example.com"
    assert smtp_commands("smtp.example.test", 587) == [
        "swaks --server smtp.example.test:587 --tls --quit-after AUTH",
        "openssl s_client -starttls smtp -connect smtp.example.test:587 "
        "-servername smtp.example.test"]
    assert smtp_commands("smtp.example.test", 465)[1] == \
        "openssl s_client -connect smtp.example.test:465 -servername smtp.example.test"
    assert postconf_command("smtp_tls_security_level", "/tmp/my postfix") == \
        "postconf -c '/tmp/my postfix' -n smtp_tls_security_level"
    fix = Fix.model_validate({
        "id": "f", "title": "t", "applies_to": "/srv/pf/main.cf", "actions": [
            {"type": "postconf", "op": "set", "param": "smtp_use_tls", "value": "yes"},
            {"type": "dns", "op": "add", "name": "x.example.", "rtype": "TXT", "value": "v"}]})
    assert fix_checks(fix, {}) == ["postconf -c /srv/pf -n smtp_use_tls",
                                   "dig +short TXT x.example."]
    record = ProbeRecord("tls", "smtp.tls", "untrusted", "", (), 1,
                         {"host": "relay.test", "port": 587})
    assert probe_checks(record)[0] == "swaks --server relay.test:587 --tls --quit-after AUTH"
    implicit = ProbeRecord("tls", "smtp.implicit_tls", "tls_ok", "", (), 1,
                           {"host": "relay.test", "port": 4650})
    assert probe_checks(implicit) == [
        "swaks --server relay.test:4650 --tlsc --quit-after AUTH",
        "openssl s_client -connect relay.test:4650 -servername relay.test"]


async def test_a_finished_dkim_walk_gives_its_run_line_and_the_dig_of_its_record(
        dns_servers: DnsServers) -> None:
    session = Session.start(find_flow("dkim-needs-attention"),
                            {"domain": "mail.dkimflow.test", "selector": "none",
                             "expected_cname": PROVIDER_KEY},
                            RegistryRunner(dns_servers.ctx()))
    await run_to_end(session)
    assert session.status == "problem"
    commands = walk_commands(session, Settings(nameservers=(str(dns_servers.resolver),)))
    words = shlex.split(commands.run)
    assert words[:3] == ["email-wizard", "run", "dkim-needs-attention"]
    assert {"domain=mail.dkimflow.test", "selector=none",
            f"expected_cname={PROVIDER_KEY}"} <= set(words)
    host, port = str(dns_servers.resolver).split(":")
    assert commands.checks[0] == (f"dig @{host} -p {port} +short CNAME "
                                  "none._domainkey.mail.dkimflow.test.")
    assert len(set(commands.checks)) == len(commands.checks)
    assert "# Check the findings by hand:" in commands.text()
