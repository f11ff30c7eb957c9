"""Maskinporten token provider against a real token endpoint on loopback that verifies every grant."""

from __future__ import annotations

import json
import logging
import pickle
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from maskinporten_support import (
    CLIENT_ID,
    KID,
    SCOPE,
    KeySet,
    Scripted,
    TokenServer,
    closed_port,
    keys,
    sign,
    token_server,
)

from altinn_analysis.sources import (
    ENV_VARS,
    MASKINPORTEN_ENVIRONMENTS,
    AltinnUnavailableError,
    MaskinportenConfigError,
    MaskinportenKey,
    MaskinportenTokenError,
    MaskinportenTokenProvider,
    MaskinportenUnavailableError,
    RetryPolicy,
    install_log_redaction,
    load_maskinporten_key,
    read_env_file,
    redact_secrets,
)

__all__ = ["keys", "token_server"]  # fixtures from maskinporten_support


def provider_for(
    server: TokenServer, key: MaskinportenKey, *, kid: str | None = KID, **kw: object
) -> MaskinportenTokenProvider:
    return MaskinportenTokenProvider(CLIENT_ID, key, SCOPE, kid=kid, **server.provider_kwargs(), **kw)  # type: ignore[arg-type]


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


# -- the grant -----------------------------------------------------------------------------------------------


def test_environments_match_digdir_docs() -> None:
    prod, test = MASKINPORTEN_ENVIRONMENTS["prod"], MASKINPORTEN_ENVIRONMENTS["test"]
    assert (prod.token_endpoint, prod.audience) == ("https://maskinporten.no/token", "https://maskinporten.no/")
    assert (test.token_endpoint, test.audience) == (
        "https://test.maskinporten.no/token",
        "https://test.maskinporten.no/",
    )


def test_pem_key_with_kid_gets_a_verified_token(keys: KeySet, token_server: TokenServer) -> None:
    with provider_for(token_server, load_maskinporten_key(keys.pem)) as provider:
        token = provider.token()
    assert token in token_server.issued
    header, claims = token_server.grants[-1]
    assert header == {"alg": "RS256", "typ": "JWT", "kid": KID}
    assert claims["aud"] == token_server.issuer and claims["iss"] == CLIENT_ID and claims["scope"] == SCOPE
    assert 0 < claims["exp"] - claims["iat"] <= 120
    assert uuid.UUID(claims["jti"])
    assert not {"resource", "consumer_org", "authorization_details"} & set(claims)


def test_pkcs12_business_certificate_goes_in_x5c(keys: KeySet, token_server: TokenServer) -> None:
    key = load_maskinporten_key(keys.p12, keys.password)
    assert len(key.certificates) == 1
    with provider_for(token_server, key, kid=None) as provider:
        provider.token()
    header, _ = token_server.grants[-1]
    assert "kid" not in header and len(header["x5c"]) == 1


def test_encrypted_pem_with_its_password(keys: KeySet, token_server: TokenServer) -> None:
    with provider_for(token_server, load_maskinporten_key(keys.encrypted_pem, keys.password)) as provider:
        assert provider.token()


def test_optional_claims_are_sent(keys: KeySet, token_server: TokenServer) -> None:
    details = [{"type": "urn:altinn:consent", "id": str(uuid.uuid4())}]
    with provider_for(
        token_server,
        load_maskinporten_key(keys.pem),
        resource=["https://tt02.altinn.no/"],
        consumer_org="310426172",
        authorization_details=details,
    ) as provider:
        provider.token()
    _, claims = token_server.grants[-1]
    assert claims["resource"] == ["https://tt02.altinn.no/"]
    assert claims["consumer_org"] == "310426172"
    assert claims["authorization_details"] == details


@pytest.mark.scenario("mp-wrong-key")
def test_wrong_key_is_refused_with_a_clear_error(keys: KeySet, token_server: TokenServer) -> None:
    provider = provider_for(token_server, load_maskinporten_key(keys.other_pem))
    with provider, pytest.raises(MaskinportenTokenError) as err:
        provider.token()
    message = str(err.value)
    assert message.startswith(token_server.token_endpoint)
    assert "invalid_grant" in message and "signature" in message
    assert err.value.status == 400 and err.value.error == "invalid_grant"
    assert token_server.refusals == ["Invalid JWT signature"]


