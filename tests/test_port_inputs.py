"""Port inputs: only ASCII digits make a port; ``int()``'s lenient spellings are refused."""

from __future__ import annotations

import pytest

from tests.helpers import cli
from wizard.inputs import BadInput, check_port


@pytest.mark.parametrize("text", ["5_87", "+587", "٥٨٧", "587.0", " ", "0x24b", "-587", "５８７"])
def test_lenient_int_spellings_are_not_ports(text: str) -> None:
    with pytest.raises(BadInput, match="not a port number"):
        check_port(text)


@pytest.mark.parametrize("text", ["587", " 25 ", "00465"])
def test_plain_digits_are_ports(text: str) -> None:
    assert check_port(text) == int(text)


@pytest.mark.parametrize("text", ["5_87", "+587", "٥٨٧"])
def test_run_refuses_a_lenient_port_with_exit_2(text: str) -> None:
    result = cli("run", "tcp-port", "--set", "host=127.0.0.1", "--set", f"port={text}",
                 "--timeout", "1")
    assert result.returncode == 2, result.stdout
    assert "not a port number" in result.stderr
    assert "Traceback" not in result.stderr
