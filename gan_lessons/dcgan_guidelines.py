"""Lesson 04: what each DCGAN guideline buys. The lecture model and variants with one guideline
removed or changed, the stored study benchmarks/dcgan_guidelines.py writes, and its summary."""

from __future__ import annotations

import numpy as np

from gan_lessons import artifacts

RESULTS_PATH = artifacts.DATA_DIR / "dcgan_guidelines.json"
REGENERATE = "Regenerate it with `python benchmarks/dcgan_guidelines.py`."
# Each variant changes one guideline of the lecture model (dcgan.ARCHITECTURE's switches).
VARIANTS = {
    "lecture model": {},
    "no batch norm in G": {"g_batch_norm": False},
    "batch norm in D (the paper)": {"d_batch_norm": True},
    "ReLU in G (the paper)": {"g_activation": "relu"},
    "pooling and upsampling": {"g_resampling": "upsample", "d_resampling": "pool"},
}


def summary(record: dict) -> list[dict]:
    """Per variant: mean and std over seeds of the final Frechet distance, mean classes covered
    and largest class share, mean steps reached in the budget, divergences."""
    rows = []
    for name in record["variants"]:
        runs = [r for r in record["runs"] if r["variant"] == name]
        frechet = np.array([r["frechet_distance"] for r in runs])
        rows.append({"variant": name, "seeds": len(runs), "frechet_mean": float(frechet.mean()),
                     "frechet_std": float(frechet.std(ddof=1)) if len(runs) > 1 else 0.0,
                     "classes_mean": float(np.mean([r["classes_covered"] for r in runs])),
                     "max_class_mean": float(np.mean([r["max_class_fraction"] for r in runs])),
                     "steps_mean": float(np.mean([r["steps"] for r in runs])),
                     "diverged": sum(r["diverged"] is not None for r in runs)})
    return rows


def format_table(record: dict) -> str:
    """The summary as a Markdown table, with the floor and ceiling of the score below it."""
    lines = ["| variant | seeds | Frechet distance (mean ± std) | classes of 10 | largest class | "
             "steps in budget | diverged |", "|---|---|---|---|---|---|---|"]
    for r in summary(record):
        lines.append(f"| {r['variant']} | {r['seeds']} | {r['frechet_mean']:.1f} ± {r['frechet_std']:.1f} | "
                     f"{r['classes_mean']:.1f} | {r['max_class_mean']:.0%} | {r['steps_mean']:.0f} | "
                     f"{r['diverged']} |")
    lines.append(f"\nFloor (real vs real, n = {record['n']}): {record['floor']['frechet_distance']:.2f}; "
                 f"ceiling (untrained lecture G): {record['ceiling']['frechet_distance']:.1f}; "
                 f"{record['budget_seconds']:.0f} s of training per run.")
    return "\n".join(lines)


def load_results(path=None) -> dict:
    """The stored study, verified against data/MANIFEST.json."""
    path = RESULTS_PATH if path is None else path
    return artifacts.load_json(path, regenerate=REGENERATE, required=("variants", "runs", "floor", "ceiling"),
                               kind="lesson 04's guideline study")


def rerun(path=None, *arguments: str) -> dict:
    """Run benchmarks/dcgan_guidelines.py now (minutes: the full profile does), writing to `path`
    (default: a temporary file, so the shipped study stays as it is), and load what it wrote."""
    import subprocess
    import sys
    import tempfile

    path = path or f"{tempfile.mkdtemp()}/dcgan_guidelines.json"
    script = artifacts.ROOT / "benchmarks" / "dcgan_guidelines.py"
    subprocess.run([sys.executable, str(script), "--out", str(path), *arguments], check=True,
                   cwd=script.parent)
    return load_results(path)
