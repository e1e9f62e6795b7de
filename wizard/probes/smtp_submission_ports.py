"""``smtp.submission_ports``: the submission checks on every open port of one server at once.

Each port gets the checks of ``smtp.submission`` — greeting, STARTTLS, TLS 1.2
or later, a trusted certificate, AUTH after TLS — or, when it is listed as an
implicit-TLS port (465 in the provider profiles), the same checks over TLS
from the first byte (``smtp.implicit_tls``, then AUTH). The ports run
concurrently, each within the run's timeout, so several ports take no longer
than the slowest one.

The outcome is ``ready`` when every port is ready; otherwise it is the
outcome of the first port (in the order given) that is not, and the SMTP
facts are that port's, so a flow explains the problem exactly as for one
port. ``report`` and ``results`` say what every port did.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import Field, field_validator

from wizard.probes import smtp_submission, smtp_tls
from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
)
from wizard.probes.smtp_submission import SubmissionParams
from wizard.probes.smtp_tls import ImplicitTlsParams
from wizard.probes.support.tls_inspect import REASON_WORDS

READY_WORDS = "ready"
"""How a ready port reads in ``report``."""


def _port_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class SubmissionPortsParams(TimedParams):
    """The server, the ports to check, and which of them speak TLS from the first byte."""

    host: str = Field(min_length=1, description="Host name or IP address of the SMTP server")
    ports: list[int] = Field(min_length=1, description="Ports to check: a list or a "
                             "comma-separated string such as 587,465")
    implicit_tls_ports: list[int] = Field(
        [], description="Ports that speak TLS from the first byte (465); "
        "a list or a comma-separated string, blanks ignored")
    tls_server_name: str | None = Field(
        default=None, min_length=1, description="Name the certificate must match (default: host)")

    @field_validator("ports", "implicit_tls_ports", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _port_list(value)

    @field_validator("ports", "implicit_tls_ports")
    @classmethod
    def _in_range(cls, value: list[int]) -> list[int]:
        for port in value:
            if not 1 <= port <= 65535:
                raise ValueError(f"port {port} is out of range (1-65535)")
        return list(dict.fromkeys(value))


async def _implicit(params: ImplicitTlsParams, ctx: ProbeContext) -> ProbeResult:
    """Implicit TLS, then the same AUTH rule as ``smtp.submission`` applies after STARTTLS."""
    result = await smtp_tls.run_implicit_tls(params, ctx)
    facts: dict[str, FactValue] = dict(result.facts)
    problem = facts.get("cert_problem")
    facts.update(masked_extensions=[],
                 cert_problem_words=REASON_WORDS.get(str(problem), "") if problem else "")
    return smtp_submission.after_tls(result, facts, f"{params.host}:{params.port}")


async def _check(params: SubmissionPortsParams, port: int,
                 ctx: ProbeContext) -> tuple[str, ProbeResult]:
    common: dict[str, Any] = {"host": params.host, "port": port,
                              "tls_server_name": params.tls_server_name,
                              "timeout": params.timeout}
    if port in params.implicit_tls_ports:
        return "implicit TLS", await _implicit(ImplicitTlsParams(**common), ctx)
    return "STARTTLS", await smtp_submission.run_submission(SubmissionParams(**common), ctx)


def _line(port: int, mode: str, result: ProbeResult) -> str:
    if result.outcome == "ready":
        after = result.facts.get("auth_after_tls")
        mechanisms = " ".join(str(m) for m in after) if isinstance(after, list) else ""
        return f"{port} ({mode}) {READY_WORDS}: {result.facts.get('tls_version')}, AUTH " \
               f"{mechanisms}"
    return f"{port} ({mode}) {result.outcome}"


async def run_submission_ports(params: SubmissionPortsParams, ctx: ProbeContext) -> ProbeResult:
    """Check every port concurrently; the first port that is not ready decides the outcome."""
    checked = await asyncio.gather(*(_check(params, port, ctx) for port in params.ports))
    ready = [port for port, (_, r) in zip(params.ports, checked, strict=True)
             if r.outcome == "ready"]
    lines = [_line(port, mode, r) for port, (mode, r) in zip(params.ports, checked, strict=True)]
    evidence: list[str] = []
    for port, (mode, r) in zip(params.ports, checked, strict=True):
        evidence += [f"-- port {port} ({mode}): {r.summary}", *r.evidence]
    failing = [(port, mode, r) for port, (mode, r) in zip(params.ports, checked, strict=True)
               if r.outcome != "ready"]
    port, mode, decisive = failing[0] if failing else (params.ports[0], *checked[0])
    facts: dict[str, FactValue] = dict(decisive.facts)
    facts.update(
        ports=list(params.ports), ports_text=", ".join(str(p) for p in params.ports),
        implicit_tls_ports=[p for p in params.ports if p in params.implicit_tls_ports],
        tls_mode=mode, ready_ports=ready, ready_ports_text=", ".join(str(p) for p in ready),
        report="; ".join(lines),
        results=[{"port": p, "tls_mode": m, "outcome": r.outcome, "summary": r.summary}
                 for p, (m, r) in zip(params.ports, checked, strict=True)],
    )
    others = [line for p, line in zip(params.ports, lines, strict=True) if p != port]
    summary = decisive.summary + (f" (other ports: {'; '.join(others)})" if others else "")
    return ProbeResult(decisive.outcome, summary, tuple(evidence), facts)


SPEC = ProbeSpec(
    name="smtp.submission_ports",
    description="smtp.submission on several ports at once, implicit TLS where listed (465)",
    params=SubmissionPortsParams,
    outcomes={
        "ready": "every port is ready: TLS 1.2 or later, a certificate trusted for the name, "
                 "and AUTH offered over TLS",
        **{k: f"the first port that is not ready: {v}"
           for k, v in smtp_submission.SPEC.outcomes.items() if k != "ready"},
    },
    run=run_submission_ports,
    facts={
        **smtp_submission.SPEC.facts,
        "port": always("the port the SMTP facts are about: the first one not ready (or the "
                       "first port when every port is ready)"),
        "ports": always("the ports checked, in order"),
        "ports_text": always("the ports checked, comma-separated"),
        "implicit_tls_ports": always("the ports checked with TLS from the first byte"),
        "tls_mode": always("how the port of the SMTP facts was checked: STARTTLS or "
                           "implicit TLS"),
        "ready_ports": always("the ports that are ready"),
        "ready_ports_text": always("the ports that are ready, comma-separated"),
        "report": always("one line: each port, how it was checked, and its outcome"),
        "results": always("per port: port, tls_mode, outcome, summary"),
    },
)
