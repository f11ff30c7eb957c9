"""More of `pull`: the token request (one retry helper, fresh grant per attempt, no retry on 400), the 401 without
a system user, Dialogporten maintenance, paging of connections, pseudonym keys, observed vs reported findings,
and every demo institution's recorded state."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import jwt
import polars as pl
import pytest

from altinn_analysis.catalogue import Catalogue, load_dsop
from altinn_analysis.demo_replay import DEMO_AS_OF, DEMO_INSTITUTIONS, write_demo_replay
from altinn_analysis.impact import assess, observed_vs_reported
from altinn_analysis.inventory import load_inventory, pull_into, validate_inventory
from altinn_analysis.sources import PullError, ReplayTransport, load_pseudonymizer, maskinporten_for_pull
from tests.test_pull import DEMO, KEY, ORG, Faulty, _key, _pull


def _is_token(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path == "/token"


def _jti(request: httpx.Request) -> str:
    assertion = parse_qs(request.content.decode())["assertion"][0]
    return str(jwt.decode(assertion, options={"verify_signature": False})["jti"])


def test_a_refused_grant_is_not_retried(pull_workspace: Path, catalogue: Catalogue, pull_replay: Path) -> None:
    body = {"error": "invalid_grant", "error_description": "Invalid assertion. Client authentication failed."}
    transport = Faulty(ReplayTransport(pull_replay), _is_token, lambda r: httpx.Response(400, json=body), None)
    with pytest.raises(PullError) as caught:
        _pull(pull_workspace, catalogue, transport)
    assert caught.value.source == "maskinporten"
    assert "invalid_grant" in str(caught.value) and "Client authentication failed" in str(caught.value)
    assert sum(_is_token(r) for r in transport.requests) == 1
    assert not any(r.url.host == "platform.altinn.no" for r in transport.requests)


def test_each_token_attempt_carries_a_fresh_grant(
    pull_workspace: Path, catalogue: Catalogue, pull_replay: Path
) -> None:
    transport = Faulty(ReplayTransport(pull_replay), _is_token, lambda r: httpx.Response(500, text="oops"), 1)
    _pull(pull_workspace, catalogue, transport, only=["access"])
    posts = [r for r in transport.requests if _is_token(r)]
    assert len(posts) == 2 and _jti(posts[0]) != _jti(posts[1])


def test_401_without_a_system_user_names_it(pull_workspace: Path, catalogue: Catalogue, pull_replay: Path) -> None:
    transport = Faulty(
        ReplayTransport(pull_replay),
        lambda r: r.url.path.endswith("/authorizedparties"),
        lambda r: httpx.Response(401, headers={"content-type": "text/plain"}, text="Unknown user type"),
        None,
    )
    with pytest.raises(PullError, match=r"Unknown user type.*system user for 316537200") as caught:
        _pull(pull_workspace, catalogue, transport)
    assert caught.value.source == "access"
    # One fresh exchange after the first 401, then the error: no blind retries.
    assert sum(r.url.path.endswith("/authorizedparties") for r in transport.requests) == 2


def test_dialogporten_maintenance_is_waited_out(pull_workspace: Path, catalogue: Catalogue, pull_replay: Path) -> None:
    # An HTTP date a minute ahead (the sleeps are recorded, not slept): far enough that a loaded machine still
    # reaches the request before it, under the 120 s the client waits out at most.
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    transport = Faulty(
        ReplayTransport(pull_replay),
        lambda r: "/dialogporten/" in r.url.path and "skd-" in str(r.url),
        lambda r: httpx.Response(503, headers={"content-type": "text/plain", "Retry-After": when}, text="Maintenance"),
        1,
    )
    sleeps: list[float] = []
    _pull(pull_workspace, catalogue, transport, sleeps=sleeps)
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 60
    record = json.loads((pull_workspace / ORG / "pull.json").read_text())
    assert record["dialogs"][0]["dialogs"] == 23


def test_connections_over_two_pages_give_the_same_rows(tmp_path: Path, catalogue: Catalogue, pull_replay: Path) -> None:
    paged = tmp_path / "paged"
    shutil.copytree(pull_replay, paged)
    index = json.loads((paged / "index.json").read_text())
    entry = next(e for e in index if e["path"].endswith("/enduser/connections"))
    body = json.loads((paged / entry["body_file"]).read_text())
    half = len(body["data"]) // 2
    token = "eyJQYWdlTnVtYmVyIjoyLCJQYWdlU2l6ZSI6MTh9"  # base64 of a PagingInput, as the server would build it
    first = {
        "links": {"next": f"https://platform.altinn.no{entry['path']}?continuationToken={token}"},
        "data": body["data"][:half],
    }
    second = {"links": {"next": None}, "data": body["data"][half:]}
    (paged / entry["body_file"]).write_text(json.dumps(first))
    (paged / "page2.json").write_text(json.dumps(second))
    index.append({**entry, "query": {"continuationToken": token}, "body_file": "page2.json"})
    (paged / "index.json").write_text(json.dumps(index))
    one, two = tmp_path / "one", tmp_path / "two"
    for root, source in ((one, pull_replay), (two, paged)):
        shutil.copytree(DEMO, root / ORG)
        _pull(root, catalogue, ReplayTransport(source), only=["access"])
    a = load_inventory(one / ORG, catalogue=catalogue).delegations.drop("origin")
    b = load_inventory(two / ORG, catalogue=catalogue).delegations.drop("origin")
    assert a.sort(a.columns).equals(b.sort(b.columns))


def test_the_pseudonym_key_is_made_once_outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("ALTINN_ANALYSIS_PSEUDONYM_KEY", raising=False)
    first = load_pseudonymizer()
    path = tmp_path / "config" / "altinn-analysis" / "pseudonym.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_pseudonymizer()("er-person", "x") == first("er-person", "x")
    monkeypatch.setenv("ALTINN_ANALYSIS_PSEUDONYM_KEY", str(tmp_path / "other.key"))
    assert load_pseudonymizer()("er-person", "x") != first("er-person", "x")
    assert "key" not in repr(first).replace("<key hidden>", "")
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(first)


def test_observed_facts_win_and_contradictions_are_named(
    pull_workspace: Path, catalogue: Catalogue, pull_replay: Path
) -> None:
    _pull(pull_workspace, catalogue, ReplayTransport(pull_replay))
    folder = pull_workspace / ORG
    # The inventory now claims one right Altinn does not show.
    deleg = pl.read_csv(folder / "delegations.csv", infer_schema_length=0)
    extra = deleg.head(1).with_columns(
        pl.lit("altinn3").alias("platform"),
        pl.lit("organisation").alias("holder_type"),
        pl.lit("394712302").alias("holder_id"),
        pl.lit("access_package").alias("grant_type"),
        pl.lit("urn:altinn:accesspackage:skattegrunnlag").alias("grant"),
        pl.lit("delegated").alias("source"),
        pl.lit(None, dtype=pl.String).alias("origin"),
    )
    pl.concat([deleg, extra]).write_csv(folder / "delegations.csv")
    inventory = load_inventory(folder, catalogue=catalogue)
    table = observed_vs_reported(inventory)
    wrong = table.filter(~pl.col("agrees") & (pl.col("table") == "delegations"))
    assert wrong.select("what", "reported", "observed").rows() == [
        ("organisation 394712302 access_package urn:altinn:accesspackage:skattegrunnlag (delegated)", 1, 0)
    ]
    findings = assess(catalogue, load_dsop(), inventory, DEMO_AS_OF, language="en")
    named = findings.filter(pl.col("rule_id") == "observed.contradiction")
    assert named.height == 1 and "394712302" in named["subject"][0] and named["certainty"][0] == "observed"
    letters = findings.filter(pl.col("rule_id") == "observed.unopened_letters")
    assert sorted(letters["holders"]) == [1, 4] and set(letters["certainty"]) == {"observed"}
    assert findings.filter(pl.col("certainty") == "observed").height >= 3


def test_without_a_pull_findings_do_not_change(catalogue: Catalogue) -> None:
    from altinn_analysis.impact._observed import apply_observed

    inventory = load_inventory(DEMO, catalogue=catalogue)
    findings = assess(catalogue, load_dsop(), inventory, DEMO_AS_OF)
    assert apply_observed(findings, inventory).equals(findings)
    assert "observed" not in set(findings["certainty"])


@pytest.mark.parametrize("org", sorted(p.name for p in DEMO_INSTITUTIONS.iterdir() if p.is_dir()))
def test_every_demo_institution_pulls_its_reported_state(org: str, tmp_path: Path, catalogue: Catalogue) -> None:
    shutil.copytree(DEMO_INSTITUTIONS / org, tmp_path / org)
    write_demo_replay(DEMO_INSTITUTIONS / org, tmp_path / "replay" / org)
    transport = ReplayTransport(tmp_path / "replay" / org)
    mp = maskinporten_for_pull(org, "prod", transport=transport, replay=True)
    pull_into(
        org, tmp_path, catalogue=catalogue, transport=transport, maskinporten=mp, pseudonymizer=KEY, as_of=DEMO_AS_OF
    )
    inventory = load_inventory(tmp_path / org, catalogue=catalogue)
    observed = inventory.delegations.filter(pl.col("origin").is_not_null())
    reported = inventory.delegations.filter(pl.col("origin").is_null())
    assert _key(observed) == _key(reported)
    assert Counter(observed.filter(pl.col("source") == "er")["grant"]) == Counter(
        reported.filter((pl.col("source") == "er") & (pl.col("platform") == "altinn2"))["grant"]
    )
    assert not [p for p in validate_inventory(tmp_path / org, catalogue=catalogue) if p.is_error]


def test_an_identity_number_in_an_answer_is_never_written(
    pull_workspace: Path, catalogue: Catalogue, pull_replay: Path, tmp_path: Path
) -> None:
    from altinn_analysis.inventory import national_id_check_digits

    base = "150970123"
    k1, k2 = national_id_check_digits(base) or (0, 0)
    fnr = f"{base}{k1}{k2}"
    bad = tmp_path / "bad"
    shutil.copytree(pull_replay, bad)
    index = json.loads((bad / "index.json").read_text())
    entry = next(e for e in index if e["path"].endswith("/enduser/connections"))
    body = json.loads((bad / entry["body_file"]).read_text())
    system_user = next(c for c in body["data"] if c["party"]["type"] == "Systembruker")
    system_user["party"]["name"] = f"SU-x {fnr}"  # a careless integration title
    (bad / entry["body_file"]).write_text(json.dumps(body))
    before = {p.name: p.read_bytes() for p in (pull_workspace / ORG).iterdir()}
    with pytest.raises(ValueError, match="national_identity_number") as caught:
        _pull(pull_workspace, catalogue, ReplayTransport(bad))
    assert fnr not in str(caught.value)
    assert {p.name: p.read_bytes() for p in (pull_workspace / ORG).iterdir()} == before


def test_credentials_come_from_the_environment(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from altinn_analysis.sources import MaskinportenConfigError

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "client.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    environ = {"MASKINPORTEN_CLIENT_ID": "client-1", "MASKINPORTEN_KEY_PATH": str(pem), "MASKINPORTEN_KID": "k1"}
    provider = maskinporten_for_pull(ORG, "tt02", transport=None, replay=False, environ=environ, env_file=None)
    assert provider.environment == "test" and provider.client_id == "client-1"
    assert provider.authorization_details == [
        {"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": f"0192:{ORG}"}}
    ]
    assert "altinn:consentrequests.read" in provider.scope.split() and "digdir:dialogporten" in provider.scope.split()
    assert "BEGIN" not in repr(provider)
    with pytest.raises(MaskinportenConfigError, match="MASKINPORTEN_CLIENT_ID is not set"):
        maskinporten_for_pull(ORG, "prod", transport=None, replay=False, environ={}, env_file=None)
