"""The enterprise consent events feed: every event of the consent requests made to the institution, oldest
first, 100 per page (`links.next` exactly when a page is full). Gives the request ids whose details are read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from altinn_analysis.sources._client import AltinnClient, AltinnResponseError

__all__ = ["CONSENT_EVENTS", "ConsentEvents", "fetch_consent_events"]

CONSENT_EVENTS = "/accessmanagement/api/v1/enterprise/consentrequests/events"


@dataclass(frozen=True)
class ConsentEvents:
    request_ids: tuple[str, ...]  # distinct, in order of first appearance
    events: int
    pages: int


def fetch_consent_events(client: AltinnClient, auth: httpx.Auth) -> ConsentEvents:
    ids: dict[str, None] = {}
    events = pages = 0
    for page in client.pages(CONSENT_EVENTS, auth=auth):
        pages += 1
        for event in page:
            if not isinstance(event, Mapping) or not isinstance(event.get("consentRequestId"), str):
                raise AltinnResponseError(client.url_for(CONSENT_EVENTS), "an event has no consentRequestId")
            events += 1
            ids.setdefault(event["consentRequestId"], None)
    return ConsentEvents(tuple(ids), events, pages)
