"""Training throughput of the classic MNIST CNN: the usual PyTorch example against helpers.training.

    python benchmarks/cnn_throughput.py                  # the best device, 3 rounds of 200 timed steps
    python benchmarks/cnn_throughput.py --device cpu --steps 300 --rounds 5
    python benchmarks/cnn_throughput.py --device cuda --full    # on the full 60,000-image training set

Every way trains `models.classic_cnn()` from the same initial weights with Adam(lr=1e-3) at batch size
B = 100 for the same number of steps:

  baseline   the PyTorch MNIST example: a Dataset that turns one uint8 image into a normalized float
             tensor per item, DataLoader(batch_size=100, shuffle=True) with num_workers=0 on the CPU
             (2 workers and pinned memory feeding a GPU), torch.optim.Adam's default loop, float32,
             contiguous NCHW.
  ours       helpers.training.fit: the data on the device, normalized once, batches by index_select,
             channels_last, Adam's fused kernel (the same arithmetic in one pass over the parameters;
             `--adam loop` keeps the baseline's); once in float32 and once under bfloat16 autocast
             where the device runs it natively (an explicit precision="bf16": `fit`'s default "auto"
             uses bfloat16 on a GPU only, and float32 on every CPU).

After an untimed warm-up, the ways take turns for `--rounds` rounds of `--steps` steps each, and each
way's best round is reported: other work on a shared machine only ever slows a round down, so the
best round is the closest to what the way itself costs; the median is shown beside it. Images/s
counts training images: forward, backward and optimizer step. On the CPU the table adds images per
second of this process's CPU time (all its threads), which other processes disturb far less than the
wall clock; with `--threads 1` it is what one free core would do. Each model is then scored on the
10,000 official test images in float32, to show that the faster ways learn as well.
"""

import argparse
import datetime
import os
import platform
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

from helpers import devices, mnist, models, training

BATCH_SIZE = 100
LR = 1e-3
INIT_SEED = 0


