"""Colab: every notebook carries the badge and setup cell for the configured repository, and the
setup cell installs the course without touching Colab's TensorFlow, Keras or ipywidgets."""

import importlib.metadata
import json
import pathlib
import re
import subprocess
import sys
import tomllib

import nbformat
import pytest

from gan_lessons import colab

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REPOSITORY = colab.configured_repository()
REF = colab.configured_ref()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stamped_for_the_configured_repository(path):
    assert not colab.stamp_file(path, REPOSITORY, write=False), (
        f"{path.name} is out of date with pyproject.toml's Repository: run `python scripts/stamp_colab.py`")
    notebook = nbformat.read(path, as_version=4)
    links = re.findall(r"\(https://colab\.research\.google\.com/github/([^)]*)\)", notebook.cells[0].source)
    assert links == [f"{colab.github_path(REPOSITORY)}/blob/{REF}/notebooks/{path.name}"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_cell_comes_before_any_use_of_the_package(path):
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert colab.SETUP_TAG in cells[0].metadata.get("tags", []), f"{path.name}: setup cell is not first"
    assert sum(colab.SETUP_TAG in c.metadata.get("tags", []) for c in cells) == 1


def test_readme_badges_are_written_for_the_configured_repository(tmp_path):
    assert not colab.stamp_readme(ROOT / "README.md", REPOSITORY, write=False), (
        "README.md's badges are out of date: run `python scripts/stamp_colab.py`")
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{colab.README_MARKER}\nold badges\n\nText.\n")
    assert colab.stamp_readme(readme, "https://github.com/someone/course")
    lines = readme.read_text().split("\n")
    assert "mybinder.org/v2/gh/someone/course/main" in lines[3] and "github/someone/course/blob" in lines[3]
    assert lines[4:] == ["", "Text.", ""]
    assert not colab.stamp_readme(readme, "https://github.com/someone/course")
    readme.write_text("# No marker\n")
    with pytest.raises(ValueError, match="badges"):
        colab.stamp_readme(readme, "https://github.com/someone/course")


def test_stamp_replaces_an_old_badge_and_is_idempotent():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Lesson 09 — title\n\n[![Open In Colab]"
                                      "(https://colab.research.google.com/assets/colab-badge.svg)]"
                                      "(https://colab.research.google.com/github/old/place/blob/main/x.ipynb)"
                                      "\n\nText."),
        nbformat.v4.new_markdown_cell("## Setup"),
        nbformat.v4.new_code_cell("import numpy"),
    ])
    assert colab.stamp(notebook, "09_title.ipynb", "https://github.com/someone/course")
    title = notebook.cells[0].source
    assert title.count("colab-badge.svg") == 1 and "old/place" not in title
    assert "github/someone/course/blob/main/notebooks/09_title.ipynb" in title
    assert title.endswith("\n\nText.")
    assert [c.cell_type for c in notebook.cells] == ["markdown", "markdown", "code", "code"]
    assert notebook.cells[2].metadata["tags"] == [colab.SETUP_TAG]
    assert '"https://github.com/someone/course"' in notebook.cells[2].source
    assert not colab.stamp(notebook, "09_title.ipynb", "https://github.com/someone/course")
    assert colab.stamp(notebook, "09_title.ipynb", "https://github.com/other/course")
    assert len(notebook.cells) == 4 and "other/course" in notebook.cells[2].source


@pytest.mark.parametrize("url", ["https://gitlab.com/a/b", "github.com/a/b", "https://github.com/a",
                                 "https://github.com/a/b/tree/main"])
def test_a_repository_colab_cannot_open_is_refused(url):
    with pytest.raises(ValueError, match="OWNER/NAME"):
        colab.setup_source(url)


def test_every_requirement_is_either_kept_installed_or_not_needed_on_colab():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.match(r"[A-Za-z0-9_.-]+", d)[0].lower() for d in dependencies}
    accounted = set(colab.KEPT) | set(colab.RUNTIME) | set(colab.NOT_FOR_NOTEBOOKS)
    assert names <= accounted, f"add {sorted(names - accounted)} to colab.RUNTIME, KEPT or NOT_FOR_NOTEBOOKS"


