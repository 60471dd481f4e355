"""helpers.training and helpers.torch_adapter: learning, determinism, resume, atomic checkpoints, devices.

Everything runs on the CPU with small subsets of the MNIST images that ship with the course; the
GPU-only choices (pinning, workers, device checks, bf16 detection) are tested as the decisions they
are, with torch's answers patched. tests/test_cuda.py runs the same functions on a GPU.
"""

import copy
import io
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import checkpoint, devices, mnist, models, optim, schedules, training
from helpers.torch_adapter import HelpersOptimizer

CPU = torch.device("cpu")


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    # The test processes share two cores; OpenMP threads waiting on each other for a busy core cost
    # more than a second thread brings on these small batches.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def digits():
    return mnist.load()  # the data that ships with the course: no network, no folder beside the project


@pytest.fixture(scope="module")
def small(digits):
    """200 training images drawn from every digit (the shipped subset is sorted by digit): 4 steps of 50."""
    (images, labels), _ = training.split(
        digits.train_images, digits.train_labels, n_val=len(digits.train_labels) - 200, seed=1
    )
    return images, labels


def fresh_model(seed=0):
    torch.manual_seed(seed)
    return models.classic_cnn()


def weights(model):
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), f"{name} differs"


def quick_fit(model, data, **kwargs):
    settings = dict(batch_size=50, device="cpu", precision="fp32", progress=False, seed=0)
    settings.update(kwargs)
    epochs = settings.pop("epochs", 1)
    optimizer = settings.pop("optimizer", optim.adam(lr=1e-3))
    return training.fit(model, data, optimizer, epochs, **settings)


# --------------------------------------------------------------------------- learning


def test_one_short_epoch_on_real_mnist_learns_the_digits(digits):
    (images, labels), _ = training.split(digits.train_images, digits.train_labels, n_val=3000, seed=0)
    model = fresh_model()
    history = training.fit(
        model,
        (images, labels),
        optim.adam(lr=1e-3),
        1,
        batch_size=50,
        device="cpu",
        progress=False,
        val_data=(digits.test_images[:1000], digits.test_labels[:1000]),
    )
    loss, accuracy = training.evaluate(model, (digits.test_images[:1000], digits.test_labels[:1000]))
    assert len(images) == 2000
    assert accuracy > 0.8
    assert history.val_accuracy == [pytest.approx(accuracy)]
    assert history.val_loss[0] < np.log(10)  # better than guessing uniformly
    assert history.epoch == [1] and history.lr == [1e-3]


def test_predict_agrees_with_evaluate(digits, small):
    model = fresh_model()
    quick_fit(model, small)
    test = (digits.test_images[:500], digits.test_labels[:500])
    logits = training.predict(model, test[0], batch_size=128)
    assert logits.shape == (500, 10) and logits.dtype == torch.float32 and logits.device == CPU
    loss, accuracy = training.evaluate(model, test, batch_size=128)
    labels = torch.from_numpy(test[1].astype(np.int64))
    assert accuracy == pytest.approx((logits.argmax(1) == labels).float().mean().item())
    assert loss == pytest.approx(F.cross_entropy(logits, labels).item(), rel=1e-5)
    assert torch.allclose(logits.softmax(1).sum(1), torch.ones(500))


# --------------------------------------------------------------------------- determinism and resume


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_same_seed_gives_identical_weights(small, precision):
    runs = []
    for _ in range(2):
        model = fresh_model()
        history = quick_fit(model, small, epochs=2, augment=True, precision=precision, seed=3)
        runs.append((weights(model), history))
    assert_same_weights(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    other = fresh_model()
    quick_fit(other, small, epochs=2, augment=True, precision=precision, seed=4)
    assert not torch.equal(weights(other)["7.weight"], runs[0][0]["7.weight"])


def test_fit_leaves_the_global_random_state_alone(small):
    model = fresh_model()
    torch.manual_seed(123)
    before = torch.get_rng_state()
    quick_fit(model, small)
    assert torch.equal(torch.get_rng_state(), before)


class Crash(Exception):
    pass


def crashing_schedule(at_step):
    def schedule(t):
        if t == at_step:
            raise Crash(f"killed at step {t}")
        return {"lr": 1e-3}

    return schedule


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda: optim.sgd(lr=0.05, momentum=0.9, nesterov=True),
        lambda: lambda params: torch.optim.Adam(params, lr=1e-3),
    ],
    ids=["helpers-sgd-nesterov", "torch-adam"],
)
def test_resume_after_a_crash_is_bit_identical(small, tmp_path, optimizer):
    settings = dict(epochs=2, augment=True, optimizer=optimizer(), schedule=schedules.constant(1e-3), seed=5)
    unbroken = fresh_model()
    history = quick_fit(unbroken, small, checkpoint_dir=tmp_path / "unbroken", **settings)

    steps_per_epoch = len(small[1]) // 50
    with pytest.raises(Crash):
        quick_fit(
            fresh_model(),
            small,
            checkpoint_dir=tmp_path / "crashed",
            **{**settings, "schedule": crashing_schedule(steps_per_epoch + 2)},
        )
    assert training.load_checkpoint(tmp_path / "crashed")["epoch"] == 1

    resumed = fresh_model(seed=99)  # other initial weights: they must all come from the checkpoint
    resumed_history = quick_fit(
        resumed, small, checkpoint_dir=tmp_path / "crashed", resume=True, **{**settings, "optimizer": optimizer()}
    )
    assert_same_weights(weights(resumed), weights(unbroken))
    assert resumed_history == history
    assert resumed_history.epoch == [1, 2]