@pytest.mark.scenario("mp-wrong-key")
def test_unknown_kid_and_untrusted_certificate_are_refused(keys: KeySet, token_server: TokenServer) -> None:
    provider = provider_for(token_server, load_maskinporten_key(keys.pem), kid="not-registered")
    with provider, pytest.raises(MaskinportenTokenError, match="unknown kid"):
        provider.token()
    stranger = MaskinportenKey(keys.other, source="stranger")
    with pytest.raises(MaskinportenConfigError, match="no certificate next to the key; set MASKINPORTEN_KID"):
        provider_for(token_server, stranger, kid=None)


@pytest.mark.scenario("mp-expired-assertion")
def test_expired_assertion_is_refused(keys: KeySet, token_server: TokenServer) -> None:
    stale = lambda: time.time() - 600  # noqa: E731 - a wall clock ten minutes behind
    provider = provider_for(token_server, load_maskinporten_key(keys.pem), wall_clock=stale)
    with provider, pytest.raises(MaskinportenTokenError, match="invalid_grant: The jwt has expired"):
        provider.token()


@pytest.mark.scenario("mp-expired-assertion")
def test_server_refuses_grants_the_provider_would_never_build(keys: KeySet, token_server: TokenServer) -> None:
    now = int(time.time())
    base = {"aud": token_server.issuer, "iss": CLIENT_ID, "scope": SCOPE, "iat": now, "exp": now + 100}
    cases = {
        "too long": ({**base, "exp": now + 300, "jti": "a"}, "exp - iat exceeds 120 s"),
        "wrong aud": ({**base, "aud": "https://maskinporten.no/", "jti": "b"}, "InvalidAudienceError"),
        "no jti": (base, "MissingRequiredClaimError"),
        "future iat": ({**base, "iat": now + 60, "exp": now + 100, "jti": "c"}, "ImmatureSignatureError"),
        "bad scope": ({**base, "scope": "skatt:secret", "jti": "d"}, "invalid_scope"),
    }
    for name, (claims, reason) in cases.items():
        form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": sign(keys.key, claims)}
        response = httpx.post(token_server.token_endpoint, data=form)
        assert response.status_code == 400, name
        assert reason in response.json()["error_description"], name
    replay = sign(keys.key, {**base, "jti": "e"})
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": replay}
    assert httpx.post(token_server.token_endpoint, data=form).status_code == 200
    assert httpx.post(token_server.token_endpoint, data=form).json()["error_description"] == "jti already used"


def test_assertion_lifetime_is_at_most_120_seconds(keys: KeySet) -> None:
    key = load_maskinporten_key(keys.pem)
    with pytest.raises(MaskinportenConfigError, match="assertion_lifetime must be 1–120 s"):
        MaskinportenTokenProvider(CLIENT_ID, key, SCOPE, kid=KID, assertion_lifetime=121)


# -- caching and renewal ---------------------------------------------------------------------------------------


@pytest.mark.scenario("mp-token-cached")
def test_one_token_request_for_many_calls_and_threads(keys: KeySet, token_server: TokenServer) -> None:
    with provider_for(token_server, load_maskinporten_key(keys.pem)) as provider:
        tokens: list[str] = []
        lock = threading.Lock()

        def work() -> None:
            for _ in range(25):
                token = provider.token()
                with lock:
                    tokens.append(token)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(tokens) == 200 and len(set(tokens)) == 1
    assert token_server.token_requests == 1 and provider.requests == 1


@pytest.mark.scenario("mp-token-refresh")
def test_token_renewed_shortly_before_it_expires(keys: KeySet, token_server: TokenServer) -> None:
    clock = FakeClock()
    with provider_for(token_server, load_maskinporten_key(keys.pem), clock=clock, refresh_margin=30) as provider:
        first = provider.token()
        clock.now += 89  # 120 s token, renewed 30 s early: still good at 89 s
        assert provider.token() == first
        clock.now += 2
        second = provider.token()
    assert second != first
    assert token_server.token_requests == 2


@pytest.mark.scenario("mp-token-refresh")
def test_short_lived_token_is_renewed_halfway(keys: KeySet) -> None:
    with TokenServer(keys, expires_in=20) as server:
        clock = FakeClock()
        with provider_for(server, load_maskinporten_key(keys.pem), clock=clock, refresh_margin=30) as provider:
            first = provider.token()
            clock.now += 9
            assert provider.token() == first
            clock.now += 2
            assert provider.token() != first


