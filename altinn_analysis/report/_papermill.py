"""papermill's `execute_notebook`, for many notebooks from one source on warm kernels.

The steps are papermill's own (load, parameterise, record the paths, drop old error markers, run through the
papermill engine, raise on a failed cell) with two per-report costs taken out, the result unchanged:
- the source notebook is read and parsed (and its parameters inferred) once per file version, not once per
  report: each report gets a deep copy of the parsed notebook;
- the executed notebook is written as `nbformat.writes` would write it, byte for byte, but validated once with
  nbformat's fast validator and without nbformat's deep copy of the whole notebook (~10 ms per report).
A failed notebook takes papermill's own path (`raise_for_execution_errors` writes it with its error cells).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["clear_source_cache", "execute", "notebook_json", "source_notebook", "write_notebook"]

log = logging.getLogger("altinn_analysis.report")

# What nbformat's writer turns into a list of lines besides text/* (nbformat.v4.rwbase): kept in step by
# tests/test_papermill_driver.py, which compares our bytes with nbformat.writes.
_SPLIT_MIMES = frozenset({"application/javascript", "image/svg+xml"})
_TRANSIENT_NB_METADATA = ("orig_nbformat", "orig_nbformat_minor", "signature")

_SOURCES: dict[tuple[str, int, int], tuple[Any, frozenset[str]]] = {}
_SOURCES_LOCK = threading.Lock()


def clear_source_cache() -> None:
    with _SOURCES_LOCK:
        _SOURCES.clear()


def source_notebook(path: Path) -> tuple[Any, frozenset[str]]:
    """The notebook as papermill loads it (`load_notebook_node`) and its parameter names, parsed once per file
    version (path, modification time, size); the caller gets its own deep copy."""
    from nbformat import from_dict
    from papermill import inspect_notebook
    from papermill.iorw import load_notebook_node

    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _SOURCES_LOCK:
        cached = _SOURCES.get(key)
    if cached is None:
        cached = (load_notebook_node(str(path)), frozenset(inspect_notebook(str(path))))
        with _SOURCES_LOCK:
            # one entry per path: an edited notebook replaces its old version
            for old in [k for k in _SOURCES if k[0] == key[0]]:
                del _SOURCES[old]
            _SOURCES[key] = cached
    nb, names = cached
    return from_dict(nb), names  # type: ignore[no-untyped-call]  # a whole-tree copy, faster than deepcopy


def execute(
    notebook: Path,
    output: Path,
    parameters: Mapping[str, Any],
    *,
    engine_name: str,
    kernel_name: str,
    **engine_kwargs: Any,
) -> Any:
    """Run `notebook` with `parameters` through the papermill engine `engine_name`; write the executed notebook to
    `output` and return it. A failing cell raises papermill's `PapermillExecutionError` (the notebook written
    with papermill's error cells), as `papermill.execute_notebook` does."""
    from papermill.engines import papermill_engines
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.parameterize import parameterize_notebook

    nb, names = source_notebook(notebook)
    input_path, output_path = str(notebook), str(output)
    if parameters:
        for name in parameters:
            if name not in names:
                log.warning("Passed unknown parameter: %s", name)
        nb = parameterize_notebook(nb, dict(parameters), kernel_name=kernel_name, engine_name=engine_name)
    nb = prepare_notebook_metadata(nb, input_path, output_path)
    nb = remove_error_markers(nb)
    nb = papermill_engines.execute_notebook_with_engine(
        engine_name,
        nb,
        input_path=input_path,
        output_path=None,  # no saving while it runs: the notebook is written once, below
        kernel_name=kernel_name,
        progress_bar=False,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        **engine_kwargs,
    )
    raise_for_execution_errors(nb, output_path)
    write_notebook(nb, output)
    return nb


def write_notebook(nb: Any, path: Path) -> None:
    """Write `nb` as `nbformat.write` does (same bytes), atomically; an invalid notebook raises instead of being
    logged."""
    from altinn_analysis.sources import write_atomic

    write_atomic(path, notebook_json(nb))  # made before anything is written: an invalid notebook leaves nothing


def notebook_json(nb: Any) -> str:
    """`nbformat.writes(nb)`, byte for byte: validated once (nbformat's fast validator, raising), lines split for
    the file and transient keys left out in a new outer structure that shares the rest (`nb` is not changed)."""
    import nbformat
    from nbformat.v4.nbjson import BytesEncoder

    nbformat.validate(nb)
    for_file = {
        **nb,
        "metadata": {k: v for k, v in nb["metadata"].items() if k not in _TRANSIENT_NB_METADATA},
        "cells": [_cell_for_file(c) for c in nb["cells"]],
    }
    return json.dumps(for_file, cls=BytesEncoder, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)


def _split_bundle(bundle: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v.splitlines(True) if isinstance(v, str) and (k.startswith("text/") or k in _SPLIT_MIMES) else v
        for k, v in bundle.items()
    }


def _output_for_file(output: Mapping[str, Any]) -> Mapping[str, Any]:
    kind = output.get("output_type")
    if kind in ("execute_result", "display_data") and "data" in output:
        return {**output, "data": _split_bundle(output["data"])}
    if kind == "stream" and isinstance(output.get("text"), str):
        return {**output, "text": output["text"].splitlines(True)}
    return output


def _cell_for_file(cell: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(cell)
    if isinstance(out.get("source"), str):
        out["source"] = out["source"].splitlines(True)
    if "attachments" in out:
        out["attachments"] = {name: _split_bundle(bundle) for name, bundle in out["attachments"].items()}
    if out.get("cell_type") == "code":
        out["outputs"] = [_output_for_file(o) for o in out.get("outputs", [])]
    if "trusted" in out.get("metadata", {}):
        out["metadata"] = {k: v for k, v in out["metadata"].items() if k != "trusted"}
    return out
