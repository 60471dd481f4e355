"""Training a network on MNIST fast on whatever the machine has: the data lives on the device.

    mnist_data = mnist.load()
    (train_x, train_y), (val_x, val_y) = split(mnist_data.train_images, mnist_data.train_labels)
    model = models.classic_cnn()
    history = fit(model, (train_x, train_y), optim.adam(lr=1e-3), epochs=5, val_data=(val_x, val_y),
                  checkpoint_dir="runs/cnn", resume=True)
    loss, accuracy = evaluate(model, (mnist_data.test_images, mnist_data.test_labels))

Why it is fast. The usual example builds every batch in Python, one image at a time (a Dataset item,
a DataLoader collate). Here the whole data set is moved to the device once and normalized once; each
epoch draws one random permutation, and a batch is a single `index_select`. Augmentation (random
shifts of up to `max_shift` pixels) is a gather on the whole batch. Activations use the channels_last
layout, which oneDNN and cuDNN convolutions prefer. On a GPU that supports it the forward pass runs under
bfloat16 autocast (the weights and the optimizer stay in float32); on a CPU it stays float32 unless asked
for, so that every CPU computes the same numbers.

Why it is reproducible. One seeded `torch.Generator` on the CPU draws the order and the shifts (so they
are the same on every device), and the global torch generator behind dropout is seeded too, inside
`torch.random.fork_rng`, so `fit` leaves the caller's random state alone. Each epoch ends with an
atomically written checkpoint holding the weights, the optimizer state, the history and every
generator's state as tensors (`helpers.checkpoint`: a digest verified before `torch.load(...,
weights_only=True)`, the previous checkpoint kept); `resume=True` continues from it, and on the CPU the
result is bit-identical to a run that was never interrupted.

The optimizer argument of `fit` may be
  * a helpers.optim rule, e.g. ``optim.adam(lr=1e-3)``: it runs through `HelpersOptimizer`;
  * a factory ``params -> torch.optim.Optimizer``, e.g. ``lambda p: torch.optim.SGD(p, lr=0.1)``;
  * a torch optimizer already built on this model's parameters.
`fit` builds the first two after moving the model to its device, so their state lands there too.
"""

import copy
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from helpers import checkpoint
from helpers._checks import flag, integer, real
from helpers.devices import autocast, compile_unavailable, resolve_device, resolve_precision, transfer_options
from helpers.environment import quick_mode
from helpers.optim import SCHEDULABLE
from helpers.optim import Optimizer as HelpersRule
from helpers.progress import progress_bar
from helpers.torch_adapter import HelpersOptimizer

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
"""The mean and standard deviation of MNIST's training pixels scaled to [0, 1]."""

BACKGROUND = (0.0 - MNIST_MEAN) / MNIST_STD
"""A black pixel after normalization: what shifted-in borders are filled with."""

CHECKPOINT_NAME = "checkpoint.pt"
CHECKPOINT_FORMAT = 1
PROGRESS_EVERY = 10  # steps between progress-bar loss readings (each one waits for the device)


class TensorData(NamedTuple):
    """A data set on a device: normalized float32 images (N, 1, 28, 28) and int64 labels (N,); len() is N."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self):
        return len(self.labels)


@dataclass
class History:
    """Per-epoch records of a run; the validation lists stay empty when there is no validation data.

    train_loss and train_accuracy are means over the epoch's batches as they were trained on
    (dropout and augmentation on), so they lag the end-of-epoch weights.
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)  # η of the first param group at the epoch's last step

    def as_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, record):
        return cls(**{name: list(values) for name, values in record.items()})


# --------------------------------------------------------------------------- data


def _check_images_labels(images, labels):
    images, labels = np.asarray(images), np.asarray(labels)
    if images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 pixel values 0..255, got dtype {images.dtype}")
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W) or (N, 1, H, W), got {images.shape}")
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array, got {labels.dtype} {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"images ({len(images)}) and labels ({len(labels)}) must have the same length")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"labels must be digits 0..9, got values in [{labels.min()}, {labels.max()}]")
    return images, labels


