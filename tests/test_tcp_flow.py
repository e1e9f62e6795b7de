"""The tcp-port flow end to end, headless, against real sockets on loopback."""

from __future__ import annotations

import json
import subprocess

from tests.helpers import CLI, ROOT, cli
from wizard.probes.base import Nameserver


def run_json(*args: str) -> tuple[int, dict]:
    result = cli("run", "tcp-port", "--json", *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_open_port_is_healthy_and_exits_0(listening_port: int) -> None:
    code, out = run_json("--set", "host=127.0.0.1", "--set", f"port={listening_port}")
    assert code == 0
    assert out["status"] == "healthy"
    assert out["findings"] == [] and out["fixes"] == []
    probe = out["trail"][0]
    assert (probe["step"], probe["probe"], probe["outcome"]) == ("connect", "tcp.connect", "open")
    assert probe["facts"]["connect.address"] == "127.0.0.1"
    assert isinstance(probe["elapsed_ms"], int)


def test_closed_port_is_refused_with_its_own_explanation(closed_port: int) -> None:
    code, out = run_json("--set", "host=127.0.0.1", "--set", f"port={closed_port}")
    assert code == 1
    assert out["status"] == "problem"
    assert out["trail"][0]["outcome"] == "refused"
    assert [f["id"] for f in out["findings"]] == ["tcp.refused"]
    assert [f["id"] for f in out["fixes"]] == ["tcp.check-port"]
    assert out["fixes"][0]["actions"] == []


def test_silently_dropped_port_times_out_and_proposes_an_egress_rule(silent_port: int) -> None:
    code, out = run_json("--set", "host=127.0.0.1", "--set", f"port={silent_port}",
                         "--timeout", "1")
    assert code == 1
    assert out["trail"][0]["outcome"] == "timeout"
    assert out["fixes"][0]["actions"] == [{
        "type": "network", "protocol": "tcp", "port": str(silent_port),
        "destination": "127.0.0.1", "direction": "egress",
        "where": "host firewall, network firewall or cloud security group, or ISP",
    }]


def test_no_route_is_unreachable(unreachable_netns: tuple[str, str]) -> None:
    namespace, address = unreachable_netns
    result = subprocess.run(
        ["ip", "netns", "exec", namespace, *CLI, "run", "tcp-port",
         "--json", "--set", f"host={address}", "--set", "port=587"],
        capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1, result.stderr
    out = json.loads(result.stdout)
    assert out["trail"][0]["outcome"] == "unreachable"
    assert out["findings"][0]["id"] == "tcp.unreachable"


def test_text_output_names_the_fix(closed_port: int) -> None:
    result = cli("run", "tcp-port", "--set", "host=127.0.0.1", "--set", f"port={closed_port}")
    assert result.returncode == 1
    assert "tcp-port: problem" in result.stdout
    assert "Fix: Use the port the service listens on" in result.stdout


def test_the_host_is_resolved_through_the_given_nameserver(dns_servers,
                                                           listening_port: int) -> None:
    """ns1.query.test exists only in the test zones: reaching it proves the lookup went there."""
    ns = dns_servers.resolver
    code, out = run_json("--set", "host=ns1.query.test", "--set", f"port={listening_port}",
                         "--nameserver", f"{ns.address}:{ns.port}")
    assert code == 0
    assert out["trail"][0]["facts"]["connect.address"] == "127.0.0.1"


def test_a_name_that_does_not_exist_is_name_not_found(dns_servers) -> None:
    ns = dns_servers.resolver
    code, out = run_json("--set", "host=nosuch.query.test", "--nameserver",
                         f"{ns.address}:{ns.port}")
    assert code == 1
    assert out["trail"][0]["outcome"] == "name_not_found"
    assert [f["id"] for f in out["findings"]] == ["tcp.name-not-found"]


def test_an_unanswering_dns_server_is_a_lookup_timeout_not_a_dropped_port(
        silent_nameserver: Nameserver) -> None:
    code, out = run_json("--set", "host=mail.example.test", "--set", "port=587",
                         "--nameserver", f"{silent_nameserver.address}:{silent_nameserver.port}",
                         "--timeout", "1")
    assert code == 1
    assert out["trail"][0]["outcome"] == "lookup_timeout"
    assert [f["id"] for f in out["findings"]] == ["tcp.lookup-timeout"]
    assert [f["id"] for f in out["fixes"]] == ["tcp.check-resolver"]
    assert "got no DNS answer within 1s" in out["trail"][0]["summary"]
    assert "dropped" not in json.dumps(out)
