"""Maskinporten access tokens through the JWT-bearer grant (RFC 7523), for the authenticated Altinn 3 APIs.

```python
provider = MaskinportenTokenProvider.from_env("altinn:consentrequests.read")  # MASKINPORTEN_* or .env
with httpx.Client(auth=provider.auth()) as http:  # Authorization: Bearer …, one refresh on 401
    ...
```

The grant is an RS256-signed JWT with `aud` (Maskinporten's issuer identifier), `iss` (the client id), `scope`,
`iat`, `exp` (at most 120 s later), a random `jti` and optionally `resource`, `consumer_org` and
`authorization_details`; its header names the key by `kid` (a key registered with the client) or carries the
business certificate chain in `x5c`. Tokens are cached until shortly before they expire. The key is loaded by
`_maskinporten_key`, the environments and `MASKINPORTEN_*` variables are in `_maskinporten_config`.

Nothing here ever logs, prints or puts into an exception message the key, its password, a grant or a token.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt

from altinn_analysis._version import __version__
from altinn_analysis.sources._client import (
    AltinnAPIError,
    AltinnResponseError,
    AltinnUnavailableError,
    RetryPolicy,
    send_with_retry,
)
from altinn_analysis.sources._maskinporten_config import (
    ENV_VARS,
    MaskinportenConfigError,
    maskinporten_environment,
    read_env_file,
)
from altinn_analysis.sources._maskinporten_key import MaskinportenKey, load_maskinporten_key
from altinn_analysis.sources._redact import install_log_redaction, redact_secrets, remember_secret

__all__ = [
    "MaskinportenAuth",
    "MaskinportenError",
    "MaskinportenTokenError",
    "MaskinportenTokenProvider",
    "MaskinportenUnavailableError",
]

log = logging.getLogger("altinn_analysis.sources.maskinporten")
install_log_redaction()

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 120  # seconds; Maskinporten refuses grants with exp - iat > 120
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)


# -- errors -----------------------------------------------------------------------------------------------


class MaskinportenError(AltinnAPIError):
    """Getting a token failed. The message names the token endpoint and the reason, never the grant or token."""


class MaskinportenTokenError(MaskinportenError, AltinnResponseError):
    """Maskinporten refused the grant (`invalid_grant`, `invalid_scope`, …) or answered something unusable."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, error: str | None = None) -> None:
        self.error = error
        super().__init__(url, reason, status=status)


class MaskinportenUnavailableError(MaskinportenError, AltinnUnavailableError):
    """Maskinporten could not be reached, or kept failing after every retry."""


# -- the token provider ------------------------------------------------------------------------------------


@dataclass(repr=False)  # the default repr would show the token
class _Cached:
    token: str
    expires_at: float  # on the provider's monotonic clock


