"""Dialogporten, end-user search with the Maskinporten system-user token: how many dialogs (digital letters)
reach the institution per service resource, and how many lie unopened. Titles, senders and actors (a person's
name and identity number may be there) are never kept: only counts and dates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx

from altinn_analysis.sources._client import AltinnClient, AltinnResponseError

__all__ = ["DIALOGS", "DIALOG_RESOURCES", "DialogSummary", "fetch_dialogs"]

DIALOGS = "/dialogporten/api/v1/enduser/dialogs"
# Agencies' letters to banks that moved from the Altinn 2 message box (migrated correspondence).
DIALOG_RESOURCES = ("skd-migratedcorrespondence-2772-140313", "brg-migratedcorrespondence-3770-1")
PAGE_LIMIT = 20
MAX_PAGES = 500  # bounded: 10 000 dialogs per resource


@dataclass(frozen=True)
class DialogSummary:
    resource: str
    dialogs: int
    unopened: int
    pages: int
    latest: date | None  # newest createdAt
    oldest_unopened: date | None


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        # 7 fractional digits and `Z`: trim to what fromisoformat accepts.
        head = value.rstrip("Z").partition(".")[0]
        return datetime.fromisoformat(head).date()
    except ValueError:
        return None


def fetch_dialogs(client: AltinnClient, auth: httpx.Auth, org: str, resource: str) -> DialogSummary:
    params: dict[str, str] = {
        "party": f"urn:altinn:organization:identifier-no:{org}",
        "serviceResource": f"urn:altinn:resource:{resource}",
        "limit": str(PAGE_LIMIT),
    }
    dialogs = unopened = pages = 0
    created: list[date] = []
    unopened_dates: list[date] = []
    while True:
        url = client.url_for(DIALOGS, params)
        body = client.get_json(DIALOGS, params=params, auth=auth)
        if not isinstance(body, Mapping) or not isinstance(body.get("items"), list):
            raise AltinnResponseError(url, "expected an object with an 'items' list")
        pages += 1
        for item in body["items"]:
            if not isinstance(item, Mapping):
                continue
            dialogs += 1
            day = _day(item.get("createdAt"))
            if day:
                created.append(day)
            if item.get("hasUnopenedContent") is True:
                unopened += 1
                if day:
                    unopened_dates.append(day)
        # The last page carries a token too: only `hasNextPage` says whether to go on.
        if not body.get("hasNextPage"):
            break
        token = body.get("continuationToken")
        if not isinstance(token, str) or not token or pages >= MAX_PAGES:
            raise AltinnResponseError(url, "hasNextPage without a usable continuationToken (or too many pages)")
        params = {**params, "continuationToken": token}
    return DialogSummary(
        resource, dialogs, unopened, pages, max(created) if created else None, min(unopened_dates, default=None)
    )
