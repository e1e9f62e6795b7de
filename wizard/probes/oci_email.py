"""``oci.*``: what OCI Email Delivery itself says, read through the official ``oci`` SDK.

Five read-only probes: the compartment's email configuration (submission endpoints), an
email domain by name, the domain's DKIM key (state, details, the CNAME it expects), an
approved sender, and a recipient on the suppression list. Every one shares the failure
outcomes of :data:`FAILURES`, each with a ``fix`` fact a user can act on; without the SDK
or an OCI config they answer ``not_configured`` / ``sdk_missing`` at once, so a flow can
carry on as it did before the API existed. The SDK is imported only when a probe runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import Field

from wizard.probes.base import (
    Deadline,
    FactSpec,
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
    on,
)

T = TypeVar("T")

FAILURES: Mapping[str, str] = {
    "not_configured": "no OCI config or profile to use: the API was not asked",
    "sdk_missing": "the oci SDK (the email-wizard[oci] extra) is not installed",
    "config_error": "the OCI config, profile, key file or passphrase cannot be used",
    "not_authenticated": "401: wrong key or fingerprint, or the clock is off",
    "not_authorized": "404: no policy allows this user to read it, or it does not exist",
    "throttled": "429: too many requests",
    "service_error": "the API failed (5xx or an unexpected error)",
    "unreachable": "the endpoint cannot be reached",
    "tls_failed": "the endpoint's TLS certificate is not trusted",
    "timeout": "the API did not answer in time",
}
"""The ways any API read can end without an answer."""

ENABLE_HINT = ("Install the extra (pip install 'email-wizard[oci]') and give an OCI profile "
               "(--oci-profile, ~/.oci/config) to have the wizard read this from the provider.")


class OciParams(TimedParams):
    """Parameters every API probe takes."""

    compartment: str = Field("", description="Compartment OCID (default: the profile's "
                             "tenancy)")


def _common_facts() -> dict[str, FactSpec]:
    return {
        "fix": always("What to do when the API could not answer (empty otherwise)"),
        "compartment": always("The compartment OCID asked"),
    }


async def _read(params: OciParams, ctx: ProbeContext, what: str, would_add: str,
                read: Callable[[Any, str, Deadline], Any]) -> ProbeResult:
    """Open the API and run ``read(api, compartment, deadline)``; failures become outcomes."""
    from wizard.ociapi.client import SDK_MISSING_FIX, ApiFailure, open_api, sdk_available

    settings = ctx.oci
    if settings is None or not settings.enabled:
        hint = f"{ENABLE_HINT} It would add: {would_add}."
        return ProbeResult("not_configured", f"{what}: not read from OCI (no OCI profile)",
                           (hint,), {"fix": hint, "compartment": params.compartment})
    if not await asyncio.to_thread(sdk_available):  # a first import takes seconds
        hint = f"{SDK_MISSING_FIX} It would add: {would_add}."
        return ProbeResult("sdk_missing", f"{what}: not read (the oci SDK is not installed)",
                           (hint,), {"fix": hint, "compartment": params.compartment})
    deadline = ctx.deadline(params)
    try:
        api = open_api(settings, ca_file=ctx.ca_file, timeout=deadline.remaining())
        compartment = params.compartment or api.compartment
        result: ProbeResult = await read(api, compartment, deadline)
    except ApiFailure as failure:
        return ProbeResult(failure.outcome, failure.summary, failure.evidence,
                           {"fix": failure.fix, "compartment": params.compartment})
    return ProbeResult(result.outcome, result.summary, result.evidence,
                       {"fix": "", "compartment": compartment, **result.facts})


async def _call(deadline: Deadline, what: str, fn: Callable[[], T]) -> T:
    from wizard.ociapi.client import call_bounded

    return await call_bounded(max(deadline.remaining(), 0.01), what, fn)


# --- email configuration ---------------------------------------------------------------------


async def run_configuration(params: OciParams, ctx: ProbeContext) -> ProbeResult:
    """The compartment's email configuration: the SMTP and HTTPS submission endpoints."""

    async def read(api: Any, compartment: str, deadline: Deadline) -> ProbeResult:
        config = await _call(deadline, "get email configuration",
                             lambda: api.control.get_email_configuration(compartment).data)
        smtp, https = config.smtp_submit_endpoint or "", config.http_submit_endpoint or ""
        return ProbeResult("found", f"OCI says: SMTP endpoint {smtp}, HTTPS endpoint {https}",
                           (f"smtpSubmitEndpoint: {smtp}", f"httpSubmitEndpoint: {https}"),
                           {"smtp_endpoint": smtp, "https_endpoint": https})

    return await _read(params, ctx, "email configuration", "the exact SMTP and HTTPS "
                       "submission endpoints of your compartment", read)


