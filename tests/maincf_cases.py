"""main.cf texts that split logical lines in every way Postfix allows, and ``postconf -n`` on them.

Shared by the reader's tests and the editor's: both must read these exactly as
the real ``postconf -c DIR -n`` does.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from tests.servers.postfix import settle

CASES: dict[str, str] = {
    "blank line inside a continuation": "relayhost = [a]:587\n\n  [b]:587\nmyhostname = h\n",
    "comment inside a continuation": "relayhost = [a]:587\n# note\n  [b]:587\n",
    "indented comment inside a continuation": "relayhost = [a]:587\n    # note\n\t[b]:587\n",
    "tab continuation": "smtp_tls_protocols = !SSLv2,\n\t!SSLv3\nmyhostname = h\n",
    "crlf": "relayhost = [a]:587\r\n\t[b]:587\r\nmyhostname = h\r\n",
    "hash inside a value": "relayhost = [h]:587 # not a comment\nmyhostname = a#b\n",
    "defined twice, last wins": "relayhost = old\nmyhostname = h\nrelayhost = new\n  more\n",
    "form feed inside a value": "relayhost = a\x0cb\nmyhostname = h\n",
    "no final newline": "myhostname = h\nrelayhost = r",
    "empty value continued": "relayhost =\n  [x]:25\n",
    "stray indented first line": "  stray = 1\nrelayhost = r\n",
    "blank lines of whitespace": "relayhost = a\n \t \n\n  b\n",
}
"""Name → main.cf text."""

_SPACES = re.compile(r"[ \t\r\n]+")


def normalized(values: dict[str, str]) -> dict[str, str]:
    """Values with whitespace runs folded, as ``postconf -n`` prints them."""
    return {name: _SPACES.sub(" ", value).strip() for name, value in values.items()}


def postconf_n(text: str) -> dict[str, str]:
    """What the real ``postconf -c DIR -n`` reads from ``text`` (config_directory left out)."""
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        (directory / "main.cf").write_bytes(text.encode("utf-8"))
        (directory / "master.cf").write_text("")
        settle(directory / "main.cf")
        done = subprocess.run(["postconf", "-c", str(directory), "-n"], capture_output=True,
                              check=True, timeout=30)
    values: dict[str, str] = {}
    for line in done.stdout.decode("utf-8").split("\n"):
        name, equals, value = line.partition(" =")
        if equals and name != "config_directory":
            values[name] = value.removeprefix(" ")
    return normalized(values)
