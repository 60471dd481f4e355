"""The GPU path: training, resuming, initialization, the landscape, the optimizer adapter, notebooks 11–12.

Every test here runs on a CUDA device, and the whole module is skipped where torch sees none. The CPU
tests cover the same functions bit for bit; here the question is whether each one *runs* on a GPU —
every tensor on the right device, every random draw on its generator's device, bfloat16 autocast,
the CUDA random state saved and restored — and still computes what it should. GPU kernels may add in
another order from one run to the next, so results are compared within float32 rounding, not bit for bit.
"""

import copy
import io
import os
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from nbclient import NotebookClient
from test_training import RULES, step_side_by_side  # as the adapter is checked on the CPU
from torch import nn

from helpers import devices, initialization, landscape, mnist, models, optim, schedules, training
from helpers.torch_adapter import HelpersOptimizer

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device: torch.cuda.is_available() is False"
)

ROOT = Path(__file__).resolve().parents[1]
CUDA = torch.device("cuda")
CPU = torch.device("cpu")
NOTEBOOK_TIMEOUT = 1200  # seconds per cell: the first torch.compile on a GPU can take minutes


@pytest.fixture(scope="module")
def digits():
    return mnist.load()


@pytest.fixture(scope="module")
def small(digits):
    """1,000 training images drawn from every digit, and 500 others to validate on."""
    (images, labels), (val_images, val_labels) = training.split(
        digits.train_images, digits.train_labels, n_val=500, seed=1
    )
    return (images[:1000], labels[:1000]), (val_images, val_labels)


@pytest.fixture()
def deterministic_cudnn():
    """cuDNN's deterministic algorithms, so that two runs of the same steps agree as closely as a GPU allows."""
    saved = torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    yield
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = saved


def fresh_model(seed=0):
    torch.manual_seed(seed)
    return models.classic_cnn()


def weights(model):
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def conv_output_dtypes(model):
    seen = set()
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            module.register_forward_hook(lambda m, i, out: seen.add(out.dtype))
    return seen


def precisions():
    supported = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return ["fp32", pytest.param("bf16", marks=pytest.mark.skipif(not supported, reason="this GPU has no bfloat16"))]


# --------------------------------------------------------------------------- training


@pytest.mark.parametrize("precision", precisions())
def test_fit_learns_on_the_gpu(small, precision):
    train, val = small
    model = fresh_model()
    seen = conv_output_dtypes(model)
    history = training.fit(
        model,
        train,
        optim.adam(lr=2e-3),
        3,
        batch_size=50,
        device="cuda",
        precision=precision,
        augment=True,
        val_data=val,
        progress=False,
    )
    assert seen == {torch.bfloat16 if precision == "bf16" else torch.float32}
    assert all(p.device.type == "cuda" and p.dtype == torch.float32 for p in model.parameters())
    assert np.isfinite(history.train_loss).all() and history.train_loss[-1] < history.train_loss[0]
    assert history.val_accuracy[-1] > 0.8
    loss, accuracy = training.evaluate(model, val, precision=precision)
    assert accuracy == pytest.approx(history.val_accuracy[-1], abs=0.01) and np.isfinite(loss)
    logits = training.predict(model, val)
    assert logits.device == CPU and logits.shape == (500, 10) and logits.dtype == torch.float32


def test_auto_precision_is_bf16_exactly_where_this_gpu_supports_it():
    expected = "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    assert devices.resolve_precision("auto", "cuda") == expected
    assert devices.resolve_precision("auto", CPU) == "fp32"


def test_data_goes_to_the_gpu_normalized_and_channels_last(small):
    (images, labels), _ = small
    data = training.to_device_tensors(images, labels, "cuda")
    assert data.images.device.type == "cuda" and data.labels.device.type == "cuda"
    assert data.images.is_contiguous(memory_format=torch.channels_last)
    on_cpu = training.to_device_tensors(images, labels, "cpu")
    torch.testing.assert_close(data.images.cpu(), on_cpu.images)
    assert torch.equal(data.labels.cpu(), on_cpu.labels)


def test_fit_leaves_the_cpu_and_gpu_random_states_alone(small):
    train, _ = small
    model = fresh_model()  # built first: building seeds and draws
    torch.manual_seed(123)
    cpu_state, gpu_state = torch.get_rng_state(), torch.cuda.get_rng_state()
    training.fit(model, train, optim.sgd(lr=0.05), 1, batch_size=100, device="cuda", progress=False)
    assert torch.equal(torch.get_rng_state(), cpu_state)
    assert torch.equal(torch.cuda.get_rng_state(), gpu_state)


class Crash(Exception):
    pass


