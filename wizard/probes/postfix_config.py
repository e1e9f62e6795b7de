"""``postfix.config``: the non-default Postfix settings, from ``postconf -n`` or a main.cf."""

from __future__ import annotations

import asyncio
import os

from pydantic import Field

from wizard.data.bounded_read import TooLarge, read_bounded
from wizard.postfix.maincf import (
    MAX_MAIN_CF_BYTES,
    MainCf,
    MainCfError,
    expand_all,
    parse_main_cf,
)
from wizard.postfix.maplist import redact_inline_maps
from wizard.postfix.postconf import (
    PostconfFailed,
    PostconfNotFound,
    mail_version,
    postconf_non_default,
)
from wizard.postfix.process import ProgramTimedOut, find_program
from wizard.postfix.tls_settings import (
    Mtime,
    allows_modern_tls,
    file_mtime,
    has_tls_security_level,
    is_yes,
    legacy_tls,
    mechanism_filter_allows_plain,
    mechanism_filter_with_plain,
    protocols_suggestion,
    sasl_options,
    sasl_password_map,
)
from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
    on,
)

DEFAULT_CONFIG_DIRECTORY = "/etc/postfix"

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


def redact(text: str) -> str:
    """Hide map contents written into main.cf itself (``static:user:pass``, ``inline:{…}``).

    They may be SASL credentials under any parameter name (a misspelt one too),
    so they are hidden wherever they appear; file-based maps show their path.
    """
    return redact_inline_maps(text)


class PostfixConfigParams(TimedParams):
    """Where the configuration is: a config directory, a main.cf file, or neither (the default)."""

    config_directory: str | None = Field(
        default=None, description="Postfix config directory (postconf -c); default /etc/postfix")
    main_cf: str | None = Field(
        default=None, description="A main.cf file to read when postconf cannot be used")


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
    facts.update(derived_facts(expanded, version, known["config_directory"]))
    return facts


def derived_facts(expanded: dict[str, str], version: str, config_directory: str,
                  mtime: Mtime = file_mtime) -> dict[str, FactValue]:
    """What the TLS/SASL settings mean, as plain values a flow's ``switch`` can branch on."""
    protocol_params = ("smtp_tls_protocols", "smtp_tls_mandatory_protocols")
    excluding = [name for name in protocol_params
                 if not allows_modern_tls(expanded.get(name, ""))]
    legacy = [f"{name} = {expanded[name]}" for name in ("smtp_use_tls", "smtp_enforce_tls")
              if name in expanded]
    options = sasl_options(expanded)
    mechanism_filter = expanded.get("smtp_sasl_mechanism_filter", "")
    password_map = sasl_password_map(expanded.get("smtp_sasl_password_maps", ""),
                                     config_directory,
                                     expanded.get("default_database_type", ""), mtime)
    return {
        "config_directory": config_directory,
        "has_tls_security_level": has_tls_security_level(version),
        "legacy_tls": legacy_tls(expanded),
        "legacy_tls_settings": ", ".join(legacy),
        "tls_protocols_allow_tls12": "no" if excluding else "yes",
        "tls_protocols_excluding": ", ".join(
            f"{name} = {expanded.get(name, '')}" for name in excluding),
        "tls_protocols_suggested": protocols_suggestion(version),
        "sasl_auth_enabled": "yes" if is_yes(expanded.get("smtp_sasl_auth_enable", "")) else "no",
        "sasl_security_options_ok": options.security_options,
        "sasl_security_options_effective": options.effective,
        "sasl_security_options_problem": options.problem,
        "sasl_tls_security_options_ok": options.tls_security_options,
        "sasl_tls_security_options_problem": options.tls_problem,
        "sasl_mechanism_filter_allows_plain": mechanism_filter_allows_plain(mechanism_filter),
        "sasl_mechanism_filter_with_plain": mechanism_filter_with_plain(mechanism_filter),
        "sasl_password_map": password_map.state,
        "sasl_password_map_name": password_map.name,
        "sasl_password_map_source": password_map.source,
        "sasl_postmap_command": _postmap_command(password_map.name, config_directory),
    }


def _postmap_command(map_name: str, config_directory: str) -> str:
    if not map_name:
        return ""
    config = "" if config_directory.rstrip("/") == DEFAULT_CONFIG_DIRECTORY \
        else f"-c {config_directory} "
    return f"postmap {config}{map_name}"


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
    timeout = ctx.seconds(params)
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


DERIVED_FACTS = {
    "config_directory": "the folder of main.cf (where relative map paths point)",
    "has_tls_security_level": "yes: Postfix 2.3 or later (smtp_tls_security_level exists); "
                              "no: older; unknown: no version (Postfix not installed here)",
    "legacy_tls": "the deprecated smtp_use_tls/smtp_enforce_tls: unset; redundant "
                  "(smtp_tls_security_level overrides them); else the level they mean: "
                  "may, encrypt or none",
    "legacy_tls_settings": "the deprecated settings as written, e.g. smtp_use_tls = yes",
    "tls_protocols_allow_tls12": "yes when smtp_tls_protocols and smtp_tls_mandatory_protocols "
                                 "both still allow TLS 1.2 or 1.3 (defaults applied)",
    "tls_protocols_excluding": "the protocol settings that exclude TLS 1.2 and later",
    "tls_protocols_suggested": "a value allowing TLS 1.2 and later only, in a syntax this "
                               "Postfix version reads",
    "sasl_auth_enabled": "yes when smtp_sasl_auth_enable is on",
    "sasl_security_options_ok": "yes when smtp_sasl_security_options (default noplaintext, "
                                "noanonymous) refuses anonymous logins and lets PLAIN through "
                                "over TLS",
    "sasl_security_options_effective": "smtp_sasl_security_options with the default applied",
    "sasl_security_options_problem": "what is wrong with it, in words (empty when fine)",
    "sasl_tls_security_options_problem": "what is wrong with smtp_sasl_tls_security_options, "
                                         "in words (empty when fine or not set)",
    "sasl_tls_security_options_ok": "yes/no for smtp_sasl_tls_security_options (noanonymous, "
                                    "no noplaintext); inherited when not set",
    "sasl_mechanism_filter_allows_plain": "yes (no filter, or PLAIN listed), no, or "
                                          "not_checked (a lookup table)",
    "sasl_mechanism_filter_with_plain": "smtp_sasl_mechanism_filter with PLAIN added",
    "sasl_password_map": "smtp_sasl_password_maps: unset, built (database not older than "
                         "its source), stale, not_built, missing (no source, no database) or "
                         "not_checked; the contents are never read",
    "sasl_password_map_name": "the map that decided the state, e.g. hash:/etc/postfix/sasl_passwd",
    "sasl_password_map_source": "its source file",
    "sasl_postmap_command": "the command that (re)builds that map's database (with -c "
                            "for a config directory other than /etc/postfix)",
}
"""Facts derived from the settings (after: read)."""


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
        **{name: on(description, "read") for name, description in DERIVED_FACTS.items()},
        "reason": on("why the configuration could not be read",
                     "not_installed", "unreadable", "invalid", "timeout"),
    },
)