def test_resume_from_a_finished_run_trains_nothing_more(small, tmp_path):
    model = fresh_model()
    history = quick_fit(model, small, checkpoint_dir=tmp_path)
    again = fresh_model(seed=7)
    assert quick_fit(again, small, checkpoint_dir=tmp_path, resume=True) == history
    assert_same_weights(weights(again), weights(model))


def test_resume_without_a_checkpoint_starts_afresh(small, tmp_path):
    a, b = fresh_model(), fresh_model()
    assert quick_fit(a, small, checkpoint_dir=tmp_path / "empty", resume=True) == quick_fit(b, small)
    assert_same_weights(weights(a), weights(b))


def test_resume_refuses_a_checkpoint_of_another_configuration(small, tmp_path):
    quick_fit(fresh_model(), small, checkpoint_dir=tmp_path)
    with pytest.raises(ValueError, match="batch_size=50.*batch_size=30"):
        quick_fit(fresh_model(), small, checkpoint_dir=tmp_path, resume=True, epochs=2, batch_size=30)


def test_resume_needs_a_checkpoint_dir():
    with pytest.raises(ValueError, match="checkpoint_dir"):
        training.fit(
            fresh_model(),
            (np.zeros((4, 28, 28), np.uint8), np.zeros(4, np.uint8)),
            optim.adam(),
            1,
            resume=True,
            device="cpu",
        )


# --------------------------------------------------------------------------- checkpoints


def test_checkpoint_loads_with_weights_only_after_its_digest_is_verified(small, tmp_path):
    model = fresh_model()
    history = quick_fit(
        model, small, checkpoint_dir=tmp_path, augment=True, optimizer=lambda params: torch.optim.Adam(params, lr=1e-3)
    )
    saved = training.load_checkpoint(tmp_path)  # checkpoint.read: digest, then torch.load(weights_only=True)
    assert saved["epoch"] == 1
    assert training.History.from_dict(saved["history"]) == history
    assert_same_weights(saved["model"], weights(model))
    assert {"torch_cpu", "data"} <= saved["rng"].keys()
    assert all(isinstance(state, torch.Tensor) for state in saved["rng"].values())
    assert saved["optimizer"]["state"][0]["exp_avg"].shape == (32, 1, 5, 5)
    assert [p.name for p in tmp_path.iterdir()] == [training.CHECKPOINT_NAME]


def test_resume_refuses_a_damaged_checkpoint_naming_the_file(small, tmp_path):
    quick_fit(fresh_model(), small, checkpoint_dir=tmp_path)
    path = tmp_path / training.CHECKPOINT_NAME
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(checkpoint.CheckpointError, match=rf"{path} is damaged.*resume=False"):
        quick_fit(fresh_model(), small, epochs=2, checkpoint_dir=tmp_path, resume=True)


def test_resume_falls_back_to_the_previous_checkpoint_and_says_so(small, tmp_path, capsys):
    uninterrupted = fresh_model()
    quick_fit(uninterrupted, small, epochs=3)
    quick_fit(fresh_model(), small, epochs=2, checkpoint_dir=tmp_path)
    path = tmp_path / training.CHECKPOINT_NAME
    path.write_bytes(path.read_bytes()[:-100])  # epoch 2's checkpoint, cut short
    capsys.readouterr()
    resumed = fresh_model()
    history = quick_fit(resumed, small, epochs=3, checkpoint_dir=tmp_path, resume=True)
    said = capsys.readouterr().out
    assert "damaged" in said and "Resuming from the checkpoint before it" in said
    assert history.epoch == [1, 2, 3]
    assert_same_weights(weights(resumed), weights(uninterrupted))


