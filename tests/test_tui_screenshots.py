"""screenshots/ holds the current pictures of the shipped flows: regenerate and compare.

The pictures change whenever a shipped flow (or the TUI) changes what they show;
this test then tells whoever changed it to rerun scripts/screenshots.py and look.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.tui.readme_scenes import UNDELIVERED_INPUTS
from tests.tui.scenes import CANARY

ROOT = Path(__file__).resolve().parent.parent


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots_script",
                                                  ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, Path, list[Path]]:
    """The script, a folder of freshly rendered pictures and their paths (rendered once)."""
    script = load_script()
    fresh = tmp_path_factory.mktemp("screenshots")
    return script, fresh, script.render_all(fresh)


def test_screenshots_are_current(rendered: tuple[ModuleType, Path, list[Path]]) -> None:
    script, fresh, _ = rendered
    stale = script.stale(ROOT / "screenshots", fresh)
    assert not stale, (f"stale pictures in screenshots/: {', '.join(stale)}; look at them and "
                       "run .venv/bin/python scripts/screenshots.py")


def test_screenshots_show_no_secret_and_no_local_path(
        rendered: tuple[ModuleType, Path, list[Path]]) -> None:
    _, fresh, paths = rendered
    assert CANARY in UNDELIVERED_INPUTS.values(), "a scene must type the canary password"
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert "canary-Pa55word" not in text
        assert str(fresh) not in text and "/tmp/" not in text
