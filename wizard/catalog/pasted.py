"""Is the pasted input text at all? (Empty input and binary junk are usage errors.)"""

from __future__ import annotations

_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def input_problem(text: str) -> str | None:
    """Why ``text`` cannot be explained (empty, binary), or None when it is fine."""
    if not text.strip():
        return "nothing to explain: the text is empty"
    if "\x00" in text:
        return "this looks like binary data, not text (it contains NUL bytes)"
    controls = sum(1 for c in text if c < " " and c not in _ALLOWED_CONTROLS)
    if controls * 10 > len(text):
        return "this looks like binary data, not text (too many control characters)"
    return None


def decode_input(raw: bytes) -> str:
    """Bytes read from stdin as text; ``ValueError`` (with the reason) when not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the input is not UTF-8 text (byte {exc.start})") from None