def test_resume_refuses_non_finite_weights(small, tmp_path):
    model = fresh_model()
    quick_fit(model, small, checkpoint_dir=tmp_path)
    saved = training.load_checkpoint(tmp_path)
    saved["model"]["0.weight"][0, 0, 0, 0] = float("nan")
    checkpoint.write(saved, tmp_path / training.CHECKPOINT_NAME)
    checkpoint.previous_path(tmp_path / training.CHECKPOINT_NAME).unlink()  # else the run resumes from that one
    with pytest.raises(checkpoint.CheckpointError, match="non-finite values .* model.0.weight"):
        quick_fit(fresh_model(), small, epochs=2, checkpoint_dir=tmp_path, resume=True)


def test_resume_refuses_a_foreign_checkpoint(small, tmp_path):
    checkpoint.write({"weights": torch.ones(3)}, tmp_path / training.CHECKPOINT_NAME)
    with pytest.raises(checkpoint.CheckpointError, match="not a training checkpoint .* lacks format"):
        quick_fit(fresh_model(), small, epochs=2, checkpoint_dir=tmp_path, resume=True)


def failing_save(obj, file):
    file.write(b"half a checkpoint")
    raise OSError("disk full")


def test_failed_save_leaves_no_file_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(training.torch, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.write({"weights": torch.ones(3)}, tmp_path / "checkpoint.pt")
    assert list(tmp_path.iterdir()) == []


def test_failed_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.pt"
    checkpoint.write({"weights": torch.ones(3)}, path)
    before = path.read_bytes()
    monkeypatch.setattr(training.torch, "save", failing_save)
    with pytest.raises(OSError):
        checkpoint.write({"weights": torch.zeros(3)}, path)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]
    assert torch.equal(training.load_checkpoint(path)["weights"], torch.ones(3))


def test_a_crash_while_saving_epoch_two_keeps_epoch_one(small, tmp_path, monkeypatch):
    real_save, calls = torch.save, []

    def save_once_then_fail(obj, file):
        calls.append(obj["epoch"])
        if len(calls) > 1:
            failing_save(obj, file)
        real_save(obj, file)

    monkeypatch.setattr(training.torch, "save", save_once_then_fail)
    with pytest.raises(OSError):
        quick_fit(fresh_model(), small, epochs=2, checkpoint_dir=tmp_path)
    assert calls == [1, 2]
    assert training.load_checkpoint(tmp_path)["epoch"] == 1
    assert [p.name for p in tmp_path.iterdir()] == [training.CHECKPOINT_NAME]


# --------------------------------------------------------------------------- precision and compile


def conv_output_dtypes(model):
    seen = set()
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            module.register_forward_hook(lambda m, i, out: seen.add(out.dtype))
    return seen


@pytest.mark.parametrize("precision,dtype", [("fp32", torch.float32), ("bf16", torch.bfloat16)])
def test_precision_sets_the_compute_dtype(small, precision, dtype):
    model = fresh_model()
    seen = conv_output_dtypes(model)
    quick_fit(model, small, precision=precision)
    assert seen == {dtype}
    assert all(p.dtype == torch.float32 for p in model.parameters())  # the weights stay float32


def test_compile_flag_compiles_the_training_forward(small, monkeypatch):
    compiled = []
    monkeypatch.setattr(training, "compile_unavailable", lambda device: None)

    def fake_compile(model, **kwargs):
        compiled.append(model)
        return model

    monkeypatch.setattr(torch, "compile", fake_compile)
    model = fresh_model()
    quick_fit(model, small, compile=True)
    assert compiled == [model]
    quick_fit(fresh_model(), small)
    assert len(compiled) == 1


def test_fit_with_compile_and_no_compiler_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("CXX", "a-compiler-that-is-not-installed")
    images, labels = np.zeros((4, 28, 28), dtype=np.uint8), np.arange(4)
    with pytest.raises(ValueError, match="compile=True cannot run here: no C\\+\\+ compiler"):
        training.fit(fresh_model(), (images, labels), optim.sgd(lr=0.1), 1, device="cpu", compile=True)


