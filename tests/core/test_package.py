"""attn_core is the attention math alone: importing it loads NumPy and nothing heavy."""

from __future__ import annotations

import subprocess
import sys

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
    }
    assert set(attn_core.__all__) == contract
    assert all(callable(getattr(attn_core, name)) for name in contract)
