"""Every email domain of a compartment, with the DKIM key it signs with, read page by page.

The domains are listed through the SDK's pagination helper, one page at a time, so a
compartment of any size streams; each call is bounded by :func:`~wizard.ociapi.client.call_bounded`.
The helper retries failed calls with the SDK's default strategy (up to eight attempts over
minutes) whatever the client's own strategy says; :func:`_without_retries` turns that off, so
a 429 or a 5xx is reported as what it is, at once, like every other call of the wizard.

A 404 for one domain's DKIM calls (its active key deleted while the domain still names it,
or a key the user may not read) leaves that domain's key unknown — :attr:`DomainKey.failure`
says why — and the listing goes on: the domain is still checked for SPF and DMARC. Every
other failure stops the listing (see :data:`ONE_DOMAIN_OUTCOMES`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from wizard.ociapi.client import ApiFailure, EmailApi, call_bounded

GONE_STATES = frozenset({"DELETED", "DELETING"})
"""Lifecycle states of a resource that no longer counts (an email domain or a DKIM key)."""

ONE_DOMAIN_OUTCOMES = frozenset({"not_authorized"})
"""Failures of a domain's DKIM calls that concern that domain alone: a 404 names one resource
(the listing itself was allowed). A 401, 429, 5xx or timeout would hit every later call as
well, so it stops the listing instead of turning each remaining domain into the same row."""

KEY_404_HINT = ("OCI answers 404 both when the key no longer exists (deleted while the email "
                "domain still names it) and when the profile's user may not read it.")
KEYS_404_HINT = ("OCI answers 404 both when the email domain no longer exists (deleted while "
                 "the scan ran) and when the profile's user may not read its DKIM keys.")


@dataclass(frozen=True)
class UnreadableKey:
    """Why the DKIM key an email domain signs with is not known: the API refused one call."""

    which: str
    """The key (``the active DKIM key ocid1.emaildkim… of example.com``) or the listing."""
    hint: str
    """What the API's answer may mean."""
    failure: ApiFailure
    """The API's answer."""


@dataclass(frozen=True)
class DomainKey:
    """An email domain and the DKIM key it signs with (empty strings: it has none)."""

    domain: str
    domain_id: str
    selector: str = ""
    expected_cname: str = ""
    dkim_state: str = ""
    unreadable: UnreadableKey | None = None
    """Set when the domain's key could not be read (the other key fields are then empty)."""


def live(items: Iterable[Any]) -> list[Any]:
    """The items whose ``lifecycle_state`` is not deleted or being deleted."""
    return [item for item in items if item.lifecycle_state not in GONE_STATES]


def choose_dkim(keys: Iterable[Any], active_id: str | None) -> Any | None:
    """The key a domain signs with: its active one, else the newest live one, else None."""
    alive = live(keys)
    active = [key for key in alive if active_id and key.id == active_id]
    if active:
        return active[0]
    newest = sorted(alive, key=lambda key: str(key.time_created), reverse=True)
    return newest[0] if newest else None


class _Stop(Exception):
    """Carries a call's exception past the pagination helper's retry checkers."""


def _without_retries(call: Callable[..., Any]) -> Callable[..., Any]:
    def once(*args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except Exception as exc:
            raise _Stop() from exc

    return once


def _unwrapped(fetch: Callable[[], Any]) -> Any:
    """``fetch()``, raising the SDK's own exception rather than :class:`_Stop`."""
    try:
        return fetch()
    except _Stop as stop:
        raise stop.__cause__ or stop from None


def _next_page(pages: Iterator[Any]) -> Any:
    return _unwrapped(lambda: next(pages, None))


async def compartment_domains(api: EmailApi, compartment: str,
                              timeout: float) -> AsyncIterator[DomainKey]:
    """The compartment's live email domains in the API's order, each with its DKIM key.

    One call per page of domains, then per domain ``get_dkim`` of its active key (or
    ``list_dkims`` and ``get_dkim`` of the newest when none is active): the summaries
    do not carry the CNAME value. Each call may take ``timeout`` seconds; a failed one
    raises :class:`~wizard.ociapi.client.ApiFailure`.
    """
    import oci

    pages = oci.pagination.list_call_get_all_results_generator(
        _without_retries(api.control.list_email_domains), "response", compartment)
    while True:
        page = await call_bounded(timeout, "list email domains", lambda: _next_page(pages))
        if page is None:
            return
        for summary in live(page.data.items):
            yield await _domain_key(api, summary, timeout)


async def _domain_key(api: EmailApi, summary: Any, timeout: float) -> DomainKey:
    """``summary``'s key; a 404 for it (see :data:`ONE_DOMAIN_OUTCOMES`) is a
    :class:`DomainKey` that says which key could not be read, other failures raise."""
    import oci

    active_id = summary.active_dkim_id
    which, hint = f"the DKIM keys of {summary.name} (listing them)", KEYS_404_HINT
    try:
        if not active_id:
            keys = await call_bounded(
                timeout, f"list DKIMs of {summary.name}", lambda: _unwrapped(
                    lambda: oci.pagination.list_call_get_all_results(
                        _without_retries(api.control.list_dkims), summary.id).data))
            chosen = choose_dkim(keys, None)
            if chosen is None:
                return DomainKey(summary.name, summary.id)
            key_id = chosen.id
            which, hint = f"the newest DKIM key {key_id} of {summary.name}", KEY_404_HINT
        else:
            key_id = active_id
            which, hint = f"the active DKIM key {key_id} of {summary.name}", KEY_404_HINT
        key = await call_bounded(timeout, f"get DKIM of {summary.name}",
                                 lambda: api.control.get_dkim(key_id).data)
    except ApiFailure as failure:
        if failure.outcome not in ONE_DOMAIN_OUTCOMES:
            raise
        return DomainKey(summary.name, summary.id,
                         unreadable=UnreadableKey(which, hint, failure))
    return DomainKey(summary.name, summary.id, selector=key.name or "",
                     expected_cname=(key.cname_record_value or "").rstrip("."),
                     dkim_state=key.lifecycle_state or "")
