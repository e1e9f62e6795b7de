"""A clock that is off: the API rejects the signature (401) and the fix says it is the clock.

OCI rejects a request whose signed ``Date`` is more than five minutes off its own time;
so does the loopback server (tests/servers/oci_api.py). Here this machine's clock, as the
SDK's signer and the wizard read it, runs ten minutes behind; the server keeps real time.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

import pytest

from tests.servers.oci_fixtures import PROFILE, OciLab
from wizard.ociapi import client
from wizard.ociapi.settings import resolve_settings
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner

SKEW = -600.0
"""Seconds this machine's clock is off (behind) the API's."""


class SkewedTime:
    """The ``time`` module as a machine whose clock is :data:`SKEW` off sees it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def time() -> float:
        return time.time() + SKEW


@pytest.fixture
def skewed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK signs with a Date ten minutes behind; the wizard's clock agrees with it."""
    real = email.utils.formatdate

    def formatdate(timeval: float | None = None, localtime: bool = False,
                   usegmt: bool = False) -> str:
        return real(time.time() + SKEW if timeval is None else timeval, localtime, usegmt)

    import oci.signer

    monkeypatch.setattr(oci.signer.email.utils, "formatdate", formatdate)
    monkeypatch.setattr(client, "time", SkewedTime())


def sender_lookup(lab: OciLab) -> ProbeResult:
    settings = resolve_settings(config=str(lab.config), profile=PROFILE, auth=None,
                                endpoint=lab.server.url, submit_endpoint=None, env={})
    ctx = ProbeContext(timeout=3, ca_file=str(lab.ca_file), oci=settings)
    return asyncio.run(RegistryRunner(ctx).run("oci.sender", {"address": "app@example.com"}))


def test_a_skewed_clock_is_not_authenticated_and_the_fix_names_the_clock(
        oci_lab: OciLab, skewed_clock: None) -> None:
    result = sender_lookup(oci_lab)
    assert result.outcome == "not_authenticated", result
    assert oci_lab.server.rejections == ["date more than 5 minutes off"]
    fix = str(result.facts["fix"])
    assert "clock" in fix
    assert "10 minutes behind" in fix, fix


def test_the_right_key_on_time_is_read(oci_lab: OciLab) -> None:
    """The control: the same lookup with the clock right is authenticated."""
    assert sender_lookup(oci_lab).outcome == "not_approved"
    assert oci_lab.server.rejections == []
