"""Memory and time over a long search: N consecutive ``fit`` + ``predict_proba``
cycles in one process, as ``GridSearchCV`` runs them (clone, fit, score,
drop), with no explicit garbage collection.

Candidates, each in its own fresh process (memory cannot be compared inside
one process, so they run one after the other, not interleaved):

* ``skweight``            -- ``WeightedKerasClassifier`` as shipped;
* ``skweight-no-collect`` -- the same without the budgeted collection of dead
  models (``skweight._backend.GC_TIME_SHARE = 0``), i.e. skweight 0.1;
* ``skweight-gc-every-fit`` -- the same with a full ``gc.collect()`` before
  every fit (``GC_TIME_SHARE = inf``), the costly alternative;
* ``skweight-no-release`` -- the same with ``skweight._backend.released_with``
  turned off, i.e. what a fit cost before the TensorFlow gradient-registry
  leak (tensorflow/tensorflow#80895) was handled;
* ``keras-loop``          -- the same network in plain Keras (build, compile,
  fit with sample weights, predict), for reference.

Prints a table (RSS at cycles 5/25/50/100, growth after the warm-up, median
time per fit over the first and last 10 cycles), and writes
``results/memory.json`` and ``results/memory.png``.

    python -m benchmarks.bench_memory            # 100 cycles (about 5-10 minutes on 2 cores)
    python -m benchmarks.bench_memory --quick    # 3 cycles: a smoke run
"""

import statistics
import sys
import time

from benchmarks import _harness as h

CANDIDATES = ("skweight", "skweight-no-collect", "skweight-gc-every-fit", "skweight-no-release", "keras-loop")
WARMUP = 5  # cycles before the baseline RSS
CHECKPOINTS = (5, 25, 50, 100)


# --------------------------------------------------------------------------- #
# child: one candidate, one process
# --------------------------------------------------------------------------- #
def _data():
    import numpy as np
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=1000, n_features=20, n_informative=8, weights=[0.9], class_sep=0.8, random_state=0
    )
    return X.astype(np.float32), y


def _cycle_factory(name):
    import numpy as np
    from sklearn.base import clone

    from skweight import WeightedKerasClassifier

    params = dict(class_weight="balanced", epochs=5, batch_size=32, hidden_layer_sizes=(32,), random_state=0)
    if name == "skweight-no-release":
        from contextlib import nullcontext

        h.set_internal("released_with", lambda model: nullcontext())
    if name in ("skweight-no-collect", "skweight-gc-every-fit"):
        h.set_internal("gc_time_share", 0.0 if name == "skweight-no-collect" else float("inf"))
    if name.startswith("skweight"):
        base = WeightedKerasClassifier(**params)

        def cycle(X, y):
            est = clone(base)
            t0, c0 = time.perf_counter(), time.process_time()
            est.fit(X, y)
            t1, c1 = time.perf_counter(), time.process_time()
            est.predict_proba(X)
            return t1 - t0, c1 - c0, time.perf_counter() - t1

        return cycle

    import keras

    from skweight import sample_weights

    def cycle(X, y):
        t0, c0 = time.perf_counter(), time.process_time()
        keras.utils.set_random_seed(0)
        inp = keras.Input(shape=(X.shape[1],))
        out = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Dense(32, activation="relu")(inp))
        model = keras.Model(inp, out)
        model.compile(loss="binary_crossentropy", optimizer="adam")
        model.fit(
            X, y.astype(np.float32), sample_weight=sample_weights(y, "balanced"), epochs=5, batch_size=32, verbose=0
        )
        t1, c1 = time.perf_counter(), time.process_time()
        model.predict(X, verbose=0)
        return t1 - t0, c1 - c0, time.perf_counter() - t1

    return cycle


def child(name, cycles):
    """In a fresh process (:func:`h.run_child`): ``cycles`` cycles of candidate ``name``."""
    import psutil

    gradient_registry = h.internal("gradient_registry")  # imports Keras and its backend
    X, y = _data()
    cycle = _cycle_factory(name)
    proc = psutil.Process()
    registry = gradient_registry()
    start = proc.memory_info().rss / 2**20
    rows = []
    for i in range(1, cycles + 1):
        fit_s, fit_cpu_s, proba_s = cycle(X, y)
        rows.append(
            {
                "cycle": i,
                "rss_mb": proc.memory_info().rss / 2**20,
                "fit_s": fit_s,
                "fit_cpu_s": fit_cpu_s,
                "predict_proba_s": proba_s,
                "gradient_registry": None if registry is None else len(registry),
            }
        )
    return {"start_rss_mb": start, "rows": rows}


# --------------------------------------------------------------------------- #
# parent: run the candidates, summarise, write results
# --------------------------------------------------------------------------- #
def _median(values):
    return statistics.median(values) if values else None