# --------------------------------------------------------------------------- devices


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="no cuda device"):
        devices.resolve_device("cuda")
    with pytest.raises(ValueError, match="no cuda device"):
        training.fit(
            fresh_model(), (np.zeros((4, 28, 28), np.uint8), np.zeros(4, np.uint8)), optim.adam(), 1, device="cuda"
        )


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_descent_device_cuda_without_a_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DESCENT_DEVICE", "cuda")
    with pytest.raises(ValueError, match="DESCENT_DEVICE='cuda'.*no cuda"):
        devices.resolve_device(None)
    with pytest.raises(ValueError, match="DESCENT_DEVICE"):
        training.to_device_tensors(np.zeros((2, 28, 28), np.uint8), np.zeros(2, np.uint8))


def test_plain_cuda_means_the_current_cuda_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 3)
    assert training._cuda_index(torch.device("cuda")) == 3
    assert training._cuda_index(torch.device("cuda:1")) == 1


def test_data_goes_to_the_chosen_device_as_uint8_then_is_normalized_there(monkeypatch):
    copies = []
    real_to = torch.Tensor.to

    def spy_to(tensor, *args, **kwargs):
        copies.append((tensor.dtype, args, kwargs))
        return real_to(tensor, *args, **kwargs)

    # The meta device stands in for a GPU: the data lands there, without any memory behind it.
    monkeypatch.setattr(training, "resolve_device", lambda device: torch.device("meta"))
    monkeypatch.setattr(torch.Tensor, "to", spy_to)
    data = training.to_device_tensors(np.zeros((6, 28, 28), np.uint8), np.arange(6, dtype=np.uint8), "anything")
    assert data.images.device.type == data.labels.device.type == "meta"
    assert data.images.shape == (6, 1, 28, 28) and data.images.dtype == torch.float32
    assert data.labels.shape == (6,) and data.labels.dtype == torch.int64
    assert copies[0][0] == torch.uint8  # the images cross over as bytes
    assert all(kwargs == {"non_blocking": False} for _, _, kwargs in copies)


# --------------------------------------------------------------------------- data


def test_to_device_tensors_normalizes_once_and_uses_channels_last():
    images = np.zeros((3, 28, 28), np.uint8)
    images[1] = 255
    data = training.to_device_tensors(images, np.array([1, 2, 3]), "cpu")
    assert data.images.shape == (3, 1, 28, 28) and data.images.dtype == torch.float32
    assert data.images.is_contiguous(memory_format=torch.channels_last)
    assert data.labels.tolist() == [1, 2, 3] and data.labels.dtype == torch.int64
    assert torch.allclose(data.images[0], torch.full((1, 28, 28), training.BACKGROUND))
    assert torch.allclose(data.images[1], torch.full((1, 28, 28), (1 - training.MNIST_MEAN) / training.MNIST_STD))
    assert len(data) == 3


@pytest.mark.parametrize(
    "images,labels,match",
    [
        (np.zeros((2, 28, 28), np.float32), np.zeros(2, np.uint8), "uint8"),
        (np.zeros((2, 784), np.uint8), np.zeros(2, np.uint8), "shape"),
        (np.zeros((2, 28, 28), np.uint8), np.zeros(3, np.uint8), "same length"),
        (np.zeros((2, 28, 28), np.uint8), np.array([0, 10]), "digits 0..9"),
        (np.zeros((2, 28, 28), np.uint8), np.array([0.0, 1.0]), "integer"),
    ],
)
def test_bad_data_is_rejected(images, labels, match):
    with pytest.raises(ValueError, match=match):
        training.to_device_tensors(images, labels, "cpu")


def test_split_is_seeded_disjoint_and_complete():
    images = np.arange(50, dtype=np.uint8).repeat(4).reshape(50, 2, 2)
    labels = np.arange(50) % 10
    (train_x, train_y), (val_x, val_y) = training.split(images, labels, n_val=10, seed=3)
    assert len(val_y) == 10 and len(train_y) == 40
    ids = np.concatenate([train_x[:, 0, 0], val_x[:, 0, 0]])
    assert sorted(ids.tolist()) == list(range(50))
    (_, again_y), _ = training.split(images, labels, n_val=10, seed=3)
    assert np.array_equal(train_y, again_y)
    (_, other_y), _ = training.split(images, labels, n_val=10, seed=4)
    assert not np.array_equal(train_y, other_y)


@pytest.mark.parametrize("n_val", [0, 50, -1, 2.5, True])
def test_split_rejects_impossible_sizes(n_val):
    with pytest.raises(ValueError, match="n_val"):
        training.split(np.zeros((50, 2, 2), np.uint8), np.zeros(50), n_val=n_val)


