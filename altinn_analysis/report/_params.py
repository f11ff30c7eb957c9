"""The report parameters, defined once: names, defaults, how `today` is read, the languages, the secrets check.

The CLI builds a `ReportParameters`, the runner validates it once per institution, and the notebook receives its
`notebook()` values unchanged (papermill writes them into the notebook's injected parameters cell, so they are
checked for secrets and identity numbers before anything is executed or written).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from altinn_analysis.checks import parse_as_of

__all__ = [
    "LANGUAGES",
    "PARAMETER_NAMES",
    "SECTOR_PARAMETER_NAMES",
    "ReportParameterError",
    "ReportParameters",
    "check_language",
    "check_report_parameters",
    "resolve_as_of",
]

LANGUAGES = ("nb", "en")
# The parameters cell of institution_report.ipynb and of sector_overview.ipynb, in that order.
PARAMETER_NAMES = ("org_number", "as_of", "inventory_dir", "reference_dir", "language", "output_dir")
SECTOR_PARAMETER_NAMES = ("as_of", "inventory_dir", "reference_dir", "language", "report_links", "findings_dir")


class ReportParameterError(ValueError):
    """A report parameter is wrong; the message names it and says what was expected."""


def resolve_as_of(value: str | date) -> date:
    """`as_of` read by the one parser (checks.parse_as_of: a date, YYYY-MM-DD or `today`), as a parameter error."""
    try:
        return parse_as_of(value)
    except ValueError as exc:
        raise ReportParameterError(f"as_of = {exc}") from None


def check_language(language: object) -> str:
    if language not in LANGUAGES:
        raise ReportParameterError(f"language = {language!r}: expected one of {', '.join(LANGUAGES)}")
    return str(language)


def _optional_path(value: str | Path | None) -> Path | None:
    return Path(value) if value not in (None, "") else None


def _check_org_number(org_number: object) -> str:
    """A valid organisation number; the message never repeats a value that could be an identity number."""
    from altinn_analysis.inventory import is_valid_org_number

    org = str(org_number).strip()
    if not (len(org) == 9 and org.isdigit()):
        shown = repr(org_number) if len(org) <= 9 and org.isdigit() else f"a value of {len(org)} characters"
        raise ReportParameterError(f"org_number = {shown}: expected 9 digits")
    if not is_valid_org_number(org):
        raise ReportParameterError(f"org_number = {org}: not a valid organisation number (mod-11 check digit)")
    return org


@dataclass(frozen=True)
class ReportParameters:
    """One report's parameters. `inventory_dir` is the folder of institutions (or one institution's own)."""

    as_of: date
    inventory_dir: Path
    reference_dir: Path | None = None
    language: str = "nb"
    org_number: str = ""
    output_dir: Path | None = None

    @classmethod
    def parse(
        cls,
        *,
        as_of: str | date = "today",
        inventory_dir: str | Path,
        reference_dir: str | Path | None = None,
        language: str = "nb",
        org_number: object = "",
        output_dir: str | Path | None = None,
    ) -> ReportParameters:
        """From flags or notebook values; a bad date or language is a `ReportParameterError`."""
        org = _check_org_number(org_number) if str(org_number).strip() else ""
        return cls(
            resolve_as_of(as_of),
            Path(inventory_dir),
            _optional_path(reference_dir),
            check_language(language),
            org,
            _optional_path(output_dir),
        )

    def for_institution(self, org_number: str, output_dir: Path | None) -> ReportParameters:
        return replace(self, org_number=_check_org_number(org_number), output_dir=output_dir)

    def notebook(self) -> dict[str, str]:
        """The values of institution_report.ipynb's parameters cell, refused if any looks like a secret."""
        from altinn_analysis.secret_guard import check_parameters

        values = {
            "org_number": self.org_number,
            "as_of": self.as_of.isoformat(),
            "inventory_dir": str(self.inventory_dir.resolve()),
            "reference_dir": str(self.reference_dir.resolve()) if self.reference_dir else "",
            "language": self.language,
            "output_dir": str(self.output_dir.resolve()) if self.output_dir else "",
        }
        check_parameters(values)
        return values

    def sector_notebook(self, findings_dir: Path | None) -> dict[str, str | bool]:
        """The values of sector_overview.ipynb's parameters cell (links to the reports when from a run folder)."""
        from altinn_analysis.secret_guard import check_parameters

        base = self.notebook()
        values: dict[str, str | bool] = {name: base[name] for name in SECTOR_PARAMETER_NAMES if name in base}
        values["report_links"] = findings_dir is not None
        values["findings_dir"] = str(findings_dir.resolve()) if findings_dir else ""
        check_parameters(values)
        return values


def _institution_dir(inventory_dir: Path, org_number: str) -> Path:
    """`inventory_dir` may be the institution's own folder or the folder holding one folder per institution."""
    if (inventory_dir / "profile.yaml").is_file():
        return inventory_dir
    candidate = inventory_dir / org_number
    if (candidate / "profile.yaml").is_file():
        return candidate
    if not inventory_dir.is_dir():
        raise ReportParameterError(f"inventory_dir = {str(inventory_dir)!r}: no such folder")
    raise ReportParameterError(
        f"inventory_dir = {str(inventory_dir)!r}: no inventory for {org_number} (expected {candidate}/profile.yaml)"
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
    the saved notebook, so a secret there would end up in every copy of the report. The result's
    `inventory_dir` is the institution's own folder.
    """
    from altinn_analysis.secret_guard import check_parameters

    given: dict[str, Any] = {
        "org_number": org_number,
        "as_of": as_of,
        "inventory_dir": inventory_dir,
        "reference_dir": reference_dir,
        "language": language,
        "output_dir": output_dir,
    }
    check_parameters(given)
    params = ReportParameters.parse(**given)
    if not params.org_number:
        raise ReportParameterError("org_number = '': expected 9 digits")
    folder = _institution_dir(params.inventory_dir, params.org_number)
    ref = params.reference_dir
    if ref is not None and not (ref / "manifest.json").is_file():
        raise ReportParameterError(f"reference_dir = {str(ref)!r}: no catalogue snapshot there (manifest.json)")
    return replace(params, inventory_dir=folder)
