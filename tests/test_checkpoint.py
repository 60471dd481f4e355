"""helpers.checkpoint: every fault is injected for real, and none is ever loaded silently."""

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import torch

from helpers import checkpoint
from helpers.atomic import STALE_SECONDS

ROOT = Path(__file__).resolve().parents[1]


def contents(scale=1.0):
    generator = torch.Generator().manual_seed(0)
    return {
        "format": 1,
        "model": {"0.weight": scale * torch.randn(64, 32, generator=generator), "0.bias": torch.zeros(64)},
        "optimizer": {"state": {0: {"step": torch.tensor(3.0), "exp_avg": torch.ones(64, 32)}}, "param_groups": []},
        "history": {"train_loss": [0.5, 0.25]},
        "rng": {"data": torch.get_rng_state()},
    }


def assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], dict):
            assert_same(a[key], b[key])
        elif isinstance(a[key], torch.Tensor):
            assert torch.equal(a[key], b[key])
        else:
            assert a[key] == b[key]


def member_offset(raw, suffix):
    """Where the bytes of the zip member whose name ends with `suffix` start inside the checkpoint file."""
    payload = raw[checkpoint.HEADER_BYTES :]
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith(suffix))
    # The local header is 30 bytes plus the name and the extra field, which torch pads for alignment.
    name_length = int.from_bytes(payload[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(payload[info.header_offset + 28 : info.header_offset + 30], "little")
    return checkpoint.HEADER_BYTES + info.header_offset + 30 + name_length + extra_length


def test_a_checkpoint_round_trips_and_keeps_the_previous_one(tmp_path):
    path = tmp_path / "checkpoint.pt"
    checkpoint.write(contents(1.0), path)
    checkpoint.write(contents(2.0), path)
    assert_same(checkpoint.read(path), contents(2.0))
    assert_same(checkpoint.read(checkpoint.previous_path(path)), contents(1.0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.previous.pt", "checkpoint.pt"]


def test_a_byte_flipped_inside_a_weight_tensor_is_refused(tmp_path):
    path = tmp_path / "checkpoint.pt"
    checkpoint.write(contents(), path)
    raw = bytearray(path.read_bytes())
    # Inside the storage of the first tensor: torch's zip reader checks no CRC and would load it.
    raw[member_offset(raw, "data/0") + 100] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(checkpoint.CheckpointError, match=rf"{path} is damaged: the SHA-256.*delete {path}"):
        checkpoint.read(path)


def test_the_flip_would_have_loaded_silently_without_the_digest(tmp_path):
    path = tmp_path / "checkpoint.pt"
    checkpoint.write(contents(), path)
    raw = bytearray(path.read_bytes())
    raw[member_offset(raw, "data/0") + 100] ^= 0x01
    loaded = torch.load(io.BytesIO(bytes(raw[checkpoint.HEADER_BYTES :])), weights_only=True)
    assert not torch.equal(loaded["model"]["0.weight"], contents()["model"]["0.weight"])


@pytest.mark.parametrize(
    "keep", [0, 10, checkpoint.HEADER_BYTES + 5, -1000], ids=["empty", "in the magic", "in the payload", "end cut"]
)
def test_truncated_checkpoints_are_refused_with_the_file_named(tmp_path, keep):
    path = tmp_path / "checkpoint.pt"
    checkpoint.write(contents(), path)
    raw = path.read_bytes()
    path.write_bytes(raw[:keep] if keep >= 0 else raw[:keep])
    with pytest.raises(checkpoint.CheckpointError, match=str(path)):
        checkpoint.read(path)


@pytest.mark.parametrize("foreign", [b"garbage " * 100, b"<html>not found</html>", "plain torch.save"])
def test_foreign_files_are_refused(tmp_path, foreign):
    path = tmp_path / "checkpoint.pt"
    if foreign == "plain torch.save":
        torch.save(contents(), path)
    else:
        path.write_bytes(foreign)
    with pytest.raises(checkpoint.CheckpointError, match=rf"{path} is not a checkpoint written by helpers.checkpoint"):
        checkpoint.read(path)


def test_non_finite_weights_are_refused(tmp_path):
    path = tmp_path / "checkpoint.pt"
    diverged = contents()
    diverged["model"]["0.weight"][3, 4] = float("nan")
    diverged["optimizer"]["state"][0]["exp_avg"][0, 0] = float("inf")
    checkpoint.write(diverged, path)
    with pytest.raises(
        checkpoint.CheckpointError, match=r"non-finite values .* in model\.0\.weight, optimizer\.state\.0\.exp_avg"
    ):
        checkpoint.read(path)


def test_the_previous_checkpoint_stands_in_for_a_damaged_newest(tmp_path):
    path = tmp_path / "checkpoint.pt"
    checkpoint.write(contents(1.0), path)
    checkpoint.write(contents(2.0), path)
    path.write_bytes(path.read_bytes()[:-50])
    loaded = checkpoint.read_latest(path)
    assert loaded.path == checkpoint.previous_path(path)
    assert "damaged" in loaded.skipped and str(path) in loaded.skipped
    assert_same(loaded.contents, contents(1.0))
    assert checkpoint.read_latest(checkpoint.previous_path(path)).skipped == ""


def test_when_both_are_damaged_the_error_names_both(tmp_path):
    path = tmp_path / "checkpoint.pt"
    checkpoint.write(contents(1.0), path)
    checkpoint.write(contents(2.0), path)
    for damaged in (path, checkpoint.previous_path(path)):
        damaged.write_bytes(b"")
    with pytest.raises(
        checkpoint.CheckpointError,
        match=r"(?s)checkpoint\.pt is empty.*one before is unusable too.*previous\.pt is empty",
    ):
        checkpoint.read_latest(path)


def test_a_missing_checkpoint_says_so(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="no checkpoint at"):
        checkpoint.read_latest(tmp_path / "checkpoint.pt")


SAVER = r"""
import sys, torch
from helpers import checkpoint
path, i = sys.argv[1], 0
print("ready", flush=True)
while True:
    i += 1
    checkpoint.write({"i": torch.tensor(i), "weights": torch.full((1_000_000,), float(i))}, path)
"""


def test_a_save_killed_by_sigkill_leaves_a_usable_checkpoint_and_its_temporary_is_cleaned_later(tmp_path):
    path = tmp_path / "checkpoint.pt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for delay in (0.3, 0.45, 0.6):
        saver = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, env=env)
        assert saver.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        saver.send_signal(signal.SIGKILL)
        saver.wait(timeout=30)
        loaded = checkpoint.read_latest(path)  # the newest, or the one before: never a torn file
        i = int(loaded.contents["i"])
        assert torch.equal(loaded.contents["weights"], torch.full((1_000_000,), float(i)))
    # Temporary files that the kills left behind go on the next save, once nobody can still be writing them.
    (tmp_path / ".checkpoint.pt.killed.tmp").write_bytes(b"half a checkpoint")
    long_ago = time.time() - STALE_SECONDS - 60
    for orphan in tmp_path.glob(".checkpoint.pt.*.tmp"):
        os.utime(orphan, (long_ago, long_ago))
    checkpoint.write(contents(), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.previous.pt", "checkpoint.pt"]
