"""Maskinporten configuration: the environments (token endpoint and audience), the `MASKINPORTEN_*` variables, the
`.env` file reader and the configuration error. Nothing here logs or puts into a message a configured value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ENV_VARS",
    "MASKINPORTEN_ENVIRONMENTS",
    "MaskinportenConfigError",
    "MaskinportenEnvironment",
    "maskinporten_environment",
    "read_env_file",
]


class MaskinportenConfigError(ValueError):
    """Configuration is missing or unusable: names the variable or file, never a value."""


# The environment variables `from_env` reads (the process environment wins over the `.env` file).
ENV_VARS: Mapping[str, str] = {
    "MASKINPORTEN_CLIENT_ID": "the client id of the Maskinporten integration (the grant's `iss`)",
    "MASKINPORTEN_KEY_PATH": "PEM private key, or PKCS#12 business certificate (.p12/.pfx)",
    "MASKINPORTEN_KEY_PASSWORD": "password of the PKCS#12 file or of an encrypted PEM key (optional)",
    "MASKINPORTEN_KID": "key id registered with the client (optional: without it the certificate goes in x5c)",
    "MASKINPORTEN_ENV": "prod or test (default test; tt02 and ver2 mean test)",
    "MASKINPORTEN_SCOPE": "space-separated scopes, when the caller names none (optional)",
}


@dataclass(frozen=True)
class MaskinportenEnvironment:
    """Where to ask for tokens, and the `aud` the grant must carry (Maskinporten's issuer identifier)."""

    name: str
    token_endpoint: str
    audience: str


# From Digdir's protocol docs: the `aud` is the issuer identifier with its trailing slash; the token endpoint
# URL is no longer accepted as audience.
MASKINPORTEN_ENVIRONMENTS: Mapping[str, MaskinportenEnvironment] = {
    "prod": MaskinportenEnvironment("prod", "https://maskinporten.no/token", "https://maskinporten.no/"),
    "test": MaskinportenEnvironment("test", "https://test.maskinporten.no/token", "https://test.maskinporten.no/"),
}
_ENV_ALIASES = {"prod": "prod", "production": "prod", "test": "test", "tt02": "test", "ver2": "test"}


def read_env_file(path: str | Path) -> dict[str, str]:
    """`KEY=value` lines of a `.env` file (`export`, comments and quotes allowed); {} when there is none.

    The file's content is never logged; a malformed line is reported by line number only.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise MaskinportenConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise MaskinportenConfigError(f"{path}:{number}: expected NAME=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[name] = value
    return values


def maskinporten_environment(name: str) -> MaskinportenEnvironment:
    key = _ENV_ALIASES.get(name.strip().lower())
    if key is None:
        raise MaskinportenConfigError(f"MASKINPORTEN_ENV must be prod or test, not {name.strip()[:20]!r}")
    return MASKINPORTEN_ENVIRONMENTS[key]
