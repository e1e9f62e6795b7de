"""The flow language as pydantic models: what a flow YAML file may say.

A flow is a decision tree: typed ``inputs``, a ``start`` step and named
``steps`` of five kinds — ``ask``, ``probe``, ``switch``, ``fix`` and ``end``. Every
model forbids unknown keys, so a typo is a load error with a line number.
The JSON Schema that editors use is exported from these models
(``email-wizard schema``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

InputType = Literal[
    "text", "domain", "email", "host", "port", "ports", "selector", "path", "secret", "choice",
    "region",
]
Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
"""Most severe first: sort findings by ``SEVERITY_RANK[f.severity]``."""
Status = Literal["healthy", "problem", "inconclusive"]


class Strict(BaseModel):
    """Base: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class InputSpec(Strict):
    """A value the flow needs from the user (``--set NAME=VALUE`` headless, a field in the TUI)."""

    type: InputType = "text"
    label: str = Field("", description="Short label shown next to the field")
    help: str = Field("", description="One sentence: what to enter and where to find it")
    required: bool = Field(False, description="Must be given (a default makes it optional)")
    default: str | int | None = None
    choices: list[str] = Field(default_factory=list, description="Allowed values (type: choice)")

    @model_validator(mode="after")
    def _choices_fit_type(self) -> InputSpec:
        if self.type == "choice" and not self.choices:
            raise ValueError("an input of type 'choice' needs 'choices'")
        if self.type == "secret" and self.default is not None:
            raise ValueError("a secret input cannot have a default")
        return self


class ProbeCall(Strict):
    """One probe of a step: its registered name and templated parameters."""

    probe: str = Field(description="A registered probe name, e.g. tcp.connect")
    with_: dict[str, Any] = Field(default_factory=dict, alias="with",
                                  description="Parameters; strings may use {name} templates")


class WhenRule(Strict):
    """A branch on several probes' outcomes at once; the first rule that matches wins."""

    when: dict[str, str | list[str]] = Field(description="probe id -> outcome or outcomes")
    goto: str


class AskStep(Strict):
    """Ask the user; the answer is stored in ``var``."""

    kind: Literal["ask"]
    title: str = ""
    question: str
    var: str = Field(description="Variable the answer is stored in")
    type: InputType = "text"
    help: str = ""
    choices: list[str] = Field(default_factory=list)
    on: dict[str, str] = Field(default_factory=dict,
                               description="choice -> next step; 'default' for the rest")
    next: str | None = None

    @model_validator(mode="after")
    def _has_a_way_on(self) -> AskStep:
        if not self.on and self.next is None:
            raise ValueError("an ask step needs 'next' or 'on'")
        if self.type == "choice" and not self.choices:
            raise ValueError("an ask step of type 'choice' needs 'choices'")
        return self


class ProbeStep(Strict):
    """Run one probe, or several concurrently, and branch on the outcome."""

    kind: Literal["probe"]
    title: str = ""
    probe: str | None = Field(None, description="Shorthand for one probe (its id is the step's)")
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    probes: dict[str, ProbeCall] = Field(default_factory=dict,
                                         description="Several probes, run concurrently, by id")
    branch_on: str | None = Field(None, description="Which probe's outcome 'on' maps")
    when: list[WhenRule] = Field(default_factory=list)
    on: dict[str, str] = Field(default_factory=dict,
                               description="outcome -> next step; 'default' for the rest")

    @model_validator(mode="after")
    def _one_form(self) -> ProbeStep:
        if (self.probe is None) == (not self.probes):
            raise ValueError("a probe step needs exactly one of 'probe' or 'probes'")
        if self.probe is None and self.with_:
            raise ValueError("'with' belongs inside each entry of 'probes'")
        if len(self.probes) > 1 and self.branch_on is None and self.on:
            raise ValueError("a step with several probes needs 'branch_on' to use 'on'")
        if not self.on and not self.when:
            raise ValueError("a probe step needs 'on' or 'when'")
        return self

    def calls(self, step_id: str) -> dict[str, ProbeCall]:
        """The step's probes by id (the shorthand form's id is the step's own)."""
        if self.probe is not None:
            return {step_id: ProbeCall(probe=self.probe, **{"with": self.with_})}
        return dict(self.probes)

    def branch_probe(self, step_id: str) -> str | None:
        """The id of the probe whose outcome ``on`` maps."""
        if self.probe is not None:
            return step_id
        if self.branch_on is not None:
            return self.branch_on
        return next(iter(self.probes)) if len(self.probes) == 1 else None


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


class Fix(Strict):
    """A fix: words for a person and actions for a machine."""

    id: str
    title: str
    text: str = ""
    actions: list[Action] = Field(default_factory=list)
    applicable: bool = Field(False, description="May be applied with --apply (its postconf "
                             "and oci actions)")
    applies_to: str = Field("", description="The file the fix's postconf actions edit "
                            "(main.cf); a template, e.g. {config.main_cf}")

    @model_validator(mode="after")
    def _applicable_has_a_target(self) -> Fix:
        postconf = any(isinstance(a, PostconfAction) for a in self.actions)
        if self.applicable and postconf and not self.applies_to:
            raise ValueError("an applicable fix needs 'applies_to' (the main.cf it edits)")
        if self.applicable and not postconf and not any(isinstance(a, OciAction)
                                                        for a in self.actions):
            raise ValueError("an applicable fix needs postconf or oci actions")
        return self


class FixStep(Strict):
    """A diagnosis: findings and fixes; may continue to a re-check with ``next``."""

    kind: Literal["fix"]
    title: str = ""
    findings: list[Finding] = Field(default_factory=list)
    fixes: list[Fix] = Field(default_factory=list)
    next: str | None = None
    status: Status = "problem"


class SwitchStep(Strict):
    """Branch on a value already known — an input, an answer or a probe's fact.

    ``value`` is a template; its rendered text is compared with each key of
    ``cases`` (case-insensitively unless ``ignore_case`` is false, surrounding
    blanks ignored); no match takes ``default``. An empty value matches the
    key ``""``. Nothing is evaluated: it is a lookup, not an expression.
    """

    kind: Literal["switch"]
    title: str = ""
    value: str = Field(description="Template whose text picks the case, e.g. {config.relayhost}")
    cases: dict[str, str] = Field(description="text -> next step")
    default: str = Field(description="next step when no case matches")
    ignore_case: bool = True


class EndStep(Strict):
    """The end of a path."""

    kind: Literal["end"]
    title: str = ""
    message: str = ""
    status: Status = "healthy"


Step = Annotated[AskStep | ProbeStep | SwitchStep | FixStep | EndStep,
                 Field(discriminator="kind")]


class Flow(Strict):
    """One decision tree."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str = Field("", description="One line: what the flow finds out")
    inputs: dict[str, InputSpec] = Field(default_factory=dict)
    start: str
    steps: dict[str, Step]
    provider: str | None = Field(None, description="Provider profile id the flow reads")

    @property
    def secret_names(self) -> frozenset[str]:
        """Every name whose value is a secret: inputs of type ``secret`` and the variables
        of ``ask`` steps of type ``secret``. The one list both front-ends and the CLI use."""
        names = {name for name, spec in self.inputs.items() if spec.type == "secret"}
        names |= {step.var for step in self.steps.values()
                  if isinstance(step, AskStep) and step.type == "secret"}
        return frozenset(names)


def flow_json_schema() -> dict[str, Any]:
    """The JSON Schema of a flow file, for editors."""
    schema = Flow.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://email-wizard.invalid/schema/flow.schema.json"
    return schema
