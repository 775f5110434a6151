"""Colab (lessons 01-09): each notebook's "Open in Colab" badge, its Colab-only setup cell, what it installs.

Colab already has TensorFlow, Keras, ipywidgets 7.7.1, numpy, scipy and matplotlib, and its runtime
is built around those exact versions: reinstalling any of them breaks the session or forces a
restart. So the setup cell clones the course (the package and the weights it ships in `data/`),
installs the package with `--no-deps`, and installs only the requirements Colab lacks, with Colab's
own versions of the packages above pinned. Outside Colab the cell does nothing.

The repository the badges and the setup cell point to is named once, in `pyproject.toml`
(`[project.urls] Repository`), and so is the git ref they use (`[tool.gan-lessons] colab-ref`: the
tag or branch the course was tested at, which the setup cell clones and the badges open);
`python scripts/stamp_colab.py` writes both into every notebook. What the cell installs is pinned
too: to the versions requirements.txt names (POT exactly, the version the course was tested with).
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

# a branch or tag name for `git clone --branch`: no spaces or quotes, no leading dash, no "..",
# no trailing dot or slash
_REF = re.compile(r"^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+(?<![./])$")
_GITHUB = re.compile(r"^https://github\.com/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+?)(?:\.git)?/?$")


# ---- the repository and the cells that point to it ------------------------------------------
def configured_repository(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The repository URL named in pyproject.toml's [project.urls] Repository."""
    urls = tomllib.loads(Path(pyproject).read_text())["project"].get("urls", {})
    if "Repository" not in urls:
        raise ValueError(f"{pyproject} names no [project.urls] Repository: add the course's GitHub URL")
    return urls["Repository"]


