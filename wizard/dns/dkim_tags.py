"""DKIM key records (RFC 6376 §3.6.1, RFC 8463): tag-list parsing and key analysis."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_WHITESPACE = re.compile(r"\s+")
_RSA_OID = bytes.fromhex("2a864886f70d010101")
KNOWN_KEY_TYPES = ("rsa", "ed25519")


class TagListError(ValueError):
    """The text is not a valid DKIM tag-list."""


def parse_tag_list(text: str) -> dict[str, str]:
    """``"v=DKIM1; k=rsa; p=MII…"`` → ``{"v": "DKIM1", "k": "rsa", "p": "MII…"}``.

    Tag names are case-sensitive (RFC 6376 §3.2); whitespace around names and
    values is dropped. Raises :class:`TagListError` on a duplicate tag, a
    spec without ``=``, or a bad tag name.
    """
    tags: dict[str, str] = {}
    for number, spec in enumerate(text.split(";"), start=1):
        if not spec.strip():
            continue
        name, sep, value = spec.partition("=")
        name = name.strip()
        if not sep:
            raise TagListError(f"tag {number} ({spec.strip()!r}) has no '='")
        if not _TAG_NAME.match(name):
            raise TagListError(f"tag {number}: {name!r} is not a valid tag name")
        if name in tags:
            raise TagListError(f"tag {name!r} appears twice")
        tags[name] = value.strip()
    return tags


@dataclass(frozen=True)
class DkimKey:
    """What a DKIM key record says: tags, key type and size, and what is wrong with it."""

    tags: dict[str, str]
    key_type: str
    key_bits: int | None
    revoked: bool
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def usable(self) -> bool:
        """A verifier can check signatures with this key."""
        return not self.revoked and not self.problems


def analyse_key_record(text: str) -> DkimKey:
    """Parse a DKIM key record (the TXT strings already joined) and judge it.

    Raises :class:`TagListError` when the text is not a tag-list at all.
    """
    tags = parse_tag_list(text)
    problems: list[str] = []
    warnings: list[str] = []
    if "v" in tags:
        if tags["v"] != "DKIM1":
            problems.append(f"v={tags['v']}: must be DKIM1")
        elif next(iter(tags)) != "v":
            problems.append("v=DKIM1 must be the first tag")
    key_type = tags.get("k", "rsa").lower()
    if key_type not in KNOWN_KEY_TYPES:
        problems.append(f"k={key_type}: unknown key type (expected rsa or ed25519)")
    if "y" in tags.get("t", "").split(":"):
        warnings.append("t=y: the domain is testing DKIM; verifiers may ignore failures")
    hashes = [h.strip() for h in tags.get("h", "").split(":") if h.strip()]
    if hashes and "sha256" not in hashes:
        warnings.append(f"h={tags['h']}: sha256 is not allowed; most verifiers reject sha1")
    if "p" not in tags:
        problems.append("no p= tag: the record carries no public key")
        return DkimKey(tags, key_type, None, False, tuple(problems), tuple(warnings))
    encoded = _WHITESPACE.sub("", tags["p"])
    if not encoded:
        return DkimKey(tags, key_type, None, True, tuple(problems), tuple(warnings))
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        problems.append("p= is not valid base64")
        return DkimKey(tags, key_type, None, False, tuple(problems), tuple(warnings))
    bits = _key_bits(key_type, raw, problems)
    if key_type == "rsa" and bits is not None and bits < 1024:
        warnings.append(f"RSA key of {bits} bits: receivers reject keys shorter than 1024 bits")
    return DkimKey(tags, key_type, bits, False, tuple(problems), tuple(warnings))


def _key_bits(key_type: str, raw: bytes, problems: list[str]) -> int | None:
    if key_type == "ed25519":
        if len(raw) != 32:
            problems.append(f"ed25519 key is {len(raw)} bytes, expected 32")
            return None
        return 256
    if key_type != "rsa":
        return None
    try:
        return rsa_modulus_bits(raw)
    except ValueError as exc:
        problems.append(f"p= is not an RSA public key: {exc}")
        return None


MAX_KEY_NESTING = 4
"""A SubjectPublicKeyInfo wraps a PKCS#1 key once; deeper wrapping is not a key."""


def rsa_modulus_bits(der: bytes) -> int:
    """Size in bits of the modulus of a DER RSA key (SubjectPublicKeyInfo or PKCS#1).

    Raises :class:`ValueError` for anything else, however it is nested.
    """
    for _ in range(MAX_KEY_NESTING):
        tag, start, _ = _tlv(der, 0)
        if tag != 0x30:
            raise ValueError("not a DER SEQUENCE")
        tag, inner_start, inner_end = _tlv(der, start)
        if tag == 0x30:
            oid_tag, oid_start, oid_end = _tlv(der, inner_start)
            if oid_tag != 0x06 or der[oid_start:oid_end] != _RSA_OID:
                raise ValueError("algorithm is not rsaEncryption")
            bits_tag, bits_start, bits_end = _tlv(der, inner_end)
            if bits_tag != 0x03 or bits_start >= bits_end or der[bits_start] != 0:
                raise ValueError("no public-key BIT STRING")
            der = der[bits_start + 1 : bits_end]
            continue
        if tag == 0x02:
            modulus = int.from_bytes(der[inner_start:inner_end], "big")
            if modulus == 0:
                raise ValueError("empty modulus")
            return modulus.bit_length()
        raise ValueError("unexpected DER structure")
    raise ValueError(f"keys nested more than {MAX_KEY_NESTING} deep")


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """Tag, content start and content end of the DER element at ``pos``."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    header = 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + 2 + count > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos + 2 : pos + 2 + count], "big")
        header += count
    start = pos + header
    end = start + length
    if end > len(data):
        raise ValueError("truncated DER")
    return tag, start, end
