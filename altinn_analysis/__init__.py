"""Altinn 3 transition workbench for DSOP finance institutions.

The public API is small on purpose; heavy modules (polars, httpx) load on first use so that the command line
starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis._lazy import lazy_exports
from altinn_analysis._version import __version__

if TYPE_CHECKING:
    from altinn_analysis.catalogue import Catalogue, refresh

__all__ = ["Catalogue", "__version__", "refresh"]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
