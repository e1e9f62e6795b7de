"""The error catalog and the RFC reply-code tables as pydantic models.

Each catalog entry is one error a provider documents: the reply code (SMTP)
or HTTP status and designation (HTTPS), the server's text exactly as
documented, what it means, why it happens, the fix and whether a retry helps.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import Field, StringConstraints, model_validator

from wizard.data.strict import Strict
from wizard.fixes.vocabulary import Action

ENHANCED_CODE = r"[245]\.\d{1,3}\.\d{1,3}"
_LEADING_ENHANCED = re.compile(rf"^({ENHANCED_CODE})\s+")
_PLACEHOLDER = re.compile(r"<([^<>]*)>")

Topic = Literal[
    "suppressed", "sender_not_approved", "auth_failed", "rate_limited", "message_rejected",
    "tls_or_connection", "https_request", "service_error", "other",
]
"""What an error is about, so a flow can branch on it: the recipient is suppressed, the sender
is not approved, the credentials or AUTH exchange failed, a send rate or connection limit was
hit, the message (size, headers, parse, recipients, From) was refused, the connection or TLS
broke, an HTTPS request was malformed, the service failed on its side, or something else."""
TOPICS: tuple[str, ...] = get_args(Topic)




class CaptureSpec(Strict):
    """A named value a reply carries, such as the limit or the address."""

    shape: Literal["number", "token", "host", "endpoint"] = Field(
        description="number: digits only; token: any run of text without spaces; host: a "
        "dotted host name, an IP address or localhost; endpoint: host:port, [host]:port or "
        "host[address]:port, which fills the captures host and port")
    description: str


class Matching(Strict):
    """Tuning of the matcher (how far it looks around a reply for its code)."""

    context_tokens: int = Field(ge=4, le=1000,
                                description="Words looked at either side for an HTTPS designation")
    weak_min_tokens: int = Field(ge=1, le=20, description="Words a reply must have to match "
                                 "without a code or designation beside it")


class CatalogFix(Strict):
    """What to do: words for a person, actions for a machine (templates: captures, provider.*)."""

    title: str
    text: str = ""
    actions: list[Action] = Field([])


class Retry(Strict):
    """Whether sending again helps."""

    kind: Literal["transient", "rate_limit", "permanent"]
    advice: str

    @property
    def helps(self) -> bool:
        """True unless the failure is permanent."""
        return self.kind != "permanent"


class Entry(Strict):
    """One documented error: a server's reply (smtp, https) or what a client prints (client)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    protocol: Literal["smtp", "https", "client"] = Field(
        description="smtp or https: a reply of the server; client: an error an application, "
        "library or mail server raises or logs by itself (an exception, a log line)")
    client: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$",
                               description="client entries: what prints it, e.g. python, java, "
                               "node, dotnet, php, postfix, sendmail")
    code: int | None = Field(None, ge=100, le=599,
                             description="SMTP reply code or HTTP status (not for client)")
    enhanced_code: str | None = Field(None, pattern=rf"^{ENHANCED_CODE}$")
    error_code: str | None = Field(None, description="HTTPS designation, e.g. InvalidParameter")
    reply: str = Field(min_length=1, description="The server's text as documented")
    patterns: list[str] = Field([],
                                description="Texts to match instead of 'reply' (alternatives)")
    placeholders: dict[str, str] = Field({},
                                         description="<placeholder> -> capture name")
    meaning: str
    causes: list[str] = Field(min_length=1)
    fix: CatalogFix
    retry: Retry
    topic: Topic = Field(description="What the error is about (flows branch on it)")
    flow: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Flow to continue with")
    inputs: dict[str, str] = Field(
        {}, description="Inputs of 'flow' filled from the captures "
        "(templates such as '{host}' or '[{host}]:{port}'); one whose captures the text "
        "lacks is left out")
    rank: int = Field(0, ge=0, le=9, description="Among matches found as surely, a higher "
                      "rank comes first: a nested cause (a TLS handshake failure) before "
                      "the wrapper that reports it (could not connect)")
    not_on_reference_page: list[str] = Field(
        [], description="Claims of this entry that the provider's page "
        "does not make, each copied word for word from its meaning, causes, fix or retry "
        "advice (shown to the user as such)")

    @model_validator(mode="after")
    def _protocol_fields(self) -> Entry:
        if self.protocol == "client":
            if self.code is not None or self.enhanced_code or self.error_code:
                raise ValueError("a client entry has no 'code', 'enhanced_code' or "
                                 "'error_code' (the server's reply is another entry)")
            if not self.client:
                raise ValueError("a client entry needs 'client' (what prints it)")
            return self
        if self.client:
            raise ValueError("'client' is for client entries")
        if self.code is None:
            raise ValueError(f"an {self.protocol} entry needs 'code'")
        if self.protocol == "https" and not self.error_code:
            raise ValueError("an https entry needs 'error_code' (its designation)")
        if self.protocol == "smtp" and self.error_code:
            raise ValueError("'error_code' is for https entries; smtp uses 'enhanced_code'")
        leading = _LEADING_ENHANCED.match(self.reply)
        if leading and leading.group(1) != self.enhanced_code:
            raise ValueError(f"reply starts with {leading.group(1)} but enhanced_code is "
                             f"{self.enhanced_code}")
        return self

    @property
    def label(self) -> str:
        """How the entry is headed: ``535``, ``404 NotAuthorizedOrNotFound`` or ``python:``."""
        if self.protocol == "client":
            return f"{self.client}:"
        return f"{self.code} {self.error_code}" if self.error_code else str(self.code)

    def match_texts(self) -> list[str]:
        """The texts the matcher looks for: ``patterns``, else ``reply`` without its status code."""
        if self.patterns:
            return list(self.patterns)
        return [_LEADING_ENHANCED.sub("", self.reply, count=1)]

    def placeholder_names(self) -> list[str]:
        """The ``<placeholders>`` of the match texts, as written."""
        return [m.group(1) for text in self.match_texts() for m in _PLACEHOLDER.finditer(text)]

    def capture_name(self, placeholder: str) -> str:
        """The capture a ``<placeholder>`` fills (itself unless ``placeholders`` renames it)."""
        return self.placeholders.get(placeholder, placeholder)


