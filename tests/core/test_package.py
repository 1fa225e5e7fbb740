"""attn_core is the attention math alone: importing it loads NumPy and nothing heavy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import attn_core

HEAVY = ("matplotlib", "ipywidgets", "PIL", "autograd", "attn_book")


def test_importing_attn_core_loads_no_plotting_widget_or_autodiff_library():
    # A fresh interpreter: this test process has imported everything already.
    code = f"import sys, attn_core; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == [], f"import attn_core also imported {loaded}"


def test_the_package_exports_the_contract():
    contract = {
        "softmax",
        "scaled_dot_product_attention",
        "additive_attention",
        "alignment_features",
        "causal_mask",
        "key_padding_mask",
        "combine_masks",
        "mask_after_softmax",
        "multi_head_attention",
        "split_heads",
        "merge_heads",
        "sinusoidal_encoding",
        "tiled_attention",
    }
    assert set(attn_core.__all__) == contract
    assert all(callable(getattr(attn_core, name)) for name in contract)


def test_attn_core_imports_only_numpy_and_the_standard_library():
    allowed = {"numpy", "attn_core", "__future__", "typing", "collections"}
    for path in Path(attn_core.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert roots <= allowed, f"{path.name} imports {roots - allowed}"


def test_attn_core_stays_short_enough_to_read_in_one_sitting():
    lines = sum(
        len(path.read_text(encoding="utf-8").splitlines())
        for path in Path(attn_core.__file__).parent.glob("*.py")
    )
    # Issue 21: smaller than the 858 lines before it, tiled attention included.
    # Code that exists only for the book belongs in attn_book.
    assert lines <= 800, f"attn_core has {lines} lines"