CONFIGURATION_SPEC = ProbeSpec(
    name="oci.email_configuration",
    description="The compartment's email configuration from the OCI API: submission endpoints",
    params=OciParams,
    outcomes={"found": "the API gave the SMTP and HTTPS submission endpoints", **FAILURES},
    run=run_configuration,
    facts={**_common_facts(),
           "smtp_endpoint": on("SMTP submission host", "found"),
           "https_endpoint": on("HTTPS submission endpoint URL", "found")},
)


# --- email domain ----------------------------------------------------------------------------


class DomainParams(OciParams):
    """Which email domain."""

    domain: str = Field(description="The email domain's name, e.g. example.com")


async def _find_domain(api: Any, compartment: str, name: str, deadline: Deadline) -> Any:
    listing = await _call(deadline, "list email domains",
                          lambda: api.control.list_email_domains(compartment,
                                                                 name=name).data)
    matches = [d for d in listing.items if d.name.lower() == name.lower()
               and d.lifecycle_state not in ("DELETED", "DELETING")]
    if not matches:
        return None
    return await _call(deadline, "get email domain",
                       lambda: api.control.get_email_domain(matches[0].id).data)


def _domain_facts(domain: Any) -> dict[str, FactValue]:
    return {"domain_id": domain.id, "state": domain.lifecycle_state or "",
            "active_dkim_id": domain.active_dkim_id or "", "is_spf": bool(domain.is_spf)}


async def run_domain(params: DomainParams, ctx: ProbeContext) -> ProbeResult:
    """The email domain by name: its state, active DKIM and whether SPF is seen."""

    async def read(api: Any, compartment: str, deadline: Deadline) -> ProbeResult:
        domain = await _find_domain(api, compartment, params.domain, deadline)
        if domain is None:
            return ProbeResult("not_found", f"{params.domain} is not an email domain in "
                               f"compartment {compartment}", (),
                               {"domain_id": "", "state": "", "active_dkim_id": "",
                                "is_spf": False})
        facts = _domain_facts(domain)
        return ProbeResult("found", f"email domain {domain.name}: {facts['state']}, SPF "
                           f"{'seen' if domain.is_spf else 'not seen'}, active DKIM "
                           f"{facts['active_dkim_id'] or 'none'}",
                           (f"id: {domain.id}", f"lifecycleState: {facts['state']}"), facts)

    return await _read(params, ctx, f"email domain {params.domain}", "the email domain's "
                       "state, its active DKIM key and whether the provider sees SPF", read)


DOMAIN_SPEC = ProbeSpec(
    name="oci.email_domain",
    description="An email domain by name from the OCI API: state, active DKIM, SPF flag",
    params=DomainParams,
    outcomes={"found": "the email domain exists in the compartment",
              "not_found": "no email domain of that name in the compartment", **FAILURES},
    run=run_domain,
    facts={**_common_facts(),
           "domain_id": on("Email domain OCID", "found", "not_found"),
           "state": on("lifecycleState of the domain", "found", "not_found"),
           "active_dkim_id": on("OCID of the active DKIM (empty: none)", "found", "not_found"),
           "is_spf": on("True when the provider sees its SPF include", "found", "not_found")},
)


# --- DKIM ------------------------------------------------------------------------------------


class DkimParams(DomainParams):
    """Which DKIM key: by selector, else the domain's active one, else the newest."""

    selector: str = Field("", description="DKIM selector (empty: the API's active key)")


_DKIM_EMPTY: dict[str, FactValue] = {
    "state": "", "details": "", "expected_cname": "", "dns_name": "", "dkim_id": "",
    "domain_id": "", "selectors": [],
}


