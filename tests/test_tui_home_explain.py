"""Home and Explain as a new user meets them (issue 16): the commonest job first, a filter
that knows codes and the words people use, an error typed or pasted on home explained at
once, Explain that always offers the next step, and forms that speak the TUI's language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.containers import VerticalScroll
from textual.widgets import Button, Input, OptionList, Static, TextArea

from tests.tui.fakes import ScriptedRunner, settle
from tests.tui.readme_scenes import readme_app, shipped_flows
from wizard.data.diagnostics import DataFileError
from wizard.flow.model import AskStep, InputSpec
from wizard.home_menu import check_home_flows, home_menu_path, load_home_menu
from wizard.tui.app import EmailWizardApp
from wizard.tui.field_text import placeholder
from wizard.tui.screens.explain import ExplainScreen, MatchView
from wizard.tui.screens.inputs import Field, InputsScreen

SMALL = (80, 24)
CERT_TRACEBACK = """\
Traceback (most recent call last):
  File "send.py", line 12, in <module>
    server.starttls(context=ctx)
  File "/usr/lib/python3.12/ssl.py", line 455, in wrap_socket
ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: \
self-signed certificate in certificate chain (_ssl.c:1000)
"""
TIMEOUT_TRACEBACK = """\
Traceback (most recent call last):
  File "send.py", line 4, in <module>
    server = smtplib.SMTP("smtp.example.test", 587, timeout=10)
TimeoutError: timed out
"""
AUTH_TRACEBACK = """\
Traceback (most recent call last):
  File "send.py", line 6, in <module>
    server.login(user, password)
