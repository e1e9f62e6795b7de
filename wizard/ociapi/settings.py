"""Which OCI config, profile and authentication the API probes use — without importing ``oci``.

The rules are the ``oci`` CLI's: ``--oci-config`` else ``$OCI_CLI_CONFIG_FILE`` else
``~/.oci/config``; ``--oci-profile`` else ``$OCI_CLI_PROFILE`` else ``DEFAULT``. The config
file is an INI file whose ``[DEFAULT]`` section every profile inherits.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import configparser

AuthMode = Literal["api_key", "security_token", "instance_principal"]
AUTH_MODES: tuple[AuthMode, ...] = ("api_key", "security_token", "instance_principal")
DEFAULT_CONFIG = "~/.oci/config"
DEFAULT_PROFILE = "DEFAULT"
PASSPHRASE_ENV = "EMAIL_WIZARD_OCI_PASSPHRASE"
"""Environment variable holding the API key's passphrase (never a command-line option)."""


class OciSettingsError(ValueError):
    """A config file or profile named explicitly is missing or unreadable (bad input: exit 2)."""


@dataclass(frozen=True)
class OciSettings:
    """How to reach the OCI Email Delivery API; ``enabled`` False means "do not try"."""

    config_file: str = DEFAULT_CONFIG
    profile: str = DEFAULT_PROFILE
    auth: AuthMode = "api_key"
    endpoint: str | None = None
    """Control-plane endpoint override (private endpoints, test servers)."""
    submit_endpoint: str | None = None
    """HTTPS submission endpoint override (else the API's email configuration)."""
    enabled: bool = False
    passphrase: str | None = field(default=None, repr=False)

    @property
    def config_path(self) -> Path:
        """The config file, ``~`` expanded."""
        return Path(self.config_file).expanduser()


def _read_config(path: Path) -> configparser.ConfigParser:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    with path.open(encoding="utf-8") as handle:
        parser.read_file(handle)
    return parser


def profile_exists(path: Path, profile: str) -> bool:
    """True when ``profile`` is a section of the config file (``DEFAULT`` when it has keys)."""
    parser = _read_config(path)
    if profile == DEFAULT_PROFILE:
        return bool(parser.defaults())
    return parser.has_section(profile)


def resolve_settings(*, config: str | None, profile: str | None, auth: str | None,
                     endpoint: str | None, submit_endpoint: str | None,
                     env: Mapping[str, str] | None = None) -> OciSettings:
    """Settings from the options and the environment, checked the way bad input is.

    The API is used when anything names it (an option, ``$OCI_CLI_CONFIG_FILE`` or
    ``$OCI_CLI_PROFILE``), with instance principals, or when the default config file exists.
    A config file or profile named explicitly but missing or unreadable raises
    :class:`OciSettingsError` naming it.
    """
    env = os.environ if env is None else env
    mode = auth or "api_key"
    if mode not in AUTH_MODES:
        raise OciSettingsError(f"--oci-auth {mode}: must be one of {', '.join(AUTH_MODES)}")
    for name, url in (("--oci-endpoint", endpoint), ("--oci-submit-endpoint", submit_endpoint)):
        if url is not None and not url.startswith(("https://", "http://")):
            raise OciSettingsError(f"{name} {url}: expected an https:// URL")
    config_named = config or env.get("OCI_CLI_CONFIG_FILE")
    profile_named = profile or env.get("OCI_CLI_PROFILE")
    settings = OciSettings(
        config_file=config_named or DEFAULT_CONFIG,
        profile=profile_named or DEFAULT_PROFILE,
        auth=mode,
        endpoint=endpoint, submit_endpoint=submit_endpoint,
        passphrase=env.get(PASSPHRASE_ENV) or None,
    )
    explicit = bool(config_named or profile_named or auth or endpoint or submit_endpoint)
    if mode == "instance_principal":
        return _replace(settings, enabled=True)
    path = settings.config_path
    if not explicit and not path.is_file():
        return settings
    source = "--oci-config" if config else "$OCI_CLI_CONFIG_FILE" if config_named else "config"
    import configparser

    try:
        found = profile_exists(path, settings.profile)
    except (OSError, UnicodeDecodeError, configparser.Error):
        if not explicit:
            return settings
        found = None
    if found is None:
        _explain_unreadable(path, source)
    if not found:
        if not explicit:
            return settings
        raise OciSettingsError(f"OCI profile {settings.profile}: not in {path}")
    return _replace(settings, enabled=True)


def _explain_unreadable(path: Path, source: str) -> None:
    """Raise :class:`OciSettingsError` saying why the config file cannot be read."""
    import configparser

    try:
        profile_exists(path, DEFAULT_PROFILE)
    except FileNotFoundError:
        raise OciSettingsError(f"OCI {source} file {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise OciSettingsError(f"OCI {source} file {path}: cannot read: {reason}") from None
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        raise OciSettingsError(f"OCI {source} file {path}: not a valid config file: "
                               f"{first}") from None
    raise OciSettingsError(f"OCI {source} file {path}: cannot read")


def _replace(settings: OciSettings, **changes: object) -> OciSettings:
    from dataclasses import replace

    return replace(settings, **changes)  # type: ignore[arg-type]
