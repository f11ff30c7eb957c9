"""Dialogporten in a demo replay: the agencies' letters per resource, some unopened, 20 a page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from altinn_analysis.demo_replay._fakes import People, stable_uuid

if TYPE_CHECKING:
    from altinn_analysis.sources import ReplayWriter

__all__ = ["DIALOG_RESOURCES", "record_dialogs"]

DIALOG_RESOURCES = {"skd-migratedcorrespondence-2772-140313": (23, 4), "brg-migratedcorrespondence-3770-1": (3, 1)}


def record_dialogs(recording: ReplayWriter, org: str, people: People, *, as_of: date) -> None:
    """The letters of each resource in `DIALOG_RESOURCES`: (count, unopened), the newest two days before `as_of`."""
    for resource, (count, unopened) in DIALOG_RESOURCES.items():
        items = []
        for i in range(count):
            day = as_of - timedelta(days=2 + 3 * i)
            opened = i >= unopened
            items.append(
                {
                    "id": stable_uuid(org, resource, i),
                    "org": resource.split("-")[0],
                    "serviceResource": f"urn:altinn:resource:{resource}",
                    "serviceResourceType": "correspondenceservice",
                    "party": f"urn:altinn:organization:identifier-no:{org}",
                    "createdAt": f"{day.isoformat()}T09:22:04.8379250Z",
                    "status": "NotApplicable",
                    "hasUnopenedContent": not opened,
                    "latestActivity": {
                        "type": "DialogOpened",
                        "performedBy": {
                            "actorType": "PartyRepresentative",
                            "actorName": people.get(f"reader:{i % 3}")["name"],
                            "actorId": f"urn:altinn:person:identifier-no:{people.get(f'reader:{i % 3}')['fnr']}",
                        },
                    }
                    if opened
                    else None,
                    "content": {"title": {"value": [{"value": "Pålegg om utlevering", "languageCode": "nb"}]}},
                }
            )
        base = {
            "party": f"urn:altinn:organization:identifier-no:{org}",
            "serviceResource": f"urn:altinn:resource:{resource}",
            "limit": "20",
        }
        cursor: str | None = None
        for page_no, start in enumerate(range(0, count, 20)):
            chunk = items[start : start + 20]
            has_next = start + 20 < count
            new_token = f"contentupdatedat_{chunk[-1]['createdAt']},id_{chunk[-1]['id']}"
            query = base if cursor is None else {**base, "continuationToken": cursor}
            recording.add(
                "/dialogporten/api/v1/enduser/dialogs",
                {
                    "items": chunk,
                    "hasNextPage": has_next,
                    "continuationToken": new_token,
                    "orderBy": "contentupdatedat_desc,id_desc",
                },
                f"dialogporten/{resource.split('-')[0]}.page{page_no + 1}.json",
                query=query,
            )
            cursor = new_token
