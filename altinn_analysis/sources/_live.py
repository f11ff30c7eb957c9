"""Pull one institution's own Altinn 3 state from the live APIs, in the order of the request contract
(docs/pull.md): Enhetsregisteret, the Maskinporten system-user token and its exchange for an Altinn token,
Access Management, Authentication (system users), the consent events feed and details, Dialogporten.

The result (`PulledState`) holds no name, birth date or identity number: each source module drops them while
parsing. Turning the state into inventory rows is the inventory layer's job (pure).
"""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from altinn_analysis.sources._access import (
    AM_ENDUSER,
    AuthorizedParty,
    Grantee,
    fetch_authorized_party,
    fetch_connections,
    fetch_maskinporten_suppliers,
)
from altinn_analysis.sources._authentication import (
    EXCHANGE,
    SYSTEM_USER_BY_QUERY,
    AltinnTokenAuth,
    SystemUser,
    fetch_system_user,
    fetch_vendor_systems,
    system_user_id,
)
from altinn_analysis.sources._brreg import BRREG_API, Enhet, ErRole, fetch_enhet, fetch_er_roles
from altinn_analysis.sources._client import ENVIRONMENTS, AltinnAPIError, AltinnClient, RetryPolicy
from altinn_analysis.sources._consent_events import CONSENT_EVENTS, fetch_consent_events
from altinn_analysis.sources._consents import ConsentRequestStatus, fetch_consent_request
from altinn_analysis.sources._dialogporten import DIALOG_RESOURCES, DIALOGS, DialogSummary, fetch_dialogs
from altinn_analysis.sources._maskinporten import MaskinportenTokenProvider
from altinn_analysis.sources._maskinporten_config import MaskinportenConfigError
from altinn_analysis.sources._maskinporten_key import MaskinportenKey
from altinn_analysis.sources._redact import redact_secrets
from altinn_analysis.sources._replay import ReplayMissError, ReplayTransport

__all__ = [
    "PULL_SCOPES",
    "PULL_SOURCES",
    "PullError",
    "PulledState",
    "maskinporten_for_pull",
    "pull_institution",
    "replay_transport_for",
]

log = logging.getLogger("altinn_analysis.sources.pull")

PULL_SOURCES = ("brreg", "access", "systemusers", "consents", "dialogs")
PULL_SCOPES = (
    "altinn:accessmanagement/authorizedparties",
    "altinn:accessmanagement/enduser:connections:toothers.read",
    "altinn:accessmanagement/enduser:maskinportensuppliers.read",
    "altinn:authentication/systemregister.write",
    "altinn:authentication/systemuser.request.write",
    "altinn:consentrequests.read",
    "digdir:dialogporten",
)
_MASKINPORTEN_ENV = {"prod": "prod", "tt02": "test"}
_ENDPOINT = {
    "brreg": f"GET data.brreg.no{BRREG_API.removeprefix('https://data.brreg.no')}/enheter/{{org}}/roller",
    "access": f"GET {{host}}{AM_ENDUSER}/connections",
    "systemusers": f"GET {{host}}{SYSTEM_USER_BY_QUERY}",
    "consents": f"GET {{host}}{CONSENT_EVENTS}",
    "dialogs": f"GET {{host}}{DIALOGS}",
}

Progress = Callable[[str], None]


class PullError(Exception):
    """One source of a pull failed: names the institution, the source and the request."""

    def __init__(self, org: str, source: str, request: str, reason: str) -> None:
        self.org, self.source, self.request, self.reason = org, source, request, reason
        super().__init__(f"{org}: {source}: {request}: {reason}")


@dataclass(frozen=True)
class PulledState:
    org_number: str
    environment: str
    fetched_at: datetime
    as_of: date
    sources: tuple[str, ...]
    origins: Mapping[str, str]  # source → "GET host/path @ time"
    enhet: Enhet | None = None
    er_roles: tuple[ErRole, ...] = ()
    party: AuthorizedParty | None = None
    grantees: tuple[Grantee, ...] = ()
    pulling_system_user: str | None = None
    suppliers: tuple[str, ...] | None = None  # None: the supplier API is not available
    own_system_users: tuple[SystemUser, ...] = ()
    consents: tuple[ConsentRequestStatus, ...] = ()
    consent_events: int = 0
    consent_pages: int = 0
    dialogs: tuple[DialogSummary, ...] = ()
    requests: int = 0
    notes: tuple[str, ...] = field(default=())


