"""`write_template`: an empty inventory for a new institution, generated from the schema.

The folder gets `profile.yaml` (every key present, empty, with a comment saying what it is, what is allowed and an
example) and one file per table, in the layout the readers accept (`_readers.find_table_file`: exactly one
`<table>.csv|.xlsx|.parquet` per table):

- CSV: the header row only, UTF-8, comma-separated.
- XLSX: one workbook per table (`delegations.xlsx`, …). Its first sheet is named after the table (the reader picks
  that sheet) and holds the header row, frozen, with drop-down lists on the enumerated columns, date format and
  date validation on the date columns, whole-number validation on `count`, and text format on the text columns
  (so that Excel keeps `4804:210607` and leading zeros as typed). The second sheet explains the table and every
  column in Norwegian and English; the reader ignores it.

Existing files are never overwritten unless `force=True`; nothing is written when anything is refused, and each
file is written to a temporary name first and then renamed into place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from altinn_analysis.checks import org_number_problem
from altinn_analysis.inventory._column_help import column_help
from altinn_analysis.inventory._docs import check_help
from altinn_analysis.inventory._help import PROFILE_HELP, TABLE_HELP, kind_text
from altinn_analysis.inventory._schema import (
    PROFILE_FIELDS,
    PROFILE_FILE,
    TABLE_SPECS,
    TABLE_SUFFIXES,
    ColumnSpec,
    TableSpec,
)

__all__ = [
    "DATE_FORMAT",
    "INSTRUCTIONS_SHEET",
    "TemplateExistsError",
    "TemplateFiles",
    "TemplateFormat",
    "csv_template_bytes",
    "plain",
    "profile_template",
    "write_template",
    "xlsx_template_bytes",
]

TemplateFormat = Literal["xlsx", "csv"]
INSTRUCTIONS_SHEET = "Veiledning - Instructions"
DATE_FORMAT = "yyyy-mm-dd"
# Date validation bounds: wide enough for any real grant or consent, narrow enough to catch a typed year of 226.
_DATE_MIN = date(1990, 1, 1)
_DATE_MAX = date(2100, 12, 31)
# Excel refuses an inline list (`"a,b,c"`) longer than this; longer lists (or values with a comma) go to a hidden
# sheet.
_INLINE_LIST_MAX = 255
_LISTS_SHEET = "lists"
_LAST_ROW = 1_048_576  # Excel's last row: validations and formats cover the whole column below the header
_REQUIRED_FILL = "DCE6F1"
_OPTIONAL_FILL = "EDEDED"


class TemplateExistsError(FileExistsError):
    """The folder already holds inventory files; nothing was written. `paths` lists them."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        names = ", ".join(p.name for p in self.paths)
        super().__init__(f"{self.paths[0].parent} already holds {names}; nothing was written (force to overwrite)")


@dataclass(frozen=True)
class TemplateFiles:
    """What `write_template` did: the files it wrote, and the files of another format it removed (force only)."""

    directory: Path
    written: tuple[Path, ...]
    removed: tuple[Path, ...] = ()


# -- profile.yaml -------------------------------------------------------------------------------------------


