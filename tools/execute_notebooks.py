"""Re-execute notebooks in place, in full mode, and store them the way the course keeps them.

    python tools/execute_notebooks.py                       # every notebook
    python tools/execute_notebooks.py notebooks/01_*.ipynb  # some
    python tools/execute_notebooks.py --quick ...           # quick mode (for a fast look only)

Widget views are not stored (GitHub and a reopened notebook cannot show them), nor is
widget state; kernel metadata is normalised to `python3`.
"""

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def shows_a_widget(cell):
    return any(WIDGET_VIEW in out.get("data", {}) for out in cell.get("outputs", []))


def tidy(nb):
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    for cell in nb.cells:
        if cell.cell_type == "code" and shows_a_widget(cell):
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    return nb


def execute(path, quick, timeout):
    nb = nbformat.read(path, as_version=4)
    env_backup = dict(os.environ)
    try:
        if quick:
            os.environ["DESCENT_QUICK"] = "1"
        else:
            os.environ.pop("DESCENT_QUICK", None)
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    nbformat.write(tidy(nb), path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--quick", action="store_true", help="run in quick mode (DESCENT_QUICK=1)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"executing {path.name} ({'quick' if args.quick else 'full'} mode)", flush=True)
        execute(path.resolve(), args.quick, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