def test_resume_after_an_interruption_continues_the_run(small, tmp_path, deterministic_cudnn):
    train, _ = small
    settings = dict(batch_size=100, device="cuda", precision="fp32", augment=True, progress=False, seed=5)

    def rule():
        return optim.sgd(lr=0.05, momentum=0.9, nesterov=True)

    unbroken = fresh_model()
    history = training.fit(unbroken, train, rule(), 2, checkpoint_dir=tmp_path / "unbroken", **settings)

    steps_per_epoch = len(train[1]) // 100

    def crashing_schedule(t):
        if t == steps_per_epoch + 3:
            raise Crash(f"killed at step {t}")
        return {"lr": 0.05}

    with pytest.raises(Crash):
        training.fit(
            fresh_model(),
            train,
            rule(),
            2,
            checkpoint_dir=tmp_path / "crashed",
            schedule=crashing_schedule,
            **settings,
        )
    checkpoint = training.load_checkpoint(tmp_path / "crashed")
    assert checkpoint["epoch"] == 1
    assert set(checkpoint["rng"]) == {"torch_cpu", "data", "cuda"}
    assert all(state.device == CPU for state in checkpoint["rng"].values())

    resumed = fresh_model(seed=99)  # other initial weights: they must all come from the checkpoint
    resumed_history = training.fit(
        resumed,
        train,
        rule(),
        2,
        checkpoint_dir=tmp_path / "crashed",
        resume=True,
        schedule=schedules.constant(0.05),
        **settings,
    )
    assert resumed_history.epoch == [1, 2]
    assert resumed_history.train_loss[0] == checkpoint["history"]["train_loss"][0]  # epoch 1 read back, not rerun
    # Epoch 2 replays the same order, shifts and dropout masks (the CUDA generator's state came back too):
    # a wrong random state would move the weights by orders of magnitude more than rounding does.
    for name, value in weights(unbroken).items():
        torch.testing.assert_close(weights(resumed)[name], value, rtol=1e-4, atol=1e-5, msg=name)
    assert resumed_history.train_loss[1] == pytest.approx(history.train_loss[1], rel=1e-4)


def test_seconds_per_step_on_the_gpu(small):
    train, _ = small
    seconds = training.seconds_per_step(fresh_model(), train, optim.adam(lr=1e-3), batch_size=100, device="cuda")
    assert 0 < seconds < 10


def test_compiled_training_forward_on_the_gpu(small):
    reason = devices.compile_unavailable(CUDA)
    if reason is not None:
        pytest.skip(reason)
    train, _ = small
    history = training.fit(
        fresh_model(), train, optim.adam(lr=1e-3), 1, batch_size=100, device="cuda", compile=True, progress=False
    )
    assert np.isfinite(history.train_loss).all()


# --------------------------------------------------------------------------- initialization


def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 26 * 26, 10))


@pytest.mark.parametrize(
    "scheme, settings",
    [
        ("zeros", {}),
        ("constant", {"value": 0.01}),
        ("normal", {"std": 0.05}),
        ("he", {}),
        ("he", {"scale": 2.0}),
        ("pytorch", {}),
    ],
)
def test_initialize_every_scheme_on_the_gpu(scheme, settings):
    on_gpu = small_cnn().to(CUDA, memory_format=torch.channels_last)
    initialization.initialize(on_gpu, scheme, generator=torch.Generator().manual_seed(0), **settings)
    assert all(p.device.type == "cuda" and torch.isfinite(p).all() for p in on_gpu.parameters())
    if scheme == "pytorch":  # the layers' own reset_parameters, drawn from the GPU's global generator
        for _, layer in initialization.layers(on_gpu):
            bound = initialization.pytorch_default_bound(initialization.fan_in(layer.weight))
            assert layer.weight.abs().max() <= bound
        return
    on_cpu = initialization.initialize(small_cnn(), scheme, generator=torch.Generator().manual_seed(0), **settings)
    for (_, a), (_, b) in zip(initialization.layers(on_gpu), initialization.layers(on_cpu)):
        assert torch.equal(a.weight.cpu(), b.weight), "a CPU generator gives the same weights on every device"
        assert torch.equal(a.bias.cpu(), b.bias)


def test_initialize_without_a_generator_and_with_a_gpu_generator():
    model = small_cnn().to(CUDA)
    initialization.initialize(model, "he")  # torch's global CPU generator, then a copy
    initialization.initialize(model, "he", generator=torch.Generator(device=CUDA).manual_seed(0))  # drawn on the GPU
    assert all(p.device.type == "cuda" and torch.isfinite(p).all() for p in model.parameters())


def test_activation_stats_on_the_gpu():
    model = initialization.initialize(
        initialization.mlp(depth=6, width=64).to(CUDA), "he", generator=torch.Generator().manual_seed(0)
    )
    stats = initialization.activation_stats(model, torch.randn(256, 1, 28, 28, generator=torch.Generator()).to(CUDA))
    assert len(stats) == 6 and all(np.isfinite(s.std) and s.std > 0 for s in stats)


# --------------------------------------------------------------------------- the loss landscape


def landscape_net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 3 * 3, 6),
        nn.ReLU(),
        nn.Linear(6, 3),
    )


def batch_on(device):
    generator = torch.Generator().manual_seed(1)
    x, y = torch.randn(32, 1, 8, 8, generator=generator), torch.randint(0, 3, (32,), generator=generator)
    return x.to(device), y.to(device)


def loss_fn_on(device):
    x, y = batch_on(device)
    return lambda model: F.cross_entropy(model(x), y).item()


