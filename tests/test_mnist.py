"""helpers.mnist: IDX parsing, verified atomic downloads from loopback mirrors, and `load`."""

import gzip
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from helpers import mnist

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"offline MNIST folder {SHARED} not found (expected at ../shared/data/mnist)"
)
OFFICIAL_IN_SHARED = (mnist.TRAIN_LABELS, mnist.TEST_IMAGES, mnist.TEST_LABELS)


def md5_of(data):
    return hashlib.md5(data).hexdigest()


def shared_bytes(name):
    return (SHARED / name).read_bytes()


def copy_shared(names, dest):
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(SHARED / name, dest / name)  # copyfile: the copies are writable, unlike the originals


def idx_bytes(array, type_code):
    header = bytes([0, 0, type_code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.tobytes()


def snapshot(folder):
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


# Loopback mirrors ---------------------------------------------------------------------------


class MirrorHandler(BaseHTTPRequestHandler):
    """Serves `routes` (URL path → bytes); a path in `dropped` gets half its bytes, then a hang-up."""

    routes: dict = {}
    dropped: frozenset = frozenset()

    def do_GET(self):
        body = self.routes.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path in self.dropped:
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        else:
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def serve(monkeypatch):
    """Start a loopback mirror: serve({name: bytes}, dropped=()) → base URL ending in '/'."""
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    servers = []

    def start(files, dropped=()):
        handler = type(
            "Mirror",
            (MirrorHandler,),
            {"routes": {f"/mnist/{name}": body for name, body in files.items()},
             "dropped": frozenset(f"/mnist/{name}" for name in dropped)},
        )
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/mnist/"

    try:
        yield start
    finally:
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


@pytest.fixture
def refused_url():
    """A loopback URL on a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


# read_idx ----------------------------------------------------------------------------------


@needs_shared
def test_read_idx_official_test_set():
    images = mnist.read_idx(SHARED / mnist.TEST_IMAGES)
    labels = mnist.read_idx(SHARED / mnist.TEST_LABELS)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert set(np.unique(labels)) == set(range(10))
    assert images.max() == 255 and images.min() == 0


@needs_shared
def test_read_idx_offline_subset_has_500_of_each_digit():
    images = mnist.read_idx(SHARED / mnist.SUBSET_IMAGES)
    labels = mnist.read_idx(SHARED / mnist.SUBSET_LABELS)
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,)
    assert np.bincount(labels, minlength=10).tolist() == [500] * 10


@needs_shared
def test_read_idx_official_training_labels():
    labels = mnist.read_idx(SHARED / mnist.TRAIN_LABELS)
    assert labels.shape == (60000,) and labels.max() == 9


def test_read_idx_raw_big_endian_to_native(tmp_path):
    values = (np.arange(-3, 3).reshape(2, 3) * 1000).astype(">i4")
    path = tmp_path / "values.idx"
    path.write_bytes(idx_bytes(values, 0x0C))
    array = mnist.read_idx(path)
    assert array.dtype == np.dtype(np.int32) and array.dtype.isnative
    np.testing.assert_array_equal(array, values)
    array[0, 0] = 7  # a writable copy, not a view of the file's bytes


def test_read_idx_gzip_matches_raw(tmp_path):
    pixels = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    raw, packed = tmp_path / "a.idx", tmp_path / "a.idx.gz"
    raw.write_bytes(idx_bytes(pixels, 0x08))
    packed.write_bytes(gzip.compress(idx_bytes(pixels, 0x08)))
    np.testing.assert_array_equal(mnist.read_idx(raw), mnist.read_idx(packed))


def test_read_idx_wrong_magic_names_the_file(tmp_path):
    path = tmp_path / "not-idx.gz"
    path.write_bytes(gzip.compress(b"PK\x03\x04 definitely a zip file"))
    with pytest.raises(mnist.IDXError, match=r"not-idx\.gz.*magic"):
        mnist.read_idx(path)


def test_read_idx_unknown_element_type(tmp_path):
    path = tmp_path / "odd.idx"
    path.write_bytes(bytes([0, 0, 0x42, 1, 0, 0, 0, 1, 7]))
    with pytest.raises(mnist.IDXError, match=r"odd\.idx.*0x42"):
        mnist.read_idx(path)


def test_read_idx_truncated_payload(tmp_path):
    path = tmp_path / "short-images.idx"
    path.write_bytes(idx_bytes(np.zeros((3, 28, 28), np.uint8), 0x08)[:-100])
    with pytest.raises(mnist.IDXError, match=r"short-images\.idx.*truncated"):
        mnist.read_idx(path)


def test_read_idx_truncated_header(tmp_path):
    path = tmp_path / "header.idx"
    path.write_bytes(bytes([0, 0, 0x08, 3, 0, 0]))
    with pytest.raises(mnist.IDXError, match=r"header\.idx.*truncated IDX header"):
        mnist.read_idx(path)


def test_read_idx_trailing_bytes(tmp_path):
    path = tmp_path / "long.idx"
    path.write_bytes(idx_bytes(np.zeros(4, np.uint8), 0x08) + b"extra")
    with pytest.raises(mnist.IDXError, match=r"long\.idx.*trailing"):
        mnist.read_idx(path)


def test_read_idx_truncated_gzip(tmp_path):
    whole = gzip.compress(idx_bytes(np.arange(5000, dtype=np.uint8) % 251, 0x08))
    path = tmp_path / "cut.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(mnist.IDXError, match=r"cut\.gz.*gzip"):
        mnist.read_idx(path)


def test_to_float_scales_to_unit_interval():
    images = np.array([[0, 51, 255]], dtype=np.uint8)
    floats = mnist.to_float(images)
    assert floats.dtype == np.float32
    np.testing.assert_allclose(floats, [[0.0, 0.2, 1.0]], rtol=1e-7)


def test_to_float_rejects_non_uint8():
    with pytest.raises(ValueError, match="images must be uint8"):
        mnist.to_float(np.zeros((2, 2), np.float64))


# download_file -----------------------------------------------------------------------------


@needs_shared
def test_download_verifies_and_writes(serve, tmp_path):
    url = serve({mnist.TEST_LABELS: shared_bytes(mnist.TEST_LABELS)})
    dest = tmp_path / mnist.TEST_LABELS
    assert mnist.download_file([url + mnist.TEST_LABELS], dest, mnist.MD5[mnist.TEST_LABELS]) == dest
    assert dest.read_bytes() == shared_bytes(mnist.TEST_LABELS)
    assert [p.name for p in tmp_path.iterdir()] == [mnist.TEST_LABELS]


@needs_shared
def test_download_corrupt_file_leaves_nothing(serve, tmp_path):
    body = bytearray(shared_bytes(mnist.TEST_LABELS))
    body[1000] ^= 0xFF
    url = serve({mnist.TEST_LABELS: bytes(body)})
    expected = mnist.MD5[mnist.TEST_LABELS]
    mismatch = f"checksum mismatch: expected MD5 {expected}, got {md5_of(body)}"
    with pytest.raises(mnist.DownloadError, match=mismatch) as caught:
        mnist.download_file([url + mnist.TEST_LABELS], tmp_path / mnist.TEST_LABELS, expected, timeout=5)
    assert isinstance(caught.value.errors[0][1], mnist.ChecksumError)
    assert list(tmp_path.iterdir()) == []


@needs_shared
def test_download_dropped_connection_leaves_nothing(serve, tmp_path):
    body = shared_bytes(mnist.TEST_IMAGES)
    url = serve({mnist.TEST_IMAGES: body}, dropped=[mnist.TEST_IMAGES])
    with pytest.raises(mnist.DownloadError, match=f"connection closed after {len(body) // 2} of {len(body)} bytes"):
        mnist.download_file([url + mnist.TEST_IMAGES], tmp_path / mnist.TEST_IMAGES, mnist.MD5[mnist.TEST_IMAGES], 5)
    assert list(tmp_path.iterdir()) == []


@needs_shared
def test_failed_download_keeps_existing_file(serve, tmp_path):
    dest = tmp_path / mnist.TEST_LABELS
    dest.write_bytes(b"previous content")
    url = serve({mnist.TEST_LABELS: b"wrong bytes"})
    with pytest.raises(mnist.DownloadError):
        mnist.download_file([url + mnist.TEST_LABELS], dest, mnist.MD5[mnist.TEST_LABELS], timeout=5)
    assert dest.read_bytes() == b"previous content"
    assert [p.name for p in tmp_path.iterdir()] == [mnist.TEST_LABELS]


@needs_shared
def test_download_falls_back_after_404(serve, tmp_path):
    empty = serve({})
    good = serve({mnist.TEST_LABELS: shared_bytes(mnist.TEST_LABELS)})
    urls = [empty + mnist.TEST_LABELS, good + mnist.TEST_LABELS]
    mnist.download_file(urls, tmp_path / mnist.TEST_LABELS, mnist.MD5[mnist.TEST_LABELS], timeout=5)
    assert (tmp_path / mnist.TEST_LABELS).read_bytes() == shared_bytes(mnist.TEST_LABELS)


@needs_shared
def test_download_falls_back_after_refused_connection(serve, refused_url, tmp_path):
    good = serve({mnist.TEST_LABELS: shared_bytes(mnist.TEST_LABELS)})
    urls = [refused_url + mnist.TEST_LABELS, good + mnist.TEST_LABELS]
    mnist.download_file(urls, tmp_path / mnist.TEST_LABELS, mnist.MD5[mnist.TEST_LABELS], timeout=5)
    assert (tmp_path / mnist.TEST_LABELS).read_bytes() == shared_bytes(mnist.TEST_LABELS)


def test_all_mirrors_failing_lists_each(serve, refused_url, tmp_path):
    urls = [serve({}) + mnist.TEST_LABELS, refused_url + mnist.TEST_LABELS]
    with pytest.raises(mnist.DownloadError) as caught:
        mnist.download_file(urls, tmp_path / mnist.TEST_LABELS, mnist.MD5[mnist.TEST_LABELS], timeout=5)
    message = str(caught.value)
    assert "every mirror failed" in message and "404" in message
    assert all(url in message for url in urls)
    assert [url for url, _ in caught.value.errors] == urls
    assert list(tmp_path.iterdir()) == []


def test_download_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="url_list"):
        mnist.download_file("http://127.0.0.1/x", tmp_path / "x", "0" * 32)
    with pytest.raises(ValueError, match="timeout"):
        mnist.download_file(["http://127.0.0.1/x"], tmp_path / "x", "0" * 32, timeout=0)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mnist.download_file(["http://127.0.0.1/x"], tmp_path / "missing" / "x", "0" * 32)


# load --------------------------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("download", [False, True])
def test_load_uses_offline_subset_from_read_only_folder(download, refused_url):
    assert not any(p.stat().st_mode & 0o222 for p in SHARED.iterdir()), "shared files are expected read-only"
    before = snapshot(SHARED)
    data = mnist.load(SHARED, download=download, mirrors=[refused_url], timeout=5)
    assert snapshot(SHARED) == before
    assert data.train_source == "5,000-image offline subset of MNIST's training set (500 per digit)"
    assert data.train_images.shape == (5000, 28, 28) and data.train_labels.shape == (5000,)
    assert data.test_images.shape == (10000, 28, 28) and data.test_labels.shape == (10000,)
    assert data.train_images.dtype == data.test_images.dtype == np.uint8


@needs_shared
def test_load_downloads_missing_files_from_mirrors(serve, refused_url, tmp_path):
    # The full training images are not available offline; the subset stands in under the official names.
    files = {name: shared_bytes(name) for name in (mnist.TEST_IMAGES, mnist.TEST_LABELS)}
    files[mnist.TRAIN_IMAGES] = shared_bytes(mnist.SUBSET_IMAGES)
    files[mnist.TRAIN_LABELS] = shared_bytes(mnist.SUBSET_LABELS)
    checksums = {**mnist.MD5, mnist.TRAIN_IMAGES: md5_of(files[mnist.TRAIN_IMAGES]),
                 mnist.TRAIN_LABELS: md5_of(files[mnist.TRAIN_LABELS])}
    root = tmp_path / "cache" / "mnist"
    data = mnist.load(root, mirrors=[refused_url, serve(files)], checksums=checksums, timeout=5)
    assert data.train_source == "full MNIST training set (5,000 images)"
    assert data.train_images.shape == (5000, 28, 28) and data.test_images.shape == (10000, 28, 28)
    assert sorted(p.name for p in root.iterdir()) == sorted(files)
    again = mnist.load(root, download=False, checksums=checksums)
    np.testing.assert_array_equal(again.train_images, data.train_images)


@needs_shared
def test_load_downloads_test_files_beside_subset(serve, tmp_path):
    copy_shared([mnist.SUBSET_IMAGES, mnist.SUBSET_LABELS], tmp_path)
    url = serve({name: shared_bytes(name) for name in (mnist.TEST_IMAGES, mnist.TEST_LABELS)})
    data = mnist.load(tmp_path, mirrors=[url], timeout=5)
    assert data.train_source.startswith("5,000-image offline subset")
    assert data.test_labels.shape == (10000,)


def test_load_missing_files_without_download_lists_them(tmp_path):
    root = tmp_path / "absent"
    with pytest.raises(mnist.MNISTError) as caught:
        mnist.load(root, download=False)
    message = str(caught.value)
    assert all(name in message for name in mnist.OFFICIAL_FILES)
    assert "DESCENT_DATA" in message and "download=True" in message
    assert not root.exists()


@needs_shared
def test_load_subset_without_test_files_lists_only_those(tmp_path):
    copy_shared([mnist.SUBSET_IMAGES, mnist.SUBSET_LABELS], tmp_path)
    with pytest.raises(mnist.MNISTError, match="missing") as caught:
        mnist.load(tmp_path, download=False)
    message = str(caught.value)
    assert mnist.TEST_IMAGES in message and mnist.TEST_LABELS in message
    assert mnist.TRAIN_IMAGES not in message


def test_load_unwritable_root_asks_for_another(tmp_path, refused_url):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where a folder would have to be")
    with pytest.raises(mnist.MNISTError, match=r"not writable.*set DESCENT_DATA or pass root"):
        mnist.load(blocker / "mnist", mirrors=[refused_url], timeout=5)


def test_load_read_only_root_asks_for_another(tmp_path, refused_url):
    root = tmp_path / "read-only"
    root.mkdir()
    root.chmod(0o555)
    try:
        if os.access(root, os.W_OK):
            pytest.skip("this user can write to a mode 0o555 folder (running as root)")
        with pytest.raises(mnist.MNISTError, match=r"not writable.*set DESCENT_DATA or pass root"):
            mnist.load(root, mirrors=[refused_url], timeout=5)
    finally:
        root.chmod(0o755)


@needs_shared
def test_load_rejects_local_file_with_wrong_md5(tmp_path):
    copy_shared([mnist.SUBSET_IMAGES, mnist.SUBSET_LABELS, mnist.TEST_IMAGES, mnist.TEST_LABELS], tmp_path)
    wrong = "0" * 32
    with pytest.raises(mnist.ChecksumError, match=f"expected MD5 {wrong}, got {mnist.MD5[mnist.TEST_IMAGES]}"):
        mnist.load(tmp_path, download=False, checksums={**mnist.MD5, mnist.TEST_IMAGES: wrong})


@needs_shared
def test_load_checks_subset_against_sha256sums(tmp_path):
    copy_shared([mnist.SUBSET_IMAGES, mnist.SUBSET_LABELS, mnist.TEST_IMAGES, mnist.TEST_LABELS], tmp_path)
    good = hashlib.sha256(shared_bytes(mnist.SUBSET_LABELS)).hexdigest()
    wrong = "f" * 64
    (tmp_path / "SHA256SUMS").write_text(f"{good}  {mnist.SUBSET_LABELS}\n{wrong} *{mnist.SUBSET_IMAGES}\n")
    mismatch = rf"{mnist.SUBSET_IMAGES}: checksum mismatch: expected SHA256 {wrong}"
    with pytest.raises(mnist.ChecksumError, match=mismatch):
        mnist.load(tmp_path, download=False)


@needs_shared
def test_load_rejects_images_and_labels_of_different_lengths(tmp_path):
    copy_shared([mnist.SUBSET_IMAGES, mnist.TEST_IMAGES, mnist.TEST_LABELS], tmp_path)
    shutil.copyfile(SHARED / mnist.TEST_LABELS, tmp_path / mnist.SUBSET_LABELS)
    with pytest.raises(mnist.IDXError, match="5000 images but .* 10000 labels"):
        mnist.load(tmp_path, download=False)


def test_load_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="mirrors"):
        mnist.load(tmp_path, mirrors="https://example.org/mnist/")
    with pytest.raises(ValueError, match="timeout"):
        mnist.load(tmp_path, timeout=-1)
    with pytest.raises(ValueError, match=f"checksums has no MD5 for {mnist.TEST_LABELS}"):
        mnist.load(tmp_path, checksums={k: v for k, v in mnist.MD5.items() if k != mnist.TEST_LABELS})


# resolve_root ------------------------------------------------------------------------------


def test_resolve_root_prefers_argument(monkeypatch, tmp_path):
    monkeypatch.setenv("DESCENT_DATA", str(tmp_path / "env"))
    assert mnist.resolve_root(tmp_path / "arg") == tmp_path / "arg"


def test_resolve_root_env_is_made_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESCENT_DATA", "data/mnist")
    root = mnist.resolve_root()
    assert root.is_absolute() and root == (tmp_path / "data" / "mnist").resolve()


def test_resolve_root_cache_dirs(monkeypatch, tmp_path):
    monkeypatch.delenv("DESCENT_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist.resolve_root() == (tmp_path / "xdg" / "descent" / "mnist").resolve()
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist.resolve_root() == (tmp_path / "home" / ".cache" / "descent" / "mnist").resolve()
    assert not (tmp_path / "home").exists()


def test_import_is_light_and_side_effect_free(tmp_path):
    code = "import sys, helpers.mnist; assert 'torch' not in sys.modules"
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1], env=env)
    assert list(tmp_path.iterdir()) == []


def test_atomic_writer_keeps_the_old_file_when_the_block_fails(tmp_path):
    from helpers.atomic import atomic_writer

    target = tmp_path / "file.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_writer(target) as out:
            out.write(b"new, half written")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.bin"]
    with atomic_writer(target) as out:
        out.write(b"new")
    assert target.read_bytes() == b"new"
