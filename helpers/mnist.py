"""MNIST from its original IDX files: the course's own copy, an opt-in verified download, one `load` call.

By default `load()` returns the data that ships with the course (package data in `helpers/data/mnist`):
a 5,000-image subset of MNIST's training set, 500 images per digit, and the official 10,000 test
images. Every learner gets the same bytes, offline, checked by SHA-256 on every load.

The full 60,000-image training set is an opt-in: `load(full=True)`, or the environment variable
DESCENT_MNIST_FULL=1. Its files live in the `root` argument, else $DESCENT_DATA, else a per-user cache
folder ($XDG_CACHE_HOME or ~/.cache, then descent/mnist); missing ones are downloaded from public
mirrors, verified by MD5 and written atomically. `MNIST.train_source` always says which set you got.
"""

import gzip
import hashlib
import http.client
import os
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from helpers._checks import flag, positive
from helpers.atomic import atomic_writer, remove_stale_temporaries
from helpers.environment import FULL_MNIST_ENV
from helpers.environment import flag as flag_set

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
"""Public mirrors of the official files, tried in order."""

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
OFFICIAL_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

MD5 = {
    TRAIN_IMAGES: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    TRAIN_LABELS: "d53e105ee54ea40749a09fcbcd1e9432",
    TEST_IMAGES: "9fb629c4189551a2d022fa330f9573f3",
    TEST_LABELS: "ec29112dd5afa0611ce80d1b7f02629c",
}
"""The published MD5 of each official file."""

SUBSET_IMAGES = "train-5k-images-idx3-ubyte.gz"
SUBSET_LABELS = "train-5k-labels-idx1-ubyte.gz"
SHIPPED_FILES = (SUBSET_IMAGES, SUBSET_LABELS, TEST_IMAGES, TEST_LABELS)
SHIPPED_ROOT = Path(__file__).resolve().parent / "data" / "mnist"
"""Where the course's own copy lives: package data, installed with the helpers."""

