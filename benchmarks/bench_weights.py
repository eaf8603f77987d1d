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

    python benchmarks/bench_weights.py            # 1M and 10M labels, 5 repetitions
    python benchmarks/bench_weights.py --quick    # a smoke run on tiny inputs
    python benchmarks/bench_weights.py --sizes 1000000 --repeats 9 --out /tmp/w.json

Results are printed as a table and written as JSON (default
``benchmarks/results/weights.json``; a ``--quick`` run writes to the git-ignored
``benchmarks/results/tmp/`` so it never replaces the real figures).
"""

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sklearn  # noqa: E402
from sklearn.utils.class_weight import compute_sample_weight  # noqa: E402

import skweight  # noqa: E402
from skweight import sample_weights  # noqa: E402

N_CLASSES = 10
# An imbalanced class distribution: 50 % down to 0.4 %.
IMBALANCED = np.array([50, 20, 10, 8, 5, 3, 2, 1, 0.6, 0.4]) / 100.0
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "weights.json"
QUICK_OUT = Path(__file__).resolve().parent / "results" / "tmp" / "weights_quick.json"  # git-ignored


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


def time_interleaved(candidates, repeats):
    names = list(candidates)
    times = {name: [] for name in names}
    for rep in range(repeats):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            start = time.perf_counter()
            candidates[name]()
            times[name].append(time.perf_counter() - start)
    return times


def run(sizes, repeats, seed=0, out=sys.stdout):
    rng = np.random.default_rng(seed)
    rows = []
    for n in sizes:
        for case, (description, candidates) in make_cases(n, rng).items():
            check_same(candidates)
            times = time_interleaved(candidates, repeats)
            medians = {name: float(np.median(t)) for name, t in times.items()}
            row = {
                "case": case,
                "description": description,
                "n": int(n),
                "repeats": repeats,
                "median_s": medians,
                "times_s": {name: [float(x) for x in t] for name, t in times.items()},
                "speedup_vs_sklearn": medians["sklearn"] / medians["skweight"] if "sklearn" in medians else None,
                "ratio_to_bare": medians["skweight"] / medians["bare"],
            }
            rows.append(row)
            print_row(row, out)
    return rows


def _ms(seconds):
    return f"{seconds * 1e3:10.1f}"


def print_header(out):
    print(
        f"{'case':<16}{'n':>11}{'skweight ms':>13}{'sklearn ms':>12}{'bare ms':>10}"
        f"{'speed-up vs sklearn':>21}{'x bare':>8}",
        file=out,
    )
    print("-" * 91, file=out)


def print_row(row, out):
    m = row["median_s"]
    sk = _ms(m["sklearn"]) if "sklearn" in m else f"{'n/a':>10}"
    speedup = f"{row['speedup_vs_sklearn']:.1f}x" if row["speedup_vs_sklearn"] else "n/a"
    print(
        f"{row['case']:<16}{row['n']:>11,}{_ms(m['skweight']):>13}{sk:>12}{_ms(m['bare']):>10}"
        f"{speedup:>21}{row['ratio_to_bare']:>7.2f}x",
        file=out,
        flush=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 and 20,000 labels, 3 repetitions")
    parser.add_argument("--sizes", type=int, nargs="+", help="numbers of labels (default 1000000 10000000)")
    parser.add_argument("--repeats", type=int, help="interleaved repetitions per case (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help=f"JSON output (default {DEFAULT_OUT}; with --quick, {QUICK_OUT})")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([2_000, 20_000] if args.quick else [1_000_000, 10_000_000])
    repeats = args.repeats or (3 if args.quick else 5)
    if repeats < 1 or any(n < 2 for n in sizes):
        parser.error("--repeats must be >= 1 and every size >= 2")

    print(
        f"skweight {skweight.__version__} | numpy {np.__version__} | scikit-learn {sklearn.__version__} | "
        f"python {platform.python_version()} | {os.cpu_count()} CPUs | medians of {repeats} interleaved runs",
        file=sys.stdout,
    )
    print_header(sys.stdout)
    rows = run(sizes, repeats, args.seed)
    result = {
        "benchmark": "skweight.sample_weights vs sklearn compute_sample_weight vs np.bincount + gather",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": bool(args.quick),
        "environment": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "skweight": skweight.__version__,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
        },
        "results": rows,
    }
    out = args.out or (QUICK_OUT if args.quick else DEFAULT_OUT)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten: {out}")
    return result


if __name__ == "__main__":
    main()
