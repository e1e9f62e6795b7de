"""Replies no catalog entry knows are explained from RFC 5321 and RFC 3463, and say so."""

from __future__ import annotations

from wizard.catalog import explain, explanation_json, explanation_text, load_error_catalog

CATALOG = load_error_catalog()


def test_unknown_reply_is_explained_by_class_subject_and_detail() -> None:
    explanation = explain("550 5.1.1 <nobody@example.com>: Recipient address rejected", CATALOG)
    assert explanation.matches == () and explanation.exit_code == 1
    generic = explanation_json(explanation)["generic"]
    assert generic["code"] == "550" and generic["enhanced_code"] == "5.1.1"
    assert generic["class"].startswith("Permanent failure")
    assert "mailbox does not exist" in generic["enhanced"]["detail"]
    assert "No catalog entry matches" in explanation_text(explanation)


def test_the_failure_is_chosen_over_earlier_successes_in_a_transcript() -> None:
    transcript = ("<-  220 mx.example.net ESMTP\n -> EHLO me\n<-  250 mx.example.net\n"
                  " -> MAIL FROM:<a@example.com>\n<** 451 4.7.1 Greylisted, try again later\n")
    generic = explain(transcript, CATALOG).generic
    assert generic is not None
    assert (generic.code, generic.enhanced_code) == ("451", "4.7.1")
    assert generic.reply_class is not None and generic.reply_class.startswith("Temporary")


def test_python_exception_reply_is_explained_with_its_enhanced_code() -> None:
    text = "smtplib.SMTPRecipientsRefused: {'a@example.com': (550, b'5.1.1 No such user')}"
    generic = explain(text, CATALOG).generic
    assert generic is not None and (generic.code, generic.enhanced_code) == ("550", "5.1.1")


def test_a_postfix_dsn_alone_is_explained() -> None:
    line = "postfix/smtp[1]: 4AB: to=<a@b.example>, dsn=5.7.1, status=bounced (relay denied)"
    generic = explain(line, CATALOG).generic
    assert generic is not None and generic.code is None and generic.enhanced_code == "5.7.1"
    assert generic.enhanced_subject is not None and "policy" in generic.enhanced_subject.lower()


def test_an_unassigned_code_still_gets_its_class() -> None:
    generic = explain("599 something odd", CATALOG).generic
    assert generic is not None and generic.reply_meaning is None
    assert generic.reply_class is not None and generic.reply_class.startswith("Permanent")


def test_text_without_any_reply_has_no_explanation() -> None:
    explanation = explain("the mail did not arrive, please help", CATALOG)
    assert explanation.matches == () and explanation.generic is None
    assert "No known error found" in explanation_text(explanation)


def test_a_catalog_match_does_not_add_a_generic_explanation() -> None:
    assert explain("535 Authentication credentials invalid", CATALOG).generic is None
