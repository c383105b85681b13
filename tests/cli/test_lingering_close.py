"""A close while the request body is still arriving lingers (``cli.lingering_close``).

The end-to-end view is ``test_security_serving.test_dribbled_body_is_cut_off``:
a client still sending its body reads the 408. It failed once in CI with
"connection reset by peer": the server closed with the client's next byte
unread, and Linux's reset threw the 408 away. These pin the mechanism.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass, field

from kgpub.cli.lingering_close import LingeringTransport


@dataclass
class Transport:
    """What the lingering transport calls on the real one, recorded."""

    calls: list[str] = field(default_factory=list)

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        self.calls.append("write_eof")

    def resume_reading(self) -> None:
        self.calls.append("resume_reading")

    def close(self) -> None:
        self.calls.append("close")

    def is_closing(self) -> bool:
        return "close" in self.calls

    def get_extra_info(self, name: str) -> str:
        return f"extra {name}"


def test_a_complete_request_closes_at_once() -> None:
    real = Transport()
    transport = LingeringTransport(real, lambda: False)  # type: ignore[arg-type]
    transport.close()
    assert real.calls == ["close"]
    assert transport.is_closing()


LINGER = 0.2  # a short linger: what is tested is what happens when it runs out


def test_a_body_still_arriving_shuts_down_sending_then_closes_after_the_linger() -> None:
    async def scenario() -> list[str]:
        real = Transport()
        transport = LingeringTransport(real, lambda: True, LINGER)  # type: ignore[arg-type]
        transport.close()
        transport.close()  # uvicorn may close twice: once counts
        assert real.calls == ["write_eof", "resume_reading"]
        assert transport.is_closing()
        await asyncio.sleep(LINGER / 2)
        assert real.calls == ["write_eof", "resume_reading"]  # still lingering
        await asyncio.sleep(LINGER)
        return real.calls

    assert asyncio.run(scenario()) == ["write_eof", "resume_reading", "close"]


def test_the_client_closing_ends_the_linger() -> None:
    async def scenario() -> list[str]:
        real = Transport()
        transport = LingeringTransport(real, lambda: True, LINGER)  # type: ignore[arg-type]
        transport.close()
        transport.lost()
        await asyncio.sleep(2 * LINGER)
        return real.calls

    assert asyncio.run(scenario()) == ["write_eof", "resume_reading"]


def test_everything_else_is_the_transports_own() -> None:
    transport = LingeringTransport(Transport(), lambda: False)  # type: ignore[arg-type]
    assert transport.get_extra_info("peername") == "extra peername"


def test_over_a_real_socket_the_client_reads_the_answer_after_sending_more() -> None:
    """A server that answers with the client's next bytes unread, then closes: at a
    plain close Linux resets the connection and the client never reads the answer
    (``ConnectionResetError``); lingering, it reads the whole answer."""
    answer = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"

    class Answering(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport = LingeringTransport(transport, lambda: True)
            transport.pause_reading()  # what arrives now stays unread, as under load
            asyncio.get_running_loop().call_later(0.3, self.answer)

        def answer(self) -> None:
            self.transport.write(answer)
            self.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            self.transport.lost()

    async def scenario() -> bytes:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Answering, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]

        def client() -> bytes:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"POST / HTTP/1.1\r\ncontent-length: 100\r\n\r\nsome body")
                time.sleep(0.6)  # the server has answered and closed
                chunks = []
                while chunk := sock.recv(65536):
                    chunks.append(chunk)
                return b"".join(chunks)

        try:
            return await asyncio.to_thread(client)
        finally:
            server.close()
            await server.wait_closed()

    assert asyncio.run(scenario()) == answer
