"""Wall time of one grid search over a ``WeightedKerasClassifier``: sequential,
joblib's loky backend with ``n_jobs=2``, and a Dask ``LocalCluster`` of two
worker processes, each with and without thread limits.

The search: ``GridSearchCV`` over a ``StandardScaler`` + ``WeightedKerasClassifier``
pipeline, ``class_weight`` in {None, "balanced", {0: 1, 1: 5}} x
``hidden_layer_sizes`` in {(32,), (64, 32)}, stratified 3-fold CV (18 fits and
the refit), balanced accuracy.  "limited" runs every process that trains with
one TensorFlow intra-op and one inter-op thread (``TF_NUM_INTRAOP_THREADS=1``,
``TF_NUM_INTEROP_THREADS=1``) and ``OMP_NUM_THREADS=1``; "default" leaves each
process to size its pools from the machine's cores, so two parallel workers on
a 2-core machine run 2 x 2 compute threads (oversubscription).

Thread pools are fixed when TensorFlow starts, so each configuration runs in a
fresh child process (``run_child``); the configurations run
interleaved (A B C D E F, A B C D E F, ...), and the table gives medians and
their ratio to the sequential run with default threads.  Timed is
``search.fit`` alone, with the parallel workers already started and warm (their
start-up is reported separately): on a real cluster the workers outlive a search.
Every configuration must give the same ``best_params_`` and ``cv_results_``
scores; the JSON says whether they did.

    python -m benchmarks.bench_search                 # full run, 3 rounds (about 8 minutes on 2 cores)
    python -m benchmarks.bench_search --quick         # smoke run (tiny search, one repeat)
    python -m benchmarks.bench_search --modes sequential,dask --threads limited

Writes ``search.json`` (default ``benchmarks/results/search.json``; a
``--quick`` run writes under the system's temporary folder unless ``--out`` is
given).  The device every child ran on (CPU model, or the GPU's name via the
Keras backend) is recorded.
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

from benchmarks import _harness as h

MODES = ("sequential", "loky", "dask")
THREADS = ("default", "limited")
LIMITS = h.thread_env(1)
# rows, features, epochs, cv folds, grid, timed repeats
FULL = dict(
    rows=2000,
    features=20,
    epochs=5,
    folds=3,
    repeats=3,
    grid={"class_weight": [None, "balanced", {0: 1, 1: 5}], "hidden_layer_sizes": [(32,), (64, 32)]},
)
QUICK = dict(
    rows=200,
    features=8,
    epochs=1,
    folds=2,
    repeats=1,
    grid={"class_weight": [None, "balanced"], "hidden_layer_sizes": [(8,)]},
)


# --------------------------------------------------------------------------- #
# child: one configuration, one timed search
# --------------------------------------------------------------------------- #
def _search(work):
    from sklearn.datasets import make_classification
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skweight import WeightedKerasClassifier

    X, y = make_classification(
        n_samples=work["rows"],
        n_features=work["features"],
        n_informative=work["features"] // 2,
        weights=[0.9],
        class_sep=0.8,
        random_state=0,
    )
    pipe = make_pipeline(StandardScaler(), WeightedKerasClassifier(epochs=work["epochs"], random_state=0))
    grid = {f"weightedkerasclassifier__{k}": [_tuple(v) for v in vs] for k, vs in work["grid"].items()}
    search = GridSearchCV(
        pipe,
        grid,
        cv=StratifiedKFold(work["folds"], shuffle=True, random_state=0),
        scoring="balanced_accuracy",
        error_score="raise",
    )
    return search, X.astype("float32"), y


def _tuple(v):
    return tuple(v) if isinstance(v, list) else v


def _warm_import():
    from skweight import WeightedKerasClassifier  # noqa: F401  (imports Keras and its backend)

    return os.getpid()


def _threads():
    """The thread settings this process started with, and its OS thread count
    (TensorFlow reads the variables when it starts; ``tf.config.threading``
    getters report 0 for "from the environment or the core count")."""
    facts = {k: os.environ.get(k) for k in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")}
    try:
        import psutil

        facts["os_threads"] = psutil.Process().num_threads()
    except ImportError:
        pass
    return facts


def child(mode, threads, quick):
    """Run in a fresh process (:func:`h.run_child`) whose environment already holds the thread
    settings; returns the facts of one timed ``search.fit``."""
    import joblib

    work = _work(quick)
    search, X, y = _search(work)
    worker_env = dict(LIMITS) if threads == "limited" else {}
    startup = 0.0
    cluster = client = None
    t0 = time.perf_counter()
    # parallel_config takes effect when it is created: make one per use
    if mode == "sequential":
        backend = lambda: joblib.parallel_config(backend="sequential")  # noqa: E731
        workers_device = None
    elif mode == "loky":
        backend = lambda: joblib.parallel_config(backend="loky", n_jobs=2)  # noqa: E731
        # start both loky workers and import Keras there, so they are warm
        with backend():
            joblib.Parallel()(joblib.delayed(_warm_import)() for _ in range(4))
        workers_device = None
    else:
        import dask
        import distributed

        # Dask sets OMP/MKL/OpenBLAS to 1 thread in its workers by default; for
        # the "default" configuration hand them the machine's defaults instead
        environ = {} if threads == "limited" else {k: None for k in LIMITS}
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
            cluster = h.local_cluster(2, env=worker_env)
        client = distributed.Client(cluster)
        client.run(_warm_import)
        workers_device = list(client.run(_worker_facts).values())
        backend = lambda: joblib.parallel_config(backend="dask")  # noqa: E731
    startup = time.perf_counter() - t0
    try:
        with backend():
            t0 = time.perf_counter()
            n_jobs = joblib.Parallel()._effective_n_jobs()
            search.fit(X, y)
            wall = time.perf_counter() - t0
        if mode == "loky":
            with backend():
                workers_device = joblib.Parallel()(joblib.delayed(_worker_facts)() for _ in range(4))
            workers_device = list({w["pid"]: w for w in workers_device}.values())
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    results = search.cv_results_
    return {
        "mode": mode,
        "threads": threads,
        "wall_s": wall,
        "startup_s": startup,
        "n_jobs": n_jobs,
        "loadavg_after": list(os.getloadavg()),
        "n_fits": len(results["params"]) * work["folds"] + 1,
        "best_params": {k: repr(v) for k, v in search.best_params_.items()},
        "mean_test_score": [float(s) for s in results["mean_test_score"]],
        "split_test_scores": [[float(s) for s in results[f"split{i}_test_score"]] for i in range(work["folds"])],
        "client": {"pid": os.getpid(), "threads": _threads(), **h.device_info()},
        "workers": workers_device,
    }


def _worker_facts():
    from skweight import WeightedKerasClassifier  # noqa: F401

    return {"pid": os.getpid(), "threads": _threads(), "device": h.device_info()["device"]}


# --------------------------------------------------------------------------- #
# parent: run the configurations interleaved, summarise
# --------------------------------------------------------------------------- #
def _work(quick):
    """The search of a run, without its number of repeats."""
    return {k: v for k, v in (QUICK if quick else FULL).items() if k != "repeats"}


def _run_child(mode, threads, quick):
    env = {k: None for k in LIMITS} if threads == "default" else LIMITS
    return h.run_child(child, env=env, mode=mode, threads=threads, quick=quick)


COLUMNS = [
    "mode",
    "threads",
    "median_s",
    "min_s",
    "max_s",
    "vs_baseline",
    "paired_ratio",
    "startup_s",
    "n_fits",
    "same_results",
]


def summarize(runs, configs):
    """Rows and table text from ``{(mode, threads): [child result, ...]}``.

    ``vs_baseline`` divides medians; ``paired_ratio`` is the median over rounds
    of each round's time over the baseline's time in that same round, which
    cancels load that drifts from round to round on a shared machine.
    """
    baseline = configs[0]
    base_walls = [x["wall_s"] for x in runs[baseline]]
    base = statistics.median(base_walls)
    reference = runs[baseline][0]
    rows = []
    for c in configs:
        walls = [x["wall_s"] for x in runs[c]]
        same = all(
            x["best_params"] == reference["best_params"] and x["split_test_scores"] == reference["split_test_scores"]
            for x in runs[c]
        )
        rows.append(
            {
                "mode": c[0],
                "threads": c[1],
                "median_s": statistics.median(walls),
                "min_s": min(walls),
                "max_s": max(walls),
                "vs_baseline": statistics.median(walls) / base,
                "paired_ratio": statistics.median(w / b for w, b in zip(walls, base_walls)),
                "startup_s": statistics.median(x["startup_s"] for x in runs[c]),
                "n_fits": runs[c][0]["n_fits"],
                "same_results": same,
            }
        )
    return rows, h.table(rows, COLUMNS, floatfmt="{:.2f}")


def _resummarize(path):
    """Recompute the summary of a finished run's JSON in place."""
    payload = json.loads(path.read_text())
    configs = [tuple(k.split("/")) for k in payload["runs"]]
    rows, text = summarize({tuple(k.split("/")): v for k, v in payload["runs"].items()}, configs)
    payload.update(summary=rows, table=text, all_results_identical=all(r["same_results"] for r in rows))
    h.write_json(path, payload)
    print(text)
    return 0


