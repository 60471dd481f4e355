"""Measure what each notebook costs on a Binder-sized machine: full mode, one CPU core, one thread, fp32.

    python tools/measure_notebooks.py                        # every notebook
    python tools/measure_notebooks.py notebooks/11_*.ipynb   # some

Each notebook runs in a fresh kernel pinned to one core (`taskset -c 0`) with one BLAS/OpenMP/torch
thread, in full mode, on the data that ships with the course, from a copy in a temporary folder (the
stored notebook is left alone). Printed per notebook: the wall time of the execution and the kernel's
peak resident memory (VmHWM, read by one extra cell at the end), beside the reading time of its
text at READING_PACE words a minute. These are the columns of the README's table of notebooks.

Binder gives each user 1 CPU and 2 GB; the course's budget is 10 minutes and 1.5 GB per notebook.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers.devices import processor_name

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MINUTES = 10
BUDGET_GB = 1.5
READING_PACE = 120  # words a minute: a careful pace for text with equations
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
# Executed inside the pinned child process: runs the notebook copy and reports wall time and VmHWM.
CHILD = r"""
import json, sys, time
import nbformat
from nbclient import NotebookClient

path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell(
    "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"))
started = time.perf_counter()
NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
seconds = time.perf_counter() - started
peak_kib = int(nb.cells[-1].outputs[0]["text"].strip())
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024}))
"""


def reading_minutes(path):
    """Minutes to read the notebook's markdown cells at READING_PACE words a minute."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    words = sum(len("".join(cell["source"]).split()) for cell in cells if cell["cell_type"] == "markdown")
    return words / READING_PACE


def measure(path, core):
    with tempfile.TemporaryDirectory(prefix="descent-measure-") as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        env = {key: value for key, value in os.environ.items() if key not in ("DESCENT_QUICK", "DESCENT_MNIST_FULL")}
        env.update(ONE_THREAD, DESCENT_DEVICE="cpu", MPLBACKEND="Agg")
        command = ["taskset", "-c", str(core), sys.executable, "-c", CHILD, str(copy), folder]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{path.name} failed on one core:\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--core", type=int, default=0, help="the CPU core to pin the kernel to (default 0)")
    args = parser.parse_args(argv)
    if shutil.which("taskset") is None:
        parser.error("taskset (util-linux) is needed to pin the kernel to one core")
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"full mode, 1 core of {processor_name()}, 1 thread, fp32\n")
    print(
        f"| notebook | reading (min) | minutes on one CPU core | peak memory (MB) | within {BUDGET_MINUTES} min and {BUDGET_GB} GB |"
    )
    print("|---|---|---|---|---|")
    over = 0
    for path in paths:
        figures = measure(path.resolve(), args.core)
        minutes, megabytes = figures["seconds"] / 60, figures["peak_mib"] * 1.048576
        fits = minutes <= BUDGET_MINUTES and megabytes <= BUDGET_GB * 1000
        over += not fits
        print(
            f"| {path.stem} | {reading_minutes(path):.0f} | {minutes:.1f} | {megabytes:,.0f} | {'yes' if fits else 'NO'} |",
            flush=True,
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
