"""Every notebook keeps the course's conventions (shared/NOTEBOOK_GUIDE.md): order, structure, stored outputs, size.

These read the stored .ipynb files; running them is nbval's job.
"""

import ast
import base64
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
README_ROW = re.compile(r"^\|\s*(\d\d)\s*\|\s*\[([^\]]+)\]\((notebooks/[^)]+\.ipynb)\)\s*\|", re.MULTILINE)
TITLE = re.compile(r"^# (\d\d) · (\S.*)$")
BINDER_BADGE = re.compile(
    r"\[!\[Open in Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]\((https://mybinder\.org/v2/gh/[^)]+)\)"
)
IGNORE_OUTPUT = "nbval-ignore-output"
WIDGET_CALLS = {"explore", "panel"}
MAX_PNG_BYTES = 150 * 1024
MAX_NOTEBOOK_BYTES = 2 * 1024 * 1024
MAX_COURSE_BYTES = 20 * 1024 * 1024
# What must never reach a stored output: someone's home, a temporary folder, an installation path.
PRIVATE_PATH = re.compile(
    r"/home/\w|/Users/\w|/root/|[A-Za-z]:\\\\?Users|/tmp/|/private/var/|site-packages|" + re.escape(str(ROOT))
)


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def tags(cell):
    return set(cell.metadata.get("tags", []))


def is_solution(cell):
    return "solution" in tags(cell)


def parse(cell):
    """The cell's Python syntax tree, IPython magics and shell escapes blanked out."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines()]
    return ast.parse("\n".join(lines))


def calls(cell):
    """The names of the functions a cell calls: `f` for f(…) and for module.f(…)."""
    found = set()
    for node in ast.walk(parse(cell)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                found.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                found.add(node.func.attr)
    return found


def shows_a_panel(cell):
    """A cell that builds a widget panel: it calls helpers.widgets.explore or .panel."""
    if cell.cell_type != "code" or "widgets" not in cell.source:
        return False
    tree = parse(cell)
    from_widgets = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "helpers.widgets"
        for alias in node.names
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in WIDGET_CALLS
                and isinstance(func.value, ast.Name)
                and func.value.id == "widgets"
            ):
                return True
            if isinstance(func, ast.Name) and func.id in from_widgets and func.id in WIDGET_CALLS:
                return True
    return False


def bound_names(statements):
    """Names a cell binds at the notebook's top level (imports aside: they rebind the same module)."""
    names = set()

    def targets(node):
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.add(sub.id)

    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                targets(target)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            targets(node.target)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    targets(item.optional_vars)
        for sub in ast.walk(node):
            if isinstance(sub, ast.NamedExpr):
                names.add(sub.target.id)
        for field in ("body", "orelse", "finalbody"):
            names |= bound_names(getattr(node, field, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            if handler.name:
                names.add(handler.name)
            names |= bound_names(handler.body)
    return names


def output_texts(output):
    if output.output_type == "stream":
        yield output.text
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime == "application/json":
            yield value if isinstance(value, str) else str(value)


def headings(nb):
    return [
        line.lstrip("#").strip().lower()
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if re.match(r"^##? ", line)
    ]


def readme_rows():
    return README_ROW.findall((ROOT / "README.md").read_text(encoding="utf-8"))


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.name, scope="module")
def notebook(request):
    return request.param, read(request.param)


# --------------------------------------------------------------------------- the course as a whole


def test_the_readme_lists_every_notebook_in_order_without_gaps():
    rows = readme_rows()
    listed = [link for _, _, link in rows]
    assert listed == [path.relative_to(ROOT).as_posix() for path in NOTEBOOKS], (
        "the README's table links every notebooks/NN_*.ipynb, in numbered order"
    )
    assert [number for number, _, _ in rows] == [f"{i:02d}" for i in range(len(rows))], (
        "numbered 00, 01, … without gaps"
    )
    assert all(Path(link).name.startswith(number + "_") for number, _, link in rows)


def test_the_course_fits_its_size_budget():
    total = sum(path.stat().st_size for path in NOTEBOOKS)
    assert total <= MAX_COURSE_BYTES, f"the notebooks weigh {total / 2**20:.1f} MB together"


# --------------------------------------------------------------------------- each notebook


def test_title_cell_names_the_notebook_and_carries_its_own_binder_badge(notebook):
    path, nb = notebook
    title = nb.cells[0]
    assert title.cell_type == "markdown"
    match = TITLE.match(title.source.splitlines()[0])
    assert match, f"the first line is '# NN · Title', got {title.source.splitlines()[0]!r}"
    assert match.group(1) == path.name[:2]
    link = path.relative_to(ROOT).as_posix()
    in_readme = {linked: name for _, name, linked in readme_rows()}
    assert in_readme.get(link) == match.group(2), f"the README's table lists it as [{match.group(2)}]({link})"
    badge_links = BINDER_BADGE.findall(title.source)
    assert len(badge_links) == 1, "one Open in Binder badge in the title cell"
    assert badge_links[0].endswith(f"?labpath=notebooks%2F{path.name}"), "the badge opens this very notebook"


def test_one_setup_cell_first_imports_then_setup_notebook(notebook):
    _, nb = notebook
    cells = code_cells(nb)
    assert [i for i, cell in enumerate(cells) if "setup_notebook" in calls(cell)] == [0], (
        "the first code cell, and only it, calls setup_notebook()"
    )
    setup = parse(cells[0]).body
    assert all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in setup[:-1]), (
        "the setup cell: imports, then setup_notebook()"
    )
    last = setup[-1]
    assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Call), "the setup cell ends with setup_notebook()"
    called = last.value.func
    assert (called.id if isinstance(called, ast.Name) else getattr(called, "attr", None)) == "setup_notebook"
    assert IGNORE_OUTPUT in tags(cells[0]), "versions differ between machines"


