"""``scan --compartment``: the compartment's email domains, read from the OCI API, as scan targets.

Each live email domain becomes one :class:`~wizard.scan.ScanTarget`, as a CSV row with
``domain,selector,expected_cname`` would: the selector and the CNAME value are those of the
key the domain signs with (its active DKIM key, else its newest), so the DKIM check looks
for exactly the record the provider expects. A domain without a key is checked for SPF and
DMARC only. A domain whose key the API does not give (404: deleted while the domain still
names it, or not readable by the user) is a target that says so
(:class:`~wizard.scan.KeyUnreadable`): its row is inconclusive for DKIM, SPF and DMARC are
checked, and the listing goes on. The targets are produced lazily, a page of domains at a
time, so the scan starts while the listing goes on and memory does not grow with the
compartment.

When the API cannot be read the listing stops with :class:`CompartmentError`, whose
``exit_code`` says what kind of failure it was (see :data:`BAD_INPUT_OUTCOMES`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from wizard.scan import EXIT_BAD_INPUT, EXIT_UNCHECKED, KeyUnreadable, ScanInputError, ScanTarget

if TYPE_CHECKING:
    from wizard.ociapi.client import ApiFailure, EmailApi
    from wizard.ociapi.domains import DomainKey
    from wizard.ociapi.settings import OciSettings

UNREADABLE_KEY_FIX = "dkim.unreadable-key"
"""The shared library's fix (flows/fixes/oci.yaml) for a DKIM key the API does not give."""

COMPARTMENT_OCID = re.compile(r"ocid1\.(compartment|tenancy)\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9]+")
"""What a compartment (or tenancy, the root compartment) OCID looks like."""

BAD_INPUT_OUTCOMES = frozenset({"sdk_missing", "config_error", "not_configured",
                                "not_authenticated", "not_authorized"})
"""API failures the user fixes in what they gave — the extra, the profile, the key, the clock,
the compartment OCID or the policy: exit 2 (bad input, as ``run`` would say). Every other
failure (429, 5xx, unreachable, untrusted TLS, timeout) leaves domains unchecked: exit 3."""


class CompartmentError(ScanInputError):
    """The compartment's email domains cannot be listed: ``exit_code`` 2 or 3, see the module."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def compartment_problem(ocid: str) -> str | None:
    """Why ``ocid`` is not a compartment OCID (None when it looks like one)."""
    if COMPARTMENT_OCID.fullmatch(ocid):
        return None
    shown = ocid if len(ocid) <= 80 else ocid[:60] + "…"
    return (f"{shown!r} is not a compartment OCID (expected ocid1.compartment.oc1..…, or "
            "the tenancy's ocid1.tenancy.oc1..…)")


def failure_error(failure: ApiFailure, compartment: str) -> CompartmentError:
    """The message and exit code for an API failure while listing ``compartment``."""
    lines = [f"{' '.join(filter(None, ('--compartment', compartment)))}: {failure.summary}",
             *failure.evidence,
             failure.fix]
    code = EXIT_BAD_INPUT if failure.outcome in BAD_INPUT_OUTCOMES else EXIT_UNCHECKED
    return CompartmentError("\n  ".join(line for line in lines if line), code)


async def open_compartment(settings: OciSettings, *, ca_file: str | None,
                           timeout: float) -> EmailApi:
    """The API client for listing; no usable config or SDK raises :class:`CompartmentError`.

    Opening is bounded by ``timeout`` too: instance principals ask the metadata service.
    """
    import asyncio

    from wizard.ociapi.client import (
        SDK_MISSING_FIX,
        ApiFailure,
        call_bounded,
        open_api,
        sdk_available,
    )

    if not settings.enabled:
        raise CompartmentError(
            f"--compartment needs an OCI profile to read the email domains with: "
            f"{settings.config_path} does not exist. Create it with 'oci setup config', or "
            "name one with --oci-config / --oci-profile (in the TUI: the settings' OCI "
            "profile), or use instance principals on an OCI instance.", EXIT_BAD_INPUT)
    if not await asyncio.to_thread(sdk_available):  # a first import takes seconds
        raise CompartmentError(f"--compartment needs the oci SDK, which is not installed. "
                               f"{SDK_MISSING_FIX}", EXIT_BAD_INPUT)
    try:
        return await call_bounded(timeout, "open the OCI API", lambda: open_api(
            settings, ca_file=ca_file, timeout=timeout))
    except ApiFailure as failure:
        raise failure_error(failure, "") from None


def key_unreadable(found: DomainKey) -> KeyUnreadable | None:
    """What the scan row says of ``found``'s DKIM key when the API did not give it."""
    if found.unreadable is None:
        return None
    failure = found.unreadable.failure
    return KeyUnreadable(key=found.unreadable.which,
                         answer="; ".join(failure.evidence) or failure.summary,
                         hint=found.unreadable.hint, fix_id=UNREADABLE_KEY_FIX,
                         params=(("domain_id", found.domain_id),))


async def compartment_targets(api: EmailApi, compartment: str,
                              timeout: float) -> AsyncIterator[ScanTarget]:
    """One target per live email domain of ``compartment``, in the API's order.

    ``line`` numbers the domains from 1. An API failure raises :class:`CompartmentError`
    (the domains already handed out are scanned); so does an answer the SDK cannot make
    sense of, rather than stopping the scan with a traceback.
    """
    from wizard.ociapi.client import ApiFailure
    from wizard.ociapi.domains import compartment_domains

    number = 0
    try:
        async for found in compartment_domains(api, compartment, timeout):
            number += 1
            yield ScanTarget(domain=found.domain, line=number, selector=found.selector,
                             expected_cname=found.expected_cname,
                             key_unreadable=key_unreadable(found))
    except ApiFailure as failure:
        raise failure_error(failure, compartment) from None
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise CompartmentError(f"--compartment {compartment}: the API's answer cannot be read "
                               f"({type(exc).__name__}: {exc})", EXIT_UNCHECKED) from None