def to_device_tensors(images, labels, device=None):
    """uint8 images (N, 28, 28) and digit labels as a TensorData on `device`, normalized there once.

    x ← (x/255 − mean)/std with MNIST's mean and std; the images go over as uint8 (4× fewer bytes
    than float32), pinned first when the device is a GPU.
    """
    images, labels = _check_images_labels(images, labels)
    device = resolve_device(device)
    options = transfer_options(device.type)
    host_images = torch.from_numpy(np.ascontiguousarray(images))
    host_labels = torch.from_numpy(labels.astype(np.int64))
    if options.pin_memory:
        host_images, host_labels = host_images.pin_memory(), host_labels.pin_memory()
    x = host_images.to(device, non_blocking=options.non_blocking)
    y = host_labels.to(device, non_blocking=options.non_blocking)
    x = (x.unsqueeze(1).float() / 255 - MNIST_MEAN) / MNIST_STD  # x ∈ [0, 1], then zero mean, unit variance
    return TensorData(x.contiguous(memory_format=torch.channels_last), y)


def as_tensor_data(data, device):
    """`data` (a TensorData, or a pair of uint8 images and labels) as a TensorData on `device`."""
    if isinstance(data, TensorData):
        if data.images.device != device:
            data = TensorData(data.images.to(device), data.labels.to(device))
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return to_device_tensors(data[0], data[1], device)
    raise ValueError(f"data must be a TensorData or a pair (uint8 images, labels), got {type(data).__name__}")


def split(images, labels, n_val=500, seed=0):
    """A seeded random split: ((train_images, train_labels), (val_images, val_labels)), numpy arrays."""
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"images ({len(images)}) and labels ({len(labels)}) must have the same length")
    n_val = integer("n_val", n_val, 1, len(images) - 1)
    order = np.random.default_rng(seed).permutation(len(images))
    val, train = order[:n_val], order[n_val:]
    return (images[train], labels[train]), (images[val], labels[val])


def random_shifts(n, max_shift, generator):
    """(n, 2) integer shifts (down, right), each uniform in [−max_shift, max_shift]."""
    return torch.randint(-max_shift, max_shift + 1, (n, 2), generator=generator)


def shift_images(images, shifts, max_shift, fill=BACKGROUND):
    """Each image of (B, C, H, W) moved by its own (down, right) shift; uncovered pixels are `fill`.

    One pad and one gather for the whole batch: out[b, c, i, j] = x[b, c, i − dy_b, j − dx_b].
    `shifts` must lie in [−max_shift, max_shift] (it sets the padding).
    """
    b, c, h, w = images.shape
    padded = F.pad(images, (max_shift,) * 4, value=fill)
    shifts = shifts.to(images.device)
    rows = (max_shift - shifts[:, 0, None]) + torch.arange(h, device=images.device)  # i − dy + pad
    cols = (max_shift - shifts[:, 1, None]) + torch.arange(w, device=images.device)  # j − dx + pad
    batch = torch.arange(b, device=images.device)[:, None, None, None]
    channel = torch.arange(c, device=images.device)[None, :, None, None]
    shifted = padded[batch, channel, rows[:, None, :, None], cols[:, None, None, :]]
    return shifted.contiguous(memory_format=torch.channels_last)


# --------------------------------------------------------------------------- evaluation


def _model_device(model):
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def _check_batch_size(batch_size):
    return integer("batch_size", batch_size, 1)


def _logits_in_batches(model, images, batch_size, precision):
    device = images.device
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode(), autocast(device, resolve_precision(precision, device)):
            for start in range(0, len(images), batch_size):
                yield start, model(images[start : start + batch_size]).float()
    finally:
        model.train(was_training)


def evaluation_batch_size(device):
    """Images per forward pass when evaluating on `device`: 100 on a CPU, 1000 on a GPU.

    A CPU keeps a small batch's activations in its caches: for the classic CNN on one core, batches of
    100 evaluate 1.7× faster than batches of 1000. A GPU needs large batches to keep its cores busy.
    """
    return 100 if torch.device(device).type == "cpu" else 1000


