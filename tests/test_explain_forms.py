"""Every catalog entry is found from the ways people actually paste it, and ranks first."""

from __future__ import annotations

import pytest

from tests.explain_pastes import SAMPLES, paste_forms
from wizard.catalog import ErrorCatalog, explain, load_error_catalog

CATALOG = load_error_catalog()
CASES = [(entry.id, name, text) for entry in CATALOG.catalog.entries
         if entry.protocol != "client" for name, text in paste_forms(entry).items()]


@pytest.fixture(scope="module")
def catalog() -> ErrorCatalog:
    return CATALOG


def test_every_entry_has_at_least_three_paste_forms() -> None:
    for entry in CATALOG.catalog.entries:
        assert len(paste_forms(entry)) >= 3, entry.id


@pytest.mark.parametrize(("entry_id", "form", "text"), CASES,
                         ids=[f"{e}-{f}" for e, f, _ in CASES])
def test_paste_form_finds_its_entry_first_and_alone(
        catalog: ErrorCatalog, entry_id: str, form: str, text: str) -> None:
    explanation = explain(text, catalog)
    assert [m.entry.id for m in explanation.matches] == [entry_id]
    match = explanation.matches[0]
    assert match.confirmed, "the code or designation beside the text was not recognised"
    for placeholder in match.entry.placeholder_names():
        name = match.entry.capture_name(placeholder)
        assert match.captures[name] == SAMPLES[name]


def test_limit_is_captured_from_a_postfix_deferral(catalog: ErrorCatalog) -> None:
    line = ("Mar  3 10:15:02 app postfix/smtp[2211]: 4XyZ1C2: to=<a@example.net>, "
            "relay=smtp.email.eu-frankfurt-1.oci.oraclecloud.com[1.2.3.4]:587, delay=0.5, "
            "dsn=4.0.0, status=deferred (host smtp.email.eu-frankfurt-1.oci.oraclecloud.com"
            "[1.2.3.4] said: 455 Maximum messages sent per day reached : limit is 2000 "
            "(in reply to MAIL FROM command))")
    [match] = explain(line, catalog).matches
    assert match.entry.id == "smtp-455-daily-limit"
    assert match.captures == {"limit": "2000"}
    assert "2000" in match.fix.title


def test_sasl_failure_line_from_postfix(catalog: ErrorCatalog) -> None:
    line = ("Mar  3 10:15:02 app postfix/smtp[2211]: 4XyZ1C2: to=<a@example.net>, "
            "relay=smtp.email.us-ashburn-1.oci.oraclecloud.com[1.2.3.4]:587, delay=0.2, "
            "dsn=4.7.0, status=deferred (SASL authentication failed; server "
            "smtp.email.us-ashburn-1.oci.oraclecloud.com[1.2.3.4] said: 535 Authentication "
            "credentials invalid)")
    matches = explain(line, catalog).matches
    assert [m.entry.id for m in matches] == ["postfix-sasl-failed",
                                             "smtp-535-credentials-invalid"]
    assert {m.flow for m in matches} == {"postfix-tls"}


def test_address_capture_keeps_its_case_and_drops_angle_brackets(catalog: ErrorCatalog) -> None:
    [match] = explain("553 <Bob.Smith@@Example.com> Invalid email address", catalog).matches
    assert match.entry.id == "smtp-553-invalid-address"
    assert match.captures == {"address": "Bob.Smith@@Example.com"}


def test_fix_actions_carry_the_captured_address(catalog: ErrorCatalog) -> None:
    [match] = explain("535 Authorization failed: address bob@example.com not authorized",
                      catalog).matches
    rendered = [a.model_dump() for a in match.fix.actions]
    assert any("bob@example.com" in str(a.get("command", "")) for a in rendered)


def test_fix_texts_read_limits_from_the_provider_profile(catalog: ErrorCatalog) -> None:
    [match] = explain("554 Message parse error", catalog).matches
    assert f"{catalog.provider.limits.max_header_kb} KB" in match.fix.title


def test_a_log_with_two_errors_lists_both_in_order(catalog: ErrorCatalog) -> None:
    log = ("<~* 535 Authentication credentials invalid\n"
           "later: 421 Too many auth failures, try again later\n")
    ids = [m.entry.id for m in explain(log, catalog).matches]
    assert ids == ["smtp-535-credentials-invalid", "smtp-421-too-many-auth-failures"]


def test_text_alone_matches_but_is_marked_unconfirmed(catalog: ErrorCatalog) -> None:
    [match] = explain("Authentication credentials invalid", catalog).matches
    assert match.entry.id == "smtp-535-credentials-invalid"
    assert not match.confirmed


def test_a_contradicting_reply_code_prevents_the_match(catalog: ErrorCatalog) -> None:
    explanation = explain("550 Authentication credentials invalid", catalog)
    assert explanation.matches == ()
    assert explanation.generic is not None and explanation.generic.code == "550"


def test_short_text_without_a_code_is_not_enough(catalog: ErrorCatalog) -> None:
    assert explain("an unexpected server error happened", catalog).matches == ()


def test_smtp_text_inside_an_https_error_is_not_the_smtp_entry(catalog: ErrorCatalog) -> None:
    body = '{"code": "LimitExceeded", "message": "Maximum messages sent per minute reached : ' \
           'limit is 5"}'
    [match] = explain(body, catalog).matches
    assert match.entry.id == "https-400-limit-exceeded"
    assert match.captures == {"limit": "5"}


def test_designation_alone_finds_an_entry_it_identifies(catalog: ErrorCatalog) -> None:
    body = '{"code": "TooManyRequests", "message": "slow down"}'
    assert [m.entry.id for m in explain(body, catalog).matches] == [
        "https-429-too-many-requests"]
