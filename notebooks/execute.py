"""Runs notebooks/walkthrough.ipynb top to bottom and saves it with its outputs (make notebook).

Execution counts are cleared so that a re-run changes only what the outputs say.
"""

import sys
from pathlib import Path

import nbclient
import nbformat

HERE = Path(__file__).resolve().parent


def main() -> int:
    path = HERE / "walkthrough.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        for output in cell.outputs:
            if output.get("output_type") == "error":
                print(f"error in a cell of {path.name}: {output.get('ename')}: {output.get('evalue')}", file=sys.stderr)
                return 1
            if "execution_count" in output:
                output["execution_count"] = None
    nbformat.write(notebook, path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