def evaluate(model, data, batch_size=None, precision="auto"):
    """(mean cross-entropy loss, accuracy) of `model` on `data`, in eval mode, on the model's device.

    batch_size: images per forward pass; None picks `evaluation_batch_size` for the model's device.
    """
    device = _model_device(model)
    batch_size = evaluation_batch_size(device) if batch_size is None else batch_size
    _check_batch_size(batch_size)
    data = as_tensor_data(data, device)
    if len(data) == 0:
        raise ValueError("data is empty")
    loss_sum = torch.zeros((), device=data.images.device)
    correct = torch.zeros((), dtype=torch.int64, device=data.images.device)
    for start, logits in _logits_in_batches(model, data.images, batch_size, precision):
        labels = data.labels[start : start + len(logits)]
        loss_sum += F.cross_entropy(logits, labels, reduction="sum")
        correct += (logits.argmax(1) == labels).sum()
    return loss_sum.item() / len(data), correct.item() / len(data)


def predict(model, data, batch_size=None, precision="auto"):
    """Logits (N, 10), float32 on the CPU, for a confusion matrix; `.softmax(1)` gives probabilities.

    `data` is a TensorData, a pair (images, labels) or uint8 images alone; batch_size as for `evaluate`.
    """
    device = _model_device(model)
    batch_size = evaluation_batch_size(device) if batch_size is None else batch_size
    _check_batch_size(batch_size)
    if not isinstance(data, (TensorData, tuple, list)):
        images = np.asarray(data)
        data = (images, np.zeros(len(images), dtype=np.int64))
    data = as_tensor_data(data, device)
    parts = [logits.cpu() for _, logits in _logits_in_batches(model, data.images, batch_size, precision)]
    return torch.cat(parts) if parts else torch.empty(0, 10)


# --------------------------------------------------------------------------- checkpoints


def load_checkpoint(path, map_location="cpu"):
    """A checkpoint written by `fit` (a directory holding one, or the file), verified (see helpers.checkpoint)."""
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT_NAME
    return checkpoint.read(path, map_location)


def _rng_states(device, data_generator):
    states = {"torch_cpu": torch.get_rng_state(), "data": data_generator.get_state()}
    if device.type == "cuda":
        states["cuda"] = torch.cuda.get_rng_state(device)
    elif device.type == "mps":
        states["mps"] = torch.mps.get_rng_state()
    return states


def _set_rng_states(states, device, data_generator):
    torch.set_rng_state(states["torch_cpu"])
    data_generator.set_state(states["data"])
    if device.type == "cuda" and "cuda" in states:
        torch.cuda.set_rng_state(states["cuda"], device)
    elif device.type == "mps" and "mps" in states:
        torch.mps.set_rng_state(states["mps"])


def _cuda_index(device):
    """The index of a cuda device; plain "cuda" means the current one, as torch.cuda's functions read it."""
    return device.index if device.index is not None else torch.cuda.current_device()


def _fork_rng(device):
    if device.type == "cuda":
        return torch.random.fork_rng(devices=[_cuda_index(device)], device_type="cuda")
    if device.type == "mps":
        return torch.random.fork_rng(devices=[0], device_type="mps")
    return torch.random.fork_rng(devices=[], device_type="cpu")


# --------------------------------------------------------------------------- training


def _build_optimizer(optimizer, model):
    if isinstance(optimizer, HelpersRule):
        return HelpersOptimizer(model.parameters(), optimizer)
    if isinstance(optimizer, torch.optim.Optimizer):
        owned = {id(p) for p in model.parameters()}
        if any(id(p) not in owned for group in optimizer.param_groups for p in group["params"]):
            raise ValueError("optimizer holds parameters that are not this model's; build it on model.parameters()")
        return optimizer
    if callable(optimizer):
        built = optimizer(model.parameters())
        if not isinstance(built, torch.optim.Optimizer):
            raise ValueError(f"the optimizer factory must return a torch.optim.Optimizer, got {type(built).__name__}")
        return built
    raise ValueError(
        "optimizer must be a helpers.optim rule, a torch.optim.Optimizer on the model's parameters, "
        f"or a factory params -> torch.optim.Optimizer; got {optimizer!r}"
    )


