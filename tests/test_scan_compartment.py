"""``email-wizard scan --compartment``: every email domain of a compartment, without a list.

The real ``oci`` SDK talks to the loopback OCI API server (tests/servers/oci_api.py, every
request's signature verified), and the domains are checked against the loopback Knot
servers the other scan tests use. The rows must be those of the equivalent CSV list.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli, free_port
from tests.servers.dns_fixtures import DnsServers
from tests.servers.oci_api import TENANCY, ApiState
from tests.servers.oci_fixtures import OciLab

EQUIVALENT_CSV = """domain,selector,expected_cname
signed.test,live,sel1.keys.provider.test
dkimflow.test,pasted,sel1.keys.provider.test
good.onboard.test,,
mail.dkimflow.test,dropped,sel1.keys.provider.test
"""
"""The list a user would have to write by hand for :func:`fill`'s compartment."""

LISTS = ("/20170907", "emailDomains")


def fill(state: ApiState) -> None:
    """A compartment of four live domains: signed.test healthy (its active key's CNAME in
    place; tests/data/zones/common/signed.test.zone), dkimflow.test with the CNAME pasted
    under the zone again, good.onboard.test without a DKIM key, mail.dkimflow.test whose
    only key (not yet active) lost its label; plus a deleted domain and another
    compartment's domain, neither of which is scanned."""
    state.add_dkim(state.add_domain("signed.test"), "live", cname="sel1.keys.provider.test")
    state.add_dkim(state.add_domain("dkimflow.test"), "pasted", cname="sel1.keys.provider.test")
    state.add_domain("good.onboard.test")
    state.add_domain("gone.example.org", state="DELETED")
    state.add_domain("elsewhere.example.net", compartment="ocid1.compartment.oc1..other")
    state.add_dkim(state.add_domain("mail.dkimflow.test"), "dropped", active=False,
                   cname="sel1.keys.provider.test.")


