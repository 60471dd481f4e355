"""Which torch device to train on: DESCENT_DEVICE when set, else the best the machine has; always checked."""

import importlib.util
import os
import platform
import shutil
import sys
from typing import NamedTuple

import torch

from helpers._checks import choice

DEVICES = ("cpu", "cuda", "mps")
DEVICE_ENV = "DESCENT_DEVICE"
PRECISIONS = ("auto", "bf16", "fp32")


class TransferOptions(NamedTuple):
    pin_memory: bool  # stage host data in page-locked memory, so the copy can run asynchronously
    non_blocking: bool


class LoaderOptions(NamedTuple):
    num_workers: int
    pin_memory: bool


def _available(kind):
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        mps = getattr(torch.backends, "mps", None)
        return mps is not None and mps.is_available()
    return True


def default_device():
    """$DESCENT_DEVICE (checked: a known kind this machine has), else cuda, then mps, then cpu."""
    wanted = os.environ.get(DEVICE_ENV, "").strip().lower()
    if wanted:
        if wanted not in DEVICES:
            raise ValueError(f"{DEVICE_ENV}={wanted!r} is not a known device; use one of {', '.join(DEVICES)}")
        if not _available(wanted):
            raise ValueError(f"{DEVICE_ENV}={wanted!r} was asked for, but this machine has no {wanted} device")
        return torch.device(wanted)
    return torch.device(next(kind for kind in ("cuda", "mps", "cpu") if _available(kind)))


def resolve_device(device=None):
    """`device` as a torch.device this machine has; None means `default_device()`."""
    if device is None:
        return default_device()
    if isinstance(device, str):
        try:
            device = torch.device(device)
        except RuntimeError as error:
            raise ValueError(f"device {device!r} is not a device name; use one of {', '.join(DEVICES)}") from error
    if not isinstance(device, torch.device):
        raise ValueError(f"device must be a string, a torch.device or None, got {device!r}")
    if device.type not in DEVICES:
        raise ValueError(f"device {str(device)!r} is not supported; use one of {', '.join(DEVICES)}")
    if not _available(device.type):
        raise ValueError(f"device {str(device)!r} was asked for, but this machine has no {device.type} device")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise ValueError(f"device {str(device)!r} was asked for, but this machine has only {count} cuda device(s)")
    return device


# --------------------------------------------------------------------------- precision and data transfer


def bf16_supported(device):
    """Whether `device` runs bfloat16 matrix products natively (CUDA from Ampere on; CPUs with AVX512-BF16 or AMX).

    This says what the hardware can do; `resolve_precision` decides what "auto" uses.
    """
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        # Without the instructions, bf16 on the CPU is emulated and slower than float32.
        return bool(getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)()) or bool(
            getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)()
        )
    return False


def resolve_precision(precision, device):
    """ "bf16" or "fp32": "auto" means bf16 on a CUDA device that supports it, fp32 everywhere else.

    On a CPU "auto" is always fp32, even where the CPU has bfloat16 units: a run then gives the same
    numbers on every CPU, up to the last bits of float32. bf16 stays available as an explicit opt-in.
    """
    choice("precision", precision, PRECISIONS)
    if precision == "auto":
        device = torch.device(device)
        return "bf16" if device.type == "cuda" and bf16_supported(device) else "fp32"
    return precision


def autocast(device, precision):
    """The context the forward pass runs in: bfloat16 autocast for "bf16", nothing for "fp32"."""
    device = torch.device(device)
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=precision == "bf16")


def transfer_options(device_type):
    """How host data is copied to a device of this type: pinned and asynchronous for cuda only."""
    on_gpu = device_type == "cuda"
    return TransferOptions(pin_memory=on_gpu, non_blocking=on_gpu)


def loader_options(device_type):
    """DataLoader settings for the per-item pipeline: 2 workers and pinned memory feeding a GPU.

    On the CPU the workers would take cores from the training itself, so none are used.
    """
    on_gpu = device_type == "cuda"
    return LoaderOptions(num_workers=2 if on_gpu else 0, pin_memory=on_gpu)


def compile_unavailable(device):
    """Why `torch.compile` cannot run on `device` here, as a sentence; None where its compiler is present.

    On a CPU, torch.compile's default backend (inductor) writes C++ and builds it with the compiler named
    by $CXX, else g++ (clang++ on macOS); on a CUDA GPU it generates Triton kernels. This only looks for
    them, which is instant; a compilation can still fail later, so callers keep a fallback.
    """
    device = torch.device(device)
    import torch._dynamo as dynamo  # slow to import: only when asked

    if not dynamo.is_dynamo_supported():
        return (
            f"torch.compile does not support Python {sys.version_info.major}.{sys.version_info.minor} on this platform"
        )
    if device.type == "cpu":
        compiler = os.environ.get("CXX", "").strip() or ("clang++" if sys.platform == "darwin" else "g++")
        if shutil.which(compiler) is None:
            return f"no C++ compiler: torch.compile on a CPU builds its kernels with {compiler}, which is not installed"
    elif device.type == "cuda" and importlib.util.find_spec("triton") is None:
        return "torch.compile on a CUDA GPU generates Triton kernels, and Triton is not installed"
    return None


# --------------------------------------------------------------------------- what runs here


def processor_name(device="cpu"):
    """What does the computing, for a benchmark's or a measurement's heading: the GPU's name, or the CPU model."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores():
    """The CPU cores this process may run on (its affinity mask where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