class MaskinportenTokenProvider:
    """Builds grants, asks Maskinporten for tokens and caches each until `refresh_margin` before it expires.

    Thread-safe: concurrent callers share one token request. `transport`, `sleep`, `rng`, `clock` (monotonic,
    for the cache) and `wall_clock` (the grant's `iat`/`exp`) are injectable for tests.
    """

    def __init__(
        self,
        client_id: str,
        key: MaskinportenKey,
        scope: str | Sequence[str],
        *,
        environment: str = "test",
        token_endpoint: str | None = None,
        audience: str | None = None,
        kid: str | None = None,
        resource: str | Sequence[str] | None = None,
        consumer_org: str | None = None,
        authorization_details: Sequence[Mapping[str, Any]] | None = None,
        assertion_lifetime: int = MAX_ASSERTION_LIFETIME,
        refresh_margin: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id or not client_id.strip():
            raise MaskinportenConfigError("the Maskinporten client id (MASKINPORTEN_CLIENT_ID) is empty")
        scopes = scope.split() if isinstance(scope, str) else [s for part in scope for s in part.split()]
        if not scopes:
            raise MaskinportenConfigError("no Maskinporten scope requested (MASKINPORTEN_SCOPE)")
        if not 1 <= assertion_lifetime <= MAX_ASSERTION_LIFETIME:
            raise MaskinportenConfigError(f"assertion_lifetime must be 1–{MAX_ASSERTION_LIFETIME} s")
        env = maskinporten_environment(environment)
        self.environment = env.name
        self.client_id = client_id.strip()
        self.scope = " ".join(scopes)
        self.token_endpoint = token_endpoint or env.token_endpoint
        self.audience = audience or env.audience
        self.kid = kid or None
        if self.kid is None:
            key.x5c()  # fails now, with a clear message, when there is neither a kid nor a certificate
        expiry = key.certificate_expiry()
        if self.kid is None and expiry is not None and expiry < datetime.now(UTC):
            log.warning("the business certificate in %s expired on %s", key.source, expiry.date().isoformat())
        self.resource = resource
        self.consumer_org = consumer_org
        self.authorization_details = [dict(d) for d in authorization_details] if authorization_details else None
        self.assertion_lifetime = assertion_lifetime
        self.refresh_margin = refresh_margin
        self.retry = retry or RetryPolicy(attempts=3)
        self._key = key
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._cached: _Cached | None = None
        self.requests = 0  # token requests sent (for tests and the run log)
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,  # a grant is never sent anywhere but the configured endpoint
            headers={
                "User-Agent": f"altinn-analysis/{__version__} (Maskinporten; httpx)",
                "Accept": "application/json",
            },
        )

    @classmethod
    def from_env(
        cls,
        scope: str | Sequence[str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        env_file: str | Path | None = ".env",
        **kwargs: Any,
    ) -> MaskinportenTokenProvider:
        """A provider configured from `MASKINPORTEN_*` variables (see `ENV_VARS`) and an optional `.env` file."""
        values = dict(read_env_file(env_file)) if env_file is not None else {}
        values.update(os.environ if environ is None else environ)

        def need(name: str) -> str:
            value = values.get(name, "").strip()
            if not value:
                raise MaskinportenConfigError(f"{name} is not set ({ENV_VARS[name]})")
            return value

        client_id = need("MASKINPORTEN_CLIENT_ID")
        key = load_maskinporten_key(need("MASKINPORTEN_KEY_PATH"), values.get("MASKINPORTEN_KEY_PASSWORD") or None)
        if scope is None:
            scope = need("MASKINPORTEN_SCOPE")
        kwargs.setdefault("environment", values.get("MASKINPORTEN_ENV") or "test")
        kwargs.setdefault("kid", values.get("MASKINPORTEN_KID") or None)
        return cls(client_id, key, scope, **kwargs)

    # -- tokens -----------------------------------------------------------------------------------------

    def token(self) -> str:
        """A valid access token: the cached one, or a new one when it is missing or about to expire."""
        with self._lock:
            now = self._clock()
            if self._cached is not None and now < self._cached.expires_at:
                return self._cached.token
            self._cached = self._fetch()
            return self._cached.token

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is still `token`, when given: another thread may have renewed it)."""
        with self._lock:
            if self._cached is not None and (token is None or self._cached.token == token):
                self._cached = None

    def auth(self, *, allowed_hosts: Sequence[str] | None = None) -> MaskinportenAuth:
        """An `httpx.Auth` that adds `Authorization: Bearer …` (only for `allowed_hosts`, when given)."""
        return MaskinportenAuth(self, allowed_hosts=allowed_hosts)

    def assertion(self) -> str:
        """A fresh signed grant. Each is used once (new `jti`); never log it."""
        iat = int(self._wall_clock())
        claims: dict[str, Any] = {
            "aud": self.audience,
            "iss": self.client_id,
            "scope": self.scope,
            "iat": iat,
            "exp": iat + self.assertion_lifetime,
            "jti": str(uuid.uuid4()),
        }
        if self.resource is not None:
            claims["resource"] = self.resource if isinstance(self.resource, str) else list(self.resource)
        if self.consumer_org is not None:
            claims["consumer_org"] = self.consumer_org
        if self.authorization_details is not None:
            claims["authorization_details"] = self.authorization_details
        headers: dict[str, Any] = {"kid": self.kid} if self.kid else {"x5c": self._key.x5c()}
        return jwt.encode(claims, self._key.private_key, algorithm="RS256", headers=headers)

    def _fetch(self) -> _Cached:
        url = self.token_endpoint
        started = self._clock()

        def attempt() -> httpx.Response:
            nonlocal started
            started = self._clock()
            # A new grant on every attempt: Maskinporten refuses a jti it has seen, even from a failed call.
            self.requests += 1
            return self._http.post(url, data={"grant_type": GRANT_TYPE, "assertion": self.assertion()})

        response = send_with_retry(
            attempt,
            url=url,
            policy=self.retry,
            sleep=self._sleep,
            delay=lambda n: self.retry.delay(n, self._rng),
            unavailable=MaskinportenUnavailableError,
            describe=redact_secrets,
        )
        status = response.status_code
        if status < 300:
            return self._accept(response, started)
        if 300 <= status < 400:
            target = response.headers.get("location", "?")
            raise MaskinportenTokenError(url, f"unexpected redirect (HTTP {status}) to {target}", status=status)
        error, reason = _oauth_error(response)
        raise MaskinportenTokenError(url, reason, status=status, error=error)

    def _accept(self, response: httpx.Response, started: float) -> _Cached:
        url = self.token_endpoint
        ctype = response.headers.get("content-type", "")
        if "json" not in ctype.lower():
            raise MaskinportenTokenError(url, f"expected JSON, got content type {ctype or 'none'!r}", status=200)
        try:
            body = json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            # No excerpt: a token response body holds the token.
            raise MaskinportenTokenError(
                url, f"malformed or truncated JSON ({len(response.content)} bytes)", status=200
            ) from None
        token = body.get("access_token") if isinstance(body, dict) else None
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise MaskinportenTokenError(url, "the response has no access_token", status=200)
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
            raise MaskinportenTokenError(url, "the response has no positive expires_in", status=200)
        remember_secret(token)
        # Renew `refresh_margin` early, but never later than halfway through a short-lived token.
        margin = min(self.refresh_margin, float(expires_in) / 2)
        log.info("%s: new token for scope %s, valid %d s", url, self.scope, int(expires_in))
        return _Cached(token, started + float(expires_in) - margin)

    # -- lifecycle --------------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MaskinportenTokenProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        header = f"kid={self.kid!r}" if self.kid else "x5c"
        cached = "yes" if self._cached is not None else "no"
        return (
            f"MaskinportenTokenProvider(client_id={self.client_id!r}, environment={self.environment!r}, "
            f"token_endpoint={self.token_endpoint!r}, scope={self.scope!r}, {header}, key={self._key!r}, "
            f"token_cached={cached})"
        )

    def __reduce__(self) -> Any:
        raise TypeError("a Maskinporten token provider cannot be pickled")


def _oauth_error(response: httpx.Response) -> tuple[str | None, str]:
    """The OAuth `error` and a redacted `error_description` of a refused grant, for the message."""
    reason = f"HTTP {response.status_code}"
    try:
        body = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        error = body["error"]
        description = body.get("error_description")
        text = f"{reason} {error}" + (f": {description}" if isinstance(description, str) and description else "")
        return error, redact_secrets(text)[:300]
    excerpt = response.text.strip().replace("\n", " ")[:200]
    return None, redact_secrets(f"{reason}: {excerpt or '(empty body)'}")


class MaskinportenAuth(httpx.Auth):
    """`Authorization: Bearer <token>` from a provider; on 401 the token is renewed and the request sent once more.

    Synchronous clients only (getting a token blocks).
    """

    def __init__(self, provider: MaskinportenTokenProvider, *, allowed_hosts: Sequence[str] | None = None) -> None:
        self.provider = provider
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts) if allowed_hosts is not None else None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.allowed_hosts is not None and request.url.host.lower() not in self.allowed_hosts:
            # A token is only ever sent to the API it is for.
            raise MaskinportenConfigError(f"refusing to send a Maskinporten token to {request.url.host}")
        token = self.provider.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            log.info("%s %s: 401, renewing the Maskinporten token once", request.method, request.url)
            self.provider.invalidate(token)
            request.headers["Authorization"] = f"Bearer {self.provider.token()}"
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        raise NotImplementedError("MaskinportenAuth works with httpx.Client, not AsyncClient (getting a token blocks)")
        yield request  # unreachable: makes this an async generator, as httpx expects

    def __repr__(self) -> str:
        return f"MaskinportenAuth({self.provider!r})"
