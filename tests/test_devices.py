"""helpers.devices: which device, which precision, how data reaches it, whether torch.compile can run.

The GPU-only choices are tested as the decisions they are, with torch's answers patched;
tests/test_cuda.py runs them on a GPU.
"""

import pytest
import torch

from helpers import devices

CPU = torch.device("cpu")


@pytest.mark.parametrize("cpu_bf16,amx", [(True, False), (False, True), (True, True), (False, False)])
def test_auto_precision_is_fp32_on_every_cpu(monkeypatch, cpu_bf16, amx):
    """Whatever bfloat16 units the CPU has, "auto" computes in float32: the same numbers on every CPU."""
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: cpu_bf16)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    assert devices.bf16_supported(CPU) == (cpu_bf16 or amx)  # what the hardware can do …
    assert devices.resolve_precision("auto", CPU) == "fp32"  # … is not what "auto" uses on a CPU
    assert devices.resolve_precision("auto", "cpu") == "fp32"
    assert devices.resolve_precision("fp32", CPU) == "fp32"
    assert devices.resolve_precision("bf16", CPU) == "bf16"  # an explicit opt-in stays one


@pytest.mark.parametrize("supported,expected", [(True, "bf16"), (False, "fp32")])
def test_auto_precision_on_cuda_asks_the_gpu(monkeypatch, supported, expected):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: supported)
    assert devices.resolve_precision("auto", torch.device("cuda")) == expected


def test_auto_precision_on_mps_is_fp32():
    assert devices.resolve_precision("auto", torch.device("mps")) == "fp32"


@pytest.mark.parametrize("bad", ["fp16", "float32", None, 16])
def test_unknown_precision_is_rejected(bad):
    with pytest.raises(ValueError, match="precision"):
        devices.resolve_precision(bad, CPU)


def test_compile_needs_a_cpp_compiler_on_the_cpu(monkeypatch):
    monkeypatch.setenv("CXX", "a-compiler-that-is-not-installed")
    reason = devices.compile_unavailable(CPU)
    assert "no C++ compiler" in reason and "a-compiler-that-is-not-installed" in reason
    monkeypatch.delenv("CXX")
    monkeypatch.setattr(devices.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert devices.compile_unavailable(CPU) is None


def test_compile_needs_triton_on_cuda(monkeypatch):
    monkeypatch.setattr(devices.importlib.util, "find_spec", lambda name: None)
    assert "Triton" in devices.compile_unavailable(torch.device("cuda"))


def test_explicit_cpu_device_is_accepted():
    assert devices.resolve_device("cpu") == CPU
    assert devices.resolve_device(CPU) == CPU


@pytest.mark.parametrize("bad", ["tpu", "gpu", "cpux", 3])
def test_unknown_device_is_rejected(bad):
    with pytest.raises(ValueError, match="device"):
        devices.resolve_device(bad)


def test_descent_device_cpu_is_honoured(monkeypatch):
    monkeypatch.setenv("DESCENT_DEVICE", "cpu")
    assert devices.resolve_device(None) == CPU


def test_cuda_is_chosen_and_checked_when_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.delenv("DESCENT_DEVICE", raising=False)
    assert devices.resolve_device(None) == torch.device("cuda")
    assert devices.resolve_device("cuda:1") == torch.device("cuda", 1)
    with pytest.raises(ValueError, match="only 2 cuda"):
        devices.resolve_device("cuda:2")


@pytest.mark.parametrize("device_type,pinned", [("cuda", True), ("cpu", False), ("mps", False)])
def test_host_to_device_copies_are_pinned_and_asynchronous_only_for_cuda(device_type, pinned):
    assert devices.transfer_options(device_type) == devices.TransferOptions(pin_memory=pinned, non_blocking=pinned)


@pytest.mark.parametrize("device_type,workers,pinned", [("cuda", 2, True), ("cpu", 0, False), ("mps", 0, False)])
def test_per_item_loader_uses_workers_and_pinning_only_to_feed_a_gpu(device_type, workers, pinned):
    assert devices.loader_options(device_type) == devices.LoaderOptions(num_workers=workers, pin_memory=pinned)
