"""Fit speed: skweight against MLPClassifier, plain Keras and skweight 0.2.0, per epoch and per fit.

On tables of 300, 2,000, 20,000 and 200,000 rows x 20 raw (unscaled) features, binary, 80/20
(scikit-learn's ``make_classification``), every neural candidate trains the same network:
100 ReLU units with an L2 penalty of 1e-2 (skweight's default ``alpha``), a sigmoid output,
Adam at 1e-3, batches of ``min(200, rows)``, inputs standardised on the training rows, the
classes weighted "balanced".

* **per epoch**: the marginal cost of one more epoch, from fits of E1 and E2 epochs
  (``(median(E2) - median(E1)) / (E2 - E1)``), and the fixed cost of a fit
  ``median(E1) - E1 * marginal``: ``MLPClassifier`` (no validation pass), Keras
  ``Model.fit(sample_weight=w)`` without and with ``validation_data`` (10 % stratified
  rows), and skweight 0.2.0 and skweight now, each with early stopping's validation pass
  (``early_stopping=True`` with a patience longer than the fit, so exactly E epochs);
* **whole fit** (up to 20,000 rows): ``MLPClassifier()`` and ``make_pipeline(StandardScaler(),
  MLPClassifier())`` with their defaults, Keras with ``EarlyStopping(patience=10,
  min_delta=1e-4, restore_best_weights=True)`` on the weighted validation loss, up to 200
  epochs, and both skweights with their defaults (``WeightedKerasClassifier(class_weight=
  "balanced")``);
* **large table** (200,000 rows): 3 epochs, like for like with plain Keras ``fit(sample_weight=
  w)`` (no standardisation layer, no validation) and with the validation pass, and
  ``predict_proba`` against Keras's ``predict(batch_size=4096)``;
* **fixed cost** of a skweight fit, in parts: ``initialize`` (encoders, build, compile), the rest
  of ``fit(epochs=0)`` (split, weights, standardisation, the loop's set-up and one trace), and
  the first epoch's call less one marginal epoch (TensorFlow's graph instantiation);
* **grid search**: wall time of a 3 x 2 ``GridSearchCV`` in 5-fold CV (31 fits) on 2,000 rows,
  skweight 0.2.0 and now (``class_weight`` x ``alpha``), and ``StandardScaler + MLPClassifier``
  (``hidden_layer_sizes`` x ``alpha``) for reference;
* **backends**: the per-epoch figures at 2,000 rows on TensorFlow, JAX and PyTorch, each in a
  fresh interpreter of its own (``--backend-python jax=PATH``; default: this interpreter).

The two skweights run in :class:`~benchmarks._harness.Worker` child interpreters that stay up
(``--base``: the 0.2.0 checkout, first on its path; this checkout for the other), MLPClassifier
and plain Keras in this process; every candidate is interleaved with the others (A B C D A B C
D ...), one math thread each.  Tables give medians and ratios; the load average is recorded.

    python -m benchmarks.bench_fit_speed --base /work/base          # everything (about 25 minutes)
    python -m benchmarks.bench_fit_speed --base /work/base --sizes 2000 --no-grid
    python -m benchmarks.bench_fit_speed --quick --base .           # smoke run (a minute or two)

Writes ``fit_speed.json`` and ``fit_speed.png`` into ``--out`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import os
import statistics
import time
import warnings

from benchmarks import _harness as h

SIZES = (300, 2_000, 20_000, 200_000)
# rows -> (E1, E2) of the candidates whose epochs cost Keras's machinery ("slow": plain Keras,
# skweight 0.2.0) and of those whose epochs cost about the work ("fast": MLPClassifier, skweight
# now): enough epochs between E1 and E2 for the difference to stand well above the noise
EPOCHS = {
    300: {"slow": (5, 85), "fast": (5, 805)},
    2_000: {"slow": (5, 45), "fast": (5, 405)},
    20_000: {"slow": (2, 10), "fast": (2, 82)},
    200_000: {"slow": (1, 3), "fast": (1, 9)},
}
FAST_PER_EPOCH = ("MLPClassifier", "skweight")
REPEATS = {300: 5, 2_000: 5, 20_000: 3, 200_000: 3}
WHOLE_FIT_MAX_ROWS = 20_000
LARGE = {"rows": 200_000, "epochs": 3, "repeats": 3}
GRID = {"rows": 2_000, "folds": 5, "repeats": 1}
QUICK = {
    "sizes": (300,),
    "epochs": {300: {"slow": (1, 3), "fast": (1, 5)}},
    "repeats": 1,
    "large": {"rows": 1_000, "epochs": 1, "repeats": 1},
    "grid": {"rows": 300, "folds": 2, "repeats": 1},
    "keras_epoch_cap": 20,  # plain Keras's whole fit stops there in the smoke run
}
N_FEATURES, HIDDEN, MAX_BATCH, ALPHA, PATIENCE, EPOCH_CAP = 20, 100, 200, 1e-2, 10, 200
BACKENDS = ("tensorflow", "jax", "torch")
WARMUP = [1]  # untimed rounds before the timed ones (none in the smoke run); set by run()
BASELINE, PIPELINE = "MLPClassifier", "StandardScaler + MLPClassifier"
PER_EPOCH = ("MLPClassifier", "keras fit", "keras fit + val", "skweight 0.2.0", "skweight")
WHOLE = ("MLPClassifier()", "StandardScaler + MLPClassifier()", "keras fit + early stopping")
WHOLE += ("skweight 0.2.0 defaults", "skweight defaults")


# --------------------------------------------------------------------------- #
# data and candidates: module-level, so that workers and children call them too
# --------------------------------------------------------------------------- #
_TABLES, _FITTED = {}, {}


def setup(threads=1):
    """First call in a worker (and in this process): the same thread settings everywhere, and
    TensorFlow's Python log at ERROR (plain Keras's retracing notices)."""
    import logging

    h.pin_threads(threads)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    if h.keras_backend() == "torch":
        import torch

        torch.set_num_threads(threads)
    return h.thread_settings()


def table(rows):
    """The table of ``rows`` rows (made once per process): all rows, and the 90/10 stratified
    split with "balanced" weights that the plain-Keras candidates use."""
    if rows not in _TABLES:
        import numpy as np
        from sklearn.datasets import make_classification
        from sklearn.model_selection import train_test_split

        X, y = make_classification(rows, N_FEATURES, n_informative=10, weights=[0.8], class_sep=0.8, random_state=0)
        X = (X * 3.0 + 5.0).astype(np.float32)  # raw features: not standardised
        Xt, Xv, yt, yv = train_test_split(X, y, test_size=0.1, stratify=y, random_state=0)
        balanced = len(yt) / (2 * np.bincount(yt))
        w = lambda labels: balanced[labels].astype(np.float32)  # noqa: E731
        _TABLES[rows] = {"X": X, "y": y, "Xt": Xt, "yt": yt, "wt": w(yt), "val": (Xv, yv, w(yv)), "w": w(y)}
    return _TABLES[rows]


def mlp_fit(rows, epochs=None, scaled=False):
    """``MLPClassifier`` with its defaults (``epochs=None``), or exactly ``epochs`` epochs."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = table(rows)
    clf = MLPClassifier(random_state=0)
    if epochs is not None:
        clf.set_params(max_iter=epochs, n_iter_no_change=10**9, tol=0.0)
    model = make_pipeline(StandardScaler(), clf) if scaled else clf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data["Xt"] if epochs is not None else data["X"], data["yt"] if epochs is not None else data["y"])
    return {"epochs": clf.n_iter_}


