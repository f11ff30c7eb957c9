"""`Lookups.mapped` reads the service map and the resources once per run and answers each service from them: the
same answer as `Catalogue.resources_for_service` (a query per service), also where the tables hold what a refreshed
snapshot may: a resource listed twice, a mapping without `is_test`, a test resource, a missing identifier."""

from __future__ import annotations

import polars as pl
import pytest

from altinn_analysis.catalogue import Catalogue, DsopCatalogue
from altinn_analysis.impact import Lookups
from altinn_analysis.impact._context import Mapped


def _reference(catalogue: Catalogue, code: str, edition: str | None) -> Mapped:
    """`Mapped` made from the query, as the lookups made it before."""
    frame = catalogue.resources_for_service(code, edition)
    types = frame["resource_type"].to_list()
    identifiers = frame["identifier"].to_list()
    return Mapped(
        rows=frame.height,
        identifiers=tuple(sorted(set(identifiers))),
        types=frozenset(t for t in types if t is not None),
        certainties=tuple(sorted(frame["certainty"].to_list())),
        consent_identifiers=tuple(sorted({i for i, t in zip(identifiers, types, strict=True) if t == "Consent"})),
    )


def _awkward(catalogue: Catalogue) -> Catalogue:
    tables = {name: catalogue.table(name) for name in catalogue}
    mapping, resources = tables["altinn2_service_map"], tables["resources"]
    first = mapping.row(0, named=True)
    extra = pl.DataFrame(
        [
            {**first, "is_test": None, "certainty": "inferred"},  # no is_test: left out, as the query leaves it
            {**first, "is_test": True, "certainty": "unknown"},
            {**first, "identifier": None, "certainty": "inferred"},
            {**first, "service_edition_code": None, "certainty": "inferred"},
            {**first, "identifier": "not-a-resource", "certainty": "unknown"},
        ],
        schema=mapping.schema,
    )
    tables["altinn2_service_map"] = pl.concat([mapping, extra])
    twice = resources.filter(pl.col("identifier") == first["identifier"]).with_columns(
        pl.lit("Consent").alias("resource_type")
    )
    nameless = resources.head(1).with_columns(pl.lit(None, pl.String).alias("identifier"))
    tables["resources"] = pl.concat([resources, twice, nameless])
    return Catalogue(tables, catalogue.manifest, catalogue.directory)


@pytest.mark.parametrize("awkward", [False, True], ids=["embedded", "awkward"])
def test_mapped_is_what_the_query_gives(embedded: Catalogue, dsop: DsopCatalogue, awkward: bool) -> None:
    catalogue = _awkward(embedded) if awkward else embedded
    lookups = Lookups(catalogue, dsop)
    mapping = catalogue.altinn2_service_map
    codes = [*sorted({c for c in mapping["service_code"].to_list() if c}), "9999"]
    editions = sorted({e for e in mapping["service_edition_code"].to_list() if e})
    asked = 0
    for code in codes:
        for edition in [None, *editions, "0"]:
            got = lookups.mapped(code, edition)
            want = _reference(catalogue, code, edition)
            # The certainties' order is the join's; only which ones (and how many) count (`weakest`).
            assert (got.rows, got.identifiers, got.types, tuple(sorted(got.certainties)), got.consent_identifiers) == (
                want.rows,
                want.identifiers,
                want.types,
                want.certainties,
                want.consent_identifiers,
            ), (code, edition)
            asked += got.rows > 0
    assert asked >= len(codes) - 1, "most questions found a mapping"