def test_landscape_helpers_on_the_gpu_match_the_cpu():
    cpu_model = landscape_net()
    gpu_model = copy.deepcopy(cpu_model).to(CUDA)
    results = {}
    for device, model in ((CPU, cpu_model), (CUDA, gpu_model)):
        loss_fn = loss_fn_on(device)
        start = landscape.parameters(model)
        direction = landscape.random_direction(model, seed=3)
        assert all(d.device.type == device.type for d in direction.values())
        snapshots = [landscape.combine(start, [direction], [c]) for c in (0.0, 0.3, 0.5, 1.0)]
        snapshots = [
            landscape.combine(s, [landscape.random_direction(model, seed=4)], [0.1 * i])
            for i, s in enumerate(snapshots)
        ]
        pca = landscape.pca_directions(snapshots)
        assert all(d.device.type == device.type for d in pca.directions[0].values())
        results[device.type] = dict(
            line=landscape.line(model, start, direction, loss_fn, np.linspace(-1, 1, 5)),
            interpolate=landscape.interpolate(model, snapshots[0], snapshots[-1], loss_fn, [0.0, 0.5, 1.0]),
            plane=landscape.plane(model, snapshots[-1], *pca.directions, loss_fn, [-0.5, 0.0, 0.5], [-0.5, 0.5]),
            explained=pca.explained,
        )
        torch.testing.assert_close(landscape.parameters(model), start, rtol=0, atol=0)  # the model's own weights back
    for name in ("line", "interpolate", "plane", "explained"):
        # within float32 rounding, and the TensorFloat-32 inputs cuDNN's convolutions may use on a GPU
        np.testing.assert_allclose(results["cuda"][name], results["cpu"][name], rtol=5e-3, atol=1e-5, err_msg=name)


def test_a_cpu_direction_moves_a_gpu_model():
    model = landscape_net().to(CUDA)
    direction = landscape.random_direction(landscape_net(), seed=0)  # drawn for a CPU copy
    point = landscape.combine(landscape.parameters(model), [direction], [0.5])
    assert all(value.device.type == "cuda" for value in point.values())


# --------------------------------------------------------------------------- the optimizer adapter


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_adapter_steps_like_torch_on_the_gpu(rule):
    """Two copies of the CNN on the GPU, one per optimizer, fed the same gradients step after step."""
    torch.manual_seed(0)
    reference = models.classic_cnn().to(CUDA)
    twin = copy.deepcopy(reference)
    theirs = rule.torch_class(reference.parameters(), **rule.hparams, foreach=False)
    ours = HelpersOptimizer(twin.parameters(), rule)
    step_side_by_side(reference, twin, theirs, ours, device=CUDA)
    for p, q in zip(reference.parameters(), twin.parameters()):
        torch.testing.assert_close(q, p, rtol=0, atol=1e-6)
    for state in ours.state.values():
        assert all(value.device.type == "cuda" for value in state.values() if isinstance(value, torch.Tensor))


def test_adapter_state_round_trips_to_the_gpu(small):
    train, _ = small
    model = fresh_model().to(CUDA)
    optimizer = HelpersOptimizer(model.parameters(), optim.adam(lr=1e-3))
    training.fit(model, train, optimizer, 1, batch_size=100, device="cuda", progress=False)
    buffer = io.BytesIO()
    torch.save(optimizer.state_dict(), buffer)
    buffer.seek(0)
    restored = HelpersOptimizer(model.parameters(), optim.adam(lr=1e-3))
    restored.load_state_dict(torch.load(buffer, map_location="cuda", weights_only=True))
    for p in model.parameters():
        for name, value in optimizer.state[p].items():
            if isinstance(value, torch.Tensor):
                assert restored.state[p][name].device.type == "cuda"
                assert torch.equal(restored.state[p][name], value)
            else:
                assert restored.state[p][name] == value
    training.fit(model, train, restored, 2, batch_size=100, device="cuda", progress=False)  # and it steps on


# --------------------------------------------------------------------------- notebooks 11 and 12


@pytest.mark.parametrize("name", ["11_mnist_cnn.ipynb", "12_tuning_the_cnn.ipynb"])
def test_notebook_runs_on_the_gpu_in_quick_mode(name, tmp_path, monkeypatch):
    """Every cell runs and every assertion in it holds; the stored outputs came from a CPU and are not compared."""
    copy_path = tmp_path / name
    shutil.copy(ROOT / "notebooks" / name, copy_path)
    monkeypatch.setenv("DESCENT_DEVICE", "cuda")
    monkeypatch.setenv("DESCENT_QUICK", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(copy_path, as_version=4)
    client = NotebookClient(
        notebook, timeout=NOTEBOOK_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, at the first error or failed assertion
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.output_type == "error"]
    setup_line = "".join(output.get("text", "") for output in notebook.cells[1].outputs)
    assert "device cuda" in setup_line and "quick mode" in setup_line, setup_line
    warnings = [output.text for output in outputs if output.output_type == "stream" and output.name == "stderr"]
    if warnings:
        print(f"{name} wrote to stderr on the GPU:\n" + "\n".join(warnings))
