"""Recorded answers for `pull --replay`, generated from a demo inventory: the Altinn 3 state the inventory reports,
as Enhetsregisteret, Maskinporten, Access Management, Authentication and Dialogporten would answer it.

The answers follow the field names, casing, paging and formats of the pull contract (docs/pull.md). Everything in
them is synthetic: people get fictional two-word names, birth dates and checksum-valid synthetic identity numbers
(month + 80, as test registries write them), so that tests can prove none of it reaches any output. Tokens are fake
JWTs with no valid signature. The expired consent history is sampled (at most `expired_sample` requests for each
of the latest rows), as a full history would mean thousands of detail answers.

```python
write_demo_replay("data/institutions/316537200", "/tmp/replay/316537200")
```
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl

from altinn_analysis.inventory import load_inventory, national_id_check_digits

__all__ = ["DEMO_AS_OF", "DEMO_INSTITUTIONS", "pull_demo", "write_demo_replay"]

DEMO_INSTITUTIONS = Path(__file__).resolve().parents[1] / "data" / "institutions"

DEMO_AS_OF = date(2026, 11, 28)
PLATFORM = "platform.altinn.no"
JSON = "application/json; charset=utf-8"
_NS = uuid.UUID("6f1c3e2a-0d7b-4c55-9a51-1f0de2a0b7aa")
_ADJ = ("ROLIG", "MODIG", "KJAPP", "VARSOM", "FLITTIG", "RAUS", "SPORTY", "UREDD", "GAVMILD", "NØYSOM", "LUN", "BLID")
_NOUN = ("FYRTÅRN", "MOLTE", "LEFSE", "HAVØRN", "KOMPASS", "BRUNOST", "TINDEVEGG", "VAFFEL", "ELG", "MYRULL")
_ER_ROLES = {"DAGL": "daglig-leder", "LEDE": "styreleder", "NEST": "nestleder", "MEDL": "styremedlem"}
DIALOG_RESOURCES = {"skd-migratedcorrespondence-2772-140313": (23, 4), "brg-migratedcorrespondence-3770-1": (3, 1)}


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(_NS, "|".join(str(p) for p in parts)))


def _fake_jwt(claims: dict[str, Any]) -> str:
    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{b64({'alg': 'RS256', 'kid': 'demo'})}.{b64(claims)}.c2lnbmF0dXJlLWludmFsaWQ"


class _People:
    """Synthetic people, stable per key: a name, a birth date and an identity number that is checksum-valid."""

    def __init__(self, seed: str) -> None:
        self._rng = random.Random(seed)
        self._by_key: dict[str, dict[str, str]] = {}

    def get(self, key: str) -> dict[str, str]:
        if key not in self._by_key:
            while True:
                born = date(1950, 1, 1) + timedelta(days=self._rng.randrange(18000))
                base = f"{born.day:02d}{born.month + 80:02d}{born.year % 100:02d}{self._rng.randrange(500, 750):03d}"
                digits = national_id_check_digits(base)
                if digits is not None:
                    break
            first, last = self._rng.choice(_ADJ), self._rng.choice(_NOUN)
            self._by_key[key] = {
                "fornavn": first.title(),
                "etternavn": last.title(),
                "name": f"{first} {last}",
                "born": born.isoformat(),
                "fnr": base + f"{digits[0]}{digits[1]}",
            }
        return self._by_key[key]


class _Index:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: list[dict[str, Any]] = []

    def add(
        self,
        path: str,
        body: Any,
        file: str,
        *,
        host: str = PLATFORM,
        query: dict[str, str] | None = None,
        method: str = "GET",
        content_type: str = JSON,
    ) -> None:
        target = self.folder / file
        target.parent.mkdir(parents=True, exist_ok=True)
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        target.write_text(text, encoding="utf-8")
        self.entries.append(
            {
                "method": method,
                "host": host,
                "path": path,
                "query": query or {},
                "headers": {},
                "status": 200,
                "content_type": content_type,
                "body_file": file,
            }
        )

    def write(self) -> None:
        lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in self.entries)
        (self.folder / "index.json").write_text(f"[\n{lines}\n]\n", encoding="utf-8")


def _party(pid: str, name: str, kind: str, variant: str, org: str | None = None, person: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return {
        "id": pid,
        "name": name,
        "type": kind,
        "variant": variant,
        "parent": None,
        "children": None,
        "partyid": None if kind == "Systembruker" else random.Random(pid).randrange(50_000_000, 52_000_000),
        "userId": None,
        "username": None,
        "organizationIdentifier": org,
        "personIdentifier": person["fnr"] if person else None,
        "dateOfBirth": person["born"] if person else None,
        "dateOfDeath": None,
        "isDeleted": False,
        "deletedAt": None,
    }


def _role(code: str) -> dict[str, Any]:
    return {
        "id": _uuid("role", code),
        "code": code,
        "urn": f"urn:altinn:role:{code}",
        "legacyurn ": None,
        "children": None,
    }


def _connection(party: dict[str, Any], roles: Iterable[str], grants: Iterable[tuple[str, str]]) -> dict[str, Any]:
    grants = list(grants)
    return {
        "party": party,
        "roles": [_role(r) for r in roles],
        "packages": [
            {"id": _uuid("pkg", g), "urn": g, "areaId": _uuid("area", g)} for t, g in grants if t == "access_package"
        ],
        "resources": [
            {
                "id": "00000000-0000-0000-0000-000000000000",
                "providerId": "00000000-0000-0000-0000-000000000000",
                "typeId": "00000000-0000-0000-0000-000000000000",
                "name": g,
                "description": None,
                "refId": g,
                "provider": None,
                "type": None,
            }
            for t, g in grants
            if t == "resource"
        ],
        "instances": [],
        "connections": [],
    }


def _stamp(day: date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00.5+00:00"


def write_demo_replay(
    inventory_dir: str | Path, out: str | Path, *, as_of: date = DEMO_AS_OF, expired_sample: int = 5
) -> Path:
    """Write `out/index.json` and bodies answering a complete pull of the institution in `inventory_dir`."""
    inv = load_inventory(inventory_dir)
    org, out = inv.org_number, Path(out)
    people = _People(org)
    index = _Index(out)
    deleg = (
        inv.delegations.filter(pl.col("origin").is_null()) if "origin" in inv.delegations.columns else inv.delegations
    )
    vendors = {v.org_number: v.name for v in inv.profile.vendors}

    # 1–2 Enhetsregisteret
    brreg = "data.brreg.no"
    index.add(
        f"/enhetsregisteret/api/enheter/{org}",
        {
            "organisasjonsnummer": org,
            "navn": inv.profile.name.upper(),
            "organisasjonsform": {"kode": inv.profile.org_form, "beskrivelse": inv.profile.org_form},
            "naeringskode1": {"kode": "64.190", "beskrivelse": "Bankvirksomhet ellers"},
            "konkurs": False,
            "underAvvikling": False,
        },
        "brreg/enhet.json",
        host=brreg,
        content_type="application/vnd.brreg.enhetsregisteret.enhet.v2+json;charset=UTF-8",
    )
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in deleg.filter((pl.col("source") == "er") & (pl.col("platform") == "altinn2")).iter_rows(named=True):
        entry: dict[str, Any]
        if row["holder_type"] == "organisation":
            entry = {"enhet": {"organisasjonsnummer": row["holder_id"], "navn": "REVISJON AS", "erSlettet": False}}
        else:
            p = people.get(row["holder_id"])
            entry = {
                "person": {
                    "fodselsdato": p["born"],
                    "navn": {"fornavn": p["fornavn"], "etternavn": p["etternavn"]},
                    "erDoed": False,
                }
            }
        groups[row["grant"]].append(
            {"type": {"kode": row["grant"], "beskrivelse": row["grant"]}, **entry, "avregistrert": False}
        )
    index.add(
        f"/enhetsregisteret/api/enheter/{org}/roller",
        {"rollegrupper": [{"type": {"kode": code}, "roller": roles} for code, roles in groups.items()]},
        "brreg/roller.json",
        host=brreg,
        content_type="application/vnd.brreg.enhetsregisteret.rolle.v1+json;charset=UTF-8",
    )

    # 3–4 tokens
    pulling = _uuid(org, "pulling-system-user")
    system_id = f"{org}_altinn-arbeidsbenk"
    mp = _fake_jwt(
        {
            "authorization_details": [
                {
                    "type": "urn:altinn:systemuser",
                    "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": f"0192:{org}"},
                    "systemuser_id": [pulling],
                    "system_id": system_id,
                }
            ],
            "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{org}"},
        }
    )
    index.add(
        "/token",
        {"access_token": mp, "token_type": "Bearer", "expires_in": 120, "scope": "demo"},
        "maskinporten/token.json",
        host="maskinporten.no",
        method="POST",
        content_type="application/json",
    )
    index.add(
        "/authentication/api/v1/exchange/maskinporten",
        _fake_jwt({"iss": "https://platform.altinn.no/authentication/api/v1/openid/", "demo": True}),
        "authentication/exchange.txt",
        content_type="text/plain; charset=utf-8",
    )

    # 5 authorized parties
    party = _uuid(org, "party")
    am = "/accessmanagement/api/v1/enduser"
    index.add(
        f"{am}/authorizedparties",
        {
            "links": {"next": None},
            "data": [
                {
                    "partyUuid": party,
                    "name": inv.profile.name.upper(),
                    "organizationNumber": org,
                    "parentId": None,
                    "personId": None,
                    "dateOfBirth": None,
                    "partyId": 51000000,
                    "emailId": None,
                    "type": "Organization",
                    "unitType": inv.profile.org_form,
                    "isDeleted": False,
                    "onlyHierarchyElementWithNoAccess": False,
                    "authorizedAccessPackages": [
                        "tilgangsstyrer",
                        "maskinporten-administrator",
                        "ordinaer-post-til-virksomheten",
                    ],
                    "authorizedResources": [],
                    "authorizedRoles": [],
                    "authorizedInstances": [],
                    "subunits": [],
                }
            ],
        },
        "accessmanagement/authorizedparties.json",
        query={"includeAccessPackages": "true"},
    )

    # 6 connections: the reported Altinn 3 rows, as Access Management would list them
    integ = inv.integrations
    su_names = {
        str(n).split()[0]: (str(n), op)
        for n, op in integ.filter((pl.col("kind") == "system_user") & (pl.col("platform") == "altinn3"))
        .select("name", "operated_by")
        .iter_rows()
    }
    a3 = deleg.filter(pl.col("platform") == "altinn3")
    by_holder: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
    for row in a3.iter_rows(named=True):
        by_holder[(row["holder_type"], row["holder_id"], row["source"])].append((row["grant_type"], row["grant"]))
    connections: list[dict[str, Any]] = []
    vendor_conns: dict[str, dict[str, Any]] = {}
    own_system_users: list[tuple[str, str, str]] = [(system_id, pulling, "Altinn-arbeidsbenk")]

    def vendor_connection(number: str) -> dict[str, Any]:
        if number not in vendor_conns:
            conn = _connection(
                _party(
                    _uuid(org, "org", number),
                    vendors.get(number, "LEVERANDØR AS").upper(),
                    "Organisasjon",
                    "AS",
                    number,
                ),
                ["rettighetshaver"],
                [],
            )
            vendor_conns[number] = conn
            connections.append(conn)
        return vendor_conns[number]

    for (kind, holder, source), grants in by_holder.items():
        if kind == "person":
            p = people.get(f"a3:{holder}")
            conn = _connection(
                _party(_uuid(org, "person", holder), p["name"], "Person", "Person", person=p),
                ["rettighetshaver"],
                grants,
            )
        elif kind == "organisation":
            conn = _connection(
                _party(
                    _uuid(org, "org", holder),
                    vendors.get(holder, "ORGANISASJON AS").upper(),
                    "Organisasjon",
                    "AS",
                    holder,
                ),
                ["rettighetshaver"],
                grants,
            )
            if holder in vendor_conns:
                vendor_conns[holder]["packages"] += conn["packages"]
                continue
            vendor_conns[holder] = conn
        else:
            name, operator = su_names.get(holder, (holder, "self"))
            variant = "AgentSystem" if source == "client_delegation" else "StandardSystem"
            conn = _connection(
                _party(_uuid(org, "su", holder), name, "Systembruker", variant),
                ["agent" if source == "client_delegation" else "rettighetshaver"],
                grants,
            )
            if source == "client_delegation":
                vendor_connection(operator if operator != "self" else next(iter(vendors), org))["connections"].append(
                    conn
                )
                continue
            if operator == "self":
                own_system_users.append((f"{org}_{holder.lower()}", conn["party"]["id"], name))
        connections.append(conn)
    dagl = people.get("er:DAGL")
    connections.append(
        _connection(
            _party(_uuid(org, "dagl"), dagl["name"], "Person", "Person", person=dagl),
            ["daglig-leder"],
            [
                ("access_package", "urn:altinn:accesspackage:hovedadministrator"),
                ("access_package", "urn:altinn:accesspackage:tilgangsstyrer"),
            ],
        )
    )
    connections.append(
        _connection(
            _party(pulling, "Altinn-arbeidsbenk", "Systembruker", "StandardSystem"),
            ["rettighetshaver"],
            [("access_package", "urn:altinn:accesspackage:tilgangsstyrer")],
        )
    )
    index.add(
        f"{am}/connections",
        {"links": {"next": None}, "data": connections},
        "accessmanagement/connections.json",
        query={"party": party, "from": party, "includeAccessPackages": "true", "includeResources": "true"},
    )
    suppliers = [
        _connection(_party(_uuid(org, "org", v), name.upper(), "Organisasjon", "AS", v), ["supplier"], [])
        for v, name in vendors.items()
    ]
    index.add(
        f"{am}/maskinportensuppliers", suppliers, "accessmanagement/maskinportensuppliers.json", query={"party": party}
    )

    # 8–9 the institution's own systems and their system users
    auth = "/authentication/api/v1"
    index.add(
        f"{auth}/systemregister/vendor",
        [
            {
                "systemId": sid,
                "systemVendorOrgNumber": org,
                "systemVendorOrgName": inv.profile.name.upper(),
                "name": {"nb": title},
                "rights": [],
                "accessPackages": [],
                "isVisible": False,
            }
            for sid, _, title in own_system_users
        ],
        "authentication/systemregister_vendor.json",
    )
    for sid, uid, title in sorted(own_system_users):
        index.add(
            f"{auth}/systemuser/vendor/byquery",
            {
                "id": uid,
                "integrationTitle": title,
                "systemId": sid,
                "productName": "",
                "reporteeOrgNo": org,
                "created": "2026-05-25T09:00:00Z",
                "isDeleted": False,
                "supplierName": "",
                "supplierOrgno": org,
                "externalRef": org,
                "userType": "standard",
            },
            f"authentication/systemuser.{uuid.uuid5(_NS, sid)}.json",
            query={"system-id": sid, "orgno": org},
        )

    # 10–11 consents: every current row in full, the expired history sampled
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
            rid = _uuid(org, "consent", n)
            person = people.get(f"consent:{n}")
            created = _stamp(row["valid_from"], 9)
            status = status_of[row["status"]]
            consented = _stamp(row["valid_from"], 10) if status != "Created" else None
            evs: list[dict[str, Any]] = [
                {
                    "consentEventID": _uuid(rid, "c"),
                    "created": created,
                    "performedBy": f"urn:altinn:organization:identifier-no:{org}",
                    "eventType": "Created",
                    "consentRequestID": rid,
                }
            ]
            if status != "Created":
                evs.append(
                    {
                        "consentEventID": _uuid(rid, "s"),
                        "created": consented,
                        "performedBy": f"urn:altinn:person:identifier-no:{person['fnr']}",
                        "eventType": status,
                        "consentRequestID": rid,
                    }
                )
            index.add(
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
        token = base64.b64encode(uuid.UUID(_uuid(org, "page", number)).bytes).decode()
        nxt = (
            f"https://{PLATFORM}{events_path}?continuationToken={quote(token, safe='')}"
            if number + 1 < len(pages)
            else None
        )
        query = {} if number == 0 else {"continuationToken": prev}
        index.add(
            events_path,
            {"links": {"next": nxt}, "data": page},
            f"accessmanagement/consent_events/page{number + 1:02d}.json",
            query=query,
        )
        prev = token

    # 12 Dialogporten: letters per resource, some unopened, 20 per page
    for resource, (count, unopened) in DIALOG_RESOURCES.items():
        items = []
        for i in range(count):
            day = as_of - timedelta(days=2 + 3 * i)
            opened = i >= unopened
            items.append(
                {
                    "id": _uuid(org, resource, i),
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
            index.add(
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
    index.write()
    return out


def pull_demo(org: str, workdir: str | Path, *, catalogue: Any = None) -> Any:
    """Copy a demo institution to `workdir/institutions/`, record its Altinn 3 state to `workdir/replay/`, and pull
    from that recording into the copy (a throw-away pseudonym key: the people are synthetic). Returns the
    `PullResult`; the pulled inventory is `workdir/institutions/<org>`."""
    import secrets
    import shutil

    from altinn_analysis.catalogue import Catalogue
    from altinn_analysis.inventory import pull_into
    from altinn_analysis.sources import Pseudonymizer

    root = Path(workdir)
    target = root / "institutions" / org
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(DEMO_INSTITUTIONS / org, target)
    write_demo_replay(DEMO_INSTITUTIONS / org, root / "replay" / org)
    return pull_into(
        org,
        root / "institutions",
        catalogue=catalogue or Catalogue.load(),
        replay_dir=root / "replay",
        pseudonymizer=Pseudonymizer(secrets.token_bytes(32)),
        as_of=DEMO_AS_OF,
    )
