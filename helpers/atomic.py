"""Atomic file writes: a reader sees the old file or the complete new one, never a partial one."""

import contextlib
import os
import tempfile
import time
from pathlib import Path

TEMPORARY_SUFFIXES = (".tmp", ".part")
STALE_SECONDS = 600
"""A temporary file untouched this long has no writer left: a live download writes at least once per
socket timeout (or is abandoned), a live save within seconds. Younger ones may belong to another
kernel writing into the same folder right now, so they are left alone."""


@contextlib.contextmanager
def atomic_writer(path, suffix=".tmp"):
    """Yield a binary file beside `path`; when the block succeeds, fsync it and rename it onto `path`.

    If the block raises (a failed download, a checksum mismatch, Ctrl-C), the temporary file is
    removed and `path` is left as it was.
    """
    path = Path(path)
    remove_stale_temporaries(path)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory):
    """Make a rename inside `directory` durable; platforms that cannot open directories skip it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(path, stale_seconds=STALE_SECONDS):
    """Delete the temporary files that killed writers of `path` left beside it; return their names.

    Only files named as `atomic_writer` names them (".<name>.<random><suffix>") and not modified for
    `stale_seconds` are removed.
    """
    path = Path(path)
    now = time.time()
    removed = []
    try:
        candidates = list(path.parent.glob(f".{path.name}.*"))
    except OSError:
        return removed
    for candidate in candidates:
        if not candidate.name.endswith(TEMPORARY_SUFFIXES):
            continue
        try:
            if now - candidate.stat().st_mtime >= stale_seconds:
                candidate.unlink()
                removed.append(candidate.name)
        except OSError:  # gone already (another kernel cleaned up), or not ours to delete
            continue
    return removed
