"""The helpers' layers, as the README's table gives them: a module imports only from its own layer or the ones
listed before it, the maths layer loads neither torch nor matplotlib, and only `widgets` imports ipywidgets."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HELPERS = ROOT / "helpers"
ORDER = ("maths", "views", "panels", "data", "deep", "setup")


def readme_layers():
    """{module: layer} from the README's table of helpers."""
    layers, layer = {}, None
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### The helpers, layer by layer", 1)[1]
    for line in section.split("\n#", 1)[0].splitlines():
        row = re.match(r"^\|\s*(\w*)\s*\|\s*(`[^|]+`)\s*\|", line)
        if not row:
            continue
        layer = row.group(1) or layer
        for name in re.findall(r"`([\w/]+)`", row.group(2)):
            if "/" not in name:
                layers[name] = layer
    return layers


def modules():
    found = {path.stem: path for path in HELPERS.glob("*.py") if path.stem != "__init__"}
    found.update({path.name: path / "__init__.py" for path in HELPERS.iterdir() if (path / "__init__.py").exists()})
    return found


def helper_imports(path):
    """The helpers modules that `path` (a module, or a package's __init__ and its modules) imports."""
    files = [path] if path.name != "__init__.py" else sorted(path.parent.glob("*.py"))
    own = path.parent.name if path.name == "__init__.py" else None
    names = set()
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("helpers"):
                parts = node.module.split(".")
                if len(parts) == 1:
                    names.update(alias.name for alias in node.names)
                else:
                    names.add(parts[1])
            elif isinstance(node, ast.Import):
                names.update(a.name.split(".")[1] for a in node.names if a.name.startswith("helpers."))
    return names - {own, "data"}


def test_the_readme_lists_every_helpers_module():
    assert set(modules()) == set(readme_layers()), "README's table of helpers and helpers/ disagree"
    assert set(readme_layers().values()) == set(ORDER)


@pytest.mark.parametrize("module", sorted(modules()))
def test_a_module_imports_only_its_own_layer_or_those_before_it(module):
    layers = readme_layers()
    rank = ORDER.index(layers[module])
    later = {name: layers[name] for name in helper_imports(modules()[module]) if ORDER.index(layers[name]) > rank}
    assert not later, f"{module} ({layers[module]}) imports from a later layer: {later}"


def test_the_maths_layer_loads_neither_torch_nor_matplotlib():
    maths = [name for name, layer in readme_layers().items() if layer == "maths"]
    code = (
        f"import sys; import {', '.join('helpers.' + name for name in maths)}; "
        "print([m for m in ('torch', 'matplotlib') if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_only_widgets_imports_ipywidgets():
    importers = sorted(
        path.relative_to(ROOT).as_posix()
        for path in HELPERS.rglob("*.py")
        if re.search(r"^\s*(import|from) ipywidgets", path.read_text(encoding="utf-8"), re.M)
    )
    assert importers and all(name.startswith("helpers/widgets/") for name in importers)
