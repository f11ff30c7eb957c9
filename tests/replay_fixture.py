"""A small recorded-response set for Altinn's metadata APIs, built in code.

Same layout as a full replay (`index.json` + bodies, see `ReplayTransport`), trimmed to a handful of packages,
roles and resources that exercise every parsing path: two languages, an area without packages, ER and Altinn 2
roles, an org-form specific role-package answer, Altinn 2 references, the two id patterns, a non-numeric
ServiceCode, a resource whose policy subjects are not indexed (404) and one not owned by a DSOP agency.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HOST = "platform.altinn.no"
AM = "/accessmanagement/api/v1/meta/info"
RR = "/resourceregistry/api/v1/resource"
VARIANTS = ("ASA", "NUF")
JSON = "application/json; charset=utf-8"

GROUPS = [("g-allment", "Allment", "General", "Organisasjon"), ("g-bransje", "Bransje", "Industry", "Organisasjon")]
AREAS = [
    ("a-skatt", "g-allment", "Skatt, avgift, regnskap og toll", "Taxes, Fees, Accounting and Customs"),
    ("a-admin", "g-allment", "Administrere tilganger", "Manage access"),
    ("a-tom", "g-bransje", "Tomt område", "Empty area"),
]
PACKAGES = [
    ("p-skatt", "a-skatt", "skattegrunnlag", "Skattegrunnlag", "Tax base"),
    ("p-regn", "a-skatt", "regnskapsforer-med-signeringsrettighet", "Regnskapsfører med signeringsrett", "Accountant"),
    ("p-klient", "a-admin", "klientadministrator", "Klientadministrator", "Client administrator"),
    ("p-tilg", "a-admin", "tilgangsstyrer", "Tilgangsstyrer", "Access manager"),
]
# (id, code, legacy code as the API gives it, provider, name nb, name en)
ROLES = [
    ("r-dagl", "daglig-leder", "dagl", "sys-ccr", "Daglig leder", "Managing Director"),
    ("r-lede", "styreleder", "lede", "sys-ccr", "Styrets leder", "Chair of the Board"),
    ("r-utinn", "utinn", None, "sys-altinn2", "Utfyller/Innsender", "Reporter/sender"),
    ("r-a0294", "a0294", None, "sys-altinn2", "Transportløyvegaranti", "Transport permit guarantee"),
    ("r-hadm", "hovedadministrator", None, "sys-altinn3", "Hovedadministrator", "Main administrator"),
]
ROLE_PACKAGES = {
    ("daglig-leder", "ASA"): ["skattegrunnlag", "klientadministrator"],
    ("daglig-leder", "NUF"): ["klientadministrator"],
    ("styreleder", "ASA"): ["skattegrunnlag"],
    ("styreleder", "NUF"): ["skattegrunnlag"],
    ("hovedadministrator", "ASA"): ["tilgangsstyrer"],
    ("hovedadministrator", "NUF"): ["tilgangsstyrer"],
}


def _ref(source: str | None, kind: str, value: str) -> dict[str, str]:
    ref = {"reference": value, "referenceType": kind}
    if source:
        ref["referenceSource"] = source
    return ref


def _resource(identifier: str, rtype: str, org: str, refs: list[dict[str, str]] | None, title: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "identifier": identifier,
        "title": {"en": title, "nb": title + " (nb)", "nn": title},
        "description": {"en": f"About {title}", "nb": f"Om {title}"},
        "status": "Completed",
        "delegable": True,
        "visible": True,
        "hasCompetentAuthority": {"name": {"nb": org.upper()}, "organization": "974761076", "orgcode": org},
        "accessListMode": "Disabled",
        "resourceType": rtype,
        "isOneTimeConsent": False,
    }
    if refs is not None:
        body["resourceReferences"] = refs
    if rtype == "Consent":
        body["consentTemplate"] = "sblanesoknad"
        body["availableForType"] = ["PrivatePerson"]
    return body


RESOURCES = [
    _resource(
        "ske-samtykke-sbl-inntekt",
        "Consent",
        "skd",
        [_ref("Altinn2", "ServiceCode", "4804"), _ref("Altinn2", "ServiceEditionCode", "210607")],
        "Income",
    ),
    _resource(
        "ske-samtykke-krav-og-betalinger",
        "Consent",
        "skd",
        [_ref("Altinn2", "ServiceCode", c) for c in ("5928", "5929")]
        + [_ref("Altinn2", "ServiceEditionCode", "202301")],
        "Claims and payments",
    ),
    _resource(
        "kv_dsve",
        "BrokerService",
        "kv",
        [_ref("Altinn2", "ServiceCode", "4752"), _ref("Altinn2", "ServiceEditionCode", "1")],
        "Digital real-estate",
    ),
    _resource(
        "skd-maskinportenschemaid-8",
        "MaskinportenSchema",
        "SKD",
        [_ref("Altinn2", "ServiceCode", "AppId:8"), _ref("Altinn2", "ServiceEditionCode", "1")],
        "Folkeregister",
    ),
    _resource(
        "skd-migrert-4628-1",
        "Consent",
        "SKD",
        [_ref("Altinn2", "ServiceCode", "4628"), _ref("Altinn2", "ServiceEditionCode", "1")],
        "Migrated 4628",
    ),
    _resource("skd-migratedcorrespondence-2772-140313", "CorrespondenceService", "skd", None, "Correspondence"),
    _resource(
        "app_skd_a2-4223-160201",
        "MigratedApp",
        "skd",
        [_ref("Altinn3", "ApplicationId", "skd/a2-4223-160201")],
        "Migrated app",
    ),
    _resource("ttd-test-resource", "GenericAccessResource", "ttd", [], "Test resource"),
]

SUBJECTS = {
    "ske-samtykke-sbl-inntekt": [("urn:altinn:rolecode", "priv"), ("urn:altinn:accesspackage", "skattegrunnlag")],
    "ske-samtykke-krav-og-betalinger": [("urn:altinn:partytype", "organization")],
    "kv_dsve": [
        ("urn:altinn:rolecode", "utinn"),
        ("urn:altinn:accesspackage", "regnskapsforer-med-signeringsrettighet"),
    ],
    "skd-maskinportenschemaid-8": [("urn:altinn:rolecode", "apiadm")],
    "skd-migratedcorrespondence-2772-140313": [("urn:altinn:rolecode", "a0236")],
    "app_skd_a2-4223-160201": [("urn:altinn:rolecode", "utinn")],
}
NOT_INDEXED = ("skd-migrert-4628-1",)


def _package(pid: str, area_id: str, code: str, name: str, lang: str) -> dict[str, Any]:
    area = next(a for a in AREAS if a[0] == area_id)
    return {
        "id": pid,
        "name": name,
        "urn": f"urn:altinn:accesspackage:{code}",
        "description": f"{name} ({lang})",
        "isDelegable": code != "klientadministrator",
        "isAssignable": True,
        "isResourcePolicyAvailable": True,
        "area": {"id": area_id, "name": area[2], "urn": None, "packages": [], "group": None},
        "type": {"id": "t", "providerId": "p", "name": "Organisasjon", "provider": None},
        "resources": None,
    }


def export_body(lang: str) -> list[dict[str, Any]]:
    def name(nb: str, en: str) -> str:
        return nb if lang == "nb" else en

    return [
        {
            "id": gid,
            "name": name(g_nb, g_en),
            "urn": None,
            "description": "Standard gruppe",
            "type": g_type,
            "areas": [
                {
                    "id": aid,
                    "name": name(a_nb, a_en),
                    "urn": f"accesspackage:area:{aid}",
                    "description": f"{name(a_nb, a_en)} …",
                    "iconUrl": f"https://altinncdn.no/{aid}.svg",
                    "packages": [
                        _package(pid, aid, code, name(p_nb, p_en), lang)
                        for pid, p_area, code, p_nb, p_en in PACKAGES
                        if p_area == aid
                    ],
                    "group": None,
                }
                for aid, a_group, a_nb, a_en in AREAS
                if a_group == gid
            ],
        }
        for gid, g_nb, g_en, g_type in GROUPS
    ]


def roles_body(lang: str) -> list[dict[str, Any]]:
    out = []
    for rid, code, legacy, provider, nb, en in ROLES:
        urn = f"urn:altinn:rolecode:{code}" if provider == "sys-altinn2" else f"urn:altinn:role:{code}"
        out.append(
            {
                "id": rid,
                "name": nb if lang == "nb" else en,
                "code": code,
                "description": (nb if lang == "nb" else en) + " …",
                "isKeyRole": provider == "sys-ccr",
                "urn": urn,
                "legacyRoleCode": legacy,
                "legacyUrn": f"urn:altinn:rolecode:{legacy}" if legacy else None,
                "isResourcePolicyAvailable": True,
                "provider": {"id": "x", "name": provider, "refId": None, "code": provider, "type": None},
            }
        )
    return out


def write_replay(directory: Path) -> Path:
    """Write the fixture replay into `directory` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    index: list[dict[str, Any]] = []

    def record(
        path: str,
        body: Any,
        *,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        status: int = 200,
        content_type: str = JSON,
        name: str,
    ) -> None:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        (directory / name).write_text(data, encoding="utf-8")
        index.append(
            {
                "method": "GET",
                "host": HOST,
                "path": path,
                "query": query or {},
                "headers": headers or {},
                "status": status,
                "content_type": content_type,
                "body_file": name,
                "note": "test fixture",
            }
        )

    for lang in ("nb", "en"):
        record(
            f"{AM}/accesspackages/export",
            export_body(lang),
            headers={"Accept-Language": lang},
            name=f"am/export.{lang}.json",
        )
        record(f"{AM}/roles", roles_body(lang), headers={"Accept-Language": lang}, name=f"am/roles.{lang}.json")
    packages = {code: (pid, area, nb) for pid, area, code, nb, _ in PACKAGES}
    for _, code, *_ in ROLES:
        for variant in VARIANTS:
            body = [
                _package(packages[c][0], packages[c][1], c, packages[c][2], "nb")
                for c in ROLE_PACKAGES.get((code, variant), [])
            ]
            record(
                f"{AM}/roles/packages",
                body,
                query={"role": code, "variant": variant},
                headers={"Accept-Language": "nb"},
                name=f"am/role-packages/{code}.{variant}.json",
            )
    record(
        f"{AM}/roles/packages",
        "Role 'does-not-exist' not found",
        query={"role": "does-not-exist", "variant": "ASA"},
        status=404,
        content_type="text/plain; charset=utf-8",
        name="am/errors/unknown_role.txt",
    )
    record(
        f"{RR}/resourcelist",
        RESOURCES,
        query={"includeApps": "true", "includeMigratedApps": "true"},
        name="rr/resourcelist.json",
    )
    for resource in RESOURCES:
        record(f"{RR}/{resource['identifier']}", resource, name=f"rr/resource/{resource['identifier']}.json")
    for identifier, subjects in SUBJECTS.items():
        body = {"links": {}, "data": [{"type": t, "value": v, "urn": f"{t}:{v}"} for t, v in subjects]}
        record(f"{RR}/{identifier}/policy/subjects", body, name=f"rr/subjects/{identifier}.json")
    problem = {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.5", "title": "Not Found", "status": 404}
    for identifier in NOT_INDEXED:
        record(f"{RR}/{identifier}/policy/subjects", problem, status=404, name=f"rr/errors/{identifier}.404.json")
    record(f"{RR}/does-not-exist", problem, status=404, name="rr/errors/unknown.404.json")
    (directory / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=0), encoding="utf-8")
    return directory