@pytest.mark.scenario("mp-api-401")
def test_401_renews_the_token_once(keys: KeySet, token_server: TokenServer) -> None:
    token_server.routes["/api/thing"] = {"ok": True}
    with (
        provider_for(token_server, load_maskinporten_key(keys.pem)) as provider,
        httpx.Client(base_url=token_server.base, auth=provider.auth()) as http,
    ):
        assert http.get("/api/thing").json() == {"ok": True}
        token_server.revoke_all()  # the API no longer accepts the cached token
        assert http.get("/api/thing").json() == {"ok": True}
        assert token_server.token_requests == 2
        assert len(token_server.api_requests) == 3  # ok, 401, ok after renewal

        # A 401 that persists is returned after one renewal, not retried forever.
        token_server.api_refuses_everyone = True
        before = len(token_server.api_requests)
        response = http.get("/api/thing")
    assert response.status_code == 401
    assert len(token_server.api_requests) - before == 2
    assert token_server.token_requests == 3


@pytest.mark.scenario("mp-token-other-host")
def test_token_is_only_sent_to_allowed_hosts(keys: KeySet, token_server: TokenServer) -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200))
    with (
        provider_for(token_server, load_maskinporten_key(keys.pem)) as provider,
        httpx.Client(transport=transport, auth=provider.auth(allowed_hosts=["platform.altinn.no"])) as http,
    ):
        http.get("https://platform.altinn.no/x")
        with pytest.raises(MaskinportenConfigError, match="refusing to send a Maskinporten token to evil.example"):
            http.get("https://evil.example/x")
    assert [r.url.host for r in seen] == ["platform.altinn.no"]


# -- token endpoint faults -----------------------------------------------------------------------------------


@pytest.mark.scenario("mp-token-endpoint-retry")
def test_5xx_and_429_are_retried_with_a_fresh_grant(keys: KeySet, token_server: TokenServer) -> None:
    token_server.script.extend([Scripted(503), Scripted(429, {"Retry-After": "2"})])
    sleeps: list[float] = []
    with provider_for(token_server, load_maskinporten_key(keys.pem), sleep=sleeps.append) as provider:
        assert provider.token()
    assert token_server.token_requests == 3 and len(sleeps) == 2 and sleeps[1] == 2.0
    assert len(token_server.grants) == 1 and provider.requests == 3


@pytest.mark.scenario("mp-token-endpoint-retry")
def test_5xx_until_the_end_gives_a_clear_error(keys: KeySet, token_server: TokenServer) -> None:
    token_server.script.extend([Scripted(502)] * 3)
    provider = provider_for(token_server, load_maskinporten_key(keys.pem), sleep=lambda s: None)
    with provider, pytest.raises(MaskinportenUnavailableError) as err:
        provider.token()
    assert isinstance(err.value, AltinnUnavailableError)  # callers handle it like any unreachable API
    assert str(err.value) == f"{token_server.token_endpoint}: HTTP 502 Bad Gateway; gave up after 3 attempts"


@pytest.mark.scenario("mp-token-endpoint-unreachable")
def test_unreachable_token_endpoint(keys: KeySet) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}/token"
    provider = MaskinportenTokenProvider(
        CLIENT_ID,
        load_maskinporten_key(keys.pem),
        SCOPE,
        kid=KID,
        token_endpoint=endpoint,
        retry=RetryPolicy(attempts=2),
        sleep=lambda s: None,
    )
    with provider, pytest.raises(MaskinportenUnavailableError, match=f"^{endpoint}: could not connect .*2 attempts"):
        provider.token()


@pytest.mark.scenario("mp-token-endpoint-unreachable")
def test_token_endpoint_timeout(keys: KeySet) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    provider = MaskinportenTokenProvider(
        CLIENT_ID,
        load_maskinporten_key(keys.pem),
        SCOPE,
        kid=KID,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=2),
        sleep=lambda s: None,
    )
    with provider, pytest.raises(MaskinportenUnavailableError, match="test.maskinporten.no/token: timed out"):
        provider.token()