def test_learning_goals_exercises_and_summary_in_that_order(notebook):
    _, nb = notebook
    found = headings(nb)
    positions = []
    for section in ("learning goals", "exercises", "summary"):
        at = [i for i, heading in enumerate(found) if heading.startswith(section)]
        assert at, f"a '## {section.capitalize()}' heading"
        positions.append(at[0])
    assert positions == sorted(positions)


def test_exercises_have_solutions_that_keep_the_learners_names(notebook):
    path, nb = notebook
    solutions = [cell for cell in code_cells(nb) if is_solution(cell)]
    assert len(solutions) >= 3, "three exercises or more, each with a worked solution"
    for cell in solutions:
        assert not cell.metadata.get("jupyter", {}).get("source_hidden"), (
            f"a solution in the Solutions section is meant to be read; its source is hidden:\n{cell.source}"
        )
    learner_cells = [cell for cell in code_cells(nb) if not is_solution(cell)]
    learner = set().union(*(bound_names(parse(cell).body) for cell in learner_cells))
    for cell in solutions:
        overwritten = (bound_names(parse(cell).body) - {"_"}) & learner  # "_" holds nothing anyone reads
        assert not overwritten, f"a solution overwrites {', '.join(sorted(overwritten))}:\n{cell.source}"
    only_solutions = set().union(*(bound_names(parse(cell).body) for cell in solutions)) - learner
    for cell in learner_cells:
        read = {
            node.id for node in ast.walk(parse(cell)) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        assert not read & only_solutions, (
            f"a cell reads {', '.join(sorted(read & only_solutions))}, which only a solution defines"
        )


def section_starts(nb):
    """The index of the cell that opens each '## ' section, by its lower-case title."""
    found = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    found.setdefault(line[3:].strip().lower(), index)
    return found


def calls_a_check(cell):
    return any(name.startswith("check_") for name in calls(cell))


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.name)
def converted(request):
    return request.param, read(request.param)


def test_nothing_above_the_summary_shows_an_answer(converted):
    _, nb = converted
    sections = section_starts(nb)
    summary = next(index for title, index in sections.items() if title.startswith("summary"))
    for cell in nb.cells[:summary]:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            for text in output_texts(output):
                assert "✓" not in text, f"an output above the summary shows a ✓ (an answer):\n{text}\nin\n{cell.source}"


def test_solutions_come_last_after_the_summary_each_through_a_check(converted):
    _, nb = converted
    sections = section_starts(nb)
    if not any(title.startswith("exercises") for title in sections):
        return
    assert "solutions" in sections, "a '## Solutions' section holds the worked solutions"
    summary = next(index for title, index in sections.items() if title.startswith("summary"))
    start = sections["solutions"]
    assert start > summary, "the Solutions section comes after the summary and the link to the next notebook"
    assert max(sections.values()) == start, "the Solutions section is the last one"
    solutions = [cell for cell in nb.cells[start:] if cell.cell_type == "code"]
    assert len(solutions) >= 3, "one worked cell per exercise"
    for cell in solutions:
        assert calls_a_check(cell), f"a solution runs its exercise's check, so CI proves it:\n{cell.source}"
        assert is_solution(cell), f"a solution cell is tagged 'solution':\n{cell.source}"
    above = [cell for cell in nb.cells[:start] if cell.cell_type == "code"]
    assert not any(is_solution(cell) for cell in above), "every solution sits in the Solutions section"


def test_widget_cells_are_stored_empty_after_a_static_figure(notebook):
    _, nb = notebook
    since_section = []  # the code cells since the last heading or panel
    for cell in nb.cells:
        if cell.cell_type == "markdown" and re.search(r"^#{1,2} ", cell.source, re.MULTILINE):
            since_section = []
        if cell.cell_type != "code":
            continue
        if shows_a_panel(cell):
            assert cell.outputs == [] and cell.execution_count is None, (
                f"a panel cell is stored without output:\n{cell.source}"
            )
            assert IGNORE_OUTPUT in tags(cell), f"a panel cell is tagged {IGNORE_OUTPUT}:\n{cell.source}"
            assert any("image/png" in out.get("data", {}) for earlier in since_section for out in earlier.outputs), (
                f"a static figure of the default settings comes before the panel:\n{cell.source}"
            )
            since_section = []
        else:
            since_section.append(cell)


