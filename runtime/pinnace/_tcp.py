"""asyncio's TCP connections on the host: ``loop.create_connection`` and so
``asyncio.open_connection`` in Node and Electron's main process, over Node's ``net`` (the
loader's ``tcp_connect`` operation, loader-js/src/tcp.ts).  WebAssembly has no sockets; the
transport here is asyncio's own interface over a Node socket: writes go out as the socket takes
them (``pause_writing`` when its buffer is full, ``resume_writing`` once it drains), reads stop
while the protocol asks (``pause_reading``: the socket pauses), the peer's end of stream is
``eof_received``, and ``close`` ends the stream after what was written.  No TLS yet.
"""

from __future__ import annotations

import asyncio
import errno
import os

from . import _loader
from .ffi import JsException, create_proxy, to_js

TYPE_CHECKING = False  # typing costs tens of milliseconds to import in wasm
if TYPE_CHECKING:
    from typing import Any


def _os_error(error: Any, host: str, port: int) -> OSError:
    """The OSError for a socket error of Node's (a TcpError: code and message)."""
    code = str(error.code)
    number = getattr(errno, code, None)
    # Node's code, with the errno's text where Python knows the code (DNS failures it does not)
    text = f"{os.strerror(number)} ({code})" if number else str(error.message)
    exc = {errno.ECONNREFUSED: ConnectionRefusedError, errno.ECONNRESET: ConnectionResetError,
           errno.ETIMEDOUT: TimeoutError}.get(number or 0, OSError)  # fmt: skip
    return exc(number or errno.EIO, f"{host}:{port}: {text}")


class _Events:
    """What the socket's events call (a PyProxy the loader holds until the socket closes).  An
    exception (a protocol's data_received that raised) goes to the loop's exception handler,
    as asyncio reports an exception of any callback, never into Node's event emitter."""

    def __init__(self, transport: HostTransport) -> None:
        self.transport = transport

    def _guarded(self, event: str, call: Any, *args: Any) -> None:
        try:
            call(*args)
        except BaseException as exc:  # reported, not lost: asyncio's way for callbacks
            self.transport._loop.call_exception_handler({
                "message": f"exception in the {event} event of a TCP connection",
                "exception": exc, "transport": self.transport,
                "protocol": self.transport._protocol})  # fmt: skip

    def data(self, chunk: Any) -> None:
        self._guarded("data", lambda: self.transport._received(chunk.to_bytes()))

    def drain(self) -> None:
        self._guarded("drain", self.transport._drained)

    def end(self) -> None:
        self._guarded("end", self.transport._peer_ended)

    def close(self, error: Any) -> None:
        self._guarded("close", self.transport._socket_closed, error or None)  # null: None


class HostTransport(asyncio.Transport):
    """A TCP connection's transport over a Node socket."""

    def __init__(self, loop: asyncio.AbstractEventLoop, host: str, port: int) -> None:
        super().__init__()
        self._loop = loop
        self._where = (host, port)
        self._protocol: asyncio.BaseProtocol | None = None
        self._events = create_proxy(_Events(self))
        try:
            self._handle = _loader.tcp_connect(host, port, self._events)
        except BaseException:
            self._events.destroy()
            raise
        self._connected = False
        self._closing = False
        self._closed = False
        self._writing_paused = False
        self._reading_paused = False

    async def connect(self, protocol: asyncio.BaseProtocol) -> None:
        host, port = self._where
        try:
            await self._handle.ready
        except JsException as e:
            raise _os_error(e.js_error, host, port) from None
        except BaseException:  # cancelled while connecting
            self._handle.destroy()
            raise
        self._connected = True
        self._protocol = protocol
        protocol.connection_made(self)

    # ---------------------------------------------------------------- the socket's events
    def _received(self, data: bytes) -> None:
        if self._protocol is not None and not self._closed:
            self._protocol.data_received(data)  # type: ignore[attr-defined]

    def _drained(self) -> None:
        if self._writing_paused and self._protocol is not None:
            self._writing_paused = False
            self._protocol.resume_writing()

    def _peer_ended(self) -> None:
        if self._protocol is None:
            return
        keep_open = self._protocol.eof_received()  # type: ignore[attr-defined]
        if not keep_open:
            self.close()

    def _socket_closed(self, error: Any) -> None:
        if self._closed:
            return
        self._closed = self._closing = True
        self._events.destroy()
        if self._connected and self._protocol is not None:
            exc = None if error is None else _os_error(error, *self._where)
            self._loop.call_soon(self._protocol.connection_lost, exc)

    # ---------------------------------------------------------------- asyncio.Transport
    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "peername" and self._connected:
            return tuple(self._handle.peer())
        if name == "sockname" and self._connected:
            return tuple(self._handle.local())
        return default

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._handle.end()

    def abort(self) -> None:
        self._closing = True
        self._handle.destroy()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol  # type: ignore[return-value]

    def is_reading(self) -> bool:
        return not self._reading_paused and not self._closing

    def pause_reading(self) -> None:
        if not self._reading_paused:
            self._reading_paused = True
            self._handle.pause()

    def resume_reading(self) -> None:
        if self._reading_paused:
            self._reading_paused = False
            self._handle.resume()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing:
            raise RuntimeError("write() on a closing transport")
        if not data:
            return
        if not self._handle.write(to_js(bytes(data))) and not self._writing_paused:
            self._writing_paused = True
            self._protocol.pause_writing()  # type: ignore[union-attr]

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def write_eof(self) -> None:
        self._handle.end()

    def can_write_eof(self) -> bool:
        return True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return (0, 0)

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass  # Node's socket decides when its buffer is full (its highWaterMark)


async def create_connection(loop: asyncio.AbstractEventLoop, protocol_factory: Any, host: str,
                            port: int, ssl: Any = None) -> tuple[HostTransport, Any]:  # fmt: skip
    """``loop.create_connection`` for a host and port over Node's net."""
    if ssl:
        raise NotImplementedError("TLS over asyncio streams is not there yet in Pinnace "
                                  "(for HTTPS use pinnace.http, urllib or requests)")
    try:
        transport = HostTransport(loop, str(host), int(port))
    except JsException as e:
        raise OSError(errno.ENETUNREACH, e.message) from None
    protocol = protocol_factory()
    await transport.connect(protocol)
    return transport, protocol
