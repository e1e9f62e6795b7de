"""Check and convert the values a user gives for a flow's inputs (headless and TUI alike)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from wizard.data.diagnostics import did_you_mean
from wizard.errors import BadUsage
from wizard.flow.model import Flow, InputSpec
from wizard.probes.base import Nameserver
from wizard.probes.support.hosts import is_ip_address


class BadInput(BadUsage, ValueError):
    """A value the user gave cannot be used; the message says which and why."""


_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+$")


def check_domain(value: str, what: str = "domain") -> str:
    """A DNS name in ASCII form (IDNs converted), without the trailing dot."""
    name = value.strip().rstrip(".")
    if not name:
        raise BadInput(f"{what}: empty")
    try:
        ascii_name = name.encode("idna").decode("ascii") if not name.isascii() else name
    except UnicodeError as exc:
        raise BadInput(f"{what}: {value!r} is not a valid domain name ({exc})") from exc
    if len(ascii_name) > 253 or ("." not in ascii_name and what == "domain"):
        raise BadInput(f"{what}: {value!r} is not a valid domain name (no dot)")
    for label in ascii_name.split("."):
        if not _LABEL.match(label):
            raise BadInput(f"{what}: {value!r} is not a valid domain name "
                           f"(bad label {label!r})")
    return ascii_name.lower()


_PORT_DIGITS = re.compile(r"[0-9]{1,5}")


def check_port(value: str | int, what: str = "port") -> int:
    """A TCP port, 1–65535, written as ASCII digits only.

    ``int()`` alone would also take ``5_87``, ``+587`` and ``٥٨٧`` as 587.
    """
    text = str(value).strip()
    if isinstance(value, bool) or not _PORT_DIGITS.fullmatch(text):
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise BadInput(f"{what}: {shown!r} is not a port number (digits 0-9 only)")
    port = int(text)
    if not 1 <= port <= 65535:
        raise BadInput(f"{what}: {port} is out of range (1-65535)")
    return port


MAX_TIMEOUT = 600.0
"""The longest a probe may be given, in seconds (``--timeout``, the settings file's)."""


def check_timeout(value: float) -> float:
    """``--timeout``: more than 0 and at most :data:`MAX_TIMEOUT` seconds."""
    if not 0 < value <= MAX_TIMEOUT:
        raise BadInput(f"--timeout {value:g}: must be more than 0 and at most "
                       f"{MAX_TIMEOUT:g} seconds")
    return value


MAX_VALUE_CHARS = 100_000
"""The longest value any input takes (a pasted message or error fits; a runaway file does not)."""


def check_input(name: str, spec: InputSpec, raw: Any) -> Any:
    """Convert one raw value by its declared type; raise :class:`BadInput` when it is wrong."""
    value = str(raw)
    if "\x00" in value:
        raise BadInput(f"{name}: the value contains a NUL byte")
    if len(value) > MAX_VALUE_CHARS:
        raise BadInput(f"{name}: the value is too long ({len(value)} characters; "
                       f"at most {MAX_VALUE_CHARS})")
    if spec.type == "port":
        return check_port(raw, name)
    if spec.type == "ports":
        ports = [check_port(p, name) for p in value.split(",") if p.strip()]
        if not ports:
            raise BadInput(f"{name}: no port given")
        return ",".join(str(p) for p in ports)
    if spec.type == "domain":
        return check_domain(value, name)
    if spec.type == "host":
        if is_ip_address(value):
            return value.strip("[]")
        return check_domain(value, name)
    if spec.type == "selector":
        for label in value.split("."):
            if not _LABEL.match(label):
                raise BadInput(f"{name}: {value!r} is not a valid DKIM selector")
        return value
    if spec.type == "email":
        if not _EMAIL.match(value.strip()):
            raise BadInput(f"{name}: {value!r} is not an email address")
        local, _, domain = value.strip().rpartition("@")
        return f"{local}@{check_domain(domain, name)}"
    if spec.type == "choice":
        if value not in spec.choices:
            raise BadInput(f"{name}: {value!r} is not one of {', '.join(spec.choices)}"
                           + did_you_mean(value, spec.choices))
        return value
    if spec.type == "path":
        path = Path(value).expanduser()
        try:
            readable = path.is_file() and os.access(path, os.R_OK)
        except OSError as exc:  # e.g. a name longer than the system allows
            raise BadInput(f"{name}: cannot read file: {exc.strerror}") from None
        if not readable:
            raise BadInput(f"{name}: cannot read file {value!r}")
        return str(path)
    return value


def check_inputs(flow: Flow, given: dict[str, Any]) -> dict[str, Any]:
    """All given values checked; unknown names and missing required inputs are errors."""
    for name in given:
        if name not in flow.inputs and not _is_ask_var(flow, name):
            known = sorted(flow.inputs)
            raise BadInput(f"flow {flow.id} has no input {name!r}{did_you_mean(name, known)}; "
                           f"its inputs: {', '.join(known) or 'none'}")
    checked: dict[str, Any] = {}
    for name, raw in given.items():
        spec = flow.inputs.get(name) or InputSpec(type=_ask_type(flow, name))
        checked[name] = check_input(name, spec, raw)
    missing = [n for n, s in flow.inputs.items()
               if s.required and s.default is None and n not in checked]
    if missing:
        raise BadInput(f"flow {flow.id} needs input{'s' if len(missing) > 1 else ''} "
                       + ", ".join(missing) + " (give them with --set NAME=VALUE)")
    return checked


def _is_ask_var(flow: Flow, name: str) -> bool:
    return any(getattr(step, "var", None) == name for step in flow.steps.values())


def _ask_type(flow: Flow, name: str) -> Any:
    for step in flow.steps.values():
        if getattr(step, "var", None) == name:
            return getattr(step, "type", "text")
    return "text"


def parse_nameserver(value: str) -> Nameserver:
    """``IP``, ``IP:PORT``, ``[IPv6]:PORT`` or a bare IPv6 address."""
    text = value.strip()
    port = 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise BadInput(f"--nameserver: cannot read {value!r}")
            port = check_port(rest[1:], "--nameserver port")
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        port = check_port(port_text, "--nameserver port")
    else:
        host = text
    if not is_ip_address(host):
        raise BadInput(f"--nameserver: {host!r} is not an IP address")
    return Nameserver(host, port)
