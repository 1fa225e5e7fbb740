# Sourced by the other scripts: create .venv and install the pinned
# requirements when they changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${VENV:-.venv}"
REQS="${REQS:-requirements-dev.txt}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat requirements.txt "$REQS" pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$REQS"
  touch "$stamp"
fi
export PATH="$PWD/$VENV/bin:$PATH"
# One BLAS thread: the chapters' matrices are tiny, threads only add overhead on
# a busy 2-core machine, and a fixed thread count keeps printed decimals identical
# from run to run (the order of a sum depends on it).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
