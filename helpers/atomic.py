"""Atomic file writes: a reader sees the old file or the complete new one, never a partial one."""

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_writer(path, suffix=".tmp"):
    """Yield a binary file beside `path`; when the block succeeds, fsync it and rename it onto `path`.

    If the block raises (a failed download, a checksum mismatch, Ctrl-C), the temporary file is
    removed and `path` is left as it was.
    """
    path = Path(path)
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