def _check_fit_arguments(epochs, batch_size, augment, max_shift, seed, checkpoint_dir, resume, schedule):
    integer("epochs", epochs, 0)
    _check_batch_size(batch_size)
    flag("augment", augment)
    integer("max_shift", max_shift, 0, 8)
    integer("seed", seed, 0)
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs a checkpoint_dir to resume from")
    if schedule is not None and not callable(schedule):
        raise ValueError(
            "schedule must be a function of the step t returning the overrides for step t, such as "
            f"schedules.cosine_annealing_lr(lr=0.1, T_max=1000) or lambda t: {{'lr': 0.1}}; got {schedule!r}"
        )


def _apply_schedule(schedule, t, param_groups):
    """Set every override `schedule(t)` returns (η, μ, betas, …) on every param group, as torch's schedulers do."""
    overrides = schedule(t)
    if not isinstance(overrides, dict):
        raise ValueError(
            f"schedule(t) must return a dict of overrides such as {{'lr': 0.1}}; at t = {t} it returned {overrides!r}"
        )
    for name, value in overrides.items():
        if name not in SCHEDULABLE:
            raise ValueError(f"schedule({t}) sets {name!r}, which no optimizer schedules; schedulable: {SCHEDULABLE}")
        if name == "lr":
            value = real(f"schedule({t})['lr'] (η)", value, 0.0)
        for group in param_groups:
            if name not in group:
                hint = " (Adam and AdamW take β₁ in 'betas': one_cycle_lr(..., momentum_key='betas'))"
                raise ValueError(
                    f"schedule({t}) sets {name!r}, but the optimizer has no such hyperparameter"
                    f"{hint if name == 'momentum' else ''}; it has {', '.join(k for k in group if k != 'params')}"
                )
            group[name] = value


def fit(
    model,
    data,
    optimizer,
    epochs,
    *,
    batch_size=100,
    schedule=None,
    device=None,
    precision="auto",
    augment=False,
    max_shift=2,
    checkpoint_dir=None,
    resume=False,
    seed=0,
    progress=None,
    compile=False,
    val_data=None,
):
    """Train `model` in place on `data` for `epochs` epochs of mini-batches; return its History.

    data, val_data: a TensorData, or a pair (uint8 images (N, 28, 28), labels); moved to the device once.
    optimizer: a helpers.optim rule, a factory params -> torch.optim.Optimizer, or a torch optimizer
        built on `model.parameters()` (see the module docstring).
    schedule: a helpers.schedules schedule, or any function of the step t (0, 1, … over the whole run)
        returning a dict of overrides such as {"lr": ηₜ}; before step t every override is set on every
        param group, as torch's schedulers do, so one_cycle_lr cycles μ (or β₁) along with η.
    device: None picks DESCENT_DEVICE or the best there is; else "cpu", "cuda", "cuda:1", "mps" (checked).
    precision: "auto" (bf16 autocast on a CUDA device that supports it, else fp32), "bf16" or "fp32".
    augment: shift each training image by up to `max_shift` pixels each epoch.
    checkpoint_dir: write `checkpoint.pt` there at the end of every epoch; with `resume=True` a run
        continues from it (a missing checkpoint starts afresh); `epochs` is the total, not the remainder.
    seed: seeds the order, the shifts and dropout; the model's initial weights are the caller's.
    progress: a tqdm bar with the loss, images/s and the time left; None shows it except in quick mode.
    compile: run the training forward pass through `torch.compile` (the first steps compile it).
    """
    _check_fit_arguments(epochs, batch_size, augment, max_shift, seed, checkpoint_dir, resume, schedule)
    device = resolve_device(device)
    precision = resolve_precision(precision, device)
    if compile and (reason := compile_unavailable(device)) is not None:
        raise ValueError(f"compile=True cannot run here: {reason}")
    if progress is None:
        progress = not quick_mode()
    model.to(device=device, memory_format=torch.channels_last)
    optimizer = _build_optimizer(optimizer, model)
    train = as_tensor_data(data, device)
    if len(train) == 0:
        raise ValueError("data is empty")
    val = as_tensor_data(val_data, device) if val_data is not None else None
    config = {
        "batch_size": int(batch_size),
        "seed": int(seed),
        "augment": augment,
        "max_shift": int(max_shift),
        "n_train": len(train),
    }
    checkpoint_path = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None
    if checkpoint_path is not None:
        checkpoint_path.parent.mkdir(parents=True, exist_ok=True)

    was_training = model.training
    with _fork_rng(device):
        torch.manual_seed(seed)
        data_generator = torch.Generator().manual_seed(seed)
        history, start_epoch = History(), 0
        if resume and (checkpoint_path.exists() or checkpoint.previous_path(checkpoint_path).exists()):
            start_epoch, history = _restore(checkpoint_path, config, model, optimizer, device, data_generator)
        forward = torch.compile(model) if compile else model
        run = _Run(
            forward, optimizer, train, device, precision, batch_size, augment, max_shift, schedule, data_generator
        )
        bar = _progress_bar(progress, epochs, start_epoch, len(train))
        try:
            for epoch in range(start_epoch, epochs):
                model.train()
                if bar is not None:
                    bar.set_description(f"epoch {epoch + 1}/{epochs}", refresh=False)
                train_loss, train_accuracy, lr = run.epoch(epoch, bar)
                history.epoch.append(epoch + 1)
                history.train_loss.append(train_loss)
                history.train_accuracy.append(train_accuracy)
                history.lr.append(lr)
                if val is not None:
                    val_loss, val_accuracy = evaluate(model, val, precision=precision)
                    history.val_loss.append(val_loss)
                    history.val_accuracy.append(val_accuracy)
                if checkpoint_path is not None:
                    checkpoint.write(
                        {
                            "format": CHECKPOINT_FORMAT,
                            "epoch": epoch + 1,
                            "config": config,
                            "model": model.state_dict(),
                            "optimizer": optimizer.state_dict(),
                            "history": history.as_dict(),
                            "rng": _rng_states(device, data_generator),
                        },
                        checkpoint_path,
                    )
        finally:
            if bar is not None:
                bar.close()
            model.train(was_training)
    return history