def keras_model(rows, standardize=True, seed=0):
    """The network, built and compiled as plain Keras code would."""
    from skweight._backend import keras, seeded

    data = table(rows)
    with seeded(seed):
        inputs = keras.Input((N_FEATURES,))
        hidden = inputs
        if standardize:
            hidden = keras.layers.Normalization(mean=data["Xt"].mean(axis=0), variance=data["Xt"].var(axis=0))(hidden)
        hidden = keras.layers.Dense(HIDDEN, activation="relu", kernel_regularizer=keras.regularizers.L2(ALPHA))(hidden)
        model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    return model


def keras_fit(rows, epochs, val=True, stop=False, all_rows=False, standardize=True):
    """Plain Keras ``fit(sample_weight=w)`` (on the 90 % training rows, or ``all_rows``)."""
    from skweight._backend import keras

    data = table(rows)
    X, y, w = (data["X"], data["y"], data["w"]) if all_rows else (data["Xt"], data["yt"], data["wt"])
    stopping = keras.callbacks.EarlyStopping(patience=PATIENCE, min_delta=1e-4, restore_best_weights=True)
    history = keras_model(rows, standardize).fit(
        X, y, sample_weight=w, batch_size=min(MAX_BATCH, len(X)), epochs=epochs, verbose=0,
        validation_data=data["val"] if val else None, callbacks=[stopping] if stop else None,
    )  # fmt: skip
    return {"epochs": len(history.history["loss"])}


