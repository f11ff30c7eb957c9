"""A verdict per DSOP service the institution uses: can it run today? Derived from the findings, pure.

`VERDICT_POLICY` is read top to bottom; the first row whose condition holds for the service's open findings
decides. A finding belongs to every service in its `service_id` (`;`-separated).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import polars as pl

from altinn_analysis.impact._policy import OPEN_STATUSES

if TYPE_CHECKING:
    from altinn_analysis.catalogue import DsopCatalogue

__all__ = ["VERDICTS", "VERDICTS_SCHEMA", "VERDICT_POLICY", "open_by_service", "verdicts"]

VERDICTS: tuple[str, ...] = ("ready", "at_risk", "blocked", "unknown")
VERDICTS_SCHEMA: dict[str, pl.DataType] = {
    "service_id": pl.String(),
    "name": pl.String(),
    "verdict": pl.String(),
    "reason": pl.String(),
    "blocking_findings": pl.List(pl.String()),
}

Rows = list[dict[str, object]]

# (verdict, when, which open findings decide it, reason nb, reason en). `{n}` = how many decide it, `{subjects}`
# = which.
VERDICT_POLICY: tuple[tuple[str, str, Callable[[Rows], Rows], str, str], ...] = (
    (
        "blocked",
        "an open blocking finding is critical (the service cannot run)",
        lambda rows: [r for r in rows if r["blocking"] and r["severity"] == "critical"],
        "{n} kritisk(e) funn stopper tjenesten: {subjects}",
        "{n} critical finding(s) stop the service: {subjects}",
    ),
    (
        "at_risk",
        "an open blocking finding needs action or has no known replacement",
        lambda rows: [r for r in rows if r["blocking"] and r["status"] in ("action", "at_risk")],
        "{n} åpne funn kan stoppe tjenesten: {subjects}",
        "{n} open finding(s) may stop the service: {subjects}",
    ),
    (
        "unknown",
        "an open blocking finding cannot be judged",
        lambda rows: [r for r in rows if r["blocking"] and r["status"] == "unknown"],
        "{n} funn kan ikke avgjøres fra inventaret og katalogen: {subjects}",
        "{n} finding(s) cannot be judged from the inventory and the catalogue: {subjects}",
    ),
    (
        "ready",
        "no open blocking finding",
        lambda rows: [],
        "ingen åpne funn stopper tjenesten ({open} åpne funn uten den virkningen)",
        "no open finding stops the service ({open} open finding(s) without that effect)",
    ),
)


def _subjects(rows: Rows, limit: int = 3) -> str:
    names = [str(r["subject"]) for r in rows]
    return "; ".join(names[:limit]) + (f" (+{len(names) - limit})" if len(names) > limit else "")


def open_by_service(findings: pl.DataFrame, services: Sequence[str] | None = None) -> list[tuple[str, Rows]]:
    """Each of `services` in order with its open findings (as dicts, the service in `_service`); `services`
    defaults to every service the findings name, sorted. A finding naming several services counts for each."""
    # A few dozen findings: one row per (finding, service it names), in plain Python (cheaper than a query).
    exploded = [
        {**row, "_service": part}
        for row in findings.to_dicts()
        for part in (row["service_id"].split(";") if row["service_id"] is not None else [None])
    ]
    wanted = list(services) if services is not None else sorted({r["_service"] for r in exploded} - {None})
    by_service: dict[str, Rows] = {}
    for row in exploded:
        if row["status"] in OPEN_STATUSES:
            by_service.setdefault(str(row["_service"]), []).append(row)
    return [(service, by_service.get(service, [])) for service in wanted]


def verdicts(
    findings: pl.DataFrame,
    dsop: DsopCatalogue,
    services: Sequence[str] | None = None,
    *,
    language: str = "nb",
) -> pl.DataFrame:
    """One row per DSOP service: `service_id, name, verdict, reason, blocking_findings` (finding ids).

    `services` defaults to every service the findings mention; pass the profile's `dsop_services` to get a row
    for each service the institution uses (a service with no findings is `ready`).
    """
    if language not in ("nb", "en"):
        raise ValueError(f"language must be 'nb' or 'en', not {language!r}")
    names = dict(zip(dsop.services["service_id"].to_list(), dsop.services[f"name_{language}"].to_list(), strict=True))
    out = []
    for service, rows in open_by_service(findings, services):
        for verdict, _, decisive, nb, en in VERDICT_POLICY:
            chosen = decisive(rows)
            if chosen or verdict == "ready":
                template = nb if language == "nb" else en
                reason = template.format(n=len(chosen), subjects=_subjects(chosen), open=len(rows))
                out.append(
                    {
                        "service_id": service,
                        "name": names.get(service, service),
                        "verdict": verdict,
                        "reason": reason,
                        "blocking_findings": sorted(str(r["finding_id"]) for r in chosen),
                    }
                )
                break
    return pl.DataFrame(out, schema=VERDICTS_SCHEMA) if out else pl.DataFrame(schema=VERDICTS_SCHEMA)
