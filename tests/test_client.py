"""The Altinn client: endpoints, retries, timeouts, errors — through an injected transport, never patching."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from altinn_analysis import __version__
from altinn_analysis.sources import (
    AltinnClient,
    AltinnNotFoundError,
    AltinnResponseError,
    AltinnUnavailableError,
    RetryPolicy,
)
from altinn_analysis.sources._client import _retry_after_seconds

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*steps: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler that answers with each step in turn (an exception is raised, as a transport would)."""
    seen: list[httpx.Request] = []
    queue: Iterator[httpx.Response | Exception] = iter(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = next(queue)
        if isinstance(step, Exception):
            raise step
        return step

    return handler, seen


def ok(body: object = (), ctype: str = "application/json; charset=utf-8") -> httpx.Response:
    import json

    return httpx.Response(200, headers={"content-type": ctype}, content=json.dumps(list(body) or []).encode())


def client_for(handler: Handler, sleeps: list[float] | None = None, **kw: object) -> AltinnClient:
    record = sleeps if sleeps is not None else []
    return AltinnClient(
        transport=httpx.MockTransport(handler),
        sleep=record.append,
        rng=random.Random(1),
        **kw,  # type: ignore[arg-type]
    )


def test_requests_carry_user_agent_language_and_timeouts() -> None:
    handler, seen = scripted(ok([{"id": "x"}]))
    with client_for(handler) as client:
        assert client.roles("en") == [{"id": "x"}]
    request = seen[0]
    assert str(request.url) == "https://platform.altinn.no/accessmanagement/api/v1/meta/info/roles"
    assert request.headers["user-agent"].startswith(f"altinn-analysis/{__version__}")
    assert request.headers["accept-language"] == "en"
    timeout = request.extensions["timeout"]
    assert all(timeout[k] is not None for k in ("connect", "read", "write", "pool"))


def test_tt02_uses_the_test_platform() -> None:
    handler, seen = scripted(ok())
    with client_for(handler, environment="tt02") as client:
        client.resource_list()
    assert seen[0].url.host == "platform.tt02.altinn.no"
    assert dict(seen[0].url.params) == {"includeApps": "true", "includeMigratedApps": "true"}


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown environment 'dev'"):
        AltinnClient("dev")


def test_role_packages_sends_role_and_variant() -> None:
    handler, seen = scripted(ok())
    with client_for(handler) as client:
        assert client.role_packages("daglig-leder", "ASA") == []
    assert seen[0].url.path.endswith("/meta/info/roles/packages")
    assert dict(seen[0].url.params) == {"role": "daglig-leder", "variant": "ASA"}


@pytest.mark.scenario("http-timeout")
def test_timeout_then_success() -> None:
    handler, seen = scripted(httpx.ReadTimeout("slow"), ok([{"id": 1}]))
    sleeps: list[float] = []
    with client_for(handler, sleeps) as client:
        assert client.roles() == [{"id": 1}]
    assert len(seen) == 2
    assert len(sleeps) == 1


@pytest.mark.scenario("http-5xx-burst")
def test_500_500_200_with_growing_backoff() -> None:
    handler, seen = scripted(httpx.Response(500), httpx.Response(502), ok([{"id": 1}]))
    sleeps: list[float] = []
    policy = RetryPolicy(base_delay=1.0, jitter=0.5)
    with client_for(handler, sleeps, retry=policy) as client:
        assert client.roles() == [{"id": 1}]
    assert len(seen) == 3
    assert 1.0 <= sleeps[0] <= 1.5
    assert 2.0 <= sleeps[1] <= 3.0


@pytest.mark.scenario("http-429-retry-after")
def test_429_honours_retry_after_seconds() -> None:
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": "7"}), ok())
    sleeps: list[float] = []
    with client_for(handler, sleeps) as client:
        client.roles()
    assert sleeps == [7.0]


@pytest.mark.scenario("http-429-retry-after")
def test_retry_after_http_date() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert _retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert _retry_after_seconds("garbage", now) is None
    assert _retry_after_seconds(None, now) is None


@pytest.mark.scenario("http-429-retry-after")
def test_retry_after_beyond_the_limit_fails_clearly() -> None:
    handler, seen = scripted(httpx.Response(503, headers={"Retry-After": "3600"}))
    with client_for(handler) as client, pytest.raises(AltinnUnavailableError, match="Retry-After 3600 s exceeds"):
        client.roles()
    assert len(seen) == 1


@pytest.mark.scenario("http-5xx-burst")
def test_retries_exhausted_names_url_and_reason() -> None:
    handler, seen = scripted(*[httpx.Response(500)] * 3)
    client = client_for(handler, retry=RetryPolicy(attempts=3))
    with pytest.raises(AltinnUnavailableError) as err:
        client.access_packages_export()
    assert len(seen) == 3
    assert "accesspackages/export" in str(err.value)
    assert "HTTP 500" in str(err.value) and "gave up after 3 attempts" in str(err.value)


@pytest.mark.scenario("http-connection-refused")
def test_connection_refused_is_a_clear_error() -> None:
    handler, _ = scripted(*[httpx.ConnectError("Connection refused")] * 2)
    client = client_for(handler, retry=RetryPolicy(attempts=2))
    with pytest.raises(AltinnUnavailableError, match="could not connect .*Connection refused"):
        client.roles()


@pytest.mark.scenario("http-malformed-json")
def test_malformed_json() -> None:
    bad = httpx.Response(200, headers={"content-type": "application/json"}, content=b"{not json")
    handler, seen = scripted(bad)
    with client_for(handler) as client, pytest.raises(AltinnResponseError, match="malformed or truncated JSON"):
        client.roles()
    assert len(seen) == 1  # not retried: the server answered


@pytest.mark.scenario("http-truncated-json")
def test_truncated_body() -> None:
    body = b'[{"id": "a", "name": "Daglig le'
    handler, _ = scripted(httpx.Response(200, headers={"content-type": "application/json"}, content=body))
    with client_for(handler) as client, pytest.raises(AltinnResponseError, match=r"truncated JSON \(31 bytes\)"):
        client.roles()


@pytest.mark.scenario("http-wrong-content-type")
def test_wrong_content_type() -> None:
    handler, _ = scripted(httpx.Response(200, headers={"content-type": "text/html"}, content=b"<html>login</html>"))
    with client_for(handler) as client, pytest.raises(AltinnResponseError, match="expected JSON, got content type"):
        client.roles()


@pytest.mark.scenario("http-wrong-json-shape")
def test_json_of_the_wrong_shape() -> None:
    handler, _ = scripted(httpx.Response(200, json={"error": "x"}))
    with client_for(handler) as client, pytest.raises(AltinnResponseError, match="expected a JSON array, got dict"):
        client.roles()


@pytest.mark.scenario("http-not-found")
def test_404_for_an_unknown_resource() -> None:
    handler, _ = scripted(httpx.Response(404, json={"title": "Not Found", "status": 404}))
    with client_for(handler) as client, pytest.raises(AltinnNotFoundError) as err:
        client.resource("does-not-exist")
    assert err.value.status == 404
    assert "/resourceregistry/api/v1/resource/does-not-exist" in err.value.url


@pytest.mark.scenario("http-redirect-other-host")
def test_redirect_is_not_followed() -> None:
    handler, seen = scripted(httpx.Response(302, headers={"location": "https://evil.example/roles"}))
    with client_for(handler) as client, pytest.raises(AltinnResponseError, match="redirect .* to https://evil"):
        client.roles()
    assert len(seen) == 1


@pytest.mark.scenario("http-redirect-other-host")
def test_subjects_follow_pagination_on_the_same_host_only() -> None:
    first = httpx.Response(
        200,
        json={
            "links": {"next": "https://platform.altinn.no/resourceregistry/api/v1/resource/x/policy/subjects?page=2"},
            "data": [{"type": "t", "value": "a", "urn": "t:a"}],
        },
    )
    second = httpx.Response(200, json={"links": {}, "data": [{"type": "t", "value": "b", "urn": "t:b"}]})
    handler, seen = scripted(first, second)
    with client_for(handler) as client:
        assert [s["value"] for s in client.resource_subjects("x")] == ["a", "b"]
    assert seen[1].url.params["page"] == "2"

    elsewhere = httpx.Response(200, json={"links": {"next": "https://evil.example/next"}, "data": []})
    handler, _ = scripted(elsewhere)
    with client_for(handler) as client, pytest.raises(AltinnResponseError, match="another host"):
        client.resource_subjects("x")


@pytest.mark.scenario("http-not-found")
def test_subjects_many_maps_404_to_none() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "missing" in request.url.path:
            return httpx.Response(404, json={"status": 404})
        return httpx.Response(200, json={"links": {}, "data": [{"type": "t", "value": "v", "urn": "t:v"}]})

    with client_for(handler) as client:
        result = client.resource_subjects_many(["present", "missing"])
    assert result["missing"] is None
    assert result["present"] == [{"type": "t", "value": "v", "urn": "t:v"}]


def test_fan_out_is_bounded_and_concurrent() -> None:
    lock = threading.Lock()
    in_flight = 0
    peak = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.01)
        with lock:
            in_flight -= 1
        return httpx.Response(200, json=[])

    progress: list[tuple[int, int]] = []
    pairs = [(f"role-{i}", v) for i in range(20) for v in ("ASA", "AS")]
    with client_for(handler, max_concurrency=3) as client:
        result = client.role_packages_many(pairs, progress=lambda d, t: progress.append((d, t)))
    assert set(result) == set(pairs)
    assert 1 < peak <= 3
    assert progress[-1] == (40, 40)


@pytest.mark.scenario("http-fan-out-error")
def test_fan_out_stops_on_the_first_hard_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["role"] == "bad":
            return httpx.Response(400, text="Variant 'X' not found")
        return httpx.Response(200, json=[])

    with client_for(handler, max_concurrency=2) as client, pytest.raises(AltinnResponseError, match="HTTP 400"):
        client.role_packages_many([("good", "ASA"), ("bad", "ASA"), ("good", "AS")])
