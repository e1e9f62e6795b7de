"""``smtp.submission``: is the server ready for authenticated submission over STARTTLS?

It is ``smtp.starttls`` carried one step further: after a TLS 1.2+ handshake
with a trusted certificate, the server must offer AUTH, or no client can log
in. It also tells a server that does not offer STARTTLS from a path where a
firewall's SMTP inspection has masked the keyword (a row of ``X`` in the
EHLO reply, e.g. ``XXXXXXXA``): the server offers it, something in between
removes it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from wizard.probes.base import FactValue, ProbeContext, ProbeResult, ProbeSpec, always
from wizard.probes.smtp_tls import STARTTLS_SPEC, StartTlsParams, run_starttls
from wizard.probes.support.smtp_secure import ehlo_facts
from wizard.probes.support.smtp_session import CONNECTION_OUTCOMES, connection_facts
from wizard.probes.support.tls_inspect import REASON_WORDS, tls_facts

MASKED_KEYWORD = re.compile(r"^X{4,}[A-Z]?$")
"""An EHLO keyword overwritten with X's by an inspecting firewall (STARTTLS → XXXXXXXA)."""


class SubmissionParams(StartTlsParams):
    """The submission server (port 587 or 25) and the name its certificate must carry."""


def _masked(extensions: FactValue) -> list[str]:
    if not isinstance(extensions, list):
        return []
    return [str(e) for e in extensions if MASKED_KEYWORD.match(str(e))]


async def run_submission(params: SubmissionParams, ctx: ProbeContext) -> ProbeResult:
    """STARTTLS with verification, then look at what EHLO offers after TLS."""
    result = await run_starttls(params, ctx)
    facts: dict[str, FactValue] = dict(result.facts)
    masked = _masked(facts.get("extensions_before_tls"))
    problem = facts.get("cert_problem")
    facts.update(masked_extensions=masked,
                 cert_problem_words=REASON_WORDS.get(str(problem), "") if problem else "")
    target = f"{params.host}:{params.port}"
    if result.outcome == "starttls_not_offered" and masked:
        return replace(result, outcome="starttls_stripped", facts=facts,
                       summary=f"{target}: STARTTLS is masked as {', '.join(masked)}: a firewall "
                               "between here and the server rewrites the EHLO reply")
    return after_tls(result, facts, target)


def after_tls(result: ProbeResult, facts: dict[str, FactValue], target: str) -> ProbeResult:
    """A TLS result (STARTTLS or implicit) turned into ready / auth_not_offered; others kept."""
    if result.outcome == "tls_ok":
        after = facts.get("auth_after_tls")
        mechanisms = [str(m) for m in after] if isinstance(after, list) else []
        if not mechanisms:
            return replace(result, outcome="auth_not_offered", facts=facts,
                           summary=f"{target}: {facts['tls_version']} is fine, but no AUTH is "
                                   "offered after STARTTLS: no client can log in")
        return replace(result, outcome="ready", facts=facts,
                       summary=f"{result.summary}; AUTH {' '.join(mechanisms)} "
                               "offered after TLS")
    return replace(result, facts=facts)


_STARTTLS = {k: v for k, v in STARTTLS_SPEC.outcomes.items()
             if k not in ("tls_ok", *CONNECTION_OUTCOMES)}

SPEC = ProbeSpec(
    name="smtp.submission",
    description="STARTTLS, TLS 1.2+, a trusted certificate and AUTH after TLS: ready to submit?",
    params=SubmissionParams,
    outcomes={
        "ready": "TLS 1.2 or later, a certificate trusted for the name, and AUTH offered "
                 "after TLS",
        "auth_not_offered": "TLS is fine but EHLO after STARTTLS offers no AUTH",
        "starttls_stripped": "STARTTLS is masked in the EHLO reply (e.g. XXXXXXXA): a firewall's "
                             "SMTP inspection removes it on the way",
        **_STARTTLS,
        **CONNECTION_OUTCOMES,
    },
    run=run_submission,
    facts={
        **connection_facts(), **ehlo_facts(), **tls_facts(),
        "masked_extensions": always("EHLO keywords that look overwritten with X's"),
        "cert_problem_words": always("the certificate problem in plain words (empty when none)"),
    },
)