def _comment(text: str, indent: str = "#   ", width: int = 116) -> list[str]:
    """`text` as YAML comment lines of at most `width` characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(indent) + len(line) + 1 + len(word) > width:
            lines.append(indent + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(indent + line)
    return lines


def profile_template(org_number: str | None = None, services: Mapping[str, str] | None = None) -> str:
    """The text of an empty `profile.yaml`. `services` (DSOP service id → name) are listed as the allowed
    `dsop_services`; `org_number`, when given, is filled in."""
    out = [
        "# profile.yaml: the institution itself (altinn-analysis inventory template).",
        "# Fill in every value, then check the folder: altinn-analysis validate <folder>",
        "# Fyll inn alle verdiene og kontroller mappen: altinn-analysis validate <mappe>",
        "# Reference / referanse: docs/inventory.md",
    ]
    for field in PROFILE_FIELDS:
        help_ = PROFILE_HELP[field.name]
        need = "required / påkrevd" if field.required else "optional / valgfri"
        out += ["", f"# {field.name} ({field.type}, {need})"]
        out += _comment(field.description)
        out += _comment(help_.nb)
        if field.allowed:
            out += _comment("Allowed / tillatt: " + ", ".join(field.allowed))
        if field.name == "dsop_services":
            if services:
                out += ["#   Allowed / tillatt:"]
                out += [f"#     {sid}: {name}" for sid, name in services.items()]
            else:
                out += _comment("Allowed / tillatt: the ids `altinn-analysis catalogue services` lists")
        out += _comment(f"Example / eksempel: {field.name}: {field.example}")
        out += _comment(f"Where to find it: {help_.where_en}")
        out += _comment(f"Hvor finner du det: {help_.where_nb}")
        if field.name == "org_number" and org_number:
            out.append(f'{field.name}: "{org_number}"')
        elif field.type == "boolean":
            out.append(f"{field.name}: false")
        elif field.type.startswith("list["):
            # A required list left empty (null) is an error validate reports; an optional one is simply absent.
            out.append(f"{field.name}:" if field.required else f"{field.name}: []")
        else:
            out.append(f'{field.name}: ""')
    return "\n".join(out) + "\n"


# -- CSV ----------------------------------------------------------------------------------------------------


def csv_template_bytes(spec: TableSpec) -> bytes:
    """The header row of `spec`, UTF-8 without BOM, comma-separated."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(spec.column_names)
    return buffer.getvalue().encode("utf-8")


# -- XLSX ---------------------------------------------------------------------------------------------------


def plain(text: str) -> str:
    """Text for a spreadsheet cell: the docs' `code` marks mean nothing in Excel."""
    return text.replace("`", "")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(col: ColumnSpec) -> float:
    if col.kind == "date":
        return 13
    longest = max([len(col.name), len(col.example), *(len(v) for v in col.allowed or ())])
    return float(min(max(longest + 4, 12), 48))


def _data_sheet(ws: Any, spec: TableSpec, workbook: Any) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.append(list(spec.column_names))
    ws.freeze_panes = "A2"
    lists_sheet = None
    for index, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}2:{letter}{_LAST_ROW}"
        header = ws.cell(row=1, column=index)
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if col.required else _OPTIONAL_FILL)
        header.alignment = Alignment(vertical="center")
        need = "Required / påkrevd" if col.required else "Optional / valgfri"
        header.comment = Comment(
            plain(f"{need}. {col.description}\n\n{column_help(spec.name, col.name).nb}\n\nExample: {col.example}"),
            "altinn-analysis",
            width=320,
            height=200,
        )
        dimension = ws.column_dimensions[letter]
        dimension.width = _width(col)
        validation: Any = None
        if col.kind == "enum" and col.allowed:
            inline = '"' + ",".join(col.allowed) + '"'
            if len(inline) - 2 <= _INLINE_LIST_MAX and not any("," in v or '"' in v for v in col.allowed):
                formula = inline
            else:
                if lists_sheet is None:
                    lists_sheet = workbook.create_sheet(_LISTS_SHEET)
                    lists_sheet.sheet_state = "hidden"
                for row, value in enumerate(col.allowed, start=1):
                    lists_sheet.cell(row=row, column=index, value=value)
                formula = f"{_LISTS_SHEET}!${letter}$1:${letter}${len(col.allowed)}"
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.errorTitle = _clip(f"{col.name}: not in the list", 32)
            validation.error = _clip(
                f"Velg en verdi fra listen. / Pick a value from the list: {', '.join(col.allowed)}", 255
            )
            dimension.number_format = "@"
        elif col.kind == "date":
            validation = DataValidation(
                type="date",
                operator="between",
                formula1=str(int(to_excel(_DATE_MIN))),
                formula2=str(int(to_excel(_DATE_MAX))),
                allow_blank=True,
            )
            validation.errorTitle = _clip(f"{col.name}: not a date", 32)
            validation.error = (
                "Skriv en dato ÅÅÅÅ-MM-DD, f.eks. 2026-06-19. / Enter a date YYYY-MM-DD, e.g. 2026-06-19."
            )
            dimension.number_format = DATE_FORMAT
        elif col.kind == "count":
            validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1", allow_blank=True)
            validation.errorTitle = _clip(f"{col.name}: not a count", 32)
            validation.error = "Skriv et heltall 1 eller høyere. / Enter a whole number of 1 or more."
            dimension.number_format = "0"
        else:
            # Text, org numbers and scopes as typed: Excel would read 4804:210607 as a time and drop leading zeros.
            dimension.number_format = "@"
        if validation is not None:
            validation.showErrorMessage = True
            validation.errorStyle = "stop"
            validation.showInputMessage = True
            validation.promptTitle = _clip(col.name, 32)
            validation.prompt = _clip(plain(f"{kind_text(col)} / {kind_text(col, 'nb')}. {col.description}"), 255)
            validation.add(cells)
            ws.add_data_validation(validation)
    ws.sheet_view.selection[0].activeCell = "A2"
    ws.sheet_view.selection[0].sqref = "A2"


