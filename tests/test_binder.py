"""Binder: its files agree with the root pins, every Binder link comes from pyproject.toml, and its environment runs the course.

The slow test builds Binder's environment from binder/ in a fresh virtual environment and runs
notebooks 00 and 01 there through nbval. PyTorch's CPU index (binder/requirements.txt's
--extra-index-url) may be unreachable from a test machine, so that line is left out and
torch==2.13.0+cpu comes from wherever pip's own configuration finds it (PyPI has no +cpu
build: a find-links folder or an index holding PyTorch's CPU wheels must be configured).
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)$")
NOTEBOOKS_RUN_ON_BINDER = ["notebooks/00_start_here.ipynb", "notebooks/01_gradient_descent.ipynb"]


def load_badges():
    spec = importlib.util.spec_from_file_location("badges", ROOT / "tools" / "badges.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


badges = load_badges()


def requirement_lines(path):
    """The lines of a requirements file that are not comments or blank."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def pins(path):
    """{name: version} of the `name==version` lines; anything else must be an option or `-e .`."""
    found = {}
    for line in requirement_lines(path):
        match = PIN.match(line)
        if match:
            found[match.group(1).lower()] = match.group(2)
        else:
            assert line.startswith("-"), f"{path.name}: {line!r} is neither an exact pin nor an option"
    return found


# --------------------------------------------------------------------------- binder/ files


def test_binder_pins_match_the_root_pins():
    root, binder = pins(ROOT / "requirements.txt"), pins(BINDER / "requirements.txt")
    assert sorted(binder) == sorted(root)
    assert binder.pop("torch") == root.pop("torch") + "+cpu"  # Binder has no GPU: PyTorch's CPU build
    assert binder == root


def test_binder_gets_torch_from_pytorchs_cpu_index():
    options = [line for line in requirement_lines(BINDER / "requirements.txt") if line.startswith("-")]
    assert options == ["--extra-index-url https://download.pytorch.org/whl/cpu"]


def test_root_requirements_install_the_checkout():
    assert "-e ." in requirement_lines(ROOT / "requirements.txt")


def test_binder_runtime_is_python_3_11():
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"


def test_post_build_stops_on_error_and_installs_the_package():
    lines = [line.strip() for line in (BINDER / "postBuild").read_text(encoding="utf-8").splitlines()]
    assert lines[0].startswith("#!"), "postBuild starts with its interpreter line"
    commands = [line for line in lines[1:] if line and not line.startswith("#")]
    assert commands[0] == "set -e"
    assert any(re.fullmatch(r"(python -m )?pip install( --\S+)* \.", command) for command in commands[1:])


# --------------------------------------------------------------------------- badges and links


def test_repository_url_is_a_github_repository():
    with open(ROOT / "pyproject.toml", "rb") as f:
        declared = tomllib.load(f)["project"]["urls"]["Repository"]
    assert badges.repository_url() == declared.rstrip("/")


def test_every_badge_and_binder_link_is_up_to_date():
    assert badges.stale() == [], "run: python tools/badges.py"


def test_readme_badge_opens_the_first_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = badges.notebooks()[0].relative_to(ROOT).as_posix()
    assert badges.badge(first) in readme.splitlines()


def test_readme_binder_links_open_existing_notebooks_of_this_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = badges.BINDER_LINK.findall(readme)
    assert len(links) >= 2, "the README has the badge and the teachers' link"
    for link in links:
        notebook = badges.linked_notebook(link)
        assert notebook and (ROOT / notebook).is_file(), f"{link} opens no notebook of the course"
        assert link == badges.binder_url(notebook)


