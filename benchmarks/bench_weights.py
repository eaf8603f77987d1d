"""Benchmark the weight engine: ``skweight.sample_weights`` against
scikit-learn's ``compute_sample_weight`` and against the bare NumPy floor
(``np.bincount`` + gather) on 1M and 10M labels.

Every target kind is timed side by side: in each repetition the candidates run
one after another in a rotating order (interleaved), and the table reports the
median of the repetitions and two ratios::

    speed-up vs sklearn = median(sklearn) / median(skweight)   (higher is better)
    x bare              = median(skweight) / median(bare)      (1.0 is the floor)

Before timing, each candidate's weights are checked against skweight's, so the
three compute the same thing.  For a one-hot target scikit-learn is given the
integer labels (``argmax``): on the one-hot matrix itself it would weigh each
column as a separate output, which is another answer.  scikit-learn has no
multi-label weighting, so that row has no sklearn column.

Usage::

    python -m benchmarks.bench_weights            # 1M and 10M labels, 5 repetitions
    python -m benchmarks.bench_weights --quick    # a smoke run on tiny inputs
    python -m benchmarks.bench_weights --sizes 1000000 --repeats 9 --out /tmp/w.json

Results are printed as a table and written as JSON (default
``benchmarks/results/weights.json``; a ``--quick`` run writes to the git-ignored
``benchmarks/results/tmp/`` so it never replaces the real figures).
"""

import pathlib
import sys

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight

from benchmarks import _harness as h
from skweight import sample_weights

N_CLASSES = 10
# An imbalanced class distribution: 50 % down to 0.4 %.
IMBALANCED = np.array([50, 20, 10, 8, 5, 3, 2, 1, 0.6, 0.4]) / 100.0
DEFAULT_OUT = h.RESULTS / "weights.json"
QUICK_OUT = h.RESULTS / "tmp" / "weights_quick.json"  # git-ignored


# --------------------------------------------------------------------------- #
# bare NumPy floors: the least work that gives the same weights
# --------------------------------------------------------------------------- #
def bare_int(y):
    counts = np.bincount(y)
    present = counts > 0
    table = np.ones(len(counts))
    table[present] = len(y) / (np.count_nonzero(present) * counts[present])
    return np.take(table, y)


def bare_str(y):
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    return np.take(len(y) / (len(classes) * counts.astype(np.float64)), codes)


def bare_onehot(y):
    return bare_int(np.argmax(y, axis=1))


def bare_multilabel(y):
    n = len(y)
    pos = np.count_nonzero(y, axis=0)
    neg = n - pos
    w_pos = np.where(pos > 0, n / (2.0 * np.maximum(pos, 1)), 1.0)
    w_neg = np.where(neg > 0, n / (2.0 * np.maximum(neg, 1)), 1.0)
    return np.where(y.astype(bool, copy=False), w_pos, w_neg)


# --------------------------------------------------------------------------- #
# cases
# --------------------------------------------------------------------------- #
def make_cases(n, rng):
    """``{case: (description, y, {candidate: callable})}`` for ``n`` labels."""
    uniform = rng.integers(0, N_CLASSES, n)
    skewed = rng.choice(N_CLASSES, n, p=IMBALANCED)
    words = np.array([f"class_{i}" for i in range(N_CLASSES)])[skewed]
    onehot = np.eye(N_CLASSES, dtype=np.float32)[skewed]
    multilabel = (rng.random((n, N_CLASSES)) < IMBALANCED * 3).astype(np.uint8)
    return {
        "int": (
            f"int64, {N_CLASSES} classes, uniform",
            {
                "skweight": lambda: sample_weights(uniform),
                "sklearn": lambda: compute_sample_weight("balanced", uniform),
                "bare": lambda: bare_int(uniform),
            },
        ),
        "int-imbalanced": (
            f"int64, {N_CLASSES} classes, 50 % .. 0.4 %",
            {
                "skweight": lambda: sample_weights(skewed),
                "sklearn": lambda: compute_sample_weight("balanced", skewed),
                "bare": lambda: bare_int(skewed),
            },
        ),
        "string": (
            f"<U7 strings, {N_CLASSES} classes, 50 % .. 0.4 %",
            {
                "skweight": lambda: sample_weights(words),
                "sklearn": lambda: compute_sample_weight("balanced", words),
                "bare": lambda: bare_str(words),
            },
        ),
        "one-hot": (
            f"float32 (n, {N_CLASSES}); sklearn on argmax labels",
            {
                "skweight": lambda: sample_weights(onehot),
                "sklearn": lambda: compute_sample_weight("balanced", np.argmax(onehot, axis=1)),
                "bare": lambda: bare_onehot(onehot),
            },
        ),
        "multi-label": (
            f"uint8 (n, {N_CLASSES}) indicator; no sklearn equivalent",
            {
                "skweight": lambda: sample_weights(multilabel),
                "bare": lambda: bare_multilabel(multilabel),
            },
        ),
    }


