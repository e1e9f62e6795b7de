"""``postfix.config``: the non-default Postfix settings, from ``postconf -n`` or a main.cf."""

from __future__ import annotations

import asyncio
import os
import re

from pydantic import Field

from wizard.bounded_read import TooLarge, read_bounded
from wizard.postfix.maincf import MainCf, MainCfError, expand_all, parse_main_cf
from wizard.postfix.postconf import (
    PostconfFailed,
    PostconfNotFound,
    mail_version,
    postconf_non_default,
)
from wizard.postfix.process import ProgramTimedOut, find_program
from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeParams,
    ProbeResult,
    ProbeSpec,
    always,
    on,
)

MAX_MAIN_CF_BYTES = 4 * 1024 * 1024
"""A main.cf larger than this is not one."""

TLS_PARAMS = (
    "relayhost",
    "smtp_tls_security_level",
    "smtp_use_tls",
    "smtp_enforce_tls",
    "smtp_tls_protocols",
    "smtp_tls_mandatory_protocols",
    "smtp_sasl_auth_enable",
    "smtp_sasl_password_maps",
    "smtp_sasl_security_options",
    "smtp_sasl_tls_security_options",
    "smtp_sasl_mechanism_filter",
)
"""Parameters published as flat facts (expanded; empty when not set) for the TLS/SASL flows."""


_INLINE_SECRETS = re.compile(r"\b(static:)\S+|\b(inline:)\{[^}]*\}?")


def redact(text: str) -> str:
    """Hide map contents written into main.cf itself (``static:user:pass``, ``inline:{…}``).

    They may be SASL credentials under any parameter name (a misspelt one too),
    so they are hidden wherever they appear; file-based maps show their path.
    """
    return _INLINE_SECRETS.sub(
        lambda m: "static:<redacted>" if m.group(1) else "inline:{<redacted>}", text)


class PostfixConfigParams(ProbeParams):
    """Where the configuration is: a config directory, a main.cf file, or neither (the default)."""

    config_directory: str | None = Field(
        default=None, description="Postfix config directory (postconf -c); default /etc/postfix")
    main_cf: str | None = Field(
        default=None, description="A main.cf file to read when postconf cannot be used")
    timeout: float | None = Field(default=None, gt=0, description="Seconds; default the run's")


def _read_facts(source: str, params: dict[str, str], version: str, main_cf: str,
                lines: dict[str, int], warnings: list[str]) -> dict[str, FactValue]:
    params = {name: redact(value) for name, value in params.items()}
    known = {"config_directory": os.path.dirname(main_cf) or ".", **params}
    expanded = expand_all(known)
    facts: dict[str, FactValue] = {
        "source": source,
        "params": dict(params),
        "mail_version": version,
        "main_cf": main_cf,
        "param_lines": dict(lines),
        "warnings": [redact(line) for line in warnings],
    }
    facts.update({name: expanded.get(name, "") for name in TLS_PARAMS})
    return facts


def _failure(outcome: str, summary: str, evidence: list[str], source: str) -> ProbeResult:
    summary = redact(summary)
    return ProbeResult(outcome, summary, tuple(redact(line) for line in evidence),
                       {"source": source, "reason": summary})


async def _parse_file(path: str) -> MainCf:
    data = await read_bounded(path, MAX_MAIN_CF_BYTES)
    return parse_main_cf(data.decode("utf-8", "replace"))


async def _line_numbers(path: str) -> dict[str, int]:
    """Best effort: where each parameter is set, for fixes that point at a line."""
    try:
        return (await _parse_file(path)).lines()
    except (OSError, TooLarge, MainCfError):
        return {}