def test_install_adds_only_what_is_missing_with_colabs_packages_pinned(monkeypatch, tmp_path):
    commands, present = [], {"ot": False}
    real_find_spec = colab.importlib.util.find_spec

    def find_spec(module):
        if module in present:
            return object() if present[module] else None
        return real_find_spec(module)

    def run(command, check):
        commands.append(command)
        if "pot" in command:
            present["ot"] = True
            constraints = pathlib.Path(command[command.index("-c") + 1]).read_text().split()
            tensorflow = next(d for d in ("tensorflow", "tensorflow-cpu") if d in colab.kept_versions())
            for name in (tensorflow, "keras", "ipywidgets", "numpy"):
                assert f"{name}=={importlib.metadata.version(name)}" in constraints
            assert colab.tested_requirements()["pot"] in constraints  # POT at the tested version

    monkeypatch.setattr(colab.importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(colab.subprocess, "run", run)
    ran = colab.install(str(tmp_path))
    assert ran == commands and len(commands) == 2
    assert commands[0][-3:] == ["--no-deps", "-e", str(tmp_path)]
    assert commands[1][-1] == "pot" and "tqdm" not in commands[1]  # tqdm is present: not reinstalled
    commands.clear()
    colab.install(str(tmp_path))
    assert len(commands) == 1  # nothing missing: only the course itself


def test_install_says_what_it_could_not_install(monkeypatch, tmp_path):
    monkeypatch.setattr(colab.importlib.util, "find_spec", lambda module: None)
    monkeypatch.setattr(colab.subprocess, "run", lambda command, check: None)
    with pytest.raises(RuntimeError, match="pip install pot tqdm"):
        colab.install(str(tmp_path))


def test_setup_cell_as_on_colab_installs_the_course_and_keeps_colabs_packages(tmp_path):
    """Runs notebook 01's setup cell in a fresh virtual environment that, like Colab, already has
    TensorFlow and ipywidgets (the system's), with google.colab faked and the repository cloned
    from this checkout's HEAD."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    versions = "import json; from gan_lessons import colab; print(json.dumps(colab.kept_versions()))"
    before = subprocess.run([python, "-c", versions], capture_output=True, text=True, check=True).stdout

    cell = next(c for c in nbformat.read(NOTEBOOKS[0], as_version=4).cells
                if colab.SETUP_TAG in c.metadata.get("tags", []))
    course = tmp_path / "content" / "gan-lessons"
    source = cell.source.replace(f'"{REPOSITORY}"', f'"file://{ROOT}"').replace(colab.CLONE_DIR, str(course))
    verify = ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{REF}^{{commit}}"]
    has_ref = subprocess.run(verify, capture_output=True).returncode == 0
    if not has_ref:  # a CI checkout without the branch (a detached HEAD): clone HEAD instead
        source = source.replace(f'"--branch", "{REF}", ', "")
    assert str(course) in source and str(ROOT) in source
    fake_colab = "import sys, types; sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
    subprocess.run([python, "-c", fake_colab + source], check=True, capture_output=True, text=True)

    after = subprocess.run([python, "-c", versions], capture_output=True, text=True, check=True).stdout
    assert json.loads(after) == json.loads(before)
    assert {"keras", "ipywidgets", "numpy"} <= set(json.loads(after))
    where = subprocess.run([python, "-c", "import gan_lessons, gan_lessons.dcgan as d; "
                            "print(gan_lessons.__file__); print(d.PRETRAINED_WEIGHTS.exists())"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout.split()
    assert pathlib.Path(where[0]).is_relative_to(course), "a new kernel must import the cloned course"
    assert where[1] == "True", "the clone's data/ (shipped weights) must be found"


# ---- what the setup cell pins: the course's git ref, and POT's version ------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_cell_clones_the_configured_ref_not_the_default_branch(path):
    cells = nbformat.read(path, as_version=4).cells
    cell = next(c for c in cells if colab.SETUP_TAG in c.metadata.get("tags", []))
    assert f'"--branch", "{REF}", "{REPOSITORY}"' in cell.source


def test_the_ref_comes_from_pyproject_and_a_bad_one_is_refused(tmp_path):
    source = colab.setup_source("https://github.com/someone/course", ref="v1.0")
    assert '"--branch", "v1.0", "https://github.com/someone/course"' in source
    assert "blob/v1.0/notebooks/01_toy_gan.ipynb" in colab.badge("https://github.com/someone/course",
                                                                 "01_toy_gan.ipynb", "v1.0")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.gan-lessons]\ncolab-ref = "v2.1"\n')
    assert colab.configured_ref(pyproject) == "v2.1"
    pyproject.write_text('[project]\nname = "x"\n')
    with pytest.raises(ValueError, match="colab-ref"):
        colab.configured_ref(pyproject)
    for bad in ("-x", "a b", 'v1"; rm', "main..x", "v1.", "", 3):
        with pytest.raises(ValueError, match="tag or branch"):
            colab.setup_source("https://github.com/someone/course", ref=bad)


def test_pot_is_pinned_exactly_to_the_version_the_course_is_tested_with():
    pins = colab.tested_requirements()
    assert pins["pot"] == f"pot=={importlib.metadata.version('pot')}", (
        "requirements.txt must pin POT to the version installed here, the one the tests ran with")
    assert set(pins) == set(colab.RUNTIME), "every package the setup cell may install has a requirement line"
