"""Altinn 3 consent-request status for one institution, as a `consents` table in the inventory format (DESIGN §5).

`GET {platform}/accessmanagement/api/v1/enterprise/consentrequests/{id}` with a Maskinporten token (scope
`altinn:consentrequests.read`). The response names the person or organisation that consented (`from`, `to`,
`requiredDelegator`, `handledBy`, event `performedBy`): those are personal data, and are dropped while parsing;
only the consent resource, the state and the validity dates are kept.

State mapping (API `status`, else the latest event, else `consented`):

| API            | inventory                                   |
|----------------|---------------------------------------------|
| created        | pending                                     |
| accepted       | active                                      |
| rejected       | rejected                                    |
| revoked        | revoked                                     |
| deleted        | revoked (withdrawn: no usable consent left)  |
| expired        | expired                                     |

An active or pending request whose `validTo` lies before `as_of` is `expired`. Dates are calendar days in
Norway (Europe/Oslo).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import polars as pl

from altinn_analysis.sources._client import (
    AltinnAPIError,
    AltinnClient,
    AltinnResponseError,
    Progress,
)
from altinn_analysis.sources._maskinporten import MaskinportenError, MaskinportenTokenProvider
from altinn_analysis.sources._redact import redact_secrets

__all__ = [
    "CONSENTS_SCHEMA",
    "CONSENT_REQUEST_SCOPE",
    "ConsentRequestClient",
    "ConsentRequestStatus",
    "consents_table",
    "fetch_consent_request",
    "parse_consent_request",
]

log = logging.getLogger("altinn_analysis.sources.consents")

CONSENT_REQUEST_SCOPE = "altinn:consentrequests.read"
CONSENT_REQUESTS = "/accessmanagement/api/v1/enterprise/consentrequests"
RESOURCE_URN = "urn:altinn:resource"
OSLO = ZoneInfo("Europe/Oslo")

# The inventory's `consents` columns (altinn_analysis.inventory.SCHEMAS["consents"]; a test keeps them equal —
# `sources` may not import `inventory`, which sits below it).
CONSENTS_SCHEMA: Mapping[str, pl.DataType] = {
    "platform": pl.String(),
    "service": pl.String(),
    "status": pl.String(),
    "valid_from": pl.Date(),
    "valid_to": pl.Date(),
    "count": pl.Int64(),
}
_KEYS = ("platform", "service", "status", "valid_from", "valid_to")

_STATUS = {
    "created": "pending",
    "accepted": "active",
    "rejected": "rejected",
    "revoked": "revoked",
    "deleted": "revoked",
    "expired": "expired",
}
_ELEVEN_DIGITS = re.compile(r"(?<![0-9])[0-9]{11}(?![0-9])")
# Platform ↔ Maskinporten environment: a token from the other one is always refused.
_MASKINPORTEN_FOR = {"prod": "prod", "tt02": "test"}


@dataclass(frozen=True)
class ConsentRequestStatus:
    """One consent request, reduced to what the inventory needs: no party, no metadata, no message."""

    request_id: str
    resources: tuple[str, ...]
    api_status: str
    status: str
    valid_from: date
    valid_to: date


def _day(value: object, what: str, url: str, zone: tzinfo = OSLO) -> date:
    if not isinstance(value, str):
        raise AltinnResponseError(url, f"{what} is missing or not a timestamp")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise AltinnResponseError(url, f"{what} is not an ISO timestamp") from None
    if when.tzinfo is None:  # Altinn stores UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(zone).date()


def _resources(body: Mapping[str, Any]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for right in body.get("consentRights") or ():
        if not isinstance(right, Mapping):
            continue
        for res in right.get("resource") or ():
            if isinstance(res, Mapping) and res.get("type") == RESOURCE_URN and isinstance(res.get("value"), str):
                found[res["value"].strip()] = None
    return tuple(r for r in found if r)


def _events(body: Mapping[str, Any], url: str) -> list[tuple[datetime, str]]:
    events: list[tuple[datetime, str]] = []
    for event in body.get("consentRequestEvents") or ():
        if not isinstance(event, Mapping) or not isinstance(event.get("eventType"), str):
            continue
        try:
            when = datetime.fromisoformat(str(event.get("created", "")).strip())
        except ValueError:
            raise AltinnResponseError(url, "a consent event has no valid 'created' timestamp") from None
        events.append((when if when.tzinfo else when.replace(tzinfo=UTC), event["eventType"].strip().lower()))
    return sorted(events)


def parse_consent_request(
    body: Mapping[str, Any], *, as_of: date, url: str = "consent request", zone: tzinfo = OSLO
) -> ConsentRequestStatus:
    """Reduce one consent-request response to its resources, state and validity (pure; see the module doc).

    `zone` decides the calendar day of a timestamp (a pull follows Altinn's contract: UTC)."""
    request_id = body.get("id", body.get("iD"))
    if not isinstance(request_id, str) or not request_id:
        raise AltinnResponseError(url, "the consent request has no id")
    resources = _resources(body)
    if not resources:
        raise AltinnResponseError(url, f"consent request {request_id} names no {RESOURCE_URN}")
    valid_to = _day(body.get("validTo"), "validTo", url, zone)
    events = _events(body, url)

    api_status = body.get("status", body.get("consentRequestStatus"))
    if not isinstance(api_status, str) or not api_status.strip():
        # Older responses have no `status`: the latest event that changes the state tells it ("used" does not).
        changes = [kind for _, kind in events if kind in _STATUS]
        api_status = changes[-1] if changes else ("accepted" if body.get("consented") else "created")
    api_status = api_status.strip().lower()
    if api_status not in _STATUS:
        shown = re.sub(r"[^a-z_]", "", api_status)[:20]
        raise AltinnResponseError(url, f"unknown consent request status {shown!r}")
    status = _STATUS[api_status]
    if status in ("active", "pending") and valid_to < as_of:
        status = "expired"

    if body.get("consented"):
        valid_from = _day(body["consented"], "consented", url, zone)
    else:
        created = [when for when, kind in events if kind == "created"] or [when for when, _ in events]
        valid_from = created[0].astimezone(zone).date() if created else valid_to
    # The inventory refuses valid_to before valid_from; a request cannot start after it ends.
    valid_from = min(valid_from, valid_to)
    return ConsentRequestStatus(request_id, resources, api_status, status, valid_from, valid_to)


def consents_table(statuses: Iterable[ConsentRequestStatus]) -> pl.DataFrame:
    """Inventory `consents` rows: one per resource, state and validity, `count` = how many requests."""
    rows = [("altinn3", service, s.status, s.valid_from, s.valid_to) for s in statuses for service in s.resources]
    frame = pl.DataFrame(rows, schema={k: CONSENTS_SCHEMA[k] for k in _KEYS}, orient="row")
    return (
        frame.group_by(list(_KEYS))
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .select(list(CONSENTS_SCHEMA))
        .sort(list(_KEYS))
    )


def _redacted(exc: AltinnAPIError) -> AltinnAPIError:
    """The same error with anything that may identify a person taken out of its reason (the body excerpt)."""
    reason = _ELEVEN_DIGITS.sub("[11 digits removed]", redact_secrets(exc.reason))
    if reason == exc.reason or isinstance(exc, MaskinportenError):
        return exc
    return type(exc)(exc.url, reason, status=exc.status)


class ConsentRequestClient(AltinnClient):
    """The enterprise consent-request API, authenticated with Maskinporten (same retries, timeouts and errors).

    `auth` is a `MaskinportenTokenProvider` (its token is then only sent to this platform's host) or any
    `httpx.Auth`.
    """

    def __init__(self, auth: MaskinportenTokenProvider | httpx.Auth, environment: str = "prod", **kwargs: Any) -> None:
        super().__init__(environment, **kwargs)
        if isinstance(auth, MaskinportenTokenProvider):
            expected = _MASKINPORTEN_FOR.get(environment)
            if kwargs.get("base_url") is None and expected and auth.environment != expected:
                raise ValueError(
                    f"Altinn {environment} needs a Maskinporten {expected} token, not {auth.environment} "
                    "(MASKINPORTEN_ENV)"
                )
            if CONSENT_REQUEST_SCOPE not in auth.scope.split():
                log.warning("the Maskinporten scope %r lacks %s", auth.scope, CONSENT_REQUEST_SCOPE)
            auth = auth.auth(allowed_hosts=[httpx.URL(self.base_url).host])
        self._http.auth = auth

    def consent_request(self, request_id: str, *, as_of: date | None = None) -> ConsentRequestStatus:
        """One consent request's state (`as_of` decides what has expired; default today)."""
        return fetch_consent_request(self, request_id, as_of=as_of or date.today())

    def consent_requests(
        self, request_ids: Iterable[str], *, as_of: date | None = None, progress: Progress | None = None
    ) -> list[ConsentRequestStatus]:
        """Many consent requests, at most `max_concurrency` in flight; in input order, duplicates once."""
        ids = list(dict.fromkeys(_guid(i) for i in request_ids))
        day = as_of or date.today()
        found = self.fan_out(ids, lambda i: self.consent_request(i, as_of=day), progress)
        return [found[i] for i in ids]

    def consents(
        self, request_ids: Iterable[str], *, as_of: date | None = None, progress: Progress | None = None
    ) -> pl.DataFrame:
        """The `consents` inventory table for these consent requests."""
        return consents_table(self.consent_requests(request_ids, as_of=as_of, progress=progress))


def fetch_consent_request(
    client: AltinnClient,
    request_id: str,
    *,
    as_of: date,
    auth: httpx.Auth | None = None,
    zone: tzinfo = OSLO,
) -> ConsentRequestStatus:
    """GET one consent request through `client` and reduce it (errors are redacted of identity numbers)."""
    path = f"{CONSENT_REQUESTS}/{_guid(request_id)}"
    try:
        body = client.get_json(path, auth=auth)
    except AltinnAPIError as exc:
        raise _redacted(exc) from None
    url = client.url_for(path)
    if not isinstance(body, dict):
        raise AltinnResponseError(url, f"expected a JSON object, got {type(body).__name__}")
    return parse_consent_request(body, as_of=as_of, url=url, zone=zone)


def _guid(value: str) -> str:
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise ValueError("a consent request id must be a GUID") from None
