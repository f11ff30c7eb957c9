"""HTTP client for Altinn's public, anonymous metadata APIs (Access Management `meta/info`, Resource Registry).

The same code talks to the live API and, in tests and when the embedded snapshot is built, to a replay:
only the transport changes.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from altinn_analysis._version import __version__

__all__ = [
    "ENVIRONMENTS",
    "AltinnAPIError",
    "AltinnClient",
    "AltinnNotFoundError",
    "AltinnResponseError",
    "AltinnUnauthorizedError",
    "AltinnUnavailableError",
    "RetryPolicy",
    "send_with_retry",
]

log = logging.getLogger("altinn_analysis.sources")

ENVIRONMENTS: Mapping[str, str] = {
    "prod": "https://platform.altinn.no",
    "tt02": "https://platform.tt02.altinn.no",
}

AM_META = "/accessmanagement/api/v1/meta/info"
RR = "/resourceregistry/api/v1/resource"

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

Progress = Callable[[int, int], None]
K = TypeVar("K")


class AltinnAPIError(Exception):
    """A call to Altinn failed. The message names the URL and the reason."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"{url}: {reason}")


class AltinnUnavailableError(AltinnAPIError):
    """The API could not be reached, or kept failing after every retry."""


class AltinnNotFoundError(AltinnAPIError):
    """404: the role, variant or resource does not exist."""


class AltinnResponseError(AltinnAPIError):
    """The API answered, but not with what the endpoint promises (status, content type, JSON)."""


