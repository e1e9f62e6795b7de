"""The one explicit table of probes: name → :class:`~wizard.probes.base.ProbeSpec`.

No import-time magic: a probe exists when its spec is listed here. The flow
loader checks every ``probe:`` name and outcome against this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wizard.probes import (
    catalog_explain,
    dkim_misplaced,
    dkim_record,
    dmarc_check,
    dns_authority,
    dns_query,
    dns_zone_apex,
    mail_identity,
    message_parse,
    mx_lookup,
    oci_email,
    postfix_config,
    postfix_queue,
    postfix_relayhost,
    provider_profile,
    smtp_auth,
    smtp_auth_plain_lint,
    smtp_banner,
    smtp_envelope,
    smtp_submission,
    smtp_submission_ports,
    smtp_tls,
    spf_check,
    tcp_connect,
    tcp_ports,
)
from wizard.probes.base import ProbeSpec


def _table(specs: Iterable[ProbeSpec[Any]]) -> dict[str, ProbeSpec[Any]]:
    table: dict[str, ProbeSpec[Any]] = {}
    for spec in specs:
        if spec.name in table:
            raise ValueError(f"probe {spec.name} registered twice")
        table[spec.name] = spec
    return table


PROBES: Mapping[str, ProbeSpec[Any]] = _table(
    [
        tcp_connect.SPEC,
        tcp_ports.SPEC,
        provider_profile.SPEC,
        smtp_banner.SPEC,
        smtp_tls.STARTTLS_SPEC,
        smtp_tls.IMPLICIT_TLS_SPEC,
        smtp_auth.SPEC,
        smtp_envelope.SPEC,
        smtp_submission.SPEC,
        smtp_submission_ports.SPEC,
        smtp_auth_plain_lint.SPEC,
        dns_query.SPEC,
        dns_zone_apex.SPEC,
        dns_authority.SPEC,
        dkim_record.SPEC,
        dkim_misplaced.SPEC,
        spf_check.SPEC,
        dmarc_check.SPEC,
        mx_lookup.SPEC,
        postfix_config.SPEC,
        postfix_relayhost.SPEC,
        postfix_queue.SPEC,
        message_parse.SPEC,
        catalog_explain.SPEC,
        mail_identity.SPEC,
        *oci_email.SPECS,
    ]
)