def test_stored_executed_top_to_bottom(notebook):
    _, nb = notebook
    counts = [cell.execution_count for cell in code_cells(nb) if not shows_a_panel(cell)]
    assert None not in counts, "every cell but the panels is stored executed"
    assert counts == sorted(set(counts)), "executed in order, top to bottom"


def test_no_errors_warnings_or_private_paths_in_outputs(notebook):
    _, nb = notebook
    for cell in code_cells(nb):
        for output in cell.outputs:
            assert output.output_type != "error", f"an error is stored:\n{cell.source}"
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"stderr output (a warning?):\n{output.text}\nin\n{cell.source}"
            )
            for text in output_texts(output):
                leak = PRIVATE_PATH.search(text)
                assert not leak, f"an output shows {leak.group(0)!r}:\n{text}"


def test_figures_and_notebook_within_size_limits(notebook):
    path, nb = notebook
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, f"{path.stat().st_size / 2**20:.1f} MB"
    for cell in code_cells(nb):
        for output in cell.outputs:
            png = output.get("data", {}).get("image/png")
            if png:
                size = len(base64.b64decode(png))
                assert size <= MAX_PNG_BYTES, f"a {size / 1024:.0f} KB figure in:\n{cell.source}"


def test_kernel_is_python3(notebook):
    _, nb = notebook
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert "widgets" not in nb.metadata, "widget state is not stored"


# --------------------------------------------------------------------------- the checks themselves


def cell(source, tag=None):
    return nbformat.v4.new_code_cell(source, metadata={"tags": [tag]} if tag else {})


def test_panel_cells_are_recognised():
    assert shows_a_panel(cell('from helpers import widgets\n\nwidgets.explore("rosenbrock", "sgd")'))
    assert shows_a_panel(cell("from helpers.widgets import panel\npanel(controls, compute, draw)"))
    assert not shows_a_panel(cell('plotting.draw_explore(ax, descent.explore_run("rosenbrock"))  # no widgets here'))
    assert not shows_a_panel(cell("widgets = 3\nprint(widgets)"))


def test_top_level_bindings_ignore_function_locals():
    tree = ast.parse(
        "a = 1\nb, (c, d) = 2, (3, 4)\ne += 1\ndef f(x):\n    local = x\n    return local\n"
        "for i in range(3):\n    g = i\nwith open('x') as h:\n    pass\nif (k := 5):\n    m: int = 6\n"
        "import numpy as np\n[q for q in range(2)]\n"
    )
    assert bound_names(tree.body) == {"a", "b", "c", "d", "e", "f", "i", "g", "h", "k", "m"}


def test_private_paths_are_caught():
    for leak in ("/home/ana/descent/x.py", "/Users/bob/x", "C:\\Users\\eve", "/tmp/tmpab12/data", str(ROOT / "x")):
        assert PRIVATE_PATH.search(leak), leak
    assert not PRIVATE_PATH.search("final f − f* = 1.2e-07 · steps 200 · notebooks/01_gradient_descent.ipynb")


def round_off_rule():
    """The sanitizer's round-off rule, read the way nbval reads it."""
    from nbval.plugin import get_sanitize_patterns

    config = (ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    patterns = dict(get_sanitize_patterns(config))
    rule = [regex for regex, replace in patterns.items() if replace == "<1e-12"]
    assert len(rule) == 1, "one round-off rule, replaced by <1e-12"
    return re.compile(rule[0])


@pytest.mark.parametrize(
    "text",
    [
        "2.05e-30",
        "2.04e-30",
        "4.4e-16",
        "-4.4e-16",
        "+1.1e-16",
        "3e-15",
        "1.44e-51",
        "9.9e-12",
        "1e-12",
        "7.123456e-300",
        "0.0e+00",
        "0e+00",
        "-0.0e+00",
        "0.000e+00",
        "1.2E-20",
    ],
)
def test_the_round_off_rule_replaces_every_value_below_1e_12(text):
    rule = round_off_rule()
    assert rule.fullmatch(text), text
    assert rule.sub("<1e-12", f"loss {text}, then") == "loss <1e-12, then"


@pytest.mark.parametrize(
    "text",
    [
        "1.0e-11",
        "2.2e-09",
        "5.0e-04",
        "1e-6",
        "1.5e+12",
        "1.0e+00",
        "3.2e+30",
        "0.0312",
        "2.05",
        "1e-1",
        "12.05e-30",
        "x1.5e-20",
        "1.5e-20x",
        "0.01e+00",
    ],
)
def test_the_round_off_rule_leaves_other_numbers_alone(text):
    assert round_off_rule().sub("<1e-12", text) == text
