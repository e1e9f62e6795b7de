"""The wheel carries the flows: installed into a fresh venv, run from elsewhere, it finds them."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.mark.slow
def test_installed_wheel_lists_its_bundled_flows_from_another_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(dist.glob("email_wizard-*.whl"))

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # The wheel's dependencies come from the test venv: its site-packages is appended to
    # sys.path by a plain .pth line, so its own .pth files (the editable install of this
    # source tree) are not processed and only the installed wheel provides `wizard`.
    deps = next(p for p in map(Path, sys.path) if p.name == "site-packages" and p.is_dir())
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    (site / "zz_test_deps.pth").write_text(f"{deps}\n")
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                              "--disable-pip-version-check", str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(env_dir / "bin" / "email-wizard"), "list", "--json"],
                            cwd=elsewhere, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                 "EMAIL_WIZARD_CONFIG_DIR": str(tmp_path / "cfg")})
    assert result.returncode == 0, result.stderr
    flows = json.loads(result.stdout)["flows"]
    shipped = {p.stem for p in (ROOT / "flows").glob("*.yaml")}
    assert {f["id"] for f in flows} >= shipped
    for flow in flows:
        path = Path(flow["path"])
        assert env_dir in path.parents, f"{path} is not inside the installed package"
        assert ROOT not in path.parents
