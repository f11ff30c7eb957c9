"""The runner's end of the kernel messages: jupyter_client's `Session`, with the header dates read by
`datetime.fromisoformat` instead of dateutil.

Every message a report kernel sends (~70 a report) has two dates (its header's and its parent's), which
`Session.deserialize` turns into datetimes with dateutil's ISO parser (~0.1 ms each, ~10% of the runner's CPU). For
every string its pattern accepts with a time zone, `datetime.fromisoformat` gives the same instant and the same
offset (nbclient writes them back with `strftime` into the cells' timing metadata: the same text). A date without
a time zone, or one `fromisoformat` refuses, takes jupyter_client's own path (the local time zone, its warning).
"""

from __future__ import annotations

import typing as t
from datetime import datetime
from hmac import compare_digest

from jupyter_client.adapter import adapt
from jupyter_client.jsonutil import ISO8601_PAT, parse_date
from jupyter_client.session import Session

__all__ = ["RunnerSession", "extract_dates"]


def _date(text: str) -> datetime | str | None:
    # every string the pattern accepts has its first '-' at index 4 and 19 characters at least: the ids, names
    # and types of a header are passed over without the regular expression
    if len(text) < 19 or text[4] != "-" or ISO8601_PAT.match(text) is None:
        return text
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return parse_date(text)
    return value if value.tzinfo is not None else parse_date(text)


def extract_dates(obj: t.Any) -> t.Any:
    """`jupyter_client.jsonutil.extract_dates`: every ISO 8601 string in `obj` (nested) as a datetime, in a copy."""
    # a header's values are strings: read in place, not through a call each
    if isinstance(obj, dict):
        return {k: _date(v) if type(v) is str else extract_dates(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_date(o) if type(o) is str else extract_dates(o) for o in obj]
    if isinstance(obj, str):
        return _date(obj)
    return obj


class RunnerSession(Session):
    """`Session` with `deserialize` as jupyter_client's (checks, unpacking, version adaptation), dates parsed by
    `extract_dates` above."""

    def deserialize(self, msg_list: list[t.Any], content: bool = True, copy: bool = True) -> dict[str, t.Any]:
        minlen = 5
        message: dict[str, t.Any] = {}
        if not copy:
            # pyzmq did not copy the first parts of the message: copy them here
            msg_list = [bytes(msg.bytes) for msg in msg_list[:minlen]] + list(msg_list[minlen:])
        if self.auth is not None:
            signature = msg_list[0]
            if not signature:
                raise ValueError("Unsigned Message")
            if signature in self.digest_history:
                raise ValueError(f"Duplicate Signature: {signature!r}")
            if content:
                self._add_digest(signature)  # only when unpacking content, not when just peeking
            check = self.sign(msg_list[1:5])
            if not compare_digest(signature, check):
                raise ValueError(f"Invalid Signature: {signature!r}")
        if not len(msg_list) >= minlen:
            raise TypeError(f"malformed message, must have at least {minlen} elements")
        header = self.unpack(msg_list[1])
        message["header"] = extract_dates(header)
        message["msg_id"] = header["msg_id"]
        message["msg_type"] = header["msg_type"]
        message["parent_header"] = extract_dates(self.unpack(msg_list[2]))
        message["metadata"] = self.unpack(msg_list[3])
        message["content"] = self.unpack(msg_list[4]) if content else msg_list[4]
        buffers = [memoryview(b) for b in msg_list[5:]]
        if buffers and buffers[0].shape is None:
            # force a copy (pyzmq #646)
            buffers = [memoryview(bytes(b.bytes)) for b in msg_list[5:]]
        message["buffers"] = buffers
        return adapt(message)
