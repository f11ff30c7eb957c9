"""Notebook parameters: checked before anything heavy runs, with a message an analyst can act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from altinn_analysis.inventory import is_valid_org_number

__all__ = ["LANGUAGES", "ReportParameterError", "ReportParameters", "check_report_parameters", "resolve_as_of"]

LANGUAGES = ("nb", "en")


class ReportParameterError(ValueError):
    """A report parameter is wrong; the message names it and says what was expected."""


@dataclass(frozen=True)
class ReportParameters:
    org_number: str
    as_of: date
    inventory_dir: Path  # this institution's own folder
    reference_dir: Path | None
    language: str
    output_dir: Path | None


def resolve_as_of(value: str | date) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text.lower() == "today":
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportParameterError(f"as_of = {value!r}: expected a date as YYYY-MM-DD, or 'today'") from None


def _institution_dir(inventory_dir: str | Path, org_number: str) -> Path:
    """`inventory_dir` may be the institution's own folder or the folder holding one folder per institution."""
    base = Path(inventory_dir)
    if (base / "profile.yaml").is_file():
        return base
    candidate = base / org_number
    if (candidate / "profile.yaml").is_file():
        return candidate
    if not base.is_dir():
        raise ReportParameterError(f"inventory_dir = {str(base)!r}: no such folder")
    raise ReportParameterError(
        f"inventory_dir = {str(base)!r}: no inventory for {org_number} (expected {candidate}/profile.yaml)"
    )


def check_report_parameters(
    *,
    org_number: object,
    as_of: str | date,
    inventory_dir: str | Path,
    reference_dir: str | Path | None = None,
    language: str = "nb",
    output_dir: str | Path | None = None,
) -> ReportParameters:
    """Validate the parameters of `institution_report.ipynb`; raise `ReportParameterError` on the first problem.

    Refuses anything that looks like a secret or a national identity number: papermill writes parameters into
    the saved notebook, so a secret there would end up in every copy of the report.
    """
    from altinn_analysis.secret_guard import check_parameters

    params = {
        "org_number": org_number,
        "as_of": as_of,
        "inventory_dir": inventory_dir,
        "reference_dir": reference_dir,
        "language": language,
        "output_dir": output_dir,
    }
    check_parameters(params)
    org = str(org_number).strip()
    if not (len(org) == 9 and org.isdigit()):
        raise ReportParameterError(f"org_number = {org_number!r}: expected 9 digits")
    if not is_valid_org_number(org):
        raise ReportParameterError(f"org_number = {org}: not a valid organisation number (mod-11 check digit)")
    if language not in LANGUAGES:
        raise ReportParameterError(f"language = {language!r}: expected one of {', '.join(LANGUAGES)}")
    day = resolve_as_of(as_of)
    folder = _institution_dir(inventory_dir, org)
    ref = Path(reference_dir) if reference_dir not in (None, "") else None
    if ref is not None and not (ref / "manifest.json").is_file():
        raise ReportParameterError(f"reference_dir = {str(ref)!r}: no catalogue snapshot there (manifest.json)")
    out = Path(output_dir) if output_dir not in (None, "") else None
    return ReportParameters(org, day, folder, ref, language, out)
