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

ENDPOINT = "smtp.example.net"
"""An SMTP host as an example: no provider's in particular, the one the flows' help texts
name (a form may offer another provider than the one a real endpoint name would belong to)."""

BY_TYPE: dict[str, str] = {
    "host": ENDPOINT,
    "domain": "example.com",
    "email": "sender@example.com",
    "port": "587",
    "ports": "587,25",
    "path": "/etc/postfix/main.cf",
    "selector": "prod-2024",
    "region": "us-ashburn-1",
    "secret": "never saved or shown",
    "text": "",
}
"""The example for each input type."""

BY_NAME: dict[str, str] = {
    "expected_cname": "prod-2024.example-com._domainkey.iad1.oracleemaildelivery.com",
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


_COMMAND = re.compile(r"email-wizard run \S+(?: --set \S+| --secret-env \S+)*")
_SENTENCE_END = re.compile(r"(--set \w+=[^\s,;)]*?)\.+(?=\s+[A-Z]|\s*$)")
"""A ``--set`` value whose dots end the sentence too (``--set compartment=ocid1... Otherwise``)."""
_RUN_AGAIN = re.compile(r"\b([Rr])un again with (?=--set )")


def walk_text(text: str, inputs: Mapping[str, InputSpec]) -> str:
    """A finding's, fix's or end's text as the walk shows it: :func:`for_tui`, with "run
    again with ``--set X=…``" as filling in the form's field, and whole ``email-wizard
    run …`` command lines (something to copy and run) left as they are."""
    commands: list[str] = []

    def keep(found: re.Match[str]) -> str:
        commands.append(found.group(0))
        return f"\0{len(commands) - 1}\0"

    text = _COMMAND.sub(keep, text)
    text = _RUN_AGAIN.sub(lambda m: ("G" if m.group(1) == "R" else "g")
                          + "o back to the form and fill in ", text)
    text = _SENTENCE_END.sub(lambda m: f"{m.group(1)} \x02", text)
    text = for_tui(text, inputs).replace(" \x02", ".")
    return re.sub(r"\0(\d+)\0", lambda m: commands[int(m.group(1))], text)
