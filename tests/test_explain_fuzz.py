"""Whatever is pasted, the matcher answers without raising; the CLI exits 0 or 1."""

from __future__ import annotations

import io
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.explain_pastes import paste_forms
from wizard.catalog import explain, explanation_json, input_problem, load_error_catalog
from wizard.cli import main

CATALOG = load_error_catalog()
FRAGMENTS = [form for entry in CATALOG.catalog.entries for form in paste_forms(entry).values()]
WORDS = st.sampled_from(["535", "421-", "4.7.1", "b'", "said:", '"code":', "limit", "is",
                         "<>", "\\n", "InvalidParameter", "Too", "many", "(", ")", "-", "\n"])
TEXTS = st.one_of(
    st.text(),
    st.lists(WORDS, max_size=40).map(" ".join),
    st.tuples(st.sampled_from(FRAGMENTS), st.text(max_size=30), st.integers(0, 400)).map(
        lambda t: t[0][:t[2]] + t[1] + t[0][t[2]:]),
)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_explain_never_raises_and_json_is_serialisable(text: str) -> None:
    explanation = explain(text, CATALOG)
    assert explanation.exit_code in (0, 1)
    data = explanation_json(explanation)
    assert set(data) == {"matches", "generic"}
    for match in explanation.matches:
        for name in match.captures:
            assert name in CATALOG.catalog.captures


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_cli_exits_0_or_1_for_any_text_and_2_only_for_bad_input(
        text: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code = main(["explain", "-", "--json"])
    out = capsys.readouterr()
    if input_problem(text.removeprefix("\ufeff")) is None:
        assert code in (0, 1)
        assert "Traceback" not in out.err
    else:
        assert code == 2 and out.err.startswith("email-wizard: explain:")
