#!/usr/bin/env python3
"""Render the TUI's main screens to SVG in screenshots/ (the pictures the README shows).

    .venv/bin/python scripts/screenshots.py            # rewrite screenshots/
    .venv/bin/python scripts/screenshots.py --check    # exit 1 if any picture is stale

The pictures show the shipped flows and tour (tests/tui/readme_scenes.py), walked with
the documentation-valued probe results of the flows' own picture tests. They are the
current pictures: when a shipped flow changes, rerun this script and look at them.
tests/test_tui_screenshots.py fails when screenshots/ is stale.

Deterministic: replayed probe results, fixed clocks, no blinking, no animation, one
terminal size, a clean environment, no user flows, and a documentation main.cf in a
temporary folder named relatively (``main.cf``), so no path of this machine is on screen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SIZE = (100, 37)
SHOTS: dict[str, str] = {
    "home": "home",
    "walk": "dkim-found",
    "fix-dns": "dkim-fix",
    "fix-postconf": "postfix-fix",
    "apply": "postfix-apply",
    "probe-running": "probe-running",
    "explain": "explain",
    "tour": "tour-done",
}
"""File name (without .svg) → scene of tests/tui/readme_scenes.py."""


def clean_environment() -> None:
    """Drop the variables that change Textual's pictures (the test suite's conftest does too)."""
    for name in list(os.environ):
        if name.startswith("TEXTUAL_") or name in ("NO_COLOR", "FORCE_COLOR"):
            del os.environ[name]


if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _render(scene_name: str) -> str:
    import asyncio

    from tests.tui.readme_scenes import SHOTS as SCENES

    scene = SCENES[scene_name]
    app = scene.app()

    async def shoot() -> str:
        async with app.run_test(size=SIZE) as pilot:
            await scene.steps(pilot)
            return app.export_screenshot(title=f"email-wizard — {scene_name}")

    return asyncio.run(shoot())


def render_all(out: Path) -> list[Path]:
    """Write every picture into ``out``; the paths written."""
    import tempfile

    from tests.tui.readme_scenes import put_main_cf

    out.mkdir(parents=True, exist_ok=True)
    here = os.getcwd()
    saved_config = os.environ.get("EMAIL_WIZARD_CONFIG_DIR")
    written = []
    with tempfile.TemporaryDirectory() as work:
        os.environ["EMAIL_WIZARD_CONFIG_DIR"] = str(Path(work) / "config")  # no user flows
        os.chdir(work)
        try:
            put_main_cf(Path(work))
            for file_name, scene_name in SHOTS.items():
                svg = _render(scene_name)
                path = out / f"{file_name}.svg"
                path.write_text(svg, encoding="utf-8", newline="\n")
                written.append(path)
        finally:
            os.chdir(here)
            if saved_config is None:
                os.environ.pop("EMAIL_WIZARD_CONFIG_DIR", None)
            else:
                os.environ["EMAIL_WIZARD_CONFIG_DIR"] = saved_config
    return written


def stale(out: Path, fresh: Path) -> list[str]:
    """Names of the pictures in ``out`` that differ from (or are missing beside) ``fresh``."""
    names = []
    for file_name in SHOTS:
        new = (fresh / f"{file_name}.svg").read_bytes()
        old = out / f"{file_name}.svg"
        if not old.is_file() or old.read_bytes() != new:
            names.append(f"{file_name}.svg")
    return names


def main(argv: list[str]) -> int:
    """Rewrite screenshots/, or with ``--check`` only say which pictures are stale."""
    clean_environment()
    if "--check" in argv:
        import tempfile

        with tempfile.TemporaryDirectory() as fresh:
            render_all(Path(fresh))
            names = stale(OUT, Path(fresh))
        if names:
            print("stale: " + ", ".join(names) + " (run scripts/screenshots.py)",
                  file=sys.stderr)
            return 1
        print("screenshots/ is up to date", file=sys.stderr)
        return 0
    for path in render_all(OUT):
        print(path.relative_to(ROOT), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