CHECKPOINT_KEYS = ("format", "epoch", "config", "model", "optimizer", "history", "rng")


def _restore(path, config, model, optimizer, device, data_generator):
    """Load the newest usable checkpoint into the model, the optimizer and the generators; (epoch, History).

    A damaged newest checkpoint gives way to the previous one, and the run says so; one that belongs to
    another run (other settings, another format) is refused with a CheckpointError naming the file.
    """
    loaded = checkpoint.read_latest(path, map_location=device)
    if loaded.skipped:
        print(f"{loaded.skipped}\nResuming from the checkpoint before it, {loaded.path}.")
    contents, path = loaded.contents, loaded.path
    advice = f"Start afresh (resume=False), or give this run another checkpoint_dir than {path.parent}."
    missing = [key for key in CHECKPOINT_KEYS if key not in contents]
    if missing or contents["format"] != CHECKPOINT_FORMAT:
        found = f"it lacks {', '.join(missing)}" if missing else f"it has format {contents['format']!r}"
        raise checkpoint.CheckpointError(
            f"{path} is not a training checkpoint of format {CHECKPOINT_FORMAT} ({found}). {advice}"
        )
    for name, value in config.items():
        saved = contents["config"].get(name)
        if saved != value:
            raise checkpoint.CheckpointError(
                f"cannot resume from {path}: it was trained with {name}={saved!r}, this run has {name}={value!r}. "
                f"{advice}"
            )
    model.load_state_dict(contents["model"])
    optimizer.load_state_dict(contents["optimizer"])
    # The generator states must be CPU byte tensors whatever map_location did to them.
    rng = {name: state.cpu() for name, state in contents["rng"].items()}
    _set_rng_states(rng, device, data_generator)
    return contents["epoch"], History.from_dict(contents["history"])


def _progress_bar(progress, epochs, start_epoch, n_train):
    if not progress or start_epoch >= epochs:
        return None
    return progress_bar(epochs * n_train, initial=start_epoch * n_train, unit="img", unit_scale=True, disable=False)


