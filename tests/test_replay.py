"""The replay transport: recorded answers through httpx.MockTransport, with the replay README's matching rules."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from altinn_analysis.sources import AltinnClient, AltinnNotFoundError, ReplayMissError, ReplayTransport, ReplayWriter

BASE = "https://platform.altinn.no"


@pytest.fixture
def http(replay_dir: Path) -> httpx.Client:
    return httpx.Client(transport=ReplayTransport(replay_dir), base_url=BASE)


def test_query_order_does_not_matter(http: httpx.Client) -> None:
    url = "/resourceregistry/api/v1/resource/resourcelist?includeMigratedApps=true&includeApps=true"
    response = http.get(url)
    assert response.status_code == 200
    assert {r["identifier"] for r in response.json()} >= {"kv_dsve", "ske-samtykke-sbl-inntekt"}


def test_missing_accept_language_is_served_as_bokmaal(http: httpx.Client) -> None:
    default = http.get("/accessmanagement/api/v1/meta/info/roles").json()
    english = http.get("/accessmanagement/api/v1/meta/info/roles", headers={"Accept-Language": "en"}).json()
    assert default[0]["name"] == "Daglig leder"
    assert english[0]["name"] == "Managing Director"
    regional = http.get("/accessmanagement/api/v1/meta/info/roles", headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    assert regional.json()[0]["name"] == "Daglig leder"


def test_recorded_status_and_content_type(http: httpx.Client) -> None:
    response = http.get("/accessmanagement/api/v1/meta/info/roles/packages?role=does-not-exist&variant=ASA")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Role 'does-not-exist' not found"


def test_a_request_with_no_recording_names_the_request(http: httpx.Client) -> None:
    with pytest.raises(ReplayMissError, match=r"GET https://platform.altinn.no/.*/roles/packages\?role=x&variant=AS"):
        http.get("/accessmanagement/api/v1/meta/info/roles/packages", params={"role": "x", "variant": "AS"})
    with pytest.raises(ReplayMissError, match="platform.tt02.altinn.no"):
        http.get("https://platform.tt02.altinn.no/accessmanagement/api/v1/meta/info/roles")


def test_a_miss_is_not_retried_by_the_client(replay_dir: Path) -> None:
    transport = ReplayTransport(replay_dir)
    with AltinnClient(transport=transport, sleep=lambda s: None) as client, pytest.raises(ReplayMissError):
        client.role_packages("no-such-role", "ASA")
    assert len(transport.requests) == 1


def test_client_maps_recorded_404_to_not_found(replay_dir: Path) -> None:
    with AltinnClient(transport=ReplayTransport(replay_dir)) as client, pytest.raises(AltinnNotFoundError):
        client.resource("does-not-exist")


def test_bad_replay_directories_are_clear(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="index.json missing"):
        ReplayTransport(tmp_path)
    (tmp_path / "index.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(ValueError, match="invalid JSON"):
        ReplayTransport(tmp_path)
    (tmp_path / "index.json").write_text(json.dumps([{"method": "GET", "host": "h", "path": "/"}]), encoding="utf-8")
    with pytest.raises(ValueError, match="entry 0 lacks"):
        ReplayTransport(tmp_path)


def test_body_files_cannot_escape_the_replay(tmp_path: Path) -> None:
    entry = {"method": "GET", "host": "h", "path": "/x", "status": 200, "body_file": "../secret.txt"}
    (tmp_path / "index.json").write_text(json.dumps([entry]), encoding="utf-8")
    with httpx.Client(transport=ReplayTransport(tmp_path)) as http, pytest.raises(ValueError, match="outside"):
        http.get("https://h/x")


def test_what_the_writer_records_the_transport_serves(tmp_path: Path) -> None:
    writer = ReplayWriter(tmp_path / "rec", host="platform.altinn.no")
    writer.add("/a/items", {"næring": "bank", "n": 1}, "a/items.json", query={"page": "2"})
    writer.add("/token", "plain text", "token.txt", host="maskinporten.no", method="POST", content_type="text/plain")
    writer.write_index()
    http = httpx.Client(transport=ReplayTransport(tmp_path / "rec"))
    answer = http.get("https://platform.altinn.no/a/items?page=2")
    assert answer.json() == {"næring": "bank", "n": 1}
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert (tmp_path / "rec" / "a" / "items.json").read_text(encoding="utf-8") == '{"næring":"bank","n":1}'
    assert http.post("https://maskinporten.no/token").text == "plain text"
    with pytest.raises(ReplayMissError):
        http.get("https://platform.altinn.no/a/items?page=3")
    assert len(json.loads((tmp_path / "rec" / "index.json").read_text(encoding="utf-8"))) == 2