class MNISTItems(Dataset):
    """One normalized image tensor (1, 28, 28) and its label per item, as in the PyTorch example."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        image = torch.from_numpy(self.images[index]).float().div(255).unsqueeze(0)  # x ∈ [0, 1]
        return (image - training.MNIST_MEAN) / training.MNIST_STD, int(self.labels[index])


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def fresh_model():
    torch.manual_seed(INIT_SEED)
    return models.classic_cnn()


def baseline(images, labels, device):
    """The per-item Dataset + DataLoader loop: (train(steps), model)."""
    model = fresh_model().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    options = devices.loader_options(device.type)
    loader = DataLoader(
        MNISTItems(images, labels),
        batch_size=BATCH_SIZE,
        shuffle=True,
        num_workers=options.num_workers,
        pin_memory=options.pin_memory,
        persistent_workers=options.num_workers > 0,
    )

    def batches():
        while True:
            yield from loader

    stream = batches()

    def train(steps):
        model.train()
        for _ in range(steps):
            x, y = next(stream)
            x, y = x.to(device, non_blocking=options.pin_memory), y.to(device, non_blocking=options.pin_memory)
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return train, model


def ours(images, labels, device, precision, max_steps, fused_adam):
    """helpers.training.fit: (train(steps), model), each call one `fit` epoch of exactly `steps` steps."""
    model = fresh_model().to(device=device, memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, fused=fused_adam)
    # An "epoch" of steps·B images (the set repeated) is exactly `steps` steps. The repeated set is
    # shuffled once, so that any prefix holds every digit (the shipped subset is sorted by digit).
    repeats = -(-max_steps * BATCH_SIZE // len(labels))
    order = np.random.default_rng(INIT_SEED).permutation(repeats * len(labels))[: max_steps * BATCH_SIZE]
    data = training.to_device_tensors(np.tile(images, (repeats, 1, 1))[order], np.tile(labels, repeats)[order], device)
    epochs_run = 0

    def train(steps):
        nonlocal epochs_run
        epochs_run += 1
        subset = training.TensorData(data.images[: steps * BATCH_SIZE], data.labels[: steps * BATCH_SIZE])
        training.fit(
            model,
            subset,
            optimizer,
            1,
            batch_size=BATCH_SIZE,
            device=device,
            precision=precision,
            progress=False,
            seed=epochs_run,
        )

    return train, model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=200, help="timed training steps per round (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per way, best reported (default 3)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps before timing (default 10)")
    parser.add_argument("--device", default=None, help="cpu, cuda or mps (default: the best available)")
    parser.add_argument(
        "--full",
        action="store_true",
        help="train on the full 60,000-image training set (downloaded and verified once) instead "
        "of the 5,000-image subset that ships with the course",
    )
    parser.add_argument(
        "--data", default=None, help="with --full: the folder for the full set (default: DESCENT_DATA or the cache)"
    )
    parser.add_argument(
        "--adam",
        choices=("fused", "loop"),
        default="fused",
        help="Adam's implementation in our runs (default fused; loop is the baseline's)",
    )
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    args = parser.parse_args()
    if min(args.steps, args.rounds, args.warmup) < 1:
        parser.error("--steps, --rounds and --warmup must be ≥ 1")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = devices.resolve_device(args.device)
    data = mnist.load(root=args.data, full=args.full or None)  # None: DESCENT_MNIST_FULL decides
    test = training.to_device_tensors(data.test_images, data.test_labels, device)

    print(
        f"{datetime.date.today()} · {devices.processor_name(device)} · device {device} · torch {torch.__version__} · "
        f"{torch.get_num_threads()} threads · {os.cpu_count()} CPUs · python {platform.python_version()}"
    )
    print(
        f"classic CNN, batch {BATCH_SIZE}, Adam(lr={LR}) ({args.adam} in ours), {args.warmup} warm-up steps, then "
        f"{args.rounds} rounds × {args.steps} steps per way; training on {data.train_source}"
    )
    images, labels = data.train_images, data.train_labels
    max_steps = max(args.steps, args.warmup)
    fused = args.adam == "fused"
    ways = {
        "baseline: Dataset + DataLoader, fp32": baseline(images, labels, device),
        "ours: helpers.training, fp32": ours(images, labels, device, "fp32", max_steps, fused),
    }
    if devices.bf16_supported(device):
        ways["ours: helpers.training, bf16 autocast"] = ours(images, labels, device, "bf16", max_steps, fused)
    else:
        print(f"(no bf16 row: {device} has no native bfloat16 support)")

    wall_rates = {name: [] for name in ways}
    cpu_rates = {name: [] for name in ways}
    for train, _ in ways.values():
        train(args.warmup)
    for _ in range(args.rounds):
        for name, (train, _) in ways.items():
            synchronize(device)
            wall, cpu = time.perf_counter(), time.process_time()
            train(args.steps)
            synchronize(device)
            wall_rates[name].append(args.steps * BATCH_SIZE / (time.perf_counter() - wall))
            cpu_rates[name].append(args.steps * BATCH_SIZE / (time.process_time() - cpu))

    baseline_name = next(iter(ways))
    wall_reference, cpu_reference = max(wall_rates[baseline_name]), max(cpu_rates[baseline_name])
    on_cpu = device.type == "cpu"
    print()
    header = f"| {'way':<38} | {'best img/s':>10} | {'median img/s':>12} | {'× baseline':>10} |"
    rule = f"|{'-' * 40}|{'-' * 11}:|{'-' * 13}:|{'-' * 11}:|"
    if on_cpu:  # images per second of CPU time: what a run costs even when other work shares the cores
        header += f" {'img per CPU-s':>13} | {'× baseline':>10} |"
        rule += f"{'-' * 14}:|{'-' * 11}:|"
    print(f"{header} {'test accuracy':>13} |")
    print(f"{rule}{'-' * 14}:|")
    for name, (_, model) in ways.items():
        _, accuracy = training.evaluate(model, test, precision="fp32")
        best, best_cpu = max(wall_rates[name]), max(cpu_rates[name])
        line = (
            f"| {name:<38} | {best:>10,.0f} | {statistics.median(wall_rates[name]):>12,.0f} | "
            f"{best / wall_reference:>9.2f}× |"
        )
        if on_cpu:
            line += f" {best_cpu:>13,.0f} | {best_cpu / cpu_reference:>9.2f}× |"
        print(f"{line} {accuracy:>12.2%} |")
    load = os.getloadavg()
    crowded = (
        f" (above {os.cpu_count()} CPUs: other processes competed for the cores)" if load[0] > os.cpu_count() else ""
    )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in load)}{crowded}")


if __name__ == "__main__":
    main()
