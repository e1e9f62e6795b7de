"""The OCI Email Delivery API through the official ``oci`` SDK — imported here, lazily.

Nothing at module level imports ``oci``: :func:`open_api` does, when a probe or a fix
needs it. The SDK is blocking, so :func:`call_bounded` runs each call in a daemon thread
bounded by the probe's deadline; the SDK's own retries and circuit breaker are off, and
its HTTP timeouts are the probe's, so no call outlives the run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from wizard.ociapi.settings import PASSPHRASE_ENV, OciSettings

T = TypeVar("T")

READ_POLICY = ("Allow group <your-group> to read email-family in compartment <compartment>\n"
               "Allow group <your-group> to read suppressions in tenancy")
"""The IAM statements a user needs for read-only diagnosis (suppressions live in the tenancy)."""

APPLY_POLICY = ("Allow group <your-group> to manage email-senders in compartment <compartment>\n"
                "Allow group <your-group> to manage suppressions in tenancy")
"""The IAM statements a user additionally needs to apply fixes with --apply."""


class ApiFailure(Exception):
    """A call to the API failed: ``outcome`` names how, ``fix`` says what the user can do."""

    def __init__(self, outcome: str, summary: str, fix: str, evidence: tuple[str, ...] = ()):
        super().__init__(summary)
        self.outcome = outcome
        self.summary = summary
        self.fix = fix
        self.evidence = evidence


def sdk_available() -> bool:
    """True when the ``oci`` SDK can be imported (it is imported to find out)."""
    try:
        import oci  # noqa: F401
    except ImportError:
        return False
    return True


SDK_MISSING_FIX = ("Install the optional extra: pip install 'email-wizard[oci]' (the official "
                   "oci SDK); then the wizard reads the provider's own state.")


def trust_ca_file(session: Any, ca_file: str, url: str) -> None:
    """Make ``session`` verify TLS with ``ca_file`` even when the environment names a bundle.

    requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override ``session.verify``
    while ``trust_env`` is on; turning it off would drop the proxy settings too, so the
    proxies the environment gives for ``url`` (``no_proxy`` honoured) are kept explicitly.
    """
    from oci._vendor.requests.utils import get_environ_proxies

    session.proxies = dict(get_environ_proxies(url))
    session.trust_env = False
    session.verify = ca_file


@dataclass
class EmailApi:
    """Clients for the control plane and the submission data plane, one config and signer."""

    control: Any
    compartment: str
    region: str
    _make_data: Callable[[str], Any]

    def data(self, endpoint: str) -> Any:
        """A data-plane (HTTPS submission) client for ``endpoint``."""
        return self._make_data(endpoint)


def open_api(settings: OciSettings, *, ca_file: str | None, timeout: float) -> EmailApi:
    """Load the config, build the signer and the clients; config problems raise ApiFailure."""
    try:
        import oci
    except ImportError:
        raise ApiFailure("sdk_missing", "the oci SDK is not installed",
                         SDK_MISSING_FIX) from None
    config, signer = _config_and_signer(oci, settings)
    kwargs: dict[str, Any] = {
        "timeout": (timeout, timeout),
        "retry_strategy": oci.retry.NoneRetryStrategy(),
        "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy(),
    }
    if signer is not None:
        kwargs["signer"] = signer

    def configure(client: Any) -> Any:
        if ca_file:
            trust_ca_file(client.base_client.session, ca_file, client.base_client.endpoint)
        return client

    try:
        control = configure(oci.email.EmailClient(
            config, **kwargs, **({"service_endpoint": settings.endpoint}
                                 if settings.endpoint else {})))
    except (ValueError, oci.exceptions.ClientError) as exc:
        raise _config_failure(settings, exc) from None

    def make_data(endpoint: str) -> Any:
        return configure(oci.email_data_plane.EmailDPClient(config, service_endpoint=endpoint,
                                                            **kwargs))

    compartment = str(config.get("tenancy") or "")
    return EmailApi(control, compartment, str(config.get("region") or ""), make_data)


def _config_and_signer(oci: Any, settings: OciSettings) -> tuple[dict[str, Any], Any]:
    if settings.auth == "instance_principal":
        try:
            signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
        except Exception as exc:  # the SDK raises many kinds when no metadata service answers
            raise ApiFailure(
                "config_error", f"instance principal unavailable: {type(exc).__name__}",
                "Instance principals work only on an OCI compute instance in a dynamic group "
                "with a policy; elsewhere use --oci-auth api_key with a config profile.") from None
        return {"region": signer.region, "tenancy": signer.tenancy_id}, signer
    try:
        config = dict(oci.config.from_file(str(settings.config_path), settings.profile))
        if settings.passphrase:
            config["pass_phrase"] = settings.passphrase
        if settings.endpoint and not config.get("region"):
            config["region"] = "us-ashburn-1"
        if settings.auth == "security_token":
            token_file = config.get("security_token_file")
            if not token_file:
                raise ApiFailure("config_error", f"profile {settings.profile} has no "
                                 "security_token_file",
                                 "Create a session with 'oci session authenticate', or use "
                                 "--oci-auth api_key.")
            with open(str(token_file), encoding="utf-8") as handle:
                token = handle.read().strip()
            key = oci.signer.load_private_key_from_file(config.get("key_file"),
                                                        config.get("pass_phrase"))
            return config, oci.auth.signers.SecurityTokenSigner(token, key)
        oci.config.validate_config(config)
        return config, oci.signer.Signer.from_config(config)
    except ApiFailure:
        raise
    except (OSError, ValueError, oci.exceptions.ClientError) as exc:
        raise _config_failure(settings, exc) from None


def _config_failure(settings: OciSettings, exc: BaseException) -> ApiFailure:
    import oci

    where = f"profile {settings.profile} of {settings.config_path}"
    if isinstance(exc, oci.exceptions.MissingPrivateKeyPassphrase):
        return ApiFailure("config_error", f"the API key of {where} needs its passphrase",
                          f"Give the key's passphrase in the environment variable "
                          f"{PASSPHRASE_ENV}, or as pass_phrase in the profile.")
    if isinstance(exc, oci.exceptions.InvalidPrivateKey):
        return ApiFailure("config_error", f"the API key of {where} cannot be loaded "
                          "(wrong passphrase, or not a PEM private key)",
                          f"Check key_file in the profile and the passphrase in "
                          f"{PASSPHRASE_ENV}.")
    if isinstance(exc, oci.exceptions.InvalidKeyFilePath | FileNotFoundError):
        return ApiFailure("config_error", f"the key file of {where} does not exist",
                          "Fix key_file in the profile: the path of the API signing key (PEM).")
    if isinstance(exc, oci.exceptions.InvalidConfig):
        return ApiFailure("config_error", f"{where} is incomplete or invalid: {exc}",
                          "A profile needs user, tenancy, fingerprint, key_file and region "
                          "('oci setup config' writes one).")
    if isinstance(exc, oci.exceptions.ProfileNotFound | oci.exceptions.ConfigFileNotFound):
        return ApiFailure("config_error", f"{where} not found",
                          "Create it with 'oci setup config', or name another one with "
                          "--oci-config / --oci-profile.")
    return ApiFailure("config_error", f"{where} cannot be used: {type(exc).__name__}",
                      "Check the profile with 'oci setup repair-file-permissions' and "
                      "'oci iam region list'.")


CLOCK_TOLERANCE = 300.0
"""Seconds a signed request's Date may be off the API's time before it is rejected."""


def _header(headers: Any, name: str) -> str:
    try:
        value = headers.get(name) if headers is not None else None
    except AttributeError:
        return ""
    return str(value) if value else ""


def clock_skew(headers: Any) -> float | None:
    """Seconds this machine's clock is off the API's (negative: behind), judged by the
    response's ``Date`` header; ``None`` when within the tolerance or not known."""
    from email.utils import parsedate_to_datetime

    raw = _header(headers, "date")
    try:
        theirs = parsedate_to_datetime(raw).timestamp() if raw else None
    except (TypeError, ValueError, IndexError):
        return None
    if theirs is None:
        return None
    skew = time.time() - theirs
    return skew if abs(skew) > CLOCK_TOLERANCE else None


