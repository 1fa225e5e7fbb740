"""Speed of attn_core's multi-head attention: batched vs per-head loop vs raw matmul.

Shapes (batch 1, float32): x (1, n, d_model=512), W_q, W_k, W_v, W_o (512, 512),
8 heads of d_head = 64, for n = 128, 512, 1024, 2048. No mask unless stated.

For each n it prints
- the time of ``multi_head_attention`` (batched over heads) and of a Python loop
  over heads calling ``scaled_dot_product_attention`` on each head's slice
  (the two are asserted to agree), and their ratio;
- the FLOPs (2*m*k*n per matmul: Q, K, V projections, Q K^T, A V, output
  projection), the achieved GFLOP/s, and the GFLOP/s NumPy's matmul reaches on
  exactly the same matmuls timed alone, with the share of it that
  ``multi_head_attention`` achieves;
- where the time goes, stage by stage as attn_core does it now: projections,
  scores (Q K^T, then the in-place ``*= 1/sqrt(d_k)``), softmax (the row
  maxima, the NaN/+inf check of those maxima, then shift, exp, sum and divide
  in one buffer), weighted sum (A V), merge + output projection, and the input
  checks (isfinite on x, W, q, k, v);
- the memory of the score matrix (h * n * n * 4 bytes) and the peak memory one
  call allocates (tracemalloc, which NumPy reports to);
- the cost of a causal mask: the masked call, and the in-place masking
  (``np.copyto(scores, -inf, where=~mask)``) timed alone.

Times are the minimum over repeats (each repeat averages enough calls to last
>= 30 ms; all functions are sampled round-robin), the usual way to read through
noise from other work on the machine.

Run: ``.venv/bin/python benchmarks/bench_attn_core.py`` (``--quick``: n = 128
and 512 only, fewer repeats; ``--threads 1``: single-threaded BLAS).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
from _common import print_machine, print_table
from threadpoolctl import threadpool_limits

from attn_core import (
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    softmax,
    split_heads,
)
from attn_core._validation import (
    as_float_array,
    check_batch_broadcast,
    check_mask,
    result_dtype,
)

D_MODEL = 512
HEADS = 8


def calibrate(fn: Callable[[], object], min_sample: float) -> int:
    """How many calls make one sample last at least ``min_sample`` seconds."""
    fn()  # warm up (allocator, BLAS threads)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return max(1, int(min_sample / max(best, 1e-7)))


def best_times(
    fns: dict[str, Callable[[], object]], repeats: int, min_sample: float
) -> dict[str, float]:
    """Minimum over ``repeats`` samples of each function's mean time per call (s).

    The functions are sampled round-robin, so a burst of load from other work on
    the machine slows one sample of each rather than every sample of one, and
    ratios between them stay fair.
    """
    numbers = {name: calibrate(fn, min_sample) for name, fn in fns.items()}
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeats):
        for name, fn in fns.items():
            number = numbers[name]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best[name] = min(best[name], (time.perf_counter() - start) / number)
    return best


def per_head_loop(x, w_q, w_k, w_v, w_o, num_heads, mask=None):
    """Multi-head attention as a Python loop over heads (the chapter-4 reference)."""
    d_head = x.shape[-1] // num_heads
    contexts, weights = [], []
    for i in range(num_heads):
        cols = slice(i * d_head, (i + 1) * d_head)
        context, w = scaled_dot_product_attention(
            x @ w_q[:, cols], x @ w_k[:, cols], x @ w_v[:, cols], mask
        )
        contexts.append(context)
        weights.append(w)
    return np.concatenate(contexts, axis=-1) @ w_o, np.stack(weights, axis=-3)


def attn_flops(n: int, d: int) -> dict[str, float]:
    """FLOPs (2 per multiply-add) of each matmul of one multi-head attention call."""
    return {
        "projections Q,K,V": 3 * 2.0 * n * d * d,
        "scores Q K^T": 2.0 * n * n * d,  # h heads * 2 * n * n * d_head
        "weighted sum A V": 2.0 * n * n * d,
        "output projection": 2.0 * n * d * d,
    }


def agree(a: np.ndarray, b: np.ndarray) -> float:
    """Largest difference relative to the largest magnitude."""
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak bytes allocated during one call (NumPy reports to tracemalloc)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def bench_n(n: int, repeats: int, min_sample: float, rng: np.random.Generator) -> dict:
    d, h = D_MODEL, HEADS
    d_head = d // h
    f32 = np.float32
    x = rng.standard_normal((1, n, d)).astype(f32)
    w_q, w_k, w_v, w_o = ((rng.standard_normal((d, d)) / np.sqrt(d)).astype(f32) for _ in range(4))
    mask = causal_mask(n)

    out_b, weights_b = multi_head_attention(x, w_q, w_k, w_v, w_o, h)
    out_l, weights_l = per_head_loop(x, w_q, w_k, w_v, w_o, h)
    assert out_b.dtype == np.float32 and weights_b.shape == (1, h, n, n)
    err_loop = max(agree(out_l, out_b), agree(weights_l, weights_b))
    assert err_loop < 1e-4, f"per-head loop disagrees with batched: {err_loop}"
    out_bm, weights_bm = multi_head_attention(x, w_q, w_k, w_v, w_o, h, mask)
    out_lm, weights_lm = per_head_loop(x, w_q, w_k, w_v, w_o, h, mask)
    err_mask = max(agree(out_lm, out_bm), agree(weights_lm, weights_bm))
    assert err_mask < 1e-4, f"masked per-head loop disagrees with batched: {err_mask}"
    assert not weights_bm[..., 0, 1:].any(), "causal mask let query 0 see later keys"

    fns: dict[str, Callable[[], object]] = {
        "batched": lambda: multi_head_attention(x, w_q, w_k, w_v, w_o, h),
        "loop": lambda: per_head_loop(x, w_q, w_k, w_v, w_o, h),
        "batched_mask": lambda: multi_head_attention(x, w_q, w_k, w_v, w_o, h, mask),
    }

    # The same matmuls alone, on contiguous operands: the machine's matmul rate.
    q = np.ascontiguousarray(split_heads(x @ w_q, h))  # (1, h, n, d_head)
    kt = np.ascontiguousarray(np.swapaxes(split_heads(x @ w_k, h), -1, -2))
    v = np.ascontiguousarray(split_heads(x @ w_v, h))
    a = softmax((q @ kt) * f32(1 / np.sqrt(d_head)))
    ctx = merge_heads(a @ v)
    mm_fns = {
        "projections Q,K,V": lambda: (x @ w_q, x @ w_k, x @ w_v),
        "scores Q K^T": lambda: q @ kt,
        "weighted sum A V": lambda: a @ v,
        "output projection": lambda: ctx @ w_o,
    }
    fns.update({"mm: " + k: f for k, f in mm_fns.items()})

    # Breakdown of one batched call, stage by stage, on the operands it really uses
    # (views from split_heads, as multi_head_attention passes them), following
    # scaled_dot_product_attention and softmax line by line.
    scale = f32(1 / np.sqrt(d_head))
    qv, kv, vv = (split_heads(x @ w, h) for w in (w_q, w_k, w_v))
    scores = qv @ np.swapaxes(kv, -1, -2)
    scaled = scores * scale
    row_max = np.max(scaled, axis=-1, keepdims=True)
    weights = softmax(scaled)
    context = weights @ vv

    def input_checks() -> None:
        dtype = result_dtype(x, w_q, w_k, w_v, w_o)
        for arr in (x, w_q, w_k, w_v, w_o):
            as_float_array(arr, "a", min_ndim=2, dtype=dtype)
        dtype = result_dtype(qv, kv, vv)
        for arr in (qv, kv, vv):
            as_float_array(arr, "a", min_ndim=2, dtype=dtype)
        check_batch_broadcast({"q": qv.shape[:-2], "k": kv.shape[:-2], "v": vv.shape[:-2]})

    # The scaling is in place on the fresh score matrix. Timed on one buffer, it
    # alternates the factor 1/sqrt(64) = 1/8 with 8: both powers of two, so the
    # values come back exactly and never drift into denormals.
    scale_buf = scores.copy()
    factors = [scale, f32(1) / scale]

    def scale_in_place() -> None:
        np.multiply(scale_buf, factors[0], out=scale_buf)  # = scale_buf *= factor
        factors.reverse()

    def softmax_nan_check() -> bool:
        # What softmax checks now: NaN/+inf in the row maxima (h * n values).
        return bool(np.isnan(row_max).any() or np.isposinf(row_max).any())

    def softmax_arithmetic() -> np.ndarray:
        shift = np.where(np.isneginf(row_max), 0.0, row_max)
        exps = np.subtract(scaled, shift, dtype=scaled.dtype)
        np.exp(exps, out=exps)
        totals = np.sum(exps, axis=-1, keepdims=True)
        totals[totals == 0.0] = 1.0
        exps /= totals
        return exps

    assert np.array_equal(softmax_arithmetic(), weights), "stages differ from softmax()"

    # Masking as _weights_from_scores does it: in place on the scaled scores. Idempotent,
    # so one buffer serves every call.
    mask_buf = scaled.copy()

    def mask_copyto() -> None:
        allowed = check_mask(mask, mask_buf.shape)
        np.copyto(mask_buf, -np.inf, where=~allowed)

    stage_fns = {
        "input checks (isfinite x, W, q, k, v)": input_checks,
        "projections Q,K,V (x @ W)": lambda: [x @ w for w in (w_q, w_k, w_v)],
        "scores: Q K^T": lambda: qv @ np.swapaxes(kv, -1, -2),
        "scores: *= 1/sqrt(d_k) (in place)": scale_in_place,
        "softmax: row max (full pass)": lambda: np.max(scaled, axis=-1, keepdims=True),
        "softmax: NaN/+inf check of row maxima": softmax_nan_check,
        "softmax: shift, exp, sum, divide (one buffer)": softmax_arithmetic,
        "weighted sum: A V": lambda: weights @ vv,
        "merge heads + output projection": lambda: merge_heads(context) @ w_o,
    }
    fns.update({"stage: " + k: f for k, f in stage_fns.items()})
    fns["mask_copyto"] = mask_copyto
    fns["softmax_whole"] = lambda: softmax(scaled)

    times = best_times(fns, repeats, min_sample)
    res: dict = {"n": n, "err_loop": err_loop}
    for key in ("batched", "loop", "batched_mask", "mask_copyto", "softmax_whole"):
        res[key] = times[key]
    res["mm"] = {k: times["mm: " + k] for k in mm_fns}
    res["stages"] = {k: times["stage: " + k] for k in stage_fns}
    flops = attn_flops(n, d)
    res["flops"] = sum(flops.values())
    res["matmul_time"] = sum(res["mm"].values())
    res["mm_flops"] = flops
    res["score_bytes"] = h * n * n * 4
    res["peak"] = peak_bytes(lambda: multi_head_attention(x, w_q, w_k, w_v, w_o, h))
    res["peak_mask"] = peak_bytes(lambda: multi_head_attention(x, w_q, w_k, w_v, w_o, h, mask))
    return res


def peak_sgemm_gflops(repeats: int, min_sample: float) -> float:
    """GFLOP/s of one large square float32 matmul (2048^3): the BLAS's best case."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2048, 2048)).astype(np.float32)
    b = rng.standard_normal((2048, 2048)).astype(np.float32)
    best = best_times({"sgemm": lambda: a @ b}, repeats, min_sample)["sgemm"]
    return 2 * 2048**3 / best / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="n = 128, 512; fewer repeats")
    parser.add_argument("--sizes", type=int, nargs="*", help="override the sequence lengths")
    parser.add_argument(
        "--threads",
        type=int,
        help="BLAS threads (set with threadpoolctl for the whole run); "
        "1 thread is less disturbed by other work on a busy machine",
    )
    args = parser.parse_args()
    if args.threads:
        threadpool_limits(limits=args.threads, user_api="blas")
    sizes = args.sizes or ([128, 512] if args.quick else [128, 512, 1024, 2048])
    repeats, min_sample = (3, 0.02) if args.quick else (7, 0.03)

    print_machine("attn_core multi-head attention benchmark")
    print(
        f"Shapes: batch 1, x (1, n, {D_MODEL}), W_q/W_k/W_v/W_o ({D_MODEL}, {D_MODEL}), "
        f"{HEADS} heads, d_head {D_MODEL // HEADS}, float32; no mask unless stated."
    )
    print(
        f"Times: min over {repeats} repeats, each the mean of calls lasting "
        f">= {min_sample * 1e3:.0f} ms."
    )
    peak = peak_sgemm_gflops(repeats, min_sample)
    print(f"Reference: one 2048x2048x2048 float32 matmul runs at {peak:.1f} GFLOP/s.\n")

    rng = np.random.default_rng(0)
    results = [bench_n(n, repeats, min_sample, rng) for n in sizes]

    print("## Batched vs per-head loop vs matmul rate")
    rows = []
    for r in results:
        achieved = r["flops"] / r["batched"] / 1e9
        mm_rate = r["flops"] / r["matmul_time"] / 1e9
        rows.append(
            [
                r["n"],
                f"{r['batched'] * 1e3:.2f}",
                f"{r['loop'] * 1e3:.2f}",
                f"{r['loop'] / r['batched']:.2f}x",
                f"{r['flops'] / 1e9:.3f}",
                f"{achieved:.1f}",
                f"{mm_rate:.1f}",
                f"{achieved / mm_rate:.0%}",
                f"{r['err_loop']:.1e}",
            ]
        )
    print_table(
        [
            "n",
            "batched ms",
            "per-head loop ms",
            "loop/batched",
            "GFLOP",
            "achieved GFLOP/s",
            "matmul-only GFLOP/s",
            "share of matmul",
            "max rel diff",
        ],
        rows,
    )
    print(
        "\n(matmul-only: the same six matmuls timed alone on contiguous operands; "
        "share = matmul-only time / batched time.)\n"
    )

    print("## Matmul rate per kind (timed alone)")
    rows = []
    for r in results:
        rows.append([r["n"]] + [f"{r['mm_flops'][k] / r['mm'][k] / 1e9:.1f}" for k in r["mm"]])
    print_table(["n"] + [f"{k} GFLOP/s" for k in results[0]["mm"]], rows)
    print()

    print("## Where the time of one batched call goes (ms; share of the sum of stages)")
    names = list(results[0]["stages"])
    rows = []
    for name in names:
        row = [name]
        for r in results:
            total = sum(r["stages"].values())
            row.append(f"{r['stages'][name] * 1e3:.2f} ({r['stages'][name] / total:.0%})")
        rows.append(row)
    rows.append(["sum of stages"] + [f"{sum(r['stages'].values()) * 1e3:.2f}" for r in results])
    rows.append(["measured multi_head_attention"] + [f"{r['batched'] * 1e3:.2f}" for r in results])
    rows.append(["(softmax() timed whole)"] + [f"{r['softmax_whole'] * 1e3:.2f}" for r in results])
    print_table(["stage"] + [f"n={r['n']}" for r in results], rows)
    print()

    print(
        "## Grouped: scores / softmax / weighted sum / projections / checks "
        "(ms; share of the sum of stages)"
    )
    groups = {
        "scores (Q K^T + scaling)": ["scores: Q K^T", "scores: *= 1/sqrt(d_k) (in place)"],
        "softmax (row max + check + arithmetic)": [
            "softmax: row max (full pass)",
            "softmax: NaN/+inf check of row maxima",
            "softmax: shift, exp, sum, divide (one buffer)",
        ],
        "weighted sum (A V)": ["weighted sum: A V"],
        "projections (Q,K,V + output)": [
            "projections Q,K,V (x @ W)",
            "merge heads + output projection",
        ],
        "validation (isfinite + NaN/+inf check)": [
            "input checks (isfinite x, W, q, k, v)",
            "softmax: NaN/+inf check of row maxima",
        ],
    }
    rows = []
    for group, members in groups.items():
        row = [group]
        for r in results:
            total = sum(r["stages"].values())
            part = sum(r["stages"][m] for m in members)
            row.append(f"{part * 1e3:.2f} ({part / total:.0%})")
        rows.append(row)
    print_table(["group"] + [f"n={r['n']}" for r in results], rows)
    print("(validation overlaps the softmax group: the NaN/+inf check is part of softmax.)\n")

    print("## Causal mask and memory")
    rows = []
    for r in results:
        rows.append(
            [
                r["n"],
                f"{r['batched'] * 1e3:.2f}",
                f"{r['batched_mask'] * 1e3:.2f}",
                f"{(r['batched_mask'] - r['batched']) * 1e3:+.2f}",
                f"{r['mask_copyto'] * 1e3:.2f}",
                f"{r['score_bytes'] / 2**20:.1f}",
                f"{r['peak'] / 2**20:.1f}",
                f"{r['peak'] / r['score_bytes']:.1f}x",
                f"{r['peak_mask'] / 2**20:.1f}",
            ]
        )
    print_table(
        [
            "n",
            "unmasked ms",
            "masked ms",
            "masked - unmasked ms",
            "mask copyto ms",
            "score matrix MiB",
            "peak alloc MiB",
            "peak/scores",
            "masked peak MiB",
        ],
        rows,
    )
    print(
        "\n(mask copyto: check_mask + np.copyto(scores, -inf, where=~mask) timed alone; "
        "peak: tracemalloc over one call.)"
    )


if __name__ == "__main__":
    main()