def _parser():
    p = h.parser(__doc__, quick="tiny search, one repeat (smoke run)", out=False, plot=False, machine=False)
    p.add_argument("--repeats", type=int, default=None, help="timed rounds (default 3; 1 with --quick)")
    p.add_argument("--modes", default=",".join(MODES), help=f"comma-separated subset of {MODES}")
    p.add_argument("--threads", default=",".join(THREADS), help=f"comma-separated subset of {THREADS}")
    p.add_argument("--out", type=pathlib.Path, default=None, help="JSON path (default benchmarks/results/search.json)")
    p.add_argument(
        "--resummarize",
        type=pathlib.Path,
        metavar="JSON",
        help="recompute the table of a finished run's JSON (after a change to the summary)",
    )
    return p


def _configs(p, args):
    """``[(mode, threads), ...]`` of ``--modes`` and ``--threads`` (an unknown one: a usage error)."""
    for option, given, known in (("--modes", args.modes, MODES), ("--threads", args.threads, THREADS)):
        for v in (v for v in given.split(",") if v):
            if v not in known:
                p.error(f"{option}: {v!r} is not one of {known}")
    return [(m, t) for m in args.modes.split(",") if m for t in args.threads.split(",") if t]


def search_times(configs, repeats, quick):
    """Every configuration in its own child, ``repeats`` rounds interleaved: ``{config: [facts, ...]}``."""
    res = h.interleaved(
        {f"{m}/{t}": (lambda m=m, t=t: _run_child(m, t, quick)) for m, t in configs},
        repeats,
        warmup=0,
        log=lambda line: print(line, flush=True),
        note=lambda r: f"search {r['wall_s']:7.2f} s  (workers up in {r['startup_s']:.1f} s)",
    )
    return {(m, t): res[f"{m}/{t}"]["all_facts"] for m, t in configs}


