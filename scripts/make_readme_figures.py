"""The README's dashboard pictures, taken from real lecture runs: the final frame each lesson's live
dashboard showed, as the runner's executed notebooks keep it.

    python -m gan_lessons run --profile lecture --out lectures
    python scripts/make_readme_figures.py lectures
"""

import argparse
import base64
import pathlib

import nbformat

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def final_dashboard_frame(executed_notebook: pathlib.Path) -> bytes | None:
    """The PNG shown by the cell that creates the lesson's `dashboard.Dashboard`, or None."""
    notebook = nbformat.read(executed_notebook, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and "dashboard.Dashboard(" in cell.source:
            outputs = cell.get("outputs", [])
            frames = [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
            if frames:
                return base64.b64decode(frames[-1])
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lectures", type=pathlib.Path, help="the runner's --out folder of a lecture run")
    args = parser.parse_args()
    DOCS.mkdir(exist_ok=True)
    executed = sorted(args.lectures.glob("[0-9][0-9]_*.lecture.ipynb"))
    if not executed:
        raise SystemExit(f"no lecture-profile notebooks in {args.lectures}: run the runner first")
    for path in executed:
        frame = final_dashboard_frame(path)
        if frame is None:
            print(f"{path.name}: no dashboard frame")
            continue
        target = DOCS / f"dashboard_{path.name[:2]}.png"
        target.write_bytes(frame)
        print(f"wrote {target} ({len(frame) // 1024} KB)")


if __name__ == "__main__":
    main()
