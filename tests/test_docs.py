"""Docs that cannot drift: the fault table in tests/README.md names tests that exist, and the reading minutes in
the README and in notebook 00 are the notebooks' own."""

import ast
import importlib.util
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def test_every_test_named_in_the_fault_table_exists():
    table = (ROOT / "README.md").read_text(encoding="utf-8")
    named = re.findall(r"`(test_\w+\.py)::(test_[\w*]+)`|`(test_[\w*]+)`", table)
    assert named
    module = None
    for path_name, test_name, bare in named:
        module = path_name or module
        name = test_name or bare
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        pattern = re.compile(name.replace("*", r"\w*") + "$")
        assert any(pattern.match(d) for d in defined), f"{module} has no test {name}"


def reading_columns():
    """{notebook number: reading minutes} from the README's table and from notebook 00's course map."""
    root = ROOT.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    readme_minutes = {
        number: int(minutes)
        for number, minutes in re.findall(
            r"^\| (\d\d) \| \[[^]]+\]\(notebooks/[^)]+\) \| [^|]+ \| (\d+) \|", readme, re.M
        )
    }
    course_map = next(
        "".join(cell["source"])
        for cell in json.loads((root / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8"))["cells"]
        if "## The course map" in "".join(cell["source"])
    )
    map_minutes = {
        number: int(minutes)
        for number, minutes in re.findall(r"^\| (\d\d) \| \[[^]]+\]\([^)]+\) \| [^|]+ \| (\d+) \|$", course_map, re.M)
    }
    return readme_minutes, map_minutes


def test_reading_minutes_are_measured_and_the_same_in_readme_and_course_map():
    spec = importlib.util.spec_from_file_location("measure_notebooks", ROOT.parent / "tools" / "measure_notebooks.py")
    measure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(measure)
    measured = {
        path.name[:2]: round(measure.reading_minutes(path))
        for path in sorted((ROOT.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    }
    readme_minutes, map_minutes = reading_columns()
    assert readme_minutes == measured, "README's reading minutes: run tools/measure_notebooks.py and copy them"
    assert map_minutes == measured, "notebook 00's course map must give the README's reading minutes"
