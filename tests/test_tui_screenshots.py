"""screenshots/ holds the current pictures of the main screens: regenerate and compare."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_script():
    spec = importlib.util.spec_from_file_location("screenshots_script",
                                                  ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_screenshots_are_current(tmp_path: Path) -> None:
    script = load_script()
    script.render_all(tmp_path)
    stale = script.stale(ROOT / "screenshots", tmp_path)
    assert not stale, (f"stale pictures in screenshots/: {', '.join(stale)}; look at them and "
                       "run .venv/bin/python scripts/screenshots.py")


def test_screenshots_show_no_secret_and_no_local_path(tmp_path: Path) -> None:
    script = load_script()
    for path in script.render_all(tmp_path):
        text = path.read_text(encoding="utf-8")
        assert "canary-Pa55word" not in text
        assert str(tmp_path) not in text and "/tmp/" not in text
