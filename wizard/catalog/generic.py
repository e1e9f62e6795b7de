"""Explain a reply no catalog entry knows, from RFC 5321 and RFC 3463 alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wizard.catalog.model import RfcCodes
from wizard.catalog.tokens import Stream, is_enhanced_code, is_reply_code

_BEFORE_REPLY = "('\""
_WORDS_BEFORE_REPLY = frozenset({"said", "b", "response", "reply"})


@dataclass(frozen=True)
class GenericExplanation:
    """A reply explained by its code's class and category and its enhanced code's parts."""

    code: str | None
    enhanced_code: str | None
    text: str
    reply_class: str | None
    reply_category: str | None
    reply_meaning: str | None
    enhanced_class: str | None
    enhanced_subject: str | None
    enhanced_detail: str | None
    source: str

    def as_json(self) -> dict[str, Any]:
        """The JSON form (``generic`` in ``explain --json``)."""
        return {
            "code": self.code, "enhanced_code": self.enhanced_code, "reply": self.text,
            "class": self.reply_class, "category": self.reply_category,
            "meaning": self.reply_meaning,
            "enhanced": None if self.enhanced_code is None else {
                "class": self.enhanced_class, "subject": self.enhanced_subject,
                "detail": self.enhanced_detail},
            "source": self.source,
        }


def _looks_like_reply(stream: Stream, index: int) -> bool:
    tokens = stream.tokens
    lo, hi = stream.line_range(index)
    if index + 1 >= hi:
        return False
    if index == lo:
        return True
    start = tokens[index].start
    if start > 0 and stream.text[start - 1] in _BEFORE_REPLY:
        return True
    return tokens[index - 1].norm in _WORDS_BEFORE_REPLY


def _pick_reply(stream: Stream) -> tuple[int | None, str | None]:
    """The reply to explain: the first failure (4xx/5xx), else the first reply; else a lone DSN."""
    first: int | None = None
    lone_enhanced: str | None = None
    for i, token in enumerate(stream.tokens):
        if is_reply_code(token.norm) and _looks_like_reply(stream, i):
            if token.norm[0] in "45":
                return i, None
            if first is None:
                first = i
        elif lone_enhanced is None and token.norm.startswith("dsn="):
            value = token.norm[4:]
            if is_enhanced_code(value):
                lone_enhanced = value
    return first, lone_enhanced


def explain_generic(stream: Stream, rfc: RfcCodes) -> GenericExplanation | None:
    """Explain the most relevant reply in ``stream``; None when the text holds no reply code."""
    index, enhanced = _pick_reply(stream)
    code: str | None = None
    text = ""
    if index is not None:
        tokens = stream.tokens
        _, hi = stream.line_range(index)
        code = tokens[index].norm
        following = index + 1
        while following < hi and tokens[following].norm in _WORDS_BEFORE_REPLY:
            following += 1
        if following < hi and is_enhanced_code(tokens[following].norm):
            enhanced = tokens[following].norm
        start = tokens[index].start
        stop = stream.text.find("\n", start)
        text = stream.text[start:stop if stop >= 0 else len(stream.text)].rstrip()
    if code is None and enhanced is None:
        return None
    parts = enhanced.split(".") if enhanced else [None, None, None]
    detail_key = f"{parts[1]}.{parts[2]}" if enhanced else ""
    return GenericExplanation(
        code=code,
        enhanced_code=enhanced,
        text=text,
        reply_class=rfc.reply_classes.get(code[0]) if code else None,
        reply_category=rfc.reply_categories.get(code[1]) if code else None,
        reply_meaning=rfc.replies.get(code) if code else None,
        enhanced_class=rfc.enhanced_classes.get(parts[0]) if parts[0] else None,
        enhanced_subject=rfc.enhanced_subjects.get(parts[1]) if parts[1] else None,
        enhanced_detail=rfc.enhanced_details.get(detail_key) if enhanced else None,
        source=rfc.source,
    )
