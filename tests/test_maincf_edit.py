"""The main.cf editor and reader share one logical-line model, and agree with the real postconf.

Every edit is read back: by our reader (exactly the intended values) and by
``postconf -c DIR -n`` (the same values, as Postfix sees them).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.maincf_cases import CASES, normalized, postconf_n
from wizard.fixes.maincf_edit import EditMismatch, check_edit, edit_main_cf, intended_values
from wizard.fixes.vocabulary import PostconfAction
from wizard.postfix.maincf import parse_main_cf


def setting(param: str, value: str) -> PostconfAction:
    return PostconfAction(type="postconf", op="set", param=param, value=value)


def removal(param: str) -> PostconfAction:
    return PostconfAction(type="postconf", op="remove", param=param)


def test_a_continuation_after_a_blank_line_is_replaced_too() -> None:
    """The defect: the old editor ended the logical line at the blank line."""
    before = "relayhost = [a]:587\n\n  [b]:587\n"
    after = edit_main_cf(before, [setting("relayhost", "[c]:587")])
    assert after == "relayhost = [c]:587\n\n"
    assert postconf_n(after) == {"relayhost": "[c]:587"}


def test_comment_and_blank_lines_inside_a_replaced_line_stay_as_postconf_e_keeps_them() -> None:
    before = "relayhost = [a]:587\n# inner\n\n  [b]:587\n# after\nmyhostname = h\n"
    after = edit_main_cf(before, [setting("relayhost", "[c]:587")])
    assert after == "relayhost = [c]:587\n# inner\n\n# after\nmyhostname = h\n"


def test_crlf_files_stay_crlf() -> None:
    after = edit_main_cf("relayhost = a\r\n\tb\r\n", [setting("relayhost", "c"),
                                                       setting("myhostname", "h")])
    assert after == "relayhost = c\r\nmyhostname = h\r\n"


def test_a_value_already_set_changes_nothing_not_even_the_spacing() -> None:
    before = "relayhost=[a]:587"
    assert edit_main_cf(before, [setting("relayhost", "[a]:587")]) == before


@pytest.mark.parametrize("text", CASES.values(), ids=list(CASES))
@pytest.mark.parametrize("actions", [
    [setting("relayhost", "[c]:587")],
    [removal("relayhost")],
    [setting("myhostname", "new.example"), setting("smtp_tls_security_level", "may")],
    [removal("myhostname"), setting("relayhost", "")],
], ids=["set", "remove", "set-and-add", "remove-and-empty"])
def test_every_edit_reads_back_as_intended_by_us_and_by_postconf(
        text: str, actions: list[PostconfAction]) -> None:
    after = edit_main_cf(text, actions)
    wanted = intended_values(text, actions)
    assert parse_main_cf(after).values() == wanted
    assert postconf_n(after) == normalized(wanted)


def test_a_value_that_would_read_back_differently_is_refused() -> None:
    before = "relayhost = a\n"
    actions = [setting("relayhost", "b\n  c")]
    with pytest.raises(EditMismatch, match="relayhost"):
        check_edit(before, edit_main_cf(before, actions), actions)


_NAMES = st.sampled_from(["relayhost", "myhostname", "smtp_tls_security_level", "a_b1"])
_WORD = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e, exclude_characters="="),
                min_size=1, max_size=8)
_LINE = st.one_of(
    st.builds(lambda n, v, sep: f"{n}{sep}={sep}{v}", _NAMES, _WORD, st.sampled_from(["", " "])),
    st.builds(lambda ws, v: ws + v, st.sampled_from([" ", "\t", "  "]), _WORD),
    st.sampled_from(["", " ", "\t", "# comment", "  # indented comment", "#x=y"]),
)


@st.composite
def _main_cf(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_LINE, max_size=12))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    ending = draw(st.sampled_from(["", newline]))
    return newline.join(lines) + (ending if lines else "")


_ACTION = st.one_of(
    st.builds(setting, _NAMES, st.one_of(st.just(""), _WORD, st.builds("{} {}".format, _WORD,
                                                                       _WORD))),
    st.builds(removal, _NAMES),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_main_cf(), st.lists(_ACTION, max_size=4))
def test_round_trip_every_edit_reads_back_as_exactly_the_intended_values(
        text: str, actions: list[PostconfAction]) -> None:
    """Reader and editor agree on any main.cf made of the line forms Postfix allows."""
    after = edit_main_cf(text, actions)
    check_edit(text, after, actions)
    again = edit_main_cf(after, actions)
    assert parse_main_cf(again).values() == parse_main_cf(after).values()


_KNOWN = st.sampled_from(["relayhost", "myhostname", "smtp_tls_security_level"])
_PLAIN = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e, exclude_characters="=$"),
                 min_size=1, max_size=8)
_REAL_LINE = st.one_of(
    st.builds(lambda n, v, sep: f"{n}{sep}={sep}{v}", _KNOWN, _PLAIN, st.sampled_from(["", " "])),
    st.builds(lambda ws, v: ws + v, st.sampled_from([" ", "\t"]), _PLAIN),
    st.sampled_from(["", " ", "# comment", "  # indented comment"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_REAL_LINE, min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"]),
       st.lists(st.builds(setting, _KNOWN, _PLAIN), max_size=2))
def test_reader_and_editor_agree_with_the_real_postconf_on_generated_files(
        lines: list[str], newline: str, actions: list[PostconfAction]) -> None:
    text = newline.join(lines) + newline
    after = edit_main_cf(text, actions)
    assert normalized(parse_main_cf(text).values()) == postconf_n(text)
    assert normalized(parse_main_cf(after).values()) == postconf_n(after)
