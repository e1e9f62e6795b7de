"""The error catalog: match pasted SMTP replies and HTTPS errors to documented errors.

Headless API (the CLI's ``explain`` and the TUI use the same)::

    catalog = load_error_catalog()
    explanation = explain(text, catalog)
    explanation_json(explanation)
"""

from wizard.catalog.match import (
    ErrorCatalog,
    Explanation,
    Match,
    explain,
    load_error_catalog,
)
from wizard.catalog.pasted import input_problem
from wizard.catalog.report import explanation_json, explanation_text

__all__ = [
    "ErrorCatalog",
    "Explanation",
    "Match",
    "explain",
    "explanation_json",
    "explanation_text",
    "input_problem",
    "load_error_catalog",
]
