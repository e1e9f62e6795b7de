"""The flow language as pydantic models: what a flow YAML file may say.

A flow is a decision tree: typed ``inputs``, a ``start`` step and named
``steps`` of seven kinds — ``ask``, ``probe``, ``switch``, ``fix``, ``end``,
``sequence`` (checks in order) and ``flow`` (another flow run inside this
one). Fixes may be defined once in a library (a flow's ``fixes:`` map or a
``kind: fixes`` file) and used by id with parameters. Every
model forbids unknown keys, so a typo is a load error with a line number.
The JSON Schema that editors use is exported from these models
(``email-wizard schema``).
"""


import functools
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    model_validator,
)

from wizard.data.strict import Strict
from wizard.data.template import LOOKUP
from wizard.fixes.vocabulary import (
    Action,
    Finding,
    Fix,
    applicability_problem,
)

InputType = Literal[
    "text", "domain", "email", "host", "port", "ports", "selector", "path", "secret", "choice",
    "region",
]
Status = Literal["healthy", "problem", "inconclusive"]

DEFAULT = "default"
"""The key of an ``on``/``cases`` map that catches every answer or outcome not named."""

class Guarded(Strict):
    """What every step may say: ``if: "{name}"`` + ``else: STEP`` (a lookup, not an expression).

    The step runs only when ``name`` has a non-empty value; otherwise the
    walk goes to ``else`` (the guarded step's own work is skipped).
    """

    if_: str | None = Field(None, alias="if", description="Run only when this lookup, "
                            "e.g. \"{relayhost}\", is non-empty")
    else_: str | None = Field(None, alias="else", description="Next step when the 'if' "
                              "lookup is empty or unset")

    @model_validator(mode="after")
    def _guard_is_a_lookup(self) -> Self:
        if self.if_ is not None and not LOOKUP.fullmatch(self.if_.strip()):
            raise ValueError("'if' takes one lookup, e.g. \"{name}\" — never an expression")
        if (self.if_ is None) != (self.else_ is None):
            raise ValueError("'if' and 'else' go together")
        return self

    def guard(self) -> str | None:
        """The name the ``if:`` guard looks up, or None."""
        return None if self.if_ is None else self.if_.strip()[1:-1]


class InputSpec(Strict):
    """A value the flow needs from the user (``--set NAME=VALUE`` headless, a field in the TUI)."""

    type: InputType = "text"
    label: str = Field("", description="Short label shown next to the field")
    help: str = Field("", description="One sentence: what to enter and where to find it")
    required: bool = Field(False, description="Must be given (a default makes it optional)")
    default: str | int | None = None
    choices: list[str] = Field([], description="Allowed values (type: choice)")

    @model_validator(mode="after")
    def _choices_fit_type(self) -> Self:
        if self.type == "choice" and not self.choices:
            raise ValueError("an input of type 'choice' needs 'choices'")
        if self.type == "secret" and self.default is not None:
            raise ValueError("a secret input cannot have a default")
        return self


class ProbeCall(Strict):
    """One probe of a step: its registered name and templated parameters."""

    probe: str = Field(description="A registered probe name, e.g. tcp.connect")
    with_: dict[str, Any] = Field({}, alias="with",
                                  description="Parameters; strings may use {name} templates")


class WhenRule(Strict):
    """A branch on several probes' outcomes at once; the first rule that matches wins."""

    when: dict[str, str | list[str]] = Field(description="probe id -> outcome or outcomes")
    goto: str


class AskStep(Guarded):
    """Ask the user; the answer is stored in ``var``."""

    kind: Literal["ask"]
    title: str = ""
    question: str
    var: str = Field(description="Variable the answer is stored in")
    type: InputType = "text"
    help: str = ""
    choices: list[str] = Field([])
    on: dict[str, str] = Field({},
                               description="choice -> next step; 'default' for the rest")
    next: str | None = None

    @model_validator(mode="after")
    def _has_a_way_on(self) -> Self:
        if not self.on and self.next is None:
            raise ValueError("an ask step needs 'next' or 'on'")
        if self.type == "choice" and not self.choices:
            raise ValueError("an ask step of type 'choice' needs 'choices'")
        return self


