"""The synthetic values in a demo replay: stable ids, fake tokens, fictional people and timestamps.

People get fictional two-word names, birth dates and checksum-valid synthetic identity numbers (month + 80, as test
registries write them), so that tests can prove none of it reaches any output. Tokens are JWTs with no valid
signature.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from datetime import date, timedelta
from typing import Any

from altinn_analysis.inventory import national_id_check_digits

__all__ = ["NS", "People", "fake_jwt", "stable_uuid", "stamp"]

NS = uuid.UUID("6f1c3e2a-0d7b-4c55-9a51-1f0de2a0b7aa")
_ADJ = ("ROLIG", "MODIG", "KJAPP", "VARSOM", "FLITTIG", "RAUS", "SPORTY", "UREDD", "GAVMILD", "NØYSOM", "LUN", "BLID")
_NOUN = ("FYRTÅRN", "MOLTE", "LEFSE", "HAVØRN", "KOMPASS", "BRUNOST", "TINDEVEGG", "VAFFEL", "ELG", "MYRULL")


def stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(NS, "|".join(str(p) for p in parts)))


def fake_jwt(claims: dict[str, Any]) -> str:
    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{b64({'alg': 'RS256', 'kid': 'demo'})}.{b64(claims)}.c2lnbmF0dXJlLWludmFsaWQ"


class People:
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


def stamp(day: date, hour: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00.5+00:00"