async def run_dkim(params: DkimParams, ctx: ProbeContext) -> ProbeResult:
    """The domain's DKIM key as the provider sees it: state, details, the CNAME it expects."""

    from wizard.ociapi.domains import choose_dkim, live

    async def read(api: Any, compartment: str, deadline: Deadline) -> ProbeResult:
        base = {**_DKIM_EMPTY, "selector": params.selector}
        domain = await _find_domain(api, compartment, params.domain, deadline)
        if domain is None:
            return ProbeResult("no_email_domain", f"{params.domain} is not an email domain in "
                               f"compartment {compartment}", (), base)
        listing = await _call(deadline, "list DKIMs",
                              lambda: api.control.list_dkims(domain.id).data)
        keys = live(listing.items)
        known = sorted(k.name for k in keys)
        base.update(domain_id=domain.id, selectors=known)
        if not keys:
            return ProbeResult("no_dkim", f"email domain {domain.name} has no DKIM key", (),
                               base)
        if params.selector:
            chosen = [k for k in keys if k.name == params.selector]
            if not chosen:
                return ProbeResult("selector_unknown", f"email domain {domain.name} has no "
                                   f"DKIM key {params.selector} (it has: "
                                   f"{', '.join(known)})", (), base)
        else:
            chosen = [choose_dkim(keys, domain.active_dkim_id)]
        key = await _call(deadline, "get DKIM", lambda: api.control.get_dkim(chosen[0].id).data)
        state = key.lifecycle_state or ""
        facts = {**base, "selector": key.name, "state": state,
                 "details": key.lifecycle_details or "",
                 "expected_cname": (key.cname_record_value or "").rstrip("."),
                 "dns_name": (key.dns_subdomain_name or "").rstrip("."), "dkim_id": key.id}
        outcome = {"ACTIVE": "active", "NEEDS_ATTENTION": "needs_attention"}.get(state,
                                                                                 "other_state")
        details = f" ({facts['details']})" if facts["details"] else ""
        return ProbeResult(outcome, f"the console shows DKIM {key.name} of {domain.name} as "
                           f"{state}{details}; it expects {facts['dns_name']} CNAME "
                           f"{facts['expected_cname']}",
                           (f"lifecycleState: {state}", f"dnsSubdomainName: {facts['dns_name']}",
                            f"cnameRecordValue: {facts['expected_cname']}"), facts)

    return _with_empty({**_DKIM_EMPTY, "selector": params.selector}, await _read(
        params, ctx, f"DKIM of {params.domain}", "the selector, the exact CNAME value and the "
        "console's DKIM state", read))


DKIM_SPEC = ProbeSpec(
    name="oci.dkim",
    description="The email domain's DKIM key from the OCI API: state, details, expected CNAME",
    params=DkimParams,
    outcomes={"active": "the provider sees the DKIM key (ACTIVE)",
              "needs_attention": "the provider cannot see the CNAME (NEEDS_ATTENTION)",
              "other_state": "the key is CREATING, UPDATING, INACTIVE or FAILED",
              "no_dkim": "the email domain has no DKIM key",
              "selector_unknown": "the email domain has no key of that selector",
              "no_email_domain": "no email domain of that name in the compartment",
              **FAILURES},
    run=run_dkim,
    facts={**_common_facts(),
           "selector": always("The key's selector (the API's, else the one given)"),
           "expected_cname": always("The CNAME value the provider expects (empty if unknown)"),
           "dns_name": always("The name the CNAME belongs at (empty if unknown)"),
           "state": always("lifecycleState of the key (empty if unknown)"),
           "details": always("lifecycleDetails of the key"),
           "dkim_id": always("DKIM OCID"),
           "domain_id": always("Email domain OCID"),
           "selectors": always("Every selector the email domain has")},
)


# --- approved sender ---------------------------------------------------------------------------


class AddressParams(OciParams):
    """Which email address (empty: nothing to look up)."""

    address: str = Field("", description="The email address")


def _with_empty(empty: Mapping[str, FactValue], result: ProbeResult) -> ProbeResult:
    """``result`` with every fact the probe always publishes (empty when it had no answer)."""
    return ProbeResult(result.outcome, result.summary, result.evidence,
                       {**empty, **result.facts})


def _configured(ctx: ProbeContext) -> bool:
    return ctx.oci is not None and ctx.oci.enabled


def _no_address(what: str, facts: dict[str, FactValue]) -> ProbeResult:
    return ProbeResult("no_address", f"{what}: no address given, nothing to look up", (),
                       {"fix": "", "compartment": "", **facts})


_SENDER_EMPTY: dict[str, FactValue] = {"sender_id": "", "state": "", "address": ""}


async def run_sender(params: AddressParams, ctx: ProbeContext) -> ProbeResult:
    """Is the address an approved sender in the compartment, and in which state?"""
    if not params.address and _configured(ctx):
        return _no_address("approved sender", _SENDER_EMPTY)

    async def read(api: Any, compartment: str, deadline: Deadline) -> ProbeResult:
        senders = await _call(deadline, "list approved senders",
                              lambda: api.control.list_senders(
                                  compartment, email_address=params.address).data)
        live = [s for s in senders if s.email_address.lower() == params.address.lower()
                and s.lifecycle_state not in ("DELETED", "DELETING")]
        if not live:
            return ProbeResult("not_approved", f"{params.address} is not an approved sender in "
                               f"compartment {compartment}", (),
                               {**_SENDER_EMPTY, "address": params.address})
        sender = live[0]
        facts: dict[str, FactValue] = {"sender_id": sender.id, "address": params.address,
                                       "state": sender.lifecycle_state or ""}
        outcome = "approved" if sender.lifecycle_state == "ACTIVE" else "inactive"
        return ProbeResult(outcome, f"{params.address} is an approved sender "
                           f"({facts['state']})", (f"id: {sender.id}",), facts)

    return _with_empty(_SENDER_EMPTY, await _read(
        params, ctx, f"approved sender {params.address}".rstrip(),
        "whether the From address is an approved sender", read))


