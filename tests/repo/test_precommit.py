"""The pre-commit configuration is valid and pins the tools CI uses."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".pre-commit-config.yaml"


def hooks() -> dict[str, dict]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def dev_pin(package: str) -> str:
    text = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(package)}==(\S+)", text, flags=re.MULTILINE)
    assert match, f"requirements-dev.txt does not pin {package}"
    return match.group(1)


def test_pre_commit_accepts_the_config():
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_hooks_strip_notebooks_and_run_ruff():
    assert {"nbstripout", "ruff-check", "ruff-format"} <= set(hooks())
    assert hooks()["nbstripout"]["types"] == ["jupyter"]
    for name in ("ruff-check", "ruff-format"):
        assert "jupyter" in hooks()[name]["types_or"], f"{name} must also lint notebooks"


def test_hook_versions_match_requirements_dev():
    # A hook that runs another ruff than CI would pass files CI rejects.
    for hook_id, package in [
        ("ruff-check", "ruff"),
        ("ruff-format", "ruff"),
        ("nbstripout", "nbstripout"),
    ]:
        expected = f"{package}=={dev_pin(package)}"
        assert hooks()[hook_id]["additional_dependencies"] == [expected], hook_id


def test_biome_hook_lints_the_explorer_with_the_pinned_biome():
    # package.json pins Biome exactly; scripts/test runs that one (npm ci), so the
    # hook must install the same version.
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    version = pinned["@biomejs/biome"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"pin an exact version, got {version}"
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/@biomejs/biome"]["version"] == version
    hook = hooks()["biome"]
    assert hook["additional_dependencies"] == [f"@biomejs/biome@{version}"]
    assert re.match(hook["files"], "attn_book/explorer/state.js")
    assert re.match(hook["files"], "attn_book/explorer/explorer.css")
    assert not re.match(hook["files"], "attn_book/plots.py")
    test_script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    installer = (ROOT / "scripts" / "ensure-node-packages").read_text(encoding="utf-8")
    assert "scripts/ensure-node-packages" in test_script and "npm ci" in installer
    assert "biome ci attn_book/explorer" in test_script
