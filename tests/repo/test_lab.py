"""`scripts/lab` opens the chapters in a JupyterLab whose widgets work.

Checked without starting a server: the script launches JupyterLab on book/
from the project's environment and passes the learner's options on (for a
headless or remote machine: --no-browser, --port), and that environment has
the ipywidgets JupyterLab extension installed (without it a widget cell shows
only its text repr, e.g. "IntSlider(value=4)", instead of a slider) and
jupyterlab-myst (without it MyST in a markdown cell shows as raw text).
benchmarks/bench_lab_widgets.py starts the real JupyterLab through the script
and times the widgets in Chromium.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABEXTENSIONS = Path(sys.prefix) / "share/jupyter/labextensions"
WIDGETS_EXTENSION = LABEXTENSIONS / "@jupyter-widgets/jupyterlab-manager"
MYST_EXTENSION = LABEXTENSIONS / "jupyterlab-myst"


def pinned(name: str, requirements: str = "requirements-lab.txt") -> str:
    """The version ``requirements`` pins for ``name``."""
    for line in (ROOT / requirements).read_text(encoding="utf-8").splitlines():
        if line.split("==")[0].strip().lower() == name:
            return line.split("==", 1)[1].split("#")[0].strip()
    raise AssertionError(f"{requirements} does not pin {name}")


def test_lab_script_opens_the_chapters_in_jupyterlab_from_the_venv():
    script = (ROOT / "scripts" / "lab").read_text(encoding="utf-8")
    assert 'source "$(dirname "$0")/_venv.sh"' in script  # installs the pinned requirements
    assert "jupyter lab" in script and "book/" in script
    assert "REQS=requirements-lab.txt" in script  # JupyterLab, not the test tools


def test_lab_script_passes_the_learners_options_to_jupyterlab():
    # `scripts/lab --no-browser --port 8888` on a headless or remote machine.
    launch = [
        line
        for line in (ROOT / "scripts" / "lab").read_text(encoding="utf-8").splitlines()
        if line.startswith("exec jupyter lab")
    ]
    assert len(launch) == 1 and '"$@"' in launch[0], launch


def test_the_widgets_extension_is_installed_for_jupyterlab():
    package = WIDGETS_EXTENSION / "package.json"
    assert package.is_file(), f"no JupyterLab widgets extension at {WIDGETS_EXTENSION}"
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    # jupyterlab-manager 5.x is the extension for ipywidgets 8.
    assert version.split(".")[0] == "5", version


def test_jupyterlab_myst_is_installed_for_jupyterlab():
    package = MYST_EXTENSION / "package.json"
    assert package.is_file(), f"no jupyterlab-myst extension at {MYST_EXTENSION}"
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    assert version == pinned("jupyterlab-myst"), version


def test_requirements_pin_jupyterlab_and_ipywidgets():
    lab = (ROOT / "requirements-lab.txt").read_text(encoding="utf-8")
    book = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "\n-r requirements.txt\n" in lab
    assert pinned("jupyterlab") and pinned("jupyterlab-myst")
    assert "\nipywidgets==8." in book  # the chapters build their widgets in the book too


def test_the_book_installs_no_test_tools_and_no_jupyterlab():
    # scripts/book installs requirements.txt only: a reader's first build is quicker.
    assert "REQS=requirements.txt" in (ROOT / "scripts" / "book").read_text(encoding="utf-8")
    names = {
        line.split("==")[0].strip().lower()
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line
    }
    tools = {"pytest", "playwright", "ruff", "pre-commit", "nbval", "hypothesis", "jupyterlab"}
    assert not names & tools, sorted(names & tools)


def test_the_build_starts_kernels_with_encrypted_transport():
    # book/_ext/quiet_kernels: kernels that run the chapters get CurveZMQ keys,
    # so ipykernel does not print "Kernel is running over TCP without
    # encryption" once per chapter in a reader's build.
    import importlib.util

    from jupyter_client.manager import KernelManager

    spec = importlib.util.spec_from_file_location(
        "quiet_kernels", ROOT / "book" / "_ext" / "quiet_kernels.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    trait = KernelManager.class_traits()["transport_encryption"]
    default = trait.default_value
    try:
        assert module.encrypt_kernel_transport()
        assert KernelManager().transport_encryption == "auto"
    finally:
        trait.default_value = default
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert "quiet_kernels: book/_ext" in config
