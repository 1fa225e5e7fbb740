"""Chapter 6 on 20 seeds: does every seed pass the chapter's checks; what the embedding scale does.

The chapter trains one model (seed 0). This script trains the same model, with
the same settings (``attn_book.induction``'s constants: ``STEPS`` Adam steps of
``BATCH_SIZE`` sequences, ``LEARNING_RATE``, ``BETA2``), on seeds 0 to 19,
once with the initial embeddings of the chapter (standard deviation
``EMBED_SCALE`` = 0.3) and once with standard deviation 1. Each run also trains
the one-layer model of section 6.3 on the same batches. On the chapter's 500
evaluation sequences it measures, per seed:

- ``max w``: the mean, over layer-1 queries from position 1, of each row's
  largest attention weight at initialisation (before any step). A uniform row
  over ``i + 1`` keys has ``1 / (i + 1)``; a saturated softmax has 1;
- ``acc@100``, ``acc@400``: accuracy on the repeated part after 100 and 400
  steps (two layers), and ``one@200``: the one-layer model after 200;
- ``prev``: the previous-token score of the layer-1 head that looks back most,
  ``ind``: the smaller induction score of the two layer-2 heads;
- ``-prev``: accuracy with that previous-token head removed, ``-1 ind``: the
  largest drop when one induction head is removed, ``-2 ind``: accuracy with
  both removed;
- ``-prev K``: accuracy with the previous-token head's output removed from the
  keys of layer 2 only (``removed_paths``), ``-prev QV``: removed from layer
  2's queries and values and from the logits, its keys left whole; ``K ind``:
  the larger induction score of the layer-2 heads with the keys cut so;
- ``same``: the largest same-token share among the four learned heads (the
  weight on earlier occurrences of the query's own token, itself included, at
  the queries of the repeated part of the first 100 evaluation sequences),
  against ``even``, the same share for a head that spreads its weight evenly
  over the keys.

Then it applies the chapter's asserts on the trained models (the thresholds in
``CHECKS``, copied from ``book/06_learned_attention.ipynb``; keep them in step)
to every seed and prints, per check, how many seeds pass at each scale. It exits with status 1 if
a seed fails a check at the chapter's scale, or if the statements of section
6.3 about the scale do not hold (with standard deviation 1: the initial
attention further from uniform, and lower accuracy after 100 and after 400
steps, on every seed).

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_induction_seeds.py``
(``--seeds N``: seeds 0 to N - 1; about 4 s a seed, both scales, on one core).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np
from _common import print_machine, print_table

from attn_book import induction as ind

SCALES = (ind.EMBED_SCALE, 1.0)
ONE_LAYER_STEPS = 200
CHECKPOINTS = (100, 200, 400)

Figures = dict[str, float]


def measure(seed: int, scale: float, evaluation: ind.InductionBatch) -> Figures:
    """Train both models from ``seed`` with initial embeddings of std ``scale``; the figures."""
    chance = 1 / ind.VOCAB_SIZE
    start = ind.init_params(seed, embed_scale=scale)
    first_layer = ind.forward(start, evaluation.tokens).weights[0]  # (B, h, n, n)
    initial_loss = ind.loss(start, evaluation)
    two = ind.train(start, seed=seed, eval_batch=evaluation, eval_at=CHECKPOINTS)
    one = ind.train(
        ind.init_params(seed, num_layers=1, embed_scale=scale),
        steps=ONE_LAYER_STEPS,
        seed=seed,
        eval_batch=evaluation,
        eval_at=CHECKPOINTS,
    )
    params = two.params
    scores = ind.head_scores(params, evaluation)
    previous_head = int(scores.previous[0].argmax())
    prev = (0, previous_head)
    table = ind.ablation_table(params, evaluation)
    intact = table[()]

    def without(readers: tuple[str, ...]) -> float:
        return ind.accuracy(params, evaluation, removed_paths={prev: readers})[0]

    keys_cut = ind.forward(params, evaluation.tokens, removed_paths={prev: ("k",)}).weights[1]
    keys_cut_induction = [
        ind.induction_score(keys_cut[:, h], evaluation.tokens, evaluation.queries) for h in range(2)
    ]

    # The loss curve, as section 6.3 reads it.
    log_vocab = np.log(ind.VOCAB_SIZE)
    smooth = np.convolve(two.losses, np.ones(10) / 10, mode="valid")
    # Where the previous-token head looks back, by position (section 6.6).
    n = ind.SEQ_LEN
    positions = np.arange(1, n)
    weights = ind.forward(params, evaluation.tokens).weights
    on_previous = weights[0][:, previous_head][:, positions, positions - 1].mean(axis=0)
    copy_positions = np.concatenate(
        [np.arange(f + 1, f + k) for f, k in zip(evaluation.first, evaluation.length, strict=True)]
    )
    share = np.bincount(copy_positions, minlength=n)[1:] / len(copy_positions)
    # Same-token share at the queries of the repeated part (section 6.8: the
    # first 100 evaluation sequences).
    tokens, where = evaluation.tokens[:100], evaluation.queries[:100]
    same_token = (tokens[:, :, None] == tokens[:, None, :]) & np.tri(n, dtype=bool)
    even = np.tri(n) / np.arange(1, n + 1)[:, None]

    def same_share(w: np.ndarray) -> float:
        return float((w * same_token).sum(axis=-1)[where].mean())

    learned_same = [same_share(weights[layer][:100, head]) for layer, head in ind.all_heads()]
    first_100 = [weights[0][:100, previous_head], weights[1][:100, 0], weights[1][:100, 1]]
    scores_100 = [ind.induction_score(w, tokens, where) for w in first_100[1:]]
    # The one-layer model's guesses on the repeated part (section 6.4).
    rows, queries = np.nonzero(evaluation.queries)
    guess = ind.forward(one.params, evaluation.tokens).logits[rows, queries].argmax(axis=-1)
    seen = [
        g in evaluation.tokens[r, : q + 1] for g, r, q in zip(guess, rows, queries, strict=True)
    ]
    in_second = [
        g in evaluation.tokens[r, evaluation.second[r] : q + 1]
        for g, r, q in zip(guess, rows, queries, strict=True)
    ]
    # The one sequence of section 6.5.
    row = example_row(evaluation)
    first, second = evaluation.first[row], evaluation.second[row]
    length = evaluation.length[row]
    copy_queries = np.arange(first + 1, first + length)
    looks_back = weights[0][row, previous_head][copy_queries].argmax(axis=-1) == copy_queries - 1
    second_queries = np.arange(second, second + length - 1)
    induction_keys = second_queries - (second - first) + 1
    on_key = [weights[1][row, h][second_queries, induction_keys].mean() for h in range(2)]
    return {
        "max w": float(first_layer.max(axis=-1)[..., 1:].mean()),
        "acc@100": two.checkpoints[100][0],
        "acc@400": two.checkpoints[400][0],
        "rest": two.checkpoints[400][1],
        "one@100": one.checkpoints[100][0],
        "one@200": one.checkpoints[200][0],
        "plateau": float(two.losses[:40].mean() / log_vocab),
        "late/early": float(two.losses[-20:].mean() / two.losses[:20].mean()),
        "leave": int(np.argmax(smooth < 0.9 * log_vocab)) + 10,
        "drop": int(np.argmax(smooth < 0.5 * log_vocab)) + 10,
        "prev": float(scores.previous[0, previous_head]),
        "prev in copy": float(scores.previous_in_copy[0, previous_head]),
        "prev rare": float(on_previous[share < 0.005].mean()),
        "ind": float(scores.induction[1].min()),
        "ind in L1": float(scores.induction[0].max()),
        "prev in L2": float(scores.previous[1].max()),
        "intact": intact,
        "-prev": table[(prev,)],
        "-other L1": table[((0, 1 - previous_head),)],
        "-L1": table[((0, 0), (0, 1))],
        "-1 ind": intact - min(table[((1, 0),)], table[((1, 1),)]),
        "-2 ind": table[((1, 0), (1, 1))],
        "-prev K": without(("k",)),
        "-prev QV": without(("q", "v", "logits")),
        "K ind": float(max(keys_cut_induction)),
        "same": max(learned_same),
        "even": same_share(np.broadcast_to(even, weights[0][:100, 0].shape)),
        "chance": chance,
        "initial loss": initial_loss,
        "seen": float(np.mean(seen)),
        "in second": float(np.mean(in_second)),
        "example back": float(looks_back.all()),
        "example on key": float(min(on_key)),
        "prev 100": float(ind.previous_token_score(first_100[0])),
        "ind 100": float(min(scores_100)),
        "ind same 100": max(learned_same[2:]),
        "copy rule": ind.copy_rule_accuracy(evaluation),
    }


def example_row(evaluation: ind.InductionBatch) -> int:
    """The sequence section 6.5 shows: copies 10 apart or more, 6 tokens or more, unambiguous."""
    far = evaluation.second - evaluation.first >= 10
    long = evaluation.length >= 6
    return int(np.flatnonzero(ind.unambiguous(evaluation) & far & long)[0])


#: The chapter's asserts that depend on the seed: (section, statement, test).
CHECKS: list[tuple[str, str, Callable[[Figures], bool]]] = [
    (
        "6.2",
        "loss at start: log 16 +- 0.2",
        lambda f: abs(f["initial loss"] - np.log(ind.VOCAB_SIZE)) < 0.2,
    ),
    ("6.3", "loss: late < half of early", lambda f: f["late/early"] < 0.5),
    ("6.3", "loss: plateau over steps 1-40", lambda f: f["plateau"] > 0.9),
    (
        "6.3",
        "loss: leaves after 40, drops within 60",
        lambda f: f["leave"] > 40 and f["drop"] - f["leave"] < 60,
    ),
    (
        "6.3",
        "repeated > 0.75, rest at chance",
        lambda f: f["acc@400"] > 0.75 and abs(f["rest"] - f["chance"]) < 0.03,
    ),
    (
        "6.3",
        "one layer < 0.4, 0.4 behind",
        lambda f: f["one@200"] < 0.4 and f["acc@400"] - f["one@200"] > 0.4,
    ),
    ("6.3", "one layer: 200 no better than 100", lambda f: abs(f["one@200"] - f["one@100"]) < 0.05),
    ("6.4", "one layer: guesses seen tokens > 0.95", lambda f: f["seen"] > 0.95),
    ("6.4", "one layer: second-copy tokens > 0.1", lambda f: f["in second"] > 0.1),
    ("6.5", "example: looks back across the copy", lambda f: f["example back"] == 1.0),
    ("6.5", "example: induction key weight > 0.7", lambda f: f["example on key"] > 0.7),
    ("6.6", "previous-token score 0.5-0.8", lambda f: 0.5 < f["prev"] < 0.8),
    ("6.6", "both layer-2 heads induction > 0.8", lambda f: f["ind"] > 0.8),
    ("6.6", "no head does both (< 0.2)", lambda f: f["ind in L1"] < 0.2 and f["prev in L2"] < 0.2),
    ("6.6", "looks back in first copies > 0.9", lambda f: f["prev in copy"] > 0.9),
    ("6.6", "looks back at rare positions < 0.3", lambda f: f["prev rare"] < 0.3),
    ("6.7", "previous-token head needed (-0.3)", lambda f: f["-prev"] < f["intact"] - 0.3),
    ("6.7", "without layer 1 < min(0.25, one layer)", lambda f: f["-L1"] < min(0.25, f["one@200"])),
    ("6.7", "other layer-1 head: little (-0.05)", lambda f: f["-other L1"] > f["intact"] - 0.05),
    ("6.7", "one induction head: drop < 0.12", lambda f: f["-1 ind"] < 0.12),
    ("6.7", "both induction heads: < 2 x chance", lambda f: f["-2 ind"] < 2 * f["chance"]),
    ("6.7", "keys only: needed (-0.3)", lambda f: f["-prev K"] < f["intact"] - 0.3),
    (
        "6.7",
        "keys only: as low as everywhere (0.05)",
        lambda f: abs(f["-prev K"] - f["-prev"]) < 0.05,
    ),
    (
        "6.7",
        "queries, values, logits: little (-0.02)",
        lambda f: f["-prev QV"] > f["intact"] - 0.02,
    ),
    ("6.7", "keys only: induction scores halved", lambda f: f["K ind"] < f["ind"] / 2),
    ("6.8", "first 100: previous-token 0.5-0.8", lambda f: 0.5 < f["prev 100"] < 0.8),
    (
        "6.8",
        "first 100: induction > 0.8, same < 0.1",
        lambda f: f["ind 100"] > 0.8 and f["ind same 100"] < 0.1,
    ),
    ("6.8", "no same-token head (< even + 0.05)", lambda f: f["same"] < f["even"] + 0.05),
    ("ex.", "exercise 6.5: copy rule < one layer", lambda f: f["copy rule"] < f["one@200"]),
]

COLUMNS = ("max w", "acc@100", "acc@400", "one@200", "prev", "ind", "-prev", "-1 ind", "-2 ind",
           "-prev K", "-prev QV", "K ind", "same", "even")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0 to N - 1 (default 20)")
    args = parser.parse_args()
    print_machine("Chapter 6's model on many seeds")
    print(
        f"settings: {ind.STEPS} steps of {ind.BATCH_SIZE} sequences, learning rate "
        f"{ind.LEARNING_RATE}, beta2 {ind.BETA2}; one layer: {ONE_LAYER_STEPS} steps; "
        f"evaluation: {ind.EVAL_SIZE} sequences (seed {ind.EVAL_SEED})\n"
    )
    evaluation = ind.make_batch(ind.EVAL_SEED, ind.EVAL_SIZE)
    figures: dict[float, list[Figures]] = {}
    for scale in SCALES:
        began = time.perf_counter()
        figures[scale] = []
        for seed in range(args.seeds):
            found = measure(seed, scale, evaluation)
            figures[scale].append(found)
        print(f"## initial embeddings: standard deviation {scale} "
              f"({time.perf_counter() - began:.0f} s)")  # fmt: skip
        rows = [[seed, *(f"{f[c]:.3f}" for c in COLUMNS)] for seed, f in enumerate(figures[scale])]
        print_table(["seed", *COLUMNS], rows)
        print()

    print("## The chapter's checks: seeds that pass, of", args.seeds)
    rows, failed = [], False
    for section, statement, test in CHECKS:
        passed = [sum(test(f) for f in figures[scale]) for scale in SCALES]
        failed |= passed[0] < args.seeds
        rows.append([section, statement, *passed])
    print_table(["section", "check", *(f"std {s}" for s in SCALES)], rows)
    every = [sum(all(test(f) for *_, test in CHECKS) for f in figures[s]) for s in SCALES]
    print(
        "seeds passing every check:",
        ", ".join(f"std {s}: {k}" for s, k in zip(SCALES, every, strict=True)),
    )

    small, large = figures[SCALES[0]], figures[SCALES[1]]
    print(f"\n## Standard deviation {SCALES[0]} against {SCALES[1]}, seed by seed")
    for name in ("max w", "acc@100", "acc@400"):
        a, b = np.array([f[name] for f in small]), np.array([f[name] for f in large])
        print(f"{name:8s} std {SCALES[0]}: {a.min():.3f} to {a.max():.3f}   "
              f"std {SCALES[1]}: {b.min():.3f} to {b.max():.3f}")  # fmt: skip
    n = ind.SEQ_LEN
    print(f"max w of evenly spread attention: {np.mean(1 / np.arange(2, n + 1)):.3f}")
    scale_claims = all(
        s["max w"] < b["max w"] and s["acc@100"] > b["acc@100"] and s["acc@400"] > b["acc@400"]
        for s, b in zip(small, large, strict=True)
    )
    print("std 1 starts further from uniform and is behind at steps 100 and 400 on every seed:",
          scale_claims)  # fmt: skip
    if failed or not scale_claims:
        print("FAILED: a statement of the chapter does not hold on every seed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