_WIDTHS = (16, 12, 22, 22, 26, 45, 45, 50, 50)  # the instructions sheet's columns


def _instruction_lines(spec: TableSpec) -> list[tuple[str, str]]:
    """(style, text) paragraphs above the column table: title, then Norwegian, then English."""
    help_ = TABLE_HELP[spec.name]
    sheet = spec.name
    return [
        ("title", f"{sheet}.xlsx: {sheet}"),
        ("", ""),
        ("heading", "Norsk"),
        ("", help_.nb),
        ("", f"Hvor finner du det: {help_.where_nb}"),
        ("", f"Fyll inn arket «{sheet}»: én rad per linje, fra rad 2. Ikke endre overskriftsraden eller arknavnet."),
        ("", "Blå kolonner er påkrevd, grå er valgfrie. Nedtrekkslistene viser de tillatte verdiene."),
        ("", "Datoer skrives ÅÅÅÅ-MM-DD (eller som Excel-dato). Tomme celler er tomme verdier."),
        (
            "",
            "Ingen fødselsnumre eller navn på personer: bruk pseudonyme id-er (P-0042). Et inventar med fødselsnummer "
            "avvises.",
        ),
        ("", "Lagre som .xlsx og kontroller mappen: altinn-analysis validate <mappe>"),
        ("", ""),
        ("heading", "English"),
        ("", spec.description),
        ("", f"Where to find it: {help_.where_en}"),
        (
            "",
            f"Fill in the sheet '{sheet}': one line per row, from row 2. Do not change the header row or the sheet "
            "name.",
        ),
        ("", "Blue columns are required, grey ones optional. The drop-down lists show the allowed values."),
        ("", "Dates are YYYY-MM-DD (or an Excel date). An empty cell is a missing value."),
        (
            "",
            "No national identity numbers or people's names: use pseudonymous ids (P-0042). An inventory holding one "
            "is refused.",
        ),
        ("", "Save as .xlsx and check the folder: altinn-analysis validate <folder>"),
        ("", ""),
        ("", "Reference / referanse: docs/inventory.md"),
        ("", ""),
    ]


