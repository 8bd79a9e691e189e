"""examples/profile_notebook.ipynb runs in a real Jupyter kernel (this venv's Python) and shows what it says.

nbclient executes the notebook cell by cell in an ipykernel started from
`sys.executable`; the assertions read the cells' outputs: the HTML table, a
translatable function, equal results before and after `accelerate()`, native
calls, and the original function back after `restore()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOK = EXAMPLES / "profile_notebook.ipynb"


def this_python_kernel(tmp_path: Path):
    """A kernel manager whose kernel runs `sys.executable -m ipykernel_launcher`."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernels = tmp_path / "kernels"
    write_kernel_spec(kernels / "rustify-test")
    specs = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
    assert specs.get_kernel_spec("rustify-test").argv[0] == sys.executable
    return KernelManager(kernel_name="rustify-test", kernel_spec_manager=specs)


def outputs_of(nb, cell_id: str) -> list:
    return next(cell for cell in nb.cells if cell.get("id") == cell_id).outputs


def text_of(outputs) -> str:
    parts = []
    for out in outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append("\n".join(out.traceback))
    return "\n".join(parts)


def test_the_shipped_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"cell {cell.id} has stored outputs"


def test_notebook_runs_in_a_real_kernel(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)", id="which-python"))
    # Not in the shipped example: a function defined in a cell (its source comes from IPython's cell cache).
    nb.cells.append(nbformat.v4.new_code_cell(
        "def sum_of_squares(xs):\n"
        "    total = 0.0\n"
        "    for x in xs:\n"
        "        total += x * x\n"
        "    return total\n"
        "\n"
        "xs = [0.5 + i * 1e-6 for i in range(100_000)]\n"
        "with rustify.profile() as cell_prof:\n"
        "    expected = [sum_of_squares(xs) for _ in range(10)]\n"
        "print(cell_prof.accelerate(min_share=0.3))\n"
        "print('equal:', sum_of_squares(xs) == expected[0], sum_of_squares.rustify.last_call)\n"
        "cell_prof.restore()", id="cell-function"))
    client = nbclient.NotebookClient(nb, km=this_python_kernel(tmp_path), timeout=600,
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    client.execute()  # raises CellExecutionError if any cell fails

    assert text_of(outputs_of(nb, "which-python")).strip() == sys.executable

    profile_out = outputs_of(nb, "profile")
    html = "".join(out.data.get("text/html", "") for out in profile_out if out.output_type == "execute_result")
    assert "<table>" in html, profile_out
    assert "profile_workload.distance" in html and "translates for <code>(list[float], list[float])</code>" in html
    assert "profile_workload.label_counts" in html and "stays Python" in html
    plain = text_of(profile_out)
    assert "profile_workload.distance" in plain and "translates for" in plain

    accelerated = text_of(outputs_of(nb, "accelerate"))
    assert "native: profile_workload.distance (list[float], list[float])" in accelerated, accelerated
    assert "left as Python: profile_workload.label_counts" in accelerated, accelerated

    check = text_of(outputs_of(nb, "check"))
    assert "same results as Python: True" in check, check
    assert "distance ran native" in check, check

    assert "distance is plain Python again: True" in text_of(outputs_of(nb, "restore"))

    cell_function = text_of(outputs_of(nb, "cell-function"))
    assert "native: __main__.sum_of_squares (list[float])" in cell_function, cell_function
    assert "equal: True native" in cell_function, cell_function