def _skweight(epochs=None, like_for_like=False):
    from skweight import WeightedKerasClassifier

    if epochs is None:  # the defaults
        return WeightedKerasClassifier(class_weight="balanced", random_state=0)
    if like_for_like:
        return h.like_for_like(WeightedKerasClassifier(class_weight="balanced", epochs=epochs, random_state=0))
    # exactly `epochs` epochs, each with early stopping's validation pass
    return WeightedKerasClassifier(
        class_weight="balanced", epochs=epochs, early_stopping=True, n_iter_no_change=10**9, random_state=0
    )


def skweight_fit(rows, epochs=None, like_for_like=False):
    """Whichever skweight this process imports: the defaults, or ``epochs`` epochs (see
    :func:`_skweight`); on all rows (it splits off its validation rows itself)."""
    data = table(rows)
    clf = _skweight(epochs, like_for_like).fit(data["X"], data["y"])
    return {"epochs": len(clf.history_["loss"]), "training_loop": getattr(clf, "training_loop_", "keras")}


def skweight_predict(rows):
    """``predict_proba`` on all rows of a model fitted once (1 epoch) in this process."""
    data = table(rows)
    if ("skweight", rows) not in _FITTED:
        _FITTED["skweight", rows] = _skweight(1, like_for_like=True).fit(data["X"], data["y"])
    return {"rows": len(_FITTED["skweight", rows].predict_proba(data["X"]))}


def keras_predict(rows):
    """Keras's ``predict(batch_size=4096)`` on all rows of a model built once in this process."""
    data = table(rows)
    if ("keras", rows) not in _FITTED:
        _FITTED["keras", rows] = keras_model(rows, standardize=False)
    return {"rows": len(_FITTED["keras", rows].predict(data["X"], batch_size=4096, verbose=0))}