async def _from_postconf(directory: str | None, timeout: float) -> ProbeResult:
    shown = directory or "the default config directory"
    try:
        async with asyncio.timeout(timeout):
            output = await postconf_non_default(directory, timeout)
            version = await mail_version(timeout)
            main_cf = os.path.join(directory or "/etc/postfix", "main.cf")
            lines = await _line_numbers(main_cf)
    except (TimeoutError, ProgramTimedOut):
        return _failure("timeout", f"postconf did not answer within {timeout:g}s for {shown}",
                        [f"postconf -c {shown} -n was killed"], "postconf")
    except PostconfFailed as exc:
        what = "cannot be read" if exc.kind == "unreadable" else "is rejected by postconf"
        return _failure(exc.kind, f"the Postfix configuration in {shown} {what}: {exc.reason}",
                        exc.stderr, "postconf")
    params = dict(output.params)
    if directory and params.get("config_directory") == directory:
        del params["config_directory"]
    evidence = [f"{name} = {redact(value)}" for name, value in params.items()]
    evidence += [redact(line) for line in output.warnings]
    return ProbeResult(
        "read", f"Postfix {version} in {shown}: {len(params)} non-default parameters",
        tuple(evidence), _read_facts("postconf", params, version, main_cf, lines, output.warnings))


async def _from_main_cf(path: str, timeout: float, version: str) -> ProbeResult:
    try:
        async with asyncio.timeout(timeout):
            parsed = await _parse_file(path)
    except TimeoutError:
        return _failure("timeout", f"reading {path} did not finish within {timeout:g}s",
                        [f"{path}: no data"], "main_cf")
    except TooLarge as exc:
        return _failure("unreadable", f"{path} is not a main.cf: {exc}", [str(exc)], "main_cf")
    except OSError as exc:
        return _failure("unreadable", f"{path} cannot be read: {exc.strerror or exc}",
                        [str(exc)], "main_cf")
    except MainCfError as exc:
        return _failure("invalid", f"{path} is not valid main.cf: {exc}", [f"{path}, {exc}"],
                        "main_cf")
    params = parsed.values()
    evidence = [f"{name} = {redact(value)}" for name, value in params.items()]
    evidence += [redact(line) for line in parsed.warnings]
    return ProbeResult(
        "read", f"{path}: {len(params)} parameters set", tuple(evidence),
        _read_facts("main_cf", params, version, path, parsed.lines(), list(parsed.warnings)))


async def run_postfix_config(params: PostfixConfigParams, ctx: ProbeContext) -> ProbeResult:
    """Ask ``postconf`` when Postfix is installed; otherwise parse the main.cf we were given."""
    timeout = params.timeout or ctx.timeout
    directory = params.config_directory or None
    main_cf = params.main_cf or None
    installed = find_program("postconf") is not None
    if installed and main_cf and not directory and os.path.basename(main_cf) == "main.cf":
        directory = os.path.dirname(main_cf) or "."
    try:
        if installed and (directory or not main_cf):
            return await _from_postconf(directory, timeout)
        version = await mail_version(timeout) if installed else ""
    except PostconfNotFound:
        installed = False
        version = ""
    except (PostconfFailed, ProgramTimedOut):
        version = ""
    if main_cf or directory:
        return await _from_main_cf(main_cf or os.path.join(directory or "", "main.cf"),
                                   timeout, version)
    return _failure("not_installed", "Postfix is not installed here (no postconf program)",
                    ["postconf: not found on PATH nor in /usr/sbin"], "none")


SPEC = ProbeSpec(
    name="postfix.config",
    description="Read Postfix's non-default settings (postconf -n, or a main.cf file)",
    params=PostfixConfigParams,
    outcomes={
        "read": "the configuration was read",
        "not_installed": "Postfix is not installed and no main.cf was given",
        "unreadable": "the config directory or main.cf does not exist or cannot be read",
        "invalid": "postconf rejects the configuration (a line Postfix cannot parse)",
        "timeout": "postconf or the file read did not finish in time",
    },
    run=run_postfix_config,
    facts={
        "source": always("where the settings came from: postconf, main_cf or none"),
        "params": on("non-default parameters, values as written", "read"),
        "mail_version": on("the installed Postfix version; empty when not installed", "read"),
        "main_cf": on("the main.cf file a fix would edit", "read"),
        "param_lines": on("parameter → line of main.cf that sets it", "read"),
        "warnings": on("what postconf or the parser warned about", "read"),
        **{name: on(f"{name}, expanded; empty when not set", "read") for name in TLS_PARAMS},
        "reason": on("why the configuration could not be read",
                     "not_installed", "unreadable", "invalid", "timeout"),
    },
)
