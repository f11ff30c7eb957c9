"""Where the catalogues are read from by default. Kept apart from the catalogue tables (polars) so that a plan that
only fingerprints the folders imports no polars."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ENV_DSOP_DIR", "ENV_REFERENCE_DIR", "default_dsop_dir", "default_reference_dir"]

ENV_REFERENCE_DIR = "ALTINN_ANALYSIS_REFERENCE_DIR"
ENV_DSOP_DIR = "ALTINN_ANALYSIS_DSOP_DIR"
DATA = Path(__file__).resolve().parents[2] / "data"


def default_reference_dir() -> Path:
    """`$ALTINN_ANALYSIS_REFERENCE_DIR`, else the embedded snapshot `data/reference/` of this checkout."""
    if env := os.environ.get(ENV_REFERENCE_DIR):
        return Path(env)
    return DATA / "reference"


def default_dsop_dir() -> Path:
    """`$ALTINN_ANALYSIS_DSOP_DIR`, else `data/dsop/` of this checkout (next to the embedded snapshot)."""
    if env := os.environ.get(ENV_DSOP_DIR):
        return Path(env)
    return DATA / "dsop"
