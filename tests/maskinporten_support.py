"""A Maskinporten stand-in on loopback, and test keys made on the fly (never committed).

`TokenServer` is a real HTTP server on 127.0.0.1 (a random port) that does what Maskinporten does with a
JWT-bearer grant: it verifies the RS256 signature with the public key registered for the `kid` (or the trusted
business certificate in `x5c`), and the claims: `aud` = its issuer identifier, `iss` = the registered client,
`iat` within 10 s of its clock, `exp` after now and at most 120 s after `iat`, a `jti` it has not seen, scopes
the client may have. It refuses anything else with 400 `invalid_grant`, as Maskinporten does. It also serves
JSON on any other path to a caller with a token it issued (401 otherwise), so that a whole authenticated call
runs over real HTTP.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

CLIENT_ID = "0b8a3c7e-1d2f-4e5a-9b6c-7d8e9f0a1b2c"
KID = "workbench-test-key"
SCOPE = "altinn:consentrequests.read"
LEEWAY = 10  # seconds of clock skew Maskinporten allows on iat
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass
class KeySet:
    """An RSA key with a self-signed 'business certificate', a second unrelated key, and files of both."""

    key: rsa.RSAPrivateKey
    other: rsa.RSAPrivateKey
    certificate: x509.Certificate
    password: str
    pem: Path  # unencrypted PKCS#8
    encrypted_pem: Path  # PKCS#8 encrypted with `password`
    p12: Path  # PKCS#12 (key + certificate) encrypted with `password`
    other_pem: Path

    def pem_text(self) -> str:
        return self.pem.read_text()


def make_keys(folder: Path) -> KeySet:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "FIKTIV TESTBANK ASA"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "310426172"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    password = "pw-" + secrets.token_urlsafe(12)
    pkcs8 = serialization.PrivateFormat.PKCS8
    pem = folder / "key.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, pkcs8, serialization.NoEncryption()))
    encrypted = folder / "key-encrypted.pem"
    encrypted.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, pkcs8, serialization.BestAvailableEncryption(password.encode()))
    )
    p12 = folder / "business-certificate.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"test", key, certificate, None, serialization.BestAvailableEncryption(password.encode())
        )
    )
    other_pem = folder / "other.pem"
    other_pem.write_bytes(other.private_bytes(serialization.Encoding.PEM, pkcs8, serialization.NoEncryption()))
    return KeySet(key, other, certificate, password, pem, encrypted, p12, other_pem)


@dataclass
class Scripted:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class TokenServer:
    """See the module doc. Start with `with TokenServer(...) as server:`; `server.token_endpoint`, `server.issuer`."""

    def __init__(
        self,
        keys: KeySet,
        *,
        client_id: str = CLIENT_ID,
        kid: str = KID,
        scopes: frozenset[str] = frozenset({SCOPE, "altinn:systemuser.read"}),
        expires_in: int = 120,
    ) -> None:
        self.client_id = client_id
        self.public_keys = {kid: keys.key.public_key()}
        self.trusted = {keys.certificate.fingerprint(hashes.SHA256())}
        self.scopes = scopes
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.issued: dict[str, float] = {}
        self.revoked: set[str] = set()
        self.seen_jti: set[str] = set()
        self.grants: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (header, claims) of accepted grants
        self.refusals: list[str] = []
        self.token_requests = 0
        self.script: deque[Scripted] = deque()
        self.routes: dict[str, Any] = {}
        self.api_requests: list[tuple[str, str | None]] = []  # (path, authorization header)
        self.api_refuses_everyone = False  # every API call gets 401, whatever the token
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.base = f"http://{host}:{port}"
        self.issuer = f"{self.base}/"
        self.token_endpoint = f"{self.base}/token"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="token-server", daemon=True
        )

    def __enter__(self) -> TokenServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def provider_kwargs(self) -> dict[str, Any]:
        return {"token_endpoint": self.token_endpoint, "audience": self.issuer}

    # -- the grant ----------------------------------------------------------------------------------------

    def verify(self, assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Header and claims of a valid grant; raises ValueError with the reason otherwise."""
        header = jwt.get_unverified_header(assertion)
        if header.get("alg") != "RS256":
            raise ValueError("alg must be RS256")
        if "kid" in header:
            public_key = self.public_keys.get(header["kid"])
            if public_key is None:
                raise ValueError("unknown kid")
        elif "x5c" in header:
            cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
            if cert.fingerprint(hashes.SHA256()) not in self.trusted:
                raise ValueError("certificate not trusted")
            public_key = cert.public_key()  # type: ignore[assignment]
        else:
            raise ValueError("neither kid nor x5c in the header")
        try:
            claims = jwt.decode(
                assertion,
                public_key,
                algorithms=["RS256"],
                audience=self.issuer,
                issuer=self.client_id,
                leeway=LEEWAY,
                options={"require": ["aud", "iss", "iat", "exp", "jti", "scope"]},
            )
        except jwt.InvalidSignatureError:
            raise ValueError("Invalid JWT signature") from None
        except jwt.ExpiredSignatureError:
            raise ValueError("The jwt has expired") from None
        except jwt.PyJWTError as exc:
            raise ValueError(f"invalid grant: {type(exc).__name__}") from None
        now = time.time()
        if abs(claims["iat"] - now) > LEEWAY:
            raise ValueError("iat is more than 10 s off")
        if claims["exp"] - claims["iat"] > 120:
            raise ValueError("exp - iat exceeds 120 s")
        with self.lock:
            if claims["jti"] in self.seen_jti:
                raise ValueError("jti already used")
            self.seen_jti.add(claims["jti"])
        missing = set(str(claims["scope"]).split()) - self.scopes
        if missing:
            raise ValueError(f"invalid_scope {sorted(missing)}")
        return header, claims

    def revoke_all(self) -> None:
        with self.lock:
            self.revoked.update(self.issued)

    def _token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.token_requests += 1
            scripted = self.script.popleft() if self.script else None
        if scripted is not None:
            return scripted.status, scripted.headers, scripted.body
        if form.get("grant_type") != [GRANT_TYPE]:
            return _json(400, {"error": "unsupported_grant_type"})
        try:
            header, claims = self.verify(form.get("assertion", [""])[0])
        except (ValueError, KeyError, TypeError, jwt.PyJWTError) as exc:
            with self.lock:
                self.refusals.append(str(exc))
            error = "invalid_scope" if str(exc).startswith("invalid_scope") else "invalid_grant"
            return _json(400, {"error": error, "error_description": str(exc)})
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.grants.append((header, claims))
            self.issued[token] = time.time() + self.expires_in
        return _json(
            200,
            {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in, "scope": claims["scope"]},
        )

    def _api(self, path: str, authorization: str | None) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.api_requests.append((path, authorization))
            token = authorization.removeprefix("Bearer ") if authorization else ""
            valid = token in self.issued and token not in self.revoked and self.issued[token] > time.time()
            valid = valid and not self.api_refuses_everyone
        if not valid:
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, b""
        if path not in self.routes:
            return _json(404, {"title": "Not Found", "status": 404})
        return _json(200, self.routes[path])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                if self.path != "/token":
                    self._send(404, {}, b"")
                else:
                    self._send(*server._token(form))

            def do_GET(self) -> None:
                self._send(*server._api(self.path, self.headers.get("authorization")))

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
                pass

        return Handler


def _json(status: int, body: object) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def sign(key: rsa.RSAPrivateKey, claims: dict[str, Any], **header: Any) -> str:
    """A hand-made grant, to show the server refusing what the provider would never build."""
    return jwt.encode(claims, key, algorithm="RS256", headers=header or {"kid": KID})


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeySet:
    """Test keys in a temporary folder (import this fixture into a test module to use it)."""
    return make_keys(tmp_path_factory.mktemp("maskinporten-keys"))


@pytest.fixture
def token_server(keys: KeySet) -> Iterator[TokenServer]:
    with TokenServer(keys) as server:
        yield server
