"""``scan --jobs`` default: one worker per usable core — the CPU affinity, capped by a
container's CPU quota (cgroup v2 ``cpu.max``, else v1 ``cpu.cfs_quota_us`` over
``cpu.cfs_period_us``), read from fake cgroup folders here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wizard.scan_jobs import default_jobs, usable_cores


@pytest.fixture
def eight_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process may run on eight cores, whatever the machine has."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)


def v2(root: Path, text: str | bytes) -> Path:
    path = root / "cpu.max"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return root


def v1(root: Path, quota: str, period: str = "100000", folder: str = "cpu") -> Path:
    (root / folder).mkdir(exist_ok=True)
    (root / folder / "cpu.cfs_quota_us").write_text(quota + "\n")
    (root / folder / "cpu.cfs_period_us").write_text(period + "\n")
    return root


@pytest.mark.usefixtures("eight_cores")
@pytest.mark.parametrize(("text", "cores"), [
    ("max 100000\n", 8), ("200000 100000\n", 2), ("150000 100000\n", 2),
    ("50000 100000\n", 1), ("1 100000\n", 1), ("1600000 100000\n", 8)])
def test_a_cgroup_v2_quota_caps_the_cores_rounded_up(tmp_path: Path, text: str,
                                                     cores: int) -> None:
    assert usable_cores(v2(tmp_path, text)) == cores


@pytest.mark.usefixtures("eight_cores")
@pytest.mark.parametrize(("quota", "period", "cores"), [
    ("-1", "100000", 8), ("300000", "100000", 3), ("250000", "100000", 3),
    ("20000", "50000", 1)])
def test_a_cgroup_v1_quota_caps_the_cores_rounded_up(tmp_path: Path, quota: str, period: str,
                                                     cores: int) -> None:
    assert usable_cores(v1(tmp_path, quota, period)) == cores


@pytest.mark.usefixtures("eight_cores")
def test_v1_under_cpu_cpuacct_counts_too(tmp_path: Path) -> None:
    assert usable_cores(v1(tmp_path, "400000", folder="cpu,cpuacct")) == 4


@pytest.mark.usefixtures("eight_cores")
def test_v2_is_read_before_v1(tmp_path: Path) -> None:
    v1(tmp_path, "100000")
    assert usable_cores(v2(tmp_path, "300000 100000")) == 3
    assert usable_cores(v2(tmp_path, "max 100000")) == 8, "v2 says no quota: v1 is not asked"


@pytest.mark.usefixtures("eight_cores")
@pytest.mark.parametrize("text", [
    "", "max", "garbage\n", "200000\n", "200000 0\n", "0 100000\n", "-5 100000\n",
    "200000 100000 7\n", "2e5 100000\n", b"\xff\xfe 100000", "200000 abc\n",
    "\u0663 100000"])
def test_a_malformed_cpu_max_is_ignored_and_v1_is_asked(tmp_path: Path,
                                                        text: str | bytes) -> None:
    root = v2(tmp_path, text)
    assert usable_cores(root) == 8
    assert usable_cores(v1(root, "200000")) == 2


@pytest.mark.usefixtures("eight_cores")
@pytest.mark.parametrize(("quota", "period"), [
    ("", "100000"), ("abc", "100000"), ("100000", ""), ("100000", "0"), ("1 2", "100000")])
def test_a_malformed_v1_pair_is_ignored(tmp_path: Path, quota: str, period: str) -> None:
    assert usable_cores(v1(tmp_path, quota, period)) == 8


@pytest.mark.usefixtures("eight_cores")
def test_unreadable_or_missing_files_are_ignored(tmp_path: Path) -> None:
    assert usable_cores(tmp_path / "nowhere") == 8
    (tmp_path / "cpu.max").mkdir()  # a directory: reading it fails
    assert usable_cores(tmp_path) == 8


def test_at_least_one_core_even_without_affinity(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert usable_cores(v2(tmp_path, "max 100000")) == 1


@pytest.mark.usefixtures("eight_cores")
def test_the_default_jobs_follow_the_quota(tmp_path: Path) -> None:
    assert default_jobs(v2(tmp_path, "300000 100000")) == 3


def test_the_default_on_this_machine_is_at_most_its_usable_cores() -> None:
    assert 1 <= default_jobs() == usable_cores() <= len(os.sched_getaffinity(0))
