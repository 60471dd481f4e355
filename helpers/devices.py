"""Which torch device to train on: DESCENT_DEVICE when set, else the best the machine has; always checked."""

import os
import platform

import torch

DEVICES = ("cpu", "cuda", "mps")
DEVICE_ENV = "DESCENT_DEVICE"


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
