"""Every outcome of every DNS probe, produced against the real knot servers.

One table: probe, parameters, which servers to ask, the outcome expected.
The last test proves the table covers each outcome each DNS probe declares.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.servers.dns_fixtures import DnsServers
from wizard.probes.registry import PROBES
from wizard.probes.runner import GRACE_SECONDS, RegistryRunner

DNS_PROBES = ("dns.query", "dns.zone_apex", "dns.authority", "dkim.record", "dkim.misplaced",
              "spf.check", "dmarc.check", "mx.lookup")

PROVIDER_KEY = "sel1.keys.provider.test"

CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("dns.query", {"name": "www.query.test"}, "resolver", "answer"),
    ("dns.query", {"name": "nosuch.query.test"}, "resolver", "nxdomain"),
    ("dns.query", {"name": "www.query.test", "rtype": "AAAA"}, "resolver", "nodata"),
    ("dns.query", {"name": "loop1.query.test"}, "resolver", "cname_loop"),
    ("dns.query", {"name": "x.broken.test"}, "resolver", "servfail"),
    ("dns.query", {"name": "x.nowhere.test"}, "resolver", "refused"),
    ("dns.query", {"name": "www.query.test"}, "silent", "timeout"),
    ("dns.zone_apex", {"name": "www.query.test"}, "resolver", "found"),
    ("dns.zone_apex", {"name": "x.broken.test"}, "resolver", "servfail"),
    ("dns.zone_apex", {"name": "x.nowhere.test"}, "resolver", "refused"),
    ("dns.zone_apex", {"name": "www.query.test"}, "silent", "timeout"),
    ("dns.authority", {"name": "www.agree.test"}, "resolver", "consistent"),
    ("dns.authority", {"name": "sel1._domainkey.split.test", "rtype": "CNAME"}, "resolver",
     "servers_disagree"),
    ("dns.authority", {"name": "sel1._domainkey.stale.test", "rtype": "CNAME"}, "resolver",
     "resolver_stale"),
    ("dns.authority", {"name": "www.lame.test"}, "resolver", "lame_servers"),
    ("dns.authority", {"name": "www.dead.test"}, "resolver", "unreachable_servers"),
    ("dns.authority", {"name": "www.nons.test"}, "resolver", "no_nameservers"),
    ("dns.authority", {"name": "x.broken.test"}, "resolver", "servfail"),
    ("dns.authority", {"name": "x.nowhere.test"}, "resolver", "refused"),
    ("dns.authority", {"name": "www.agree.test"}, "silent", "timeout"),
    ("dkim.record", {"domain": "dkim.test", "selector": "sel1", "expected_cname": PROVIDER_KEY},
     "resolver", "cname_ok"),
    ("dkim.record", {"domain": "dkim.test", "selector": "wrong", "expected_cname": PROVIDER_KEY},
     "resolver", "cname_wrong_target"),
    ("dkim.record", {"domain": "dkim.test", "selector": "dangling"}, "resolver",
     "no_key_at_target"),
    ("dkim.record", {"domain": "dkim.test", "selector": "txtkey"}, "resolver", "txt_key"),
    ("dkim.record", {"domain": "dkim.test", "selector": "txtkey", "expected_cname": PROVIDER_KEY},
     "resolver", "txt_key_differs"),
    ("dkim.record", {"domain": "dkim.test", "selector": "revoked"}, "resolver", "revoked"),
    ("dkim.record", {"domain": "dkim.test", "selector": "bad"}, "resolver", "malformed"),
    ("dkim.record", {"domain": "dkim.test", "selector": "nosuch"}, "resolver", "missing"),
    ("dkim.record", {"domain": "broken.test", "selector": "s"}, "resolver", "servfail"),
    ("dkim.record", {"domain": "nowhere.test", "selector": "s"}, "resolver", "refused"),
    ("dkim.record", {"domain": "dkim.test", "selector": "sel1"}, "silent", "timeout"),
    ("dkim.misplaced", {"domain": "dkim.test", "selector": "sel5"}, "resolver",
     "misplaced_found"),
    ("dkim.misplaced", {"domain": "dkim.test", "selector": "sel1"}, "resolver", "none_found"),
    ("dkim.misplaced", {"domain": "broken.test", "selector": "s"}, "resolver", "servfail"),
    ("dkim.misplaced", {"domain": "nowhere.test", "selector": "s"}, "resolver", "refused"),
    ("dkim.misplaced", {"domain": "dkim.test", "selector": "sel5"}, "silent", "timeout"),
    ("spf.check", {"domain": "spf.test", "required_include": "_spf.provider.test"}, "resolver",
     "valid"),
    ("spf.check", {"domain": "nospf.spf.test"}, "resolver", "missing"),
    ("spf.check", {"domain": "multi.spf.test"}, "resolver", "multiple_records"),
    ("spf.check", {"domain": "syntax.spf.test"}, "resolver", "invalid"),
    ("spf.check", {"domain": "toomany.spf.test"}, "resolver", "too_many_lookups"),
    ("spf.check", {"domain": "voids.spf.test"}, "resolver", "too_many_void_lookups"),
    ("spf.check", {"domain": "noinclude.spf.test", "required_include": "_spf.provider.test"},
     "resolver", "include_missing"),
    ("spf.check", {"domain": "broken.test"}, "resolver", "servfail"),
    ("spf.check", {"domain": "nowhere.test"}, "resolver", "refused"),
    ("spf.check", {"domain": "spf.test"}, "silent", "timeout"),
    ("dmarc.check", {"domain": "dmarc.test"}, "resolver", "policy_enforced"),
    ("dmarc.check", {"domain": "mon.dmarc.test"}, "resolver", "policy_none"),
    ("dmarc.check", {"domain": "dmarc.test", "envelope_from": "bounce@provider.test"},
     "resolver", "not_aligned"),
    ("dmarc.check", {"domain": "bad.dmarc.test"}, "resolver", "malformed"),
    ("dmarc.check", {"domain": "mx.test"}, "resolver", "missing"),
    ("dmarc.check", {"domain": "broken.test"}, "resolver", "servfail"),
    ("dmarc.check", {"domain": "nowhere.test"}, "resolver", "refused"),
    ("dmarc.check", {"domain": "dmarc.test"}, "silent", "timeout"),
    ("mx.lookup", {"domain": "mx.test"}, "resolver", "mx_found"),
    ("mx.lookup", {"domain": "broken.mx.test"}, "resolver", "mx_unresolvable"),
    ("mx.lookup", {"domain": "null.mx.test"}, "resolver", "null_mx"),
    ("mx.lookup", {"domain": "implicit.mx.test"}, "resolver", "no_mx_implicit_a"),
    ("mx.lookup", {"domain": "nohost.mx.test"}, "resolver", "no_mx_no_address"),
    ("mx.lookup", {"domain": "nosuch.mx.test"}, "resolver", "nxdomain"),
    ("mx.lookup", {"domain": "broken.test"}, "resolver", "servfail"),
    ("mx.lookup", {"domain": "nowhere.test"}, "resolver", "refused"),
    ("mx.lookup", {"domain": "mx.test"}, "silent", "timeout"),
]


def _case_id(case: tuple[str, dict[str, Any], str, str]) -> str:
    return f"{case[0]}-{case[3]}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
async def test_the_probe_gives_the_outcome_and_the_facts_it_promises(
        dns_servers: DnsServers, case: tuple[str, dict[str, Any], str, str]) -> None:
    probe, params, servers, expected = case
    ctx = dns_servers.silent_ctx(1.0) if servers == "silent" else dns_servers.ctx(timeout=1.5)
    started = time.monotonic()
    result = await RegistryRunner(ctx).run(probe, params)
    assert result.outcome == expected, result.summary
    assert PROBES[probe].facts_for(result.outcome) <= set(result.facts)
    assert result.summary
    if servers == "silent":
        assert time.monotonic() - started < ctx.timeout + GRACE_SECONDS


def test_the_table_covers_every_outcome_of_every_dns_probe() -> None:
    for probe in DNS_PROBES:
        produced = {outcome for name, _, _, outcome in CASES if name == probe}
        assert produced == set(PROBES[probe].outcomes), probe