def check_same(candidates):
    reference = candidates["skweight"]()
    for name, fn in candidates.items():
        got = fn()
        if got.shape != reference.shape or not np.allclose(got, reference, rtol=1e-12, atol=0):
            raise AssertionError(f"{name} gives other weights than skweight")


def run(sizes, repeats, seed=0, log=print):
    rng = np.random.default_rng(seed)
    rows = []
    for n in sizes:
        for case, (description, candidates) in make_cases(n, rng).items():
            check_same(candidates)
            res = h.interleaved(candidates, repeats, warmup=0, rotate=True, collect=False)
            over_skweight = h.ratios(res, "skweight")
            row = {
                "case": case,
                "description": description,
                "n": int(n),
                "repeats": repeats,
                "median_s": {name: r["median"] for name, r in res.items()},
                "times_s": {name: r["times"] for name, r in res.items()},
                "speedup_vs_sklearn": over_skweight["sklearn"] if "sklearn" in res else None,
                "ratio_to_bare": h.ratios(res, "bare")["skweight"],
            }
            rows.append(row)
            log(f"  {case} ({n:,} labels): skweight {1e3 * row['median_s']['skweight']:.1f} ms")
    return rows


def table(rows):
    """The Markdown table of :func:`run`'s rows: medians in ms and the two ratios."""

    def ms(row, name):
        return 1e3 * row["median_s"][name] if name in row["median_s"] else "n/a"

    return h.table(
        [
            {
                "case": r["case"],
                "n": f"{r['n']:,}",
                "skweight ms": ms(r, "skweight"),
                "sklearn ms": ms(r, "sklearn"),
                "bare ms": ms(r, "bare"),
                "speed-up vs sklearn": f"{r['speedup_vs_sklearn']:.1f}x" if r["speedup_vs_sklearn"] else "n/a",
                "x bare": f"{r['ratio_to_bare']:.2f}x",
            }
            for r in rows
        ],
        floatfmt="{:.1f}",
    )


def _parser():
    p = h.parser(
        __doc__, quick="smoke run: 2,000 and 20,000 labels, 3 repetitions", out=False, plot=False, machine=False
    )
    p.add_argument("--sizes", type=int, nargs="+", help="numbers of labels (default 1000000 10000000)")
    p.add_argument("--repeats", type=int, help="interleaved repetitions per case (default 5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=pathlib.Path, help=f"JSON output (default {DEFAULT_OUT}; with --quick, {QUICK_OUT})")
    return p


def main(argv=None):
    p = _parser()
    args = p.parse_args(argv)
    sizes = args.sizes or ([2_000, 20_000] if args.quick else [1_000_000, 10_000_000])
    repeats = args.repeats or (3 if args.quick else 5)
    if repeats < 1 or any(n < 2 for n in sizes):
        p.error("--repeats must be >= 1 and every size >= 2")
    env = h.environment(quick=args.quick)
    v = env["versions"]
    print(
        f"skweight {v['skweight']} | numpy {v['numpy']} | scikit-learn {v['sklearn']} | python {env['python']} | "
        f"{env['cpu_count']} CPUs | medians of {repeats} interleaved runs"
    )
    rows = run(sizes, repeats, args.seed, log=lambda line: print(line, file=sys.stderr, flush=True))
    print(table(rows))
    result = {
        "benchmark": "skweight.sample_weights vs sklearn compute_sample_weight vs np.bincount + gather",
        "created": env["date"],
        "quick": bool(args.quick),
        "environment": env,
        "results": rows,
    }
    h.save(args.out or (QUICK_OUT if args.quick else DEFAULT_OUT), result)
    return result


if __name__ == "__main__":
    main()
