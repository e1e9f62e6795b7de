"""Fixtures for real Postfix instances (see tests/servers/postfix.py for the design)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest

from tests.servers.postfix import PostfixInstance, create_instance, deferred

DEFERRED_SENDER = "app@sender.test"
DEFERRED_RECIPIENT = "someone@recipient.test"
DEFERRED_MESSAGE = (
    b"From: App <app@sender.test>\nTo: someone@recipient.test\n"
    b"Subject: stuck\nMessage-ID: <stuck.1@sender.test>\n\nThis one cannot leave.\n"
)


def _require_postfix() -> None:
    missing = [p for p in ("postconf", "postfix", "postqueue", "sendmail", "script")
               if shutil.which(p, path="/usr/sbin:/usr/bin:/sbin:/bin") is None]
    if missing:
        pytest.fail(f"Postfix test programs missing ({', '.join(missing)}): run scripts/test")


@pytest.fixture(scope="session")
def postfix_deferred() -> Iterator[PostfixInstance]:
    """A running instance whose queue holds one message deferred by its unreachable relay.

    Shared by the whole session: tests must only read it.
    """
    _require_postfix()
    instance = create_instance()
    try:
        instance.start()
        instance.send(DEFERRED_SENDER, [DEFERRED_RECIPIENT], DEFERRED_MESSAGE)
        instance.wait_for_queue(deferred)
        yield instance
    finally:
        instance.remove()


@pytest.fixture
def make_postfix() -> Iterator[Callable[[], PostfixInstance]]:
    """Build fresh, unstarted instances a test may change at will; all removed afterwards."""
    _require_postfix()
    made: list[PostfixInstance] = []

    def make() -> PostfixInstance:
        instance = create_instance()
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.remove()
