"""Settings: the CA file, DNS servers, authoritative mode, timeout, provider defaults and the
OCI profile, authentication and endpoints — the same file the command line reads
(``config.toml``)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

from wizard.ociapi.settings import AuthMode, OciSettingsError, resolve_settings
from wizard.settings import Settings, ca_file_problem

FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("ca_file", "CA file",
     "PEM file with the certificates of a private or corporate CA; added to the system's",
     "/etc/ssl/certs/corp-ca.pem"),
    ("nameservers", "DNS servers",
     "Every lookup goes to these (IP or IP:PORT, comma-separated); empty: the system's",
     "192.0.2.53, 127.0.0.1:5353"),
    ("timeout", "Timeout (seconds)", "How long each check may take", "10"),
    ("provider", "Provider", "The provider profile flows start with", "oci"),
    ("region", "Region", "The provider region flows start with", "us-ashburn-1"),
    ("oci.config", "OCI config file", "For reading your tenancy through the OCI API",
     "~/.oci/config"),
    ("oci.profile", "OCI profile", "Profile in that file", "DEFAULT"),
    ("oci.auth", "OCI authentication", "How the wizard signs its requests, as the oci CLI's "
     "--auth", ""),
    ("oci.endpoint", "OCI API endpoint",
     "Overrides the control-plane endpoint (private endpoints); empty: the profile's region",
     "https://ctrl.email.us-ashburn-1.oci.oraclecloud.com"),
    ("oci.submit_endpoint", "OCI HTTPS submission endpoint",
     "Overrides the endpoint of the HTTPS test send; empty: the API's email configuration",
     "https://cell0.submit.email.us-ashburn-1.oci.oraclecloud.com"),
)
"""(key, label, help, placeholder) of each field, in the order shown (``oci.auth`` is a
choice, the others text)."""

AUTH_CHOICES: tuple[tuple[str, AuthMode], ...] = (
    ("API key (a config file profile)", "api_key"),
    ("Session token (oci session authenticate)", "security_token"),
    ("Instance principal (on an OCI compute instance)", "instance_principal"),
)
"""The ``oci.auth`` choices: what each means, and the value saved."""


class SettingsScreen(Screen[Settings | None]):
    """Edits the settings; dismissed with the new settings when saved, ``None`` when left."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back"),
        Binding("ctrl+s", "save", "Save"),
    ]

    DEFAULT_CSS = """
    SettingsScreen {
        & #settings { padding: 1 2; }
        & .setting { height: auto; }
        & #settings-intro { color: $text-muted; margin-bottom: 1; }
        & .setting-label { text-style: bold; }
        & .setting-help { color: $text-muted; padding-left: 1; margin-bottom: 1; }
        & #settings-error { color: $text-error; margin: 1 0; }
        & #settings-buttons { height: auto; }
        & #settings-buttons > Button { margin-right: 2; }
    }
    """

    def __init__(self, settings: Settings, cursor_blink: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.cursor_blink = cursor_blink
        self.sub_title = "Settings"

    def _value(self, key: str) -> str:
        if key == "nameservers":
            return ", ".join(self.settings.nameservers)
        if key.startswith("oci."):
            value: Any = getattr(self.settings.oci, key.removeprefix("oci."))
        else:
            value = getattr(self.settings, key)
        return "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))

    def compose(self) -> ComposeResult:
        """One labelled field per setting, then Save and Cancel."""
        yield Header()
        with VerticalScroll(id="settings"):
            yield Static("Kept in config.toml in your config folder; the command line reads "
                         "it too (its flags win).", id="settings-intro", markup=False)
            for key, label, help_text, placeholder in FIELDS:
                with Vertical(classes="setting"):
                    yield Label(label, classes="setting-label")
                    if key == "oci.auth":
                        yield Select(AUTH_CHOICES, prompt="API key (the default)",
                                     value=self.settings.oci.auth or Select.NULL,
                                     id="oci-auth")
                    else:
                        field = Input(self._value(key), placeholder=placeholder,
                                      id=key.replace(".", "-"))
                        field.cursor_blink = self.cursor_blink
                        yield field
                    yield Static(help_text, classes="setting-help", markup=False)
            yield Checkbox("Ask each domain's authoritative name servers directly",
                           self.settings.authoritative, id="authoritative")
            yield Checkbox("Stop at each step's result (else a walk runs to the end and "
                           "stops only at questions)", self.settings.walk == "step_by_step",
                           id="step-by-step")
            yield Static("", id="settings-error", markup=False)
            with Horizontal(id="settings-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        """Start in the first field."""
        self.query_one("#ca_file", Input).focus()

    def collected(self) -> tuple[Settings | None, str]:
        """The settings the fields describe, or why they cannot be saved."""
        text = {key: self.query_one(f"#{key.replace('.', '-')}", Input).value.strip()
                for key, *_ in FIELDS if key != "oci.auth"}
        auth = self.query_one("#oci-auth", Select).value
        raw: dict[str, Any] = {
            "ca_file": text["ca_file"] or None,
            "nameservers": [n.strip() for n in text["nameservers"].split(",") if n.strip()],
            "authoritative": self.query_one("#authoritative", Checkbox).value,
            "walk": ("step_by_step" if self.query_one("#step-by-step", Checkbox).value
                     else "to_end"),
            "provider": text["provider"] or None,
            "region": text["region"] or None,
            "theme": self.settings.theme,
            "oci": {**self.settings.oci.model_dump(),
                    "config": text["oci.config"] or None,
                    "profile": text["oci.profile"] or None,
                    "auth": None if auth is Select.NULL else auth,
                    "endpoint": text["oci.endpoint"] or None,
                    "submit_endpoint": text["oci.submit_endpoint"] or None},
        }
        if text["timeout"]:
            raw["timeout"] = text["timeout"]
        if raw["ca_file"]:
            problem = ca_file_problem(raw["ca_file"])
            if problem:
                return None, f"CA file: {problem}"
        try:
            settings = Settings.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            label = next((lab for key, lab, *_ in FIELDS if key == where), where)
            return None, f"{label}: {str(first['msg']).removeprefix('Value error, ')}"
        oci = settings.oci
        try:
            resolve_settings(config=oci.config, profile=oci.profile, auth=oci.auth,
                             endpoint=oci.endpoint, submit_endpoint=oci.submit_endpoint)
        except OciSettingsError as exc:
            return None, f"OCI: {exc}"
        return settings, ""

    def action_save(self) -> None:
        """Check the fields; dismiss with the new settings, or say what is wrong."""
        settings, problem = self.collected()
        self.query_one("#settings-error", Static).update(problem)
        if settings is not None:
            self.dismiss(settings)

    def action_leave(self) -> None:
        """Leave without saving."""
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_leave()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()