SENDER_SPEC = ProbeSpec(
    name="oci.sender",
    description="Whether an address is an approved sender, from the OCI API",
    params=AddressParams,
    outcomes={"approved": "an ACTIVE approved sender", "inactive":
              "an approved sender that is not ACTIVE (creating, failed…)",
              "not_approved": "no approved sender with that address",
              "no_address": "no address was given: nothing looked up", **FAILURES},
    run=run_sender,
    facts={**_common_facts(),
           **{name: always(text) for name, text in (
               ("sender_id", "Sender OCID"), ("state", "lifecycleState"),
               ("address", "The address looked up"))}},
)


# --- suppression list ------------------------------------------------------------------------


class SuppressionParams(AddressParams):
    """Which recipients: ``address`` and/or ``addresses``."""

    addresses: list[str] = Field([],
                                 description="Several recipients (each one is looked up)")


COMPLAINT_WARNING = (
    "The recipient complained about your mail (marked it as spam). Remove the suppression "
    "only if they asked to receive your mail again: mail to a complainer harms your sending "
    "reputation, and the provider suppresses them again at the next complaint.")

_SUPPRESSION_EMPTY: dict[str, FactValue] = {
    "suppression_id": "", "address": "", "reason": "", "since": "", "complaint": False,
    "warning": "", "suppressed": []}


async def run_suppression(params: SuppressionParams, ctx: ProbeContext) -> ProbeResult:
    """Is each recipient on the suppression list (kept per tenancy), why and since when?"""
    wanted = list(dict.fromkeys(a for a in [params.address, *params.addresses] if a))
    if not wanted and _configured(ctx):
        return _no_address("suppression list", _SUPPRESSION_EMPTY)

    async def read(api: Any, compartment: str, deadline: Deadline) -> ProbeResult:
        found: list[dict[str, Any]] = []
        for address in wanted:
            entries = await _call(deadline, "list suppressions",
                                  _list_suppressions(api, compartment, address))
            found += [{"address": s.email_address, "reason": s.reason or "", "id": s.id,
                       "since": s.time_created.isoformat() if s.time_created else ""}
                      for s in entries if s.email_address.lower() == address.lower()]
        if not found:
            return ProbeResult("not_suppressed", f"{', '.join(wanted)}: not on the suppression "
                               "list", (), dict(_SUPPRESSION_EMPTY))
        first = found[0]
        complaint = first["reason"].upper() == "COMPLAINT"
        return ProbeResult(
            "suppressed", "on the suppression list: " + "; ".join(
                f"{f['address']} ({f['reason']} since {f['since']})" for f in found),
            tuple(f"{f['address']}: reason {f['reason']}, id {f['id']}" for f in found),
            {"suppression_id": first["id"], "address": first["address"],
             "reason": first["reason"], "since": first["since"], "complaint": complaint,
             "warning": COMPLAINT_WARNING if complaint else "", "suppressed": found})

    return _with_empty(_SUPPRESSION_EMPTY, await _read(
        params, ctx, f"suppression of {', '.join(wanted)}" if wanted else "suppression list",
        "whether each recipient is on the suppression list, why and since when", read))


def _list_suppressions(api: Any, compartment: str, address: str) -> Callable[[], Any]:
    return lambda: api.control.list_suppressions(compartment, email_address=address).data


SUPPRESSION_SPEC = ProbeSpec(
    name="oci.suppression",
    description="Whether recipients are on the suppression list, from the OCI API",
    params=SuppressionParams,
    outcomes={"suppressed": "a recipient is on the suppression list (the first in the facts)",
              "not_suppressed": "no recipient is on the suppression list",
              "no_address": "no address was given: nothing looked up", **FAILURES},
    run=run_suppression,
    facts={**_common_facts(),
           **{name: always(text) for name, text in (
               ("suppression_id", "Suppression OCID (the first suppressed recipient)"),
               ("address", "The first suppressed recipient"),
               ("reason", "HARDBOUNCE, COMPLAINT, MANUAL, SOFTBOUNCE, UNSUBSCRIBE…"),
               ("since", "When it was added (ISO 8601)"),
               ("complaint", "True when the reason is a complaint"),
               ("warning", "What to weigh before removing it (a complaint); else empty"),
               ("suppressed", "Every suppressed recipient: address, reason, since, id"))}},
)