class ProbeStep(Guarded):
    """Run one probe, or several concurrently, and branch on the outcome."""

    kind: Literal["probe"]
    title: str = ""
    id: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                           description="Name the single probe's facts are published under "
                           "(<id>.<fact>) instead of the step's")
    probe: str | None = Field(None, description="Shorthand for one probe (its id is the step's)")
    with_: dict[str, Any] = Field({}, alias="with")
    probes: dict[str, ProbeCall] = Field({},
                                         description="Several probes, run concurrently, by id")
    branch_on: str | None = Field(None, description="Which probe's outcome 'on' maps")
    when: list[WhenRule] = Field([])
    on: dict[str, str] = Field({},
                               description="outcome -> next step; 'default' for the rest")

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.probe is None) == (not self.probes):
            raise ValueError("a probe step needs exactly one of 'probe' or 'probes'")
        if self.probe is None and self.with_:
            raise ValueError("'with' belongs inside each entry of 'probes'")
        if len(self.probes) > 1 and self.branch_on is None and self.on:
            raise ValueError("a step with several probes needs 'branch_on' to use 'on'")
        if not self.on and not self.when:
            raise ValueError("a probe step needs 'on' or 'when'")
        if self.id is not None and self.probe is None:
            raise ValueError("'id' names the single 'probe' of a step; in 'probes' each "
                             "entry's key is its id")
        return self

    def calls(self, step_id: str) -> dict[str, ProbeCall]:
        """The step's probes by id (the shorthand form's id is ``id:`` or the step's own)."""
        if self.probe is not None:
            return {self.id or step_id: ProbeCall.model_construct(  # parts already checked
                probe=self.probe, with_=self.with_)}
        return dict(self.probes)

    def branch_probe(self, step_id: str) -> str | None:
        """The id of the probe whose outcome ``on`` maps."""
        if self.probe is not None:
            return self.id or step_id
        if self.branch_on is not None:
            return self.branch_on
        return next(iter(self.probes)) if len(self.probes) == 1 else None


class FixParam(Strict):
    """A parameter a library fix declares (required unless it has a default)."""

    help: str = ""
    default: str | None = None


class LibraryFix(Strict):
    """A fix defined once (its id is its key in a ``fixes:`` map), used with ``use:``.

    Its texts may name only its own ``params`` (``{param}``): everything else
    comes in through the using step's ``with:``.
    """

    title: str
    text: str = ""
    params: dict[str, FixParam] = Field({})
    actions: list[Action] = Field([])
    applicable: bool = False
    applies_to: str = ""

    @model_validator(mode="after")
    def _applicable_has_a_target(self) -> Self:
        problem = applicability_problem(self.applicable, self.actions, self.applies_to)
        if problem:
            raise ValueError(problem)
        return self


class FixUse(Strict):
    """A library fix used by id, its parameters given as templates."""

    use: str = Field(description="Id of a fix in the flow's 'fixes:' map or a fixes file")
    id: str | None = Field(None, description="The id the rendered fix goes by (default: "
                           "the 'use' id); tells alternatives of one library fix apart")
    with_: dict[str, str | int | bool] = Field({}, alias="with",
                                               description="param -> template")


def _fix_form(value: Any) -> str:
    if isinstance(value, dict):
        return "used" if "use" in value else "inline"
    return "used" if isinstance(value, FixUse) else "inline"


FixItem = Annotated[Annotated[Fix, Tag("inline")] | Annotated[FixUse, Tag("used")],
                    Discriminator(_fix_form)]


class OfferedFix(Fix):
    """A rendered fix that is one of a step's ``alternatives`` (choose one with ``--choose``)."""

    alternative_group: str
    alternative: str


