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
fresh child process (this script with ``--child``); the configurations run
interleaved (A B C D E F, A B C D E F, ...), and the table gives medians and
their ratio to the sequential run with default threads.  Timed is
``search.fit`` alone, with the parallel workers already started and warm (their
start-up is reported separately): on a real cluster the workers outlive a search.
Every configuration must give the same ``best_params_`` and ``cv_results_``
scores; the JSON says whether they did.

    python benchmarks/bench_search.py                 # full run, 3 rounds (about 8 minutes on 2 cores)
    python benchmarks/bench_search.py --quick         # smoke run (tiny search, one repeat)
    python benchmarks/bench_search.py --modes sequential,dask --threads limited

Writes ``search.json`` (default ``benchmarks/results/search.json``; a
``--quick`` run writes under the system's temporary folder unless ``--out`` is
given).  The device every child ran on (CPU model, or the GPU's name via the
Keras backend) is recorded.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import _cpu_model  # noqa: E402  (shared with the other benchmarks)

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
MODES = ("sequential", "loky", "dask")
THREADS = ("default", "limited")
LIMITS = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
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
    import skweight.classifier  # noqa: F401  (imports Keras and its backend)

    return os.getpid()


def device_info():
    """The accelerator the Keras backend trains on, or the CPU model."""
    import keras

    backend = keras.backend.backend()
    info = {"keras_backend": backend, "cpu_model": _cpu_model(), "accelerators": []}
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            for gpu in tf.config.list_physical_devices("GPU"):
                details = tf.config.experimental.get_device_details(gpu)
                info["accelerators"].append(details.get("device_name", gpu.name))
        elif backend == "jax":
            import jax

            info["accelerators"] = [d.device_kind for d in jax.devices() if d.platform != "cpu"]
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                info["accelerators"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception as exc:  # a broken driver must not lose the timings
        info["accelerator_error"] = repr(exc)
    info["device"] = info["accelerators"][0] if info["accelerators"] else "CPU: " + info["cpu_model"]
    return info


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


def child(mode, threads, work):
    """Run in a fresh process whose environment already holds the thread
    settings; returns the facts of one timed ``search.fit``."""
    import joblib

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
        import logging

        import dask
        import distributed

        # Dask sets OMP/MKL/OpenBLAS to 1 thread in its workers by default; for
        # the "default" configuration hand them the machine's defaults instead
        environ = {} if threads == "limited" else {k: None for k in LIMITS}
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
            cluster = distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
                env={**worker_env, "PYTHONPATH": os.environ.get("PYTHONPATH", "")},
            )
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
        "client": {"pid": os.getpid(), "threads": _threads(), **device_info()},
        "workers": workers_device,
    }


def _worker_facts():
    import skweight.classifier  # noqa: F401

    return {"pid": os.getpid(), "threads": _threads(), "device": device_info()["device"]}


# --------------------------------------------------------------------------- #
# parent: run the configurations interleaved, summarise
# --------------------------------------------------------------------------- #
def _versions():
    from importlib import metadata

    out = {}
    for dist in (
        "numpy",
        "scikit-learn",
        "scikeras",
        "keras",
        "tensorflow",
        "tensorflow-cpu",
        "jax",
        "torch",
        "dask",
        "distributed",
        "joblib",
    ):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _run_child(mode, threads, work):
    env = {k: v for k, v in os.environ.items() if k not in LIMITS}
    if threads == "limited":
        env.update(LIMITS)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, threads, repr(work)],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{mode}/{threads} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(rows, columns):
    def cell(v):
        return f"{v:.2f}" if isinstance(v, float) else str(v)

    body = [[cell(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(b[i]) for b in body)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)), "  ".join("-" * w for w in widths)]
    return "\n".join(lines + ["  ".join(v.ljust(w) for v, w in zip(b, widths)) for b in body])


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
    return rows, table(rows, COLUMNS)


def _resummarize(path):
    """Recompute the summary of a finished run's JSON in place."""
    payload = json.loads(path.read_text())
    configs = [tuple(k.split("/")) for k in payload["runs"]]
    rows, text = summarize({tuple(k.split("/")): v for k, v in payload["runs"].items()}, configs)
    payload.update(summary=rows, table=text, all_results_identical=all(r["same_results"] for r in rows))
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n")
    print(text)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny search, one repeat (smoke run)")
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
    p.add_argument("--child", nargs=3, metavar=("MODE", "THREADS", "WORK"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], ast.literal_eval(args.child[2]))))
        return 0
    if args.resummarize:
        return _resummarize(args.resummarize)

    work = dict(QUICK if args.quick else FULL)
    repeats = args.repeats or work.pop("repeats")
    work.pop("repeats", None)
    modes = [m for m in args.modes.split(",") if m]
    threads = [t for t in args.threads.split(",") if t]
    for m in modes:
        if m not in MODES:
            p.error(f"--modes: {m!r} is not one of {MODES}")
    for t in threads:
        if t not in THREADS:
            p.error(f"--threads: {t!r} is not one of {THREADS}")
    out = args.out or (
        pathlib.Path(tempfile.gettempdir()) / "skweight-bench" / "search.json"
        if args.quick
        else RESULTS / "search.json"
    )
    configs = [(m, t) for m in modes for t in threads]
    runs = {c: [] for c in configs}
    load_start = list(os.getloadavg())
    started = time.perf_counter()
    for r in range(repeats):
        for c in configs:
            res = _run_child(*c, work)
            runs[c].append(res)
            print(
                f"round {r + 1}/{repeats}  {c[0]:<10} {c[1]:<8} search {res['wall_s']:7.2f} s  "
                f"(workers up in {res['startup_s']:.1f} s)",
                flush=True,
            )

    rows, text = summarize(runs, configs)
    print()
    print(text)
    baseline, reference = configs[0], runs[configs[0]][0]
    print(f"\nbaseline: {baseline[0]} with {baseline[1]} threads; device: {reference['client']['device']}")
    payload = {
        "benchmark": "bench_search",
        "command": "python benchmarks/bench_search.py" + (" " + " ".join(argv if argv is not None else sys.argv[1:])),
        "environment": {
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_model": _cpu_model(),
            "cpu_count": os.cpu_count(),
            "loadavg_start": load_start,
            "loadavg_end": list(os.getloadavg()),
            "versions": _versions(),
            "device": reference["client"]["device"],
            "keras_backend": reference["client"]["keras_backend"],
            "accelerators": reference["client"]["accelerators"],
        },
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
        "total_s": time.perf_counter() - started,
        "table": text,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
