"""What a provider checks in a message's headers, computed from raw bytes (pure).

The facts: the header section's size and the recipients across To, Cc and
Bcc (checked against limits the provider profile gives — OCI documents 256 KB
and 50), the From addresses, the envelope sender (Return-Path) against the
header From, the Message-ID's form. The limits are arguments, never constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.errors import MessageDefect
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from wizard.message.headers import HeaderSection

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
MESSAGE_ID = re.compile(rf"<{_DOT_ATOM}@(?:{_DOT_ATOM}|\[[\x21-\x5a\x5e-\x7e]*\])>")
RECIPIENT_HEADERS = ("to", "cc", "bcc")


@dataclass(frozen=True)
class DkimSignature:
    """The signing domain (``d=``) and selector (``s=``) of one DKIM-Signature field."""

    domain: str
    selector: str


@dataclass(frozen=True)
class MessageSummary:
    """The header facts of one message."""

    from_addresses: list[str]
    sender: str
    return_path: str | None
    recipients: list[str]
    recipient_counts: dict[str, int]
    header_bytes: int
    message_id: str | None
    non_ascii_header_names: list[str]
    dkim: list[DkimSignature]
    subject: str
    defects: list[str]

    @property
    def message_id_valid(self) -> bool:
        """A single ``<left@right>`` per RFC 5322 (absent counts as not valid)."""
        return self.message_id is not None and MESSAGE_ID.fullmatch(self.message_id) is not None

    @property
    def return_path_matches_from(self) -> bool | None:
        """Envelope sender equal to the only header From (case-insensitive); None: unknown."""
        if self.return_path is None or len(self.from_addresses) != 1:
            return None
        return self.return_path.lower() == self.from_addresses[0].lower()


def clean(text: str) -> str:
    """Make parser output safe to print and serialise (undecodable bytes become U+FFFD)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _addresses(name: str, raw_values: list[str]) -> list[str]:
    found: list[str] = []
    for raw in raw_values:
        try:
            header = policy.default.header_factory(name, raw)
            found.extend(clean(a.addr_spec) for a in header.addresses if a.username)
        except Exception:  # the stdlib raises odd errors on broken addresses
            found.extend(clean(address) for _, address in getaddresses([raw]) if address)
    return found


def _dkim(raw_values: list[str]) -> list[DkimSignature]:
    signatures: list[DkimSignature] = []
    for raw in raw_values:
        tags: dict[str, str] = {}
        for item in raw.split(";"):
            tag, equals, value = item.partition("=")
            if equals:
                tags[tag.strip().lower()] = re.sub(r"\s+", "", value)
        signatures.append(DkimSignature(clean(tags.get("d", "")), clean(tags.get("s", ""))))
    return signatures


def _unfold(raw: str) -> str:
    return re.sub(r"\r?\n[ \t]+", " ", raw).strip()


def _decoded(name: str, raw: str) -> str:
    try:
        return str(policy.default.header_factory(name, raw))
    except Exception:  # an encoded word the stdlib cannot decode: show it as written
        return _unfold(raw)


def summarise(section: HeaderSection) -> MessageSummary:
    """Parse the ASCII-named fields with the stdlib (``policy.default``) and collect the facts."""
    usable = b"".join(f.raw if f.raw.endswith(b"\n") else f.raw + b"\n"
                      for f in section.fields if f.ascii_name)
    message = BytesHeaderParser(policy=policy.default).parsebytes(usable + b"\n")
    raw: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        raw.setdefault(name.lower(), []).append(str(value))
    per_header = {name: _addresses(name, raw.get(name, [])) for name in RECIPIENT_HEADERS}
    return_paths = [_addresses("return-path", [v]) for v in raw.get("return-path", [])]
    message_ids = raw.get("message-id", [])
    defects: list[str] = list(section.defects)
    defects += [f"{type(d).__name__}: {d}" for d in message.defects
                if isinstance(d, MessageDefect)]
    for name in ("from", "sender", "message-id", "subject"):
        if len(raw.get(name, [])) > 1:
            defects.append(f"{len(raw[name])} {name} fields where RFC 5322 allows one")
    return MessageSummary(
        from_addresses=_addresses("from", raw.get("from", [])),
        sender=next(iter(_addresses("sender", raw.get("sender", []))), ""),
        return_path=(return_paths[0][0] if return_paths[0] else "") if return_paths else None,
        recipients=[a for name in RECIPIENT_HEADERS for a in per_header[name]],
        recipient_counts={name: len(found) for name, found in per_header.items()},
        header_bytes=section.size,
        message_id=clean(_unfold(message_ids[0])) if message_ids else None,
        non_ascii_header_names=[f.name.decode("utf-8", "replace") for f in section.fields
                                if not f.ascii_name],
        dkim=_dkim([_unfold(v) for v in raw.get("dkim-signature", [])]),
        subject=clean(_decoded("subject", raw["subject"][0])) if raw.get("subject") else "",
        defects=[clean(d) for d in defects],
    )
