"""Peak resident memory of one fit, skweight against plain Keras, and a check
that skweight makes no copy of ``X``.

Part 1 (peak RSS).  Each candidate fits the model of ``bench_overhead.py`` on the
200,000-row workload in a fresh subprocess; a thread polls the child's RSS
every 5 ms during ``fit``.  Reported per candidate (medians over repeats,
candidates interleaved): RSS before ``fit`` (data and imports), peak RSS during
``fit``, their difference (what the fit adds), and the child's lifetime peak
(``getrusage(RUSAGE_CHILDREN)``, read by the parent).

Part 2 (copies of ``X``).  ``keras.Model.fit`` is replaced by a stub that
records what it receives, so only skweight's own work runs; for float32,
float64, Fortran-ordered and pandas ``X`` it records whether the array handed
to Keras shares memory with the caller's ``X`` and tracemalloc's peak of
allocations during that work, as a fraction of ``X.nbytes``.

    python -m benchmarks.bench_memory_fit            # full run (about 5 minutes)
    python -m benchmarks.bench_memory_fit --quick    # smoke run

Writes ``memory_fit.json`` into ``--out`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import resource
import statistics

from benchmarks import _harness as h
from benchmarks import bench_overhead as bo

CANDIDATES = ("keras fit(sample_weight)", "skweight", "keras fit(class_weight)", "scikeras KerasClassifier")
BASELINE = CANDIDATES[0]


# --------------------------------------------------------------------------- #
# child: one fit, RSS polled
# --------------------------------------------------------------------------- #
def child(candidate, rows, epochs, dtype, threads):
    """In a fresh process (:func:`h.run_child`): RSS before one fit and its peak during it."""
    h.pin_threads(threads)
    import gc

    import numpy as np
    import psutil

    X, y = bo.make_data(rows, np.dtype(dtype))
    fitted = {}
    fn = bo.make_candidates(X, y, epochs, fitted)[candidate]
    gc.collect()
    before = psutil.Process().memory_info().rss
    with h.PeakRSS(interval=0.005) as peak:
        facts = fn()
    return {"rss_before_fit": before, "peak_rss_fit": peak.peak, "steps": facts.get("steps"), "x_nbytes": int(X.nbytes)}


def run_child(candidate, args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rec = h.run_child(
        child, candidate=candidate, rows=args.rows, epochs=args.epochs, dtype=args.dtype, threads=args.threads
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # RUSAGE_CHILDREN's ru_maxrss (KiB on Linux) is the largest child so far:
    # it identifies this child's lifetime peak only when it grew
    rec["lifetime_peak_rss"] = after * 1024 if after > before else None
    return rec


# --------------------------------------------------------------------------- #
# copies of X: skweight's own work, Keras's fit stubbed
# --------------------------------------------------------------------------- #
def copy_check(rows):
    import tracemalloc

    import keras
    import numpy as np
    import pandas as pd

    from skweight import WeightedKerasClassifier

    X32, y = bo.make_data(rows, np.float32)
    X64 = X32.astype(np.float64)
    inputs = {
        "float32 C-order": X32,
        "float64 C-order": X64,
        "float32 F-order": np.asfortranarray(X32),
        "pandas float32": pd.DataFrame(X32, columns=[f"f{i}" for i in range(X32.shape[1])]),
    }
    seen = {}
    original = keras.Model.fit

    def stub(self, x=None, y=None, **kw):
        seen.update(x=x, y=y, sw=kw.get("sample_weight"))

        class _H:
            history = {"loss": [0.0]}

        return _H()

    out = {}
    keras.Model.fit = stub
    try:
        for name, X in inputs.items():
            clf = WeightedKerasClassifier(model=bo._wrapper_model, class_weight="balanced", epochs=1, batch_size=32)
            clf.fit(X, y)  # warm: imports, first-call caches
            keras.backend.clear_session()
            caller = X.to_numpy() if hasattr(X, "to_numpy") else X
            tracemalloc.start()
            clf.fit(X, y)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            x = seen["x"]
            out[name] = {
                "x_nbytes": int(caller.nbytes),
                "passed_to_keras_shares_memory": bool(np.shares_memory(x, caller)),
                "passed_to_keras_dtype": str(x.dtype),
                "non_keras_peak_alloc_bytes": int(peak),
                "non_keras_peak_alloc_over_x": peak / caller.nbytes,
                "sample_weight_dtype": str(seen["sw"].dtype),
            }
    finally:
        keras.Model.fit = original
    return out


def peak_rss(args, candidates, repeats):
    """Every candidate's fit in a fresh child, ``repeats`` rounds interleaved; the runs and
    their medians against the baseline."""
    res = h.interleaved(
        {c: (lambda c=c: run_child(c, args)) for c in candidates},
        repeats,
        warmup=0,
        log=print,
        note=lambda rec: f"peak {rec['peak_rss_fit'] / 2**20:7.1f} MiB",
    )
    runs = {c: r["all_facts"] for c, r in res.items()}

    def med(c, key):
        vals = [r[key] for r in runs[c] if r[key] is not None]
        return statistics.median(vals) if vals else None

    x_nbytes = runs[candidates[0]][0]["x_nbytes"]
    summary = {}
    for c in candidates:
        s = {k: med(c, k) for k in ("rss_before_fit", "peak_rss_fit", "lifetime_peak_rss")}
        s["fit_increment"] = statistics.median(r["peak_rss_fit"] - r["rss_before_fit"] for r in runs[c])
        s["steps"] = runs[c][0]["steps"]
        summary[c] = s
    base = summary[BASELINE]
    for s in summary.values():
        s["peak_ratio"] = s["peak_rss_fit"] / base["peak_rss_fit"]
        s["increment_minus_baseline"] = s["fit_increment"] - base["fit_increment"]
        s["increment_minus_baseline_over_x"] = s["increment_minus_baseline"] / x_nbytes
    return runs, summary, x_nbytes


def report(args, repeats, summary, copies, x_nbytes):
    mib = 2**20
    rows = [
        {
            "candidate": c,
            "RSS before MiB": s["rss_before_fit"] / mib,
            "peak in fit MiB": s["peak_rss_fit"] / mib,
            "fit adds MiB": s["fit_increment"] / mib,
            "vs baseline MiB": s["increment_minus_baseline"] / mib,
            "peak ratio": f"{s['peak_ratio']:.3f}x",
        }
        for c, s in summary.items()
    ]
    print(
        f"\npeak RSS, {args.rows} rows x {args.epochs} epochs, X {args.dtype} = {x_nbytes / mib:.1f} MiB "
        f"(medians of {repeats}, fresh process each)"
    )
    print(h.table(rows, floatfmt="{:.1f}"))
    crow = [
        {
            "X": k,
            "shares memory with X": v["passed_to_keras_shares_memory"],
            "dtype to Keras": v["passed_to_keras_dtype"],
            "skweight peak alloc / X": f"{v['non_keras_peak_alloc_over_x']:.3f}",
        }
        for k, v in copies.items()
    ]
    print("\nwhat skweight hands to keras.Model.fit (Keras stubbed)")
    print(h.table(crow))


def _parser():
    p = h.parser(__doc__)
    p.add_argument("--rows", type=int, default=None)
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    args.rows = args.rows or (2_000 if args.quick else 200_000)
    args.epochs = args.epochs or (1 if args.quick else 3)
    repeats = args.repeats or (1 if args.quick else 3)
    env = h.start(args)
    runs, summary, x_nbytes = peak_rss(args, CANDIDATES[:2] if args.quick else CANDIDATES, repeats)
    copies = copy_check(args.rows)
    workload = dict(rows=args.rows, features=20, epochs=args.epochs, batch_size=32, x_dtype=args.dtype)
    result = {
        "benchmark": "memory_fit",
        "baseline": BASELINE,
        "environment": env,
        "workload": {**workload, "x_nbytes": x_nbytes, "repeats": repeats},
        "peak_rss": summary,
        "runs": runs,
        "x_copies": copies,
    }
    report(args, repeats, summary, copies, x_nbytes)
    h.save(args.out / "memory_fit.json", result)
    return result


if __name__ == "__main__":
    main()
