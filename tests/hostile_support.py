"""Hostile inventory files built on the fly, and a watchdog that runs `validate` on one in a bounded subprocess.

The bombs are small on disk and huge once expanded; each is generated here (nothing big is committed). The
benchmark `benchmarks/bench_inventory.py --bombs` uses the same builders and prints the figures.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MINIMAL = Path(__file__).parent / "good_inputs" / "minimal"

# A watchdog, not a benchmark: far above the goal (< 5 s, < 500 MB), so that only a regression trips it.
WATCHDOG_SECONDS = 60.0
WATCHDOG_RSS_MIB = 1500.0

_CHILD = r"""
import json, resource, sys, time
from altinn_analysis.inventory import validate_inventory
from altinn_analysis.catalogue import Catalogue
cat = Catalogue.load()
start = time.perf_counter()
problems = validate_inventory(sys.argv[1], catalogue=cat, known_services=None)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "problems": [str(p) for p in problems],
    "errors": [str(p) for p in problems if p.is_error],
}))
"""


@dataclass
class Bounded:
    seconds: float  # validate_inventory alone, in the child
    peak_mib: float  # the child's peak resident memory (imports and catalogue included)
    errors: list[str]
    problems: list[str]
    killed: str | None = None  # why the watchdog stopped the child, if it did


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def validate_bounded(
    folder: Path,
    *,
    seconds: float = WATCHDOG_SECONDS,
    rss_mib: float = WATCHDOG_RSS_MIB,
    env: dict[str, str] | None = None,
) -> Bounded:
    """`validate_inventory(folder)` in a child process, killed when it passes `seconds` or `rss_mib`."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    start = time.monotonic()
    killed = None
    while child.poll() is None:
        if time.monotonic() - start > seconds:
            killed = f"over {seconds:.0f} s"
        elif (rss := _rss_mib(child.pid)) > rss_mib:
            killed = f"over {rss_mib:.0f} MiB ({rss:.0f} MiB)"
        if killed:
            child.kill()
            break
        time.sleep(0.05)
    out, err = child.communicate()
    if killed:
        return Bounded(time.monotonic() - start, 0.0, [], [], killed)
    if child.returncode != 0:
        raise AssertionError(f"validate crashed (exit {child.returncode}): {err[-2000:]}")
    data = json.loads(out.strip().splitlines()[-1])
    return Bounded(data["seconds"], data["peak_mib"], data["errors"], data["problems"])


def inventory_with(target: Path, files: dict[str, bytes] | None = None, remove: tuple[str, ...] = ()) -> Path:
    """The minimal good inventory at `target`, with `files` laid over it and `remove` taken away."""
    shutil.copytree(MINIMAL, target)
    for name in remove:
        (target / name).unlink()
    for name, data in (files or {}).items():
        (target / name).write_bytes(data)
    return target


# -- the bombs ------------------------------------------------------------------------------------------------


def billion_laughs_yaml(levels: int = 9) -> bytes:
    """About 1 KB of YAML whose aliases expand to 10**levels strings."""
    lines = ['org_number: "910000004"', 'a0: &a0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    lines.append(f"name: *a{levels}")
    return ("\n".join(lines) + "\n").encode()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="consents" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    b'2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def _xlsx(write_sheet: Callable[[io.BufferedIOBase], None]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD)
            write_sheet(sheet)  # type: ignore[arg-type]
            sheet.write(_SHEET_TAIL)
    return buffer.getvalue()


def _header_row(out: io.BufferedIOBase) -> None:
    cells = "".join(
        f'<c t="inlineStr"><is><t>{name}</t></is></c>'
        for name in ("platform", "service", "status", "valid_from", "valid_to", "count")
    )
    out.write(f"<row>{cells}</row>".encode())


def xlsx_huge_cell(megabytes: int = 400) -> bytes:
    """A consents.xlsx whose one inline string is `megabytes` MB long (a few hundred KB on disk)."""

    def sheet(out: io.BufferedIOBase) -> None:
        _header_row(out)
        out.write(b'<row><c t="inlineStr"><is><t>altinn2')
        block = b"A" * (1 << 20)
        for _ in range(megabytes):
            out.write(block)
        out.write(b"</t></is></c></row>")

    return _xlsx(sheet)


def xlsx_many_rows(rows: int = 5_000_000) -> bytes:
    """A consents.xlsx with `rows` tiny rows (a few MB on disk)."""

    def sheet(out: io.BufferedIOBase) -> None:
        _header_row(out)
        block = b"<row><c><v>1</v></c></row>" * 10_000
        for _ in range(rows // 10_000):
            out.write(block)

    return _xlsx(sheet)


def parquet_dictionary_rows(path: Path, rows: int = 30_000_000) -> Path:
    """consents.parquet: `rows` dictionary-encoded rows of one value per column (well under 1 MB on disk)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    step = 1_000_000
    indices = pa.array([0] * step, type=pa.int32())
    columns = {
        "platform": "altinn2",
        "service": "4804:210607",
        "status": "active",
        "valid_from": "2025-01-01",
        "valid_to": "2027-01-01",
        "count": "1",
    }
    arrays = [pa.DictionaryArray.from_arrays(indices, pa.array([v])) for v in columns.values()]
    batch = pa.table(arrays, names=list(columns))
    with pq.ParquetWriter(path, batch.schema, compression="zstd") as writer:
        for _ in range(rows // step):
            writer.write_table(batch)
    return path


def sparse_file(path: Path, size: int = 3 * 1024**3) -> Path:
    """A `size`-byte file that takes no disk space (a hole): any reader that reads it whole pays its size."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


PEM_TEXT = (
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n-----END PRIVATE KEY-----\n"
)
