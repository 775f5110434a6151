"""Shared test set-up: quiet TensorFlow logs before any test imports it."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_configure(config):
    """nbval's kernels over Unix sockets like the runner's (runner.kernel_manager_class): kernels
    started at the same moment by other workers' tests cannot take the same TCP port."""
    try:
        import nbval.kernel
    except ImportError:
        return
    from gan_lessons import runner

    nbval.kernel.KernelManager = runner.kernel_manager_class(asynchronous=False)


def _start_order(item) -> int:
    """Browser test, then the smoke runs of every notebook, then nbval's notebooks, then the rest."""
    if item.path.name == "test_browser.py":
        return 0
    if item.path.name == "test_notebooks.py":
        return 1
    return 2 if item.path.suffix == ".ipynb" else 3


def pytest_collection_modifyitems(items):
    """The longest files first, in this order: under pytest-xdist with --dist loadfile and
    --no-loadscope-reorder (tests/run.sh) each file goes whole to one worker in collection order, so
    the browser test (10 minutes, much of it waiting on JupyterLab and kernels) starts at once and
    the other worker's tests fill its waits, instead of following it at the end."""
    items.sort(key=_start_order)  # stable: within a group, collection order
