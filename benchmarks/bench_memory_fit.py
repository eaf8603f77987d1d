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

    python benchmarks/bench_memory_fit.py            # full run (about 5 minutes)
    python benchmarks/bench_memory_fit.py --quick    # smoke run

Writes ``memory_fit.json`` into ``--out`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import json
import os
import pathlib
import resource
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import _common  # noqa: E402

CANDIDATES = ("keras fit(sample_weight)", "skweight", "keras fit(class_weight)", "scikeras KerasClassifier")
BASELINE = CANDIDATES[0]


# --------------------------------------------------------------------------- #
# child: one fit, RSS polled
# --------------------------------------------------------------------------- #
class _Poller(threading.Thread):
    def __init__(self, interval=0.005):
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = self.proc.memory_info().rss
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(self.interval)


def child(candidate, rows, epochs, dtype, threads):
    _common.pin_threads(threads)
    import bench_overhead as bo
    import numpy as np
    import psutil

    X, y = bo.make_data(rows, np.dtype(dtype))
    fitted = {}
    fn = bo.make_candidates(X, y, epochs, fitted)[candidate]
    import gc

    gc.collect()
    before = psutil.Process().memory_info().rss
    poller = _Poller()
    poller.start()
    facts = fn()
    poller.stop.set()
    poller.join()
    print(
        json.dumps(
            {
                "rss_before_fit": before,
                "peak_rss_fit": max(poller.peak, psutil.Process().memory_info().rss),
                "steps": facts.get("steps"),
                "x_nbytes": int(X.nbytes),
            }
        )
    )


def run_child(candidate, args):
    cmd = [
        sys.executable,
        __file__,
        "--child",
        candidate,
        "--rows",
        str(args.rows),
        "--epochs",
        str(args.epochs),
        "--dtype",
        args.dtype,
        "--threads",
        str(args.threads),
    ]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if out.returncode != 0:
        raise RuntimeError(f"{candidate} child failed:\n{out.stderr[-3000:]}")
    rec = json.loads(out.stdout.strip().splitlines()[-1])
    # RUSAGE_CHILDREN's ru_maxrss (KiB on Linux) is the largest child so far:
    # it identifies this child's lifetime peak only when it grew
    rec["lifetime_peak_rss"] = after * 1024 if after > before else None
    return rec


# --------------------------------------------------------------------------- #
# copies of X: skweight's own work, Keras's fit stubbed
# --------------------------------------------------------------------------- #
def copy_check(rows):
    import tracemalloc

    import bench_overhead as bo
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


def main(argv=None):
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--child", default=None, help=argparse_hidden())
    p.add_argument("--rows", type=int, default=None)
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    args = p.parse_args(argv)
    if args.child:
        return child(args.child, args.rows, args.epochs, args.dtype, args.threads)
    args.rows = args.rows or (2_000 if args.quick else 200_000)
    args.epochs = args.epochs or (1 if args.quick else 3)
    repeats = args.repeats or (1 if args.quick else 3)
    candidates = CANDIDATES[:2] if args.quick else CANDIDATES
    if args.wait:
        _common.wait_for_quiet(args.wait)
    _common.pin_threads(args.threads)
    env = _common.environment(quick=args.quick)

    runs = {c: [] for c in candidates}
    for r in range(repeats):
        for c in candidates:
            runs[c].append(run_child(c, args))
            print(f"  round {r + 1}/{repeats} {c:<26} peak {runs[c][-1]['peak_rss_fit'] / 2**20:7.1f} MiB")

    import statistics

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

    copies = copy_check(args.rows)
    result = {
        "benchmark": "memory_fit",
        "baseline": BASELINE,
        "environment": env,
        "workload": {
            "rows": args.rows,
            "features": 20,
            "epochs": args.epochs,
            "batch_size": 32,
            "x_dtype": args.dtype,
            "x_nbytes": x_nbytes,
            "repeats": repeats,
        },
        "peak_rss": summary,
        "runs": runs,
        "x_copies": copies,
    }
    result["environment"]["loadavg_end"] = list(os.getloadavg())

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
    print(_common.table(rows, list(rows[0]), floatfmt="{:.1f}"))
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
    print(_common.table(crow, list(crow[0])))
    path = _common.write_json(args.out / "memory_fit.json", result)
    print(f"\nwrote {path}")
    return result


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
