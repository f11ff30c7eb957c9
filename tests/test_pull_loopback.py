"""End to end over real sockets: a loopback HTTP server (127.0.0.1) stands in for Maskinporten, the token exchange
and Access Management; `pull --only access` runs against it and writes the institution's delegations."""

from __future__ import annotations

import base64
import json
import shutil
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import polars as pl
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from altinn_analysis.catalogue import Catalogue
from altinn_analysis.inventory import load_inventory, pull_into
from altinn_analysis.sources import PULL_SCOPES, MaskinportenKey, MaskinportenTokenProvider, Pseudonymizer

ORG = "316537200"
DEMO = Path(__file__).resolve().parents[1] / "data" / "institutions" / ORG
PARTY = "0b6a3d59-8a53-4cb8-9a52-2f6e4c1d7a10"
PULLER = "5c0f2a4e-1111-4c3b-8f00-000000000001"
PERSON_NAME, PERSON_FNR = "ROLIG FYRTÅRN", "15897099834"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class StandIn:
    """Maskinporten (checks each grant: signature, audience, org, a jti never seen), the token exchange and two
    Access Management endpoints (they demand the exchanged token)."""

    def __init__(self, public_key: rsa.RSAPublicKey) -> None:
        self.public_key = public_key
        self.jtis: set[str] = set()
        self.log: list[tuple[str, str]] = []
        self.altinn_token = f"{_b64({'alg': 'none'})}.{_b64({'iss': 'altinn'})}.sig"
        self.mp_token = ""
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def token(self, form: dict[str, list[str]]) -> tuple[int, str, bytes]:
        claims = jwt.decode(
            form["assertion"][0], self.public_key, algorithms=["RS256"], audience="https://maskinporten.no/"
        )
        assert claims["jti"] not in self.jtis
        self.jtis.add(claims["jti"])
        assert claims["authorization_details"][0]["systemuser_org"]["ID"] == f"0192:{ORG}"
        assert set(claims["scope"].split()) == set(PULL_SCOPES)
        details = [{"type": "urn:altinn:systemuser", "systemuser_id": [PULLER]}]
        self.mp_token = f"{_b64({'alg': 'RS256'})}.{_b64({'authorization_details': details})}.sig"
        body = {"access_token": self.mp_token, "token_type": "Bearer", "expires_in": 120, "scope": claims["scope"]}
        return 200, "application/json", json.dumps(body).encode()

    def api(self, path: str, query: dict[str, list[str]], auth: str) -> tuple[int, str, bytes]:
        if path == "/authentication/api/v1/exchange/maskinporten":
            if auth != f"Bearer {self.mp_token}":
                return 401, "text/plain", b""
            return 200, "text/plain; charset=utf-8", self.altinn_token.encode()
        if auth != f"Bearer {self.altinn_token}":
            return 401, "text/plain", b""
        am = "/accessmanagement/api/v1/enduser"
        if path == f"{am}/authorizedparties" and query == {"includeAccessPackages": ["true"]}:
            party = {"partyUuid": PARTY, "organizationNumber": ORG, "unitType": "AS", "authorizedAccessPackages": []}
            return 200, "application/json", json.dumps({"links": {"next": None}, "data": [party]}).encode()
        if path == f"{am}/connections" and query.get("party") == [PARTY]:
            person = {
                "id": str(uuid.uuid4()),
                "name": PERSON_NAME,
                "type": "Person",
                "variant": "Person",
                "personIdentifier": PERSON_FNR,
                "dateOfBirth": "1970-09-15",
            }
            puller = {"id": PULLER, "name": "Altinn-arbeidsbenk", "type": "Systembruker", "variant": "StandardSystem"}
            skatt = {"urn": "urn:altinn:accesspackage:skattegrunnlag"}
            data = [
                {"party": person, "roles": [{"code": "rettighetshaver"}], "packages": [skatt], "resources": []},
                {"party": puller, "roles": [{"code": "rettighetshaver"}], "packages": [skatt], "resources": []},
            ]
            return 200, "application/json", json.dumps({"links": {"next": None}, "data": data}).encode()
        return 404, "application/json", b'{"status": 404}'

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers.get("content-length") or 0)).decode())
                stand_in.log.append(("POST", self.path))
                self._send(*stand_in.token(form))

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                stand_in.log.append(("GET", parts.path))
                self._send(*stand_in.api(parts.path, parse_qs(parts.query), self.headers.get("authorization", "")))

            def _send(self, status: int, ctype: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def stand_in(key: rsa.RSAPrivateKey) -> Iterator[StandIn]:
    with StandIn(key.public_key()) as server:
        yield server


def test_pull_over_loopback_sockets(stand_in: StandIn, key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    shutil.copytree(DEMO, tmp_path / ORG)
    details = [
        {"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": f"0192:{ORG}"}}
    ]
    provider = MaskinportenTokenProvider(
        "loopback-client",
        MaskinportenKey(key, source="test"),
        list(PULL_SCOPES),
        environment="prod",
        token_endpoint=f"{stand_in.url}/token",
        kid="k1",
        authorization_details=details,
    )
    catalogue = Catalogue.load()
    result = pull_into(
        ORG,
        tmp_path,
        catalogue=catalogue,
        only=["access"],
        maskinporten=provider,
        base_url=stand_in.url,
        pseudonymizer=Pseudonymizer(b"k" * 32),
    )
    provider.close()
    assert [m for m, _ in stand_in.log].count("POST") == 1
    assert [p for _, p in stand_in.log] == [
        "/token",
        "/authentication/api/v1/exchange/maskinporten",
        "/accessmanagement/api/v1/enduser/authorizedparties",
        "/accessmanagement/api/v1/enduser/connections",
        "/accessmanagement/api/v1/enduser/maskinportensuppliers",
    ]
    pulled = load_inventory(tmp_path / ORG, catalogue=catalogue).delegations.filter(pl.col("origin").is_not_null())
    # The pulling system user is left out; the person is a pseudonym; suppliers 404 is "not available".
    assert pulled.select("holder_type", "grant_type", "grant", "source").rows() == [
        ("person", "access_package", "urn:altinn:accesspackage:skattegrunnlag", "delegated")
    ]
    assert pulled["holder_id"][0].startswith("p-")
    assert result.state.notes == ("Maskinporten supplier API not available (404)",)
    text = "".join(p.read_text(errors="replace") for p in (tmp_path / ORG).iterdir() if p.is_file())
    assert PERSON_NAME not in text and PERSON_FNR not in text and "127.0.0.1" in text  # origin names the endpoint
