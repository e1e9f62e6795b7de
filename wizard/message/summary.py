"""What a provider checks in a message's headers, computed from raw bytes (pure).

The facts: the header section's size and the recipients across To, Cc and
Bcc (checked against limits the provider profile gives — OCI documents 256 KB
and 50), the From addresses, the envelope sender (Return-Path) against the
header From, the Message-ID's form. The limits are arguments, never constants.

The stdlib's header parser is quadratic or worse on hostile input (10,000
encoded words in a Subject took 2.65 GB; 100,000 addresses in a To took
120 s), so it only ever sees the fields this module reads, each at most
:data:`MAX_FIELD_BYTES` and at most :data:`MAX_NAME_BYTES` per field name.
Larger fields are counted with a linear scan and named in the defects;
nothing is dropped silently.
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
PARSED_NAMES = frozenset({"from", "sender", "return-path", "to", "cc", "bcc", "message-id",
                          "subject", "dkim-signature"})
"""The only fields handed to the stdlib parser."""
MAX_FIELD_BYTES = 16 * 1024
"""A field larger than this is not parsed by the stdlib (it is scanned instead)."""
MAX_NAME_BYTES = 64 * 1024
"""At most this many bytes of fields of one name are parsed by the stdlib."""
MAX_LISTED = 1000
"""At most this many addresses are listed per field name; the counts stay exact."""
MAX_SUBJECT = 500
"""An unparsed (oversized) Subject is shown up to this many characters."""
_ADDR_SPEC = re.compile(r"[^\s<>,;:\"()@]+@[^\s<>,;:\"()@]+")


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
    """The addresses of To, Cc and Bcc (at most :data:`MAX_LISTED` of each)."""
    recipient_counts: dict[str, int]
    """Exact counts per field name."""
    header_bytes: int
    message_id: str | None
    non_ascii_header_names: list[str]
    dkim: list[DkimSignature]
    subject: str
    defects: list[str]

    @property
    def recipient_count(self) -> int:
        """Every address in To, Cc and Bcc (listed or not)."""
        return sum(self.recipient_counts.values())

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


def _scanned_addresses(raw_values: list[str]) -> list[str]:
    """Addresses of oversized fields by a linear scan for ``local@domain`` (no stdlib parse)."""
    return [clean(m.group(0)) for raw in raw_values for m in _ADDR_SPEC.finditer(raw)]


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


def _split_by_size(section: HeaderSection) -> tuple[bytes, dict[str, list[str]], list[str]]:
    """The fields the stdlib may parse (as bytes), the oversized ones by name, and defects."""
    usable: list[bytes] = []
    oversized: dict[str, list[str]] = {}
    budget: dict[str, int] = {}
    defects: list[str] = []
    for f in section.fields:
        if not f.ascii_name:
            continue
        name = f.name.decode("ascii").lower()
        if name not in PARSED_NAMES:
            continue
        size = len(f.raw)
        if size > MAX_FIELD_BYTES or budget.get(name, 0) + size > MAX_NAME_BYTES:
            value = f.raw.partition(b":")[2].decode("utf-8", "surrogateescape")
            oversized.setdefault(name, []).append(value)
            defects.append(f"{f.name.decode('ascii')} field of {size} bytes: scanned, not "
                           f"parsed (over {MAX_FIELD_BYTES} bytes a field or {MAX_NAME_BYTES} "
                           "per name)")
            continue
        budget[name] = budget.get(name, 0) + size
        usable.append(f.raw if f.raw.endswith(b"\n") else f.raw + b"\n")
    return b"".join(usable), oversized, defects


def summarise(section: HeaderSection) -> MessageSummary:
    """Parse the fields it needs with the stdlib (``policy.default``), within the size caps,
    and collect the facts."""
    usable, oversized, size_defects = _split_by_size(section)
    message = BytesHeaderParser(policy=policy.default).parsebytes(usable + b"\n")
    raw: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        raw.setdefault(name.lower(), []).append(str(value))
    per_header = {name: _addresses(name, raw.get(name, []))
                  + _scanned_addresses(oversized.get(name, [])) for name in RECIPIENT_HEADERS}
    return_paths = [_addresses("return-path", [v]) for v in raw.get("return-path", [])]
    message_ids = raw.get("message-id", [])
    defects: list[str] = list(section.defects) + size_defects
    defects += [f"{type(d).__name__}: {d}" for d in message.defects
                if isinstance(d, MessageDefect)]
    for name in ("from", "sender", "message-id", "subject"):
        if len(raw.get(name, [])) > 1:
            defects.append(f"{len(raw[name])} {name} fields where RFC 5322 allows one")
    if raw.get("subject"):
        subject = clean(_decoded("subject", raw["subject"][0]))
    elif oversized.get("subject"):
        subject = clean(_unfold(oversized["subject"][0])[:MAX_SUBJECT]) + "…"
    else:
        subject = ""
    return MessageSummary(
        from_addresses=(_addresses("from", raw.get("from", []))
                        + _scanned_addresses(oversized.get("from", [])))[:MAX_LISTED],
        sender=next(iter(_addresses("sender", raw.get("sender", []))), ""),
        return_path=(return_paths[0][0] if return_paths[0] else "") if return_paths else None,
        recipients=[a for name in RECIPIENT_HEADERS for a in per_header[name][:MAX_LISTED]],
        recipient_counts={name: len(found) for name, found in per_header.items()},
        header_bytes=section.size,
        message_id=clean(_unfold(message_ids[0])) if message_ids else None,
        non_ascii_header_names=[f.name.decode("utf-8", "replace") for f in section.fields
                                if not f.ascii_name],
        dkim=_dkim([_unfold(v) for v in raw.get("dkim-signature", [])]),
        subject=subject,
        defects=[clean(d) for d in defects],
    )
