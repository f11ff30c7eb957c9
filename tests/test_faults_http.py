"""HTTP faults over real loopback sockets: connection reset, a silent server, a body cut short.

tests/test_client.py covers the rest through `httpx.MockTransport`; these need a real TCP peer to misbehave.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import httpx
import pytest

from altinn_analysis.sources import AltinnClient, AltinnResponseError, AltinnUnavailableError, RetryPolicy

Behaviour = Callable[[socket.socket], None]


def reset(conn: socket.socket) -> None:
    """Read the request, then close with RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
    conn.recv(65536)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def silent(conn: socket.socket) -> None:
    """Read the request and never answer (until the test ends)."""
    conn.recv(65536)
    conn.settimeout(5)
    with suppress(OSError):
        conn.recv(1)
    conn.close()


def respond(body: bytes, *, declared: int | None = None, ctype: str = "application/json") -> Behaviour:
    def behave(conn: socket.socket) -> None:
        conn.recv(65536)
        length = len(body) if declared is None else declared
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
        conn.sendall(head.encode() + body)
        conn.close()

    return behave


@contextmanager
def raw_server(*behaviours: Behaviour) -> Iterator[str]:
    """A TCP server on loopback that treats the n-th connection with the n-th behaviour."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    host, port = listener.getsockname()
    stop = threading.Event()

    def serve() -> None:
        for behave in behaviours:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            if stop.is_set():
                conn.close()
                return
            threading.Thread(target=behave, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def client(base_url: str, sleeps: list[float], **kw: object) -> AltinnClient:
    return AltinnClient(base_url=base_url, sleep=sleeps.append, **kw)  # type: ignore[arg-type]


ROLES = json.dumps([{"id": "r1", "code": "DAGL"}]).encode()


@pytest.mark.scenario("http-connection-reset")
def test_connection_reset_is_retried() -> None:
    sleeps: list[float] = []
    with raw_server(reset, reset, respond(ROLES)) as url, client(url, sleeps) as c:
        assert c.roles() == [{"id": "r1", "code": "DAGL"}]
    assert len(sleeps) == 2


@pytest.mark.scenario("http-connection-reset")
def test_connection_reset_every_time_is_a_clear_error() -> None:
    sleeps: list[float] = []
    with (
        raw_server(reset, reset, reset) as url,
        client(url, sleeps, retry=RetryPolicy(attempts=3)) as c,
        pytest.raises(AltinnUnavailableError) as err,
    ):
        c.roles()
    assert str(err.value).startswith(f"{url}/accessmanagement/api/v1/meta/info/roles: could not connect")
    assert "gave up after 3 attempts" in str(err.value)


@pytest.mark.scenario("http-timeout")
def test_silent_server_times_out_then_fails_clearly() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(attempts=2)
    with (
        raw_server(silent, silent) as url,
        client(url, sleeps, retry=policy, timeout=0.3) as c,
        pytest.raises(AltinnUnavailableError, match=r"timed out \(ReadTimeout\); gave up after 2 attempts"),
    ):
        c.roles()
    assert len(sleeps) == 1


@pytest.mark.scenario("http-truncated-json")
def test_body_cut_short_by_the_connection_is_retried() -> None:
    sleeps: list[float] = []
    cut = respond(ROLES[:10], declared=len(ROLES))  # Content-Length promises more than arrives
    with raw_server(cut, respond(ROLES)) as url, client(url, sleeps) as c:
        assert c.roles()[0]["code"] == "DAGL"
    assert len(sleeps) == 1


@pytest.mark.scenario("http-truncated-json")
def test_complete_response_with_truncated_json_is_not_retried() -> None:
    sleeps: list[float] = []
    with (
        raw_server(respond(ROLES[:10])) as url,
        client(url, sleeps) as c,
        pytest.raises(AltinnResponseError, match=r"malformed or truncated JSON \(10 bytes\)"),
    ):
        c.roles()
    assert sleeps == []


@pytest.mark.scenario("http-wrong-content-type")
def test_html_login_page_over_a_real_socket() -> None:
    with (
        raw_server(respond(b"<html>log in</html>", ctype="text/html")) as url,
        client(url, []) as c,
        pytest.raises(AltinnResponseError, match="expected JSON, got content type 'text/html'"),
    ):
        c.roles()


def test_mock_transport_and_sockets_agree_on_errors() -> None:
    # The MockTransport tests in test_client.py raise httpx.ConnectError; a real reset is a ReadError or
    # RemoteProtocolError. Both are httpx.TransportError, which is what the client retries.
    assert issubclass(httpx.ReadError, httpx.TransportError)
    assert issubclass(httpx.RemoteProtocolError, httpx.TransportError)
