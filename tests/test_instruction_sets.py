"""CI's second nbval pass runs the notebooks on a lower instruction-set path; these tests prove that path differs.

Every numerical library picks the fastest kernels the CPU offers, and different kernels round differently. An
environment variable can make a library pick slower kernels, never faster ones (those would crash with an illegal
instruction). The second pass steps each library one level below what it picks here:

    knob                        library                                    AVX-512 CPU    AVX2 CPU
    OPENBLAS_CORETYPE           numpy's OpenBLAS: matrix products, solve   Haswell        Sandybridge
    NPY_DISABLE_CPU_FEATURES    numpy's own SIMD loops: exp, tanh, sin     its AVX-512    X86_V3
    ATEN_CPU_CAPABILITY         torch's CPU kernels: softmax, …            avx2           default
    ONEDNN_MAX_CPU_ISA          torch's convolutions (oneDNN)              AVX2           AVX

A knob already set in the environment counts as what the library picks, so the second pass still differs.

    python tests/test_instruction_sets.py    # KEY=VALUE lines for `env`, as .ci/run uses them

Each test below runs a probe in a fresh interpreter with and without its knob and asserts that the printed
results change, by round-off only. A knob that cannot step down on this CPU is skipped, with the reason.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
KNOBS = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")

# What each library picks in this environment, printed as JSON by a fresh interpreter.
INSPECT = r"""
import ctypes, glob, json, os, platform
import numpy
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
import torch


def openblas_core():
    try:
        import threadpoolctl
        for info in threadpoolctl.threadpool_info():
            if info.get("internal_api") == "openblas":
                return info.get("architecture")
    except ImportError:
        pass
    libs = os.path.dirname(numpy.__file__)
    for path in glob.glob(libs + ".libs/*openblas*") + glob.glob(os.path.join(libs, ".dylibs", "*openblas*")):
        lib = ctypes.CDLL(path)  # numpy loaded it already: the same library, the same choice
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                     "openblas_get_corename64_", "openblas_get_corename"):
            if hasattr(lib, name):
                getattr(lib, name).restype = ctypes.c_char_p
                return getattr(lib, name)().decode()
    return None


flags = []
if os.path.exists("/proc/cpuinfo"):
    for line in open("/proc/cpuinfo"):
        if line.startswith("flags"):
            flags = line.split(":", 1)[1].split()
            break
print(json.dumps({
    "machine": platform.machine().lower(),
    "flags": flags,
    "openblas": openblas_core(),
    "numpy": [group for group in __cpu_dispatch__ if __cpu_features__.get(group)],
    "torch": torch.backends.cpu.get_cpu_capability(),
}))
"""

# One probe per knob: float64 results (float32 where the kernel is float32), printed with repr.
PROBES = {
    "OPENBLAS_CORETYPE": r"""
import json
import numpy as np
from helpers import surfaces

bowl, H = surfaces.quadratic(kappa=10.0, angle=np.pi / 6), surfaces.hessian(kappa=10.0, angle=np.pi / 6)
newton = bowl.start - np.linalg.solve(H, bowl.grad(bowl.start))  # notebook 01's Newton step
rng = np.random.default_rng(0)
a, b = rng.normal(size=(64, 64)), rng.normal(size=(64, 64))
values = np.r_[bowl.f(newton), (a @ b).ravel(), np.linalg.solve(a, b[:, 0])]
print(json.dumps([repr(float(v)) for v in values]))
""",
    "NPY_DISABLE_CPU_FEATURES": r"""
import json
import numpy as np

x = np.linspace(-3, 3, 20_001)
values = np.r_[np.exp(x), np.tanh(x), np.log1p(np.abs(x)), np.exp(x.astype(np.float32)), np.sin(x.astype(np.float32))]
print(json.dumps([repr(float(v)) for v in values]))
""",
    "ATEN_CPU_CAPABILITY": r"""
import json
import torch

