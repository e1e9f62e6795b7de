"""Split a raw message into header fields without trusting it (pure, bytes in).

The stdlib parser stops at the first line it does not recognise as a header
(a non-ASCII field name, for one) and silently moves the rest into the body.
A provider counts the whole header section, so the section is found here, on
raw bytes, before the stdlib parses the fields it can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_FIELD = re.compile(rb"([^\x00-\x20\x7f:]+)[ \t]*:")
_MBOX_FROM = b"From "
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class RawField:
    """One header field: its name as bytes and the whole field (folded lines included)."""

    name: bytes
    raw: bytes

    @property
    def ascii_name(self) -> bool:
        """Whether the name is printable US-ASCII, as RFC 5322 requires."""
        return all(33 <= byte <= 126 for byte in self.name)


@dataclass(frozen=True)
class HeaderSection:
    """The header section of a message as it sits in the file."""

    fields: tuple[RawField, ...] = ()
    size: int = 0
    defects: tuple[str, ...] = field(default=())


def looks_binary(data: bytes) -> bool:
    """NUL bytes or mostly control characters near the start: not text, so not a message."""
    head = data[:SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x1b")
    return bool(head) and controls / len(head) > 0.3


def split_header_section(data: bytes) -> HeaderSection:
    """The fields up to the first empty line; no fields at all means "not a message"."""
    lines = data.splitlines(keepends=True)
    start = 1 if lines and lines[0].startswith(_MBOX_FROM) else 0
    fields: list[tuple[bytes, list[bytes]]] = []
    size = 0
    defects: list[str] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if line in (b"\n", b"\r\n", b"\r"):
            break
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1].append(line)
        elif match := _FIELD.match(line):
            fields.append((match.group(1), [line]))
        else:
            if fields:
                defects.append(f"line {number} is neither a header field nor a continuation")
            break
        size += len(line)
    return HeaderSection(
        tuple(RawField(name, b"".join(parts)) for name, parts in fields), size,
        tuple(defects))
