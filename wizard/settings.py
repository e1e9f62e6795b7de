"""The user's settings: one TOML file both front-ends read; command-line flags override it.

``config.toml`` in the user config folder (``$EMAIL_WIZARD_CONFIG_DIR`` or
``~/.config/email-wizard``)::

    ca_file = "/etc/ssl/corp-ca.pem"     # extra trust anchors for TLS
    nameservers = ["192.0.2.53"]         # every lookup goes there (IP[:PORT])
    authoritative = false                # ask each domain's own servers
    timeout = 10.0                       # seconds per probe
    provider = "oci"
    region = "us-ashburn-1"
    walk = "to_end"                      # TUI: or "step_by_step"
    theme = "textual-dark"

    [oci]
    config = "~/.oci/config"
    profile = "DEFAULT"
    auth = "api_key"

A missing file means the defaults. A file that cannot be read or does not
fit is a :class:`SettingsError` naming the file and the key — the CLI's
exit 2, the TUI's message — never a traceback. The TUI writes the file
atomically (a temporary file beside it, then a rename).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wizard.data.bounded_read import FileRefused, read_regular_file
from wizard.inputs import MAX_TIMEOUT, BadInput, parse_nameserver
from wizard.paths import config_dir
from wizard.probes.base import ProbeContext

if TYPE_CHECKING:
    from wizard.ociapi.settings import OciSettings

MAX_BYTES = 64 * 1024
"""A settings file is a few hundred bytes; anything past this is not one."""


class SettingsError(ValueError):
    """The settings file cannot be read or does not fit (the message names file and key)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class OciOptions(_Model):
    """How to reach the provider's API (the ``oci`` CLI's own options)."""

    config: str | None = Field(None, description="OCI config file (default ~/.oci/config)")
    profile: str | None = Field(None, description="Profile in that file (default DEFAULT)")
    auth: Literal["api_key", "security_token", "instance_principal"] | None = None
    endpoint: str | None = Field(None, description="Control-plane endpoint override")
    submit_endpoint: str | None = Field(None, description="HTTPS submission endpoint override")

    def resolve(self, **given: str | None) -> OciSettings:
        """The API settings: each option ``given`` (the command line's), else this one.

        Raises :class:`~wizard.ociapi.settings.OciSettingsError` when a named config file
        or profile cannot be read.
        """
        from wizard.ociapi.settings import resolve_settings

        def pick(name: str) -> str | None:
            value = given.get(name) or getattr(self, name)
            return str(value) if value else None

        return resolve_settings(config=pick("config"), profile=pick("profile"),
                                auth=pick("auth"), endpoint=pick("endpoint"),
                                submit_endpoint=pick("submit_endpoint"))


class Settings(_Model):
    """Everything a user may want the same in every run, in both front-ends."""

    ca_file: str | None = Field(None, description="Extra trust anchors for TLS (PEM file)")
    nameservers: tuple[str, ...] = Field((), description="DNS servers for every lookup")
    authoritative: bool = Field(False, description="Ask each domain's own name servers")
    timeout: float = Field(10.0, gt=0, le=MAX_TIMEOUT, description="Seconds each probe may take")
    provider: str | None = Field(None, description="Default provider profile (e.g. oci)")
    region: str | None = Field(None, description="Default provider region")
    walk: Literal["to_end", "step_by_step"] = Field(
        "to_end", description="TUI: run through steps that need nothing from you, or stop at each")
    theme: str | None = Field(None, description="TUI theme")
    oci: OciOptions = OciOptions.model_construct()

    @field_validator("nameservers")
    @classmethod
    def _nameservers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for server in value:
            try:
                parse_nameserver(server)
            except BadInput as exc:
                raise ValueError(str(exc).removeprefix("--nameserver: ")) from None
        return value

    def probe_context(self, *, authoritative_port: int = 53,
                      with_oci: bool = True) -> ProbeContext:
        """The probes' context these settings describe (the OCI API as the options say).

        Raises :class:`SettingsError` when the OCI config file or profile named here
        cannot be read; ``with_oci`` False leaves the API out.
        """
        from wizard.ociapi.settings import OciSettings, OciSettingsError

        if not with_oci:
            oci = OciSettings()
        else:
            try:
                oci = self.oci.resolve()
            except OciSettingsError as exc:
                raise SettingsError(f"{settings_path()}: oci: {exc}") from None
        return ProbeContext(timeout=self.timeout,
                            nameservers=tuple(parse_nameserver(n) for n in self.nameservers),
                            ca_file=self.ca_file or None, authoritative=self.authoritative,
                            authoritative_port=authoritative_port, oci=oci)

    def input_defaults(self, inputs: Collection[str], given: Collection[str]) -> dict[str, str]:
        """Values for a flow's ``provider`` and ``region`` inputs that the run did not give.

        The region is only a default where no ``host`` was given either (a host names the
        endpoint exactly; a region would only name it again, maybe differently).
        """
        defaults: dict[str, str] = {}
        if self.provider and "provider" in inputs and "provider" not in given:
            defaults["provider"] = self.provider
        if (self.region and "region" in inputs and "region" not in given
                and "host" not in given):
            defaults["region"] = self.region
        return defaults


def ca_file_problem(path: str) -> str | None:
    """Why ``path`` cannot serve as trust anchors (None when it can): missing, not PEM…"""
    import ssl

    file = Path(path).expanduser()
    if not file.is_file():
        return f"{path}: no such file" if not file.exists() else f"{path}: not a regular file"
    if file.stat().st_size > 16 * 1024 * 1024:
        return f"{path}: too large for a CA bundle"
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(file))
    except (ssl.SSLError, OSError, ValueError) as exc:
        return f"{path}: not a PEM certificate file ({getattr(exc, 'reason', None) or exc})"
    return None


def settings_path() -> Path:
    """Where the settings live: ``config.toml`` in the user config folder."""
    return config_dir() / "config.toml"


def _read(path: Path) -> bytes | None:
    """The file's bytes (through the one bounded reader), None when there is no file."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        return read_regular_file(path, MAX_BYTES)
    except FileRefused as exc:
        raise SettingsError(f"{path}: {exc.reason}") from None


def _problem(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "settings"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        known = ", ".join(sorted(Settings.model_fields))
        message = f"unknown setting (known: {known})"
    return f"{where}: {message}"


def parse_settings(text: str, path: Path) -> Settings:
    """Settings from TOML ``text``; :class:`SettingsError` names ``path`` and the bad key."""
    import tomllib  # only when there is a file: a run without one spares the import

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_problem(dict(e)) for e in exc.errors())
        raise SettingsError(f"{path}: {problems}") from None


def load_settings(path: Path | None = None) -> Settings:
    """The user's settings (the defaults when there is no file)."""
    path = path or settings_path()
    data = _read(path)
    if data is None:
        return Settings.model_construct()  # the defaults: nothing to validate
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: not UTF-8 text") from None
    return parse_settings(text, path)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` atomically (unset values are left out); the path written."""

    import tomli_w

    path = path or settings_path()
    data = settings.model_dump(mode="json", exclude_defaults=True)
    text = ("# email-wizard settings (the TUI's Settings screen writes this file)\n"
            + tomli_w.dumps(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".config.", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