smtplib.SMTPAuthenticationError: (535, b'Authentication credentials invalid')
"""


def app() -> EmailWizardApp:
    """The shipped flows, home file and tour; nothing is walked."""
    return readme_app(ScriptedRunner({}))


def option_ids(wizard: EmailWizardApp) -> list[str]:
    listing = wizard.screen.query_one("#flows", OptionList)
    return [o.id for o in listing.options if o.id is not None and not o.disabled]


def highlighted(wizard: EmailWizardApp) -> str | None:
    listing = wizard.screen.query_one("#flows", OptionList)
    assert listing.highlighted is not None
    return listing.get_option_at_index(listing.highlighted).id


def explain_text(wizard: EmailWizardApp) -> str:
    return "\n".join(str(s.content) for s in wizard.screen.query("#explained Static"))


async def type_filter(pilot: Any, text: str) -> None:
    await pilot.press(*text)
    await settle(pilot)


# -- home ------------------------------------------------------------------------------------

async def test_the_commonest_job_is_first_and_visible_at_80x24() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await settle(pilot)
        listing = wizard.screen.query_one("#flows", OptionList)
        assert option_ids(wizard)[:3] == ["flow:undelivered-mail", "explain", "tour"]
        assert highlighted(wizard) == "flow:undelivered-mail"
        assert "My email isn't being delivered" in str(listing.get_option_at_index(0).prompt)
        assert listing.scroll_offset.y == 0
        assert listing.region.height >= 6, "the first entries fit at 80x24"


async def test_the_checks_follow_in_the_home_files_order() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await settle(pilot)
        menu = load_home_menu()
        ranked = [e.id for e in menu.checks]
        assert option_ids(wizard)[len(menu.start):] == [f"flow:{i}" for i in ranked]


@pytest.mark.parametrize(("words", "flow"), [
    ("bounce", "undelivered-mail"), ("spam", "undelivered-mail"),
    ("suppressed", "undelivered-mail"), ("tls", "postfix-tls"),
    ("certificate", "port-connectivity"), ("dkim", "dkim-needs-attention"),
    ("spf", "spf-dmarc"), ("relay", "postfix-tls"), ("port", "port-connectivity"),
    ("blocked", "port-connectivity"), ("535", "postfix-tls"), ("535", "undelivered-mail"),
    ("554", "undelivered-mail"), ("550", "undelivered-mail"), ("5.7.1", "undelivered-mail"),
    ("421", "port-connectivity"), ("InvalidParameter", "undelivered-mail"),
])
async def test_the_filter_knows_the_words_and_codes_people_type(words: str, flow: str) -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await type_filter(pilot, words)
        assert f"flow:{flow}" in option_ids(wizard)


async def test_a_word_in_a_title_puts_that_check_first() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await type_filter(pilot, "dkim")
        assert highlighted(wizard) == "flow:dkim-needs-attention"


async def test_every_example_in_the_filters_hint_matches_something() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await settle(pilot)
        hint = wizard.screen.query_one("#filter", Input).placeholder
        examples = [w.strip(" …") for w in hint.split(":", 1)[1].removeprefix(" e.g.").split(",")]
        assert "535" in examples
        for example in examples:
            await pilot.press("escape")
            await type_filter(pilot, example)
            assert any(i.startswith("flow:") for i in option_ids(wizard)), example


async def test_a_code_typed_on_home_and_enter_explains_it() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await type_filter(pilot, "535")
        assert highlighted(wizard) == "explain"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(wizard.screen, ExplainScreen)
        assert wizard.screen.query_one("#paste", TextArea).text == "535"
        assert "3 known errors with the code 535" in explain_text(wizard)
        assert len(wizard.screen.query(MatchView)) == 3


async def test_a_port_number_is_a_filter_not_an_error() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await type_filter(pilot, "587")
        assert highlighted(wizard) != "explain"
        assert "flow:port-connectivity" in option_ids(wizard)


async def test_an_exception_typed_on_home_goes_to_explain_with_its_text() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await type_filter(pilot, "TimeoutError: timed out")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(wizard.screen, ExplainScreen)
        assert "python: TimeoutError: timed out" in explain_text(wizard)


async def test_a_traceback_pasted_on_home_goes_to_explain_whole() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await settle(pilot)
        wizard.screen.query_one("#filter", Input).post_message(events.Paste(CERT_TRACEBACK))
        await settle(pilot)
        assert isinstance(wizard.screen, ExplainScreen)
        assert wizard.screen.query_one("#paste", TextArea).text == CERT_TRACEBACK.strip()
        assert "python-certificate-verify-failed" in explain_text(wizard)


def test_the_home_file_names_only_installed_flows() -> None:
    installed = {flow.id for flow in shipped_flows()}
    assert check_home_flows(home_menu_path(), installed) == []
    problems = check_home_flows(home_menu_path(), installed - {"spf-dmarc"})
    assert [p.message for p in problems] == ["no installed flow 'spf-dmarc'"]


def test_a_flow_listed_twice_in_the_home_file_is_a_defect(tmp_path: Path) -> None:
    bad = tmp_path / "home" / "home.yaml"
    bad.parent.mkdir()
    bad.write_text("start:\n  - id: explain\nchecks:\n  - id: explain\n")
    with pytest.raises(DataFileError, match="listed twice"):
        load_home_menu(bad)


# -- explain ---------------------------------------------------------------------------------

async def explained(pilot: Any, text: str) -> None:
    pilot.app.action_explain(text)
    await settle(pilot)
    await settle(pilot)


@pytest.mark.parametrize(("paste", "entry"), [
    (CERT_TRACEBACK, "python-certificate-verify-failed"),
    (TIMEOUT_TRACEBACK, "python-timeout"),
])
async def test_a_traceback_matches_the_client_entry_headed_by_its_label(paste: str,
                                                                       entry: str) -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await explained(pilot, paste)
        view = wizard.screen.query(MatchView).first()
        assert view.match.entry.id == entry
        head = str(view.query(".match-head").first(Static).content)
        assert head.startswith("python: ")
        assert "None" not in head


async def test_continuing_a_timeout_fills_the_host_and_the_ports() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await explained(pilot, TIMEOUT_TRACEBACK)
        await pilot.press("ctrl+o")
        await settle(pilot)
        form = wizard.screen
        assert isinstance(form, InputsScreen)
        assert form.flow.id == "port-connectivity"
        fields = {f.input_name: f.raw() for f in form.query(Field)}
        assert fields["host"] == "smtp.example.test"
        assert fields["ports"] == "587"


async def test_a_servers_reply_continues_on_the_clients_route() -> None:
    wizard = app()
    async with wizard.run_test(size=(100, 30)) as pilot:
        await explained(pilot, AUTH_TRACEBACK)
        views = list(wizard.screen.query(MatchView))
        assert [v.match.entry.id for v in views] == ["python-authentication-error",
                                                     "smtp-535-credentials-invalid"]
        assert views[1].match.entry.flow == "postfix-tls"
        views[1].query_one(Button).press()
        await settle(pilot)
        assert isinstance(wizard.screen, InputsScreen)
        assert wizard.screen.flow.id == "undelivered-mail"


async def test_no_known_error_still_offers_the_checks_that_find_the_cause() -> None:
    wizard = app()
    async with wizard.run_test(size=(100, 30)) as pilot:
        await explained(pilot, "the thing broke again this morning")
        buttons = [b.id for b in wizard.screen.query("#explained Button")]
        assert buttons == ["next-port-connectivity", "next-postfix-tls", "next-undelivered-mail"]
        wizard.screen.query_one("#next-port-connectivity", Button).press()
        await settle(pilot)
        assert isinstance(wizard.screen, InputsScreen)
        assert wizard.screen.flow.id == "port-connectivity"


async def test_pagedown_scrolls_the_results_from_the_paste_box() -> None:
    wizard = app()
    async with wizard.run_test(size=SMALL) as pilot:
        await explained(pilot, "535")
        pane = wizard.screen.query_one("#explained", VerticalScroll)
        assert wizard.focused is wizard.screen.query_one("#paste", TextArea)
        assert pane.scroll_y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert pane.scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert pane.scroll_y == 0


# -- forms -----------------------------------------------------------------------------------

async def test_every_field_shows_an_example_and_no_command_line_words() -> None:
    wizard = app()
    async with wizard.run_test(size=(100, 30)) as pilot:
        for flow in shipped_flows():
            wizard.open_flow(flow, always_form=True)
            await pilot.pause()
            for field in wizard.screen.query(Field):
                editor = field.editor
                if isinstance(editor, Input):
                    assert editor.placeholder not in ("", field.spec.type), field.input_name
                helps = " ".join(str(s.content) for s in field.query(".field-help"))
                for cli in ("--set", "--secret-env", "--ca-file"):
                    assert cli not in helps, (flow.id, field.input_name)
            wizard.pop_screen()
            await pilot.pause()


def test_a_fields_example_is_the_one_its_help_gives() -> None:
    """A field (or a question) whose help gives an example value shows that value as its
    example: the SMTP host fields smtp.example.net, not one provider's endpoint (the form
    offers any provider); the DKIM selector prod-2024, not another name."""
    checked = []
    for flow in shipped_flows():
        asks = [(f"{step_id} ({step.var})", step.var, InputSpec(type=step.type), step.help)
                for step_id, step in flow.steps.items() if isinstance(step, AskStep)]
        fields = [(name, name, spec, spec.help) for name, spec in flow.inputs.items()]
        for where, name, spec, help_text in fields + asks:
            given = re.findall(r"e\.g\. ([\w./@-]*\w)", help_text or "")
            if given and re.search(r"[.\d/@-]", given[0]):
                checked.append((flow.id, where))
                assert placeholder(name, spec) == f"e.g. {given[0]}", (flow.id, where)
    assert {("tcp-port", "host"), ("port-connectivity", "host"), ("dkim-needs-attention",
            "selector"), ("dkim-needs-attention", "ask_selector (selector)")} <= set(checked)


async def test_the_dkim_cname_field_shows_a_cname_target() -> None:
    wizard = app()
    async with wizard.run_test(size=(100, 30)) as pilot:
        flow = next(f for f in shipped_flows() if f.id == "dkim-needs-attention")
        wizard.open_flow(flow, always_form=True)
        await pilot.pause()
        field = next(f for f in wizard.screen.query(Field) if f.input_name == "expected_cname")
        assert isinstance(field.editor, Input)
        assert "._domainkey." in field.editor.placeholder


async def test_a_help_that_says_ca_file_points_to_the_setting() -> None:
    wizard = app()
    async with wizard.run_test(size=(100, 30)) as pilot:
        flow = next(f for f in shipped_flows() if f.id == "postfix-tls")
        wizard.open_flow(flow, always_form=True)
        await pilot.pause()
        helps = " ".join(str(s.content) for s in wizard.screen.query(".field-help"))
        assert "the CA file in Settings" in helps




async def test_a_broken_home_file_still_lists_everything_and_says_why(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.data.diagnostics import Diagnostic
    from wizard.tui.screens import home

    def broken() -> None:
        raise DataFileError([Diagnostic("home.yaml", 3, 5, "unknown key 'strat'")])

    monkeypatch.setattr(home, "load_home_menu", broken)
    wizard = app()
    async with wizard.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        ids = option_ids(wizard)
        assert ids[:2] == ["explain", "tour"]
        assert {f"flow:{flow.id}" for flow in shipped_flows()} <= set(ids)
        note = str(wizard.screen.query_one("#menu-broken", Static).content)
        assert "home.yaml:3:5: unknown key 'strat'" in note


@pytest.mark.parametrize(("text", "error"), [
    ("535", True), ("550 5.7.1", True), ("5.7.1", True), ("421-4.4.0 busy", True),
    ("TimeoutError: timed out", True), ("CERTIFICATE_VERIFY_FAILED", True),
    ("ETIMEDOUT", True), ("my mail never arrives at gmail", True),
    ("587", False), ("465", False), ("25", False), ("dkim", False), ("port 587", False),
    ("smtp_use_tls", False), ("bounce", False), ("spf dmarc", False),
])
def test_what_reads_as_an_error_on_home(text: str, error: bool) -> None:
    from wizard.home_menu import looks_like_error

    assert looks_like_error(text) is error


def test_command_line_words_become_the_tuis() -> None:
    from wizard.flow.model import InputSpec
    from wizard.tui.field_text import for_tui

    inputs = {"host": InputSpec(type="host", label="SMTP host"),
              "region": InputSpec(type="region", label="Region")}
    assert for_tui("give the SMTP host (--set host=...) or the region (--set region=<r>).",
                   inputs) == ("give the SMTP host (the “SMTP host” field) or the region "
                               "(the “Region” field).")
    assert for_tui("The password (--set password=@FILE or --secret-env password=VAR)",
                   inputs) == "The password"
    assert for_tui("plus those of --ca-file.", inputs) == \
        "plus those of the CA file in Settings (ctrl+s)."
    assert for_tui("run again with --set relayhost=[host]:587 first", {}) == \
        "run again with the “relayhost” field first"