class FixStep(Guarded):
    """A diagnosis: findings and fixes; may continue to a re-check with ``next``.

    ``fixes_from`` takes a fix ready-made from a probe (the catalog entry that
    ``catalog.explain`` matched), so the words and actions live once, in the catalog.

    Inside a ``sequence`` a fix step without ``next`` falls through to the
    next check unless ``end`` is true.
    """

    kind: Literal["fix"]
    title: str = ""
    findings: list[Finding] = Field([])
    fixes_from: str | None = Field(
        None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Id of a probe (a probe step's id or its 'id:') that publishes a catalog "
        "fix (catalog.explain): the matched catalog entry's fix, rendered with what the "
        "error captured and the provider's facts, is offered before 'fixes'")
    fixes: list[FixItem] = Field([])
    alternatives: list[FixItem] = Field([],
                                        description="Fixes of which the user applies one "
                                        "(run --apply --choose FIX_ID)")
    next: str | None = None
    status: Status = "problem"
    end: bool = Field(False, description="Inside a sequence: end the flow here instead of "
                      "falling through to the next check")


class SwitchStep(Guarded):
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


class EndStep(Guarded):
    """The end of a path."""

    kind: Literal["end"]
    title: str = ""
    message: str = ""
    status: Status = "healthy"


class SequenceStep(Guarded):
    """Checks run in order: each check's end (or final fix) falls through to the next.

    After the last check the walk goes to ``next``, or the flow ends.
    """

    kind: Literal["sequence"]
    title: str = ""
    checks: list[str] = Field(min_length=1, description="Step ids, run one after the other")
    next: str | None = None


class FlowStep(Guarded):
    """Run another installed flow inside this one; its findings, fixes and trail join ours.

    The sub-flow's status is published as ``{<step>.status}``; ``on`` maps it
    (``healthy``, ``problem``, ``inconclusive``; ``default`` for the rest).
    """

    kind: Literal["flow"]
    title: str = ""
    flow: str = Field(description="Id of the flow to run")
    with_: dict[str, str | int | bool] = Field({}, alias="with",
                                               description="input -> template")
    on: dict[str, str] = Field({}, description="status -> next step")
    next: str | None = None


Step = Annotated[AskStep | ProbeStep | SwitchStep | FixStep | EndStep | SequenceStep | FlowStep,
                 Field(discriminator="kind")]


class Flow(Strict):
    """One decision tree."""

    kind: Literal["flow"] = Field("flow", description="What this file is")
    version: Literal[1] = 1
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    description: str = Field("", description="One line: what the flow finds out")
    inputs: dict[str, InputSpec] = Field({})
    start: str
    steps: dict[str, Step]
    provider: str | None = Field(None, description="Provider profile id the flow reads")
    fixes: dict[str, LibraryFix] = Field({},
                                         description="Fixes this flow's steps use by id")
    _subflows: "dict[str, Flow]" = PrivateAttr({})

    def subflow(self, flow_id: str) -> "Flow | None":
        """A sub-flow the loader resolved for this flow's ``kind: flow`` steps."""
        return self._subflows.get(flow_id)

    def attach_subflows(self, flows: "Mapping[str, Flow]") -> None:
        """Remember the loaded flows this flow's ``kind: flow`` steps run."""
        self._subflows.update(flows)

    def listing(self) -> dict[str, Any]:
        """Id, title, description and inputs as ``list --json`` shows them (and the flow
        cache keeps them, so that a warm ``list`` builds no model)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "inputs": {
                name: {"type": spec.type, "required": spec.required and spec.default is None,
                       "default": spec.default, "help": spec.help,
                       **({"choices": spec.choices} if spec.choices else {})}
                for name, spec in self.inputs.items()
            },
        }

    @functools.cached_property
    def secret_names(self) -> frozenset[str]:
        """Every name whose value is a secret: inputs of type ``secret`` and the variables
        of ``ask`` steps of type ``secret``. The one list both front-ends and the CLI use.

        Worked out once per flow (a flow is immutable): the engine asks for it whenever it
        shows a value."""
        names = {name for name, spec in self.inputs.items() if spec.type == "secret"}
        names |= {step.var for step in self.steps.values()
                  if isinstance(step, AskStep) and step.type == "secret"}
        return frozenset(names)


class FixLibrary(Strict):
    """A shared fixes file (``flows/fixes/*.yaml``)."""

    kind: Literal["fixes"]
    version: Literal[1] = 1
    fixes: dict[str, LibraryFix]


def flow_json_schema() -> dict[str, Any]:
    """The JSON Schema of a flow file, for editors."""
    schema = Flow.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://email-wizard.invalid/schema/flow.schema.json"
    return schema
