"""The runner's message session and papermill's cell record, each against jupyter_client's and papermill's own: the
same messages (dates as datetimes with the same instant, offset and text), the same durations."""

from __future__ import annotations

import itertools
import warnings
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import zmq
from hypothesis import given
from hypothesis import strategies as st
from jupyter_client.session import Session
from nbformat.v4 import new_code_cell, new_notebook
from papermill.engines import NotebookExecutionManager

from altinn_analysis.report._kernel import WarmExecutionManager
from altinn_analysis.report._session import RunnerSession, extract_dates

KEY = b"0123456789abcdef"
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # how nbclient writes a header date into a cell's timing metadata


def wire(session: Session, date: Any, parent_date: Any = None, content: Any = None) -> list[bytes]:
    msg = session.msg("stream", content or {"name": "stdout", "text": "2026-11-28T12:00:00Z is not a date here\n"})
    msg["header"]["date"] = date
    msg["parent_header"] = {"msg_id": "p1", "date": parent_date, "nested": [{"when": "2026-01-02T03:04:05+0100"}]}
    parts: list[bytes] = session.serialize(msg)[1:]  # without the delimiter
    return parts


DATES = [
    datetime(2026, 11, 28, 12, 0, 1, 123456, tzinfo=UTC),
    datetime(2026, 11, 28, 12, 0, 1, tzinfo=UTC),  # no fraction: written without one
    "2026-11-28T12:00:01.12Z",
    "2026-11-28T12:00:01.123456+01:00",
    "2026-11-28T12:00:01.123456-0530",
    "2026-11-28T12:00:01",  # no time zone: jupyter_client's path (local time, a warning)
    "2026-11-28",  # not the pattern: stays a string
    "not a date",
    None,
]


@pytest.mark.parametrize("date", DATES, ids=str)
@pytest.mark.parametrize("copy", [True, False])
def test_messages_are_what_jupyter_clients_session_gives(date: Any, copy: bool) -> None:
    ours, stock = RunnerSession(key=KEY), Session(key=KEY)
    parts = wire(stock, date, parent_date=date)
    frames: list[Any] = parts if copy else [zmq.Frame(p) for p in parts]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the naive date's warning, on both sides
        got = ours.deserialize(list(frames), copy=copy)
        expected = stock.deserialize(list(parts))
    assert got == expected
    for key in ("header", "parent_header"):
        value, reference = got[key]["date"], expected[key]["date"]
        assert type(value) is type(reference)
        if isinstance(value, datetime):
            assert value.utcoffset() == reference.utcoffset()
            assert value.strftime(STAMP) == reference.strftime(STAMP)
    assert got["parent_header"]["nested"][0]["when"] == datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=1))
    )
    assert isinstance(got["content"]["text"], str)  # content is never date-parsed


def test_a_tampered_or_replayed_message_is_refused_alike() -> None:
    ours, stock = RunnerSession(key=KEY), Session(key=KEY)
    parts = wire(stock, DATES[0])
    ours.deserialize(list(parts))
    with pytest.raises(ValueError, match="Duplicate Signature"):
        ours.deserialize(list(parts))
    tampered = [parts[0], parts[1].replace(b"stream", b"STREAM"), *parts[2:]]
    with pytest.raises(ValueError, match="Invalid Signature"):
        RunnerSession(key=KEY).deserialize(tampered)
    with pytest.raises(ValueError, match="Unsigned"):
        RunnerSession(key=KEY).deserialize([b"", *parts[1:]])


def test_extract_dates_leaves_the_input_alone() -> None:
    header = {"date": "2026-11-28T12:00:01.5Z", "list": ["2026-11-28T12:00:01Z", 3]}
    out = extract_dates(header)
    assert header["date"] == "2026-11-28T12:00:01.5Z"
    assert out["list"] == [datetime(2026, 11, 28, 12, 0, 1, tzinfo=UTC), 3]


ISO_LIKE = st.from_regex(r"\A[0-9-]{4,5}-?[0-9]{2}-[0-9]{2}(T[0-9:]{8}(\.[0-9]{1,7})?)?(Z|[+-][0-9:]{4,5})?\Z")


@given(st.lists(st.one_of(st.text(max_size=40), ISO_LIKE), max_size=6))
def test_extract_dates_finds_what_jupyter_clients_finds(texts: list[str]) -> None:
    """The same strings taken as dates (and the same values) as jupyter_client's, the header's ids passed over."""
    from jupyter_client.jsonutil import extract_dates as stock

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a date without a time zone warns, in both
        theirs, ours = stock({"values": texts}), extract_dates({"values": texts})
    assert [type(v) for v in ours["values"]] == [type(v) for v in theirs["values"]]
    assert ours == theirs


def test_a_cells_duration_is_papermills() -> None:
    """The same record as papermill's for the same clock (steps of odd microseconds, a whole second among them)."""
    steps = [1, 999_999, 10, 250_001, 7, 1_000_000, 3]
    records = []
    for manager in (NotebookExecutionManager, WarmExecutionManager):
        ticks = itertools.count()
        nb = new_notebook(cells=[new_code_cell("1"), new_code_cell("2"), new_code_cell("3")])
        nb.metadata["papermill"] = {}
        man = manager(nb, progress_bar=False)
        man.now = lambda ticks=ticks: START + timedelta(microseconds=sum(steps[: next(ticks) % len(steps)]) * 3)
        man.notebook_start()
        for i, cell in enumerate(nb.cells):
            man.cell_start(cell, i)
            man.cell_complete(cell, i)
        records.append([dict(c.metadata.papermill) for c in nb.cells])
    assert records[0] == records[1]
    assert all(r["status"] == "completed" and isinstance(r["duration"], float) for r in records[1])
