"""``smtp.auth_plain_lint``: is an AUTH PLAIN string built right? No network, nothing secret shown.

AUTH PLAIN sends base64 of ``authzid NUL user NUL password`` (RFC 4616).
Hand-built strings fail in the three ways OCI's 501 replies name — not
base64, no NUL, no second NUL — and in quieter ones: ``echo`` adds a
newline, ``\\0`` typed literally instead of a NUL byte, fields that differ
from the credentials meant, non-ASCII characters encoded differently by
client and server.
"""

from __future__ import annotations

import asyncio
import base64
import binascii

from pydantic import Field, SecretStr, model_validator

from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
)

COMMAND_PREFIX = "AUTH PLAIN "


class AuthPlainLintParams(TimedParams):
    """The credentials meant, and/or the base64 string a client (or a person) built from them."""

    username: str | None = Field(default=None, min_length=1, description="SMTP user name")
    password: SecretStr | None = Field(default=None, description="SMTP password (never shown)")
    auth_string: SecretStr | None = Field(
        default=None, max_length=4096,
        description="The base64 AUTH PLAIN string as pasted (never shown)")

    @model_validator(mode="after")
    def _something_to_check(self) -> AuthPlainLintParams:
        if self.auth_string is None and (self.username is None or self.password is None):
            raise ValueError("give auth_string, or username and password")
        return self


def _is_ascii(data: bytes) -> bool:
    return all(byte < 128 for byte in data)


def _decode_paste(text: str, facts: dict[str, FactValue], evidence: list[str]) -> bytes | None:
    stripped = text.strip()
    if stripped != text:
        facts["whitespace_stripped"] = True
        evidence.append("surrounding spaces or line breaks were ignored")
    if stripped.upper().startswith(COMMAND_PREFIX):
        stripped = stripped[len(COMMAND_PREFIX):].strip()
        facts["command_prefix_removed"] = True
        evidence.append("the leading 'AUTH PLAIN' was ignored")
    try:
        return base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        return None


def _lint_decoded(decoded: bytes, params: AuthPlainLintParams, facts: dict[str, FactValue],
                  evidence: list[str]) -> tuple[str, str]:
    nuls = decoded.count(b"\0")
    facts["nul_count"] = nuls
    facts["trailing_newline"] = decoded.endswith(b"\n")
    facts["literal_backslash_zero"] = b"\\0" in decoded
    if facts["literal_backslash_zero"]:
        evidence.append("the text contains the two characters \\0 where a NUL byte belongs: "
                        "the shell's echo did not turn \\0 into NUL; use printf '\\0%s\\0%s'")
    if nuls == 0:
        return "no_nul", "the decoded string has no NUL separator (501 ... does not contain NUL)"
    if nuls == 1:
        return "no_second_nul", ("the decoded string has one NUL separator, two are needed "
                                 "(501 ... does not contain the second NUL)")
    if nuls > 2:
        return "extra_nul", f"the decoded string has {nuls} NUL bytes, exactly two are expected"
    authzid, user, password = decoded.split(b"\0")
    facts["authzid_present"] = bool(authzid)
    try:
        facts["decoded_username"] = user.decode("utf-8")
        decoded.decode("utf-8")
        facts["utf8_valid"] = True
    except UnicodeDecodeError:
        facts["utf8_valid"] = False
    if facts["trailing_newline"]:
        return "trailing_newline", ("the decoded password ends with a newline: the string was "
                                    "built with echo, not echo -n or printf")
    if params.username is not None and params.password is not None:
        facts["username_matches"] = user == params.username.encode("utf-8")
        facts["password_matches"] = password == params.password.get_secret_value().encode("utf-8")
        wrong = [name for name in ("username", "password") if not facts[f"{name}_matches"]]
        if wrong:
            return "mismatch", (f"the string is well formed but its {' and '.join(wrong)} "
                                "differ from the credentials given")
    non_ascii = [name for name, value in (("username", user), ("password", password))
                 if not _is_ascii(value)]
    facts["non_ascii_fields"] = non_ascii
    if non_ascii:
        return "non_ascii", (f"the {' and '.join(non_ascii)} contain non-ASCII characters: "
                             "client and server must both use UTF-8")
    return "well_formed", "the AUTH PLAIN string is well formed (\\0user\\0password)"


