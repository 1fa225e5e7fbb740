"""`scripts/lab` opens the chapters in a JupyterLab whose widgets work.

Checked without starting a server: the script launches JupyterLab on book/
from the project's environment, and that environment has the ipywidgets
JupyterLab extension installed (without it a widget cell shows only its
text repr, e.g. "IntSlider(value=4)", instead of a slider).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WIDGETS_EXTENSION = (
    Path(sys.prefix) / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager"
)


def test_lab_script_opens_the_chapters_in_jupyterlab_from_the_venv():
    script = (ROOT / "scripts" / "lab").read_text(encoding="utf-8")
    assert 'source "$(dirname "$0")/_venv.sh"' in script  # installs the pinned requirements
    assert "jupyter lab" in script and "book/" in script


def test_the_widgets_extension_is_installed_for_jupyterlab():
    package = WIDGETS_EXTENSION / "package.json"
    assert package.is_file(), f"no JupyterLab widgets extension at {WIDGETS_EXTENSION}"
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    # jupyterlab-manager 5.x is the extension for ipywidgets 8.
    assert version.split(".")[0] == "5", version


def test_requirements_pin_jupyterlab_and_ipywidgets():
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "\njupyterlab==" in text and "\nipywidgets==8." in text
