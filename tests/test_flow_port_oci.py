"""port-connectivity with access to the OCI API: the endpoint comes from the email
configuration when neither host nor region is given (the region list stays the fallback)."""

from __future__ import annotations

import json
import os

from tests.helpers import cli, free_port
from tests.servers.oci_fixtures import PASSPHRASE, OciLab


def test_the_endpoint_comes_from_the_apis_email_configuration(oci_lab: OciLab) -> None:
    oci_lab.server.state.smtp_endpoint = "127.0.0.1"
    closed = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CLI_")}
    result = cli("run", "port-connectivity", "--json", "--timeout", "5", *oci_lab.options(),
                 "--set", f"ports={closed}", "--set", "external_mta_host=127.0.0.1", env=env)
    assert "Traceback" not in result.stderr, result.stderr
    out = json.loads(result.stdout)
    trail = [(e["step"], e["outcome"]) for e in out["trail"]]
    assert trail[:4] == [("endpoint", "no_endpoint"), ("api_endpoint", "found"),
                         ("endpoint_from_api", "found"), ("connect", "all_refused")]
    assert out["trail"][2]["facts"]["endpoint.smtp_host"] == "127.0.0.1"
    assert oci_lab.server.methods() == {"GET"}


def test_an_unreadable_api_still_ends_in_no_endpoint_and_says_why(oci_lab: OciLab) -> None:
    oci_lab.server.mode = "throttled"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CLI_")}
    result = cli("run", "port-connectivity", "--json", "--timeout", "5", *oci_lab.options(),
                 env=env)
    out = json.loads(result.stdout)
    assert [e["step"] for e in out["trail"]] == ["endpoint", "api_endpoint", "no_endpoint"]
    assert "throttled" in out["message"]


def test_an_encrypted_key_unlocks_from_the_environment_and_the_passphrase_never_shows(
        oci_lab: OciLab) -> None:
    oci_lab.server.state.smtp_endpoint = "127.0.0.1"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CLI_")}
    env["EMAIL_WIZARD_OCI_PASSPHRASE"] = PASSPHRASE
    result = cli("run", "port-connectivity", "--json", "--timeout", "5",
                 *oci_lab.options("LOCKED"), "--set", f"ports={free_port()}",
                 "--set", "external_mta_host=127.0.0.1", env=env)
    out = json.loads(result.stdout)
    assert [e["outcome"] for e in out["trail"][:2]] == ["no_endpoint", "found"]
    assert PASSPHRASE not in result.stdout and PASSPHRASE not in result.stderr
