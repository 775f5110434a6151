"""Write the "Open in Colab" badge and the Colab setup cell into every lesson, and the README's
Colab and Binder badges, from the repository named in pyproject.toml ([project.urls] Repository)
and the git ref named there ([tool.gan-lessons] colab-ref: the tag the course was tested at, which
the setup cell clones and the badges open; the main branch until a release is tagged). What the
setup cell installs is pinned by requirements.txt (POT exactly).

    python scripts/stamp_colab.py          # rewrite the notebooks and README that are out of date
    python scripts/stamp_colab.py --check  # exit 1 if any of them is out of date
"""

import argparse
import pathlib
import sys

from gan_lessons import colab

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS, README = ROOT / "notebooks", ROOT / "README.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook or the README is stale")
    args = parser.parse_args()
    repository, ref = colab.configured_repository(), colab.configured_ref()
    if colab.github_path(repository).startswith("OWNER/"):
        print(f"note: {repository} is the placeholder; set [project.urls] Repository before publishing")
    if ref == "main":
        print("note: colab-ref is the main branch, not a tested tag; before publishing, tag the tested "
              "commit and set [tool.gan-lessons] colab-ref to that tag")
    stale = [path.name for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
             if colab.stamp_file(path, repository, write=not args.check, ref=ref)]
    if colab.stamp_readme(README, repository, write=not args.check, ref=ref):
        stale.append(README.name)
    verb = "out of date" if args.check else "updated"
    print(f"{verb}: {', '.join(stale) or 'none'} (repository {repository}, ref {ref})")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