def classify(exc: BaseException, what: str) -> ApiFailure:
    """Turn an SDK exception raised by a call into the outcome a flow branches on."""
    import oci

    if isinstance(exc, ApiFailure):
        return exc
    if isinstance(exc, oci.exceptions.ServiceError):
        evidence = (f"HTTP {exc.status} {exc.code}: {exc.message}",
                    f"opc-request-id: {exc.request_id}")
        if exc.status == 401:
            generic = ("The API key or its fingerprint does not match what is uploaded for the "
                       "user, or this machine's clock is off by more than 5 minutes. Compare "
                       "the profile's fingerprint with the user's API keys in the console, and "
                       "check the clock (timedatectl).")
            skew = clock_skew(exc.headers)
            if skew is None:
                return ApiFailure("not_authenticated",
                                  f"{what}: the API rejected the request signature (401)",
                                  generic, evidence)
            minutes = round(abs(skew) / 60)
            way = "behind" if skew < 0 else "ahead of"
            return ApiFailure(
                "not_authenticated",
                f"{what}: the API rejected the request signature (401); this machine's clock "
                f"is {minutes} minutes {way} the API's",
                f"This machine's clock is {minutes} minutes {way} the API's time (its Date "
                "header), and OCI rejects a request signed more than 5 minutes off. Set the "
                "clock right (timedatectl set-ntp true, or your NTP service), then run again.",
                (*evidence, f"API Date: {_header(exc.headers, 'date')}"))
        if exc.status == 404:
            return ApiFailure(
                "not_authorized", f"{what}: not authorized or not found (404)",
                "The user may not read this (OCI answers 404 for both), or the compartment "
                "is wrong. The user's group needs:\n" + READ_POLICY, evidence)
        if exc.status == 429:
            return ApiFailure("throttled", f"{what}: throttled by the API (429)",
                              "Too many requests: wait a minute and run the check again.",
                              evidence)
        return ApiFailure("service_error", f"{what}: the API failed (HTTP {exc.status})",
                          "An error on the provider's side: try again later; if it stays, open "
                          "a support request with the opc-request-id.", evidence)
    original = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    text = f"{type(original).__name__}: {original}"
    if "SSL" in text or "CERTIFICATE" in text.upper():
        return ApiFailure("tls_failed", f"{what}: the API's TLS certificate is not trusted",
                          "A proxy that intercepts TLS needs its CA given with --ca-file; "
                          "otherwise the endpoint is not the provider's.", (text[:300],))
    if isinstance(exc, oci.exceptions.ConnectTimeout) or "Timeout" in type(original).__name__ \
            or "timed out" in text:
        return ApiFailure("timeout", f"{what}: the API did not answer in time",
                          "Check the network path to the endpoint (proxy, egress rules) and "
                          "run again, perhaps with a longer --timeout.", (text[:300],))
    return ApiFailure("unreachable", f"{what}: cannot reach the API",
                      "Check the endpoint (--oci-endpoint, the profile's region), DNS and the "
                      "proxy settings (https_proxy).", (text[:300],))


async def call_bounded(seconds: float, what: str, fn: Callable[[], T]) -> T:
    """Run blocking ``fn`` in a daemon thread; at most ``seconds``, SDK errors classified.

    A daemon thread (not the loop's executor) so that a call still blocked when the
    deadline passes never holds up the program's exit.
    """
    from wizard.data.bounded_read import in_daemon_thread

    try:
        async with asyncio.timeout(seconds):
            return await in_daemon_thread(fn, f"oci: {what}")
    except TimeoutError:
        raise ApiFailure("timeout", f"{what}: the API did not answer within {seconds:g}s",
                         "Check the network path to the endpoint (proxy, egress rules) and "
                         "run again, perhaps with a longer --timeout.") from None
    except ApiFailure:
        raise
    except Exception as exc:
        raise classify(exc, what) from None
