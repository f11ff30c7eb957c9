"""The page export's own copy of the notebook: a true deep copy, and the same page as with `copy.deepcopy`."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from altinn_analysis.report import _html


def executed_notebook() -> Any:
    nb = new_notebook()
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    howto = new_markdown_cell("How to use this notebook")
    howto.metadata["tags"] = [_html.REMOVE_TAG]
    code = new_code_cell("show()", execution_count=2)
    code.outputs = [
        new_output("stream", name="stderr", text="a warning\n"),
        new_output(
            "display_data",
            data={
                "text/html": '<div class="aa-figure"><b>æøå</b></div>',
                "text/plain": "<Figure>",
                "application/vnd.plotly.v1+json": {"data": [{"x": [1, 2]}], "layout": {"title": {"text": "t"}}},
            },
        ),
        new_output("stream", name="stdout", text="done\n"),
        new_output("execute_result", data={"text/html": "<table><tr><td>1</td></tr></table>"}, execution_count=2),
    ]
    nb.cells = [new_markdown_cell("# Rapport\n\nTekst *her*."), howto, code]
    return nb


def test_the_page_notebooks_copy_is_a_true_deep_copy() -> None:
    page = _html._page_notebook(executed_notebook())
    copied = copy.deepcopy(page)
    assert copied == page
    assert copy.deepcopy(copied) is copied  # nbconvert's further copies of its own copy: the copy itself
    assert type(copied.cells[2].outputs[0]) is NotebookNode  # attribute access, as the exporter expects
    copied.cells[2].outputs[0]["data"]["text/html"] = "changed"
    copied.cells[0].metadata["x"] = 1
    copied.metadata["language_info"]["name"] = "changed"
    assert page.cells[2].outputs[0]["data"]["text/html"] != "changed"
    assert "x" not in page.cells[0].metadata and page.metadata["language_info"]["name"] == "python"


def test_the_page_is_the_same_as_with_the_standard_deep_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    nb = executed_notebook()
    before = copy.deepcopy(nb)
    kw: dict[str, Any] = {"title": "T", "language": "nb", "plotly_js": "../plotly.min.js", "location": "r/1/"}
    fast = _html.notebook_to_html(nb, **kw)
    monkeypatch.setattr(_html, "_PAGE_NODE", NotebookNode)  # nbconvert's copies through copy.deepcopy
    assert _html.notebook_to_html(nb, **kw) == fast
    # nbconvert's stylesheet preprocessor, left out, changes nothing in the page either
    stylesheet = [p for p in _html.exporter()._preprocessors if type(p).__name__ == "CSSHTMLHeaderPreprocessor"]
    assert [p.enabled for p in stylesheet] == [False]
    monkeypatch.setattr(stylesheet[0], "enabled", True)
    assert _html.notebook_to_html(nb, **kw) == fast
    assert nb == before  # the executed notebook is not changed
    assert "æøå" in fast and "a warning" not in fast and "How to use" not in fast


def test_the_runner_loads_its_exporter_and_freezes_what_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the kernels start, the runner builds the page exporter and takes what it loaded out of the garbage
    collector's full collections."""
    import gc

    from altinn_analysis.report._executors import warm_runner

    monkeypatch.setattr(_html, "_EXPORTER", None)
    gc.unfreeze()
    try:
        warm_runner()
        assert _html._EXPORTER is not None and _html.exporter() is _html._EXPORTER  # built once
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test process goes on collecting as usual
