#!/usr/bin/env bash
# Installs kibana-py (PyPI) into a virtualenv under target/ and runs the side-by-side bench.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/kibana-py-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet kibana-py==0.6.0
fi
KIBANA_PY_PYTHON="$PWD/$venv/bin/python" cargo bench --bench vs_kibana_py
