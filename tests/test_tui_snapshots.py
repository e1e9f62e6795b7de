"""Pictures of every screen and state of the TUI, at 80×24 and at 120×40.

The scenes (tests/tui/scenes.py) are deterministic by construction: frozen test
flows, scripted probe results with documentation names and addresses, fixed
clocks, no cursor blink, no animation, a main.cf named relatively in the
current folder. Update on purpose with ``pytest --snapshot-update`` and look at
every changed picture before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.scenes import SCENES, put_main_cf

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture
def in_scene_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put_main_cf(tmp_path)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("scene", list(SCENES))
def test_screen(scene: str, size: str, snap_compare, in_scene_folder: None) -> None:
    recipe = SCENES[scene]
    assert snap_compare(recipe.app(), terminal_size=SIZES[size], run_before=recipe.steps)
