"""Reading a small JSON record that the workbench wrote itself (e.g. `pull.json`): a regular file only, never
through a link, under a size limit. A record that is missing, unreadable or not a JSON object is None: it is
provenance to show when present, never a reason to refuse the folder it is in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from altinn_analysis.sources._read_common import FileReadError, read_file

__all__ = ["read_json_record"]


def read_json_record(path: Path, max_bytes: int) -> dict[str, Any] | None:
    try:
        record = json.loads(read_file(path, max_bytes).decode("utf-8"))
    except (OSError, ValueError, FileReadError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    return record if isinstance(record, dict) else None