def test_shift_moves_each_image_by_its_own_offset():
    images = torch.arange(2 * 5 * 5, dtype=torch.float32).reshape(2, 1, 5, 5)
    shifted = training.shift_images(images, torch.tensor([[1, 0], [0, -2]]), max_shift=2, fill=-1.0)
    expected0 = torch.cat([torch.full((1, 1, 5), -1.0), images[0, :, :4]], dim=1)  # down by one row
    expected1 = torch.cat([images[1, :, :, 2:], torch.full((1, 5, 2), -1.0)], dim=2)  # left by two columns
    assert torch.equal(shifted[0], expected0)
    assert torch.equal(shifted[1], expected1)


def test_zero_shift_is_the_identity_and_shapes_and_dtype_are_kept():
    images = torch.randn(4, 3, 6, 6)
    shifted = training.shift_images(images, torch.zeros(4, 2, dtype=torch.int64), max_shift=2)
    assert torch.equal(shifted, images)
    assert shifted.dtype == images.dtype and shifted.shape == images.shape
    assert shifted.is_contiguous(memory_format=torch.channels_last)


def test_random_shifts_are_seeded_bounded_and_move_real_digits():
    shifts = training.random_shifts(1000, 2, torch.Generator().manual_seed(0))
    assert shifts.shape == (1000, 2) and shifts.dtype == torch.int64
    assert set(shifts.flatten().tolist()) == {-2, -1, 0, 1, 2}
    assert torch.equal(shifts, training.random_shifts(1000, 2, torch.Generator().manual_seed(0)))
    images = torch.full((1000, 1, 28, 28), training.BACKGROUND)
    images[:, :, 10:18, 10:18] = 2.0  # a bright square away from the borders
    shifted = training.shift_images(images, shifts, max_shift=2)
    moved = (shifts != 0).any(1)
    assert (shifted != images).flatten(1).any(1).tolist() == moved.tolist()
    assert torch.equal((shifted == 2.0).flatten(1).sum(1), torch.full((1000,), 64))  # nothing falls off


# --------------------------------------------------------------------------- arguments


def test_each_kind_of_optimizer_argument_trains_the_same(small):
    results = []
    for make in (
        lambda model: optim.adam(lr=1e-3),
        lambda model: lambda params: torch.optim.Adam(params, lr=1e-3),
        lambda model: torch.optim.Adam(model.parameters(), lr=1e-3),
    ):
        model = fresh_model()
        quick_fit(model, small, optimizer=make(model))
        results.append(weights(model)["10.weight"])
    assert torch.allclose(results[0], results[1], atol=1e-5)
    assert torch.equal(results[1], results[2])


@pytest.mark.parametrize(
    "optimizer,match",
    [
        (lambda: "adam", "optimizer must be"),
        (lambda: lambda params: 3, "factory must return"),
        (lambda: torch.optim.SGD(fresh_model().parameters(), lr=0.1), "not this model's"),
    ],
    ids=["a-name", "a-factory-of-no-optimizer", "an-optimizer-of-other-parameters"],
)
def test_a_bad_optimizer_argument_is_rejected(optimizer, match):
    with pytest.raises(ValueError, match=match):
        training.fit(
            fresh_model(),
            (np.zeros((4, 28, 28), np.uint8), np.zeros(4, np.uint8)),
            optimizer(),
            1,
            device="cpu",
            progress=False,
        )


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(epochs=-1), "epochs"),
        (dict(epochs=1.5), "epochs"),
        (dict(batch_size=0), "batch_size"),
        (dict(augment="yes"), "augment"),
        (dict(max_shift=9), "max_shift"),
        (dict(seed=-1), "seed"),
        (dict(precision="fp16"), "precision"),
        (dict(schedule=0.1), "schedule must be a function"),
        (dict(schedule=lambda t: 0.1), r"schedule\(t\) must return a dict.*at t = 0 it returned 0.1"),
        (dict(schedule=lambda t: {"lr": -1.0}), r"schedule\(0\)\['lr'\] \(η\) must be ≥ 0"),
        (dict(schedule=lambda t: {"lr": float("nan")}), r"schedule\(0\)\['lr'\] \(η\) must be finite"),
        (dict(schedule=lambda t: {"learning_rate": 0.1}), "'learning_rate', which no optimizer schedules"),
        (dict(schedule=schedules.one_cycle_lr(0.1, 4)), "no such hyperparameter.*momentum_key='betas'"),
    ],
)
def test_bad_fit_arguments_are_rejected(kwargs, match):
    settings = dict(epochs=1, device="cpu", progress=False)
    settings.update(kwargs)
    epochs = settings.pop("epochs")
    with pytest.raises(ValueError, match=match):
        training.fit(
            fresh_model(), (np.zeros((4, 28, 28), np.uint8), np.zeros(4, np.uint8)), optim.adam(), epochs, **settings
        )


