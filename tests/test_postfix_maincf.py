"""main.cf is read the way Postfix reads it, and ``$name`` references expand like postconf -x."""

from __future__ import annotations

import pytest

from tests.maincf_cases import CASES, normalized, postconf_n
from wizard.postfix.maincf import MainCfError, expand, expand_all, parse_main_cf
from wizard.postfix.postconf import parse_postconf_lines
from wizard.postfix.postqueue import parse_postqueue_json


def test_assignments_keep_file_order_and_line_numbers() -> None:
    parsed = parse_main_cf("# relay\nrelayhost = [smtp.example.com]:587\n\nsmtp_use_tls=yes\n")
    assert list(parsed.values().items()) == [
        ("relayhost", "[smtp.example.com]:587"), ("smtp_use_tls", "yes")]
    assert parsed.lines() == {"relayhost": 2, "smtp_use_tls": 4}


def test_continuation_lines_join_with_one_space_across_comments_and_blank_lines() -> None:
    text = ("smtp_tls_protocols = !SSLv2,\n    !SSLv3\n# a comment inside\n    , !TLSv1\n"
            "\n   !TLSv1.1\nrelayhost = [h]:587 # not a comment\n")
    parsed = parse_main_cf(text)
    assert parsed.values() == {"smtp_tls_protocols": "!SSLv2, !SSLv3 , !TLSv1 !TLSv1.1",
                               "relayhost": "[h]:587 # not a comment"}
    assert parsed.lines()["smtp_tls_protocols"] == 1


def test_a_later_assignment_overrides_and_is_reported() -> None:
    parsed = parse_main_cf("relayhost = old\nmyhostname = x\nrelayhost = new\n")
    assert parsed.values() == {"myhostname": "x", "relayhost": "new"}
    assert parsed.lines()["relayhost"] == 3
    assert parsed.warnings == ("line 3: relayhost overrides line 1",)


def test_leading_whitespace_on_the_first_line_is_ignored_with_a_warning() -> None:
    parsed = parse_main_cf("  stray = 1\nrelayhost = r\n")
    assert parsed.values() == {"relayhost": "r"}
    assert "line 1" in parsed.warnings[0]


def test_a_line_without_equals_is_an_error_with_its_line_number() -> None:
    with pytest.raises(MainCfError) as caught:
        parse_main_cf("relayhost = r\nthis is garbage\n")
    assert caught.value.line == 2
    assert "missing '='" in str(caught.value)


def test_empty_values_are_kept() -> None:
    assert parse_main_cf("relayhost =\n").values() == {"relayhost": ""}


def test_expansion_of_all_reference_forms() -> None:
    params = {"myhostname": "mx.example.com", "mydomain": "${myhostname}.d",
              "myorigin": "$mydomain$(myhostname)", "empty": ""}
    assert expand_all(params)["myorigin"] == "mx.example.com.dmx.example.com"
    assert expand("${myhostname?set}/${empty?set}", params) == "set/"
    assert expand("${empty:fallback}/${myhostname:{fallback}}", params) == "fallback/"


def test_unknown_names_are_left_as_written() -> None:
    params = {"relayhost": "[$relay_name]:587"}
    assert expand("$relayhost and ${queue_directory} and ${nope?x}", params) == (
        "[$relay_name]:587 and ${queue_directory} and ${nope?x}")


def test_recursive_references_stop() -> None:
    assert "$a" in expand("$a", {"a": "x$a"})


def test_postconf_output_lines_become_a_mapping() -> None:
    assert parse_postconf_lines("relayhost =\nsmtp_use_tls = yes\nnoise\n") == {
        "relayhost": "", "smtp_use_tls": "yes"}


def test_postconf_output_lines_end_at_newlines_only() -> None:
    assert parse_postconf_lines("relayhost = a\x0cb\n") == {"relayhost": "a\x0cb"}


def test_postqueue_json_lines_become_messages_and_junk_is_skipped() -> None:
    text = ('{"queue_name": "deferred", "queue_id": "ABC", "sender": "a@x", "message_size": 9,'
            ' "arrival_time": 1, "recipients": [{"address": "b@y", "delay_reason": "refused"}]}\n'
            "postqueue: warning: something\n[1]\n")
    [message] = parse_postqueue_json(text)
    assert (message.queue_id, message.sender, message.recipients[0].delay_reason) == (
        "ABC", "a@x", "refused")


@pytest.mark.parametrize("text", CASES.values(), ids=list(CASES))
def test_the_reader_reads_every_line_form_as_the_real_postconf_does(text: str) -> None:
    assert normalized(parse_main_cf(text).values()) == postconf_n(text)


def test_a_form_feed_does_not_end_a_line() -> None:
    """Python's ``splitlines`` splits at a form feed; Postfix does not."""
    assert parse_main_cf("relayhost = a\x0cb\n").values() == {"relayhost": "a\x0cb"}


def test_continuations_across_blank_and_comment_lines_start_where_the_name_is() -> None:
    parsed = parse_main_cf("# top\nrelayhost = [a]:587\n\n# c\n  [b]:587\nmyhostname = h\n")
    assert parsed.values() == {"relayhost": "[a]:587 [b]:587", "myhostname": "h"}
    assert parsed.lines() == {"relayhost": 2, "myhostname": 6}


def test_an_empty_name_is_an_error_as_in_postfix() -> None:
    with pytest.raises(MainCfError, match="missing attribute name"):
        parse_main_cf("= value\n")
