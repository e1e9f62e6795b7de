"""Read a file without trusting it: a size cap, and pipes read on the event loop.

Pipes, FIFOs and sockets (``<(cmd)``, ``/dev/stdin``) are read through the
event loop, so a writer that never writes leaves the caller's timeout in
charge. Regular files and devices the event loop cannot watch (``/dev/zero``)
are read, at most ``limit + 1`` bytes, in a daemon thread: if the caller gives
up, a stuck read cannot keep the program from exiting.

Data files and values read at start-up (flows, catalogs, profiles, tours,
``--set NAME=@FILE``, ``--ca-file``) go through :func:`read_regular_file`:
only a regular file of bounded size is read, so a FIFO cannot hang start-up
and ``/dev/zero`` cannot fill the memory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import stat
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from wizard.errors import BadUsage

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")


class TooLarge(Exception):
    """The file holds more than the allowed number of bytes."""

    def __init__(self, size: int | None, limit: int) -> None:
        shown = f"{size} bytes" if size is not None else "more bytes"
        super().__init__(f"{shown} exceed the limit of {limit} bytes")
        self.size = size
        self.limit = limit


class FileRefused(BadUsage):
    """The file cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


MAX_DATA_FILE_BYTES = 1_000_000
"""The largest data file (flow, catalog, provider profile, tour) read; the shipped ones are
under 50 kB."""


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else :class:`FileRefused`.

    The file is opened without blocking (a FIFO with no writer does not hang)
    and checked with ``fstat`` before a byte is read; at most ``limit + 1``
    bytes are ever read, so a file growing underneath cannot exceed the cap.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise FileRefused(f"cannot read: {_reason(exc)}") from None
    except ValueError:  # a NUL byte in the path
        raise FileRefused("cannot read: the path holds a NUL byte") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused("cannot read: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("cannot read: not a regular file (a pipe, device or socket)")
        if info.st_size > limit:
            raise FileRefused(f"file too large ({info.st_size} bytes, the limit is {limit})")
        os.set_blocking(fd, True)
        chunks = bytearray()
        while len(chunks) <= limit:
            chunk = os.read(fd, limit + 1 - len(chunks))
            if not chunk:
                break
            chunks += chunk
    except OSError as exc:
        raise FileRefused(f"cannot read: {_reason(exc)}") from None
    finally:
        os.close(fd)
    if len(chunks) > limit:
        raise FileRefused(f"file too large (more than {limit} bytes)")
    return bytes(chunks)


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes of an open stream (stdin), else :class:`FileRefused`."""
    try:
        data = stream.read(limit + 1)
    except OSError as exc:
        raise FileRefused(f"cannot read: {_reason(exc)}") from None
    if len(data) > limit:
        raise FileRefused(f"too large (more than {limit} bytes)")
    return data


def _read_regular(fd: int, limit: int) -> bytes:
    with open(fd, "rb") as file:
        return file.read(limit + 1)


def _pollable(fd: int) -> bool:
    with selectors.DefaultSelector() as selector:
        try:
            selector.register(fd, selectors.EVENT_READ)
        except (PermissionError, ValueError):
            return False
    return True


async def in_daemon_thread(function: Callable[[], T], name: str = "daemon") -> T:
    """``function()`` run in a daemon thread of its own, awaited: its result, or what it
    raised.

    Not ``asyncio.to_thread``: the event loop's executor threads are joined when the loop
    closes, so a call still blocked then (a read from a quiet pipe, an API that does not
    answer) would hold up the program's exit — Ctrl-C included; a daemon thread ends with
    the process. A caller that stops waiting (a deadline, a cancellation) leaves the
    thread to finish on its own, its outcome dropped.
    """
    import asyncio

    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def work() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = function()
        except BaseException as exc:
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
            loop.call_soon_threadsafe(deliver, result, error)

    threading.Thread(target=work, name=name, daemon=True).start()
    return await future


async def _read_stream(fd: int, limit: int) -> bytes:
    import asyncio

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=limit + 1)
    pipe = os.fdopen(fd, "rb", buffering=0, closefd=False)
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        data = bytearray()
        while len(data) <= limit:
            chunk = await reader.read(limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
        return bytes(data)
    finally:
        transport.close()


async def read_bounded(path: str, limit: int) -> bytes:
    """The content of ``path``; :class:`TooLarge` past ``limit`` bytes, ``OSError`` if unreadable.

    Callers bound the wait with their own timeout (a FIFO may never be written).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if stat.S_ISREG(mode) and os.fstat(fd).st_size > limit:
            raise TooLarge(os.fstat(fd).st_size, limit)
        if stat.S_ISREG(mode) or not _pollable(fd):
            os.set_blocking(fd, True)
            owned = os.dup(fd)
            data = await in_daemon_thread(lambda: _read_regular(owned, limit), "bounded-read")
        else:
            data = await _read_stream(fd, limit)
        if len(data) > limit:
            raise TooLarge(None, limit)
        return data
    finally:
        os.close(fd)
