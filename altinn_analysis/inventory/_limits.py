"""The limits an inventory's files are read under. They are defined with the file readers, in `sources`; the
inventory's modules (options, generated docs) name them through here."""

from __future__ import annotations

from altinn_analysis.sources import LIMITS_HELP, Limits

__all__ = ["LIMITS_HELP", "Limits"]
