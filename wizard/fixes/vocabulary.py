"""The fix vocabulary: what a diagnosis says (:class:`Finding`, its :data:`Severity`) and
what to do about it (:class:`Fix` and its typed actions: ``dns``, ``postconf``, ``console``,
``message``, ``network``, ``oci``), machine-readable so that a fix can be shown, applied or
checked. Flows, the catalog, reports and both front-ends speak it; it knows nothing of them.
"""


from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from wizard.data.strict import Strict

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
"""Most severe first: sort findings by ``SEVERITY_RANK[f.severity]``."""

CATALOG_FIX = "catalog_fix"
"""The fact under which a probe publishes a ready-made :class:`Fix` (as JSON: ``id``,
``title``, ``text``, ``actions``) — ``catalog.explain``'s matched entry's fix. A flow's fix
step offers it with ``fixes_from: <probe id>``."""

CATALOG_FIX_PREFIX = "catalog."
"""Fix ids under this prefix are catalog entries' fixes (``catalog.<entry id>``); a library
or inline fix may not take one."""


class Finding(Strict):
    """Something wrong (or worth knowing) that the flow found."""

    id: str
    severity: Severity = "error"
    message: str


class DnsAction(Strict):
    """Add, delete or replace one DNS record."""

    type: Literal["dns"]
    op: Literal["add", "delete", "replace"]
    name: str = Field(description="Absolute name with the trailing dot")
    rtype: str
    value: str
    old_value: str = Field("", description="For replace: the value to replace")
    zone: str = ""
    zone_relative_name: str = ""
    ttl: int | None = None


class PostconfAction(Strict):
    """Set or remove one Postfix main.cf parameter."""

    type: Literal["postconf"]
    op: Literal["set", "remove"]
    param: str
    value: str = ""


class ConsoleAction(Strict):
    """A step only the provider's console or CLI can do."""

    type: Literal["console"]
    instruction: str
    where: str = ""
    command: str = ""


class MessageAction(Strict):
    """A change to the message or the sending client."""

    type: Literal["message"]
    change: str
    detail: str = ""


class NetworkAction(Strict):
    """An egress (or ingress) rule to open."""

    type: Literal["network"]
    protocol: Literal["tcp", "udp"] = "tcp"
    port: str
    destination: str
    direction: Literal["egress", "ingress"] = "egress"
    where: str = ""


class OciAction(Strict):
    """A change the provider's API can make; applied only with ``--apply``, then re-read."""

    type: Literal["oci"]
    op: Literal["delete_suppression", "create_sender"]
    address: str = Field(description="The email address the change is about")
    resource: str = Field("", description="OCID of the resource acted on (the suppression "
                          "to delete); empty when the change creates it")
    compartment: str = Field("", description="Compartment OCID (empty: the profile's tenancy)")
    warning: str = Field("", description="What to weigh before applying (e.g. a complaint)")


Action = Annotated[
    DnsAction | PostconfAction | ConsoleAction | MessageAction | NetworkAction | OciAction,
    Field(discriminator="type"),
]


def applicability_problem(applicable: bool, actions: list[Action], applies_to: str) -> str:
    """Why a fix that says it is ``applicable`` cannot be applied ("" when it can): postconf
    actions need the main.cf they edit, and only postconf and oci actions can be applied."""
    if not applicable:
        return ""
    postconf = any(isinstance(a, PostconfAction) for a in actions)
    if postconf and not applies_to:
        return "an applicable fix needs 'applies_to' (the main.cf it edits)"
    if not postconf and not any(isinstance(a, OciAction) for a in actions):
        return "an applicable fix needs postconf or oci actions"
    return ""


class Fix(Strict):
    """A fix: words for a person and actions for a machine."""

    id: str
    title: str
    text: str = ""
    actions: list[Action] = Field([])
    applicable: bool = Field(False, description="May be applied with --apply (its postconf "
                             "and oci actions)")
    applies_to: str = Field("", description="The file the fix's postconf actions edit "
                            "(main.cf); a template, e.g. {config.main_cf}")

    @model_validator(mode="after")
    def _applicable_has_a_target(self) -> Self:
        problem = applicability_problem(self.applicable, self.actions, self.applies_to)
        if problem:
            raise ValueError(problem)
        return self