SHA256 = {
    SUBSET_IMAGES: "5eb5a55b9b127e1bbeed6e0c1dcd0cbe8e2e8ef3fffe1f6f586a9c66a10bfa27",
    SUBSET_LABELS: "c4212cb8cf5b3856dc6a93954d0a71e872869a3ed569561ef5993f6e5a0b3bec",
    TEST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    TEST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
"""The SHA-256 of each file that ships with the course."""

FULL_ENV = FULL_MNIST_ENV

# The third header byte of an IDX file names the element type; multi-byte types are big-endian.
IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

CHUNK_BYTES = 1 << 16
SPEED_LIMIT = 1024
SPEED_TIME = 30
"""Like curl's --speed-limit/--speed-time: a mirror slower than SPEED_LIMIT bytes/s for SPEED_TIME
seconds is abandoned (a per-read timeout alone never fires on a mirror that trickles bytes)."""


class MNISTError(RuntimeError):
    """MNIST could not be loaded: files missing, root not writable, or a failure below."""


class ChecksumError(MNISTError):
    """A file's checksum differs from the expected one."""


class DownloadError(MNISTError):
    """Every mirror failed; `errors` holds (url, exception) for each attempt."""

    def __init__(self, message, errors):
        super().__init__(message)
        self.errors = errors


class StalledError(MNISTError):
    """A transfer fell below the minimum speed for too long."""


class IDXError(MNISTError):
    """A file is not a well-formed IDX file (wrong magic, unknown type, wrong length)."""


class MNIST(NamedTuple):
    train_images: np.ndarray  # uint8, (N, 28, 28)
    train_labels: np.ndarray  # uint8, (N,), digits 0..9
    test_images: np.ndarray  # uint8, (10000, 28, 28)
    test_labels: np.ndarray  # uint8, (10000,)
    train_source: str  # which training set this is: the shipped subset or the full set


def resolve_root(root=None):
    """The absolute folder for the full training set: `root`, else $DESCENT_DATA, else the per-user cache dir.

    Nothing is created here; `load` creates the folder only when it has to download.
    """
    if root is None:
        root = os.environ.get("DESCENT_DATA", "").strip() or None
    if root is None:
        cache = os.environ.get("XDG_CACHE_HOME", "").strip()
        # The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
        base = Path(cache) if cache and os.path.isabs(cache) else Path.home() / ".cache"
        root = base / "descent" / "mnist"
    return Path(root).expanduser().resolve()


def read_idx(path):
    """The array stored in an IDX file (gzip-compressed or raw), in native byte order.

    Raises IDXError naming the file when it is truncated, corrupt or not IDX at all.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip magic
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise IDXError(f"{path}: corrupt or truncated gzip stream ({error})") from error
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise IDXError(f"{path}: not an IDX file (magic number {raw[:4].hex() or 'missing'}, expected 0000TTDD)")
    type_code, ndim = raw[2], raw[3]
    if type_code not in IDX_DTYPES:
        raise IDXError(f"{path}: unknown IDX element type 0x{type_code:02x}")
    if ndim == 0:
        raise IDXError(f"{path}: IDX header declares zero dimensions")
    header_bytes = 4 + 4 * ndim
    if len(raw) < header_bytes:
        raise IDXError(f"{path}: truncated IDX header ({len(raw)} bytes, expected at least {header_bytes})")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    payload = len(raw) - header_bytes
    if payload != expected:
        problem = "truncated" if payload < expected else "has trailing bytes"
        raise IDXError(f"{path}: {problem}: shape {shape} needs {expected} data bytes, the file has {payload}")
    array = np.frombuffer(raw, dtype=dtype, offset=header_bytes).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writable copy in native byte order


def download_file(url_list, dest, md5, timeout=30, speed_limit=SPEED_LIMIT, speed_time=SPEED_TIME):
    """Download `dest` from the first URL in `url_list` that serves a file with this MD5.

    The bytes go to a temporary file beside `dest`, are fsynced, checked, and only then renamed
    onto `dest`; on any failure the temporary file is removed, so `dest` is either absent or
    complete and verified. `timeout` bounds each wait for data; a URL whose transfer stays below
    `speed_limit` bytes/s for `speed_time` seconds is abandoned for the next one. Raises
    DownloadError listing every URL's error when all fail.
    """
    _check_urls("url_list", url_list)
    positive("timeout", timeout)
    positive("speed_time", speed_time)
    positive("speed_limit", speed_limit)
    dest = Path(dest)
    if not dest.parent.is_dir():
        raise FileNotFoundError(f"cannot download to {dest}: folder {dest.parent} does not exist")
    errors = []
    for url in url_list:
        try:
            _download_verified(url, dest, md5, timeout, speed_limit, speed_time)
            return dest
        # URLError, HTTPError, refused connections and timeouts are OSErrors; a malformed or cut
        # chunked reply is an HTTPException.
        except (OSError, http.client.HTTPException, MNISTError) as error:
            errors.append((url, error))
    listing = "\n".join(f"  {url}: {error}" for url, error in errors)
    raise DownloadError(f"could not download {dest.name}; every mirror failed:\n{listing}", errors)


def wants_full(full=None):
    """Whether to load the full training set: `full` when given, else the DESCENT_MNIST_FULL variable."""
    if full is None:
        return flag_set(FULL_ENV)
    return flag("full (or None: the DESCENT_MNIST_FULL variable)", full)


def load(root=None, download=True, mirrors=MIRRORS, checksums=MD5, timeout=30, full=None):
    """MNIST as uint8 numpy arrays: the course's own copy, or the full training set when asked for.

    Default: the 5,000-image training subset and the official test images that ship with the course,
    checked by SHA-256; no network, no folder, no environment variable is involved.
    `full=True` (or DESCENT_MNIST_FULL=1): the official files in `root` (else $DESCENT_DATA, else the
    cache folder); the test files are copied there from the course's own copy, the training files
    downloaded when missing and `download` is true, trying the base URLs in `mirrors` in order. Every
    official file is checked against its MD5 in `checksums`.
    """
    if not wants_full(full):
        for name in SHIPPED_FILES:
            if not (SHIPPED_ROOT / name).is_file():
                raise MNISTError(
                    f"the course's MNIST file {SHIPPED_ROOT / name} is missing: reinstall the course "
                    f"(pip install .) or restore the file from its repository"
                )
            _verify_local(SHIPPED_ROOT / name, None, SHA256[name])
        return _read_set(SHIPPED_ROOT, (SUBSET_IMAGES, SUBSET_LABELS), SHIPPED_ROOT, _describe_subset)

    _check_urls("mirrors", mirrors)
    positive("timeout", timeout)
    missing_md5 = [name for name in OFFICIAL_FILES if name not in checksums]
    if missing_md5:
        raise ValueError(f"checksums has no MD5 for {', '.join(missing_md5)}")
    root = resolve_root(root)
    for name in OFFICIAL_FILES:
        remove_stale_temporaries(root / name)  # left by a download that was killed

    for name in (TEST_IMAGES, TEST_LABELS):
        if not (root / name).exists():
            _ensure_writable(root)
            _verify_local(SHIPPED_ROOT / name, None, SHA256[name])
            with atomic_writer(root / name, suffix=".part") as out:
                out.write((SHIPPED_ROOT / name).read_bytes())
    needed = [name for name in (TRAIN_IMAGES, TRAIN_LABELS) if not (root / name).exists()]
    if needed and not download:
        raise MNISTError(
            f"MNIST files missing from {root}: {', '.join(needed)}. Put them there, point DESCENT_DATA "
            f"(or the root argument) at a folder that has them, or call load(full=True, download=True)."
        )
    if needed:
        _ensure_writable(root)
        for name in needed:
            urls = [mirror.rstrip("/") + "/" + name for mirror in mirrors]
            try:
                download_file(urls, root / name, checksums[name], timeout)
            except DownloadError as error:
                raise DownloadError(
                    f"{error}\nThe full training set needs a network; without one, mnist.load() (full=False) "
                    f"gives the 5,000-image subset that ships with the course.",
                    error.errors,
                ) from error

    for name in OFFICIAL_FILES:
        _verify_local(root / name, checksums[name], None)
    return _read_set(root, (TRAIN_IMAGES, TRAIN_LABELS), root, _describe_full)


def _check_urls(name, urls):
    if isinstance(urls, (str, bytes)) or not isinstance(urls, (list, tuple)) or not urls:
        raise ValueError(f"{name} must be a non-empty list of http(s) URLs, got {urls!r}")
    for url in urls:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"{name} must hold http(s) URLs, got {url!r}")


def _download_verified(url, dest, md5, timeout, speed_limit, speed_time):
    with atomic_writer(dest, suffix=".part") as out, urllib.request.urlopen(url, timeout=timeout) as response:
        digest = hashlib.md5()
        received = 0
        declared = response.headers.get("Content-Length")
        window_start, window_bytes = time.monotonic(), 0
        # read1 returns whatever has arrived; read(n) would wait for all n bytes, so a trickle
        # would never reach the speed check below.
        while chunk := response.read1(CHUNK_BYTES):
            out.write(chunk)
            digest.update(chunk)
            received += len(chunk)
            window_bytes += len(chunk)
            elapsed = time.monotonic() - window_start
            if elapsed >= speed_time:
                if window_bytes < speed_limit * elapsed:
                    raise StalledError(
                        f"stalled: {window_bytes / elapsed:.0f} bytes/s over {elapsed:.0f} s, below the "
                        f"{speed_limit:g} bytes/s required (after {received} bytes)"
                    )
                window_start, window_bytes = time.monotonic(), 0
        # http.client ends a short body quietly, so a dropped connection shows only here.
        if declared is not None and received != int(declared):
            raise MNISTError(f"connection closed after {received} of {declared} bytes")
        if digest.hexdigest() != md5.lower():
            raise ChecksumError(f"checksum mismatch: expected MD5 {md5.lower()}, got {digest.hexdigest()}")


def _ensure_writable(root):
    hint = "set DESCENT_DATA or pass root= to a writable folder"
    try:
        root.mkdir(parents=True, exist_ok=True)
        # os.access alone can be wrong (root user, ACLs, read-only mounts), so also try a write.
        if not os.access(root, os.W_OK):
            raise PermissionError(f"no write permission on {root}")
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as error:
        raise MNISTError(f"MNIST must be downloaded, but {root} is not writable ({error}); {hint}") from error


def _file_digest(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _verify_local(path, md5, sha256):
    for algorithm, expected in (("md5", md5), ("sha256", sha256)):
        if expected is None:
            continue
        got = _file_digest(path, algorithm)
        if got != expected.lower():
            raise ChecksumError(
                f"{path}: checksum mismatch: expected {algorithm.upper()} {expected.lower()}, got {got}. "
                f"Delete the file to download it again, or replace it with a good copy."
            )


def _read_pair(root, images_name, labels_name):
    images, labels = read_idx(root / images_name), read_idx(root / labels_name)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise IDXError(
            f"{root / images_name}: expected uint8 images of shape (N, 28, 28), got {images.dtype} {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1 or (labels.size and labels.max() > 9):
        raise IDXError(f"{root / labels_name}: expected uint8 digit labels 0..9 of shape (N,)")
    if len(images) != len(labels):
        raise IDXError(
            f"{root / images_name} has {len(images)} images but {root / labels_name} has {len(labels)} labels"
        )
    return images, labels


def _read_set(train_root, train_files, test_root, describe):
    train_images, train_labels = _read_pair(train_root, *train_files)
    test_images, test_labels = _read_pair(test_root, TEST_IMAGES, TEST_LABELS)
    return MNIST(train_images, train_labels, test_images, test_labels, describe(train_labels))


def _describe_full(train_labels):
    return f"full MNIST training set ({len(train_labels):,} images)"


def _describe_subset(train_labels):
    counts = np.bincount(train_labels, minlength=10)
    balance = f" ({counts[0]:,} per digit)" if (counts == counts[0]).all() else ""
    return f"{len(train_labels):,}-image subset of MNIST's training set that ships with the course{balance}"
