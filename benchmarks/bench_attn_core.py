"""Speed and memory of attn_core's attention, one thread, everything interleaved in one run.

(a) ``multi_head_attention`` (batch 1, d_model 512, 8 heads of 64, float32) against a
    Python loop over heads calling ``scaled_dot_product_attention``, with the GFLOP/s
    achieved and its share of NumPy's matmul rate on the same six matmuls timed alone.
(b) ``tiled_attention`` against the naive ``scaled_dot_product_attention`` and PyTorch's
    fused ``F.scaled_dot_product_attention`` (4-D input, ``is_causal``), causal and not,
    float32, 8 heads of 64, n from 1024 to 8192, with the peak extra memory of one call:
    tracemalloc for NumPy (NumPy reports its allocations to it), PyTorch's profiler for
    PyTorch (tracemalloc cannot see its allocator).

Times are the minimum over repeats; the functions compared are sampled round-robin, so
load from other work slows one sample of each rather than every sample of one. PyTorch
is not a book dependency: install it for benchmarks only (requirements-bench.txt); without
it the PyTorch column is skipped.

Run: ``python benchmarks/bench_attn_core.py`` (``--quick``: smaller n, fewer repeats;
``--blocks 128 256``: tiled attention at several block sizes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from attn_core import (
    causal_mask,
    multi_head_attention,
    scaled_dot_product_attention,
    tiled_attention,
)
from benchmarks.machine import print_machine, print_table

try:
    import torch
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own name
except ImportError:
    torch = None

D_MODEL, HEADS, D_HEAD = 512, 8, 64
MiB = 2**20


def best_times(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Minimum seconds per call of each function, sampled round-robin after one warm-up call."""
    for fn in fns.values():
        fn()
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeats):
        for name, fn in fns.items():
            number, start = 0, time.perf_counter()
            while number == 0 or time.perf_counter() - start < 0.02:  # samples of >= 20 ms
                fn()
                number += 1
            best[name] = min(best[name], (time.perf_counter() - start) / number)
    return best


