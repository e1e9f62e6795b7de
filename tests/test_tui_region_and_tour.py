"""The tour ends with an honest checklist; a form refuses a region no provider lists, and the
tour can check connectivity from a host alone."""

from __future__ import annotations

from tests.tui.fakes import ScriptedRunner, open_entry, screen_text, still_app
from wizard.tours import load_tour, tour_path
from wizard.tui.screens.inputs import Field, InputsScreen

SIZE = (100, 30)


async def test_a_region_no_provider_lists_is_refused_in_the_form_with_a_suggestion() -> None:
    from wizard.flow.loader import find_flow

    flows = [find_flow("port-connectivity")]
    assert flows[0].inputs["region"].type == "region"
    app = still_app(ScriptedRunner({}), flows)
    async with app.run_test(size=SIZE) as pilot:
        app.open_flow(flows[0])
        await pilot.pause()
        assert isinstance(app.screen, InputsScreen)
        field = next(f for f in app.screen.query(Field) if f.spec.type == "region")
        field.editor.value = "us-ashburn-9"
        ok, _ = field.check()
        assert not ok
        assert "no provider lists a region 'us-ashburn-9' (did you mean 'us-ashburn-1'?)" in (
            screen_text(app))
        field.editor.value = "us-ashburn-1"
        assert field.check() == (True, "us-ashburn-1")


def test_the_shipped_tour_asks_for_a_region_it_checks_and_an_optional_host() -> None:
    tour = load_tour(tour_path())
    assert tour.inputs["region"].type == "region"
    assert tour.inputs["host"].type == "host" and not tour.inputs["host"].required


async def test_the_tour_form_is_reached_from_home() -> None:
    app = still_app(ScriptedRunner({}), tour=tour_path())
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, "tour")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InputsScreen)
        assert {f.input_name for f in app.screen.query(Field)} >= {"domain", "region", "host"}
