"""`InventoryError`: an inventory that cannot be used (the located problem type itself is `checks.Problem`)."""

from __future__ import annotations

from altinn_analysis.checks import LocatedError, Problem, Severity

__all__ = ["InventoryError", "Problem", "Severity"]


class InventoryError(LocatedError):
    """An inventory that cannot be used. `problems` holds every problem found (errors and warnings)."""

    what = "invalid inventory"
