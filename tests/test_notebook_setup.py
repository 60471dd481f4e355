"""helpers.notebook: quick mode, device choice and the setup line."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import notebook


@pytest.mark.parametrize(
    "value,quick", [("1", True), ("yes", True), ("", False), ("0", False), ("false", False), (None, False)]
)
def test_quick_mode_is_read_when_asked(monkeypatch, value, quick):
    if value is None:
        monkeypatch.delenv("DESCENT_QUICK", raising=False)
    else:
        monkeypatch.setenv("DESCENT_QUICK", value)
    assert notebook.quick_mode() is quick and notebook.QUICK is quick
    assert notebook.quick("q", "full") == ("q" if quick else "full")
    namespace = {}
    exec("from helpers.notebook import QUICK", namespace)  # what a notebook's setup cell does
    assert namespace["QUICK"] is quick


def test_an_unknown_attribute_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'QUIK'"):
        notebook.QUIK  # noqa: B018


def test_device_defaults_to_the_best_available(monkeypatch):
    monkeypatch.delenv("DESCENT_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert notebook.device().type == expected


def test_device_honours_descent_device(monkeypatch):
    monkeypatch.setenv("DESCENT_DEVICE", "CPU")
    assert notebook.device() == torch.device("cpu")


def test_unknown_device_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DESCENT_DEVICE", "tpu")
    with pytest.raises(ValueError, match="tpu.*cpu, cuda, mps"):
        notebook.device()


def test_unavailable_device_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("DESCENT_DEVICE", "cuda")
    with pytest.raises(ValueError, match="no cuda device"):
        notebook.device()


def test_setup_notebook_seeds_and_prints_one_line(capsys, monkeypatch):
    monkeypatch.delenv("DESCENT_DEVICE", raising=False)
    notebook.setup_notebook(seed=3)
    first = (np.random.rand(), torch.rand(1).item())
    notebook.setup_notebook(seed=3)
    assert (np.random.rand(), torch.rand(1).item()) == first
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and "torch" in lines[0] and "seed 3" in lines[0]


@pytest.mark.parametrize("target", ["notebooks/00_start_here.ipynb", "tests/test_notebook_setup.py"])
def test_any_pytest_run_sets_the_course_defaults(target):
    """`pytest notebooks/NN_name.ipynb` alone gets the same quick mode and data as the whole suite.

    nbval's kernels inherit the pytest process's environment, so the environment after collection is
    what every notebook sees.
    """
    root = Path(__file__).resolve().parents[1]
    code = (
        f"import os, pytest; pytest.main(['-q', '--collect-only', {target!r}]); "
        "print('QUICK=' + os.environ.get('DESCENT_QUICK', ''), 'FULL=' + os.environ.get('DESCENT_MNIST_FULL', ''))"
    )
    env = {key: value for key, value in os.environ.items() if key != "DESCENT_QUICK"}
    env["DESCENT_MNIST_FULL"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "QUICK=1 FULL="


@pytest.mark.parametrize(
    "device,message",
    [
        ("tpu", "not a device name"),
        ("xla", "not supported"),
        (3, "must be a string"),
        ("cuda:7", "no cuda device|only"),
        ("mps", "no mps device"),
    ],
)
def test_resolve_device_refuses_what_this_machine_lacks(device, message):
    from helpers import devices

    if device == "mps" and getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        pytest.skip("this machine has an mps device")
    with pytest.raises(ValueError, match=message):
        devices.resolve_device(device)


def test_resolve_device_none_is_the_default(monkeypatch):
    from helpers import devices

    monkeypatch.setenv("DESCENT_DEVICE", "cpu")
    assert devices.resolve_device(None) == devices.resolve_device("cpu") == torch.device("cpu")
