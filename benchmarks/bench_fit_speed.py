"""Fit speed of skweight's training loop against MLPClassifier and Keras's Model.fit.

Prototype for issue 18 (self-contained; it moves onto the rebuilt benchmark
harness later).  On tables of 300, 2,000, 20,000 and 200,000 rows x 20 features
(binary, 80/20, "balanced" sample weights, 10 % stratified validation rows) every
candidate trains the same network: 100 ReLU units (L2 1e-4 on the kernel), a
sigmoid output, Adam at 1e-3, batches of ``min(200, rows)``, inputs standardised
(scikit-learn's scaler, or a Keras ``Normalization`` layer with the training
rows' mean and variance).

* **per epoch**: the marginal cost of one more epoch, from fits of E1 and E2
  epochs (``(median(E2) - median(E1)) / (E2 - E1)``), and the fixed cost
  ``median(E1) - E1 * marginal``: ``MLPClassifier`` (its epochs have no
  validation pass), Keras ``Model.fit(sample_weight=w)`` without and with
  ``validation_data``, and ``skweight._loop.train`` without and with it;
* **whole fit**: ``MLPClassifier()`` and ``make_pipeline(StandardScaler(),
  MLPClassifier())`` with their defaults, and the two Keras loops with
  ``EarlyStopping(patience=10, min_delta=1e-4, restore_best_weights=True)`` on
  the weighted validation loss, up to 200 epochs (skweight's defaults); on the
  largest table a fixed 3 epochs instead (the "no slower than plain Keras"
  check);
* **fixed cost of the loop**: building and compiling the model, setting up the
  traced epoch (``train(epochs=0)``: variables built, one trace) and the first
  epoch's call (graph optimisation) minus one marginal epoch.

Candidates run interleaved (A B C D A B C D ...); the tables give medians and
ratios to ``MLPClassifier``.  The load average is recorded before and after.

    python benchmarks/bench_fit_speed.py                    # all sizes (about 30 minutes on 2 busy cores)
    python benchmarks/bench_fit_speed.py --sizes 2000 --repeats 5
    python benchmarks/bench_fit_speed.py --quick            # smoke run (a minute)
    KERAS_BACKEND=jax python benchmarks/bench_fit_speed.py --sizes 2000

Writes ``fit_speed_<backend>.json`` into ``--out`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import time
import warnings

SIZES = (300, 2_000, 20_000, 200_000)
# rows -> (E1, E2) for the marginal cost, timed repeats
EPOCHS = {300: (5, 85), 2_000: (5, 45), 20_000: (2, 10), 200_000: (1, 3)}
REPEATS = {300: 5, 2_000: 5, 20_000: 3, 200_000: 3}
QUICK = {"sizes": (300, 2_000), "epochs": {300: (2, 12), 2_000: (2, 8)}, "repeats": 2}
WHOLE_FIT_MAX_ROWS = 20_000  # above it: a fixed number of epochs
FIXED_EPOCHS_LARGE = 3
N_FEATURES, HIDDEN, MAX_BATCH, ALPHA, PATIENCE, EPOCH_CAP = 20, 100, 200, 1e-4, 10, 200


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=None, help=f"row counts (default {SIZES})")
    p.add_argument("--repeats", type=int, default=None, help="timed repeats per size (default: by size)")
    p.add_argument("--threads", type=int, default=1, help="math-library threads of every candidate (default 1)")
    p.add_argument("--quick", action="store_true", help="small sizes, few epochs and repeats")
    p.add_argument("--no-whole", action="store_true", help="skip the whole-fit table")
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent / "results")
    return p.parse_args(argv)


def pin_threads(n):
    """The same thread settings for every candidate; before any math library starts."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ[var] = str(n)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
    from skweight._backend import keras  # noqa: F401  (a quiet TensorFlow import)

    if backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    elif backend == "torch":
        import torch

        torch.set_num_threads(n)


# --------------------------------------------------------------------------- #
# data and candidates
# --------------------------------------------------------------------------- #
def make_table(n):
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    X, y = make_classification(
        n_samples=n, n_features=N_FEATURES, n_informative=10, weights=[0.8], class_sep=0.8, random_state=0
    )
    X = (X * 3.0 + 5.0).astype(np.float32)  # raw features: not standardised
    Xt, Xv, yt, yv = train_test_split(X, y, test_size=0.1, stratify=y, random_state=0)
    counts = np.bincount(yt)
    balanced = len(yt) / (2 * counts)
    return {"X": Xt, "y": yt, "w": balanced[yt].astype(np.float32), "val": (Xv, yv, balanced[yv].astype(np.float32))}


