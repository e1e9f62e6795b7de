"""The catalog says what the provider's page ("OCI Email Delivery: Troubleshooting") says.

The page's example texts, pasted exactly as printed (placeholders and all), find their
entry first; retry advice agrees with the codes' class; claims the page does not make
are marked as such; no fix proposes a setting that cannot help.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_catalog_files import PAGE_HTTPS, PAGE_SMTP
from wizard.catalog import explain, explanation_json, explanation_text, load_error_catalog
from wizard.catalog.generic import explain_generic
from wizard.catalog.loader import catalog_path, load_catalog_file
from wizard.catalog.tokens import tokenize_text
from wizard.data.diagnostics import DataFileError

CATALOG = load_error_catalog()
ENTRIES = [e for e in CATALOG.catalog.entries if e.protocol != "client"]


def _entry_id(code: int, text: str, designation: str | None = None) -> str:
    [entry] = [e for e in ENTRIES if e.code == code and e.reply == text
               and (designation is None or e.error_code == designation)]
    return entry.id


def _first(text: str) -> str | None:
    matches = explain(text, CATALOG).matches
    return matches[0].entry.id if matches else None


SMTP_ROWS = [(code, text, _entry_id(code, text)) for code, text in PAGE_SMTP]
HTTPS_ROWS = [(code, designation, text, _entry_id(code, text, designation))
              for code, designation, text in PAGE_HTTPS]


@pytest.mark.parametrize(("code", "text", "entry_id"), SMTP_ROWS,
                         ids=[row[2] for row in SMTP_ROWS])
def test_smtp_example_pasted_as_printed_ranks_its_entry_first(
        code: int, text: str, entry_id: str) -> None:
    assert _first(f"{code} {text}") == entry_id
    assert _first(f"{code}\n{text}") == entry_id, "the table row copied line by line"
    assert _first(f"{code}\t{text}") == entry_id, "the table row copied with a tab"
    assert _first(text) == entry_id, "the server text alone, placeholders included"


@pytest.mark.parametrize(("code", "designation", "text", "entry_id"), HTTPS_ROWS,
                         ids=[row[3] for row in HTTPS_ROWS])
def test_https_example_pasted_as_printed_ranks_its_entry_first(
        code: int, designation: str, text: str, entry_id: str) -> None:
    assert _first(text) == entry_id, "the error text alone, placeholders included"
    assert _first(f"{code}\n{designation}\n{text}") == entry_id, "the table row, line by line"
    body = json.dumps({"code": designation.replace(" ", ""), "message": text})
    assert _first(body) == entry_id


def test_the_suppression_example_captures_nothing_from_its_placeholders() -> None:
    [match] = explain("254 4.7.1 Suppression for user <user ocid> to <recpt>", CATALOG).matches
    assert match.entry.id == "smtp-254-suppressed" and match.confirmed
    assert match.captures == {}
    assert match.inputs == {}, "a placeholder is not a recipient to prefill"


@pytest.mark.parametrize(("text", "entry_id"), [
    ("Server error", "smtp-451-server-error"),
    ("Authentication required", "smtp-535-authentication-required"),
    ("Internal Server Error", "https-500-internal-error"),
    ("LimitExceeded Maximum messages sent per minute reached : limit is 10",
     "https-400-limit-exceeded"),
    ("LimitExceeded: Maximum messages sent per day reached : limit is <>",
     "https-400-limit-exceeded"),
    ("Maximum messages sent per minute reached : limit is <limit>", "smtp-455-minute-limit"),
    ("Maximum messages sent per day reached : limit is <>", "https-400-limit-exceeded"),
])
def test_a_text_without_its_code_ranks_the_entry_of_the_right_protocol_first(
        text: str, entry_id: str) -> None:
    assert _first(text) == entry_id


def test_short_texts_still_need_a_code_inside_a_longer_paste() -> None:
    assert explain("the job logged: server error, retrying", CATALOG).matches == ()


def test_suppression_is_a_persistent_transient_failure_not_a_permanent_one() -> None:
    entry = CATALOG.entry("smtp-254-suppressed")
    assert entry.retry.kind == "transient" and entry.retry.helps
    said = " ".join([entry.meaning, entry.retry.advice]).lower()
    assert "permanent" not in said and "persistent transient" in said
    text = explanation_text(explain("254 4.7.1 Suppression for user ocid1.user.oc1..x to "
                                    "bob@example.com", CATALOG))
    assert "Retry helps: yes (transient)" in text


def test_the_generic_rfc_meaning_of_each_entrys_codes_agrees_with_its_retry_advice() -> None:
    for entry in ENTRIES:
        if entry.protocol != "smtp":
            continue
        generic = explain_generic(tokenize_text(f"{entry.code} {entry.enhanced_code or ''} "
                                                f"{entry.reply}"), CATALOG.rfc)
        assert generic is not None
        classes = [generic.enhanced_class or "", generic.reply_class or ""]
        if any(c.startswith(("Persistent transient", "Temporary")) for c in classes):
            assert entry.retry.kind != "permanent", entry.id
        if any(c.startswith("Permanent") for c in classes):
            assert entry.retry.kind == "permanent", entry.id


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    text = catalog_path().read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / "catalog.yaml"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_validation_rejects_a_retry_kind_that_contradicts_the_enhanced_code(
        tmp_path: Path) -> None:
    path = _copy(tmp_path, "    retry:\n      kind: transient\n      advice: >-\n        A "
                 "persistent", "    retry:\n      kind: permanent\n      advice: >-\n        A "
                 "persistent")
    with pytest.raises(DataFileError) as caught:
        load_catalog_file(path, display="catalog.yaml")
    assert "smtp-254-suppressed): retry kind 'permanent' contradicts 4.7.1" in str(caught.value)


def test_the_base64_error_does_not_propose_a_mechanism_filter() -> None:
    for entry_id in ("smtp-501-not-base64", "smtp-501-no-nul", "smtp-501-no-second-nul",
                     "smtp-504-mechanism-mismatch"):
        params = [getattr(a, "param", "") for a in CATALOG.entry(entry_id).fix.actions]
        assert "smtp_sasl_mechanism_filter" not in params, entry_id


UNSOURCED = ["AUTH PLAIN only", "takes AUTH PLAIN", "new tenancies", "low quota",
             "low one", "OCID-like", "shown only once", "only after STARTTLS",
             "service limit increase"]
"""Claims about the service that the page does not make."""


def _said(entry_id: str) -> str:
    entry = CATALOG.entry(entry_id)
    return "\n".join([entry.meaning, *entry.causes, entry.fix.title, entry.fix.text,
                      json.dumps(entry.fix.model_dump()), entry.retry.advice])


def test_claims_not_on_the_page_are_removed_or_marked_in_the_data() -> None:
    for entry in ENTRIES:
        said = _said(entry.id)
        marked = " ".join(entry.not_on_reference_page)
        for claim in UNSOURCED:
            if claim.lower() in said.lower():
                assert claim.lower() in marked.lower(), (entry.id, claim)
    assert "new tenancies" not in _said("smtp-455-daily-limit")
    assert "takes AUTH PLAIN" not in _said("smtp-504-method-not-supported")


def test_marked_claims_reach_the_user_in_text_and_json() -> None:
    explanation = explain("535 Authentication credentials invalid", CATALOG)
    [match] = explanation_json(explanation)["matches"]
    assert "(an OCID-like string)" in match["not_on_reference_page"]
    assert "Not on the provider's reference page" in explanation_text(explanation)
    [match] = explain("535 Authorization failed: address bob@example.com not authorized",
                      CATALOG).matches
    assert "bob@example.com is not an approved sender in the region you send through." in \
        match.not_on_reference_page


def test_validation_rejects_a_marked_claim_the_entry_does_not_make(tmp_path: Path) -> None:
    path = _copy(tmp_path, '      - "(an OCID-like string)"', '      - "an OCID string"')
    with pytest.raises(DataFileError) as caught:
        load_catalog_file(path, display="catalog.yaml")
    assert "'an OCID string' is not written in the entry's" in str(caught.value)
