"""Re-checking a DNS fix (wizard.dns_recheck) against the loopback Knot resolver:
a record already there is "in place"; a missing one is "not yet" with the TTL the old
(negative) answer may still be cached; the poll is bounded and stops once all are in place."""

from __future__ import annotations

from tests.servers.dns_fixtures import DnsServers
from wizard.dns_recheck import check_record, poll
from wizard.fixes.vocabulary import DnsAction

IN_PLACE = DnsAction(type="dns", op="add", name="sel1._domainkey.example.com.", rtype="CNAME",
                     value="sel1.example.com.dkim.iad1.oracleemaildelivery.com.")
MISSING = DnsAction(type="dns", op="add", name="sel9._domainkey.example.com.", rtype="CNAME",
                    value="sel9.example.com.dkim.iad1.oracleemaildelivery.com.")
SPF = DnsAction(type="dns", op="replace", name="example.com.", rtype="TXT",
                value="v=spf1 include:rp.oracleemaildelivery.com ~all")


async def test_a_record_that_is_already_right_is_in_place(dns_servers: DnsServers) -> None:
    state = await check_record(IN_PLACE, dns_servers.ctx())
    assert state.in_place
    assert state.line().startswith("✔ sel1._domainkey.example.com. CNAME: in place")
    assert (await check_record(SPF, dns_servers.ctx())).in_place


async def test_a_missing_record_is_not_yet_with_the_negative_ttl(
        dns_servers: DnsServers) -> None:
    state = await check_record(MISSING, dns_servers.ctx())
    assert not state.in_place
    assert state.ttl is not None and 0 < state.ttl <= 300
    assert "not yet" in state.line() and "no such name" in state.line()
    assert f"up to {state.ttl} s more" in state.line()


async def test_a_deleted_record_that_is_still_there_is_not_yet(
        dns_servers: DnsServers) -> None:
    gone = IN_PLACE.model_copy(update={"op": "delete"})
    state = await check_record(gone, dns_servers.ctx())
    assert not state.in_place and state.ttl == 300


async def test_no_server_answering_is_said_not_raised(dns_servers: DnsServers) -> None:
    state = await check_record(MISSING, dns_servers.silent_ctx(timeout=0.5))
    assert not state.in_place and "no DNS server answered" in state.line()


async def test_the_poll_is_bounded_and_stops_when_everything_is_in_place(
        dns_servers: DnsServers) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    rounds = [n async for n, _ in poll([MISSING], dns_servers.ctx(), tries=3, interval=2,
                                       sleep=sleep)]
    assert rounds == [1, 2, 3] and slept == [2, 2]
    done = [states async for _, states in poll([IN_PLACE], dns_servers.ctx(), tries=5,
                                               sleep=sleep)]
    assert len(done) == 1 and done[0][0].in_place