def numpy_peak(fn: Callable[[], object]) -> int:
    """Peak bytes NumPy allocates during one call."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def torch_allocated(fn: Callable[[], object]) -> int:
    """Bytes PyTorch allocates during one call (its profiler): an upper bound of the peak."""
    activities = [torch.profiler.ProfilerActivity.CPU]
    with torch.profiler.profile(activities=activities, profile_memory=True) as profiler:
        fn()
    return sum(max(e.self_cpu_memory_usage, 0) for e in profiler.key_averages())


def per_head_loop(x, w_q, w_k, w_v, w_o, num_heads):
    """Multi-head attention as a Python loop over heads (chapter 4's reference)."""
    d_head = x.shape[-1] // num_heads
    contexts = []
    for i in range(num_heads):
        cols = slice(i * d_head, (i + 1) * d_head)
        contexts.append(
            scaled_dot_product_attention(x @ w_q[:, cols], x @ w_k[:, cols], x @ w_v[:, cols])[0]
        )
    return np.concatenate(contexts, axis=-1) @ w_o


def multi_head_table(sizes: list[int], repeats: int, rng: np.random.Generator) -> None:
    rows = []
    for n in sizes:
        x = rng.standard_normal((1, n, D_MODEL), dtype=np.float32)
        ws = [rng.standard_normal((D_MODEL, D_MODEL), dtype=np.float32) / 23 for _ in range(4)]
        out = multi_head_attention(x, *ws, HEADS)[0]
        assert np.allclose(per_head_loop(x, *ws, HEADS), out, atol=1e-4)
        # The same matmuls alone, on contiguous operands: the machine's matmul rate here.
        q, k, v = (
            np.ascontiguousarray((x @ w).reshape(n, HEADS, D_HEAD).swapaxes(0, 1)) for w in ws[:3]
        )
        kt, a = np.ascontiguousarray(k.swapaxes(-1, -2)), np.full((HEADS, n, n), 1 / n, np.float32)
        context = out[0]

        def matmuls(x=x, ws=ws, q=q, kt=kt, a=a, v=v, context=context):
            return [x @ w for w in ws[:3]], q @ kt, a @ v, context @ ws[3]

        t = best_times(
            {
                "batched": lambda x=x, ws=ws: multi_head_attention(x, *ws, HEADS),
                "loop": lambda x=x, ws=ws: per_head_loop(x, *ws, HEADS),
                "matmul": matmuls,
            },
            repeats,
        )
        flops = 2.0 * (4 * n * D_MODEL**2 + 2 * n * n * D_MODEL)
        rows.append([n, f"{t['batched'] * 1e3:.2f}", f"{t['loop'] * 1e3:.2f}",
                     f"{t['loop'] / t['batched']:.2f}x", f"{flops / t['batched'] / 1e9:.1f}",
                     f"{t['matmul'] / t['batched']:.0%}"])  # fmt: skip
    print_table(["n", "batched ms", "per-head loop ms", "loop / batched", "achieved GFLOP/s",
                 "share of NumPy matmul on the same shapes"], rows)  # fmt: skip


def tiled_table(
    sizes: list[int], blocks: list[int], repeats: int, rng: np.random.Generator
) -> None:
    rows = []
    for n in sizes:
        q, k, v = (rng.standard_normal((HEADS, n, D_HEAD), dtype=np.float32) for _ in range(3))
        for causal in (True, False):
            fns: dict[str, Callable[[], object]] = {
                f"tiled {b}": lambda b=b, c=causal, qkv=(q, k, v): tiled_attention(
                    *qkv, causal=c, block_size=b
                )
                for b in blocks
            }
            mask = causal_mask(n) if causal else None
            fns["naive"] = lambda m=mask, qkv=(q, k, v): scaled_dot_product_attention(*qkv, m)
            if torch is not None:
                tensors = [torch.from_numpy(a[None]) for a in (q, k, v)]  # (1, h, n, d), shared
                fns["torch"] = lambda c=causal, t=tensors: F.scaled_dot_product_attention(
                    *t, is_causal=c
                )
                expected = fns["torch"]().numpy()[0]
            else:
                expected = fns["naive"]()[0]
            for name in fns:
                got = fns[name]()
                got = got.numpy()[0] if name == "torch" else got[0] if name == "naive" else got
                assert np.abs(got - expected).max() < 1e-4, f"{name} disagrees at n={n}"
            t = best_times(fns, repeats if n < 8192 else max(1, repeats // 2))
            tiled = min((t[f"tiled {b}"], b) for b in blocks)
            peak = {name: numpy_peak(fn) for name, fn in fns.items() if name != "torch"}
            torch_ms = f"{t['torch'] * 1e3:.1f}" if torch else "-"
            ratio = f"{tiled[0] / t['torch']:.2f}x" if torch else "-"
            torch_mib = torch_allocated(fns["torch"]) if torch else None
            rows.append(
                [n, "yes" if causal else "no"]
                + [f"{t[f'tiled {b}'] * 1e3:.1f}" for b in blocks]
                + [f"{t['naive'] * 1e3:.1f}", torch_ms, ratio, f"{t['naive'] / tiled[0]:.2f}x"]
                + [f"{peak[f'tiled {tiled[1]}'] / MiB:.1f}", f"{peak['naive'] / MiB:.0f}"]
                + [f"{torch_mib / MiB:.1f}" if torch_mib is not None else "-"]
                + [f"{HEADS * n * n * 4 / MiB:.0f}"]
            )
    print_table(
        ["n", "causal"] + [f"tiled ({b}) ms" for b in blocks]
        + ["naive ms", "PyTorch fused ms", "tiled / PyTorch", "naive / tiled", "tiled peak MiB",
           "naive peak MiB", "PyTorch allocated MiB", "score matrix MiB"],
        rows,
    )  # fmt: skip


def matmul_rates(repeats: int, rng: np.random.Generator) -> None:
    """GFLOP/s of NumPy's and PyTorch's matmul on tiled_attention's two products, and 2048^3."""
    keys = tiled_attention.__kwdefaults__["block_size"]
    d, queries = D_HEAD + 1, 4 * keys  # the extra feature carries the running maximum
    rows = []
    for shape_a, shape_b in [
        ((keys, d), (d, queries)),
        ((queries, keys), (keys, d)),
        ((2048,) * 2,) * 2,
    ]:
        a, b = (
            rng.standard_normal(shape_a, dtype=np.float32),
            rng.standard_normal(shape_b, dtype=np.float32),
        )
        fns = {"NumPy": lambda a=a, b=b: a @ b}
        if torch is not None:
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            fns["PyTorch"] = lambda ta=ta, tb=tb: ta @ tb
        t = best_times(fns, repeats)
        flops = 2.0 * a.size * b.shape[-1]
        rows.append([f"{shape_a} @ {shape_b}"] + [f"{flops / t[name] / 1e9:.0f}" for name in fns])
    print_table(["matmul, float32", "NumPy GFLOP/s"] + (["PyTorch GFLOP/s"] if torch else []), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller n, fewer repeats")
    parser.add_argument("--blocks", type=int, nargs="*", help="tiled block sizes to time")
    parser.add_argument("--repeats", type=int, help="samples per function (default 7, quick 3)")
    args = parser.parse_args()
    threadpool_limits(limits=1, user_api="blas")
    os.environ["OMP_NUM_THREADS"] = "1"
    if torch is not None:
        torch.set_num_threads(1)
    repeats = args.repeats or (3 if args.quick else 7)
    blocks = args.blocks or [tiled_attention.__kwdefaults__["block_size"]]

    print_machine("attn_core attention benchmark, one thread")
    print(f"PyTorch: {torch.__version__ if torch else 'not installed: its column is skipped'}")
    print(f"Times: min over {repeats} round-robin samples of >= 20 ms (8192: half as many).\n")
    rng = np.random.default_rng(0)

    print(f"## (a) multi_head_attention, batch 1, d_model {D_MODEL}, {HEADS} heads, float32")
    multi_head_table([128, 512] if args.quick else [128, 512, 1024, 2048], repeats, rng)
    print("(share: the six matmuls timed alone on contiguous operands / the batched call)\n")

    print(f"## (b) tiled vs naive vs PyTorch's fused kernel, {HEADS} heads of {D_HEAD}, float32")
    tiled_table([1024, 2048] if args.quick else [1024, 2048, 4096, 8192], blocks, repeats, rng)
    print(
        "(peak: NumPy's allocations during one call by tracemalloc, output included; PyTorch:"
        "\n all it allocates in one call, by its profiler, output included, a bound on its peak;"
        "\n ratios use the fastest block size)\n"
    )
    print("## (c) the matmuls underneath: a block of scores, its weighted values, and a large one")
    matmul_rates(repeats, rng)


if __name__ == "__main__":
    main()