def env_without_oci(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CLI_")}
    env.update(extra)
    return env


def options(lab: OciLab, profile: str = "P") -> list[str]:
    """The OCI options that point ``scan`` at the lab (``scan`` has no submission endpoint)."""
    return ["--oci-config", str(lab.config), "--oci-profile", profile,
            "--oci-endpoint", lab.server.url, "--ca-file", str(lab.ca_file)]


def scan(servers: DnsServers, *args: str, stdin: str | None = None,
         env: dict[str, str] | None = None) -> tuple[int, list[dict[str, Any]], str]:
    result = cli("scan", *args, "--nameserver", str(servers.resolver),
                 "--authoritative-port", str(servers.authoritative_port), "--timeout", "3",
                 stdin=stdin, env=env if env is not None else env_without_oci())
    assert "Traceback" not in result.stderr, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return result.returncode, rows, result.stderr


def comparable(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows by domain, without what differs between two runs (time, input line)."""
    return {row["domain"]: {k: v for k, v in row.items() if k not in ("elapsed_ms", "line")}
            for row in rows}


def list_calls(lab: OciLab, what: str = "emailDomains") -> int:
    return sum(1 for method, path in lab.server.requests
               if method == "GET" and path == f"/20170907/{what}")


def test_a_compartment_gives_the_rows_of_the_equivalent_list(
        oci_lab: OciLab, dns_servers: DnsServers) -> None:
    fill(oci_lab.server.state)
    code, rows, stderr = scan(dns_servers, "--compartment", TENANCY, *options(oci_lab))
    listed_code, listed, _ = scan(dns_servers, "--region", "us-ashburn-1", "-",
                                  stdin=EQUIVALENT_CSV)
    assert comparable(rows) == comparable(listed)
    assert code == listed_code == 1
    assert [r["line"] for r in rows if r["domain"] == "signed.test"] == [1]
    by_domain = {row["domain"]: row for row in rows}
    assert set(by_domain) == {"signed.test", "dkimflow.test", "good.onboard.test",
                              "mail.dkimflow.test"}, "deleted and other compartments left out"
    assert by_domain["signed.test"]["status"] == "healthy"
    assert by_domain["signed.test"]["checks"]["dkim"] == "cname_ok"
    assert by_domain["good.onboard.test"]["status"] == "healthy"
    assert by_domain["good.onboard.test"]["checks"]["dkim"] == "skipped"
    pasted = by_domain["dkimflow.test"]
    assert pasted["selector"] == "pasted" and pasted["checks"]["dkim"] == "misplaced_found"
    move = next(f for f in pasted["fixes"] if f["id"] == "dkim.move-record")
    assert [(a["op"], a["name"]) for a in move["actions"]] == [
        ("delete", "pasted._domainkey.dkimflow.test.dkimflow.test."),
        ("add", "pasted._domainkey.dkimflow.test.")]
    assert by_domain["mail.dkimflow.test"]["checks"]["dkim"] == "misplaced_found"
    assert "scanned 4 domains" in stderr
    assert oci_lab.server.rejections == [], "every request was signed with the profile's key"


def test_the_listing_follows_every_page(oci_lab: OciLab, dns_servers: DnsServers) -> None:
    for n in range(7):
        oci_lab.server.state.add_domain(f"d{n}.onboard.test")
    oci_lab.server.page_size = 3
    code, rows, _ = scan(dns_servers, "--compartment", TENANCY, "--format", "jsonl",
                         "--concurrency", "2", *options(oci_lab))
    assert sorted(r["domain"] for r in rows) == [f"d{n}.onboard.test" for n in range(7)]
    assert sorted(r["line"] for r in rows) == list(range(1, 8))
    assert list_calls(oci_lab) == 3, "pages of 3, 3 and 1, each asked for once"
    assert list_calls(oci_lab, "dkims") == 7, "no domain has an active key: its keys are listed"
    assert code == 1, "d*.onboard.test publish no SPF"


def test_the_dkim_keys_are_listed_page_by_page_too(oci_lab: OciLab,
                                                   dns_servers: DnsServers) -> None:
    state = oci_lab.server.state
    domain = state.add_domain("signed.test")
    for selector in ("old1", "old2", "old3"):
        state.add_dkim(domain, selector, active=False)
        state.dkims[f"ocid1.emaildkim.oc1..{selector}"]["timeCreated"] = "2025-01-01T00:00:00Z"
    state.add_dkim(domain, "live", active=False, cname="sel1.keys.provider.test")
    oci_lab.server.page_size = 2
    _, rows, _ = scan(dns_servers, "--compartment", TENANCY, *options(oci_lab))
    assert [(r["selector"], r["checks"]["dkim"]) for r in rows] == [("live", "cname_ok")], \
        "the newest key, found on the second page of keys"
    assert list_calls(oci_lab, "dkims") == 2


def test_csv_output_and_a_healthy_compartment_exit_0(oci_lab: OciLab,
                                                     dns_servers: DnsServers) -> None:
    state = oci_lab.server.state
    state.add_dkim(state.add_domain("signed.test"), "live", cname="sel1.keys.provider.test")
    state.add_domain("good.onboard.test")
    result = cli("scan", "--compartment", TENANCY, "--format", "csv", *options(oci_lab),
                 "--nameserver", str(dns_servers.resolver), "--authoritative-port",
                 str(dns_servers.authoritative_port), env=env_without_oci())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("domain,status,selector,dkim")
    assert sorted(lines[1:]) == [
        "good.onboard.test,healthy,,skipped,valid,policy_enforced,,,,",
        "signed.test,healthy,live,cname_ok,valid,policy_enforced,,,,"]


def test_an_empty_compartment_scans_nothing_and_exits_0(oci_lab: OciLab,
                                                        dns_servers: DnsServers) -> None:
    code, rows, stderr = scan(dns_servers, "--compartment", TENANCY, *options(oci_lab))
    assert (code, rows) == (0, [])
    assert "scanned 0 domains" in stderr


def test_a_file_and_a_compartment_together_are_a_usage_error(oci_lab: OciLab,
                                                             tmp_path: Path) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("example.com\n")
    result = cli("scan", str(listing), "--compartment", TENANCY, *options(oci_lab),
                 env=env_without_oci())
    assert result.returncode == 2
    assert "--compartment, not both" in result.stderr
    assert oci_lab.server.requests == [], "nothing was asked"


@pytest.mark.parametrize(("value", "shown"), [
    ("example.com", "'example.com'"), ("ocid1.user.oc1..aaaa", "'ocid1.user.oc1..aaaa'"),
    ("", "''")])
def test_something_that_is_not_a_compartment_ocid_is_bad_input(
        oci_lab: OciLab, value: str, shown: str) -> None:
    result = cli("scan", "--compartment", value, *options(oci_lab), env=env_without_oci())
    assert result.returncode == 2
    assert f"--compartment {shown} is not a compartment OCID" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_the_sdk_the_message_names_the_extra(oci_lab: OciLab, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "oci"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('the oci SDK is not installed')\n")
    env = env_without_oci(PYTHONPATH=str(shadow.parent))
    result = cli("scan", "--compartment", TENANCY, *options(oci_lab), env=env)
    assert result.returncode == 2, result.stderr
    assert "needs the oci SDK" in result.stderr
    assert "pip install 'email-wizard[oci]'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("opts", "expected"), [
    (["--oci-config", "{dir}/nonexistent"], "{dir}/nonexistent: no such file"),
    (["--oci-config", "{config}", "--oci-profile", "NOPE"], "OCI profile NOPE: not in"),
    (["--oci-config", "{config}", "--oci-profile", "NOKEY"], "the key file of profile NOKEY"),
    (["--oci-config", "{config}", "--oci-profile", "LOCKED"],
     "the API key of profile LOCKED of {config} needs its passphrase"),
    (["--oci-config", "{config}", "--ca-file", "{dir}/missing.pem"],
     "--ca-file {dir}/missing.pem: no such file"),
])
def test_a_config_or_profile_that_cannot_be_used_is_bad_input(
        oci_lab: OciLab, opts: list[str], expected: str) -> None:
    names = {"dir": str(oci_lab.directory), "config": str(oci_lab.config)}
    result = cli("scan", "--compartment", TENANCY, "--oci-endpoint", oci_lab.server.url,
                 *(o.format(**names) for o in opts), env=env_without_oci())
    assert result.returncode == 2, result.stderr
    assert expected.format(**names) in result.stderr
    assert "Traceback" not in result.stderr
    assert oci_lab.server.requests == []


def test_an_encrypted_key_opens_with_the_passphrase_from_the_environment_never_shown(
        oci_lab: OciLab, dns_servers: DnsServers) -> None:
    from tests.servers.oci_fixtures import PASSPHRASE

    oci_lab.server.state.add_domain("good.onboard.test")
    code, rows, stderr = scan(dns_servers, "--compartment", TENANCY,
                              *options(oci_lab, "LOCKED"),
                              env=env_without_oci(EMAIL_WIZARD_OCI_PASSPHRASE=PASSPHRASE))
    assert (code, [r["status"] for r in rows]) == (0, ["healthy"]), stderr
    assert PASSPHRASE not in stderr and PASSPHRASE not in json.dumps(rows)


def test_scan_help_names_the_compartment_and_the_oci_options() -> None:
    out = cli("scan", "--help").stdout
    for option in ("--compartment OCID", "--oci-config", "--oci-profile", "--oci-auth",
                   "--oci-endpoint", "--ca-file", "EMAIL_WIZARD_OCI_PASSPHRASE"):
        assert option in out, option
    assert "--oci-submit-endpoint" not in out, "scan submits nothing"


def test_no_oci_config_at_all_says_how_to_make_one(tmp_path: Path) -> None:
    result = cli("scan", "--compartment", TENANCY, env=env_without_oci(HOME=str(tmp_path)))
    assert result.returncode == 2, result.stderr
    assert "--compartment needs an OCI profile" in result.stderr
    assert "oci setup config" in result.stderr


def failing_scan(lab: OciLab, servers: DnsServers, *extra: str,
                 profile: str = "P") -> tuple[int, list[dict[str, Any]], str]:
    return scan(servers, "--compartment", TENANCY, *options(lab, profile), *extra)


def test_a_key_the_api_does_not_know_is_401_bad_input_naming_key_and_clock(
        oci_lab: OciLab, dns_servers: DnsServers) -> None:
    fill(oci_lab.server.state)
    code, rows, stderr = failing_scan(oci_lab, dns_servers, profile="WRONG")
    assert (code, rows) == (2, [])
    assert "the API rejected the request signature (401)" in stderr
    assert "fingerprint" in stderr and "clock" in stderr
    assert "opc-request-id" in stderr
    assert any("unknown keyId" in r for r in oci_lab.server.rejections)


def test_a_skewed_clock_is_named_in_the_401(oci_lab: OciLab, dns_servers: DnsServers,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process (the clock is the SDK's and the wizard's, as tests/test_oci_clock_skew.py
    sets it): the message says by how much the clock is off."""
    import email.utils
    import io
    import time

    import oci.signer

    from wizard.cli import main
    from wizard.ociapi import client

    real = email.utils.formatdate

    def formatdate(timeval: float | None = None, localtime: bool = False,
                   usegmt: bool = False) -> str:
        return real(time.time() - 600 if timeval is None else timeval, localtime, usegmt)

    class Skewed:
        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        @staticmethod
        def time() -> float:
            return time.time() - 600

    monkeypatch.setattr(oci.signer.email.utils, "formatdate", formatdate)
    monkeypatch.setattr(client, "time", Skewed())
    fill(oci_lab.server.state)
    out, err = io.StringIO(), io.StringIO()
    code = main(["scan", "--compartment", TENANCY, *options(oci_lab), "--nameserver",
                 str(dns_servers.resolver), "--timeout", "3"], stdout=out, stderr=err,
                environ=env_without_oci())
    assert code == 2, err.getvalue()
    assert "10 minutes behind the API's" in err.getvalue()
    assert oci_lab.server.rejections == ["date more than 5 minutes off"]


@pytest.mark.parametrize(("mode", "code", "message"), [
    ("no_policy", 2, "not authorized or not found (404)"),
    ("throttled", 3, "throttled by the API (429)"),
    ("server_error", 3, "the API failed (HTTP 500)"),
    ("silent", 3, "the API did not answer"),
])
def test_an_api_failure_is_a_clear_message_and_its_exit_code(
        oci_lab: OciLab, dns_servers: DnsServers, mode: str, code: int, message: str) -> None:
    fill(oci_lab.server.state)
    oci_lab.server.mode = mode
    result = cli("scan", "--compartment", TENANCY, *options(oci_lab), "--timeout", "1",
                 "--nameserver", str(dns_servers.resolver), env=env_without_oci())
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert f"email-wizard: scan: --compartment {TENANCY}: list email domains: " \
           f"{message}" in result.stderr
    assert "Traceback" not in result.stderr
    if mode == "no_policy":
        assert "Allow group <your-group> to read email-family" in result.stderr


def test_an_unreachable_endpoint_is_exit_3(oci_lab: OciLab, dns_servers: DnsServers) -> None:
    opts = options(oci_lab)
    opts[opts.index("--oci-endpoint") + 1] = f"https://127.0.0.1:{free_port()}"
    result = cli("scan", "--compartment", TENANCY, *opts, "--timeout", "2",
                 env=env_without_oci())
    assert result.returncode == 3, result.stderr
    assert "list email domains: cannot reach the API" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_untrusted_certificate_is_exit_3_naming_the_ca_file(oci_lab: OciLab) -> None:
    opts = options(oci_lab)
    at = opts.index("--ca-file")
    del opts[at:at + 2]
    result = cli("scan", "--compartment", TENANCY, *opts, "--timeout", "2",
                 env=env_without_oci())
    assert result.returncode == 3, result.stderr
    assert "TLS certificate is not trusted" in result.stderr and "--ca-file" in result.stderr


def test_a_failure_on_a_later_page_keeps_the_rows_already_scanned(
        oci_lab: OciLab, dns_servers: DnsServers) -> None:
    for n in range(4):
        oci_lab.server.state.add_domain(f"d{n}.onboard.test")
    oci_lab.server.page_size = 2
    oci_lab.server.mode, oci_lab.server.mode_from = "throttled", 3
    code, rows, stderr = failing_scan(oci_lab, dns_servers)
    assert sorted(r["domain"] for r in rows) == ["d0.onboard.test", "d1.onboard.test"]
    assert code == 3
    assert "scanned 2 domains" in stderr
    assert "throttled by the API (429)" in stderr


# --- the TUI's scan screen ------------------------------------------------------------------


def compartment_app(lab: OciLab, servers: DnsServers, folder: Path) -> Any:
    from wizard.flow.loader import find_flow
    from wizard.probes.runner import RegistryRunner
    from wizard.settings import OciOptions, Settings
    from wizard.tui.app import make_app

    settings = Settings(timeout=3.0, ca_file=str(lab.ca_file), oci=OciOptions(
        config=str(lab.config), profile="P", endpoint=lab.server.url))
    return make_app([find_flow("dkim-needs-attention"), find_flow("spf-dmarc")],
                    RegistryRunner(servers.ctx(timeout=3.0)), cursor_blink=False,
                    animation_level="none", sessions_folder=folder, settings=settings,
                    wall_clock=lambda: 1_700_000_000.0)


async def scan_in_tui(app: Any, compartment: str) -> Any:
    from textual.widgets import Input

    from wizard.tui.screens.scan import ScanScreen

    screen = ScanScreen(concurrency=2)
    await app.push_screen(screen)
    screen.query_one("#scan-file", Input).value = compartment
    screen.action_start()
    await app.workers.wait_for_complete()
    return screen


async def test_the_scan_screen_takes_a_compartment_ocid_in_the_file_field(
        oci_lab: OciLab, dns_servers: DnsServers, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import Static

    for name in [k for k in os.environ if k.startswith("OCI_CLI_")]:
        monkeypatch.delenv(name)
    fill(oci_lab.server.state)
    app = compartment_app(oci_lab, dns_servers, tmp_path)
    async with app.run_test(size=(110, 36)) as pilot:
        screen = await scan_in_tui(app, TENANCY)
        await pilot.pause()
        rows = {row.domain: row for row in screen.rows}
        assert set(rows) == {"signed.test", "dkimflow.test", "good.onboard.test",
                             "mail.dkimflow.test"}
        assert rows["signed.test"].status == "healthy"
        assert rows["dkimflow.test"].dkim == "misplaced_found"
        status = str(screen.query_one("#scan-status", Static).render())
        assert status.startswith("Done. 4 domains"), status
        assert screen.targets[0].expected_cname, "a row opens with the API's CNAME value"


async def test_a_compartment_the_api_refuses_is_a_message_on_the_scan_screen(
        oci_lab: OciLab, dns_servers: DnsServers, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import Input, Static

    for name in [k for k in os.environ if k.startswith("OCI_CLI_")]:
        monkeypatch.delenv(name)
    oci_lab.server.mode = "throttled"
    app = compartment_app(oci_lab, dns_servers, tmp_path)
    async with app.run_test(size=(110, 36)) as pilot:
        screen = await scan_in_tui(app, TENANCY)
        await pilot.pause()
        status = str(screen.query_one("#scan-status", Static).render())
        assert "throttled by the API (429)" in status, status
        assert not screen.running and screen.rows == []
        screen.query_one("#scan-file", Input).value = "ocid1.user.oc1..aaaa"
        screen.action_start()
        await pilot.pause()
        status = str(screen.query_one("#scan-status", Static).render())
        assert "is not a compartment OCID" in status, status


def test_opening_the_api_is_bounded_too(oci_lab: OciLab, monkeypatch: pytest.MonkeyPatch) -> None:
    """Instance principals ask the metadata service before any listing (not reachable from a
    test: here the opening blocks instead); the scan gives up after --timeout, exit 3."""
    import io
    import threading

    from wizard.cli import main
    from wizard.ociapi import client

    release = threading.Event()

    def stuck(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)

    monkeypatch.setattr(client, "open_api", stuck)
    out, err = io.StringIO(), io.StringIO()
    try:
        code = main(["scan", "--compartment", TENANCY, *options(oci_lab), "--timeout", "0.5"],
                    stdout=out, stderr=err, environ=env_without_oci())
    finally:
        release.set()
    assert code == 3, err.getvalue()
    assert "open the OCI API: the API did not answer within 0.5s" in err.getvalue()


# --- one domain's DKIM key cannot be read ---------------------------------------------------

STALE = "ocid1.emaildkim.oc1..deletedkey"
"""The active DKIM id a domain still names after its key was deleted."""


def with_stale_key(state: ApiState) -> str:
    """:func:`fill`'s compartment, good.onboard.test naming a deleted key as its active one
    (the API answers 404 for it); returns that domain's OCID."""
    fill(state)
    domain = next(ocid for ocid, d in state.domains.items() if d["name"] == "good.onboard.test")
    state.domains[domain]["activeDkimId"] = STALE
    return domain


def test_a_deleted_active_dkim_key_is_one_rows_finding_and_the_others_are_scanned(
        oci_lab: OciLab, dns_servers: DnsServers) -> None:
    with_stale_key(oci_lab.server.state)
    code, rows, stderr = scan(dns_servers, "--compartment", TENANCY, *options(oci_lab))
    _, listed, _ = scan(dns_servers, "--region", "us-ashburn-1", "-", stdin=EQUIVALENT_CSV)
    assert code == 3, stderr
    by_domain = comparable(rows)
    assert set(by_domain) == {"signed.test", "dkimflow.test", "good.onboard.test",
                              "mail.dkimflow.test"}
    expected = comparable(listed)
    for other in ("signed.test", "dkimflow.test", "mail.dkimflow.test"):
        assert by_domain[other] == expected[other], other
    stale = by_domain["good.onboard.test"]
    assert stale["status"] == "inconclusive"
    assert stale["checks"] == {"dkim": "key_unreadable", "spf": "valid",
                               "dmarc": "policy_enforced"}, "SPF and DMARC still checked"
    assert stale["flows"] == {"spf-dmarc": "healthy"}
    finding = next(f for f in stale["findings"] if f["id"] == "dkim.key-unreadable")
    assert finding["severity"] == "warning"
    for part in (STALE, "active", "404", "NotAuthorizedOrNotFound", "opc-request-id",
                 "deleted"):
        assert part in finding["message"], part
    fix = next(f for f in stale["fixes"] if f["id"] == "dkim.unreadable-key")
    where = [a.get("where", "") for a in fix["actions"]]
    assert any("Email Delivery → Email Domains → good.onboard.test → DKIM" in w for w in where)
    assert "read email-family" in fix["text"]
    assert STALE in stale["error"] and "404" in stale["error"]
    assert "scanned 4 domains" in stderr
    assert "inconclusive" in stderr


def test_a_domain_whose_dkim_keys_cannot_be_listed_is_still_checked_for_spf_and_dmarc(
        oci_lab: OciLab, dns_servers: DnsServers) -> None:
    state = oci_lab.server.state
    fill(state)
    mail = next(o for o, d in state.domains.items() if d["name"] == "mail.dkimflow.test")
    oci_lab.server.failing[mail] = "no_policy"
    code, rows, stderr = scan(dns_servers, "--compartment", TENANCY, "--mx", *options(oci_lab))
    _, listed, _ = scan(dns_servers, "--mx", "-", stdin="mail.dkimflow.test\n")
    assert code == 3, stderr
    by_domain = {row["domain"]: row for row in rows}
    assert by_domain["signed.test"]["status"] == "healthy"
    assert by_domain["dkimflow.test"]["checks"]["dkim"] == "misplaced_found"
    row = by_domain["mail.dkimflow.test"]
    assert row["status"] == "inconclusive"
    assert row["selector"] is None
    assert row["checks"] == {**listed[0]["checks"], "dkim": "key_unreadable"}
    assert row["checks"]["mx"], "MX looked up as asked"
    message = next(f["message"] for f in row["findings"] if f["id"] == "dkim.key-unreadable")
    assert "DKIM keys of mail.dkimflow.test" in message and "404" in message


@pytest.mark.parametrize(("mode", "rows_for_mail"), [("no_policy", 1), ("server_error", 0)])
def test_only_a_404_for_the_newest_key_is_one_rows_matter(
        oci_lab: OciLab, dns_servers: DnsServers, mode: str, rows_for_mail: int) -> None:
    """A 404 names that one key; a 5xx (or 429, 401, a timeout) would hit every later call
    too, so it still stops the listing with its message and exit 3."""
    fill(oci_lab.server.state)
    oci_lab.server.failing["ocid1.emaildkim.oc1..dropped"] = mode
    code, rows, stderr = scan(dns_servers, "--compartment", TENANCY, *options(oci_lab))
    assert code == 3, stderr
    mail = [r for r in rows if r["domain"] == "mail.dkimflow.test"]
    assert len(mail) == rows_for_mail
    if mail:
        assert mail[0]["checks"]["dkim"] == "key_unreadable"
        assert "the newest DKIM key ocid1.emaildkim.oc1..dropped" in mail[0]["error"]
        assert "email-wizard: scan:" not in stderr
    else:
        assert "get DKIM of mail.dkimflow.test: the API failed (HTTP 500)" in stderr


def test_csv_names_the_unreadable_key_in_the_error_column(oci_lab: OciLab,
                                                         dns_servers: DnsServers) -> None:
    import csv
    import io

    state = oci_lab.server.state
    state.add_dkim(state.add_domain("signed.test"), "live", cname="sel1.keys.provider.test")
    state.domains[state.add_domain("good.onboard.test")]["activeDkimId"] = STALE
    result = cli("scan", "--compartment", TENANCY, "--format", "csv", *options(oci_lab),
                 "--nameserver", str(dns_servers.resolver), "--authoritative-port",
                 str(dns_servers.authoritative_port), env=env_without_oci())
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    table = {r["domain"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert table["signed.test"]["status"] == "healthy"
    stale = table["good.onboard.test"]
    assert (stale["status"], stale["dkim"], stale["spf"], stale["dmarc"], stale["findings"],
            stale["fixes"]) == ("inconclusive", "key_unreadable", "valid", "policy_enforced",
                                "dkim.key-unreadable", "dkim.unreadable-key")
    assert STALE in stale["error"] and "404" in stale["error"]


def test_an_unreadable_key_leaks_no_secret(oci_lab: OciLab, dns_servers: DnsServers) -> None:
    from tests.servers.oci_fixtures import PASSPHRASE

    with_stale_key(oci_lab.server.state)
    key = (oci_lab.directory / "locked.pem").read_text(encoding="ascii")
    body = "".join(key.splitlines()[1:3])
    code, rows, stderr = scan(dns_servers, "--compartment", TENANCY,
                              *options(oci_lab, "LOCKED"),
                              env=env_without_oci(EMAIL_WIZARD_OCI_PASSPHRASE=PASSPHRASE))
    assert code == 3, stderr
    assert [r["checks"]["dkim"] for r in rows if r["domain"] == "good.onboard.test"] == [
        "key_unreadable"]
    shown = json.dumps(rows) + stderr
    assert PASSPHRASE not in shown and body not in shown
    assert "Signature" not in shown and "keyId" not in shown


def test_a_deleted_key_alone_in_the_compartment_exits_3_not_2(
        oci_lab: OciLab, dns_servers: DnsServers) -> None:
    state = oci_lab.server.state
    state.domains[state.add_domain("good.onboard.test")]["activeDkimId"] = STALE
    code, rows, stderr = scan(dns_servers, "--compartment", TENANCY, *options(oci_lab))
    assert (code, [r["status"] for r in rows]) == (3, ["inconclusive"]), stderr
    assert "email-wizard: scan:" not in stderr, "no error for the whole scan"


async def test_the_scan_screen_shows_a_domain_whose_key_cannot_be_read(
        oci_lab: OciLab, dns_servers: DnsServers, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import DataTable, Static

    for name in [k for k in os.environ if k.startswith("OCI_CLI_")]:
        monkeypatch.delenv(name)
    with_stale_key(oci_lab.server.state)
    app = compartment_app(oci_lab, dns_servers, tmp_path)
    async with app.run_test(size=(110, 36)) as pilot:
        screen = await scan_in_tui(app, TENANCY)
        await pilot.pause()
        status = str(screen.query_one("#scan-status", Static).render())
        assert status.startswith("Done. 4 domains"), status
        assert "1 inconclusive" in status, status
        index = next(i for i, row in enumerate(screen.rows)
                     if row.domain == "good.onboard.test")
        table = screen.query_one("#scan-table", DataTable)
        cells = [str(cell) for cell in table.get_row(str(index))]
        assert cells == ["good.onboard.test", "key_unreadable", "valid", "policy_enforced",
                         "inconclusive"]
        notices: list[str] = []
        monkeypatch.setattr(screen, "notify",
                            lambda message, **kwargs: notices.append(str(message)))
        opened: list[str] = []
        monkeypatch.setattr(screen.wizard, "start_walk",
                            lambda flow, values: opened.append(flow.id))
        screen.open_row(index)
        assert opened == ["spf-dmarc"], "SPF and DMARC were checked: their walk opens"
        assert len(notices) == 1, notices
        assert STALE in notices[0] and "404" in notices[0], notices
        assert "make an existing one active" in notices[0] and "Identity → Policies" in \
            notices[0], "what to do"
