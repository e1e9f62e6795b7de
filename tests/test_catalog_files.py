"""The catalog files hold every error of the reference page, exactly, and load strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard.catalog.loader import catalog_path, load_catalog_file, load_rfc_codes
from wizard.catalog.match import load_error_catalog
from wizard.data.diagnostics import DataFileError

CATALOG = load_error_catalog().catalog

# Transcribed from the reference page's two tables: (code, designation, server text).
PAGE_SMTP = [
    (254, "4.7.1 Suppression for user <user ocid> to <recpt>"),
    (421, "Timeout waiting for data from client"),
    (421, "4.4.0 Problem attempting to execute commands. Please try again later"),
    (421, "Too many connections, try again later"),
    (421, "Too many auth failures, try again later"),
    (421, "4.3.0 Mail system failure, closing transmission channel"),
    (451, "Server error"),
    (451, "Error in Processing"),
    (452, "System storage error"),
    (455, "Maximum messages sent per minute reached : limit is <limit>"),
    (455, "Maximum messages sent per day reached : limit is <limit>"),
    (501, "Invalid command argument, not a valid Base64 string"),
    (501, "Invalid command argument, does not contain NUL"),
    (501, "Invalid command argument, does not contain the second NUL"),
    (503, "Need RCPT command"),
    (504, "Method not supported"),
    (504, "AUTH mechanism mismatch"),
    (552, "Exceeds byte limit"),
    (535, "Authentication credentials invalid"),
    (535, "Authentication required"),
    (535, "Authorization failed: address <address> not authorized"),
    (553, "<address> Invalid email address"),
    (554, "Message parse error"),
]
PAGE_HTTPS = [
    (400, "InvalidParameter", "Message ID not formed according to RFCs."),
    (400, "InvalidParameter", "Email Address can't be null or empty."),
    (400, "InvalidParameter", "Invalid Internet Address : <address>"),
    (400, "InvalidParameter", "maxItems: 50, for recipients across the To:, CC: and BCC: fields."),
    (400, "InvalidParameter", "Header Key can't be null or empty"),
    (400, "InvalidParameter", "Custom Mail Header Keys should be ASCII only <header>"),
    (400, "InvalidParameter", "<header> is a reserved mail header which is not allowed"),
    (400, "MissingParameter", "Required attribute sender compartmentId cannot be empty or null."),
    (400, "MissingParameter", "Required attribute subject can't be empty or null."),
    (400, "MissingParameter", "Required attribute sender can't be empty or null."),
    (400, "MissingParameter",
     "Required attribute recipients must contain either to , cc or bcc recipients."),
    (400, "MissingParameter", "Required attribute body(html/text) is missing. Request must "
                              "contain either bodyText or bodyHtml"),
    (400, "LimitExceeded", "Maximum messages sent per minute reached : limit is <>Maximum "
                           "messages sent per day reached : limit is <>"),
    (404, "NotAuthorizedOrNotFound",
     "Authorization failed: address <Sender Email Address> not authorized or not found"),
    (413, "Request Entity Too Large", "Message exceeds byte limit : limit is <>"),
    (429, "Too many requests", "Too many requests received. Wait and try again."),
    (500, "Internal server error", "Internal Server Error"),
]


def test_every_smtp_error_of_the_page_is_an_entry_with_its_exact_text() -> None:
    smtp = [(e.code, e.reply) for e in CATALOG.entries if e.protocol == "smtp"]
    assert sorted(smtp) == sorted(PAGE_SMTP)


def test_every_https_error_of_the_page_is_an_entry_with_its_exact_text() -> None:
    https = [(e.code, e.error_code, e.reply) for e in CATALOG.entries if e.protocol == "https"]
    assert sorted(https) == sorted(PAGE_HTTPS)


def test_enhanced_codes_are_the_pages() -> None:
    enhanced = {e.reply: e.enhanced_code for e in CATALOG.entries if e.enhanced_code}
    assert enhanced == {
        "4.7.1 Suppression for user <user ocid> to <recpt>": "4.7.1",
        "4.4.0 Problem attempting to execute commands. Please try again later": "4.4.0",
        "4.3.0 Mail system failure, closing transmission channel": "4.3.0",
    }


def test_retry_follows_the_reply_class() -> None:
    for entry in CATALOG.entries:
        if entry.code in (455, 429):
            assert entry.retry.kind == "rate_limit", entry.id
        elif entry.protocol == "smtp" and str(entry.code)[0] == "5":
            assert not entry.retry.helps, entry.id
        elif entry.protocol == "smtp" and str(entry.code)[0] == "4":
            assert entry.retry.helps, entry.id
    suppressed = load_error_catalog().entry("smtp-254-suppressed").retry
    assert (suppressed.kind, suppressed.helps) == ("transient", True)  # 4.7.1: RFC 3463


def test_each_entry_continues_with_an_installed_flow() -> None:
    from wizard.flow.loader import discover

    installed = set(discover().flows)
    assert {e.flow for e in CATALOG.entries} <= installed
    assert {e.flow for e in CATALOG.entries} >= {"undelivered-mail", "port-connectivity"}


PAGE_DESCRIPTIONS = [
    "Message has been accepted but a status code was returned indicating suppression.",
    "An unexpected error has occurred during the SMTP conversation.",
    "The server is unable to persist the message in its delivery queue.",
    "The base64 encoded AUTH (PLAIN) secret is invalid.",
    "The client has attempted to use an unsupported AUTH mechanism with our service.",
    "Authentication of the SMTP user has failed.",
    "The RFC-822 Internet Address sent by the client is invalid.",
    "The RFC-2822 Internet Message is invalid (and unable to be parsed by the server).",
]


def test_explanations_are_our_own_words_not_the_pages() -> None:
    for entry in CATALOG.entries:
        ours = " ".join([entry.meaning, *entry.causes, entry.fix.title, entry.fix.text])
        for sentence in PAGE_DESCRIPTIONS:
            assert sentence.lower() not in ours.lower(), entry.id


def test_rfc_tables_cover_every_class_and_subject() -> None:
    rfc = load_rfc_codes()
    assert set(rfc.reply_classes) == {"2", "3", "4", "5"}
    assert set(rfc.enhanced_subjects) == {str(i) for i in range(8)}
    assert "7.8" in rfc.enhanced_details and "535" in rfc.replies


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    text = catalog_path().read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / "catalog.yaml"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_unknown_key_is_reported_with_line_column_and_suggestion(tmp_path: Path) -> None:
    path = _copy(tmp_path, "    meaning: >-\n      The server accepted", "    meanings: >-\n"
                 "      The server accepted")
    with pytest.raises(DataFileError) as caught:
        load_catalog_file(path, display="catalog.yaml")
    line = _line_of(path, "meanings:")
    assert f"catalog.yaml:{line}:5: unknown key 'meanings' (did you mean 'meaning'?)" in \
        str(caught.value)


def test_missing_field_is_reported_at_the_entry(tmp_path: Path) -> None:
    path = _copy(tmp_path, "    flow: port-connectivity\n", "")
    with pytest.raises(DataFileError) as caught:
        load_catalog_file(path, display="catalog.yaml")
    assert "missing required key 'flow'" in str(caught.value)
    assert str(caught.value).startswith("catalog.yaml:")


def test_unknown_placeholder_is_reported_at_the_reply(tmp_path: Path) -> None:
    path = _copy(tmp_path, '    reply: "Maximum messages sent per minute reached : limit is '
                 '<limit>"', '    reply: "Maximum messages sent per minute reached : limit is '
                 '<limt>"')
    with pytest.raises(DataFileError) as caught:
        load_catalog_file(path, display="catalog.yaml")
    line = _line_of(path, "<limt>")
    assert f"catalog.yaml:{line}:12:" in str(caught.value)
    assert "did you mean 'limit'?" in str(caught.value)


def test_unknown_template_variable_in_a_fix_is_reported(tmp_path: Path) -> None:
    path = _copy(tmp_path, "title: Correct the address {address}",
                 "title: Correct the address {adress}")
    with pytest.raises(DataFileError) as caught:
        load_catalog_file(path, display="catalog.yaml")
    assert "unknown template variable {adress}" in str(caught.value)


def test_duplicate_entry_id_is_reported(tmp_path: Path) -> None:
    path = _copy(tmp_path, "id: smtp-451-processing-error", "id: smtp-451-server-error")
    with pytest.raises(DataFileError) as caught:
        load_catalog_file(path, display="catalog.yaml")
    assert "duplicate entry id 'smtp-451-server-error'" in str(caught.value)
