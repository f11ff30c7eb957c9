"""What every report a process makes shares, made once per process: the catalogues (`load_catalogues`, reloaded
only when their files change), their lookups for `assess`, the access package names per language and the
next-deadlines table. `prepare_kernel` makes them all up front, for a warm kernel's warm-up."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import polars as pl

from altinn_analysis.catalogue import Catalogue, DsopCatalogue, default_dsop_dir, default_reference_dir, load_dsop
from altinn_analysis.impact import Lookups
from altinn_analysis.report._display import Html, paragraph, table_html
from altinn_analysis.report._params import LANGUAGES
from altinn_analysis.report._texts import t

__all__ = ["load_catalogues", "next_deadlines", "package_names", "prepare_kernel", "shared_lookups"]

_CACHE: dict[tuple[str, str], tuple[Catalogue, DsopCatalogue]] = {}
_LOOKUPS: list[tuple[Catalogue, DsopCatalogue, Lookups]] = []  # the last pair's, as long as it is in use


def _fingerprint(path: Path) -> str:
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else []
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.name.encode())
        digest.update(p.read_bytes() if p.name == "manifest.json" else str(p.stat().st_mtime_ns).encode())
    return digest.hexdigest()


def load_catalogues(reference_dir: Path | None = None, dsop_dir: Path | None = None) -> tuple[Catalogue, DsopCatalogue]:
    """Both catalogues, loaded once per process and reloaded only when their files change."""
    ref = (reference_dir or default_reference_dir()).resolve()
    dsop_path = (dsop_dir or default_dsop_dir()).resolve()
    key = (f"{ref}|{_fingerprint(ref)}", f"{dsop_path}|{_fingerprint(dsop_path)}")
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = (Catalogue.load(ref), load_dsop(dsop_path))
    return _CACHE[key]


def prepare_kernel(reference_dir: Path | None = None, as_of: date | None = None) -> None:
    """Make, once per process, everything every report of a run shares: the catalogues, their lookups for
    `assess`, the package names and the charts' catalogue rows in both languages, and (given the run's `as_of`)
    the next-deadlines table; and import what `save` uses. For a warm kernel's warm-up, so its first report
    costs what the others do. Nothing here changes a report: each is made on first use when this was not run."""
    import importlib

    from altinn_analysis.report import figures as figures

    importlib.import_module("altinn_analysis.report.actions")  # with xlsxwriter and the tracking reader
    catalogue, dsop = load_catalogues(reference_dir)
    shared_lookups(catalogue, dsop)
    figures.prepare_figures(dsop, LANGUAGES)
    for lang in LANGUAGES:
        package_names(catalogue.access_packages, lang)
        if as_of is not None:
            next_deadlines(dsop.milestones, as_of, lang)


def shared_lookups(catalogue: Catalogue, dsop: DsopCatalogue) -> Lookups:
    """The catalogues' lookups for `assess`, made once for the pair a warm kernel reports with (building them
    cost more than a small institution's assessment; they only depend on the catalogues)."""
    if not (_LOOKUPS and _LOOKUPS[0][0] is catalogue and _LOOKUPS[0][1] is dsop):
        _LOOKUPS[:] = [(catalogue, dsop, Lookups(catalogue, dsop))]
    return _LOOKUPS[0][2]


_DEADLINES: dict[tuple[int, date, str], tuple[pl.DataFrame, Html]] = {}


def next_deadlines(milestones: pl.DataFrame, as_of: date, lang: str) -> Html:
    key = (id(milestones), as_of, lang)
    kept = _DEADLINES.get(key)
    if kept is not None and kept[0] is milestones:
        return kept[1]
    m = milestones.filter((pl.col("kind") == "deadline") & (pl.col("date") >= as_of))
    if m.height == 0:
        made = paragraph(t("no_next_deadlines", lang, as_of=as_of))
    else:
        frame = m.sort("date").select(
            "date",
            pl.col("name_nb" if lang == "nb" else "name_en").alias("milestone"),
            (pl.col("date") - pl.lit(as_of)).dt.total_days().alias("days_left"),
        )
        made = table_html(frame, lang, css="compact", caption=t("next_deadlines", lang))
    if len(_DEADLINES) >= 16:  # other dates' or old catalogues' tables: let them go
        _DEADLINES.clear()
    _DEADLINES[key] = (milestones, made)
    return made


_PACKAGE_NAMES: dict[tuple[int, str], tuple[pl.DataFrame, dict[str, str]]] = {}


def package_names(packages: pl.DataFrame, lang: str) -> dict[str, str]:
    """Access package urn → name in `lang`, made once per catalogue table and language (read only)."""
    key = (id(packages), lang)
    kept = _PACKAGE_NAMES.get(key)
    if kept is not None and kept[0] is packages:
        return kept[1]
    names = {str(urn): str(n) for urn, n in packages.select("urn", f"name_{lang}").iter_rows() if n}
    if len(_PACKAGE_NAMES) >= 4:  # an old catalogue's: let it go
        _PACKAGE_NAMES.clear()
    _PACKAGE_NAMES[key] = (packages, names)
    return names
