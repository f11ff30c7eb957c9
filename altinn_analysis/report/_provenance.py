"""Where a report's numbers come from, in plain words: what the catalogue is, when its content was recorded and
how old it is (with a warning past `STALE_DAYS`), the DSOP catalogue, the findings per certainty and the
inventory files used, with their hashes."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from altinn_analysis._version import __version__
from altinn_analysis.report._display import Html, heading, paragraph, table_html
from altinn_analysis.report._texts import label, t

if TYPE_CHECKING:
    from altinn_analysis.sources import Manifest

__all__ = ["STALE_DAYS", "catalogue_recorded", "provenance_items", "provenance_prose", "provenance_section"]

STALE_DAYS = 90  # a catalogue older than this (at the report date) gets a warning in the provenance section

_RECORDING_DATE = re.compile(r"\brecording\b.*?\b(20\d\d-\d\d(?:-\d\d)?)\b", re.IGNORECASE)


def catalogue_recorded(manifest: Manifest) -> tuple[date, str]:
    """When the catalogue's content was recorded, as (day for its age, text to show).

    A snapshot built from a recording says so in its notes ("… a constructed recording … of 2026-08 …"): the
    content is as old as the recording, not as the day `refresh` ran. A month alone counts from its first day.
    Otherwise (`recorded_at`, or a live fetch) the day it was fetched."""
    stamp = str(getattr(manifest, "recorded_at", "") or "")
    if not stamp:
        for note in getattr(manifest, "notes", None) or []:
            found = _RECORDING_DATE.search(str(note))
            if found:
                stamp = found[1]
                break
    stamp = stamp or manifest.fetched_at
    text = stamp[:10] if len(stamp) >= 10 else stamp[:7]
    day = date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    return day, text


def provenance_items(manifest: Manifest, as_of: date, services: Sequence[str], lang: str) -> list[tuple[str, str]]:
    """The provenance facts as (label, value) in the report language: for the page and the workbook."""
    recorded, shown = catalogue_recorded(manifest)
    items = [
        ("catalogue_recorded", shown),
        ("catalogue_age", str((as_of - recorded).days)),
        ("snapshot_url", manifest.base_url),
        ("as_of", as_of.isoformat()),
        ("tool_version", __version__),
        ("dsop_services", ", ".join(services)),
    ]
    description = str(getattr(manifest, "description", "") or "")
    if description:
        items.insert(0, ("catalogue_description", description))
    return [(label(k, lang), v) for k, v in items]


def provenance_prose(manifest: Manifest, as_of: date, lang: str) -> list[str]:
    """What the catalogue is, where it came from, how old it is, and a warning when it is stale."""
    recorded, shown = catalogue_recorded(manifest)
    age = (as_of - recorded).days
    source_text = "catalogue_live" if manifest.source == "live" else "catalogue_replay"
    out = [
        t("catalogue_what", lang),
        t(source_text, lang, base_url=manifest.base_url, recorded=shown, age=age),
    ]
    if age > STALE_DAYS:
        out.append(t("catalogue_old", lang, limit=STALE_DAYS))
    return out


def provenance_section(
    prose: Sequence[str],
    items: Sequence[tuple[str, str]],
    file_hashes: Mapping[str, str],
    certainties: pl.Series,
    lang: str,
) -> Html:
    """The section: the prose (a stale catalogue's warning marked as one), the facts, the findings per certainty
    and the inventory files with their sha256."""
    what, source, *warning = prose
    text = paragraph(what) + paragraph(source)
    for line in warning:
        text += Html(f'<p class="warning">{html.escape(line)}</p>')
    facts = pl.DataFrame({"item": [k for k, _ in items], "value": [v for _, v in items]})
    files = sorted(file_hashes.items())
    hashes = pl.DataFrame(
        {"file": [f for f, _ in files], "sha256": [h for _, h in files]},
        schema={"file": pl.String, "sha256": pl.String},
    )
    # Findings per certainty (a missing one first, as polars sorts): a few dozen values, counted in Python.
    counted = Counter(certainties.to_list())
    order = sorted(counted, key=lambda c: (c is not None, c or ""))
    certainty = pl.DataFrame(
        {"certainty": order, "count": [counted[c] for c in order]},
        schema={"certainty": pl.String, "count": pl.Int64},
    )
    return (
        heading(t("provenance", lang))
        + text
        + table_html(facts, lang, css="compact")
        + paragraph(t("dsop_what", lang) + " " + t("provenance_intro", lang))
        + table_html(certainty, lang, css="compact")
        + paragraph(t("inventory_what", lang))
        + table_html(hashes, lang, css="compact hashes")
    )
