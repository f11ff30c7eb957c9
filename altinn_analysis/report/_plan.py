"""What a report run must build: institution folders, input fingerprints, and the decision per institution.

Pure apart from reading the input files it fingerprints: nothing here starts a kernel or loads a table, so a
re-run with nothing changed is decided in a fraction of a second. A fingerprint covers exactly the files the
inventory reads (its profile and its table files, hashed in chunks), never other files in the folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from altinn_analysis._version import __version__

__all__ = [
    "OUTPUTS",
    "Discovery",
    "Plan",
    "discover_institutions",
    "file_sha256",
    "fingerprint",
    "institution_dirs",
    "inventory_files",
    "inventory_inputs",
    "make_plan",
    "read_run_record",
    "safe_org_label",
    "sector_fingerprint",
    "shared_inputs",
]

log = logging.getLogger("altinn_analysis.report")

OUTPUTS = ("report.html", "report.ipynb", "actions.xlsx", "findings.parquet")


RUN_RECORD = "run.json"
_RUN_RECORD_MAX_BYTES = 64 * 1024 * 1024  # a run record for thousands of institutions is a few MB


def read_run_record(run_dir: Path) -> dict[str, Any]:
    """The run folder's `run.json` as the runner wrote it; {} when missing, unreadable, a link or not an object (a
    run folder is shared and edited by hand: the record is a hint to reuse work, never trusted to refuse it)."""
    from altinn_analysis.sources import read_json_record

    return read_json_record(run_dir / RUN_RECORD, _RUN_RECORD_MAX_BYTES) or {}


def safe_org_label(value: str) -> str:
    """`value` as it may be printed or stored: an organisation number as is, anything else described, never
    repeated (a national identity number must not reach a log, run.json or the console)."""
    from altinn_analysis.inventory import is_national_identity_number, is_valid_org_number

    text = str(value)
    if len(text) == 9 and text.isascii() and text.isdigit() and is_valid_org_number(text):
        return text
    digits = "".join(c for c in text if c.isdigit())
    if is_national_identity_number(digits[:11]) or len(digits) >= 11:
        return "(a name that looks like a national identity number)"
    if len(text) <= 40 and text.isascii() and text.isprintable():
        return repr(text)
    return f"(a name of {len(text)} characters)"


@dataclass
class Discovery:
    folders: dict[str, Path]  # organisation number → institution folder
    skipped: list[str] = field(default_factory=list)  # why other entries were left out, safe to print


def discover_institutions(inventory_dir: str | Path) -> Discovery:
    """The one rule for institution folders: a real folder (not a symlink) named by a valid 9-digit organisation
    number that holds `profile.yaml`. Anything else is skipped with a reason (which never repeats the name of a
    folder that looks like a national identity number)."""
    from altinn_analysis.inventory import PROFILE_FILE, is_valid_org_number
    from altinn_analysis.report._params import ReportParameterError

    base = Path(inventory_dir)
    if not base.is_dir():
        raise ReportParameterError(f"inventory_dir = {str(base)!r}: no such folder")
    found = Discovery({})
    for entry in sorted(base.iterdir()):
        name = entry.name
        if name.startswith(".") or not entry.is_dir():
            continue  # hidden entries and plain files (a README) are not candidates
        label = safe_org_label(name)
        if entry.is_symlink():
            found.skipped.append(f"{label}: a symbolic link, not followed")
        elif not (len(name) == 9 and name.isdigit() and is_valid_org_number(name)):
            found.skipped.append(f"{label}: not named by a valid organisation number")
        elif not (entry / PROFILE_FILE).is_file() or (entry / PROFILE_FILE).is_symlink():
            found.skipped.append(f"{label}: no {PROFILE_FILE}")
        else:
            found.folders[name] = entry
    return found


def institution_dirs(inventory_dir: str | Path) -> list[Path]:
    """The institution folders under `inventory_dir`, sorted; skipped entries are logged as warnings."""
    found = discover_institutions(inventory_dir)
    for why in found.skipped:
        log.warning("skipped folder %s", why)
    return list(found.folders.values())


def file_sha256(path: Path) -> str:
    """Streamed in chunks (the one hash helper in `sources`): memory stays flat whatever the file size."""
    from altinn_analysis.sources import sha256_file

    return sha256_file(path)


def inventory_files(folder: Path) -> list[Path]:
    """The files the inventory loader reads (the inventory layer's own list): nothing else in the folder is opened."""
    from altinn_analysis.inventory import inventory_files as files_read

    return files_read(folder)


def inventory_inputs(folder: Path) -> dict[str, str]:
    """`{file name: sha256}` of what the inventory reads. Links are never among them (the loader refuses them), so
    a link never makes a run read a foreign file."""
    return {path.name: file_sha256(path) for path in inventory_files(folder)}


def _tree_hash(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(paths):
        digest.update(p.relative_to(root).as_posix().encode())
        digest.update(file_sha256(p).encode())
    return digest.hexdigest()


def fingerprint(inputs: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def shared_inputs(*, reference_dir: Path, dsop_dir: Path, notebook: Path, as_of: str, language: str) -> dict[str, str]:
    """What every report depends on besides its inventory. The snapshot is fingerprinted by its manifest (which
    holds every table's sha256 and is verified on load), so no table is read here."""
    return {
        "snapshot": file_sha256(reference_dir / "manifest.json"),
        "dsop": _tree_hash((p for p in dsop_dir.rglob("*") if p.is_file()), dsop_dir),
        "notebook": file_sha256(notebook),
        "tool_version": __version__,
        "as_of": as_of,
        "language": language,
    }


def sector_fingerprint(notebook: Path, shared: Mapping[str, str], reports: Mapping[str, str]) -> str:
    """The sector page depends on its notebook, the shared inputs and the reports it lists (org → fingerprint)."""
    return fingerprint({"notebook": file_sha256(notebook), "shared": dict(shared), "reports": dict(reports)})


@dataclass
class Plan:
    build: dict[str, dict[str, str]]  # org → inputs, to run
    unchanged: dict[str, dict[str, Any]]  # org → its previous run.json entry, kept
    missing: list[str]  # asked for, no such institution folder (safe labels)


def make_plan(
    wanted: Iterable[str],
    available: Mapping[str, Path],
    shared: Mapping[str, str],
    previous: Mapping[str, Any],
    run_dir: Path,
    *,
    force: bool = False,
    outputs: Iterable[str] = OUTPUTS,
) -> Plan:
    """Decide per institution from fingerprints alone: build, keep (same inputs and complete outputs), or missing."""
    outputs = tuple(outputs)
    plan = Plan({}, {}, [])
    before_all = previous.get("institutions", {}) if isinstance(previous.get("institutions"), dict) else {}
    for org in wanted:
        folder = available.get(org)
        if folder is None:
            plan.missing.append(safe_org_label(org))
            continue
        inputs = {**shared, "inventory": fingerprint(inventory_inputs(folder))}
        before = before_all.get(org, {})
        complete = all((run_dir / org / name).is_file() for name in outputs)
        built = before.get("status") in ("ok", "unchanged")  # a failure last time is retried, whatever its inputs
        if not force and complete and built and before.get("fingerprint") == fingerprint(inputs):
            plan.unchanged[org] = before
        else:
            plan.build[org] = inputs
    return plan