def test_a_schedule_is_asked_once_per_step_over_the_whole_run(small):
    seen = []

    def schedule(t):
        seen.append(t)
        return {"lr": 0.01 / (1 + t)}

    history = quick_fit(fresh_model(), small, epochs=2, schedule=schedule)
    assert seen == list(range(8))
    assert history.lr == [0.01 / 4, 0.01 / 8]


def recording(optimizer_class):
    """`optimizer_class` noting its first param group at every step."""

    class Recording(optimizer_class):
        def step(self, closure=None):
            self.seen = [*getattr(self, "seen", []), {k: v for k, v in self.param_groups[0].items() if k != "params"}]
            return super().step(closure)

    return Recording


@pytest.mark.parametrize(
    "optimizer_class,hparams,momentum_key",
    [(torch.optim.SGD, dict(momentum=0.9), "momentum"), (torch.optim.Adam, dict(betas=(0.9, 0.999)), "betas")],
    ids=["SGD-momentum", "Adam-beta1"],
)
def test_one_cycle_in_fit_sets_what_torch_one_cycle_lr_sets(small, optimizer_class, hparams, momentum_key):
    """fit takes the schedules optim.run takes: one_cycle_lr sets η and μ (or β₁) on the param groups,
    step by step the values torch's OneCycleLR gives the same optimizer."""
    steps = 8  # two epochs of four batches
    model = fresh_model()
    recorder = recording(optimizer_class)(model.parameters(), lr=0.1, **hparams)
    cycle = schedules.one_cycle_lr(0.1, steps, momentum_key=momentum_key)
    quick_fit(model, small, epochs=2, optimizer=recorder, schedule=cycle)

    twin = recording(optimizer_class)([torch.zeros(1, requires_grad=True)], lr=0.1, **hparams)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(twin, max_lr=0.1, total_steps=steps)
    for _ in range(steps):
        twin.step()
        scheduler.step()
    for name in ("lr", momentum_key):
        ours = np.array([group[name] for group in recorder.seen], dtype=np.float64)
        np.testing.assert_allclose(ours, [group[name] for group in twin.seen], rtol=1e-12, atol=0)
    assert len({str(group[momentum_key]) for group in recorder.seen}) > 2, "the momentum moves"


def test_one_cycle_cycles_beta1_of_a_helpers_adam(small):
    steps = 8
    cycle = schedules.one_cycle_lr(1e-3, steps, momentum_key="betas")
    model = fresh_model()
    adam = HelpersOptimizer(model.parameters(), optim.adam(lr=1e-3))
    quick_fit(model, small, epochs=2, optimizer=adam, schedule=cycle)
    assert adam.param_groups[0]["betas"] == cycle(steps - 1)["betas"]
    unscheduled = fresh_model()
    quick_fit(unscheduled, small, epochs=2, optimizer=optim.adam(lr=1e-3), schedule=schedules.constant(1e-3))
    changed = [name for name, value in weights(model).items() if not torch.equal(value, weights(unscheduled)[name])]
    assert changed, "β₁ and η changed the steps"


def test_progress_bar_shows_loss_throughput_and_time_left(small, capsys):
    quick_fit(fresh_model(), small, progress=True)
    err = capsys.readouterr().err
    assert "img/s" in err and "loss=" in err
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d", err), "elapsed<remaining: the bar shows an ETA"


# --------------------------------------------------------------------------- how long: estimates and progress


def test_seconds_per_step_times_a_copy_and_leaves_everything_alone(small):
    """The fastest of a few short rounds, on a copy: the caller's model, optimizer and random state stay put."""
    model = fresh_model()
    before = weights(model)
    rng = torch.get_rng_state()
    seconds = training.seconds_per_step(
        model, small, optim.adam(lr=1e-3), batch_size=50, steps=2, rounds=2, device="cpu", precision="fp32"
    )
    assert 0 < seconds < 60
    assert_same_weights(weights(model), before)
    assert torch.equal(torch.get_rng_state(), rng)
    factory = training.seconds_per_step(
        model, small, lambda p: torch.optim.SGD(p, lr=0.1), batch_size=50, steps=1, device="cpu"
    )
    assert factory > 0