def configured_ref(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The git ref (a tag, or a branch) the setup cell clones and the badges open: pyproject.toml's
    [tool.gan-lessons] colab-ref. The publisher sets it to the release tag the course was tested at."""
    tool = tomllib.loads(Path(pyproject).read_text()).get("tool", {}).get("gan-lessons", {})
    ref = tool.get("colab-ref")
    if ref is None:
        raise ValueError(f"{pyproject} names no [tool.gan-lessons] colab-ref: add the tag (or branch) "
                         'the course was tested at, e.g. colab-ref = "v1.0"')
    return check_ref(ref)


def check_ref(ref) -> str:
    """`ref` if it is a branch or tag name `git clone --branch` takes (a commit hash is not one)."""
    if not isinstance(ref, str) or not _REF.match(ref):
        raise ValueError(f"colab-ref must be a tag or branch name such as 'v1.0' or 'main', got {ref!r}")
    return ref


def github_path(repository: str) -> str:
    """'OWNER/NAME' of a GitHub URL such as https://github.com/OWNER/NAME."""
    match = _GITHUB.match(repository)
    if not match:
        raise ValueError(f"Colab opens notebooks from GitHub: expected https://github.com/OWNER/NAME, "
                         f"got {repository!r}")
    return f"{match['owner']}/{match['name']}"


def badge(repository: str, notebook: str, branch: str | None = None) -> str:
    """The Markdown badge that opens notebooks/`notebook` of `repository` on Colab, at `branch`
    (a branch or tag; None: the configured colab-ref)."""
    branch = configured_ref() if branch is None else check_ref(branch)
    url = f"https://colab.research.google.com/github/{github_path(repository)}/blob/{branch}/notebooks/{notebook}"
    return f"[![Open In Colab]({BADGE_IMAGE})]({url})"


def readme_badges(repository: str, branch: str | None = None) -> str:
    """The README's line of badges: lesson 01 on Colab, the whole course on Binder."""
    branch = configured_ref() if branch is None else check_ref(branch)
    binder = (f"https://mybinder.org/v2/gh/{github_path(repository)}/{branch}"
              "?urlpath=lab/tree/notebooks/01_toy_gan.ipynb")
    return f"{badge(repository, '01_toy_gan.ipynb', branch)} [![Binder](https://mybinder.org/badge_logo.svg)]({binder})"


def stamp_readme(path, repository: str, write: bool = True, ref: str | None = None) -> bool:
    """Rewrite the line after README_MARKER in the README at `path`; returns whether it changed."""
    path = Path(path)
    lines = path.read_text().split("\n")
    if README_MARKER not in lines:
        raise ValueError(f"{path} has no line {README_MARKER!r} to put the badges under")
    at = lines.index(README_MARKER) + 1
    badges = readme_badges(repository, ref)
    changed = lines[at] != badges
    if changed and write:
        lines[at] = badges
        path.write_text("\n".join(lines))
    return changed


def setup_source(repository: str, ref: str | None = None) -> str:
    """The first code cell of every notebook: on Colab only, fetch the course at `ref` (a tag or
    branch; None: the configured colab-ref) and install it."""
    github_path(repository)  # a URL Colab cannot use is refused here, not on a student's screen
    ref = configured_ref() if ref is None else check_ref(ref)
    return f'''\
# Colab only: fetch the course and install what Colab lacks; Colab's TensorFlow and ipywidgets stay.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    course = "{CLONE_DIR}"
    if not os.path.isdir(course):  # at the ref the course was tested at (pyproject's colab-ref)
        clone = ["git", "clone", "-q", "--depth", "1", "--branch", "{ref}", "{repository}", course]
        subprocess.run(clone, check=True)
    sys.path.insert(0, course)
    from gan_lessons import colab

    colab.install(course)'''


def stamp(notebook, name: str, repository: str, ref: str | None = None) -> bool:
    """Put the badge under the title and the setup cell first among the code cells of `notebook`
    (an nbformat NotebookNode named `name`, changed in place), both at `ref` (None: the configured
    colab-ref). Returns whether anything changed."""
    ref = configured_ref() if ref is None else check_ref(ref)
    import nbformat

    title = notebook.cells[0]
    if title.cell_type != "markdown" or not title.source.startswith("# "):
        raise ValueError(f"{name}: the first cell must be the Markdown title ('# Lesson ...')")
    before = [cell.source for cell in notebook.cells]
    lines = [line for line in title.source.split("\n") if "colab-badge.svg" not in line]
    while len(lines) > 1 and not lines[1].strip():  # the blank lines after the heading
        del lines[1]
    title.source = "\n".join([lines[0], "", badge(repository, name, ref), "", *lines[1:]]).rstrip("\n")
    old = [c for c in notebook.cells if SETUP_TAG in c.metadata.get("tags", [])]
    setup = old[0] if old else nbformat.v4.new_code_cell(metadata={"tags": [SETUP_TAG]})
    setup.source = setup_source(repository, ref)
    cells = [c for c in notebook.cells if SETUP_TAG not in c.metadata.get("tags", [])]
    first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    notebook.cells = cells[:first_code] + [setup] + cells[first_code:]
    return [cell.source for cell in notebook.cells] != before


def stamp_file(path, repository: str, write: bool = True, ref: str | None = None) -> bool:
    """stamp() the notebook file at `path`; writes it back only if something changed."""
    import nbformat

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    changed = stamp(notebook, path.name, repository, ref)
    if changed and write:
        nbformat.write(notebook, path)
    return changed


# ---- what the setup cell runs on Colab -------------------------------------------------------
def tested_requirements(requirements: Path = ROOT / "requirements.txt") -> dict[str, str]:
    """The requirement lines of requirements.txt for the RUNTIME packages, as {name: line}, e.g.
    {"pot": "pot==0.9.7.post1"}: the versions the course was tested with, which install() holds
    the packages it adds to."""
    found = {}
    for line in Path(requirements).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"[A-Za-z0-9_.-]+", line)
        if match and match[0].lower() in RUNTIME and ";" not in line:
            found[match[0].lower()] = line.replace(" ", "")
    return found

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
    requirements, with Colab's packages (KEPT) pinned at Colab's versions and the missing ones at
    the versions requirements.txt names (tested_requirements). Returns the pip commands it ran."""
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    commands = [pip + ["--no-deps", "-e", str(course_dir)]]
    missing = missing_requirements()
    if missing:
        constraints = Path(tempfile.mkdtemp(prefix="gan_lessons_")) / "colab-constraints.txt"
        tested = tested_requirements()
        constraints.write_text("".join(f"{name}=={version}\n" for name, version in kept_versions().items())
                               + "".join(f"{tested[name]}\n" for name in missing if name in tested))
        commands.append(pip + ["-c", str(constraints), *missing])
    for command in commands:
        subprocess.run(command, check=True)
    importlib.invalidate_caches()
    still_missing = missing_requirements()
    if still_missing:
        raise RuntimeError(f"could not install {still_missing}; run `pip install {' '.join(still_missing)}`")
    return commands