@pytest.mark.parametrize("path", badges.notebooks(), ids=lambda path: path.name)
def test_every_binder_link_in_a_notebook_uses_the_repository(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for link in badges.BINDER_LINK.findall(cell.source):
                notebook = badges.linked_notebook(link)
                assert notebook and link == badges.binder_url(notebook), f"{path.name}: {link}"


def test_a_new_repository_url_rewrites_every_badge(tmp_path):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "README.md", tmp_path)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    moved = pyproject.replace(badges.repository_url(), "https://github.com/someone-else/fork")
    assert moved != pyproject
    (tmp_path / "pyproject.toml").write_text(moved, encoding="utf-8")

    changed = badges.stale(tmp_path, write=True)

    assert changed == [*(p.relative_to(tmp_path).as_posix() for p in badges.notebooks(tmp_path)), "README.md"]
    assert badges.stale(tmp_path) == []
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "descent-course/descent" not in readme and "/v2/gh/someone-else/fork/main?labpath=" in readme
    title = nbformat.read(tmp_path / NOTEBOOKS_RUN_ON_BINDER[1], as_version=4).cells[0].source
    assert badges.badge(NOTEBOOKS_RUN_ON_BINDER[1], tmp_path) in title.splitlines()


def test_a_missing_badge_is_added_to_the_title_cell():
    title = "# 07 · The race\n\nAfter this notebook you can compare optimizers fairly.\n\nNext: [08 · Schedules](08_x.ipynb)"
    lines = badges.with_badge(title, "notebooks/07_race.ipynb").split("\n\n")
    assert lines[2] == badges.badge("notebooks/07_race.ipynb") and lines[3].startswith("Next:")


def test_a_repository_url_that_is_not_github_is_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project.urls]\nRepository = "https://example.org/x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"Repository must be https://github.com/OWNER/NAME"):
        badges.repository_url(tmp_path)


# --------------------------------------------------------------------------- Binder's environment, built for real


def clone_for_binder(destination):
    """The files a Binder build sees: the checkout without local environments, caches and build output."""
    ignored = shutil.ignore_patterns(
        ".git",
        ".venv*",
        "__pycache__",
        "*.egg-info",
        "build",
        "dist",
        ".pytest_cache",
        ".ipynb_checkpoints",
        "checkpoints",
        "screenshots",
    )
    shutil.copytree(ROOT, destination, ignore=ignored)
    return destination


def run(command, cwd, env, timeout):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result


@pytest.mark.slow
def test_binder_environment_runs_the_first_notebooks(tmp_path):
    if sys.version_info[:2] != (3, 11):
        pytest.skip(f"binder/runtime.txt asks for Python 3.11; this is {sys.version.split()[0]}")
    repo = clone_for_binder(tmp_path / "repo")
    venv = tmp_path / "binder-venv"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    bin_dir = venv / "bin"
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["DESCENT_QUICK"] = "1"

    run([sys.executable, "-m", "venv", str(venv)], repo, env, timeout=120)
    # PyTorch's index is left out (see the module docstring); every other line is installed as Binder does.
    reachable = [
        line
        for line in (repo / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if not line.startswith("--extra-index-url")
    ]
    requirements = tmp_path / "binder-requirements.txt"
    requirements.write_text("\n".join(reachable) + "\n", encoding="utf-8")
    run([bin_dir / "python", "-m", "pip", "install", "--quiet", "-r", str(requirements)], repo, env, timeout=900)
    run(["bash", "binder/postBuild"], repo, env, timeout=300)

    installed = run(
        [bin_dir / "python", "-c", "import helpers, torch; print(torch.__version__, helpers.__file__)"],
        tmp_path,
        env,
        timeout=120,
    ).stdout.split()
    assert installed[0] == pins(BINDER / "requirements.txt")["torch"]
    assert Path(installed[1]).is_relative_to(venv), "postBuild installs the package into the environment, not a link"
    # The MNIST files ship inside the installed package: no data folder, no cache, no network.
    data_env = {**env, "HOME": str(tmp_path / "empty-home"), "XDG_CACHE_HOME": str(tmp_path / "empty-cache")}
    data_env.pop("DESCENT_DATA", None)
    source = run(
        [bin_dir / "python", "-c", "from helpers import mnist; print(mnist.load().train_source, mnist.SHIPPED_ROOT)"],
        tmp_path,
        data_env,
        timeout=120,
    ).stdout
    assert "ships with the course" in source and str(venv) in source

    run(
        [bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *NOTEBOOKS_RUN_ON_BINDER],
        repo,
        env,
        timeout=900,
    )
