#!/usr/bin/env bash
# The whole suite, as the README's test command: lint, widget code under ipywidgets 7.7.1 (what
# Colab ships), unit tests, every lesson under its smoke profile, and nbval on the checked cells.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 MPLBACKEND=Agg PYTHONHASHSEED=0
PYTHON=${PYTHON:-python3}

echo "== ruff (code and notebooks)"
"$PYTHON" -m ruff check .

echo "== widget code under ipywidgets 7.7.1 (Colab), in the background; the main run below uses 8.x"
venv=build/ipywidgets7
if [ ! -x "$venv/bin/python" ]; then
  "$PYTHON" -m venv --system-site-packages "$venv"
  "$venv/bin/python" -m pip install -q "ipywidgets==7.7.1"
fi
mkdir -p build
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/test_dashboard.py tests/test_theory_plots.py \
  tests/test_conditional_plots.py > build/ipywidgets7.log 2>&1 &
widgets7=$!
trap 'kill "$widgets7" 2>/dev/null || true' EXIT  # an interrupted suite leaves nothing running

echo "== nbval: notebooks with checked cells, prepared under the smoke profile"
rm -rf build/nbval && mkdir -p build/nbval
for notebook in notebooks/[0-9][0-9]_*.ipynb; do
  if grep -q "NBVAL_CHECK_OUTPUT" "$notebook"; then
    "$PYTHON" -m papermill --prepare-only "$notebook" "build/nbval/$(basename "$notebook")" -p profile smoke
  fi
done
# nbval compares the cells marked NBVAL_CHECK_OUTPUT; every cell after the last of them runs in the
# notebooks' smoke runs (tests/test_notebooks.py), so nbval's copies end there (lessons 07 and 08:
# their checked cells come early, and the rest would train everything a second time)
"$PYTHON" - build/nbval/*.ipynb <<'END'
import sys

import nbformat

for path in sys.argv[1:]:
    notebook = nbformat.read(path, as_version=4)
    checked = [i for i, cell in enumerate(notebook.cells)
               if cell.cell_type == "code" and cell.source.lstrip().startswith("# NBVAL_CHECK_OUTPUT")]
    notebook.cells = notebook.cells[:checked[-1] + 1]
    nbformat.write(notebook, path)
END

echo "== unit tests, every notebook under its smoke profile, nbval"
# Two workers, each test file whole on one (--dist loadfile: module fixtures such as the browser
# test's JupyterLab server are made once), handed out in collection order (tests/conftest.py puts
# the longest first): the browser test spends much of its time waiting for JupyterLab and the
# kernel, and the other tests' compute fills those waits.
status=0
"$PYTHON" -m pytest tests build/nbval --nbval-lax -p no:cacheprovider -n 2 --dist loadfile \
  --no-loadscope-reorder --durations=15 "$@" || status=$?

echo "== widget code under ipywidgets 7.7.1: its result"
widgets7_status=0
wait "$widgets7" || widgets7_status=$?
tail -n 25 build/ipywidgets7.log
[ "$widgets7_status" -eq 0 ] || status=$widgets7_status
exit "$status"
