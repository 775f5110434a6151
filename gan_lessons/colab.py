"""Colab (lessons 01-06): each notebook's "Open in Colab" badge, its Colab-only setup cell, what it installs.

Colab already has TensorFlow, Keras, ipywidgets 7.7.1, numpy, scipy and matplotlib, and its runtime
is built around those exact versions: reinstalling any of them breaks the session or forces a
restart. So the setup cell clones the course (the package and the weights it ships in `data/`),
installs the package with `--no-deps`, and installs only the requirements Colab lacks, with Colab's
own versions of the packages above pinned. Outside Colab the cell does nothing.

The repository the badges and the setup cell point to is named once, in `pyproject.toml`
(`[project.urls] Repository`); `python scripts/stamp_colab.py` writes it into every notebook.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLONE_DIR = "/content/gan-lessons"  # where the setup cell clones the course on Colab
SETUP_TAG = "colab-setup"  # the metadata tag of the setup cell
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
README_MARKER = "<!-- badges: written by scripts/stamp_colab.py -->"

# Colab's own packages: never installed by the setup cell, pinned at Colab's versions while it installs.
KEPT = ("tensorflow", "tensorflow-cpu", "keras", "ipywidgets", "numpy", "scipy", "matplotlib")
# What the lessons import beyond KEPT, as distribution name -> module name.
RUNTIME = {"pot": "ot", "tqdm": "tqdm"}
# Requirements in pyproject.toml that a notebook on Colab does not need.
NOT_FOR_NOTEBOOKS = ("papermill",)  # the lecture runner

_GITHUB = re.compile(r"^https://github\.com/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+?)(?:\.git)?/?$")


# ---- the repository and the cells that point to it ------------------------------------------
def configured_repository(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The repository URL named in pyproject.toml's [project.urls] Repository."""
    urls = tomllib.loads(Path(pyproject).read_text())["project"].get("urls", {})
    if "Repository" not in urls:
        raise ValueError(f"{pyproject} names no [project.urls] Repository: add the course's GitHub URL")
    return urls["Repository"]


def github_path(repository: str) -> str:
    """'OWNER/NAME' of a GitHub URL such as https://github.com/OWNER/NAME."""
    match = _GITHUB.match(repository)
    if not match:
        raise ValueError(f"Colab opens notebooks from GitHub: expected https://github.com/OWNER/NAME, "
                         f"got {repository!r}")
    return f"{match['owner']}/{match['name']}"


def badge(repository: str, notebook: str, branch: str = "main") -> str:
    """The Markdown badge that opens notebooks/`notebook` of `repository` on Colab."""
    url = f"https://colab.research.google.com/github/{github_path(repository)}/blob/{branch}/notebooks/{notebook}"
    return f"[![Open In Colab]({BADGE_IMAGE})]({url})"


def readme_badges(repository: str, branch: str = "main") -> str:
    """The README's line of badges: lesson 01 on Colab, the whole course on Binder."""
    binder = (f"https://mybinder.org/v2/gh/{github_path(repository)}/{branch}"
              "?urlpath=lab/tree/notebooks/01_toy_gan.ipynb")
    return f"{badge(repository, '01_toy_gan.ipynb', branch)} [![Binder](https://mybinder.org/badge_logo.svg)]({binder})"


def stamp_readme(path, repository: str, write: bool = True) -> bool:
    """Rewrite the line after README_MARKER in the README at `path`; returns whether it changed."""
    path = Path(path)
    lines = path.read_text().split("\n")
    if README_MARKER not in lines:
        raise ValueError(f"{path} has no line {README_MARKER!r} to put the badges under")
    at = lines.index(README_MARKER) + 1
    changed = lines[at] != readme_badges(repository)
    if changed and write:
        lines[at] = readme_badges(repository)
        path.write_text("\n".join(lines))
    return changed


def setup_source(repository: str) -> str:
    """The first code cell of every notebook: on Colab only, fetch and install the course."""
    github_path(repository)  # a URL Colab cannot use is refused here, not on a student's screen
    return f'''\
# Colab only: fetch the course and install what Colab lacks; Colab's TensorFlow and ipywidgets stay.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    course = "{CLONE_DIR}"
    if not os.path.isdir(course):
        subprocess.run(["git", "clone", "-q", "--depth", "1", "{repository}", course], check=True)
    sys.path.insert(0, course)
    from gan_lessons import colab

    colab.install(course)'''


def stamp(notebook, name: str, repository: str) -> bool:
    """Put the badge under the title and the setup cell first among the code cells of `notebook`
    (an nbformat NotebookNode named `name`, changed in place). Returns whether anything changed."""
    import nbformat

    title = notebook.cells[0]
    if title.cell_type != "markdown" or not title.source.startswith("# "):
        raise ValueError(f"{name}: the first cell must be the Markdown title ('# Lesson ...')")
    before = [cell.source for cell in notebook.cells]
    lines = [line for line in title.source.split("\n") if "colab-badge.svg" not in line]
    while len(lines) > 1 and not lines[1].strip():  # the blank lines after the heading
        del lines[1]
    title.source = "\n".join([lines[0], "", badge(repository, name), "", *lines[1:]]).rstrip("\n")
    old = [c for c in notebook.cells if SETUP_TAG in c.metadata.get("tags", [])]
    setup = old[0] if old else nbformat.v4.new_code_cell(metadata={"tags": [SETUP_TAG]})
    setup.source = setup_source(repository)
    cells = [c for c in notebook.cells if SETUP_TAG not in c.metadata.get("tags", [])]
    first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    notebook.cells = cells[:first_code] + [setup] + cells[first_code:]
    return [cell.source for cell in notebook.cells] != before


def stamp_file(path, repository: str, write: bool = True) -> bool:
    """stamp() the notebook file at `path`; writes it back only if something changed."""
    import nbformat

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    changed = stamp(notebook, path.name, repository)
    if changed and write:
        nbformat.write(notebook, path)
    return changed


# ---- what the setup cell runs on Colab -------------------------------------------------------
def missing_requirements() -> list[str]:
    """The distributions in RUNTIME whose module this Python cannot import."""
    return [dist for dist, module in RUNTIME.items() if importlib.util.find_spec(module) is None]


def kept_versions() -> dict[str, str]:
    """The installed packages of KEPT and their versions."""
    versions = {}
    for name in KEPT:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def install(course_dir: str = CLONE_DIR) -> list[list[str]]:
    """Install the course at `course_dir` without its dependencies, then only the missing
    requirements, with Colab's packages (KEPT) pinned. Returns the pip commands it ran."""
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    commands = [pip + ["--no-deps", "-e", str(course_dir)]]
    missing = missing_requirements()
    if missing:
        constraints = Path(tempfile.mkdtemp(prefix="gan_lessons_")) / "colab-constraints.txt"
        constraints.write_text("".join(f"{name}=={version}\n" for name, version in kept_versions().items()))
        commands.append(pip + ["-c", str(constraints), *missing])
    for command in commands:
        subprocess.run(command, check=True)
    importlib.invalidate_caches()
    still_missing = missing_requirements()
    if still_missing:
        raise RuntimeError(f"could not install {still_missing}; run `pip install {' '.join(still_missing)}`")
    return commands
