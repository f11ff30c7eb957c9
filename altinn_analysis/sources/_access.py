"""Access Management, end-user API, with an Altinn token: the institution's party, who it has given access to
(connections) and the organisations it has delegated Maskinporten scopes to.

A person's name, identity number and birth date are in these answers: parsing keeps only a keyed pseudonym of
the person's party id. Organisations keep their number, system users their name (an integration title).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from altinn_analysis.sources._client import AltinnClient, AltinnNotFoundError, AltinnResponseError

__all__ = [
    "AM_ENDUSER",
    "AuthorizedParty",
    "Grantee",
    "fetch_authorized_party",
    "fetch_connections",
    "fetch_maskinporten_suppliers",
    "parse_authorized_party",
    "parse_connections",
]

AM_ENDUSER = "/accessmanagement/api/v1/enduser"
_KINDS = {"Person": "person", "Organisasjon": "organisation", "Systembruker": "system_user"}


@dataclass(frozen=True)
class AuthorizedParty:
    party_uuid: str
    unit_type: str
    access_packages: tuple[str, ...]


@dataclass(frozen=True)
class Grantee:
    """One connection: a holder (never a person's name) and what the institution has given it."""

    party_id: str  # the party uuid; for a person already a pseudonym
    kind: str  # person | organisation | system_user
    variant: str  # an org form, Person, StandardSystem or AgentSystem
    holder: str  # pseudonym (person), organisation number, or the system user's name
    roles: tuple[str, ...]
    packages: tuple[str, ...]
    resources: tuple[str, ...]
    agents: tuple[Grantee, ...] = ()  # connections nested under a vendor (client delegation)


def parse_authorized_party(data: list[Any], org: str, url: str) -> AuthorizedParty:
    for party in data:
        if isinstance(party, Mapping) and party.get("organizationNumber") == org:
            uuid = party.get("partyUuid")
            if not isinstance(uuid, str):
                raise AltinnResponseError(url, f"the party of {org} has no partyUuid")
            packages = tuple(str(p) for p in party.get("authorizedAccessPackages") or ())
            return AuthorizedParty(uuid, str(party.get("unitType") or ""), packages)
    raise AltinnResponseError(
        url, f"the system user has no access on behalf of {org} (not among its authorized parties)"
    )


def _grantee(item: Mapping[str, Any], pseudonym: Callable[[str, str], str], url: str) -> Grantee:
    party = item.get("party")
    if not isinstance(party, Mapping) or not isinstance(party.get("id"), str):
        raise AltinnResponseError(url, "a connection has no party id")
    kind = _KINDS.get(str(party.get("type")))
    if kind is None:
        raise AltinnResponseError(url, f"unknown party type {str(party.get('type'))[:30]!r}")
    party_id = party["id"]
    if kind == "person":
        party_id = pseudonym("am-party", party_id)
        holder = party_id
    elif kind == "organisation":
        holder = str(party.get("organizationIdentifier") or "")
    else:
        holder = str(party.get("name") or "")
    return Grantee(
        party_id=party_id,
        kind=kind,
        variant=str(party.get("variant") or ""),
        holder=holder,
        roles=tuple(str(r.get("code")) for r in item.get("roles") or () if isinstance(r, Mapping)),
        packages=tuple(str(p.get("urn")) for p in item.get("packages") or () if isinstance(p, Mapping)),
        resources=tuple(str(r.get("refId")) for r in item.get("resources") or () if isinstance(r, Mapping)),
        agents=tuple(_grantee(c, pseudonym, url) for c in item.get("connections") or () if isinstance(c, Mapping)),
    )


def parse_connections(data: list[Any], pseudonym: Callable[[str, str], str], url: str) -> list[Grantee]:
    return [_grantee(item, pseudonym, url) for item in data if isinstance(item, Mapping)]


def fetch_authorized_party(client: AltinnClient, org: str, auth: httpx.Auth) -> AuthorizedParty:
    path = f"{AM_ENDUSER}/authorizedparties"
    params = {"includeAccessPackages": "true"}
    data = [p for page in client.pages(path, params=params, auth=auth) for p in page]
    return parse_authorized_party(data, org, client.url_for(path, params))


def fetch_connections(
    client: AltinnClient, party: str, auth: httpx.Auth, pseudonym: Callable[[str, str], str]
) -> list[Grantee]:
    path = f"{AM_ENDUSER}/connections"
    params = {"party": party, "from": party, "includeAccessPackages": "true", "includeResources": "true"}
    url = client.url_for(path, params)
    return [g for page in client.pages(path, params=params, auth=auth) for g in parse_connections(page, pseudonym, url)]


def fetch_maskinporten_suppliers(client: AltinnClient, party: str, auth: httpx.Auth) -> list[str] | None:
    """Organisation numbers the institution delegates Maskinporten scopes to; None when the API is off (404)."""
    path = f"{AM_ENDUSER}/maskinportensuppliers"
    try:
        body = client.get_json(path, params={"party": party}, auth=auth)
    except AltinnNotFoundError:
        return None
    if not isinstance(body, list):
        raise AltinnResponseError(client.url_for(path, {"party": party}), "expected a JSON array")
    found = []
    for item in body:
        party_body = item.get("party") if isinstance(item, Mapping) else None
        if isinstance(party_body, Mapping) and isinstance(party_body.get("organizationIdentifier"), str):
            found.append(party_body["organizationIdentifier"])
    return sorted(set(found))