@pytest.mark.scenario("mp-token-response-malformed")
@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(200, headers={"content-type": "text/html"}, text="<html>"), "expected JSON, got content type"),
        (
            httpx.Response(200, headers={"content-type": "application/json"}, content=b'{"access_token": "abc123SECR'),
            r"malformed or truncated JSON \(28 bytes\)",
        ),
        (httpx.Response(200, json={"token_type": "Bearer"}), "no access_token"),
        (httpx.Response(200, json={"access_token": "x", "expires_in": "soon"}), "no positive expires_in"),
    ],
)
def test_malformed_token_responses(keys: KeySet, response: httpx.Response, reason: str) -> None:
    provider = MaskinportenTokenProvider(
        CLIENT_ID, load_maskinporten_key(keys.pem), SCOPE, kid=KID, transport=httpx.MockTransport(lambda r: response)
    )
    with provider, pytest.raises(MaskinportenTokenError, match=reason) as err:
        provider.token()
    assert "SECR" not in str(err.value)


@pytest.mark.scenario("mp-token-endpoint-redirect")
def test_token_endpoint_redirect_is_not_followed(keys: KeySet) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(307, headers={"location": "https://evil.example/token"})

    provider = MaskinportenTokenProvider(
        CLIENT_ID, load_maskinporten_key(keys.pem), SCOPE, kid=KID, transport=httpx.MockTransport(handler)
    )
    with provider, pytest.raises(MaskinportenTokenError, match="redirect .* to https://evil.example/token"):
        provider.token()
    assert [r.url.host for r in seen] == ["test.maskinporten.no"]


# -- keys and configuration --------------------------------------------------------------------------------


@pytest.mark.scenario("mp-bad-key-file")
def test_key_file_problems_are_clear_and_never_show_the_password(keys: KeySet, tmp_path: Path) -> None:
    with pytest.raises(MaskinportenConfigError, match="key-encrypted.pem: .*set MASKINPORTEN_KEY_PASSWORD"):
        load_maskinporten_key(keys.encrypted_pem)
    wrong = "wrong-" + keys.password
    for path in (keys.encrypted_pem, keys.p12):
        with pytest.raises(MaskinportenConfigError, match="password is wrong") as err:
            load_maskinporten_key(path, wrong)
        assert wrong not in str(err.value) and keys.password not in str(err.value)
    with pytest.raises(MaskinportenConfigError, match="cannot read the Maskinporten key"):
        load_maskinporten_key(tmp_path / "missing.pem")
    garbage = tmp_path / "garbage.p12"
    garbage.write_bytes(b"\x00not pkcs12")
    with pytest.raises(MaskinportenConfigError, match="garbage.p12: not a readable PKCS#12"):
        load_maskinporten_key(garbage, "x")