def payload(argv, env, work, repeats, configs, runs):
    """The JSON of a run (``env``: the record taken at its start); prints its table."""
    rows, text = summarize(runs, configs)
    print(f"\n{text}")
    baseline, reference = configs[0], runs[configs[0]][0]["client"]
    print(f"\nbaseline: {baseline[0]} with {baseline[1]} threads; device: {reference['device']}")
    env.update({k: reference[k] for k in ("device", "keras_backend", "accelerators")})
    return {
        "benchmark": "bench_search",
        "command": "python -m benchmarks.bench_search " + " ".join(argv if argv is not None else sys.argv[1:]),
        "environment": env,
        "workload": {
            **work,
            "grid": {k: [repr(_tuple(v)) for v in vs] for k, vs in work["grid"].items()},
            "repeats": repeats,
            "thread_limits": LIMITS,
        },
        "baseline": {"mode": baseline[0], "threads": baseline[1]},
        "summary": rows,
        "all_results_identical": all(r["same_results"] for r in rows),
        "runs": {f"{m}/{t}": v for (m, t), v in runs.items()},
        "table": text,
    }


def main(argv=None):
    p = _parser()
    args = p.parse_args(argv)
    if args.resummarize:
        return _resummarize(args.resummarize)
    configs = _configs(p, args)
    repeats = args.repeats or (QUICK if args.quick else FULL)["repeats"]
    env, started = h.environment(quick=args.quick), time.perf_counter()
    runs = search_times(configs, repeats, args.quick)
    result = {**payload(argv, env, _work(args.quick), repeats, configs, runs), "total_s": time.perf_counter() - started}
    default_out = pathlib.Path(tempfile.gettempdir()) / "skweight-bench" if args.quick else h.RESULTS
    h.save(args.out or default_out / "search.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
