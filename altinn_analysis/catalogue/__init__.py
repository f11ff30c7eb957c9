"""The Altinn 3 reference catalogue and the curated DSOP catalogue as typed polars tables, and `refresh`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from altinn_analysis._lazy import lazy_exports

# Exports are listed once, here, and load on first use (see altinn_analysis._lazy).
if TYPE_CHECKING:
    from altinn_analysis.catalogue._build import PACKAGE_URN_PREFIX, SCHEMAS, RawCatalogue, build_tables
    from altinn_analysis.catalogue._catalogue import TABLES, Catalogue, parse_service
    from altinn_analysis.catalogue._dsop import DsopCatalogue, load_dsop
    from altinn_analysis.catalogue._dsop_files import DsopCatalogueError
    from altinn_analysis.catalogue._dsop_schema import AREAS
    from altinn_analysis.catalogue._paths import default_dsop_dir, default_reference_dir
    from altinn_analysis.catalogue._refresh import DSOP_AGENCY_ORG_CODES, FINANCE_ORG_FORMS, fetch_raw, refresh


__all__ = [
    "AREAS",
    "DSOP_AGENCY_ORG_CODES",
    "FINANCE_ORG_FORMS",
    "PACKAGE_URN_PREFIX",
    "SCHEMAS",
    "TABLES",
    "Catalogue",
    "DsopCatalogue",
    "DsopCatalogueError",
    "RawCatalogue",
    "build_tables",
    "default_dsop_dir",
    "default_reference_dir",
    "fetch_raw",
    "load_dsop",
    "parse_service",
    "refresh",
]

__getattr__, __dir__ = lazy_exports(__name__, __file__)
