"""Consent requests and their event feed in a demo replay: every current Altinn 3 consent row in full, the expired
history sampled (at most `expired_sample` requests for each of the latest rows, as a full history would mean
thousands of detail answers), each consent given by a synthetic person."""

from __future__ import annotations

import base64
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import polars as pl

from altinn_analysis.demo_replay._fakes import People, stable_uuid, stamp

if TYPE_CHECKING:
    from altinn_analysis.inventory import Inventory
    from altinn_analysis.sources import ReplayWriter

__all__ = ["record_consents"]


def record_consents(recording: ReplayWriter, inv: Inventory, people: People, *, expired_sample: int) -> None:
    """Each consent request's detail and the paged event feed (100 a page)."""
    org = inv.org_number
    cons = inv.consents.filter(pl.col("platform") == "altinn3").sort("valid_from")
    current = cons.filter(pl.col("status") != "expired")
    expired = (
        cons.filter(pl.col("status") == "expired")
        .tail(2)
        .with_columns(pl.col("count").clip(upper_bound=expired_sample))
    )
    status_of = {
        "active": "Accepted",
        "expired": "Accepted",
        "pending": "Created",
        "rejected": "Rejected",
        "revoked": "Revoked",
    }
    events: list[dict[str, str]] = []
    n = 0
    for row in pl.concat([expired, current]).iter_rows(named=True):
        for _ in range(int(row["count"])):
            n += 1
            rid = stable_uuid(org, "consent", n)
            person = people.get(f"consent:{n}")
            created = stamp(row["valid_from"], 9)
            status = status_of[row["status"]]
            consented = stamp(row["valid_from"], 10) if status != "Created" else None
            evs: list[dict[str, Any]] = [
                {
                    "consentEventID": stable_uuid(rid, "c"),
                    "created": created,
                    "performedBy": f"urn:altinn:organization:identifier-no:{org}",
                    "eventType": "Created",
                    "consentRequestID": rid,
                }
            ]
            if status != "Created":
                evs.append(
                    {
                        "consentEventID": stable_uuid(rid, "s"),
                        "created": consented,
                        "performedBy": f"urn:altinn:person:identifier-no:{person['fnr']}",
                        "eventType": status,
                        "consentRequestID": rid,
                    }
                )
            recording.add(
                f"/accessmanagement/api/v1/enterprise/consentrequests/{rid}",
                {
                    "id": rid,
                    "from": f"urn:altinn:person:identifier-no:{person['fnr']}",
                    "to": f"urn:altinn:organization:identifier-no:{org}",
                    "requiredDelegator": None,
                    "handledBy": None,
                    "validTo": f"{row['valid_to'].isoformat()}T12:00:00+00:00",
                    "consentRights": [
                        {
                            "action": ["consent"],
                            "resource": [{"type": "urn:altinn:resource", "value": row["service"]}],
                            "metadata": {},
                        }
                    ],
                    "requestMessage": None,
                    "status": status,
                    "consented": consented,
                    "redirectUrl": None,
                    "consentRequestEvents": evs,
                    "viewUri": None,
                    "portalViewMode": "Hide",
                },
                f"accessmanagement/consentrequests/{rid}.json",
            )
            events += [{"consentRequestId": rid, "eventType": e["eventType"], "changedDate": e["created"]} for e in evs]
    events_path = "/accessmanagement/api/v1/enterprise/consentrequests/events"
    pages = [events[i : i + 100] for i in range(0, len(events), 100)]
    if not pages or len(pages[-1]) == 100:
        pages.append([])  # a full last page gets a next link to an empty one
    prev = ""
    for number, page in enumerate(pages):
        token = base64.b64encode(uuid.UUID(stable_uuid(org, "page", number)).bytes).decode()
        nxt = (
            f"https://{recording.host}{events_path}?continuationToken={quote(token, safe='')}"
            if number + 1 < len(pages)
            else None
        )
        query = {} if number == 0 else {"continuationToken": prev}
        recording.add(
            events_path,
            {"links": {"next": nxt}, "data": page},
            f"accessmanagement/consent_events/page{number + 1:02d}.json",
            query=query,
        )
        prev = token