def split_placeholders(text: str) -> list[tuple[str, bool]]:
    """``text`` as pieces: ``(literal, False)`` and ``(placeholder, True)``, in order."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        pieces.append((text[last:match.start()], False))
        pieces.append((match.group(1), True))
        last = match.end()
    pieces.append((text[last:], False))
    return [(piece, slot) for piece, slot in pieces if slot or piece]


class Catalog(Strict):
    """An error catalog: the errors one provider documents."""

    kind: Literal["catalog"] = Field("catalog", description="What this file is")
    version: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    provider: str = Field(description="Provider profile id whose facts fix texts may use")
    source: str
    matching: Matching
    captures: dict[str, CaptureSpec]
    context: list[str] = Field(
        [], description="Texts anywhere in a paste that fill captures a "
        "match lacks but its 'inputs' need, e.g. the call that opened the connection: "
        "'smtplib.SMTP <host> <port>'")
    entries: list[Entry] = Field(min_length=1)


Digit = Annotated[str, StringConstraints(pattern=r"^\d$")]
ReplyCode = Annotated[str, StringConstraints(pattern=r"^[2-5]\d\d$")]
SubjectDetail = Annotated[str, StringConstraints(pattern=r"^\d{1,3}\.\d{1,3}$")]


class RfcCodes(Strict):
    """What reply codes and enhanced status codes mean in general (RFC 5321, RFC 3463)."""

    kind: Literal["catalog"] = Field("catalog", description="What this file is")
    version: Literal[1] = 1
    source: str
    reply_classes: dict[Digit, str] = Field(description="First digit")
    reply_categories: dict[Digit, str] = Field(description="Second digit")
    replies: dict[ReplyCode, str] = Field(description="Whole codes the RFCs name")
    enhanced_classes: dict[Digit, str]
    enhanced_subjects: dict[Digit, str]
    enhanced_details: dict[SubjectDetail, str] = Field(description="'subject.detail' -> meaning")
