"""Access Management and Authentication in a demo replay: the authorized parties, the connections (the reported
Altinn 3 delegations as Access Management lists them), the Maskinporten suppliers, and the institution's own
systems and system users."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.demo_replay._fakes import NS, People, stable_uuid

if TYPE_CHECKING:
    from altinn_analysis.inventory import Inventory
    from altinn_analysis.sources import ReplayWriter

__all__ = ["record_access", "record_system_users"]

SystemUser = tuple[str, str, str]  # (system id, system user id, title)


def _party(
    pid: str, name: str, kind: str, variant: str, org: str | None = None, person: dict[str, str] | None = None
) -> dict[str, Any]:
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


def _organisation(org: str, number: str, name: str) -> dict[str, Any]:
    """Another organisation (a vendor, an auditor) as a party of `org`'s connections."""
    return _party(stable_uuid(org, "org", number), name.upper(), "Organisasjon", "AS", number)


def _role(code: str) -> dict[str, Any]:
    return {
        "id": stable_uuid("role", code),
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
            {"id": stable_uuid("pkg", g), "urn": g, "areaId": stable_uuid("area", g)}
            for t, g in grants
            if t == "access_package"
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


def record_access(
    recording: ReplayWriter, inv: Inventory, reported: pl.DataFrame, people: People, *, pulling: str, system_id: str
) -> list[SystemUser]:
    """Record what Access Management answers about the institution; returns its own system users, the pulling one
    (`pulling`, of system `system_id`) first."""
    org = inv.org_number
    vendors = {v.org_number: v.name for v in inv.profile.vendors}

    # 5 authorized parties
    party = stable_uuid(org, "party")
    am = "/accessmanagement/api/v1/enduser"
    recording.add(
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
    a3 = reported.filter(pl.col("platform") == "altinn3")
    by_holder: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
    for row in a3.iter_rows(named=True):
        by_holder[(row["holder_type"], row["holder_id"], row["source"])].append((row["grant_type"], row["grant"]))
    connections: list[dict[str, Any]] = []
    vendor_conns: dict[str, dict[str, Any]] = {}
    own_system_users: list[tuple[str, str, str]] = [(system_id, pulling, "Altinn-arbeidsbenk")]

    def vendor_connection(number: str) -> dict[str, Any]:
        if number not in vendor_conns:
            conn = _connection(
                _organisation(org, number, vendors.get(number, "LEVERANDØR AS")), ["rettighetshaver"], []
            )
            vendor_conns[number] = conn
            connections.append(conn)
        return vendor_conns[number]

    for (kind, holder, source), grants in by_holder.items():
        if kind == "person":
            p = people.get(f"a3:{holder}")
            conn = _connection(
                _party(stable_uuid(org, "person", holder), p["name"], "Person", "Person", person=p),
                ["rettighetshaver"],
                grants,
            )
        elif kind == "organisation":
            conn = _connection(
                _organisation(org, holder, vendors.get(holder, "ORGANISASJON AS")), ["rettighetshaver"], grants
            )
            if holder in vendor_conns:
                vendor_conns[holder]["packages"] += conn["packages"]
                continue
            vendor_conns[holder] = conn
        else:
            name, operator = su_names.get(holder, (holder, "self"))
            variant = "AgentSystem" if source == "client_delegation" else "StandardSystem"
            conn = _connection(
                _party(stable_uuid(org, "su", holder), name, "Systembruker", variant),
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
            _party(stable_uuid(org, "dagl"), dagl["name"], "Person", "Person", person=dagl),
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
    recording.add(
        f"{am}/connections",
        {"links": {"next": None}, "data": connections},
        "accessmanagement/connections.json",
        query={"party": party, "from": party, "includeAccessPackages": "true", "includeResources": "true"},
    )
    suppliers = [_connection(_organisation(org, v, name), ["supplier"], []) for v, name in vendors.items()]
    recording.add(
        f"{am}/maskinportensuppliers", suppliers, "accessmanagement/maskinportensuppliers.json", query={"party": party}
    )

    return own_system_users


def record_system_users(recording: ReplayWriter, inv: Inventory, own_system_users: list[SystemUser]) -> None:
    """Record the institution's own systems (as their vendor) and one system user each."""
    org = inv.org_number
    auth = "/authentication/api/v1"
    recording.add(
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
        recording.add(
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
            f"authentication/systemuser.{uuid.uuid5(NS, sid)}.json",
            query={"system-id": sid, "orgno": org},
        )
