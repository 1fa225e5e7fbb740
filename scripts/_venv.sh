# Sourced by the other scripts: check the Python, create .venv and install the
# pinned requirements ($REQS) when they changed since the last install.
#   PYTHON=python3.12 scripts/book   builds .venv with another interpreter
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${VENV:-.venv}"
REQS="${REQS:-requirements-dev.txt}"
PYTHON="${PYTHON:-python3}"
# The Python versions the pins install and run on (tested); pyproject.toml's
# requires-python is the lower bound.
SUPPORTED_MIN=11 SUPPORTED_MAX=13

unsupported() { # $1 = interpreter, $2 = its version
  echo "error: $1 is Python $2; the book needs Python 3.$SUPPORTED_MIN to 3.$SUPPORTED_MAX" \
    "(the pinned requirements are tested on those)." >&2
  echo "Install one of them and name it, e.g.:  PYTHON=python3.$SUPPORTED_MIN $0" >&2
}
python_version() { # prints "3.x" and fails when it is outside the supported range
  "$1" -c "import sys; v = sys.version_info[:2]; print('%d.%d' % v);
sys.exit(not (3, $SUPPORTED_MIN) <= v <= (3, $SUPPORTED_MAX))"
}

if [ -x "$VENV/bin/python" ]; then
  if ! version=$(python_version "$VENV/bin/python"); then
    unsupported "$VENV/bin/python" "$version"
    echo "($VENV was made with it: remove $VENV, then run the command again.)" >&2
    exit 1
  fi
else
  if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "error: $PYTHON not found; install Python 3.$SUPPORTED_MIN to 3.$SUPPORTED_MAX" \
      "or name one with PYTHON=/path/to/python3 $0" >&2
    exit 1
  fi
  if ! version=$(python_version "$PYTHON"); then
    unsupported "$PYTHON" "${version:-unknown}"
    exit 1
  fi
  echo "Creating $VENV with $PYTHON (Python $version)..."
  if ! "$PYTHON" -m venv "$VENV"; then
    rm -rf "$VENV"
    echo "error: '$PYTHON -m venv' failed; on Debian or Ubuntu: apt-get install python3-venv" >&2
    exit 1
  fi
fi

# One stamp per requirements file, named after the contents of every
# requirements file and pyproject.toml: installing requirements-dev.txt also
# stamps the files it includes (-r), so scripts/book after scripts/test
# installs nothing.
included() { # the file and, recursively, the files it includes with -r
  echo "$1"
  sed -n 's/^-r[[:space:]]*//p' "$1" | while read -r inner; do included "$inner"; done
}
hash=$(cat requirements*.txt pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$VENV/.installed-$REQS-$hash" ]; then
  echo "Installing $REQS into $VENV (the first time takes a few minutes)..."
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$REQS"
  for file in $(included "$REQS"); do touch "$VENV/.installed-$file-$hash"; done
fi
export PATH="$(cd "$VENV" && pwd)/bin:$PATH"
# One BLAS thread: the chapters' matrices are tiny, threads only add overhead on
# a busy 2-core machine, and a fixed thread count keeps printed decimals identical
# from run to run (the order of a sum depends on it).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
