"""MNIST from its original IDX files: verified atomic download, numpy parsing, one `load` call.

Where the data lives (first that applies): the `root` argument, the DESCENT_DATA environment
variable, or a per-user cache directory ($XDG_CACHE_HOME or ~/.cache, then descent/mnist).

A root without the full training images but with the 5,000-image offline subset
(train-5k-images-idx3-ubyte.gz + train-5k-labels-idx1-ubyte.gz) trains on that subset, and the
returned `MNIST.train_source` says so.
"""

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.request
from pathlib import Path
from typing import NamedTuple

import numpy as np

from helpers.atomic import atomic_writer

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
SHA256SUMS = "SHA256SUMS"

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


class MNISTError(RuntimeError):
    """MNIST could not be loaded: files missing, root not writable, or a failure below."""


class ChecksumError(MNISTError):
    """A file's checksum differs from the expected one."""


class DownloadError(MNISTError):
    """Every mirror failed; `errors` holds (url, exception) for each attempt."""

    def __init__(self, message, errors):
        super().__init__(message)
        self.errors = errors


class IDXError(MNISTError):
    """A file is not a well-formed IDX file (wrong magic, unknown type, wrong length)."""


class MNIST(NamedTuple):
    train_images: np.ndarray  # uint8, (N, 28, 28)
    train_labels: np.ndarray  # uint8, (N,), digits 0..9
    test_images: np.ndarray  # uint8, (10000, 28, 28)
    test_labels: np.ndarray  # uint8, (10000,)
    train_source: str  # which training set this is, e.g. the full set or the offline subset


def resolve_root(root=None):
    """The absolute data directory: `root`, else $DESCENT_DATA, else the per-user cache dir.

    Nothing is created here; `load` creates the directory only when it has to download.
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
        except (OSError, EOFError) as error:
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


def to_float(images):
    """uint8 pixel values 0..255 as float32 in [0, 1]."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 pixel values 0..255, got dtype {images.dtype}")
    return images.astype(np.float32) / np.float32(255)  # x / 255 ∈ [0, 1]


def download_file(url_list, dest, md5, timeout=30):
    """Download `dest` from the first URL in `url_list` that serves a file with this MD5.

    The bytes go to a temporary file beside `dest`, are fsynced, checked, and only then renamed
    onto `dest`; on any failure the temporary file is removed, so `dest` is either absent or
    complete and verified. Raises DownloadError listing every URL's error when all fail.
    """
    if isinstance(url_list, str) or not url_list:
        raise ValueError(f"url_list must be a non-empty sequence of URLs, got {url_list!r}")
    _check_timeout(timeout)
    dest = Path(dest)
    if not dest.parent.is_dir():
        raise FileNotFoundError(f"cannot download to {dest}: folder {dest.parent} does not exist")
    errors = []
    for url in url_list:
        try:
            _download_verified(url, dest, md5, timeout)
            return dest
        # URLError, HTTPError, refused connections and timeouts are OSErrors; a malformed or cut
        # chunked reply is an HTTPException.
        except (OSError, http.client.HTTPException, MNISTError) as error:
            errors.append((url, error))
    listing = "\n".join(f"  {url}: {error}" for url, error in errors)
    raise DownloadError(f"could not download {dest.name}; every mirror failed:\n{listing}", errors)


def load(root=None, download=True, mirrors=MIRRORS, checksums=MD5, timeout=30):
    """MNIST as uint8 numpy arrays, downloading missing official files when `download` is true.

    `mirrors` are base URLs tried in order; `checksums` maps each official file name to its MD5.
    Official files are checked against `checksums`, the offline subset against the SHA256SUMS
    file beside it (when present).
    """
    if isinstance(mirrors, str) or not mirrors:
        raise ValueError(f"mirrors must be a non-empty sequence of base URLs, got {mirrors!r}")
    _check_timeout(timeout)
    missing_md5 = [name for name in OFFICIAL_FILES if name not in checksums]
    if missing_md5:
        raise ValueError(f"checksums has no MD5 for {', '.join(missing_md5)}")
    root = resolve_root(root)

    use_subset = not (root / TRAIN_IMAGES).exists() and all(
        (root / name).exists() for name in (SUBSET_IMAGES, SUBSET_LABELS)
    )
    train_files = (SUBSET_IMAGES, SUBSET_LABELS) if use_subset else (TRAIN_IMAGES, TRAIN_LABELS)
    needed = [name for name in (*train_files, TEST_IMAGES, TEST_LABELS) if not (root / name).exists()]
    if needed and not download:
        raise MNISTError(
            f"MNIST files missing from {root}: {', '.join(needed)}. Put them there, point DESCENT_DATA "
            f"(or the root argument) at a folder that has them, or call load(download=True)."
        )
    if needed:
        _ensure_writable(root)
        for name in needed:
            urls = [mirror.rstrip("/") + "/" + name for mirror in mirrors]
            download_file(urls, root / name, checksums[name], timeout)

    sha256sums = _read_sha256sums(root / SHA256SUMS)
    for name in (*train_files, TEST_IMAGES, TEST_LABELS):
        _verify_local(root / name, checksums.get(name), sha256sums.get(name))

    train_images, train_labels = _read_pair(root, *train_files)
    test_images, test_labels = _read_pair(root, TEST_IMAGES, TEST_LABELS)
    return MNIST(train_images, train_labels, test_images, test_labels, _describe(train_labels, use_subset))


def _check_timeout(timeout):
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")


def _download_verified(url, dest, md5, timeout):
    with atomic_writer(dest, suffix=".part") as out, urllib.request.urlopen(url, timeout=timeout) as response:
        digest = hashlib.md5()
        received = 0
        declared = response.headers.get("Content-Length")
        while chunk := response.read(CHUNK_BYTES):
            out.write(chunk)
            digest.update(chunk)
            received += len(chunk)
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


def _read_sha256sums(path):
    if not path.exists():
        return {}
    sums = {}
    for line in path.read_text().splitlines():
        parts = line.split(maxsplit=1)
        if len(parts) == 2:
            sums[parts[1].lstrip("*")] = parts[0].lower()  # "*name" marks binary mode in sha256sum output
    return sums


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


def _describe(train_labels, use_subset):
    if not use_subset:
        return f"full MNIST training set ({len(train_labels):,} images)"
    counts = np.bincount(train_labels, minlength=10)
    balance = f" ({counts[0]:,} per digit)" if (counts == counts[0]).all() else ""
    return f"{len(train_labels):,}-image offline subset of MNIST's training set{balance}"
