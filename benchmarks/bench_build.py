"""Time the strict book build from a clean copy of the repository (target: 90 s).

Copies the repository to a temporary directory, then times
``jupyter-book build <copy> -W -n --keep-going`` with the existing ``.venv``
(the build executes every notebook: ``execute_notebooks: force``). The copy
is either the working tree (default; ``.venv``, ``_build``, ``.git`` and caches
left out) or a ``git clone`` of the committed state (``--source git``). The
copy's ``attn_core`` comes first on ``PYTHONPATH``, so the notebooks import the
copied library, not the editable install of the original checkout. The copy
gets its own ``node_modules`` from ``npm ci`` (the build typesets math with
MathJax under Node.js), timed as a step of its own.

It prints the build time, the exit status, the warnings count and how long
each notebook took to execute (from the build's own log).

Run: ``.venv/bin/python benchmarks/bench_build.py`` (``--source git``;
``--keep`` keeps the copy and its build for inspection).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, print_machine, print_table

TARGET_S = 90.0
SKIP = {
    ".venv",
    "_build",
    ".git",
    "__pycache__",
    ".ipynb_checkpoints",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "node_modules",
    ".jupyter_cache",
}


def copy_worktree(dest: Path) -> None:
    shutil.copytree(ROOT, dest, ignore=lambda _dir, names: [n for n in names if n in SKIP])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--source",
        choices=["worktree", "git"],
        default="worktree",
        help="copy the working tree (default) or git clone the commits",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    parser.add_argument(
        "--toc-all",
        action="store_true",
        help="in the copy, list intro, every book/*.ipynb and references in "
        "_toc.yml (for when the real TOC does not list the chapters yet)",
    )
    args = parser.parse_args()

    print_machine("Book build benchmark (clean copy, strict build, every notebook executed)")
    venv_bin = ROOT / ".venv" / "bin"
    tmp = Path(tempfile.mkdtemp(prefix="bench_build_"))
    repo = tmp / "repo"
    start = time.perf_counter()
    if args.source == "git":
        subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    else:
        copy_worktree(repo)
    copy_s = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=repo, check=True
    )
    npm_s = time.perf_counter() - start
    notebooks = sorted(p.name for p in (repo / "book").glob("*.ipynb"))
    print(f"Copy ({args.source}) to {repo}: {copy_s:.1f} s; notebooks: {', '.join(notebooks)}")
    toc = (repo / "_toc.yml").read_text()
    if args.toc_all:
        chapters = [f"book/{Path(nb).stem}" for nb in notebooks]
        if (repo / "book" / "references.md").exists():
            chapters.append("book/references")
        toc = "format: jb-book\nroot: book/intro\nchapters:\n" + "".join(
            f"  - file: {c}\n" for c in chapters
        )
        (repo / "_toc.yml").write_text(toc)
        print("TOC of the copy rewritten (--toc-all): " + ", ".join(chapters))
    missing = [nb for nb in notebooks if f"book/{Path(nb).stem}" not in toc]
    if missing:
        print(
            f"NOTE: _toc.yml does not list {', '.join(missing)}: the build skips them "
            "(only_build_toc_files); --toc-all builds them too."
        )

    env = dict(os.environ)
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(repo)
    cmd = [str(venv_bin / "jupyter-book"), "build", str(repo), "-W", "-n", "--keep-going"]
    print("Command: " + " ".join(cmd) + f"  (cwd {repo}, PYTHONPATH={repo})\n", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
    build_s = time.perf_counter() - start
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    (tmp / "build.log").write_text(log)

    # myst-nb logs "<path>.ipynb: Executed notebook in 4.56 seconds [mystnb]".
    executed = re.findall(r"([\w./-]+\.ipynb): Executed notebook in ([\d.]+) seconds", log)
    # Kernel start-up chatter on stderr is not a build warning.
    warnings = [
        line
        for line in log.splitlines()
        if ("WARNING" in line or "ERROR" in line) and "[IPKernelApp]" not in line
    ]
    rows = [[Path(name).name, f"{float(sec):.2f}"] for name, sec in executed]
    if rows:
        rows.append(["sum", f"{sum(float(sec) for _, sec in executed):.2f}"])
        print_table(["notebook executed in the build", "s"], rows)
        print()
    verdict = (
        "ok"
        if build_s <= TARGET_S and proc.returncode == 0
        else ("FAILED" if proc.returncode else f"OVER {TARGET_S:.0f} s")
    )
    print_table(
        ["step", "seconds", "status"],
        [
            ["copy", f"{copy_s:.1f}", args.source],
            ["npm ci (MathJax for the build)", f"{npm_s:.1f}", "ok"],
            [
                "jupyter-book build -W -n --keep-going",
                f"{build_s:.1f}",
                f"exit {proc.returncode}, {len(warnings)} warning/error lines, {verdict}",
            ],
        ],
    )
    for line in warnings[:20]:
        print("  " + line[:200])
    print(f"\nBuild log: {tmp / 'build.log'}")
    if not args.keep:
        shutil.rmtree(repo, ignore_errors=True)
    sys.exit(0 if proc.returncode == 0 else 1)


if __name__ == "__main__":
    main()
