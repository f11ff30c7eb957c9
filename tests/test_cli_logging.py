"""Whatever logger a record comes from, the CLI's log handler redacts credentials."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from altinn_analysis.cli import _LazyRedaction, app


@pytest.mark.scenario("secrets-log-redaction-cli")
def test_cli_handler_redacts_any_logger(capsys: pytest.CaptureFixture[str]) -> None:
    record = logging.LogRecord(
        "some.other.library",
        logging.WARNING,
        __file__,
        1,
        "sending Authorization: Bearer %s to %s",
        ("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "host"),
        None,
    )
    assert _LazyRedaction().filter(record)
    message = record.getMessage()
    assert "eyJhbGciOiJSUzI1NiJ9" not in message and "host" in message


def test_the_root_handler_gets_the_filter() -> None:
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers.clear()
    try:
        CliRunner().invoke(app, ["-v", "catalogue", "summary", "-f", "json"])
        assert any(isinstance(f, _LazyRedaction) for h in root.handlers for f in h.filters)
    finally:
        root.handlers[:] = saved
