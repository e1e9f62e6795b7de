"""The text report's fix prose: paragraphs re-wrapped to the terminal's width, layout kept.

Pure text in, text out (``reflow``, ``run_text``); the end-to-end case, a real flow
whose fix takes a provider's long words, is in test_flow_port_connectivity.py.
"""

from __future__ import annotations

from typing import Any

from wizard.report_text import reflow, run_text

URL = "https://docs.example.com/iaas/Content/Email/Tasks/configuresmtpconnection.htm#ports"


def test_a_paragraph_with_a_long_substituted_phrase_is_filled_to_the_width() -> None:
    text = ("Every mail server fails here. A missing egress rule (host firewall, VCN security "
            "list / network security group, or ISP; many ISPs\nblock port 25: use 587).\n")
    lines = reflow(text, 40)
    assert lines == ["  Every mail server fails here. A",
                     "  missing egress rule (host firewall,",
                     "  VCN security list / network security",
                     "  group, or ISP; many ISPs block port",
                     "  25: use 587)."]


def test_paragraphs_stay_apart() -> None:
    assert reflow("One short\nparagraph.\n\nAnother\none.\n", 80) == [
        "  One short paragraph.", "", "  Another one."]


def test_indented_lines_stay_as_written_between_wrapped_prose() -> None:
    text = ("Enter the right one in the form\nyours wants:\n"
            "  absolute, with the final dot:   sel1._domainkey.example.com.\n"
            "  relative to the zone example.com:   sel1._domainkey\n"
            "A console that appends the zone to every name wants\nthe relative form.\n")
    assert reflow(text, 80) == [
        "  Enter the right one in the form yours wants:",
        "    absolute, with the final dot:   sel1._domainkey.example.com.",
        "    relative to the zone example.com:   sel1._domainkey",
        "  A console that appends the zone to every name wants the relative form."]


def test_lists_config_lines_and_commands_are_not_joined_to_the_prose() -> None:
    text = ("Set these in\nmain.cf:\n"
            "smtp_tls_security_level = encrypt\n"
            "relayhost=[smtp.example.net]:587\n"
            "- reload Postfix\n"
            "1. check the queue\n"
            "2) send a test message\n"
            "postconf -e 'smtp_tls_loglevel = 1'\n"
            "$ postfix reload\n"
            "then\nwait.\n")
    assert reflow(text, 80) == [
        "  Set these in main.cf:",
        "  smtp_tls_security_level = encrypt",
        "  relayhost=[smtp.example.net]:587",
        "  - reload Postfix",
        "  1. check the queue",
        "  2) send a test message",
        "  postconf -e 'smtp_tls_loglevel = 1'",
        "  $ postfix reload",
        "  then wait."]


def test_prose_that_merely_mentions_a_setting_is_wrapped() -> None:
    assert reflow("p=none asks receivers for reports\nand nothing else.", 80) == [
        "  p=none asks receivers for reports and nothing else."]


def test_a_url_is_never_broken_even_when_longer_than_the_width() -> None:
    lines = reflow(f"See the provider's page on ports at {URL} for the list.", 40)
    assert f"  {URL}" in lines
    assert " ".join(lines).split() == ["See", "the", "provider's", "page", "on", "ports", "at",
                                       URL, "for", "the", "list."]


def test_hyphenated_names_are_not_split_at_their_hyphens() -> None:
    lines = reflow("The endpoint smtp.email.us-ashburn-1.oci.oraclecloud.com is a "
                   "TLS-intercepting proxy's victim.", 30)
    assert "  smtp.email.us-ashburn-1.oci.oraclecloud.com" in lines
    assert all(not line.endswith("-") for line in lines)


def test_an_option_stays_on_one_line_with_its_value() -> None:
    text = ("Without a second mail server to try, run again with --set "
            "external_mta_host=<a mail server outside your network>, or with email-wizard run "
            "--apply.")
    for width in range(30, 90):
        lines = reflow(text, width)
        assert any("--set external_mta_host=<a mail server outside your network>," in line
                   for line in lines), (width, lines)
        assert any("email-wizard run" in line for line in lines), (width, lines)


def test_a_narrow_terminal_still_gets_readable_lines() -> None:
    assert reflow("one two three four five six seven eight nine ten", 5) == [
        "  one two three four", "  five six seven", "  eight nine ten"]


def result_with_fix(text: str) -> dict[str, Any]:
    return {"flow": "f", "status": "problem", "trail": [], "findings": [],
            "fixes": [{"id": "x.y", "title": "Do it", "text": text, "actions": []}]}


def test_run_text_wraps_fix_prose_to_the_given_width() -> None:
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu\nnu xi."
    assert run_text(result_with_fix(text), width=30).endswith(
        "\nFix: Do it\n  alpha beta gamma delta\n  epsilon zeta eta theta iota\n"
        "  kappa lambda mu nu xi.\n")


def test_run_text_defaults_to_the_terminals_width(monkeypatch: Any) -> None:
    monkeypatch.setenv("COLUMNS", "24")
    assert run_text(result_with_fix("alpha beta gamma delta epsilon")).endswith(
        "\nFix: Do it\n  alpha beta gamma delta\n  epsilon\n")


def test_a_quoted_policy_statement_stays_on_one_line() -> None:
    """The approved-sender fix puts the IAM statement to copy in quotes; re-wrapping split
    it ("…a policy such as "Allow" / "group <group> to use …") (review)."""
    from wizard.flow.fixlib import shared_library

    text = shared_library()[0]["mail.create-approved-sender"].fix.text
    statement = '"Allow group <group> to use email-family in compartment <compartment>".'
    assert statement in text
    assert any(statement in line for line in reflow(text, 80))


def test_an_unclosed_placeholder_does_not_glue_the_rest_of_the_sentence() -> None:
    """An option's ``<value`` with no ``>`` close by glued everything up to a later ``>``
    (here a comparison) into one 85-column word at width 40 (review)."""
    text = ("Give --set limit=<n where n is the number of messages you may send each day, "
            "then if n > 100 ask support.")
    lines = reflow(text, 40)
    assert all(len(line) <= 40 for line in lines), lines
    assert " ".join(" ".join(lines).split()) == "Give " + text.removeprefix("Give ")
