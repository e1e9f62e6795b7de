"""The form for a flow's inputs: one typed field per input, checked before the walk starts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Label, RadioButton, RadioSet, Static

from wizard.flow.model import Flow, InputSpec
from wizard.inputs import BadInput, check_input
from wizard.tui.field_text import for_tui, placeholder
from wizard.tui.host import wizard_host


class Field(Vertical):
    """One input of the flow: label, the editor for its type, help and the last error."""

    DEFAULT_CSS = """
    Field {
        height: auto;
        margin-bottom: 1;
        & > .field-label { text-style: bold; }
        & > .field-help { color: $text-muted; padding-left: 1; }
        & > .field-error { color: $text-error; padding-left: 1; display: none; }
        &.-invalid > .field-error { display: block; }
        &.-invalid > Input { border: tall $error; }
    }
    """

    def __init__(self, name: str, spec: InputSpec, cursor_blink: bool = True,
                 value: str | None = None, help_text: str | None = None) -> None:
        super().__init__()
        self.input_name = name
        self.spec = spec
        self.cursor_blink = cursor_blink
        self.value = value
        """A value to start with instead of the default (filled in from an explained error)."""
        self.help_text = spec.help if help_text is None else help_text
        """The help as the TUI words it (fields, not ``--set``)."""

    def compose(self) -> ComposeResult:
        """Label, editor, help and a hidden error line."""
        required = self.spec.required and self.spec.default is None
        label = self.spec.label or self.input_name
        yield Label(f"{label}{' *' if required else ''}", classes="field-label", markup=False)
        yield self._editor()
        if self.help_text:
            yield Static(self.help_text, classes="field-help", markup=False)
        yield Static("", classes="field-error", markup=False)

    def _editor(self) -> Widget:
        start = self.value if self.value is not None else self.spec.default
        if self.spec.type == "choice":
            default = str(start) if start is not None else None
            return RadioSet(*(RadioButton(choice, value=choice == default)
                              for choice in self.spec.choices))
        value = "" if start is None or self.spec.type == "secret" else str(start)
        editor = Input(value=value, password=self.spec.type == "secret",
                       placeholder=placeholder(self.input_name, self.spec))
        editor.cursor_blink = self.cursor_blink
        return editor

    @property
    def editor(self) -> Input | RadioSet:
        """The widget the user edits."""
        return self.query_one("Input, RadioSet")  # type: ignore[return-value]

    def raw(self) -> str:
        """What the user entered (for a choice, the pressed button's label)."""
        editor = self.editor
        if isinstance(editor, RadioSet):
            index = editor.pressed_index
            return self.spec.choices[index] if index >= 0 else ""
        return editor.value if self.spec.type == "secret" else editor.value.strip()

    def check(self) -> tuple[bool, Any]:
        """Validate with :func:`wizard.inputs.check_input`; show the reason when it fails.

        Returns ``(ok, value)``; ``value`` is ``None`` for an empty optional field.
        """
        raw = self.raw()
        error = ""
        value: Any = None
        if raw == "":
            if self.spec.required and self.spec.default is None:
                error = f"{self.input_name}: required"
        else:
            try:
                value = check_input(self.input_name, self.spec, raw)
            except BadInput as exc:
                error = str(exc)
            else:
                error = self._region_problem(value)
        self.set_class(bool(error), "-invalid")
        self.query_one(".field-error", Static).update(error)
        return not error, value


    def _region_problem(self, value: Any) -> str:
        """A region no provider profile lists is refused here, before any check runs."""
        if self.spec.type != "region" or not isinstance(value, str):
            return ""
        from wizard.data.diagnostics import did_you_mean
        from wizard.providers.loader import known_region_ids

        known = known_region_ids()
        if not known or value in known:
            return ""
        return f"{self.input_name}: no provider lists a region {value!r}" + did_you_mean(
            value, sorted(known))


class InputsScreen(Screen[dict[str, Any] | None]):
    """Asks for the flow's inputs; ``Run`` checks them all and starts the walk."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+r", "start", "Run"),
    ]

    def __init__(self, flow: Flow, prefill: Mapping[str, object] | None = None,
                 returns_values: bool = False, note: str = "") -> None:
        super().__init__()
        self.flow = flow
        self.prefill = dict(prefill or {})
        """Values to start the fields with (from an explained error or a tour)."""
        self.returns_values = returns_values
        """Dismiss with the checked values instead of starting the walk here (tours)."""
        self.note = note
        self.sub_title = flow.title

    def compose(self) -> ComposeResult:
        """Title, purpose, one field per input and the run button."""
        blink = wizard_host(self.app).cursor_blink
        yield Header()
        with VerticalScroll(id="form"):
            yield Static(self.flow.title, id="form-title", markup=False)
            if self.flow.description:
                yield Static(self.flow.description, id="form-purpose", markup=False)
            if self.note:
                yield Static(self.note, id="form-note", markup=False)
            for name, spec in self.flow.inputs.items():
                given = self.prefill.get(name)
                yield Field(name, spec, cursor_blink=blink,
                            value=None if given in (None, "") else str(given),
                            help_text=for_tui(spec.help, self.flow.inputs))
            yield Button("Run the checks", id="start", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the first field still empty (else the first)."""
        fields = list(self.query(Field))
        empty = [f for f in fields if f.raw() == "" or f.spec.type == "choice"]
        if empty or fields:
            (empty or fields)[0].editor.focus()

    @on(Input.Submitted)
    def _field_done(self, event: Input.Submitted) -> None:
        field = next((a for a in event.input.ancestors if isinstance(a, Field)), None)
        if field is None:
            return
        ok, _ = field.check()
        if not ok:
            return
        fields = list(self.query(Field))
        if field is fields[-1]:
            self.action_start()
        else:
            fields[fields.index(field) + 1].editor.focus()

    def action_back(self) -> None:
        """Leave the form without starting anything."""
        self.dismiss(None)

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        """Check every field; start the walk when all are good, else focus the first bad one."""
        values: dict[str, Any] = {}
        first_bad: Field | None = None
        for field in self.query(Field):
            ok, value = field.check()
            if not ok and first_bad is None:
                first_bad = field
            elif ok and value is not None:
                values[field.input_name] = value
        if first_bad is not None:
            first_bad.editor.focus()
            return
        if self.returns_values:
            self.dismiss(values)
            return
        wizard_host(self.app).start_walk(self.flow, values)