@pytest.mark.scenario("mp-bad-key-file")
def test_non_rsa_key_and_mismatched_certificate_are_refused(keys: KeySet, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_pem = tmp_path / "ec.pem"
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_pem.write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(MaskinportenConfigError, match="expected an RSA private key"):
        load_maskinporten_key(ec_pem)
    with pytest.raises(MaskinportenConfigError, match="certificate does not belong to the private key"):
        MaskinportenKey(keys.other, [keys.certificate], source="mixed")


@pytest.mark.scenario("mp-missing-config")
def test_from_env_reads_variables_and_dotenv(keys: KeySet, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# Maskinporten for the test environment\n"
        f"export MASKINPORTEN_CLIENT_ID={CLIENT_ID}\n"
        f"MASKINPORTEN_KEY_PATH='{keys.p12}'\n"
        f'MASKINPORTEN_KEY_PASSWORD="{keys.password}"\n'
        "MASKINPORTEN_ENV=tt02  # Altinn's test platform uses Maskinporten test\n"
    )
    provider = MaskinportenTokenProvider.from_env(SCOPE, environ={}, env_file=dotenv)
    assert provider.environment == "test" and provider.kid is None and provider.client_id == CLIENT_ID
    assert provider.token_endpoint == "https://test.maskinporten.no/token"

    # The process environment wins over the file.
    environ = {"MASKINPORTEN_ENV": "prod", "MASKINPORTEN_KID": KID, "MASKINPORTEN_SCOPE": "a:b c:d"}
    provider = MaskinportenTokenProvider.from_env(environ=environ, env_file=dotenv)
    assert (provider.environment, provider.kid, provider.scope) == ("prod", KID, "a:b c:d")
    assert provider.audience == "https://maskinporten.no/"
    assert capsys.readouterr() == ("", "")


@pytest.mark.scenario("mp-missing-config")
def test_from_env_names_what_is_missing(keys: KeySet, tmp_path: Path) -> None:
    with pytest.raises(MaskinportenConfigError, match="MASKINPORTEN_CLIENT_ID is not set"):
        MaskinportenTokenProvider.from_env(SCOPE, environ={}, env_file=tmp_path / "none")
    environ = {"MASKINPORTEN_CLIENT_ID": CLIENT_ID, "MASKINPORTEN_KEY_PATH": str(keys.pem), "MASKINPORTEN_KID": KID}
    with pytest.raises(MaskinportenConfigError, match="MASKINPORTEN_SCOPE is not set"):
        MaskinportenTokenProvider.from_env(environ=environ, env_file=None)
    with pytest.raises(MaskinportenConfigError, match="MASKINPORTEN_ENV must be prod or test"):
        MaskinportenTokenProvider.from_env(SCOPE, environ={**environ, "MASKINPORTEN_ENV": "dev"}, env_file=None)
    bad = tmp_path / ".env"
    bad.write_text(f"MASKINPORTEN_KEY_PASSWORD={keys.password}\nthis line has {keys.password} but no equals sign\n")
    with pytest.raises(MaskinportenConfigError, match=r"\.env:2: expected NAME=value") as err:
        read_env_file(bad)
    assert keys.password not in str(err.value)
    assert set(ENV_VARS) >= {"MASKINPORTEN_CLIENT_ID", "MASKINPORTEN_KEY_PATH", "MASKINPORTEN_KEY_PASSWORD"}


# -- nothing leaks ------------------------------------------------------------------------------------------


@pytest.mark.scenario("mp-no-secrets-in-repr")
def test_repr_and_pickle_never_show_the_key_password_or_token(keys: KeySet, token_server: TokenServer) -> None:
    key = load_maskinporten_key(keys.p12, keys.password)
    provider = provider_for(token_server, key)
    token = provider.token()
    auth = provider.auth()
    pem_body = keys.pem_text().splitlines()[1]
    modulus = str(keys.key.private_numbers().d)[:20]
    for text in (repr(provider), repr(key), repr(auth), str(vars(provider).get("_cached"))):
        assert token not in text and keys.password not in text
        assert pem_body not in text and modulus not in text
    assert "token_cached=yes" in repr(provider)
    for obj in (provider, key):
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(obj)
    provider.close()


@pytest.mark.scenario("mp-no-secrets-in-logs")
def test_logs_never_show_tokens_assertions_passwords_or_keys(
    keys: KeySet, token_server: TokenServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore at their most talkative too
    token_server.routes["/api/thing"] = {"ok": True}
    token_server.script.append(Scripted(503))
    key = load_maskinporten_key(keys.p12, keys.password)
    with (
        provider_for(token_server, key, sleep=lambda s: None) as provider,
        httpx.Client(base_url=token_server.base, auth=provider.auth()) as http,
    ):
        http.get("/api/thing")
        token_server.revoke_all()
        http.get("/api/thing")
        token = provider.token()
        assertion = provider.assertion()
        log = logging.getLogger("altinn_analysis.sources.maskinporten")
        log.warning("debugging: Authorization: Bearer %s", token)
        log.warning("token response %s", json.dumps({"access_token": token, "expires_in": 120}))
        log.warning("grant %s; form assertion=%s&grant_type=x", assertion, assertion)
        log.error("key file content:\n%s", keys.pem_text())
        log.error("password was %s", keys.password)
        try:
            raise RuntimeError(f"failed with token {token}")
        except RuntimeError:
            logging.getLogger("altinn_analysis.sources").exception("with a traceback")
        logging.getLogger("httpx").debug("header Authorization: Bearer %s", token)
    text = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for secret in (token, assertion, keys.password, keys.pem_text().splitlines()[1]):
        assert secret not in text
    assert "[redacted]" in text
    assert "HTTP Request: GET" in text  # httpx still logs the requests themselves
    assert "retry 1/2" in text


def test_redaction_filter_on_other_loggers(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction(["altinn_analysis.report.runner"])
    caplog.set_level(logging.INFO)
    jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"
    logging.getLogger("altinn_analysis.report.runner").info(
        "token %s for urn:altinn:person:identifier-no:01019012345", jwt_like
    )
    assert jwt_like not in caplog.text and "01019012345" not in caplog.text
    assert redact_secrets("Bearer abc.def") == "Bearer [redacted]"
    assert redact_secrets("nothing to hide here") == "nothing to hide here"
