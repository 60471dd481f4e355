"""The fault table in tests/README.md names tests that exist, so it cannot drift from the suite."""

import ast
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