def summarise(rows, cycles):
    rss = {r["cycle"]: r["rss_mb"] for r in rows}
    n = max(rss)
    fit = [r["fit_s"] for r in rows]
    cpu = [r["fit_cpu_s"] for r in rows]
    base = rss.get(WARMUP, rss.get(min(rss)))
    last = rss[n]
    span = n - (WARMUP if WARMUP in rss else min(rss))
    half = n // 2
    n10 = min(10, len(fit))
    first, final = _median(fit[:n10]), _median(fit[-n10:])
    cpu_first, cpu_final = _median(cpu[:n10]), _median(cpu[-n10:])
    registry = [r["gradient_registry"] for r in rows if r["gradient_registry"] is not None]
    # dead models wait for Python's cyclic garbage collector, so RSS is a saw
    # tooth; its peaks over each half of the run show whether the envelope grows
    peaks = [max(v for c, v in rss.items() if lo < c <= hi) for lo, hi in ((0, half), (half, n))] if n >= 2 else None
    return {
        "cycles": cycles,
        "rss_mb_at": {str(c): rss[c] for c in CHECKPOINTS if c in rss},
        "rss_mb_first": rss[min(rss)],
        "rss_mb_last": last,
        "growth_after_warmup_mb": last - base,
        "growth_per_fit_mb": (last - base) / span if span > 0 else None,
        "growth_second_half_mb": last - rss[half] if half in rss and half < n else None,
        "peak_rss_mb_first_half": peaks[0] if peaks else None,
        "peak_rss_mb_second_half": peaks[1] if peaks else None,
        "median_fit_s_first10": first,
        "median_fit_s_last10": final,
        "fit_time_ratio_last_to_first": final / first if first else None,
        "median_fit_cpu_s_first10": cpu_first,
        "median_fit_cpu_s_last10": cpu_final,
        "fit_cpu_ratio_last_to_first": cpu_final / cpu_first if cpu_first else None,
        "gradient_registry_growth": (registry[-1] - registry[0]) if registry else None,
    }


def table(results):
    def half_peaks(s):
        if s["peak_rss_mb_first_half"] is None:
            return None
        return f"{s['peak_rss_mb_first_half']:.0f}/{s['peak_rss_mb_second_half']:.0f}"

    rows = [
        {
            "candidate": name,
            **{f"RSS@{c}": res["summary"]["rss_mb_at"].get(str(c)) for c in CHECKPOINTS},
            "growth": res["summary"]["growth_after_warmup_mb"],
            "2nd half": res["summary"]["growth_second_half_mb"],
            "peaks": half_peaks(res["summary"]),
            "MB/fit": res["summary"]["growth_per_fit_mb"],
            "wall 1-10": res["summary"]["median_fit_s_first10"],
            "wall last 10": res["summary"]["median_fit_s_last10"],
            "cpu 1-10": res["summary"]["median_fit_cpu_s_first10"],
            "cpu last 10": res["summary"]["median_fit_cpu_s_last10"],
            "cpu ratio": res["summary"]["fit_cpu_ratio_last_to_first"],
        }
        for name, res in results.items()
    ]
    formats = {**{f"RSS@{c}": "{:.0f}" for c in CHECKPOINTS}, "growth": "{:.1f}", "2nd half": "{:.1f}"}
    formats.update({"MB/fit": "{:.2f}", "cpu ratio": "{:.2f}"})
    legend = [
        f"RSS in MB after cycle n.  growth = RSS(last) - RSS({WARMUP});  2nd half = RSS(last) - RSS(last/2);",
        "peaks = highest RSS in the first / second half (dead models wait for the cyclic gc: RSS is a saw tooth).",
        "Time per fit: medians over the first and last 10 cycles, wall and process CPU seconds (CPU time is less",
        "sensitive to other load on the machine; the candidates run one after the other, not interleaved).",
    ]
    return "\n".join([h.table(rows, formats=formats), *legend])


def plot(results, path):
    plt = h.pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for name, res in results.items():
        c = [r["cycle"] for r in res["rows"]]
        ax1.plot(c, [r["rss_mb"] for r in res["rows"]], label=name)
        ax2.plot(c, [r["fit_cpu_s"] for r in res["rows"]], label=name, lw=0.8)
    ax1.set(xlabel="fit + predict_proba cycle", ylabel="resident memory (MB)", title="RSS after each cycle")
    ax2.set(xlabel="cycle", ylabel="fit() CPU seconds (all threads)", title="CPU time per fit")
    ax1.legend()
    ax2.legend()
    h.save_figure(fig, path)


def run(names, cycles):
    """Each candidate in its own fresh process, one after the other (memory is not comparable
    within one process, so not interleaved)."""
    results = {}
    for name in names:
        t0 = time.perf_counter()
        rec = h.run_child(child, name=name, cycles=cycles)
        rec["summary"] = summarise(rec["rows"], cycles)
        results[name] = {**rec, "wall_s": time.perf_counter() - t0}
        print(f"{name}: {cycles} cycles in {results[name]['wall_s']:.0f} s", file=sys.stderr)
    return results


def _parser():
    p = h.parser(__doc__, quick="3 cycles per candidate: a smoke run", machine=False)
    p.add_argument("--cycles", type=int, default=100)
    p.add_argument("--candidates", default=",".join(CANDIDATES), help="comma-separated, default all")
    return p


def main(argv=None):
    p = _parser()
    args = p.parse_args(argv)
    cycles = 3 if args.quick else args.cycles
    names = [n for n in args.candidates.split(",") if n]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        p.error(f"unknown candidates {unknown}; choose from {', '.join(CANDIDATES)}")
    env = h.environment(quick=args.quick)
    results = run(names, cycles)
    print(table(results))
    payload = {
        "benchmark": "bench_memory",
        "command": "python -m benchmarks.bench_memory" + (" --quick" if args.quick else f" --cycles {cycles}"),
        "workload": "clone + fit + predict_proba of WeightedKerasClassifier(class_weight='balanced', epochs=5, "
        "batch_size=32, hidden_layer_sizes=(32,)) on make_classification(1000 x 20, 10 % positives); "
        "no explicit gc",
        "warmup_cycles": WARMUP,
        "environment": env,
        "results": results,
    }
    h.save(args.out / "memory.json", payload)
    h.figures(args, lambda path: plot(results, path), "memory.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
