"""The walkthrough notebook runs top to bottom, so it cannot rot."""

import pytest

from tests.conftest import ROOT


def test_notebook_uses_only_the_public_api_and_is_saved_with_its_outputs():
    import re

    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(ROOT / "notebooks" / "walkthrough.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert set(re.findall(r"^(?:from|import) (kg\S*)", code, re.MULTILINE)) <= {"kg"}
    assert all(cell.outputs for cell in notebook.cells if cell.cell_type == "code")


def test_notebook_walkthrough_executes():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(ROOT / "notebooks" / "walkthrough.ipynb", as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "built 5 documents" in text and "bloc 1:" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("text/html" in o.get("data", {}) for o in outputs)