class _Run:
    """The inner loop of `fit`: what stays fixed from one epoch to the next."""

    def __init__(
        self, forward, optimizer, train, device, precision, batch_size, augment, max_shift, schedule, data_generator
    ):
        self.forward, self.optimizer, self.train = forward, optimizer, train
        self.device, self.precision, self.batch_size = device, precision, batch_size
        self.augment, self.max_shift = augment, max_shift
        self.schedule, self.data_generator = schedule, data_generator
        self.steps_per_epoch = math.ceil(len(train) / batch_size)

    def epoch(self, epoch, bar):
        """Train one epoch; return (mean loss, accuracy, last η)."""
        n = len(self.train)
        # Drawn on the CPU generator, so the order and the shifts are the same on every device.
        order = torch.randperm(n, generator=self.data_generator).to(self.device)
        shifts = random_shifts(n, self.max_shift, self.data_generator).to(self.device) if self.augment else None
        loss_sum = torch.zeros((), device=self.device)
        correct = torch.zeros((), dtype=torch.int64, device=self.device)
        for step in range(self.steps_per_epoch):
            batch = order[step * self.batch_size : (step + 1) * self.batch_size]
            images = self.train.images.index_select(0, batch)
            labels = self.train.labels.index_select(0, batch)
            if shifts is not None:
                images = shift_images(
                    images, shifts[step * self.batch_size : (step + 1) * self.batch_size], self.max_shift
                )
            if self.schedule is not None:
                _apply_schedule(self.schedule, epoch * self.steps_per_epoch + step, self.optimizer.param_groups)
            with autocast(self.device, self.precision):
                logits = self.forward(images)
            loss = F.cross_entropy(logits.float(), labels)  # −(1/B) Σ log softmax(zᵢ)[yᵢ]
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            loss_sum += loss.detach() * len(labels)
            correct += (logits.detach().argmax(1) == labels).sum()
            if bar is not None:
                bar.update(len(labels))
                if step % PROGRESS_EVERY == 0 or step == self.steps_per_epoch - 1:
                    bar.set_postfix(loss=f"{loss.item():.4f}")  # tqdm shows the throughput, in img/s
        return loss_sum.item() / n, correct.item() / n, float(self.optimizer.param_groups[0]["lr"])


# --------------------------------------------------------------------------- how long: estimates and progress


def seconds_per_step(model, data, optimizer, *, batch_size=100, steps=3, rounds=3, **fit_options):
    """The wall-clock seconds one `fit` training step of `model` takes on this machine.

    After one untimed warm-up step (the first step also pays for setting up the convolution kernels),
    `rounds` `fit` epochs of `steps` batches each are timed, and the fastest round's time per step is
    returned: other work on a shared machine only ever slows a round down, so the fastest round is the
    closest to what the step itself costs. It all runs on a copy of the model with an optimizer of its
    own, so the caller's model, optimizer and random state are left as they were. `optimizer` is a
    helpers.optim rule or a factory params -> torch optimizer (as for `fit`); `fit_options` are `fit`'s
    (device, precision, augment, compile, …).
    """
    if isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(
            "pass a helpers.optim rule or a factory params -> optimizer: timing must not step "
            "an optimizer that the caller goes on using"
        )
    _check_batch_size(batch_size)
    steps, rounds = integer("steps", steps, 1), integer("rounds", rounds, 1)
    for owned in ("epochs", "checkpoint_dir", "resume", "progress", "val_data", "schedule"):
        if owned in fit_options:
            raise ValueError(f"seconds_per_step times single steps; {owned} is not one of its options")
    device = resolve_device(fit_options.pop("device", None))
    data = as_tensor_data(data, device)
    if len(data) < batch_size:
        raise ValueError(f"data holds {len(data)} images, fewer than one batch of {batch_size}")
    timed_steps = min(steps, len(data) // batch_size)  # whole batches only
    timed = TensorData(data.images[: timed_steps * batch_size], data.labels[: timed_steps * batch_size])
    probe = copy.deepcopy(model)
    settings = dict(batch_size=batch_size, device=device, progress=False, **fit_options)
    fit(probe, TensorData(data.images[:batch_size], data.labels[:batch_size]), optimizer, 1, **settings)
    fastest = math.inf
    for _ in range(rounds):
        started = time.perf_counter()
        # fit ends by reading the loss (.item()), which waits for the device: the clock sees every step.
        fit(probe, timed, optimizer, 1, **settings)
        fastest = min(fastest, time.perf_counter() - started)
    return fastest / timed_steps