def build_keras(data, seed=0):
    from skweight._backend import keras, seeded

    with seeded(seed):
        X = data["X"]
        inputs = keras.Input((X.shape[1],))
        hidden = keras.layers.Normalization(mean=X.mean(axis=0), variance=X.var(axis=0))(inputs)
        hidden = keras.layers.Dense(HIDDEN, activation="relu", kernel_regularizer=keras.regularizers.L2(ALPHA))(hidden)
        model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    return model


def batch_size(data):
    return min(MAX_BATCH, len(data["X"]))


def early_stopping():
    from skweight._backend import keras

    return keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=PATIENCE, min_delta=1e-4, restore_best_weights=True
    )


def mlp(epochs=None, scaled=False):
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if epochs is None:  # the defaults
        clf = MLPClassifier(random_state=0)
    else:  # exactly `epochs` epochs
        clf = MLPClassifier(random_state=0, max_iter=epochs, n_iter_no_change=10**9, tol=0.0)
    return make_pipeline(StandardScaler(), clf) if scaled else clf


def fit_mlp(data, epochs=None, scaled=False):
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = mlp(epochs, scaled).fit(data["X"], data["y"])
    est = model[-1] if scaled else model
    return est.n_iter_


def fit_keras(data, epochs, val=False, stop=False):
    model = build_keras(data)
    history = model.fit(
        data["X"], data["y"], sample_weight=data["w"], batch_size=batch_size(data), epochs=epochs, verbose=0,
        validation_data=data["val"] if val else None, callbacks=[early_stopping()] if stop else None,
    )  # fmt: skip
    return len(history.history["loss"])


def fit_loop(data, epochs, val=False, stop=False):
    from skweight._loop import train

    model = build_keras(data)
    history = train(
        model, data["X"], data["y"], data["w"], batch_size=batch_size(data), epochs=epochs, seed=0,
        validation_data=data["val"] if val else None, callbacks=[early_stopping()] if stop else None,
    )  # fmt: skip
    assert history.training_loop == "fast" or os.environ.get("KERAS_BACKEND") == "jax", history.fallback_reason
    return len(history.history["loss"])


PER_EPOCH = {
    "MLPClassifier": lambda d, e: fit_mlp(d, e),
    "StandardScaler + MLPClassifier": lambda d, e: fit_mlp(d, e, scaled=True),
    "keras fit": lambda d, e: fit_keras(d, e),
    "keras fit + val": lambda d, e: fit_keras(d, e, val=True),
    "loop": lambda d, e: fit_loop(d, e),
    "loop + val": lambda d, e: fit_loop(d, e, val=True),
}
WHOLE = {
    "MLPClassifier()": lambda d: fit_mlp(d),
    "StandardScaler + MLPClassifier()": lambda d: fit_mlp(d, scaled=True),
    "keras fit + early stopping": lambda d: fit_keras(d, EPOCH_CAP, val=True, stop=True),
    "loop + early stopping": lambda d: fit_loop(d, EPOCH_CAP, val=True, stop=True),
}
WHOLE_LARGE = {
    "MLPClassifier": lambda d: fit_mlp(d, FIXED_EPOCHS_LARGE),
    "keras fit": lambda d: fit_keras(d, FIXED_EPOCHS_LARGE, val=True),
    "loop": lambda d: fit_loop(d, FIXED_EPOCHS_LARGE, val=True),
}


def timed(fn, *args):
    import gc

    gc.collect()
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


# --------------------------------------------------------------------------- #
# measurements
# --------------------------------------------------------------------------- #
def per_epoch(data, e1, e2, repeats, log):
    times = {name: {e1: [], e2: []} for name in PER_EPOCH}
    for fn in PER_EPOCH.values():  # warm-up: imports, first traces of the process
        fn(data, 1)
    for rep in range(repeats):
        for name, fn in PER_EPOCH.items():
            for epochs in (e1, e2):
                seconds, trained = timed(fn, data, epochs)
                assert trained == epochs, (name, trained, epochs)
                times[name][epochs].append(seconds)
        log(f"  per-epoch repeat {rep + 1}/{repeats} done (load {os.getloadavg()[0]:.2f})")
    out = {}
    for name, t in times.items():
        a, b = statistics.median(t[e1]), statistics.median(t[e2])
        marginal = (b - a) / (e2 - e1)
        out[name] = {"ms_per_epoch": 1e3 * marginal, "fixed_s": a - e1 * marginal, "raw": t}
    return out


def whole_fit(data, repeats, candidates, log):
    times = {name: [] for name in candidates}
    epochs = {name: [] for name in candidates}
    for rep in range(repeats):
        for name, fn in candidates.items():
            seconds, trained = timed(fn, data)
            times[name].append(seconds)
            epochs[name].append(trained)
        log(f"  whole-fit repeat {rep + 1}/{repeats} done (load {os.getloadavg()[0]:.2f})")
    return {name: {"s": statistics.median(times[name]), "epochs": statistics.median(epochs[name])} for name in times}