class _Counting(httpx.BaseTransport):
    """Counts requests (for the run record and the benchmark); thread-safe."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.count = 0
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.count += 1
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def replay_transport_for(directory: str | Path, org: str) -> ReplayTransport:
    """`DIR` is one institution's recording folder, or a folder holding one such folder per organisation."""
    root = Path(directory)
    if (root / org / "index.json").is_file():
        return ReplayTransport(root / org)
    if (root / "index.json").is_file():
        return ReplayTransport(root)
    raise FileNotFoundError(f"{root}: no replay for {org} (expected {root / org / 'index.json'} or index.json)")


def _authorization_details(org: str) -> list[dict[str, Any]]:
    return [
        {"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": f"0192:{org}"}}
    ]


_REPLAY_KEY: list[MaskinportenKey] = []
_REPLAY_KEY_LOCK = threading.Lock()


def _replay_key() -> MaskinportenKey:
    """A throw-away signing key for replays, made once per process (a 2048-bit key takes a while to generate)."""
    with _REPLAY_KEY_LOCK:
        if not _REPLAY_KEY:
            _REPLAY_KEY.append(
                MaskinportenKey(rsa.generate_private_key(public_exponent=65537, key_size=2048), source="replay")
            )
        return _REPLAY_KEY[0]


def maskinporten_for_pull(
    org: str,
    environment: str,
    *,
    transport: httpx.BaseTransport | None,
    replay: bool,
    env_file: str | Path | None = ".env",
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> MaskinportenTokenProvider:
    """The system-user token provider for `org`: credentials from the environment (or an env file outside the
    repository). A replay needs no credentials: it signs with a throw-away key made in memory."""
    mp_env = _MASKINPORTEN_ENV[environment]
    common: dict[str, Any] = {
        "environment": mp_env,
        "authorization_details": _authorization_details(org),
        "transport": transport,
        "retry": RetryPolicy(attempts=3, base_delay=0.5),
        "sleep": sleep,
    }
    if replay:
        key = _replay_key()
        return MaskinportenTokenProvider("replay-client", key, list(PULL_SCOPES), kid="replay", **common)
    # The process environment wins over the env file (as in `MaskinportenTokenProvider.from_env`).
    return MaskinportenTokenProvider.from_env(list(PULL_SCOPES), environ=environ, env_file=env_file, **common)


def pull_institution(
    org: str,
    *,
    environment: str = "prod",
    only: Sequence[str] = PULL_SOURCES,
    transport: httpx.BaseTransport | None = None,
    maskinporten: MaskinportenTokenProvider | None = None,
    base_url: str | None = None,
    pseudonym: Callable[[str, str], str],
    as_of: date | None = None,
    max_concurrency: int = 8,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress | None = None,
) -> PulledState:
    """Everything the selected sources say about `org`, or `PullError` naming the failing source and request.

    `base_url` replaces the environment's Altinn platform URL (a proxy, or a local stand-in in tests)."""
    unknown = set(only) - set(PULL_SOURCES)
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(sorted(unknown))}; choose from {', '.join(PULL_SOURCES)}")
    counting = _Counting(transport or httpx.HTTPTransport(retries=0))
    base_url = base_url or ENVIRONMENTS[environment]
    host = httpx.URL(base_url).host
    fetched_at = datetime.now(UTC).replace(microsecond=0)
    stamp = fetched_at.isoformat().replace("+00:00", "Z")
    day = as_of or fetched_at.date()
    say = progress or (lambda message: None)
    out: dict[str, Any] = {}
    providers: list[MaskinportenTokenProvider] = []
    origins: dict[str, str] = {}
    notes: list[str] = []
    client = AltinnClient(
        environment,
        base_url=base_url,
        transport=counting,
        retry=retry or RetryPolicy(attempts=4),
        max_concurrency=max_concurrency,
        sleep=sleep,
        rng=random.Random(0),
    )

    def step(source: str, what: str, call: Callable[[], Any]) -> Any:
        say(f"{org}: {source}: {what}")
        try:
            return call()
        except AltinnAPIError as exc:
            raise PullError(org, source, exc.url, _reason(exc, org)) from None
        except ReplayMissError as exc:
            raise PullError(org, source, f"{exc.request.method} {exc.request.url}", "no recorded answer") from None
        except (httpx.HTTPError, MaskinportenConfigError) as exc:
            raise PullError(org, source, what, redact_secrets(str(exc))) from None

    try:
        if "brreg" in only:
            out["enhet"] = step("brreg", "enhet", lambda: fetch_enhet(client, org))
            out["er_roles"] = tuple(step("brreg", "roller", lambda: fetch_er_roles(client, org, pseudonym)))
            origins["brreg"] = f"{_ENDPOINT['brreg'].format(org=org)} @ {stamp}"
        altinn = [s for s in only if s != "brreg"]
        if altinn:
            provider = maskinporten or step(
                "maskinporten",
                "credentials",
                lambda: maskinporten_for_pull(org, environment, transport=counting, replay=False, sleep=sleep),
            )
            providers.append(provider)
            mp_auth = provider.auth(allowed_hosts=[host])
            mp_token = step("maskinporten", "POST token", provider.token)
            out["pulling_system_user"] = system_user_id(mp_token)
            at = AltinnTokenAuth(client, mp_auth)
            step("authentication", f"GET {host}{EXCHANGE}", at.token)
            party: AuthorizedParty = step(
                "access", "authorizedparties", lambda: fetch_authorized_party(client, org, at)
            )
            out["party"] = party
            if "access" in only or "systemusers" in only:
                grantees = step(
                    "access", "connections", lambda: fetch_connections(client, party.party_uuid, at, pseudonym)
                )
                out["grantees"] = tuple(grantees)
                suppliers = step(
                    "access",
                    "maskinportensuppliers",
                    lambda: fetch_maskinporten_suppliers(client, party.party_uuid, at),
                )
                if suppliers is None:
                    notes.append("Maskinporten supplier API not available (404)")
                out["suppliers"] = None if suppliers is None else tuple(suppliers)
                origins["access"] = f"{_ENDPOINT['access'].format(host=host)} @ {stamp}"
            if "systemusers" in only:
                systems = step("systemusers", "systemregister/vendor", lambda: fetch_vendor_systems(client, at))
                users = [
                    step("systemusers", f"systemuser {s}", functools.partial(fetch_system_user, client, at, s, org))
                    for s in systems
                ]
                out["own_system_users"] = tuple(u for u in users if u is not None)
                origins["systemusers"] = f"{_ENDPOINT['systemusers'].format(host=host)} @ {stamp}"
            if "consents" in only:
                events = step("consents", "events", lambda: fetch_consent_events(client, at))
                say(f"{org}: consents: {len(events.request_ids)} requests from {events.events} events")
                out["consents"] = tuple(
                    step("consents", "details", lambda: _consent_details(client, at, events.request_ids, day, say, org))
                )
                out["consent_events"], out["consent_pages"] = events.events, events.pages
                origins["consents"] = f"{_ENDPOINT['consents'].format(host=host)} @ {stamp}"
            if "dialogs" in only:
                out["dialogs"] = tuple(
                    step("dialogs", f"dialogs {r}", functools.partial(fetch_dialogs, client, mp_auth, org, r))
                    for r in DIALOG_RESOURCES
                )
                origins["dialogs"] = f"{_ENDPOINT['dialogs'].format(host=host)} @ {stamp}"
    finally:
        client.close()
    return PulledState(
        org_number=org,
        environment=environment,
        fetched_at=fetched_at,
        as_of=day,
        sources=tuple(s for s in PULL_SOURCES if s in only),
        origins=origins,
        requests=counting.count + sum(p.requests for p in providers),
        notes=tuple(notes),
        **out,
    )


def _consent_details(
    client: AltinnClient,
    auth: httpx.Auth,
    ids: Sequence[str],
    as_of: date,
    say: Progress,
    org: str,
) -> list[ConsentRequestStatus]:
    step = max(1, len(ids) // 10)

    def one(request_id: str) -> ConsentRequestStatus:
        return fetch_consent_request(client, request_id, as_of=as_of, auth=auth, zone=UTC)

    def tick(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            say(f"{org}: consents: {done}/{total} details")

    found = client.fan_out(list(ids), one, tick)
    return [found[i] for i in ids]


def _reason(exc: AltinnAPIError, org: str) -> str:
    if exc.status == 401:
        return (
            f"{exc.reason} — Altinn refused the system user's token: check that the system user for {org} exists, "
            "is approved, and holds the access packages tilgangsstyrer, maskinporten-administrator and "
            "ordinaer-post-til-virksomheten (docs/pull.md)"
        )
    if exc.status == 403:
        return f"{exc.reason} — the system user lacks the rights this endpoint needs (docs/pull.md)"
    return exc.reason