def test_seconds_per_step_keeps_the_fastest_round(monkeypatch):
    """Other work on the machine only slows a round down: a slow round must not inflate the estimate."""
    fits = []
    monkeypatch.setattr(training, "fit", lambda model, data, *args, **kwargs: fits.append(len(data)))
    clock = iter([0.0, 5.0, 10.0, 12.0, 20.0, 27.0])  # rounds of 5 s, 2 s and 7 s
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(clock))
    images, labels = np.zeros((400, 28, 28), dtype=np.uint8), np.arange(400) % 10
    seconds = training.seconds_per_step(
        fresh_model(), (images, labels), optim.sgd(lr=0.1), batch_size=100, steps=4, rounds=3, device="cpu"
    )
    assert seconds == 2.0 / 4
    assert fits == [100, 400, 400, 400], "one warm-up batch, then three rounds of four batches"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(optimizer="built"), "factory"),
        (dict(steps=0), "steps"),
        (dict(rounds=0), "rounds"),
        (dict(batch_size=500), "fewer than one batch"),
        (dict(epochs=3), "epochs"),
        (dict(progress=True), "progress"),
    ],
)
def test_seconds_per_step_rejects_bad_input(kwargs, match):
    model = fresh_model()
    images, labels = np.zeros((100, 28, 28), dtype=np.uint8), np.arange(100) % 10
    settings = dict(optimizer=optim.sgd(lr=0.1), batch_size=50, device="cpu")
    settings.update(kwargs)
    if settings["optimizer"] == "built":
        settings["optimizer"] = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=match):
        training.seconds_per_step(model, (images, labels), settings.pop("optimizer"), **settings)


def test_evaluation_batches_are_small_on_a_cpu_and_large_on_a_gpu(small):
    assert training.evaluation_batch_size("cpu") == 100
    assert training.evaluation_batch_size(torch.device("cuda")) == 1000
    model = fresh_model()
    loss, accuracy = training.evaluate(model, small)
    loss_1000, accuracy_1000 = training.evaluate(model, small, batch_size=1000)
    assert accuracy == accuracy_1000 and loss == pytest.approx(loss_1000, rel=1e-5)


# --------------------------------------------------------------------------- HelpersOptimizer


def train_steps(make_optimizer, dtype, steps=3, scheduler=None):
    """The classic CNN after `steps` steps on fixed random batches, dropout replayed identically."""
    torch.manual_seed(0)
    model = models.classic_cnn().to(dtype)
    optimizer = make_optimizer(model.parameters())
    schedule = scheduler(optimizer) if scheduler else None
    batches = torch.Generator().manual_seed(1)
    for t in range(steps):
        x = torch.randn(8, 1, 28, 28, generator=batches, dtype=dtype)
        y = torch.randint(0, 10, (8,), generator=batches)
        torch.manual_seed(100 + t)
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if schedule is not None:
            schedule.step()
    return [p.detach() for p in model.parameters()], optimizer


def step_side_by_side(reference, twin, theirs, ours, steps=5, device="cpu"):
    """`steps` random batches: `theirs` steps `reference` on its gradients, `ours` steps `twin` on the same ones."""
    batches = torch.Generator().manual_seed(1)
    for _ in range(steps):
        x = torch.randn(8, 1, 28, 28, generator=batches).to(device)
        y = torch.randint(0, 10, (8,), generator=batches).to(device)
        theirs.zero_grad()
        F.cross_entropy(reference(x), y).backward()
        for p, q in zip(reference.parameters(), twin.parameters()):
            q.grad = p.grad.clone()
        theirs.step()
        ours.step()


def torch_twin(rule):
    return lambda params: rule.torch_class(params, **rule.hparams, foreach=False)


def helpers_twin(rule):
    return lambda params: HelpersOptimizer(params, rule)


RULES = [
    optim.sgd(lr=0.05, momentum=0.9, nesterov=True),
    optim.sgd(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-3),
    optim.adagrad(lr=0.01),
    optim.rmsprop(lr=1e-3, momentum=0.5, centered=True),
    optim.adam(lr=1e-3),
    optim.adamw(lr=1e-3, weight_decay=0.1),
]


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_adapter_trains_the_cnn_like_torch_in_float64(rule):
    ours, _ = train_steps(helpers_twin(rule), torch.float64)
    theirs, _ = train_steps(torch_twin(rule), torch.float64)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("rule", [optim.adam(lr=1e-3), optim.sgd(lr=0.05, momentum=0.9, nesterov=True)], ids=repr)