class AltinnUnauthorizedError(AltinnResponseError):
    """401: the token was refused (expired, or the identity lacks the rights the endpoint needs)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for connection errors, timeouts, 5xx and 429."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.5
    # A Retry-After longer than this is not waited out: the run fails with a clear error instead.
    max_retry_after: float = 120.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        backoff: float = min(self.max_delay, self.base_delay * 2**attempt)
        return backoff * (1.0 + self.jitter * rng.random())


def _retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse Retry-After: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class AltinnClient:
    """Client for the five public metadata endpoints of DESIGN §3, for `prod` or `tt02`.

    `transport` is injectable (an `httpx.MockTransport`, a `ReplayTransport`); `sleep` and `rng` too, so that
    retry timing can be tested without waiting.
    """

    def __init__(
        self,
        environment: str = "prod",
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        max_concurrency: int = 8,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if environment not in ENVIRONMENTS and base_url is None:
            raise ValueError(f"unknown environment {environment!r}; expected one of {', '.join(ENVIRONMENTS)}")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.environment = environment
        self.base_url = (base_url or ENVIRONMENTS[environment]).rstrip("/")
        self.retry = retry or RetryPolicy()
        self.max_concurrency = max_concurrency
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            # Never follow redirects: a redirect to another host is reported, not obeyed.
            follow_redirects=False,
            headers={
                "User-Agent": f"altinn-analysis/{__version__} (Altinn 3 transition workbench; httpx)",
                "Accept": "application/json",
            },
            limits=httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AltinnClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the endpoints ----------------------------------------------------------------------------------

    def access_packages_export(self, language: str = "nb") -> list[dict[str, Any]]:
        """Area groups → areas → packages, in `nb` or `en`."""
        return self._get_list(f"{AM_META}/accesspackages/export", headers={"Accept-Language": language})

    def roles(self, language: str = "nb") -> list[dict[str, Any]]:
        """Every role, with `legacyRoleCode` for ER roles."""
        return self._get_list(f"{AM_META}/roles", headers={"Accept-Language": language})

    def role_packages(self, role: str, variant: str) -> list[dict[str, Any]]:
        """The packages a role gives for an organisation form (`variant`)."""
        return self._get_list(
            f"{AM_META}/roles/packages",
            params={"role": role, "variant": variant},
            headers={"Accept-Language": "nb"},
        )

    def resource_list(self, *, include_apps: bool = True, include_migrated_apps: bool = True) -> list[dict[str, Any]]:
        """Every resource in the Resource Registry (and Altinn apps, migrated apps)."""
        return self._get_list(
            f"{RR}/resourcelist",
            params={"includeApps": include_apps, "includeMigratedApps": include_migrated_apps},
        )

    def resource(self, identifier: str) -> dict[str, Any]:
        """One resource by identifier."""
        body = self.get_json(f"{RR}/{identifier}")
        if not isinstance(body, dict):
            raise AltinnResponseError(self.url_for(f"{RR}/{identifier}"), "expected a JSON object")
        return body

    def resource_subjects(self, identifier: str) -> list[dict[str, Any]]:
        """The roles and access packages a resource's policy requires (follows `links.next`)."""
        path: str | None = f"{RR}/{identifier}/policy/subjects"
        out: list[dict[str, Any]] = []
        while path:
            body = self.get_json(path)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise AltinnResponseError(self.url_for(path), "expected an object with a 'data' list")
            out.extend(body["data"])
            path = self.next_link((body.get("links") or {}).get("next"), path)
        return out

    def pages(
        self, path: str, *, params: Mapping[str, Any] | None = None, auth: httpx.Auth | None = None
    ) -> Iterator[list[Any]]:
        """The `data` of each page of an Access Management `PaginatedResult`, following `links.next` until null.

        The next link is rebased on the configured host (behind the platform gateway the server may name
        another), and its query is kept exactly as given.
        """
        current: str = path
        query: Mapping[str, Any] | None = params
        seen: set[str] = set()
        while True:
            body = self.get_json(current, params=query, auth=auth)
            url = self.url_for(current, query)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise AltinnResponseError(url, "expected an object with a 'data' list")
            yield body["data"]
            link = (body.get("links") or {}).get("next")
            if not link:
                return
            current = httpx.URL(str(link)).raw_path.decode("ascii")
            query = None
            if current in seen:
                raise AltinnResponseError(url, "the next link repeats an earlier page")
            seen.add(current)

    # -- fan-out ----------------------------------------------------------------------------------------

    def role_packages_many(
        self, pairs: Iterable[tuple[str, str]], *, progress: Progress | None = None
    ) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """`role_packages` for many (role, variant) pairs, at most `max_concurrency` in flight."""
        return self.fan_out(list(pairs), lambda p: self.role_packages(*p), progress)

    def resource_subjects_many(
        self, identifiers: Iterable[str], *, progress: Progress | None = None
    ) -> dict[str, list[dict[str, Any]] | None]:
        """Subjects for many resources; `None` where Altinn has no policy subjects indexed (404)."""

        def one(identifier: str) -> list[dict[str, Any]] | None:
            try:
                return self.resource_subjects(identifier)
            except AltinnNotFoundError:
                log.info("no policy subjects indexed for resource %s", identifier)
                return None

        return self.fan_out(list(identifiers), one, progress)

    def fan_out(self, keys: list[K], call: Callable[[K], Any], progress: Progress | None) -> dict[K, Any]:
        results: dict[K, Any] = {}
        if not keys:
            return results
        with ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="altinn") as pool:
            futures = {pool.submit(call, key): key for key in keys}
            try:
                for done, future in enumerate(as_completed(futures), start=1):
                    results[futures[future]] = future.result()
                    if progress:
                        progress(done, len(keys))
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
        return results

    # -- plumbing ---------------------------------------------------------------------------------------

    def url_for(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        return str(self._http.build_request("GET", path, params=params).url)

    def next_link(self, next_link: str | None, current: str) -> str | None:
        if not next_link:
            return None
        url = httpx.URL(next_link)
        if url.is_relative_url:
            return next_link
        if url.host != httpx.URL(self.base_url).host:
            raise AltinnResponseError(self.url_for(current), f"pagination link points to another host ({url.host})")
        return url.raw_path.decode("ascii")

    def _get_list(
        self, path: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        body = self.get_json(path, params=params, headers=headers)
        if not isinstance(body, list):
            raise AltinnResponseError(self.url_for(path, params), f"expected a JSON array, got {type(body).__name__}")
        return body

    def get_json(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> Any:
        """GET a JSON body (path or absolute URL), with retries; a non-JSON or malformed answer is an error."""
        response = self.get(path, params=params, headers=headers, auth=auth)
        url = str(response.request.url)
        ctype = response.headers.get("content-type", "")
        if "json" not in ctype.lower():
            raise AltinnResponseError(url, f"expected JSON, got content type {ctype or 'none'!r}")
        try:
            return json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise AltinnResponseError(
                url, f"malformed or truncated JSON ({len(response.content)} bytes): {exc}"
            ) from exc

    def send(self, request: httpx.Request, *, auth: httpx.Auth | None = None) -> httpx.Response:
        """Send one request with the retry policy; a 2xx answer is returned, anything else raised as an error."""
        url = str(request.url)
        response = send_with_retry(
            lambda: self._http.send(request, auth=auth or self._http.auth),
            url=url,
            policy=self.retry,
            sleep=self._sleep,
            delay=self._delay,
        )
        status = response.status_code
        if status < 300:
            return response
        if status == 404:
            raise AltinnNotFoundError(url, f"HTTP 404 Not Found: {_excerpt(response)}", status=404)
        if status == 401:
            raise AltinnUnauthorizedError(url, f"HTTP 401 Unauthorized: {_excerpt(response)}", status=401)
        if 300 <= status < 400:
            target = response.headers.get("location", "?")
            raise AltinnResponseError(url, f"unexpected redirect (HTTP {status}) to {target}", status=status)
        raise AltinnResponseError(url, f"HTTP {status}: {_excerpt(response)}", status=status)

    def _delay(self, attempt: int) -> float:
        with self._rng_lock:
            return self.retry.delay(attempt, self._rng)

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> httpx.Response:
        """GET a path (relative to `base_url`) or an absolute URL, with retries; 2xx or an `AltinnAPIError`."""
        return self.send(self._http.build_request("GET", path, params=params, headers=headers), auth=auth)


def send_with_retry(
    send: Callable[[], httpx.Response],
    *,
    url: str,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    delay: Callable[[int], float],
    unavailable: type[AltinnUnavailableError] = AltinnUnavailableError,
    describe: Callable[[str], str] = lambda text: text,
) -> httpx.Response:
    """The one retry loop of every HTTP call (GET and the Maskinporten token POST).

    `send` is called once per attempt, so a caller can build a fresh request each time (a new grant `jti`).
    Connection errors, timeouts, 429 and 5xx are retried with backoff (`delay(attempt)`), honouring
    `Retry-After`; any other answer is returned, read, for the caller to judge. `describe` redacts the text of
    transport errors before it reaches a log or a message.
    """
    last = ""
    for attempt in range(policy.attempts):
        wait: float | None = None
        try:
            response = send()
            response.read()
        except httpx.TimeoutException as exc:
            last = f"timed out ({type(exc).__name__})"
        except httpx.TransportError as exc:
            last = describe(f"could not connect ({type(exc).__name__}: {exc})")
        else:
            status = response.status_code
            if status != 429 and status < 500:
                return response
            last = f"HTTP {status} {response.reason_phrase}"
            wait = _retry_after_seconds(response.headers.get("retry-after"))
            if wait is not None and wait > policy.max_retry_after:
                raise unavailable(
                    url,
                    f"{last}; Retry-After {wait:.0f} s exceeds the {policy.max_retry_after:.0f} s limit",
                    status=status,
                )
        if attempt + 1 == policy.attempts:
            break
        if wait is None:
            wait = delay(attempt)
        log.warning("%s: %s; retry %d/%d in %.1f s", url, last, attempt + 1, policy.attempts - 1, wait)
        sleep(wait)
    raise unavailable(url, f"{last}; gave up after {policy.attempts} attempts")


def _excerpt(response: httpx.Response, limit: int = 200) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "") if text else "(empty body)"
