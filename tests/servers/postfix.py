"""A real Postfix instance for tests, in its own directory, never the system's.

Design: every instance lives in a fresh ``/tmp/email-wizard-postfix-*`` directory
(mode 0755, because Postfix's daemons run as the ``postfix`` user and must reach
it; pytest's own tmp tree is 0700) holding ``conf/`` (a minimal ``master.cf``
without chroot and a ``main.cf`` written with ``postconf -c conf -e``),
``queue/``, ``data/`` (owned by ``postfix``) and ``maillog`` (``maillog_file``,
so reasons are readable without syslog). It listens only on 127.0.0.1 (smtpd
on a free port instead of 25, ``inet_protocols = ipv4``), delivers nothing
locally (``mydestination`` empty) and relays everything to
``[127.0.0.1]:<a free port nobody listens on>``, so every message ends in the
deferred queue with "Connection refused" as its reason. It is started with
``postfix -c conf start`` and stopped with ``postfix -c conf stop``; a failed
start raises with ``postfix check`` (run under ``script`` so its fatal reason is
printed) and the maillog. Messages go in with ``sendmail -C conf``; tests wait,
by polling ``postqueue -c conf -j`` with a deadline, until the queue is in the
state they need. Nothing outside the instance directory is touched, except
that an instance directory whose creating process is dead (a killed test run)
is stopped and removed when the next one is created.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers import free_port

COMMAND_TIMEOUT = 60.0
QUEUE_WAIT = 60.0

MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def _run(*argv: str, stdin: bytes | None = None, check: bool = True) -> str:
    completed = subprocess.run(argv, input=stdin, capture_output=True, timeout=COMMAND_TIMEOUT,
                               check=False)
    output = (completed.stdout + completed.stderr).decode("utf-8", "replace")
    if check and completed.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {completed.returncode}: {output}")
    return output


def settle(path: Path) -> None:
    """Date ``path`` a minute back.

    Postfix re-reads a main.cf whose mtime is not yet a second old (it might be
    half-written), sleeping 300 ms per round: a fresh file costs every command ~2 s.
    """
    past = time.time() - 60
    os.utime(path, (past, past))


def write_config_dir(directory: Path, main_cf: str, master_cf: bool = True) -> Path:
    """A config directory for ``postconf -c`` reads: ``main_cf`` as given, a minimal master.cf."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.cf").write_text(main_cf)
    settle(directory / "main.cf")
    if master_cf:
        (directory / "master.cf").write_text(MASTER_CF.format(listen="127.0.0.1:2525"))
    return directory


@dataclass
class PostfixInstance:
    """One test Postfix: its directories, its ports, and the commands a test needs."""

    root: Path
    smtpd_port: int
    relay_port: int

    @property
    def config_directory(self) -> Path:
        """``-c`` for postconf, postfix, postqueue, postsuper (``-C`` for sendmail)."""
        return self.root / "conf"

    @property
    def maillog(self) -> Path:
        """Where the instance logs (``maillog_file``)."""
        return self.root / "maillog"

    def log(self) -> str:
        """The maillog so far (empty before the first line)."""
        return self.maillog.read_text(errors="replace") if self.maillog.exists() else ""

    def check_report(self) -> str:
        """``postfix check`` output, under ``script`` so fatal reasons reach the terminal."""
        command = f"postfix -c {self.config_directory} check"
        return _run("script", "-qc", command, "/dev/null", check=False)

    def start(self) -> None:
        """Start the mail system; raise with ``postfix check`` and the maillog if it fails."""
        try:
            _run("postfix", "-c", str(self.config_directory), "start")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\npostfix check: {self.check_report()}\n"
                               f"maillog:\n{self.log()}") from exc

    def stop(self) -> None:
        """Stop the mail system (quietly if it is not running)."""
        _run("postfix", "-c", str(self.config_directory), "stop", check=False)

    def send(self, sender: str, recipients: list[str], message: bytes) -> None:
        """Submit ``message`` with ``sendmail -C`` (postdrop into maildrop)."""
        _run("sendmail", "-C", str(self.config_directory), "-f", sender, "--", *recipients,
             stdin=message)

    def queue(self) -> list[dict[str, Any]]:
        """``postqueue -c DIR -j``, one dict per queued message."""
        output = _run("postqueue", "-c", str(self.config_directory), "-j")
        return [json.loads(line) for line in output.splitlines() if line.startswith("{")]

    def wait_for_queue(self, ready: Callable[[list[dict[str, Any]]], bool],
                       limit: float = QUEUE_WAIT) -> list[dict[str, Any]]:
        """Poll the queue until ``ready(queue)``; raise with the maillog after ``limit`` s."""
        deadline = time.monotonic() + limit
        while True:
            queue = self.queue()
            if ready(queue):
                return queue
            if time.monotonic() > deadline:
                raise RuntimeError(f"queue never got ready: {queue}\nmaillog:\n{self.log()}")
            time.sleep(0.1)

    def hold_all(self) -> None:
        """Put every queued message on hold (``postsuper -h ALL``)."""
        _run("postsuper", "-c", str(self.config_directory), "-h", "ALL")

    def remove(self) -> None:
        """Stop the instance and delete its directory."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def deferred(queue: list[dict[str, Any]]) -> bool:
    """At least one message is deferred and nothing is still on its way."""
    return bool(queue) and all(m.get("queue_name") == "deferred" for m in queue)


PREFIX = "email-wizard-postfix-"
OWNER_FILE = "owner.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_orphans() -> None:
    """Stop and remove instances left behind by test runs that were killed."""
    for root in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            PostfixInstance(root, 0, 0).remove()


def create_instance() -> PostfixInstance:
    """Write a fresh instance's configuration and directories (not started)."""
    sweep_orphans()
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    root.chmod(0o755)
    (root / OWNER_FILE).write_text(str(os.getpid()))
    instance = PostfixInstance(root, smtpd_port=free_port(), relay_port=free_port())
    conf, queue, data = instance.config_directory, root / "queue", root / "data"
    for directory in (conf, queue, data):
        directory.mkdir()
    shutil.chown(data, user="postfix")
    (conf / "master.cf").write_text(MASTER_CF.format(listen=f"127.0.0.1:{instance.smtpd_port}"))
    (conf / "main.cf").write_text("")
    settle(conf / "main.cf")
    settings = {
        "compatibility_level": "3.6",
        "queue_directory": str(queue),
        "data_directory": str(data),
        "mail_owner": "postfix",
        "setgid_group": "postdrop",
        "myhostname": "wizard-test.localdomain",
        "mydomain": "localdomain",
        "myorigin": "$myhostname",
        "mydestination": "",
        "local_recipient_maps": "",
        "alias_maps": "",
        "alias_database": "",
        "inet_interfaces": "loopback-only",
        "inet_protocols": "ipv4",
        "relayhost": f"[127.0.0.1]:{instance.relay_port}",
        "maillog_file": str(instance.maillog),
        "maillog_file_prefixes": str(root),
        "smtp_connect_timeout": "5s",
    }
    _run("postconf", "-c", str(conf), "-e", *(f"{k}={v}" for k, v in settings.items()))
    settle(conf / "main.cf")
    return instance
