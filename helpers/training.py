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
layout, which oneDNN and cuDNN convolutions prefer, and the forward pass runs under bfloat16 autocast
where the hardware supports it (the weights and the optimizer stay in float32).

Why it is reproducible. One seeded `torch.Generator` on the CPU draws the order and the shifts (so they
are the same on every device), and the global torch generator behind dropout is seeded too, inside
`torch.random.fork_rng`, so `fit` leaves the caller's random state alone. Each epoch ends with an
atomically written checkpoint holding the weights, the optimizer state, the history and every
generator's state as tensors (`torch.load(path, weights_only=True)` reads it); `resume=True` continues
from it, and on the CPU the result is bit-identical to a run that was never interrupted.

The optimizer argument of `fit` may be
  * a helpers.optim rule, e.g. ``optim.adam(lr=1e-3)``: it runs through `HelpersOptimizer`;
  * a factory ``params -> torch.optim.Optimizer``, e.g. ``lambda p: torch.optim.SGD(p, lr=0.1)``;
  * a torch optimizer already built on this model's parameters.
`fit` builds the first two after moving the model to its device, so their state lands there too.
"""

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from helpers import notebook
from helpers.atomic import atomic_writer
from helpers.optim import Optimizer as HelpersRule
from helpers.torch_adapter import HelpersOptimizer

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
"""The mean and standard deviation of MNIST's training pixels scaled to [0, 1]."""

BACKGROUND = (0.0 - MNIST_MEAN) / MNIST_STD
"""A black pixel after normalization: what shifted-in borders are filled with."""

PRECISIONS = ("auto", "bf16", "fp32")
CHECKPOINT_NAME = "checkpoint.pt"
CHECKPOINT_FORMAT = 1
PROGRESS_EVERY = 10  # steps between progress-bar loss readings (each one waits for the device)


class TensorData(NamedTuple):
    """A data set on a device: normalized float32 images (N, 1, 28, 28) and int64 labels (N,); len() is N."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self):
        return len(self.labels)


class TransferOptions(NamedTuple):
    pin_memory: bool  # stage host data in page-locked memory, so the copy can run asynchronously
    non_blocking: bool


class LoaderOptions(NamedTuple):
    num_workers: int
    pin_memory: bool


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


# --------------------------------------------------------------------------- devices and precision


def resolve_device(device=None):
    """`device` as a torch.device, checked; None picks `helpers.notebook.device()` (DESCENT_DEVICE or the best)."""
    if device is None:
        return notebook.device()
    if isinstance(device, str):
        try:
            device = torch.device(device)
        except RuntimeError as error:
            choices = ", ".join(notebook.DEVICES)
            raise ValueError(f"device {device!r} is not a device name; use one of {choices}") from error
    if not isinstance(device, torch.device):
        raise ValueError(f"device must be a string, a torch.device or None, got {device!r}")
    if device.type not in notebook.DEVICES:
        raise ValueError(f"device {str(device)!r} is not supported; use one of {', '.join(notebook.DEVICES)}")
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(f"device {str(device)!r} was asked for, but this machine has no cuda device")
        if device.index is not None and device.index >= count:
            raise ValueError(f"device {str(device)!r} was asked for, but this machine has only {count} cuda device(s)")
    if device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(f"device {str(device)!r} was asked for, but this machine has no mps device")
    return device


def bf16_supported(device):
    """Whether `device` runs bfloat16 matrix products natively (CUDA from Ampere on; CPUs with AVX512-BF16 or AMX)."""
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
    """"bf16" or "fp32": "auto" means bf16 where `bf16_supported(device)`, else fp32."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(map(repr, PRECISIONS))}, got {precision!r}")
    if precision == "auto":
        return "bf16" if bf16_supported(device) else "fp32"
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
    if isinstance(n_val, bool) or not isinstance(n_val, (int, np.integer)) or not 1 <= n_val < len(images):
        raise ValueError(f"n_val must be an integer in [1, {len(images) - 1}], got {n_val!r}")
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
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer ≥ 1, got {batch_size!r}")


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


def evaluate(model, data, batch_size=1000, precision="auto"):
    """(mean cross-entropy loss, accuracy) of `model` on `data`, in eval mode, on the model's device."""
    _check_batch_size(batch_size)
    data = as_tensor_data(data, _model_device(model))
    if len(data) == 0:
        raise ValueError("data is empty")
    loss_sum = torch.zeros((), device=data.images.device)
    correct = torch.zeros((), dtype=torch.int64, device=data.images.device)
    for start, logits in _logits_in_batches(model, data.images, batch_size, precision):
        labels = data.labels[start : start + len(logits)]
        loss_sum += F.cross_entropy(logits, labels, reduction="sum")
        correct += (logits.argmax(1) == labels).sum()
    return loss_sum.item() / len(data), correct.item() / len(data)


def predict(model, data, batch_size=1000, precision="auto"):
    """Logits (N, 10), float32 on the CPU, for a confusion matrix; `.softmax(1)` gives probabilities.

    `data` is a TensorData, a pair (images, labels) or uint8 images alone.
    """
    _check_batch_size(batch_size)
    if not isinstance(data, (TensorData, tuple, list)):
        images = np.asarray(data)
        data = (images, np.zeros(len(images), dtype=np.int64))
    data = as_tensor_data(data, _model_device(model))
    parts = [logits.cpu() for _, logits in _logits_in_batches(model, data.images, batch_size, precision)]
    return torch.cat(parts) if parts else torch.empty(0, 10)


# --------------------------------------------------------------------------- checkpoints


def atomic_save(obj, path):
    """torch.save `obj` to `path` through a temporary file beside it, fsynced, then os.replace.

    A failure at any point leaves `path` as it was (absent, or the previous checkpoint) and no
    temporary file behind.
    """
    with atomic_writer(path) as out:
        torch.save(obj, out)


