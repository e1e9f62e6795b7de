"""How the TUI words what a flow says for the command line, and the example in each field.

Plain Python — no Textual. Flow texts name inputs the CLI's way (``--set host=…``,
``--secret-env password=VAR``, ``--ca-file``); the TUI renders them as the field
or the setting a person uses here. Each field shows an example of what to type,
derived from the input's type (and, where the type says too little, its name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from wizard.flow.model import InputSpec

ENDPOINT = "smtp.email.us-ashburn-1.oci.oraclecloud.com"
"""An SMTP endpoint as an example (the provider's documented form)."""

BY_TYPE: dict[str, str] = {
    "host": ENDPOINT,
    "domain": "example.com",
    "email": "sender@example.com",
    "port": "587",
    "ports": "587,25",
    "path": "/etc/postfix/main.cf",
    "selector": "sel1",
    "region": "us-ashburn-1",
    "secret": "never saved or shown",
    "text": "",
}
"""The example for each input type."""

BY_NAME: dict[str, str] = {
    "expected_cname": "sel1.example-com._domainkey.iad1.oracleemaildelivery.com",
    "external_mta_host": "mx.example.org",
    "external_mta_domain": "example.org",
    "recipient": "someone@example.org",
    "message": "/tmp/message.eml",
    "config_directory": "/etc/postfix",
    "postfix_config_directory": "/etc/postfix",
    "relayhost": f"[{ENDPOINT}]:587",
    "error": "535 Authentication credentials invalid",
    "username": "the SMTP credential's username",
    "provider": "oci",
    "spf_include": "spf.example.net",
    "region": "us-ashburn-1",
    "implicit_tls_ports": "465",
    "compartment": "ocid1.compartment.oc1..aaaaaaaexample",
}
"""Examples for inputs whose type says too little (a ``text``) or whose value has its own
form (the DKIM CNAME target, an external mail server)."""


def placeholder(name: str, spec: InputSpec) -> str:
    """What the empty field shows: ``e.g. …`` an example of a value, or nothing."""
    example = BY_NAME.get(name) or BY_TYPE.get(spec.type, "")
    if not example or spec.type == "secret" or example.startswith("the "):
        return example
    return f"e.g. {example}"


_PAREN_CLI = re.compile(r"\s*\([^()]*(?:--set \w+=@|--secret-env)[^()]*\)")
_SET = re.compile(r"--set (\w+)=(?:<[^>]*>|\[[^\]\s]*\][:\w]*|[^\s,;)]*)")
_CA_FILE = re.compile(r"--ca-file\b")


def for_tui(text: str, inputs: Mapping[str, InputSpec]) -> str:
    """``text`` with the command line's words replaced by the TUI's: ``--set host=…`` is the
    Host field, ``--ca-file`` the CA file setting; an aside on reading a value from a file
    or an environment variable (``--set password=@FILE``, ``--secret-env``) is dropped."""
    text = _PAREN_CLI.sub("", text)

    def field(found: re.Match[str]) -> str:
        spec = inputs.get(found.group(1))
        label = spec.label if spec is not None and spec.label else found.group(1)
        return f"the “{label}” field"

    text = _SET.sub(field, text)
    return _CA_FILE.sub("the CA file in Settings (ctrl+s)", text)