a = torch.randn(64, 257, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
values = torch.cat([torch.softmax(a, 1).ravel(), torch.softmax(a.float(), 1).double().ravel()])
print(json.dumps([repr(v) for v in values.tolist()]))
""",
    "ONEDNN_MAX_CPU_ISA": r"""
import json
import torch

g = torch.Generator().manual_seed(0)
images, weights = torch.randn(64, 16, 28, 28, generator=g), torch.randn(32, 16, 5, 5, generator=g)
values = torch.nn.functional.conv2d(images, weights)[:4].double().ravel()
print(json.dumps([repr(v) for v in values.tolist()]))
""",
}
# How far apart two paths may be, relative to the largest value, and still differ only by round-off.
RELATIVE_ROUNDOFF = {
    "OPENBLAS_CORETYPE": 1e-10,
    "NPY_DISABLE_CPU_FEATURES": 1e-6,
    "ATEN_CPU_CAPABILITY": 1e-6,
    "ONEDNN_MAX_CPU_ISA": 1e-4,
}

OPENBLAS_AVX512 = {"skylakex", "cooperlake", "sapphirerapids"}
OPENBLAS_AVX2 = {"haswell", "zen"}
ONEDNN_LADDER = ("AVX512_CORE", "AVX2", "AVX", "SSE41")


# --------------------------------------------------------------------------- one level down, per library


def openblas_step(core):
    """The OpenBLAS core one level below `core`, or None."""
    core = (core or "").lower()
    if core in OPENBLAS_AVX512:
        return "Haswell"  # AVX2 and FMA, as on most x86 machines without AVX-512
    if core in OPENBLAS_AVX2:
        return "Sandybridge"  # AVX without FMA
    return None


def numpy_step(found, already=""):
    """NPY_DISABLE_CPU_FEATURES that switches off numpy's highest SIMD groups `found` here, or None.

    numpy 2.4 dispatches to the groups X86_V3 (AVX2), X86_V4, AVX512_ICL and AVX512_SPR and ignores other
    names; every AVX-512 group must go for its loops to fall back to AVX2. The groups `already` disabled stay so.
    """
    above_avx2 = [group for group in found if group != "X86_V3"]
    step = above_avx2 or [group for group in found if group == "X86_V3"]
    if not step:
        return None
    return ",".join([group for group in already.replace(",", " ").split()] + step)


def torch_step(capability):
    """The ATEN_CPU_CAPABILITY one level below torch's `capability`, or None."""
    return {"AVX512": "avx2", "AVX2": "default"}.get((capability or "").upper())


def onednn_step(flags, already=""):
    """The ONEDNN_MAX_CPU_ISA one level below the best this CPU's `flags` (or `already`) allow, or None."""
    if already.upper() in ONEDNN_LADDER:
        level = ONEDNN_LADDER.index(already.upper())
    elif "avx512f" in flags:
        level = 0
    elif "avx2" in flags:
        level = 1
    elif "avx" in flags:
        level = 2
    else:
        return None
    return ONEDNN_LADDER[level + 1] if level + 1 < len(ONEDNN_LADDER) else None


# --------------------------------------------------------------------------- the second pass


def run_python(source, env):
    done = subprocess.run(
        [sys.executable, "-c", source], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def inspect(env=None):
    """What each library picks in `env` (default: this environment)."""
    return run_python(INSPECT, dict(os.environ if env is None else env))


def second_pass_environment(env=None):
    """{knob: value} that steps every library that can one level down from what it picks in `env`."""
    env = dict(os.environ if env is None else env)
    picked = inspect(env)
    if picked["machine"] not in ("x86_64", "amd64"):
        return {}  # the knobs and their levels are x86-64's
    steps = {
        "OPENBLAS_CORETYPE": openblas_step(picked["openblas"]),
        "NPY_DISABLE_CPU_FEATURES": numpy_step(picked["numpy"], env.get("NPY_DISABLE_CPU_FEATURES", "")),
        "ATEN_CPU_CAPABILITY": torch_step(picked["torch"]),
        "ONEDNN_MAX_CPU_ISA": onednn_step(picked["flags"], env.get("ONEDNN_MAX_CPU_ISA", "")),
    }
    return {knob: value for knob, value in steps.items() if value is not None}


def main():
    steps = second_pass_environment()
    if not steps:
        print("no library can step down to a lower instruction set on this CPU", file=sys.stderr)
        return 1
    for knob, value in steps.items():
        print(f"{knob}={value}")
    return 0


# --------------------------------------------------------------------------- the proof


@pytest.fixture(scope="module")
def second_pass():
    return second_pass_environment()


@pytest.mark.parametrize("knob", KNOBS)
def test_the_second_pass_changes_what_each_library_computes(knob, second_pass):
    if knob not in second_pass:
        picked = inspect()
        pytest.skip(
            f"{knob} cannot step down on this {picked['machine']} CPU (OpenBLAS {picked['openblas']}, "
            f"numpy {'+'.join(picked['numpy']) or 'baseline'}, torch {picked['torch']})"
        )
    first = run_python(PROBES[knob], dict(os.environ))
    second = run_python(PROBES[knob], {**os.environ, knob: second_pass[knob]})
    changed = [(a, b) for a, b in zip(first, second) if a != b]
    assert len(first) == len(second) and changed, f"{knob}={second_pass[knob]} printed the same {len(first)} values"
    a, b = np.array([float(v) for v in first]), np.array([float(v) for v in second])
    assert np.abs(a - b).max() <= RELATIVE_ROUNDOFF[knob] * np.abs(a).max(), "they differ by more than round-off"


def test_notebook_01s_newton_loss_moves_with_openblas(second_pass):
    """The value the course once printed, 2.05e-30 here, 2.04e-30 on a CPU without AVX-512."""
    if second_pass.get("OPENBLAS_CORETYPE") != "Haswell":
        pytest.skip("OpenBLAS does not run its AVX-512 kernels here")
    first = run_python(PROBES["OPENBLAS_CORETYPE"], dict(os.environ))[0]
    second = run_python(PROBES["OPENBLAS_CORETYPE"], {**os.environ, "OPENBLAS_CORETYPE": "Haswell"})[0]
    assert f"{float(first):.2e}" != f"{float(second):.2e}" and abs(float(first) - float(second)) < 1e-31


def test_a_knob_already_set_steps_further_down(second_pass):
    if "OPENBLAS_CORETYPE" not in second_pass:
        pytest.skip("OpenBLAS cannot step down on this CPU")
    env = {**os.environ, "OPENBLAS_CORETYPE": second_pass["OPENBLAS_CORETYPE"]}  # as if the machine set it
    again = second_pass_environment(env)
    assert again.get("OPENBLAS_CORETYPE") not in (None, env["OPENBLAS_CORETYPE"])


def test_the_steps_go_one_level_down():
    assert openblas_step("SkylakeX") == "Haswell" and openblas_step("Zen") == "Sandybridge"
    assert openblas_step("Prescott") is None and openblas_step(None) is None
    assert numpy_step(["X86_V3", "X86_V4", "AVX512_ICL"]) == "X86_V4,AVX512_ICL"
    assert numpy_step(["X86_V3"], already="AVX512_ICL X86_V4") == "AVX512_ICL,X86_V4,X86_V3"
    assert numpy_step([]) is None
    assert torch_step("AVX512") == "avx2" and torch_step("AVX2") == "default" and torch_step("DEFAULT") is None
    assert onednn_step(["avx2", "avx512f"]) == "AVX2" and onednn_step(["avx", "avx2"]) == "AVX"
    assert onednn_step(["avx512f"], already="AVX2") == "AVX" and onednn_step(["sse4_1"]) is None


if __name__ == "__main__":
    sys.exit(main())