def load_checkpoint(path, map_location="cpu"):
    """A checkpoint written by `fit` (a directory holding one, or the file), read with weights_only=True."""
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT_NAME
    return torch.load(path, map_location=map_location, weights_only=True)


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


def _fork_rng(device):
    if device.type == "cuda":
        return torch.random.fork_rng(devices=[device.index or 0], device_type="cuda")
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


def _check_fit_arguments(epochs, batch_size, augment, max_shift, seed, checkpoint_dir, resume, lr_schedule):
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be an integer ≥ 0, got {epochs!r}")
    _check_batch_size(batch_size)
    if not isinstance(augment, bool):
        raise ValueError(f"augment must be True or False, got {augment!r}")
    if isinstance(max_shift, bool) or not isinstance(max_shift, (int, np.integer)) or not 0 <= max_shift <= 8:
        raise ValueError(f"max_shift must be an integer in [0, 8] pixels, got {max_shift!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer ≥ 0, got {seed!r}")
    if resume and checkpoint_dir is None:
        raise ValueError("resume=True needs a checkpoint_dir to resume from")
    if lr_schedule is not None and not callable(lr_schedule):
        raise ValueError(f"lr_schedule must be a function step -> learning rate, got {lr_schedule!r}")


def _scheduled_lr(lr_schedule, step):
    lr = lr_schedule(step)
    is_number = isinstance(lr, (int, float, np.integer, np.floating)) and not isinstance(lr, bool)
    if not is_number or not math.isfinite(lr) or lr < 0:
        raise ValueError(f"lr_schedule({step}) must return a finite learning rate η ≥ 0, got {lr!r}")
    return float(lr)


def fit(
    model,
    data,
    optimizer,
    epochs,
    *,
    batch_size=100,
    lr_schedule=None,
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
    lr_schedule: step t (0, 1, … over the whole run) -> η, set on every param group before step t.
    device: None picks `helpers.notebook.device()`; else "cpu", "cuda", "cuda:1", "mps" (checked).
    precision: "auto" (bf16 autocast where supported), "bf16" or "fp32".
    augment: shift each training image by up to `max_shift` pixels each epoch.
    checkpoint_dir: write `checkpoint.pt` there at the end of every epoch; with `resume=True` a run
        continues from it (a missing checkpoint starts afresh); `epochs` is the total, not the remainder.
    seed: seeds the order, the shifts and dropout; the model's initial weights are the caller's.
    progress: a tqdm bar with loss and images/s; None shows it except in quick mode.
    compile: run the training forward pass through `torch.compile` (the first steps compile it).
    """
    _check_fit_arguments(epochs, batch_size, augment, max_shift, seed, checkpoint_dir, resume, lr_schedule)
    device = resolve_device(device)
    precision = resolve_precision(precision, device)
    if progress is None:
        progress = not notebook.QUICK
    model.to(device=device, memory_format=torch.channels_last)
    optimizer = _build_optimizer(optimizer, model)
    train = as_tensor_data(data, device)
    if len(train) == 0:
        raise ValueError("data is empty")
    val = as_tensor_data(val_data, device) if val_data is not None else None
    config = {"batch_size": int(batch_size), "seed": int(seed), "augment": augment,
              "max_shift": int(max_shift), "n_train": len(train)}
    checkpoint_path = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None
    if checkpoint_path is not None:
        checkpoint_path.parent.mkdir(parents=True, exist_ok=True)

    was_training = model.training
    with _fork_rng(device):
        torch.manual_seed(seed)
        data_generator = torch.Generator().manual_seed(seed)
        history, start_epoch = History(), 0
        if resume and checkpoint_path.exists():
            start_epoch, history = _restore(checkpoint_path, config, model, optimizer, device, data_generator)
        forward = torch.compile(model) if compile else model
        run = _Run(forward, optimizer, train, device, precision, batch_size, augment, max_shift,
                   lr_schedule, data_generator)
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
                    atomic_save(
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


def _restore(path, config, model, optimizer, device, data_generator):
    checkpoint = torch.load(path, map_location=device, weights_only=True)
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not a checkpoint of format {CHECKPOINT_FORMAT}")
    for name, value in config.items():
        saved = checkpoint["config"].get(name)
        if saved != value:
            raise ValueError(
                f"cannot resume from {path}: it was trained with {name}={saved!r}, this run has {name}={value!r}"
            )
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    # The generator states must be CPU byte tensors whatever map_location did to them.
    rng = {name: state.cpu() for name, state in checkpoint["rng"].items()}
    _set_rng_states(rng, device, data_generator)
    return checkpoint["epoch"], History.from_dict(checkpoint["history"])


def _progress_bar(progress, epochs, start_epoch, n_train):
    if not progress or start_epoch >= epochs:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=epochs * n_train, initial=start_epoch * n_train, unit="img", unit_scale=True)


class _Run:
    """The inner loop of `fit`: what stays fixed from one epoch to the next."""

    def __init__(self, forward, optimizer, train, device, precision, batch_size, augment, max_shift,
                 lr_schedule, data_generator):
        self.forward, self.optimizer, self.train = forward, optimizer, train
        self.device, self.precision, self.batch_size = device, precision, batch_size
        self.augment, self.max_shift = augment, max_shift
        self.lr_schedule, self.data_generator = lr_schedule, data_generator
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
                images = shift_images(images, shifts[step * self.batch_size : (step + 1) * self.batch_size],
                                      self.max_shift)
            if self.lr_schedule is not None:
                lr = _scheduled_lr(self.lr_schedule, epoch * self.steps_per_epoch + step)
                for group in self.optimizer.param_groups:
                    group["lr"] = lr
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
