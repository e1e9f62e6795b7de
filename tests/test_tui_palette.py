"""The command palette survives paging before its list has been laid out.

Textual 8.2.8's ``OptionList._move_page`` raises ``KeyError`` when PageUp or
PageDown reaches the palette's list after its options were replaced but before
the next layout (``ctrl+p`` then PageDown at once). Textual is pinned exactly,
so the app's palette works around it.
"""

from __future__ import annotations

import pytest
from textual.command import Command, CommandList, CommandPalette

from tests.tui.fakes import ScriptedRunner, all_tui_flows, settle, still_app


@pytest.mark.parametrize("action", ["page_down", "page_up"])
async def test_paging_right_after_new_results_does_not_crash(action: str) -> None:
    app = still_app(ScriptedRunner({}), all_tui_flows())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p", *"run")
        await pilot.pause(0.5)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        command_list = palette.query_one(CommandList)
        commands = [option for option in command_list.options if isinstance(option, Command)]
        assert commands
        command_list.display = False
        await pilot.pause()
        palette._refresh_command_list(command_list, commands, True)
        palette._action_command_list(action)
        command_list.display = True
        await settle(pilot)
        assert app.is_running
        assert command_list.highlighted is not None
        await pilot.press("escape")
    assert app.return_code in (None, 0)


async def test_ctrl_p_then_page_keys_at_once_keep_the_app_running() -> None:
    app = still_app(ScriptedRunner({}), all_tui_flows())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p", "pagedown", "pageup", "pagedown")
        await settle(pilot)
        assert app.is_running
        await pilot.press("escape")
