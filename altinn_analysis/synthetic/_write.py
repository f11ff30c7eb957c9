"""Writing a synthetic sector: one `<out>/<org_number>/` folder per institution, each replaced atomically."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from altinn_analysis.synthetic._sector import DemoInstitution
from altinn_analysis.synthetic._world import TABLES

__all__ = ["SectorSummary", "write_institution", "write_sector"]


@dataclass
class SectorSummary:
    """What `write_sector` wrote."""

    out_dir: Path
    institutions: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    consents_counted: int = 0  # the sum of `count`: consents, not rows
    by_type: dict[str, int] = field(default_factory=dict)
    org_numbers: list[str] = field(default_factory=list)


def write_institution(directory: str | Path, institution: DemoInstitution) -> Path:
    """Write one institution as `<directory>/<org_number>/` (profile.yaml + Parquet), replacing it atomically.

    The folder is built next to its final place and renamed in, so a reader never sees half an institution.
    """
    from altinn_analysis.sources import make_temp_dir, replace_dir, yaml_text

    parent = Path(directory)
    target = parent / institution.org_number
    tmp = make_temp_dir(parent, institution.org_number)
    try:
        text = yaml_text(institution.profile)
        (tmp / "profile.yaml").write_text(text, encoding="utf-8")
        for name, frame in institution.tables().items():
            # Fixed writer settings: the bytes depend only on the data (and the polars version).
            frame.write_parquet(tmp / f"{name}.parquet", compression="zstd", compression_level=3, statistics=True)
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def write_sector(out_dir: str | Path, sector: Iterable[DemoInstitution]) -> SectorSummary:
    """Write a generated sector (`generate_sector(...)`, consumed one institution at a time), one folder per
    institution, under `out_dir`."""
    out = Path(out_dir)
    summary = SectorSummary(out_dir=out)
    for inst in sector:
        write_institution(out, inst)
        summary.institutions += 1
        summary.org_numbers.append(inst.org_number)
        for name, frame in inst.tables().items():
            summary.rows[name] += frame.height
        summary.consents_counted += int(inst.consents["count"].sum() or 0)
        itype = str(inst.profile["institution_type"])
        summary.by_type[itype] = summary.by_type.get(itype, 0) + 1
    return summary