def _instructions_sheet(ws: Any, spec: TableSpec) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    fonts = {"title": Font(bold=True, size=14), "heading": bold}
    paragraph = Alignment(wrap_text=True, vertical="top")
    line_chars = sum(_WIDTHS)  # roughly the characters one merged line holds
    for style, text in _instruction_lines(spec):
        ws.append([plain(text)])
        row = ws.max_row
        cell = ws.cell(row=row, column=1)
        if style in fonts:
            cell.font = fonts[style]
        elif text:
            # A paragraph across the table's width; Excel does not size merged rows itself.
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(_WIDTHS))
            cell.alignment = paragraph
            ws.row_dimensions[row].height = 15 * (len(text) // line_chars + 1)
    headers = [
        "Kolonne / column",
        "Påkrevd / required",
        "Type",
        "Tillatte verdier / allowed values",
        "Eksempel / example",
        "Beskrivelse",
        "Description",
        "Hvor finner du det?",
        "Where to find it",
    ]
    ws.append(headers)
    header_row = ws.max_row
    for index in range(1, len(headers) + 1):
        cell = ws.cell(row=header_row, column=index)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=_REQUIRED_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    for col in spec.columns:
        help_col = column_help(spec.name, col.name)
        ws.append(
            [
                plain(value)
                for value in (
                    col.name,
                    "ja / yes" if col.required else "nei / no",
                    f"{kind_text(col, 'nb')} / {kind_text(col)}",
                    "\n".join(col.allowed or ()),
                    col.example,
                    help_col.nb,
                    col.description,
                    help_col.where_nb,
                    help_col.where_en,
                )
            ]
        )
        for index in range(1, len(headers) + 1):
            ws.cell(row=ws.max_row, column=index).alignment = wrap
    for letter, width in zip("ABCDEFGHI", _WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width


def xlsx_template_bytes(spec: TableSpec) -> bytes:
    """An empty workbook for `spec`: the data sheet (named after the table) and the instructions sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    data = workbook.active
    data.title = spec.name
    _data_sheet(data, spec, workbook)
    _instructions_sheet(workbook.create_sheet(INSTRUCTIONS_SHEET, 1), spec)
    workbook.active = 0
    workbook.properties.title = f"{spec.name} (altinn-analysis inventory template)"
    workbook.properties.creator = "altinn-analysis"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- writing ------------------------------------------------------------------------------------------------


def _table_files(directory: Path, table: str) -> list[Path]:
    """Files the readers would take for `table` (as `_readers.find_table_file` looks for them)."""
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file()
        and p.stem.lower() == table
        and p.suffix.lower() in TABLE_SUFFIXES
        and not p.name.startswith(("~$", "."))
    )


def _write_atomically(path: Path, data: bytes) -> None:
    from altinn_analysis.sources import write_atomic  # here, not at the top: `sources` imports the HTTP stack

    write_atomic(path, data)


def _default_services() -> dict[str, str] | None:
    """DSOP service id → Norwegian name from the DSOP catalogue, or None when it cannot be loaded."""
    try:
        from altinn_analysis.catalogue import load_dsop

        services = load_dsop().services
        return {str(sid): str(name) for sid, name in services.select("service_id", "name_nb").iter_rows()}
    except Exception:  # the list is a convenience in a comment; the template is useful without it
        return None


def write_template(
    directory: str | Path,
    *,
    fmt: TemplateFormat = "xlsx",
    org_number: str | None = None,
    force: bool = False,
    services: Mapping[str, str] | None = None,
) -> TemplateFiles:
    """Write an empty inventory to `directory` (created if missing): `profile.yaml` and one file per table.

    `fmt`: `xlsx` (one workbook per table, with drop-down lists and instructions) or `csv` (header rows).
    `org_number` fills in `org_number` in profile.yaml (ValueError when it is not a valid organisation number).
    `services` (DSOP service id → name) are listed in profile.yaml's comments; default: the DSOP catalogue's.
    Raises `TemplateExistsError`, writing nothing, when the folder already holds profile.yaml or a file for any
    table, unless `force`: then those files are replaced, and a table's files in another format are removed (the
    readers take exactly one file per table).
    """
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown template format {fmt!r}; expected 'xlsx' or 'csv'")
    check_help()  # every column has its Norwegian text and hints
    if org_number is not None:
        org_number = "".join(org_number.split())
        if (why := org_number_problem(org_number)) is not None:
            raise ValueError(why)
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"{directory} exists and is not a folder")

    existing = [directory / PROFILE_FILE] if (directory / PROFILE_FILE).is_file() else []
    for table in TABLE_SPECS:
        existing.extend(_table_files(directory, table))
    if existing and not force:
        raise TemplateExistsError(existing)

    contents: dict[Path, bytes] = {
        directory / PROFILE_FILE: profile_template(
            org_number, services if services is not None else _default_services()
        ).encode("utf-8")
    }
    for spec in TABLE_SPECS.values():
        path = directory / f"{spec.name}.{fmt}"
        contents[path] = xlsx_template_bytes(spec) if fmt == "xlsx" else csv_template_bytes(spec)

    directory.mkdir(parents=True, exist_ok=True)
    for path, data in contents.items():
        _write_atomically(path, data)  # each file lands whole or not at all
    removed: list[Path] = []
    for path in existing:
        # `Delegations.CSV` is `delegations.csv` on a case-insensitive file system: never remove what was written.
        if path in contents or not path.exists() or any(path.samefile(target) for target in contents):
            continue
        path.unlink()
        removed.append(path)
    return TemplateFiles(directory, tuple(contents), tuple(removed))
