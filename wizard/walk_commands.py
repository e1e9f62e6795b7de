"""The command lines behind a walk: the ``email-wizard run`` that reproduces it, and what a
person would type to check each finding by hand (``dig``, ``swaks``, ``openssl s_client``,
``postconf``).

Plain Python — no Textual. Every line is shell-quoted with :func:`shlex.quote`. A secret's
value never appears: a secret input is a ``--secret-env NAME=VAR`` placeholder.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from wizard.engine import ProbeRecord, Session
from wizard.fixes.vocabulary import DnsAction, Fix, PostconfAction
from wizard.flow.model import AskStep
from wizard.settings import Settings

PROGRAM = "email-wizard"
POSTFIX_DIR = "/etc/postfix"
IMPLICIT_TLS_PORTS = frozenset({465})


@dataclass(frozen=True)
class WalkCommands:
    """What "Copy as command" shows: the run line, then the checks by hand."""

    run: str
    checks: tuple[str, ...]

    def text(self) -> str:
        """The lines as a person copies them, with a comment before each part."""
        lines = ["# Run this walk again from the command line:", self.run]
        if self.checks:
            lines += ["", "# Check the findings by hand:", *self.checks]
        return "\n".join(lines) + "\n"


def _env_name(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).upper()


def _answered(session: Session) -> dict[str, AskStep]:
    """The questions the walk asked (by the variable they set)."""
    asked = {entry.step for entry in session.trail if entry.kind == "ask"}
    return {step.var: step for step_id, step in session.flow.steps.items()
            if isinstance(step, AskStep) and step_id in asked}


def run_command(session: Session, settings: Settings | None = None) -> str:
    """``email-wizard run FLOW --set name=value …`` that walks ``session`` again.

    Inputs left at their default (or empty) are left out; secrets become
    ``--secret-env NAME=VAR`` (set ``VAR`` in the environment first). The settings
    that change what the probes see (DNS servers, authoritative mode, CA file,
    timeout) are given as flags, so the line works without the settings file.
    """
    words = [PROGRAM, "run", session.flow.id]
    asked = _answered(session)
    names = [*session.flow.inputs, *(var for var in asked if var not in session.flow.inputs)]
    for name in names:
        value = session.values.get(name)
        spec = session.flow.inputs.get(name)
        if value is None or value == "":
            continue
        if spec is not None and name not in asked and spec.default is not None \
                and str(value) == str(spec.default):
            continue
        secret = (spec is not None and spec.type == "secret") or (
            name in asked and asked[name].type == "secret")
        if secret:
            words += ["--secret-env", f"{name}={_env_name(name)}"]
        else:
            words += ["--set", f"{name}={value}"]
    if settings is not None:
        for server in settings.nameservers:
            words += ["--nameserver", server]
        if settings.authoritative:
            words.append("--authoritative")
        if settings.ca_file:
            words += ["--ca-file", settings.ca_file]
        if settings.timeout != Settings().timeout:
            words += ["--timeout", f"{settings.timeout:g}"]
    return shlex.join(words)


def dig_command(name: str, rtype: str, nameservers: Iterable[str] = ()) -> str:
    """``dig +short RTYPE name`` (at the run's first DNS server, if it has one)."""
    words = ["dig"]
    for server in list(nameservers)[:1]:
        host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        words.append(f"@{host or server}")
        if port:
            words += ["-p", port]
    words += ["+short", rtype.upper(), name]
    return shlex.join(words)


def smtp_commands(host: str, port: int, implicit: bool | None = None) -> list[str]:
    """The ``swaks`` and ``openssl s_client`` lines that check an SMTP server's TLS
    (implicit TLS when ``implicit``; unsaid, on port 465)."""
    target = f"{host}:{port}"
    if implicit or (implicit is None and port in IMPLICIT_TLS_PORTS):
        return [shlex.join(["swaks", "--server", target, "--tlsc", "--quit-after", "AUTH"]),
                shlex.join(["openssl", "s_client", "-connect", target, "-servername", host])]
    return [shlex.join(["swaks", "--server", target, "--tls", "--quit-after", "AUTH"]),
            shlex.join(["openssl", "s_client", "-starttls", "smtp", "-connect", target,
                        "-servername", host])]


def postconf_command(param: str, directory: str = POSTFIX_DIR) -> str:
    """``postconf -c DIR -n param``: the parameter as the configuration sets it."""
    return shlex.join(["postconf", "-c", directory, "-n", param])


def _postfix_dir(fix: Fix, values: Mapping[str, Any]) -> str:
    if fix.applies_to:
        return str(PurePosixPath(fix.applies_to).parent)
    for name in ("config_directory", "postfix_config_directory"):
        if values.get(name):
            return str(values[name])
    return POSTFIX_DIR


def fix_checks(fix: Fix, values: Mapping[str, Any], nameservers: Iterable[str] = ()) -> list[str]:
    """A line per DNS record and per Postfix parameter ``fix`` changes."""
    servers = list(nameservers)
    lines: list[str] = []
    for action in fix.actions:
        if isinstance(action, DnsAction):
            lines.append(dig_command(action.name, action.rtype, servers))
        elif isinstance(action, PostconfAction):
            lines.append(postconf_command(action.param, _postfix_dir(fix, values)))
    return lines


def probe_checks(record: ProbeRecord, nameservers: Iterable[str] = ()) -> list[str]:
    """The lines that check by hand what a DNS or SMTP probe saw (from its facts)."""
    facts = record.facts
    if record.probe.startswith("dns.") or record.probe in ("dkim.check", "spf.check",
                                                          "dmarc.check"):
        name, rtype = facts.get("name"), facts.get("rtype")
        if isinstance(name, str) and name and isinstance(rtype, str) and rtype:
            return [dig_command(name, rtype, nameservers)]
        return []
    if record.probe.startswith(("smtp.", "tls.")):
        host, port = facts.get("host"), facts.get("port")
        if isinstance(host, str) and host and isinstance(port, int) and port > 0:
            return smtp_commands(host, port, implicit=record.probe == "smtp.implicit_tls"
                                 or None)
    return []


def walk_commands(session: Session, settings: Settings | None = None) -> WalkCommands:
    """The run line and, for each finding, the lines that check it by hand (no repeats).

    First what each fix changes (its records and parameters), then what the probes
    looked at on the way (the DNS names they asked for, the SMTP servers they spoke to).
    """
    servers = settings.nameservers if settings is not None else ()
    checks: list[str] = []
    for diagnosis in session.diagnoses():
        for fix in diagnosis.fixes:
            checks += fix_checks(fix, session.values, servers)
    for fix in session.fixes:
        checks += fix_checks(fix, session.values, servers)
    for entry in session.trail:
        for record in entry.probes:
            checks += probe_checks(record, servers)
    return WalkCommands(run_command(session, settings), tuple(dict.fromkeys(checks)))
