"""tcp.ports: several ports of one host (or of a domain's MX) at once, against loopback peers."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.helpers import probes_in_netns
from tests.servers.dns_fixtures import DnsServers
from tests.servers.port_fixtures import EXTERNAL, Peers
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import ProbeFailed, RegistryRunner


async def ports(ctx: ProbeContext | None = None, **params: Any) -> ProbeResult:
    return await RegistryRunner(ctx or ProbeContext(timeout=2.0)).run("tcp.ports", params)


async def test_every_port_open_is_all_open_with_the_first_open_port(listening_port: int,
                                                                    peers: Peers,
                                                                    shared_port: int) -> None:
    peers.smtp("127.0.0.1", shared_port)
    result = await ports(host="127.0.0.1", ports=f"{shared_port},{listening_port}")
    assert result.outcome == "all_open"
    assert result.facts["open_ports"] == [shared_port, listening_port]
    assert result.facts["first_open_port"] == shared_port
    assert result.facts["blocked_ports_text"] == ""
    assert [r["outcome"] for r in result.facts["results"]] == ["open", "open"]


async def test_an_open_and_a_refused_port_is_some_open(listening_port: int,
                                                       closed_port: int) -> None:
    result = await ports(host="127.0.0.1", ports=[closed_port, listening_port])
    assert result.outcome == "some_open"
    assert result.facts["first_open_port"] == listening_port
    assert result.facts["refused_ports"] == [closed_port]
    assert result.facts["blocked_ports_text"] == str(closed_port)
    assert result.facts["report"] == (f"{closed_port} refused (reset); {listening_port} open")


async def test_every_port_refused_is_all_refused(closed_port: int, shared_port: int) -> None:
    result = await ports(host="127.0.0.1", ports=f"{closed_port}, {shared_port}")
    assert result.outcome == "all_refused"
    assert result.facts["first_open_port"] is None
    assert "something answered with a reset" in result.summary


async def test_ports_that_never_answer_are_all_dropped_within_the_timeout(
        silent_port: int) -> None:
    started = time.monotonic()
    result = await ports(ProbeContext(timeout=1.0), host="127.0.0.1", ports=str(silent_port))
    assert time.monotonic() - started < 2.0
    assert result.outcome == "all_dropped"
    assert result.facts["dropped_ports"] == [silent_port]
    assert "dropped" in result.summary


async def test_a_refused_and_a_dropped_port_is_none_open(closed_port: int,
                                                         silent_port: int) -> None:
    result = await ports(ProbeContext(timeout=1.0), host="127.0.0.1",
                         ports=[closed_port, silent_port])
    assert result.outcome == "none_open"
    assert result.facts["report"] == (f"{closed_port} refused (reset); "
                                      f"{silent_port} no answer (dropped)")




def test_no_route_to_the_host_is_unreachable(unreachable_netns: tuple[str, str]) -> None:
    namespace, address = unreachable_netns
    found = probes_in_netns(namespace, {"tcp.ports": {"host": address, "ports": "587,25"}})
    result = found["tcp.ports"]
    assert [result["outcome"], result["facts"]["unreachable_ports"]] == [
        "unreachable", [587, 25]]


async def test_a_name_is_resolved_through_the_given_resolver(dns_servers: DnsServers,
                                                             listening_port: int) -> None:
    result = await ports(dns_servers.ctx(), host="relay.ports.test", ports=str(listening_port))
    assert result.outcome == "all_open"
    assert (result.facts["target_host"], result.facts["address"]) == ("relay.ports.test",
                                                                      "127.0.0.1")


async def test_a_name_that_does_not_exist_is_name_not_found(dns_servers: DnsServers) -> None:
    result = await ports(dns_servers.ctx(), host="nosuch.ports.test", ports="587")
    assert result.outcome == "name_not_found"


async def test_a_resolver_that_never_answers_is_a_timeout(dns_servers: DnsServers) -> None:
    result = await ports(dns_servers.silent_ctx(), host="relay.ports.test", ports="587")
    assert result.outcome == "timeout"
    assert "got no answer in time" in result.summary


async def test_with_no_host_the_best_mx_of_the_domain_is_tried(dns_servers: DnsServers,
                                                               peers: Peers,
                                                               shared_port: int) -> None:
    peers.smtp(EXTERNAL, shared_port)
    result = await ports(dns_servers.ctx(), mx_domain="mta.ports.test", ports=str(shared_port))
    assert result.outcome == "all_open"
    assert result.facts["mx_hosts"] == ["mx.mta.ports.test"]
    assert (result.facts["target_host"], result.facts["address"]) == ("mx.mta.ports.test",
                                                                      EXTERNAL)


async def test_a_domain_without_mx_but_with_an_address_is_tried_itself(
        dns_servers: DnsServers, listening_port: int) -> None:
    result = await ports(dns_servers.ctx(), mx_domain="relay.ports.test",
                         ports=str(listening_port))
    assert result.outcome == "all_open"
    assert result.facts["target_host"] == "relay.ports.test"


async def test_a_domain_with_no_mail_server_is_no_mx(dns_servers: DnsServers) -> None:
    result = await ports(dns_servers.ctx(), mx_domain="nomx.ports.test", ports="25")
    assert result.outcome == "no_mx"
    assert "neither MX nor an address" in result.facts["reason"]


async def test_an_mx_lookup_that_gets_no_answer_is_a_timeout(dns_servers: DnsServers) -> None:
    result = await ports(dns_servers.silent_ctx(), mx_domain="mta.ports.test", ports="25")
    assert result.outcome == "timeout"


async def test_a_host_given_wins_over_the_mx_domain(dns_servers: DnsServers,
                                                    listening_port: int) -> None:
    result = await ports(dns_servers.ctx(), host="127.0.0.1", mx_domain="nomx.ports.test",
                         ports=str(listening_port))
    assert result.outcome == "all_open"
    assert result.facts["mx_hosts"] == []


@pytest.mark.parametrize("params", [
    {"ports": "587"},
    {"host": "127.0.0.1", "ports": ""},
    {"host": "127.0.0.1", "ports": "70000"},
    {"host": "127.0.0.1", "ports": "smtp"},
])
async def test_bad_parameters_are_refused_before_anything_runs(params: dict[str, Any]) -> None:
    with pytest.raises(ProbeFailed, match="bad parameters"):
        await ports(**params)


async def test_repeated_ports_are_tried_once(listening_port: int) -> None:
    result = await ports(host="127.0.0.1", ports=f"{listening_port},{listening_port}")
    assert result.facts["ports"] == [listening_port]


@pytest.mark.parametrize("error", [ConnectionResetError, ConnectionAbortedError])
async def test_a_reset_right_after_the_handshake_is_an_open_port_not_a_missing_route(
        monkeypatch: pytest.MonkeyPatch, error: type[OSError]) -> None:
    """The kernel reports a reset that came before the event loop saw the connect complete
    as ECONNRESET/ECONNABORTED from connect (a refused SYN is ECONNREFUSED): the handshake
    was done, so the port is open — it was 'unreachable: no route' before. (A fake
    open_connection: a real peer cannot time its reset between the kernel and the loop.)"""
    import asyncio

    from wizard.probes.base import Deadline
    from wizard.probes.support import tcp_attempt

    async def reset(*_: Any, **__: Any) -> Any:
        raise error(104, "Connection reset by peer")

    monkeypatch.setattr(asyncio, "open_connection", reset)
    fate, connect_ms, line = await tcp_attempt.connect_once("127.0.0.1", 25, Deadline(2))
    assert fate == "open" and connect_ms is not None
    assert line == "127.0.0.1 port 25: connected, then reset at once by the other end"
