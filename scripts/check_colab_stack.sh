#!/usr/bin/env bash
# The test suite (every notebook under its smoke profile included) on a Colab-like stack: older
# TensorFlow and Keras, ipywidgets 7.7.1, in a virtual environment of its own under build/.
# Not part of CI (it downloads a second TensorFlow); run it before a release:
#     bash scripts/check_colab_stack.sh [TENSORFLOW_VERSION] [KERAS_VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
TF_VERSION=${1:-2.19.0}
KERAS_VERSION=${2:-3.8.0}
venv=build/colab-stack-$TF_VERSION-$KERAS_VERSION
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q "tensorflow-cpu==$TF_VERSION" "keras==$KERAS_VERSION" "ipywidgets==7.7.1" \
    "$(grep -oE '^pot==[^ ]+' requirements.txt)" tqdm matplotlib papermill nbval pytest nbformat nbconvert ipykernel
  "$venv/bin/python" -m pip install -q --no-deps -e .
fi
"$venv/bin/python" -c "import tensorflow as tf, keras, ipywidgets; print('TensorFlow', tf.__version__, '| Keras', keras.__version__, '| ipywidgets', ipywidgets.__version__)"
# the browser test needs JupyterLab, and the Colab set-up test builds its own environment
TF_CPP_MIN_LOG_LEVEL=2 MPLBACKEND=Agg PYTHONHASHSEED=0 "$venv/bin/python" -m pytest tests -q -p no:cacheprovider \
  --ignore tests/test_browser.py -k "not as_on_colab"
