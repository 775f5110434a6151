"""Shared test set-up: quiet TensorFlow logs before any test imports it."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collection_modifyitems(items):
    """The browser test first: it runs longest (minutes spent waiting on JupyterLab and kernels), so
    under pytest-xdist (tests/run.sh) the other worker's tests fill its waits instead of following it."""
    items.sort(key=lambda item: item.path.name != "test_browser.py")  # stable: the rest keep their order
