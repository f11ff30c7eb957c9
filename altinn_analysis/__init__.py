"""Altinn 3 transition workbench for DSOP finance institutions.

The public API is small on purpose; heavy modules (polars, httpx) load on first use so that the command line
starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from altinn_analysis._version import __version__

if TYPE_CHECKING:
    from altinn_analysis.catalogue import Catalogue, refresh

__all__ = ["Catalogue", "__version__", "refresh"]

_LAZY = {"Catalogue": "altinn_analysis.catalogue", "refresh": "altinn_analysis.catalogue"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'altinn_analysis' has no attribute {name!r}")
