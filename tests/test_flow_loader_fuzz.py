"""Whatever a flow file holds, loading it raises only DataFileError, and quickly.

Three sources of hostile text: a shipped flow with a slice replaced by YAML
punctuation, anchors, aliases, tags and long numbers; random YAML data
dumped under flow keys; and arbitrary text.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import FLOWS
from wizard.data.diagnostics import DataFileError
from wizard.flow.loader import load_flow

PER_EXAMPLE_SECONDS = 3.0
"""The most one example may take (most take a few milliseconds)."""

SEED_FLOW = (FLOWS / "tcp-port.yaml").read_text()
TOKENS = st.sampled_from([
    "&a ", "*a", "&b [*a, *a, *a]", "[", "]", "{", "}", "- ", ": ", "\n", "  ", "!!int ",
    "!boom ", "!!binary ", "<<: *a", "? ", "---\n", "...", "9" * 80, "1e9999", "2024-13-45",
    "\t", "'", '"', "#", "|\n", ">-\n", "\x00", "\ufeff", "%YAML 1.1\n", "kind: probe",
    "on: {default: connect}", "steps:", "id: x", "{host}", "{{", "}}",
])
MUTATED = st.tuples(st.integers(0, len(SEED_FLOW)), st.integers(0, 80),
                    st.lists(TOKENS, max_size=12).map("".join)).map(
    lambda t: SEED_FLOW[:t[0]] + t[2] + SEED_FLOW[t[0] + t[1]:])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from(["tcp.connect", "probe", "end",
                                                           "connect", "default", "{host}"]))
KEYS = st.sampled_from(["id", "title", "start", "steps", "inputs", "kind", "probe", "with",
                        "on", "next", "var", "type", "choices", "findings", "fixes", "when",
                        "connect", "default", "host", "message", "x"])
DATA: st.SearchStrategy[Any] = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                     st.dictionaries(KEYS, inner, max_size=5)), max_leaves=30)
DUMPED = st.dictionaries(KEYS, DATA, max_size=6).map(
    lambda d: yaml.safe_dump(d, allow_unicode=True))
TEXTS = st.one_of(MUTATED, DUMPED, st.text(max_size=300))


def load_text(text: str) -> None:
    """Write ``text`` to a flow file and load it; only DataFileError may come out."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        started = time.monotonic()
        try:
            load_flow(path)
        except DataFileError as exc:
            assert exc.diagnostics, "a DataFileError names at least one defect"
            for defect in exc.diagnostics:
                assert defect.line >= 1 and defect.col >= 1
        assert time.monotonic() - started < PER_EXAMPLE_SECONDS


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_loading_any_flow_text_raises_only_data_file_errors(text: str) -> None:
    load_text(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 12), st.integers(2, 12))
def test_aliases_that_multiply_are_refused_in_bounded_time(levels: int, width: int) -> None:
    lines = ["a0: &a0 [" + ",".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]"
              for i in range(1, levels)]
    load_text("\n".join(lines) + "\n")
