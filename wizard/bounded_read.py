"""Read a file without trusting it: a size cap, and pipes read on the event loop.

Regular files are read in a worker thread, at most ``limit + 1`` bytes. Pipes,
FIFOs and character devices (``<(cmd)``, ``/dev/stdin``) are read through the
event loop, so a writer that never writes leaves the caller's timeout in
charge instead of a blocked thread.
"""

from __future__ import annotations

import asyncio
import errno
import os
import stat


class TooLarge(Exception):
    """The file holds more than the allowed number of bytes."""

    def __init__(self, size: int | None, limit: int) -> None:
        shown = f"{size} bytes" if size is not None else "more bytes"
        super().__init__(f"{shown} exceed the limit of {limit} bytes")
        self.size = size
        self.limit = limit


def _read_regular(fd: int, limit: int) -> bytes:
    with open(fd, "rb") as file:
        return file.read(limit + 1)


async def _read_stream(fd: int, limit: int) -> bytes:
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
        if stat.S_ISREG(mode):
            size = os.fstat(fd).st_size
            if size > limit:
                raise TooLarge(size, limit)
            os.set_blocking(fd, True)
            data = await asyncio.to_thread(_read_regular, os.dup(fd), limit)
        else:
            data = await _read_stream(fd, limit)
        if len(data) > limit:
            raise TooLarge(None, limit)
        return data
    finally:
        os.close(fd)
