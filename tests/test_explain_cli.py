"""``email-wizard explain``: text or stdin in, readable or JSON explanation out, exit 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import ROOT, cli


def test_bare_reply_on_the_command_line_explains_and_exits_0() -> None:
    result = cli("explain", "535", "Authentication", "credentials", "invalid")
    assert result.returncode == 0, result.stderr
    assert "smtp-535-credentials-invalid" in result.stdout
    assert "Continue with: email-wizard run postfix-tls" in result.stdout


def test_json_has_the_documented_shape_and_captures() -> None:
    pasted = ('ServiceError:\n{\n    "code": "NotAuthorizedOrNotFound",\n    "message": '
              '"Authorization failed: address ops@example.com not authorized or not found",\n'
              '    "status": 404\n}\n')
    result = cli("explain", "-", "--json", stdin=pasted)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"matches", "generic"}
    [match] = data["matches"]
    assert set(match) == {"id", "protocol", "client", "code", "enhanced_code", "error_code",
                          "reply", "captures", "meaning", "causes", "fix", "retry", "topic",
                          "flow", "inputs", "not_on_reference_page"}
    assert match["id"] == "https-404-not-authorized"
    assert match["code"] == 404 and match["error_code"] == "NotAuthorizedOrNotFound"
    assert match["reply"] == ("Authorization failed: address <Sender Email Address> not "
                              "authorized or not found")
    assert match["captures"] == {"address": "ops@example.com"}
    assert match["retry"]["helps"] is False
    assert match["fix"]["actions"][0]["type"] == "console"
    assert "ops@example.com" in match["fix"]["actions"][0]["command"]


def test_unknown_reply_exits_1_with_a_generic_explanation() -> None:
    result = cli("explain", "--json", "554 5.7.1 Relay access denied")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["matches"] == [] and data["generic"]["code"] == "554"


def test_empty_text_is_bad_input() -> None:
    result = cli("explain", "  ")
    assert result.returncode == 2
    assert "empty" in result.stderr and "Traceback" not in result.stderr


def test_binary_junk_on_stdin_is_bad_input() -> None:
    proc = subprocess.run([sys.executable, "-m", "wizard", "explain", "-"], input=b"\x00\xff\xfe",
                          capture_output=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert b"not UTF-8" in proc.stderr and b"Traceback" not in proc.stderr


def test_nul_bytes_in_text_are_bad_input() -> None:
    result = cli("explain", "-", stdin="535 Authentication\x00\x00 credentials")
    assert result.returncode == 2 and "binary" in result.stderr
