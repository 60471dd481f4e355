"""A JupyterLab server and a headless Chromium for the browser test; both are always shut down.

Without Playwright or Chromium the browser test is skipped, with the reason; under CI (CI=true)
that is a failure instead. Playwright drives the system's Chromium (Debian's `chromium` package):
`playwright install` is never needed.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SERVER_START_TIMEOUT_S = 120
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# JupyterLab user settings for the test: every cell in the DOM (4.6 virtualizes long notebooks by default,
# and a detached cell has no widget to drag), no autosave, no news or update checks.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def in_ci():
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason):
    """Skip a newcomer's run; fail CI's, which must have the browser."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the browser test must run)", pytrace=False)
    pytest.skip(reason)


def chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    log: Path
    root: Path = None  # the folder it serves

    def notebook_url(self, name):
        """The notebook alone in a workspace of its own (a shared one would reopen the notebooks seen before)."""
        return f"{self.url}/lab/workspaces/{Path(name).stem}/tree/notebooks/{name}?token={self.token}"

    def shut_kernels_down(self):
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def api(self, path, method="GET"):
        request = urllib.request.Request(
            f"{self.url}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None


def write_settings(folder):
    for plugin, values in LAB_SETTINGS.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def wait_until_serving(lab, server):
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"JupyterLab exited with code {server.returncode}:\n{lab.log.read_text()[-4000:]}", pytrace=False
            )
        try:
            lab.api("status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    pytest.fail(
        f"JupyterLab did not answer within {SERVER_START_TIMEOUT_S} s:\n{lab.log.read_text()[-4000:]}", pytrace=False
    )


def stop(lab, server):
    """Shut the kernels down through the API, then the server; whatever is left of its process group is killed."""
    if server.poll() is None:
        try:
            lab.shut_kernels_down()
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass  # the server is stopped below either way
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def lab_environment(home):
    """The environment of a JupyterLab whose settings, workspaces, config, data and runtime files all live in `home`."""
    return {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
    }


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab on a free loopback port with a token, in quick mode, serving a copy of notebooks/."""
    home = tmp_path_factory.mktemp("jupyterlab")
    served = home / "course"
    # A copy: running the notebooks in the browser must never touch the stored ones.
    shutil.copytree(ROOT / "notebooks", served / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    write_settings(home / "settings")
    env = {**lab_environment(home), "DESCENT_QUICK": "1"}
    port, token = free_port(), secrets.token_hex(16)
    lab = Lab(url=f"http://127.0.0.1:{port}", token=token, log=home / "server.log", root=served)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={served}",
        "--ServerApp.allow_root=True",
        "--LabApp.expose_app_in_browser=True",
    ]
    with open(lab.log, "w") as log:
        server = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    try:
        wait_until_serving(lab, server)
        yield lab
    finally:
        stop(lab, server)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable('Playwright is not installed: pip install -e ".[browser]"')
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium is not installed (Debian/Ubuntu: apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, lab):
    """A fresh browser page; afterwards its kernels are shut down, so notebooks never run side by side."""
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()
        lab.shut_kernels_down()
