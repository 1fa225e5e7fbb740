"""The distribution carries both packages and the explorer's asset files.

Colab installs the book with ``pip install git+...``: a subpackage or a .js
file left out of the wheel would break every chapter there, not here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_holds_every_module_and_asset(tmp_path):
    # Build from a copy of what a clone holds, so no build/ folder left by an
    # earlier build can supply files the configuration forgot.
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    ignore = shutil.ignore_patterns("__pycache__")
    for package in ("attn_core", "attn_book"):
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        path.relative_to(ROOT).as_posix()
        for package in ("attn_core", "attn_book")
        for pattern in ("*.py", "*.js", "*.css")
        for path in (ROOT / package).rglob(pattern)
    }
    assert any(name.endswith(".js") for name in expected)  # the views are .js files
    missing = sorted(expected - in_wheel)
    assert not missing, f"the wheel {wheel.name} lacks {missing}"
