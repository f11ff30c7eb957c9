"""Enhetsregisteret (Brønnøysund's open API, no authentication): an organisation and its ER roles.

Role holders are people: only the role code, the holder type and a keyed pseudonym are kept; a name or birth
date is read, hashed and dropped while parsing. Organisation holders (an auditor) keep their number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from altinn_analysis.sources._client import AltinnAPIError, AltinnClient, AltinnNotFoundError, AltinnResponseError

__all__ = [
    "BRREG_API",
    "Enhet",
    "EnhetsregisteretNotFoundError",
    "ErRole",
    "fetch_enhet",
    "fetch_er_roles",
    "parse_enhet",
    "parse_er_roles",
]

BRREG_API = "https://data.brreg.no/enhetsregisteret/api"
ENHET_ACCEPT = "application/vnd.brreg.enhetsregisteret.enhet.v2+json;charset=UTF-8"
ROLLER_ACCEPT = "application/vnd.brreg.enhetsregisteret.rolle.v1+json;charset=UTF-8"


class EnhetsregisteretNotFoundError(AltinnNotFoundError):
    """404 or 410: the organisation is unknown to, or deleted from, Enhetsregisteret."""


@dataclass(frozen=True)
class Enhet:
    org_number: str
    name: str
    org_form: str
    industry_code: str | None
    bankrupt: bool
    under_liquidation: bool
    deleted_on: date | None


@dataclass(frozen=True)
class ErRole:
    code: str
    holder_type: str  # person | organisation
    holder_id: str  # a pseudonym for a person, the organisation number for an organisation


def parse_enhet(body: Mapping[str, Any], url: str) -> Enhet:
    form = body.get("organisasjonsform")
    org = body.get("organisasjonsnummer")
    if not isinstance(org, str) or not isinstance(form, Mapping) or not isinstance(form.get("kode"), str):
        raise AltinnResponseError(url, "expected an enhet with organisasjonsnummer and organisasjonsform.kode")
    industry = body.get("naeringskode1")
    deleted = body.get("slettedato")
    return Enhet(
        org_number=org,
        name=str(body.get("navn") or ""),
        org_form=form["kode"],
        industry_code=industry.get("kode") if isinstance(industry, Mapping) else None,
        bankrupt=bool(body.get("konkurs")),
        under_liquidation=bool(body.get("underAvvikling")),
        deleted_on=date.fromisoformat(deleted) if isinstance(deleted, str) and deleted else None,
    )


def parse_er_roles(body: Mapping[str, Any], pseudonym: Callable[[str, str], str], url: str) -> list[ErRole]:
    groups = body.get("rollegrupper")
    if not isinstance(groups, list):
        raise AltinnResponseError(url, "expected an object with a 'rollegrupper' list")
    roles: list[ErRole] = []
    for group in groups:
        for role in (group or {}).get("roller") or ():
            if not isinstance(role, Mapping) or role.get("avregistrert"):
                continue
            code = (role.get("type") or {}).get("kode")
            if not isinstance(code, str):
                raise AltinnResponseError(url, "a role has no type.kode")
            person, unit = role.get("person"), role.get("enhet")
            if isinstance(unit, Mapping) and isinstance(unit.get("organisasjonsnummer"), str):
                roles.append(ErRole(code, "organisation", unit["organisasjonsnummer"]))
            elif isinstance(person, Mapping):
                name = person.get("navn") or {}
                # Hashed here and dropped: no name or birth date leaves this function.
                basis = "|".join(
                    str(x or "") for x in (person.get("fodselsdato"), name.get("fornavn"), name.get("etternavn"))
                )
                roles.append(ErRole(code, "person", pseudonym("er-person", basis.upper())))
            else:
                raise AltinnResponseError(url, f"role {code} has neither a person nor an enhet")
    return roles


def _get(client: AltinnClient, org: str, suffix: str, accept: str) -> Any:
    url = f"{BRREG_API}/enheter/{org}{suffix}"
    try:
        body = client.get_json(url, headers={"Accept": accept})
    except AltinnAPIError as exc:
        if exc.status in (404, 410):
            what = "not found in" if exc.status == 404 else "deleted from"
            raise EnhetsregisteretNotFoundError(
                url, f"organisation {org} is {what} Enhetsregisteret (HTTP {exc.status})", status=exc.status
            ) from None
        raise
    if not isinstance(body, dict):
        raise AltinnResponseError(url, f"expected a JSON object, got {type(body).__name__}")
    return body


def fetch_enhet(client: AltinnClient, org: str) -> Enhet:
    return parse_enhet(_get(client, org, "", ENHET_ACCEPT), f"{BRREG_API}/enheter/{org}")


def fetch_er_roles(client: AltinnClient, org: str, pseudonym: Callable[[str, str], str]) -> list[ErRole]:
    return parse_er_roles(_get(client, org, "/roller", ROLLER_ACCEPT), pseudonym, f"{BRREG_API}/enheter/{org}/roller")
