"""Altinn Authentication: exchange a Maskinporten system-user token for an Altinn token, and read the
institution's own registered systems and their system users (vendor endpoints)."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from altinn_analysis.sources._client import AltinnClient, AltinnNotFoundError, AltinnResponseError
from altinn_analysis.sources._redact import remember_secret

__all__ = [
    "AltinnTokenAuth",
    "SystemUser",
    "exchange_maskinporten_token",
    "fetch_system_user",
    "fetch_vendor_systems",
    "system_user_id",
]

log = logging.getLogger("altinn_analysis.sources.authentication")

EXCHANGE = "/authentication/api/v1/exchange/maskinporten"
SYSTEM_REGISTER_VENDOR = "/authentication/api/v1/systemregister/vendor"
SYSTEM_USER_BY_QUERY = "/authentication/api/v1/systemuser/vendor/byquery"


@dataclass(frozen=True)
class SystemUser:
    id: str
    title: str
    system_id: str
    user_type: str


class _Bearer(httpx.Auth):
    def __init__(self, token: Callable[[], str]) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token()}"
        yield request


def exchange_maskinporten_token(client: AltinnClient, maskinporten: httpx.Auth) -> str:
    """The Altinn token for a Maskinporten token (answered as bare text; quotes stripped)."""
    # No `Accept: application/json`: content negotiation could then quote the string.
    response = client.get(EXCHANGE, headers={"Accept": "text/plain"}, auth=maskinporten)
    token = response.text.strip().strip('"')
    if token.count(".") != 2:
        raise AltinnResponseError(client.url_for(EXCHANGE), "the token exchange did not answer with a JWT")
    remember_secret(token)
    return token


class AltinnTokenAuth(httpx.Auth):
    """`Authorization: Bearer <Altinn token>`; on 401 the token is exchanged afresh once, never retried blindly."""

    def __init__(self, client: AltinnClient, maskinporten: httpx.Auth) -> None:
        self._client = client
        self._maskinporten = maskinporten
        self._lock = threading.Lock()
        self._token: str | None = None
        self.exchanges = 0

    def token(self, *, renew_from: str | None = None) -> str:
        with self._lock:
            if self._token is None or (renew_from is not None and self._token == renew_from):
                self._token = exchange_maskinporten_token(self._client, self._maskinporten)
                self.exchanges += 1
            return self._token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            log.info("%s %s: 401, exchanging a fresh Altinn token once", request.method, request.url.path)
            request.headers["Authorization"] = f"Bearer {self.token(renew_from=token)}"
            yield request


def system_user_id(maskinporten_token: str) -> str | None:
    """`authorization_details[0].systemuser_id[0]` of a Maskinporten token (payload only; no signature check)."""
    try:
        payload = maskinporten_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        details = claims.get("authorization_details") or []
        ids = details[0].get("systemuser_id") or []
        return str(ids[0]) if ids else None
    except (IndexError, ValueError, AttributeError, binascii.Error):
        return None


def fetch_vendor_systems(client: AltinnClient, auth: httpx.Auth) -> list[str]:
    """The system ids the institution has registered as vendor, sorted."""
    body = client.get_json(SYSTEM_REGISTER_VENDOR, auth=auth)
    if not isinstance(body, list):
        raise AltinnResponseError(client.url_for(SYSTEM_REGISTER_VENDOR), "expected a JSON array")
    return sorted(str(s["systemId"]) for s in body if isinstance(s, Mapping) and s.get("systemId"))


def fetch_system_user(client: AltinnClient, auth: httpx.Auth, system_id: str, org: str) -> SystemUser | None:
    params = {"system-id": system_id, "orgno": org}
    try:
        body: Any = client.get_json(SYSTEM_USER_BY_QUERY, params=params, auth=auth)
    except AltinnNotFoundError:
        return None  # the system has no system user for this organisation
    if not isinstance(body, Mapping) or not isinstance(body.get("id"), str):
        raise AltinnResponseError(client.url_for(SYSTEM_USER_BY_QUERY, params), "expected a system user object")
    if body.get("isDeleted"):
        return None
    return SystemUser(body["id"], str(body.get("integrationTitle") or ""), system_id, str(body.get("userType") or ""))
