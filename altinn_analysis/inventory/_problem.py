"""`Problem` (one thing wrong with an inventory) and `InventoryError` (an inventory that cannot be used)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from altinn_analysis.inventory._identity import redact_identity_numbers

__all__ = ["InventoryError", "Problem", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem found in an inventory.

    `file` is the file name inside the inventory folder (`delegations.csv`, `profile.yaml`; a bare table name such
    as `consents` when its file is missing). `row` is the row as a user sees it in Excel or a text editor: the
    header is row 1, so the first data row is row 2 (Parquet files are numbered the same way, as if they had a
    header row); in `profile.yaml` it is the line number. `row` is None for a problem with the whole file and
    `column` is None when no single column is to blame (for `profile.yaml` it is the key, e.g.
    `vendors[0].org_number`).

    Messages never contain a national identity number: anything that looks like one is masked when the problem
    is made.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: Severity = "error"

    def __post_init__(self) -> None:
        # Defence in depth: whatever a check echoes from a cell, an identity number never reaches the output.
        object.__setattr__(self, "message", redact_identity_numbers(self.message))
        object.__setattr__(self, "file", redact_identity_numbers(self.file))
        if self.column is not None:
            object.__setattr__(self, "column", redact_identity_numbers(self.column))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        """`file:row:column`, leaving out the parts that are unknown (`consents.csv:7:valid_to`, `profile.yaml`)."""
        parts = [self.file]
        if self.row is not None or self.column is not None:
            parts.append("" if self.row is None else str(self.row))
        if self.column is not None:
            parts.append(self.column)
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class InventoryError(Exception):
    """An inventory that cannot be used. `problems` holds every problem found (errors and warnings)."""

    def __init__(self, problems: Iterable[Problem], directory: str | Path | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        self.directory = Path(directory) if directory is not None else None
        super().__init__(self._summary())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def _summary(self, limit: int = 10) -> str:
        errors = self.errors or self.problems
        where = f"{self.directory}: " if self.directory is not None else ""
        head = f"{where}invalid inventory ({len(errors)} error{'s' if len(errors) != 1 else ''})"
        lines = [head, *(f"  {p}" for p in errors[:limit])]
        if len(errors) > limit:
            lines.append(f"  … and {len(errors) - limit} more")
        return "\n".join(lines)
