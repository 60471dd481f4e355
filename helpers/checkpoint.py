"""Checkpoints that are never used damaged: a digest checked before anything is loaded, the previous one kept.

A checkpoint is one file, written atomically (temporary file, fsync, rename):

    DESCENT-CHECKPOINT 1\\n
    sha256 <64 hex digits>\\n
    <the bytes torch.save wrote>

The digest covers exactly the bytes below it, and both are written together, so they cannot disagree;
torch's own zip reader checks no CRCs, so a flipped byte inside a weight would otherwise load silently.
`read` verifies the digest, then `torch.load(..., weights_only=True)`, then that every floating-point
tensor is finite (a diverged run's NaN weights would otherwise train at loss NaN ever after).

`write` first moves the current checkpoint to `previous_path(path)`; `read_latest` falls back to that
one, and says so, when the newest is missing or damaged.
"""

import hashlib
import io
import os
from pathlib import Path
from typing import NamedTuple

import torch

from helpers.atomic import atomic_writer, fsync_dir, remove_stale_temporaries

MAGIC = b"DESCENT-CHECKPOINT 1\n"
DIGEST_PREFIX = b"sha256 "
HEADER_BYTES = len(MAGIC) + len(DIGEST_PREFIX) + 64 + 1


class CheckpointError(ValueError):
    """A checkpoint that must not be used; the message names the file, the fault and what to do."""


class Loaded(NamedTuple):
    contents: dict
    path: Path  # the file that was read: the newest checkpoint, or the previous one
    skipped: str  # why the newest was not used ("" when it was)


def previous_path(path):
    """Where the checkpoint before `path` is kept: checkpoint.pt → checkpoint.previous.pt."""
    path = Path(path)
    return path.with_name(f"{path.stem}.previous{path.suffix}")


def write(contents, path):
    """Save `contents` (tensors, numbers, strings, lists and dicts of them) to `path` with its digest.

    The checkpoint `path` held before becomes `previous_path(path)`. A failure at any point leaves the
    checkpoints as they were, and no temporary file behind.
    """
    path = Path(path)
    buffer = io.BytesIO()
    torch.save(contents, buffer)
    payload = buffer.getvalue()
    digest = hashlib.sha256(payload).hexdigest().encode("ascii")
    with atomic_writer(path) as out:
        out.write(MAGIC + DIGEST_PREFIX + digest + b"\n")
        out.write(payload)
        out.flush()
        os.fsync(out.fileno())  # durable before the current checkpoint steps aside
        if path.exists():  # a crash between the two renames leaves the previous one, never neither
            os.replace(path, previous_path(path))
    fsync_dir(path.parent)


def read(path, map_location="cpu"):
    """The contents of the checkpoint `path`, verified; CheckpointError naming the file otherwise."""
    path = Path(path)
    remove_stale_temporaries(path)  # left by a save that was killed
    advice = f"Start afresh (resume=False) or delete {path}."
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint at {path}") from None
    except OSError as error:
        raise CheckpointError(f"cannot read the checkpoint {path}: {error}. {advice}") from error
    if not raw:
        raise CheckpointError(f"the checkpoint {path} is empty (a save was cut short). {advice}")
    if not raw.startswith(MAGIC):
        raise CheckpointError(
            f"{path} is not a checkpoint written by helpers.checkpoint (it does not start with "
            f"{MAGIC.strip().decode()!r}); it may be a plain torch.save file or another file. {advice}"
        )
    if len(raw) < HEADER_BYTES or raw[len(MAGIC) : len(MAGIC) + len(DIGEST_PREFIX)] != DIGEST_PREFIX:
        raise CheckpointError(f"the checkpoint {path} is truncated inside its header. {advice}")
    expected = raw[len(MAGIC) + len(DIGEST_PREFIX) : HEADER_BYTES - 1].decode("ascii", errors="replace")
    payload = raw[HEADER_BYTES:]
    actual = hashlib.sha256(payload).hexdigest()
    if actual != expected:
        raise CheckpointError(
            f"the checkpoint {path} is damaged: the SHA-256 of its contents is {actual[:16]}…, "
            f"its header says {expected[:16]}… (truncated, or bytes changed on disk). {advice}"
        )
    try:
        contents = torch.load(io.BytesIO(payload), map_location=map_location, weights_only=True)
    except Exception as error:  # torch raises many kinds here (RuntimeError, UnpicklingError, EOFError, …)
        raise CheckpointError(
            f"the checkpoint {path} verified but could not be unpacked ({error}). {advice}"
        ) from error
    bad = non_finite_tensors(contents)
    if bad:
        raise CheckpointError(
            f"the checkpoint {path} holds non-finite values (NaN or inf) in {', '.join(bad[:3])}"
            f"{' and more' if len(bad) > 3 else ''}: the run it saved had diverged. {advice}"
        )
    return contents


def read_latest(path, map_location="cpu"):
    """The newest usable checkpoint: `path`, else `previous_path(path)` when `path` is missing or damaged.

    Raises CheckpointError, naming both files and their faults, when neither can be used.
    """
    path = Path(path)
    try:
        return Loaded(read(path, map_location), path, "")
    except CheckpointError as newest:
        older = previous_path(path)
        if not older.exists():
            raise
        try:
            return Loaded(read(older, map_location), older, str(newest))
        except CheckpointError as previous:
            raise CheckpointError(f"{newest}\nThe one before is unusable too: {previous}") from previous


def non_finite_tensors(contents, prefix=""):
    """The dotted names of the floating-point tensors in `contents` that hold a NaN or an infinity."""
    if isinstance(contents, torch.Tensor):
        return [prefix or "<tensor>"] if contents.is_floating_point() and not torch.isfinite(contents).all() else []
    if isinstance(contents, dict):
        items = contents.items()
    elif isinstance(contents, (list, tuple)):
        items = enumerate(contents)
    else:
        return []
    return [
        name for key, value in items for name in non_finite_tensors(value, f"{prefix}.{key}" if prefix else str(key))
    ]
