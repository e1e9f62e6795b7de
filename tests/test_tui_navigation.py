"""Where escape leads in a walk: the page rules of wizard.tui.navigation, without a screen."""

from __future__ import annotations

from tests.tui.fakes import ScriptedRunner
from wizard.engine import Session
from wizard.flow.model import Flow
from wizard.probes.base import ProbeResult
from wizard.tui.navigation import Walk

FLOW = Flow.model_validate({
    "id": "nav", "title": "Navigation",
    "start": "token",
    "steps": {
        "token": {"kind": "ask", "question": "Token?", "var": "token", "type": "secret",
                  "next": "port"},
        "port": {"kind": "ask", "question": "Port?", "var": "port", "type": "port",
                 "next": "probe"},
        "probe": {"kind": "probe", "probe": "tcp.connect",
                  "with": {"host": "h.example", "port": "{port}"},
                  "on": {"default": "advice"}},
        "advice": {"kind": "fix", "title": "Advice", "next": "again",
                   "findings": [{"id": "a", "message": "m"}]},
        "again": {"kind": "ask", "question": "Again?", "var": "again", "type": "choice",
                  "choices": ["yes", "no"], "next": "done"},
        "done": {"kind": "end", "message": "bye"},
    },
})


def new_walk(to_end: bool = False) -> Walk:
    runner = ScriptedRunner({"tcp.connect": ProbeResult("refused", "no")})
    return Walk(Session.start(FLOW, {}, runner), to_end=to_end)


async def take(walk: Walk, answer: str | None = None) -> None:
    await walk.session.advance(answer)
    if answer is None:
        walk.ran()
    else:
        walk.answered()


async def test_pages_follow_the_flow_and_a_fix_with_a_next_step_waits_for_continue() -> None:
    walk = new_walk()
    assert walk.page == "ask"
    await take(walk, "s3cret")
    await take(walk, "587")
    assert walk.page == "run"
    await take(walk)
    assert walk.page == "result" and walk.can_rerun()
    walk.go_on()
    assert walk.page == "run"
    await take(walk)
    assert walk.page == "result" and not walk.can_rerun()
    walk.go_on()
    assert walk.page == "ask" and walk.session.step is FLOW.steps["again"]


async def test_back_from_a_question_after_a_fix_shows_the_fix_again() -> None:
    walk = new_walk()
    for answer in ("s3cret", "587"):
        await take(walk, answer)
    await take(walk)
    walk.go_on()
    await take(walk)
    walk.go_on()
    assert walk.back() is True
    assert walk.page == "result"
    assert walk.session.trail[-1].step == "advice"


async def test_back_from_a_probe_result_returns_to_the_question_before_it_with_its_answer() -> None:
    walk = new_walk()
    for answer in ("s3cret", "587"):
        await take(walk, answer)
    await take(walk)
    assert walk.back() is True
    assert walk.page == "ask" and walk.session.current == "port"
    assert walk.prefill == "587"


async def test_a_secret_answer_is_never_put_back() -> None:
    walk = new_walk()
    await take(walk, "s3cret")
    assert walk.back() is True
    assert walk.session.current == "token"
    assert walk.prefill is None


async def test_back_from_the_first_page_leaves_the_walk() -> None:
    walk = new_walk()
    assert walk.back() is False
    assert walk.session.current == "token"


async def test_rerun_undoes_only_the_probe() -> None:
    walk = new_walk()
    for answer in ("s3cret", "587"):
        await take(walk, answer)
    await take(walk)
    walk.rerun()
    assert walk.page == "run" and walk.session.current == "probe"
    assert [e.step for e in walk.session.trail] == ["token", "port"]


async def test_to_the_end_only_questions_and_the_summary_are_pages() -> None:
    walk = new_walk(to_end=True)
    await take(walk, "s3cret")
    await take(walk, "587")
    assert walk.page == "run"
    await take(walk)
    assert walk.page == "run", "a probe's result is no page of its own"
    await take(walk)
    assert walk.page == "ask" and walk.session.step is FLOW.steps["again"]
    await take(walk, "no")
    await take(walk)
    assert walk.session.finished and walk.page == "result"


async def test_to_the_end_back_from_the_summary_goes_to_the_last_question() -> None:
    walk = new_walk(to_end=True)
    for answer in ("s3cret", "587", None, None, "no", None):
        await take(walk, answer)
    assert walk.back()
    assert walk.page == "ask" and walk.session.step is FLOW.steps["again"]
    assert walk.prefill == "no"
    assert walk.back()
    assert walk.session.step is FLOW.steps["port"] and walk.prefill == "587"
    assert [e.step for e in walk.session.trail] == ["token"]


async def test_to_the_end_rerun_undoes_every_step_since_the_last_question() -> None:
    walk = new_walk(to_end=True)
    for answer in ("s3cret", "587", None, None, "no", None):
        await take(walk, answer)
    assert walk.can_rerun()
    walk.rerun()
    assert [e.step for e in walk.session.trail] == ["token", "port", "probe", "advice", "again"]
    assert walk.page == "run"
    await take(walk)
    assert walk.session.finished and walk.page == "result"


async def test_to_the_end_back_from_the_first_question_leaves_the_walk() -> None:
    walk = new_walk(to_end=True)
    assert not walk.back()