def test_adapter_steps_like_torch_in_float32(rule):
    """Two copies of the CNN, one per optimizer, fed the same gradients step after step.

    Fed their own gradients instead, the float32 copies part after a step or two wherever a
    coordinate's gradient is near 0: there Adam's m̂/(√v̂ + ε) turns rounding-level differences
    into visible ones. The float64 test above follows the whole loop.
    """
    torch.manual_seed(0)
    reference = models.classic_cnn()
    twin = copy.deepcopy(reference)
    theirs = torch_twin(rule)(reference.parameters())
    ours = HelpersOptimizer(twin.parameters(), rule)
    step_side_by_side(reference, twin, theirs, ours)
    for p, q in zip(reference.parameters(), twin.parameters()):
        torch.testing.assert_close(q, p, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "scheduler",
    [
        lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
        lambda opt: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=4, cycle_momentum=True),
    ],
    ids=["StepLR", "OneCycleLR-with-beta1"],
)
def test_torch_lr_schedulers_drive_the_adapter(scheduler):
    rule = optim.adam(lr=1e-3)
    ours, ours_opt = train_steps(helpers_twin(rule), torch.float64, scheduler=scheduler)
    theirs, theirs_opt = train_steps(torch_twin(rule), torch.float64, scheduler=scheduler)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
    assert ours_opt.param_groups[0]["lr"] == theirs_opt.param_groups[0]["lr"] != 1e-3
    unscheduled, _ = train_steps(helpers_twin(rule), torch.float64)
    assert not torch.equal(unscheduled[0], ours[0])


def test_adapter_honours_per_group_learning_rates():
    rule = optim.sgd(lr=0.1)
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    optimizer = HelpersOptimizer([{"params": [a]}, {"params": [b], "lr": 0.01}], rule)
    (a.sum() + b.sum()).backward()
    optimizer.step()
    assert torch.allclose(a, torch.full((2,), 0.9)) and torch.allclose(b, torch.full((2,), 0.99))


def test_adapter_state_round_trips_through_weights_only_load():
    rule = optim.adam(lr=1e-3, amsgrad=True)
    _, optimizer = train_steps(helpers_twin(rule), torch.float64, steps=2)
    buffer = io.BytesIO()
    torch.save(optimizer.state_dict(), buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)
    state = saved["state"][0]
    assert state["step"] == 2 and state["exp_avg"].shape == (32, 1, 5, 5) and state["max_exp_avg_sq"] is not None

    model = models.classic_cnn().double()
    restored = HelpersOptimizer(model.parameters(), rule)
    restored.load_state_dict(saved)
    assert all(
        torch.equal(restored.state[p]["exp_avg_sq"], optimizer.state[q]["exp_avg_sq"])
        for p, q in zip(model.parameters(), optimizer.param_groups[0]["params"])
    )


def test_adapter_skips_parameters_without_gradients():
    used, unused = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    optimizer = HelpersOptimizer([used, unused], optim.adam(lr=0.1))
    used.sum().backward()
    optimizer.step()
    assert not torch.equal(used.detach(), torch.ones(2))
    assert torch.equal(unused.detach(), torch.ones(2)) and unused not in optimizer.state


def test_adapter_refuses_a_non_schedulable_change():
    optimizer = HelpersOptimizer([torch.nn.Parameter(torch.ones(2))], optim.sgd(lr=0.1, momentum=0.9))
    optimizer.param_groups[0]["nesterov"] = True
    optimizer.param_groups[0]["params"][0].grad = torch.ones(2)
    with pytest.raises(ValueError, match="nesterov cannot change per step"):
        optimizer.step()


def test_adapter_validates_scheduled_values():
    optimizer = HelpersOptimizer([torch.nn.Parameter(torch.ones(2))], optim.sgd(lr=0.1))
    optimizer.param_groups[0]["lr"] = -1.0
    optimizer.param_groups[0]["params"][0].grad = torch.ones(2)
    with pytest.raises(ValueError, match="lr"):
        optimizer.step()


def test_adapter_needs_a_helpers_rule():
    with pytest.raises(ValueError, match="helpers.optim optimizer"):
        HelpersOptimizer([torch.nn.Parameter(torch.ones(2))], torch.optim.Adam)
