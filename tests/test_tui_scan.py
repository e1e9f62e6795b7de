"""The scan screen: a list in, rows in live from the engine, filter, open a row, save, cancel.

Against the loopback Knot servers (tests/servers/dns_fixtures.py), with the zones
tests/test_scan.py uses: dkimflow.test for DKIM, onboard.test for SPF and DMARC.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from tests import test_flow_dkim_snapshots as dkim_snaps
from tests import test_flow_spf_dmarc_snapshots as spf_snaps
from tests.flow_snapshots import ReplayRunner
from tests.servers.dns_fixtures import DnsServers
from wizard.flow.loader import find_flow
from wizard.probes.runner import RegistryRunner
from wizard.settings import Settings
from wizard.tui.app import EmailWizardApp, make_app
from wizard.tui.screens import scan as scan_screen
from wizard.tui.screens.scan import ScanScreen
from wizard.tui.screens.walk import WalkScreen

LIST = """domain,selector,expected_cname,region,spf_include
dkimflow.test,ok,sel1.keys.provider.test,,rp.oracleemaildelivery.com
dkimflow.test,pasted,,,rp.oracleemaildelivery.com
good.onboard.test,,,us-ashburn-1,
noinclude.onboard.test,,,,rp.oracleemaildelivery.com
monitor.onboard.test,,,,rp.oracleemaildelivery.com
"""
SIZE = (110, 36)


def scan_app(servers: DnsServers, folder: Path, silent: bool = False) -> EmailWizardApp:
    ctx = servers.silent_ctx(timeout=1.0) if silent else servers.ctx(timeout=3.0)
    return make_app([find_flow("dkim-needs-attention"), find_flow("spf-dmarc")],
                    RegistryRunner(ctx), cursor_blink=False, animation_level="none",
                    sessions_folder=folder, settings=Settings(timeout=1.0 if silent else 3.0),
                    wall_clock=lambda: 1_700_000_000.0)


def table_domains(screen: ScanScreen) -> list[tuple[str, str]]:
    table = screen.query_one("#scan-table", DataTable)
    return [(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[4]))
            for i in range(table.row_count)]


async def test_home_opens_the_scan_rows_arrive_filter_open_and_save(
        dns_servers: DnsServers, tmp_path: Path) -> None:
    app = scan_app(dns_servers, tmp_path / "sessions")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"many domains", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScanScreen), "home → Check many domains at once"
        scan_view: object = screen
        screen.query_one("#scan-list", TextArea).load_text(LIST)
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = {(r.domain, r.selector): r for r in screen.rows}
        assert len(rows) == 5
        assert rows[("dkimflow.test", "pasted")].dkim == "misplaced_found"
        assert rows[("dkimflow.test", "ok")].dkim == "cname_ok"
        assert rows[("good.onboard.test", "")].status == "healthy"
        assert rows[("noinclude.onboard.test", "")].status == "problem"
        assert len(table_domains(screen)) == 5
        status = str(screen.query_one("#scan-status", Static).render())
        assert status.startswith("Done. 5 domains"), status

        await pilot.press("p")
        await pilot.pause()
        shown = table_domains(screen)
        assert shown and all(verdict != "healthy" for _, verdict in shown)
        assert len(shown) == sum(r.status != "healthy" for r in screen.rows)
        assert ("noinclude.onboard.test", "problem") in shown

        pasted = next(i for i, r in enumerate(screen.rows) if r.selector == "pasted")
        table = screen.query_one("#scan-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(pasted)))
        await pilot.press("enter")
        await pilot.pause()
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        assert walk.session.flow.id == "dkim-needs-attention"
        assert walk.session.values["domain"] == "dkimflow.test"
        assert walk.session.values["selector"] == "pasted"
        await app.workers.wait_for_complete()
        app.pop_screen()
        await pilot.pause()
        assert app.screen is scan_view, "back on the scan"

        await pilot.press("s")
        await pilot.pause()
        saved = sorted(p.name for p in (tmp_path / "sessions").iterdir())
        assert [Path(n).suffix for n in saved] == [".csv", ".jsonl"]
        lines = (tmp_path / "sessions" / saved[1]).read_text().splitlines()
        assert sorted((o["domain"], o["status"]) for o in map(json.loads, lines)) == sorted(
            (r.domain, r.status) for r in screen.rows)
        with (tmp_path / "sessions" / saved[0]).open() as handle:
            table_rows = list(csv.DictReader(handle))
        assert len(table_rows) == 5 and {"domain", "dkim", "spf", "dmarc"} <= set(table_rows[0])


async def test_a_spf_row_opens_the_spf_dmarc_walk_with_its_include(
        dns_servers: DnsServers, tmp_path: Path) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("noinclude.onboard.test\n")
    app = scan_app(dns_servers, tmp_path)
    app.settings = Settings(timeout=3.0, region="us-ashburn-1")
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("command_palette")
        await pilot.pause()
        await pilot.press(*"scan many", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScanScreen), "the palette opens the scan"
        screen.query_one("#scan-file", Input).value = str(listing)
        screen.query_one("#scan-file", Input).focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [(r.domain, r.status) for r in screen.rows] == [
            ("noinclude.onboard.test", "problem")]
        await pilot.press("enter")
        await pilot.pause()
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        assert walk.session.flow.id == "spf-dmarc"
        assert walk.session.values["region"] == "us-ashburn-1", "the settings' region applies"
        await app.workers.wait_for_complete()


async def test_cancel_stops_a_scan_on_a_silent_server_and_keeps_the_screen(
        dns_servers: DnsServers, tmp_path: Path) -> None:
    app = scan_app(dns_servers, tmp_path, silent=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = ScanScreen(concurrency=2)
        await app.push_screen(screen)
        screen.query_one("#scan-list", TextArea).load_text(
            "\n".join(f"d{i}.onboard.test" for i in range(20)))
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert screen.running
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.running
        status = str(screen.query_one("#scan-status", Static).render())
        assert status.startswith("Cancelled"), status
        assert len(screen.rows) < 20


async def test_bad_input_is_a_message_not_a_crash(dns_servers: DnsServers,
                                                 tmp_path: Path) -> None:
    app = scan_app(dns_servers, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = ScanScreen()
        await app.push_screen(screen)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Give a file or paste" in str(screen.query_one("#scan-status", Static).render())
        screen.query_one("#scan-file", Input).value = str(tmp_path)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "not a regular file" in str(screen.query_one("#scan-status", Static).render())
        screen.query_one("#scan-file", Input).value = ""
        screen.query_one("#scan-list", TextArea).load_text("domain,selecter\nexample.com,s\n")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#scan-status", Static).render())
        assert "unknown column 'selecter'" in status, status
        assert not screen.running


PICTURE_LIST = """domain,selector,expected_cname,spf_include
example.com,sel1,sel1.keys.example.net,rp.oracleemaildelivery.com
example.net,sel1,sel1.keys.example.net,rp.oracleemaildelivery.com
example.org,,,rp.oracleemaildelivery.com
shop.example.com,sel1,sel1.keys.example.net,rp.oracleemaildelivery.com
mail.example.org,,,rp.oracleemaildelivery.com
"""


def picture_runner() -> ReplayRunner:
    """Documentation-valued results, in the order one domain at a time asks for them."""
    return ReplayRunner([
        # example.com: healthy
        dkim_snaps.no_api(), dkim_snaps.profile(), dkim_snaps.authority(),
        dkim_snaps.record("cname_ok", "sel1._domainkey.example.com is a CNAME to "
                          "sel1.keys.example.net", **dkim_snaps.key()),
        spf_snaps.spf(), spf_snaps.dmarc("policy_enforced"),
        # example.net: the zone-relative paste mistake, DMARC only monitoring
        dkim_snaps.no_api(), dkim_snaps.profile(), dkim_snaps.authority(answer="NXDOMAIN"),
        dkim_snaps.missing(), dkim_snaps.misplaced("misplaced_found"),
        spf_snaps.spf(), spf_snaps.dmarc("policy_none", "v=DMARC1; p=none", "none"),
        # example.org: no DMARC
        spf_snaps.spf(), spf_snaps.dmarc("missing", ""),
        # shop.example.com: the CNAME points elsewhere
        dkim_snaps.no_api(), dkim_snaps.profile(),
        dkim_snaps.authority(answer="CNAME other.keys.example.net."),
        dkim_snaps.record("cname_wrong_target", "sel1._domainkey.example.com is a CNAME to "
                          "other.keys.example.net", cname_target="other.keys.example.net",
                          cname_matches=False),
        spf_snaps.spf(), spf_snaps.dmarc("policy_enforced"),
        # mail.example.org: DMARC does not answer
        spf_snaps.spf(), spf_snaps.dmarc("timeout", ""),
    ])


def test_the_filled_table(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app([find_flow("dkim-needs-attention"), find_flow("spf-dmarc")],
                   picture_runner(), clock=lambda: 0.0, cursor_blink=False,
                   animation_level="none", sessions_folder=tmp_path, settings=Settings())

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = ScanScreen(concurrency=1)
        await app.push_screen(screen)
        screen.query_one("#scan-list", TextArea).load_text(PICTURE_LIST)
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [r.domain for r in screen.rows] == [
            "example.com", "example.net", "example.org", "shop.example.com", "mail.example.org"]

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


async def test_a_scan_reads_at_most_max_rows_domains_and_says_so(dns_servers: DnsServers,
                                                                  tmp_path: Path) -> None:
    app = scan_app(dns_servers, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = ScanScreen(max_rows=2)
        await app.push_screen(screen)
        screen.query_one("#scan-list", TextArea).load_text(
            "good.onboard.test\nnoinclude.onboard.test\nmonitor.onboard.test\n")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(screen.rows) == 2
        status = str(screen.query_one("#scan-status", Static).render())
        assert status.startswith("Stopped at the first 2 domains."), status


async def test_a_pasted_list_over_the_limit_is_cut_at_a_line_and_says_so(
        dns_servers: DnsServers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_screen, "MAX_PASTE", 40)
    app = scan_app(dns_servers, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = ScanScreen()
        await app.push_screen(screen)
        screen.query_one("#scan-list", TextArea).load_text(
            "good.onboard.test\nmonitor.onboard.test\nnoinclude.onboard.test\n")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sorted(r.domain for r in screen.rows) == ["good.onboard.test",
                                                         "monitor.onboard.test"]
        assert any("Only the first 40 characters" in n.message for n in app._notifications)


async def test_a_bad_input_row_does_not_open_a_walk(dns_servers: DnsServers,
                                                    tmp_path: Path) -> None:
    app = scan_app(dns_servers, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = ScanScreen()
        await app.push_screen(screen)
        screen.query_one("#scan-list", TextArea).load_text("domain,region,spf_include\n"
                                                           "good.onboard.test,r,[x]\n")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [r.status for r in screen.rows] == ["bad_input"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert any("region or spf_include" in n.message for n in app._notifications)
