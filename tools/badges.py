"""Write every Binder badge and link from the one repository URL in pyproject.toml.

    python tools/badges.py           # rewrite the badges and links that are out of date
    python tools/badges.py --check   # list them and exit 1, change nothing

The repository's address lives only in `[project.urls] Repository`. From it come the badge in
each notebook's title cell (pointing at that notebook), the README's badge (pointing at the first
notebook) and every other mybinder.org link in the README (the teachers' link keeps the notebook
it names). Moving the repository means editing pyproject.toml and running this script.
"""

import argparse
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BRANCH = "main"
BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"
BADGE_TEXT = "[![Open in Binder]"
# A mybinder.org launch link for a GitHub repository, up to (not including) a closing ")", "`" or space.
BINDER_LINK = re.compile(r"https://mybinder\.org/v2/gh/[^\s)`\"']+")


def repository_url(root=ROOT):
    """`[project.urls] Repository` of pyproject.toml, without a trailing slash or ".git"."""
    with open(root / "pyproject.toml", "rb") as f:
        urls = tomllib.load(f).get("project", {}).get("urls", {})
    url = urls.get("Repository", "")
    parsed = urlparse(url)
    parts = parsed.path.strip("/").removesuffix(".git").split("/")
    if parsed.scheme != "https" or parsed.netloc != "github.com" or len(parts) != 2 or not all(parts):
        raise ValueError(f"[project.urls] Repository must be https://github.com/OWNER/NAME, got {url!r}")
    return f"https://github.com/{parts[0]}/{parts[1]}"


def binder_url(notebook, root=ROOT):
    """The mybinder.org link that opens `notebook` (a path relative to the repository root) in JupyterLab."""
    owner_and_name = repository_url(root).removeprefix("https://github.com/")
    labpath = quote(Path(notebook).as_posix(), safe="")
    return f"https://mybinder.org/v2/gh/{owner_and_name}/{BRANCH}?labpath={labpath}"


def badge(notebook, root=ROOT):
    """The Markdown "Open in Binder" badge for `notebook`."""
    return f"{BADGE_TEXT}({BADGE_IMAGE})]({binder_url(notebook, root)})"


def notebooks(root=ROOT):
    """The course's notebooks, NN_name.ipynb, in numbered order."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def linked_notebook(url):
    """The notebook path a mybinder.org link opens (its labpath), or None."""
    match = re.search(r"[?&]labpath=([^&#]+)", url)
    return unquote(match.group(1)) if match else None


def with_badge(title, notebook, root=ROOT):
    """The title cell's source with its badge line set to `badge(notebook)` (added after the first paragraph if missing)."""
    wanted = badge(notebook, root)
    lines = title.split("\n")
    at = [i for i, line in enumerate(lines) if line.startswith(BADGE_TEXT)]
    if at:
        lines[at[0]] = wanted
        return "\n".join(lines)
    paragraphs = title.split("\n\n")
    return "\n\n".join([*paragraphs[:2], wanted, *paragraphs[2:]])


def with_readme_links(readme, first_notebook, root=ROOT):
    """README text whose badge opens `first_notebook` and whose other Binder links use the repository's URL."""
    first_badge = badge(first_notebook, root)
    lines = [first_badge if line.startswith(BADGE_TEXT) else line for line in readme.split("\n")]

    def canonical(match):
        notebook = linked_notebook(match.group(0))
        return binder_url(notebook, root) if notebook else match.group(0)

    return "\n".join(BINDER_LINK.sub(canonical, line) if not line.startswith(BADGE_TEXT) else line for line in lines)


def stale(root=ROOT, write=False):
    """Files whose badges or links differ from those pyproject.toml gives; rewritten in place when `write`."""
    changed = []
    paths = notebooks(root)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if not nb.cells or nb.cells[0].cell_type != "markdown":
            raise ValueError(f"{path.name}: the first cell must be the markdown title cell")
        relative = path.relative_to(root).as_posix()
        updated = with_badge(nb.cells[0].source, relative, root)
        if updated != nb.cells[0].source:
            changed.append(relative)
            if write:
                nb.cells[0].source = updated
                nbformat.write(nb, path)
    if paths:
        readme = root / "README.md"
        text = readme.read_text(encoding="utf-8")
        updated = with_readme_links(text, paths[0].relative_to(root).as_posix(), root)
        if updated != text:
            changed.append("README.md")
            if write:
                readme.write_text(updated, encoding="utf-8")
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only list out-of-date files; exit 1 if there are any")
    args = parser.parse_args(argv)
    changed = stale(write=not args.check)
    for name in changed:
        print(f"{'out of date' if args.check else 'updated'}: {name}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