# --- HTTPS submission -------------------------------------------------------------------------


class SubmitParams(OciParams):
    """What to send through the HTTPS submission endpoint."""

    sender: str = Field("", description="The approved sender (From)")
    recipient: str = Field("", description="The recipient")
    endpoint: str = Field("", description="Submission endpoint (empty: --oci-submit-endpoint, "
                          "else the email configuration's)")
    subject: str = Field("email-wizard test message", description="Subject of the test message")


_SUBMIT_EMPTY: dict[str, FactValue] = {"message_id": "", "envelope_id": "", "endpoint": "",
                                       "suppressed_recipients": [], "reply": ""}


async def run_submit(params: SubmitParams, ctx: ProbeContext) -> ProbeResult:
    """Send one test message through the HTTPS submission API (a live send, like SMTP DATA)."""
    if not (params.sender and params.recipient) and _configured(ctx):
        return _no_address("HTTPS submission", _SUBMIT_EMPTY)

    async def read(api: Any, compartment: str, deadline: Deadline) -> ProbeResult:
        import oci

        from wizard.ociapi.client import ApiFailure

        endpoint = params.endpoint or (ctx.oci.submit_endpoint if ctx.oci else None) or ""
        if not endpoint:
            config = await _call(deadline, "get email configuration",
                                 lambda: api.control.get_email_configuration(compartment).data)
            endpoint = config.http_submit_endpoint or ""
        models = oci.email_data_plane.models
        details = models.SubmitEmailDetails(
            sender=models.Sender(sender_address=models.EmailAddress(email=params.sender),
                                 compartment_id=compartment),
            recipients=models.Recipients(to=[models.EmailAddress(email=params.recipient)]),
            subject=params.subject,
            body_text="A test message sent by email-wizard to check HTTPS submission.")
        client = api.data(endpoint)
        try:
            sent = await _call(deadline, "submit email",
                               lambda: client.submit_email(details).data)
        except ApiFailure as failure:
            if failure.outcome == "service_error" and failure.evidence and \
                    failure.evidence[0].startswith("HTTP 4"):
                return ProbeResult("rejected", f"{endpoint} rejected the message: "
                                   f"{failure.evidence[0]}", failure.evidence,
                                   {**_SUBMIT_EMPTY, "endpoint": endpoint,
                                    "reply": failure.evidence[0]})
            raise
        suppressed = [str(getattr(a, "email", a)) for a in (sent.suppressed_recipients or [])]
        facts: dict[str, FactValue] = {
            "message_id": sent.message_id or "", "envelope_id": sent.envelope_id or "",
            "endpoint": endpoint, "suppressed_recipients": suppressed, "reply": ""}
        if suppressed:
            return ProbeResult("suppressed", f"{endpoint} accepted the message but suppressed "
                               f"{', '.join(suppressed)}", (f"messageId: {sent.message_id}",),
                               facts)
        return ProbeResult("accepted", f"{endpoint} accepted the message "
                           f"({sent.message_id})", (f"messageId: {sent.message_id}",), facts)

    return _with_empty(_SUBMIT_EMPTY, await _read(
        params, ctx, "HTTPS submission", "a live test of HTTPS submission with the API's "
        "own answer", read))


SUBMIT_SPEC = ProbeSpec(
    name="oci.submit_email",
    description="Send a test message through the OCI HTTPS submission API (a live send)",
    params=SubmitParams,
    outcomes={"accepted": "the message was accepted for delivery",
              "suppressed": "accepted, but the recipient is on the suppression list",
              "rejected": "the API refused the request (HTTP 4xx; the reply in the facts)",
              "no_address": "no sender or recipient was given: nothing sent", **FAILURES},
    run=run_submit,
    facts={**_common_facts(),
           **{name: always(text) for name, text in (
               ("message_id", "The message's id"), ("envelope_id", "The envelope id"),
               ("endpoint", "The submission endpoint used"),
               ("suppressed_recipients", "Recipients the service suppressed"),
               ("reply", "The refusal as 'HTTP <status> <code>: <message>' (else empty)"))}},
)

SPECS = (CONFIGURATION_SPEC, DOMAIN_SPEC, DKIM_SPEC, SENDER_SPEC, SUPPRESSION_SPEC,
         SUBMIT_SPEC)