def skweight_grid(rows, folds, quick=False):
    """A 3 x 2 ``GridSearchCV`` (``class_weight`` x ``alpha``) of the defaults, sequential."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skweight import WeightedKerasClassifier

    grid = {"class_weight": [None, "balanced", {0: 1.0, 1: 2.0}], "alpha": [1e-4, 1e-2]}
    if quick:
        grid = {"class_weight": [None, "balanced"]}
    data = table(rows)
    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    search = GridSearchCV(WeightedKerasClassifier(random_state=0), grid, cv=cv, scoring="balanced_accuracy")
    search.fit(data["X"], data["y"])
    n_candidates = len(search.cv_results_["params"])
    return {
        "fits": n_candidates * folds + 1,
        "best_score": float(search.best_score_),
        "best": repr(search.best_params_),
    }


def mlp_grid(rows, folds, quick=False):
    """For reference: a 3 x 2 grid (``hidden_layer_sizes`` x ``alpha``) of the scaled MLPClassifier."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    grid = {"mlpclassifier__hidden_layer_sizes": [(50,), (100,), (200,)], "mlpclassifier__alpha": [1e-4, 1e-2]}
    if quick:
        grid = {"mlpclassifier__alpha": [1e-4, 1e-2]}
    data = table(rows)
    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    search = GridSearchCV(make_pipeline(StandardScaler(), MLPClassifier(random_state=0)), grid, cv=cv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(data["X"], data["y"])
    return {"fits": len(search.cv_results_["params"]) * folds + 1, "best_score": float(search.best_score_)}


def skweight_fixed_cost(rows, marginal_s, repeats):
    """The parts of a skweight fit's fixed cost, medians over fresh estimators (this checkout)."""
    data = table(rows)
    parts = {"initialize (encoders, build, compile)": [], "rest of fit(epochs=0) (split, weights, set-up, trace)": []}
    parts["first epoch's call less one epoch"] = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _skweight(0).initialize(data["X"], data["y"])
        t1 = time.perf_counter()
        _skweight(0).fit(data["X"], data["y"])
        t2 = time.perf_counter()
        clf = _skweight(1).fit(data["X"], data["y"])
        t3 = time.perf_counter()
        parts["initialize (encoders, build, compile)"].append(t1 - t0)
        parts["rest of fit(epochs=0) (split, weights, set-up, trace)"].append((t2 - t1) - (t1 - t0))
        parts["first epoch's call less one epoch"].append((t3 - t2) - (t2 - t1) - marginal_s)
    return {"parts_s": {k: statistics.median(v) for k, v in parts.items()}, "training_loop": clf.training_loop_}


# --------------------------------------------------------------------------- #
# the sections
# --------------------------------------------------------------------------- #
def marginal_costs(make, epochs, repeats, log=None):
    """``make[name](e)`` fits ``e`` epochs; ``epochs[name]`` is ``(E1, E2)``.  The marginal ms per
    epoch and the fixed s per fit of each, from interleaved fits of E1 and E2 epochs."""
    candidates = {f"{n} x{e}": (lambda f=f, e=e: f(e)) for n, f in make.items() for e in epochs[n]}
    res = h.interleaved(candidates, repeats=repeats, warmup=WARMUP[0], log=log)
    out = {}
    for name in make:
        (e1, e2), (a, b) = epochs[name], (res[f"{name} x{e}"] for e in epochs[name])
        assert a["facts"]["epochs"] == e1 and b["facts"]["epochs"] == e2, (name, a["facts"], b["facts"])
        marginal = (b["median"] - a["median"]) / (e2 - e1)
        out[name] = {
            "ms_per_epoch": 1e3 * marginal,
            "fixed_s": a["median"] - e1 * marginal,
            "training_loop": b["facts"].get("training_loop"),
            "epochs": [e1, e2],
            "times_s": {e1: a["times"], e2: b["times"]},
        }
    return out


def per_epoch(rows, epochs, repeats, now, base, log):
    """Marginal ms per epoch and fixed s per fit of each candidate on ``rows`` rows."""
    make = {
        "MLPClassifier": lambda e: mlp_fit(rows, e),
        "keras fit": lambda e: keras_fit(rows, e, val=False),
        "keras fit + val": lambda e: keras_fit(rows, e, val=True),
        "skweight 0.2.0": None if base is None else (lambda e: base.call(skweight_fit, rows=rows, epochs=e)),
        "skweight": lambda e: now.call(skweight_fit, rows=rows, epochs=e),
    }
    make = {n: f for n, f in make.items() if f is not None}
    return marginal_costs(make, {n: epochs["fast" if n in FAST_PER_EPOCH else "slow"] for n in make}, repeats, log)


def whole_fit(rows, repeats, now, base, log, keras_cap=EPOCH_CAP):
    """Seconds and epochs of each candidate's whole fit with its defaults."""
    candidates = {
        "MLPClassifier()": lambda: mlp_fit(rows),
        "StandardScaler + MLPClassifier()": lambda: mlp_fit(rows, scaled=True),
        "keras fit + early stopping": lambda: keras_fit(rows, keras_cap, val=True, stop=True),
        "skweight 0.2.0 defaults": None if base is None else (lambda: base.call(skweight_fit, rows=rows)),
        "skweight defaults": lambda: now.call(skweight_fit, rows=rows),
    }
    res = h.interleaved({k: f for k, f in candidates.items() if f}, repeats=repeats, warmup=WARMUP[0], log=log)
    return {
        name: {
            "s": r["median"],
            "times_s": r["times"],
            "epochs": statistics.median(f["epochs"] for f in r["all_facts"]),
        }
        for name, r in res.items()
    }


def large_table(cfg, now, base, log):
    """The large table: fit like for like with plain Keras, with the validation pass, and prediction."""
    rows, epochs = cfg["rows"], cfg["epochs"]
    fit = {
        "keras fit(sample_weight)": lambda: keras_fit(rows, epochs, val=False, all_rows=True, standardize=False),
        "skweight like for like": lambda: now.call(skweight_fit, rows=rows, epochs=epochs, like_for_like=True),
        "keras fit(sample_weight) + val": lambda: keras_fit(rows, epochs, val=True),
        "skweight + val": lambda: now.call(skweight_fit, rows=rows, epochs=epochs),
    }
    predict = {
        "keras predict(batch_size=4096)": lambda: keras_predict(rows),
        "skweight predict_proba": lambda: now.call(skweight_predict, rows=rows),
    }
    if base is not None:
        fit["skweight 0.2.0 like for like"] = lambda: base.call(
            skweight_fit, rows=rows, epochs=epochs, like_for_like=True
        )
        fit["skweight 0.2.0 + val"] = lambda: base.call(skweight_fit, rows=rows, epochs=epochs)
        predict["skweight 0.2.0 predict_proba"] = lambda: base.call(skweight_predict, rows=rows)
    fit_res = h.interleaved(fit, repeats=cfg["repeats"], warmup=WARMUP[0], log=log)
    predict_res = h.interleaved(predict, repeats=max(3, cfg["repeats"]), warmup=WARMUP[0], log=log)
    return {"rows": rows, "epochs": epochs, "fit": _slim(fit_res), "predict": _slim(predict_res)}


def grid_search(cfg, quick, now, base, log):
    """Wall time of the grid searches, once each (interleaved when repeated)."""
    kw = dict(rows=cfg["rows"], folds=cfg["folds"], quick=quick)
    candidates = {"StandardScaler + MLPClassifier grid": lambda: mlp_grid(**kw)}
    if base is not None:
        candidates["skweight 0.2.0 grid"] = lambda: base.call(skweight_grid, **kw)
    candidates["skweight grid"] = lambda: now.call(skweight_grid, **kw)
    return {**cfg, "results": _slim(h.interleaved(candidates, repeats=cfg["repeats"], warmup=0, log=log))}


def backend_per_epoch(rows, epochs, repeats, threads, warmup=1):
    """In a fresh interpreter of one backend (:func:`h.run_child`): the per-epoch figures."""
    setup(threads)
    WARMUP[0] = warmup
    from skweight._backend import backend_name

    make = {
        "MLPClassifier": lambda e: mlp_fit(rows, e),
        "keras fit + val": lambda e: keras_fit(rows, e, val=True),
        "skweight": lambda e: skweight_fit(rows, e),
    }
    fast = ("MLPClassifier", "skweight") if backend_name() != "torch" else ("MLPClassifier",)
    per = marginal_costs(make, {n: epochs["fast" if n in fast else "slow"] for n in make}, repeats)
    for r in per.values():
        r.pop("times_s")
    return {"backend": backend_name(), "versions": h.environment()["versions"], "per_epoch": per}


def _slim(res):
    return {name: {"s": r["median"], "times_s": r["times"]} for name, r in res.items()}


# --------------------------------------------------------------------------- #
# report
# --------------------------------------------------------------------------- #
def _x(value, base):
    return None if value is None or not base else f"{value / base:.2f}x"


def print_tables(result):
    for rows, entry in result["sizes"].items():
        per = entry["per_epoch"]
        base = per[BASELINE]["ms_per_epoch"]
        lines = [
            {"candidate": n, "ms / epoch": r["ms_per_epoch"], "x MLPClassifier": _x(r["ms_per_epoch"], base),
             "fixed s / fit": r["fixed_s"], "loop": r.get("training_loop") or "-"}
            for n, r in per.items()
        ]  # fmt: skip
        print(f"\n{rows} rows: marginal cost of an epoch (skweight: with early stopping's validation pass)")
        print(h.table(lines, formats={"ms / epoch": "{:.2f}", "fixed s / fit": "{:.3f}"}))
        if "whole_fit" in entry:
            whole = entry["whole_fit"]
            pipe = whole["StandardScaler + MLPClassifier()"]["s"]
            lines = [
                {"candidate": n, "s": r["s"], "x pipeline": _x(r["s"], pipe), "epochs": r["epochs"]}
                for n, r in whole.items()
            ]
            print(f"\n{rows} rows: whole fit with the defaults (x StandardScaler + MLPClassifier())")
            print(h.table(lines, formats={"epochs": "{:g}"}))
    if "fixed_cost" in result:
        fc = result["fixed_cost"]
        print(f"\nskweight's fixed cost per fit, {fc['rows']} rows (loop: {fc['training_loop']})")
        print(h.table([{"part": k, "s": v} for k, v in fc["parts_s"].items()]))
    if "large" in result:
        large = result["large"]
        for what, baseline in (("fit", "keras fit(sample_weight)"), ("predict", "keras predict(batch_size=4096)")):
            res = large[what]
            ref = res[baseline]["s"]
            if what == "fit":
                ref_val = res["keras fit(sample_weight) + val"]["s"]
                lines = [
                    {"candidate": n, "s": r["s"], "x keras": _x(r["s"], ref_val if "val" in n else ref)}
                    for n, r in res.items()
                ]
            else:
                lines = [{"candidate": n, "s": r["s"], "x keras": _x(r["s"], ref)} for n, r in res.items()]
            print(f"\n{large['rows']} rows, {what}" + (f" ({large['epochs']} epochs)" if what == "fit" else ""))
            print(h.table(lines))
    if "grid" in result:
        grid = result["grid"]
        print(f"\nGridSearchCV, {grid['rows']} rows, {grid['folds']}-fold CV (wall time)")
        print(h.table([{"search": n, "s": r["s"]} for n, r in grid["results"].items()], floatfmt="{:.1f}"))
    if result.get("backends"):
        lines = []
        for name, b in result["backends"].items():
            if "skipped" in b:
                lines.append({"backend": name, "note": b["skipped"]})
                continue
            per = b["per_epoch"]
            mlp = per["MLPClassifier"]["ms_per_epoch"]
            for cand, r in per.items():
                ms = r["ms_per_epoch"]
                loop = r.get("training_loop") or "-"
                lines.append({"backend": name, "candidate": cand, "ms / epoch": ms, "x MLP": _x(ms, mlp), "loop": loop})
        print(f"\nper epoch on each backend, {result['backend_rows']} rows")
        print(h.table(lines, formats={"ms / epoch": "{:.2f}"}))


def plot(result, path):
    """Marginal ms per epoch (left) and whole-fit seconds (right) against rows, log-log;
    ``result`` as read back from JSON."""
    plt = h.pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = sorted(result["sizes"], key=int)
    for ax, section, names, key in (
        (left, "per_epoch", PER_EPOCH, "ms_per_epoch"),
        (right, "whole_fit", WHOLE, "s"),
    ):
        for name in names:
            pts = [
                (int(n), result["sizes"][n][section][name][key])
                for n in sizes
                if name in result["sizes"][n].get(section, {}) and result["sizes"][n][section][name][key] > 0
            ]
            if pts:
                ax.plot(
                    *zip(*pts),
                    marker="o",
                    label=name + (" (+ val)" if section == "per_epoch" and "skweight" in name else ""),
                )
        ax.set(xscale="log", yscale="log", xlabel="rows")
        ax.legend(fontsize=8)
    left.set(ylabel="ms per epoch (marginal)", title="One more epoch")
    right.set(ylabel="seconds", title="Whole fit with the defaults")
    h.save_figure(fig, path)


# --------------------------------------------------------------------------- #
# main
# --------------------------------------------------------------------------- #
def _parser():
    p = h.parser(__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=None, help=f"row counts (default {SIZES})")
    p.add_argument("--repeats", type=int, default=None, help="timed repeats per size (default: by size)")
    p.add_argument(
        "--base", default=None, help="an earlier skweight checkout (e.g. 0.2.0's) to measure next to this one"
    )
    p.add_argument("--no-whole", action="store_true", help="skip the whole-fit tables")
    p.add_argument("--no-large", action="store_true", help="skip the large-table section")
    p.add_argument("--no-grid", action="store_true", help="skip the grid searches")
    p.add_argument("--backends", default=",".join(BACKENDS), help="backends for the per-epoch figures ('' for none)")
    p.add_argument(
        "--backend-python", nargs="*", default=[], metavar="BACKEND=PYTHON",
        help="the interpreter of a backend's environment (default: this interpreter)",
    )  # fmt: skip
    return p


def _backends(args, log):
    pythons = dict(item.split("=", 1) for item in args.backend_python)
    rows = QUICK["sizes"][0] if args.quick else 2_000
    epochs = QUICK["epochs"][rows] if args.quick else EPOCHS[rows]
    repeats = 1 if args.quick else 5
    out = {}
    for backend in [b for b in args.backends.split(",") if b]:
        env = {
            "KERAS_BACKEND": backend,
            "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
        }
        log(f"backend {backend}: per epoch at {rows} rows")
        try:
            out[backend] = h.run_child(
                backend_per_epoch, env=env, python=pythons.get(backend), rows=rows, epochs=epochs, repeats=repeats,
                threads=args.threads, warmup=0 if args.quick else 1,
            )  # fmt: skip
        except RuntimeError as exc:  # a backend this environment does not have
            out[backend] = {"skipped": str(exc).strip().splitlines()[-1][:200]}
    return rows, out


def run(args, log=print):
    sizes = args.sizes or (QUICK["sizes"] if args.quick else SIZES)
    WARMUP[0] = 0 if args.quick else 1
    result = {"sizes": {}}
    with h.Worker([h.ROOT]) as now, h.Worker([args.base]) if args.base else _Nothing() as base:
        for worker in (w for w in (now, base) if w is not None):
            worker.call(setup, threads=args.threads)
        for n in sizes:
            epochs = (QUICK["epochs"] if args.quick else EPOCHS).get(n, {"slow": (2, 6), "fast": (2, 22)})
            repeats = args.repeats or (QUICK["repeats"] if args.quick else REPEATS.get(n, 3))
            log(f"{n} rows: epochs {epochs}, {repeats} repeats (load {os.getloadavg()[0]:.2f})")
            entry = {"per_epoch": per_epoch(n, epochs, repeats, now, base, log)}
            if not args.no_whole and n <= WHOLE_FIT_MAX_ROWS:
                cap = QUICK["keras_epoch_cap"] if args.quick else EPOCH_CAP
                entry["whole_fit"] = whole_fit(n, repeats, now, base, log, keras_cap=cap)
            result["sizes"][n] = entry
        first = 2_000 if 2_000 in result["sizes"] else sizes[0]
        marginal = result["sizes"][first]["per_epoch"]["skweight"]["ms_per_epoch"] / 1e3
        result["fixed_cost"] = {
            "rows": first,
            **now.call(skweight_fixed_cost, rows=first, marginal_s=marginal, repeats=3),
        }
        if not args.no_large:
            result["large"] = large_table(QUICK["large"] if args.quick else LARGE, now, base, log)
        if not args.no_grid:
            result["grid"] = grid_search(QUICK["grid"] if args.quick else GRID, args.quick, now, base, log)
    result["backend_rows"], result["backends"] = _backends(args, log)
    return result


class _Nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def main(argv=None):
    args = _parser().parse_args(argv)
    env = h.start(args, base=args.base)
    setup(args.threads)
    result = {"benchmark": "fit_speed", "environment": env, **run(args, log=lambda m: print(m, flush=True))}
    print_tables(result)
    print(f"\nload average: start {env['loadavg_start']}, end {list(os.getloadavg())}")
    h.save(args.out / "fit_speed.json", result)
    h.figures(args, lambda path: plot(h_json(result), path), "fit_speed.png")
    return result


def h_json(result):
    """The result as it reads back from JSON (row counts as strings)."""
    import json

    return json.loads(json.dumps(result, default=h._plain))


if __name__ == "__main__":
    main()