def loop_fixed_cost(data, repeats, marginal_s):
    """Build + compile, set-up (variables and the one trace) and the first epoch
    call minus one marginal epoch, each a median over fresh models."""
    from skweight._loop import train

    parts = {"build + compile": [], "set-up (build variables, trace)": [], "first call - 1 epoch": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        model = build_keras(data)
        t1 = time.perf_counter()
        args = (model, data["X"], data["y"], data["w"])
        train(*args, batch_size=batch_size(data), epochs=0, validation_data=data["val"])
        t2 = time.perf_counter()
        train(*args, batch_size=batch_size(data), epochs=1, validation_data=data["val"])
        t3 = time.perf_counter()
        parts["build + compile"].append(t1 - t0)
        parts["set-up (build variables, trace)"].append(t2 - t1)
        parts["first call - 1 epoch"].append(t3 - t2 - marginal_s)
    return {name: statistics.median(v) for name, v in parts.items()}


# --------------------------------------------------------------------------- #
# report
# --------------------------------------------------------------------------- #
def environment():
    import keras
    import numpy
    import sklearn

    env = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "sklearn": sklearn.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
    }
    for module in ("tensorflow", "jax", "torch"):
        if module in sys.modules:
            env[module] = sys.modules[module].__version__
    return env


def print_table(title, rows, columns):
    print(f"\n{title}")
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) for i, c in enumerate(columns)]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))


def main(argv=None):
    args = parse_args(argv)
    pin_threads(args.threads)
    sizes = args.sizes or (QUICK["sizes"] if args.quick else SIZES)
    env = environment()
    env["threads"] = args.threads
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    log(f"backend {env['backend']}, keras {env['keras']}, load {env['load_before']}")
    results = {"environment": env, "sizes": {}}
    for n in sizes:
        e1, e2 = (QUICK["epochs"] if args.quick else EPOCHS).get(n, (2, 6))
        repeats = args.repeats or (QUICK["repeats"] if args.quick else REPEATS.get(n, 3))
        data = make_table(n)
        log(f"{n} rows: E1={e1}, E2={e2}, {repeats} repeats")
        entry = {"per_epoch": per_epoch(data, e1, e2, repeats, log)}
        marginal = entry["per_epoch"]["loop + val"]["ms_per_epoch"] / 1e3
        entry["loop_fixed_cost"] = loop_fixed_cost(data, repeats, marginal)
        if not args.no_whole:
            large = n > WHOLE_FIT_MAX_ROWS
            entry["whole_fit_kind"] = f"{FIXED_EPOCHS_LARGE} epochs" if large else "defaults / early stopping"
            entry["whole_fit"] = whole_fit(data, repeats, WHOLE_LARGE if large else WHOLE, log)
        results["sizes"][n] = entry
    env["load_after"] = os.getloadavg()

    for n, entry in results["sizes"].items():
        base = entry["per_epoch"]["MLPClassifier"]["ms_per_epoch"]
        rows = [
            [name, f"{r['ms_per_epoch']:.2f}", f"{r['ms_per_epoch'] / base:.2f}", f"{r['fixed_s']:.3f}"]
            for name, r in entry["per_epoch"].items()
        ]
        print_table(f"{n} rows: marginal cost per epoch", rows, ["candidate", "ms/epoch", "x MLP", "fixed s"])
        rows = [[name, f"{s:.3f}"] for name, s in entry["loop_fixed_cost"].items()]
        print_table(f"{n} rows: the loop's fixed cost", rows, ["part", "s"])
        if "whole_fit" in entry:
            whole = entry["whole_fit"]
            base = next(iter(whole.values()))["s"]
            rows = [[k, f"{v['s']:.3f}", f"{v['s'] / base:.2f}", f"{v['epochs']:g}"] for k, v in whole.items()]
            if "keras fit" in whole and "loop" in whole:
                rows.append(["loop / keras fit", f"{whole['loop']['s'] / whole['keras fit']['s']:.3f}", "", ""])
            print_table(
                f"{n} rows: whole fit ({entry['whole_fit_kind']})", rows, ["candidate", "s", "x first", "epochs"]
            )
    print(f"\nload average before {env['load_before']}, after {env['load_after']}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"fit_speed_{env['backend']}{'_quick' if args.quick else ''}.json"
    path.write_text(json.dumps(results, indent=1, default=float))
    print(f"wrote {path}")
    return results


if __name__ == "__main__":
    main()
