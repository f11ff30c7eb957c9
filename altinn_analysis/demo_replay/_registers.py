"""Enhetsregisteret and the token endpoints in a demo replay: the institution's entry and its ER roles (the
reported `er` rows, with synthetic people), and a Maskinporten token and its Altinn exchange (fake JWTs)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import polars as pl

from altinn_analysis.demo_replay._fakes import People, fake_jwt

if TYPE_CHECKING:
    from altinn_analysis.inventory import Inventory
    from altinn_analysis.sources import ReplayWriter

__all__ = ["record_enhetsregisteret", "record_tokens"]


def record_enhetsregisteret(recording: ReplayWriter, inv: Inventory, reported: pl.DataFrame, people: People) -> None:
    """The institution's entry and its roles, from the reported ER rows on Altinn 2."""
    org = inv.org_number
    brreg = "data.brreg.no"
    recording.add(
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
    for row in reported.filter((pl.col("source") == "er") & (pl.col("platform") == "altinn2")).iter_rows(named=True):
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
    recording.add(
        f"/enhetsregisteret/api/enheter/{org}/roller",
        {"rollegrupper": [{"type": {"kode": code}, "roller": roles} for code, roles in groups.items()]},
        "brreg/roller.json",
        host=brreg,
        content_type="application/vnd.brreg.enhetsregisteret.rolle.v1+json;charset=UTF-8",
    )


def record_tokens(recording: ReplayWriter, org: str, *, pulling: str, system_id: str) -> None:
    """A Maskinporten token for the pulling system user and the Altinn token it is exchanged for."""
    mp = fake_jwt(
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
    recording.add(
        "/token",
        {"access_token": mp, "token_type": "Bearer", "expires_in": 120, "scope": "demo"},
        "maskinporten/token.json",
        host="maskinporten.no",
        method="POST",
        content_type="application/json",
    )
    recording.add(
        "/authentication/api/v1/exchange/maskinporten",
        fake_jwt({"iss": "https://platform.altinn.no/authentication/api/v1/openid/", "demo": True}),
        "authentication/exchange.txt",
        content_type="text/plain; charset=utf-8",
    )