def _lint_credentials(username: str, password: str, facts: dict[str, FactValue]) -> tuple[str, str]:
    facts["username_matches"] = facts["password_matches"] = None
    if "\0" in username or "\0" in password:
        return "extra_nul", "the user name or password itself contains a NUL byte"
    if password.endswith(("\n", "\r")) or username.endswith(("\n", "\r")):
        facts["trailing_newline"] = True
        return "trailing_newline", ("the user name or password ends with a line break "
                                    "(read from a file or echo?)")
    non_ascii = [name for name, value in (("username", username), ("password", password))
                 if not value.isascii()]
    facts["non_ascii_fields"] = non_ascii
    if non_ascii:
        return "non_ascii", (f"the {' and '.join(non_ascii)} contain non-ASCII characters: "
                             "client and server must both use UTF-8")
    return "well_formed", "these credentials make a well-formed AUTH PLAIN string"


async def run_auth_plain_lint(params: AuthPlainLintParams, ctx: ProbeContext) -> ProbeResult:
    """Check the pasted string (or the credentials alone) without sending anything anywhere."""
    deadline = ctx.deadline(params)
    facts: dict[str, FactValue] = {
        "checked": "auth_string" if params.auth_string is not None else "credentials",
        "whitespace_stripped": False, "command_prefix_removed": False, "nul_count": None,
        "trailing_newline": False, "literal_backslash_zero": False, "authzid_present": None,
        "decoded_username": None, "utf8_valid": None, "username_matches": None,
        "password_matches": None, "non_ascii_fields": [],
    }
    evidence: list[str] = []
    if params.auth_string is None:
        assert params.username is not None and params.password is not None
        outcome, summary = _lint_credentials(params.username,
                                             params.password.get_secret_value(), facts)
        return ProbeResult(outcome, summary, tuple(evidence), facts)
    decoded = _decode_paste(params.auth_string.get_secret_value(), facts, evidence)
    await asyncio.sleep(0)
    if not deadline.remaining():
        return ProbeResult("timeout", f"the check did not finish within {deadline.seconds:g}s",
                           tuple(evidence), facts)
    if decoded is None:
        return ProbeResult("not_base64", "the string is not valid base64 (501 ... not a valid "
                                         "Base64 string)", tuple(evidence), facts)
    outcome, summary = _lint_decoded(decoded, params, facts, evidence)
    return ProbeResult(outcome, summary, tuple(evidence), facts)


SPEC = ProbeSpec(
    name="smtp.auth_plain_lint",
    description="Check an AUTH PLAIN base64 string (or credentials) for the 501 mistakes, offline",
    params=AuthPlainLintParams,
    outcomes={
        "well_formed": "base64 of \\0user\\0password, matching the credentials given",
        "not_base64": "not valid base64 (501 Invalid command argument, not a valid Base64 string)",
        "no_nul": "no NUL separator (501 Invalid command argument, does not contain NUL)",
        "no_second_nul": "one NUL only (501 Invalid command argument, does not contain the "
                         "second NUL)",
        "extra_nul": "more than two NUL bytes, or a NUL inside the user name or password",
        "trailing_newline": "a line break at the end (built with echo instead of echo -n)",
        "mismatch": "well formed, but the user name or password differ from the ones given",
        "non_ascii": "non-ASCII characters: a UTF-8 / Latin-1 mix-up will fail AUTH",
        "timeout": "the check did not finish in time",
    },
    run=run_auth_plain_lint,
    facts={
        "checked": always("auth_string or credentials"),
        "whitespace_stripped": always("spaces or line breaks around the paste were ignored"),
        "command_prefix_removed": always("a leading 'AUTH PLAIN' was ignored"),
        "nul_count": always("NUL bytes in the decoded string"),
        "trailing_newline": always("a line break ends the decoded string or the password"),
        "literal_backslash_zero": always("the text \\0 appears where NUL bytes belong"),
        "authzid_present": always("an authorization identity precedes the first NUL"),
        "decoded_username": always("the user name field of a well-split string"),
        "utf8_valid": always("the decoded string is valid UTF-8"),
        "username_matches": always("the decoded user name equals the one given"),
        "password_matches": always("the decoded password equals the one given"),
        "non_ascii_fields": always("username/password when they contain non-ASCII characters"),
    },
)
