"""Fit overhead of skweight against plain Keras and the other scikit-learn wrappers.

Every candidate builds, compiles and trains the same Keras model (a 64-unit
ReLU MLP with a softmax output, Adam, sparse categorical cross-entropy; the
Keras wrapper one-hot encodes ``y`` itself, so it gets categorical
cross-entropy) on the same data, with the same epochs, batch size and class
weights ("balanced" on all rows), no validation and ``verbose=0``.  Candidates
run interleaved (A B C D E A B C D E ...) in one process; the table gives
medians and their ratio to the baseline, ``keras.Model.fit(sample_weight=w)``.

    python benchmarks/bench_overhead.py            # full run (about 15 minutes on 2 cores)
    python benchmarks/bench_overhead.py --quick    # smoke run (seconds)

Writes ``overhead.json`` and ``overhead.png`` into ``--out``
(default ``benchmarks/results``).
"""

from __future__ import annotations

import contextlib
import io
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(1, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import _common  # noqa: E402

BASELINE = "keras fit(sample_weight)"
CANDIDATES = (
    BASELINE,
    "skweight",
    "keras fit(class_weight)",
    "scikeras KerasClassifier",
    "keras SKLearnClassifier",
)
# name, rows, epochs, timed repeats
WORKLOADS = [("2k rows x 10 epochs", 2_000, 10, 9), ("200k rows x 3 epochs", 200_000, 3, 5)]
QUICK = [("quick 300 rows x 1 epoch", 300, 1, 1), ("quick 600 rows x 1 epoch", 600, 1, 1)]
N_FEATURES, HIDDEN, BATCH = 20, 64, 32
CLASS_PRIOR = [0.8, 0.15, 0.05]


def make_data(n, dtype):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n, n_features=N_FEATURES, n_informative=8, n_classes=len(CLASS_PRIOR),
        weights=CLASS_PRIOR, class_sep=1.0, random_state=0,
    )
    return X.astype(dtype), y


def build(n_features, n_classes, loss="sparse_categorical_crossentropy"):
    """The one model every candidate trains."""
    import keras

    inputs = keras.Input(shape=(n_features,))
    hidden = keras.layers.Dense(HIDDEN, activation="relu")(inputs)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss=loss)
    return model


def _wrapper_model(meta):
    # SciKeras and skweight call this with their fit metadata
    return build(meta["n_features_in_"], meta["n_classes_"])


def _keras_wrapper_model(X, y):
    # keras.wrappers.SKLearnClassifier calls this with the one-hot encoded y
    return build(X.shape[1], y.shape[1], loss="categorical_crossentropy")


def _steps(model):
    return int(model.optimizer.iterations.numpy())


def make_candidates(X, y, epochs, fitted):
    import keras
    from scikeras.wrappers import KerasClassifier

    from skweight import WeightedKerasClassifier

    classes, counts = np.unique(y, return_counts=True)
    balanced = len(y) / (len(classes) * counts)  # scikit-learn's "balanced"
    cw = dict(zip(classes.tolist(), balanced.tolist()))
    fit_kw = dict(epochs=epochs, batch_size=BATCH, verbose=0)

    def plain_sample_weight():
        w = balanced.astype(np.float32)[np.searchsorted(classes, y)]
        model = build(X.shape[1], len(classes))
        model.fit(X, y, sample_weight=w, **fit_kw)
        fitted[BASELINE] = model
        return {"steps": _steps(model)}

    def plain_class_weight():
        model = build(X.shape[1], len(classes))
        model.fit(X, y, class_weight=cw, **fit_kw)
        fitted["keras fit(class_weight)"] = model
        return {"steps": _steps(model)}

    def skweight():
        clf = WeightedKerasClassifier(model=_wrapper_model, class_weight="balanced", **fit_kw)
        clf.fit(X, y)
        fitted["skweight"] = clf
        used = [clf.class_weight_[c] for c in classes.tolist()]
        return {"steps": _steps(clf.model_), "weights_match": bool(np.allclose(used, balanced))}

    def scikeras():
        clf = KerasClassifier(model=_wrapper_model, class_weight="balanced", **fit_kw)
        clf.fit(X, y)
        fitted["scikeras KerasClassifier"] = clf
        return {"steps": _steps(clf.model_)}

    def keras_wrapper():
        w = balanced.astype(np.float32)[np.searchsorted(classes, y)]
        est = keras.wrappers.SKLearnClassifier(model=_keras_wrapper_model, fit_kwargs=dict(fit_kw))
        est.fit(X, y, sample_weight=w)
        fitted["keras SKLearnClassifier"] = est
        return {"steps": _steps(est.model_)}

    fns = [plain_sample_weight, skweight, plain_class_weight, scikeras, keras_wrapper]
    return dict(zip(CANDIDATES, fns))


def predict_candidates(X, fitted):
    """Prediction of the fitted models: probabilities from each (labels from
    the Keras wrapper, which has no ``predict_proba``; it cannot be made quiet,
    so its progress bar is written to a buffer instead of the terminal)."""

    def keras_wrapper():
        with contextlib.redirect_stdout(io.StringIO()):
            return fitted["keras SKLearnClassifier"].predict(X)

    return {
        "keras predict": lambda: fitted[BASELINE].predict(X, verbose=0),
        "skweight predict_proba": lambda: fitted["skweight"].predict_proba(X),
        "scikeras predict_proba": lambda: fitted["scikeras KerasClassifier"].predict_proba(X),
        "keras SKLearnClassifier predict": keras_wrapper,
    }


class _StubbedFit:
    """Within the block ``keras.Model.fit``/``predict`` return at once, so only
    the wrappers' own work (validation, encoding, weights) is timed."""

    def __enter__(self):
        import keras

        self.saved = keras.Model.fit, keras.Model.predict

        class _History:
            history = {"loss": [0.0]}

        def fit(model, x=None, y=None, **kw):
            return _History()

        def predict(model, x=None, **kw):
            return np.full((len(x), model.outputs[0].shape[-1]), 1.0 / model.outputs[0].shape[-1], np.float32)

        keras.Model.fit, keras.Model.predict = fit, predict
        return self

    def __exit__(self, *exc):
        import keras

        keras.Model.fit, keras.Model.predict = self.saved
        return False


def own_time(X, y, epochs, repeats):
    """Seconds each wrapper spends outside Keras per fit and per predict
    (model building excluded: every candidate builds the same model)."""
    import keras
    from scikeras.wrappers import KerasClassifier

    from skweight import WeightedKerasClassifier

    n_classes = len(np.unique(y))
    model = build(X.shape[1], n_classes)
    fit_kw = dict(epochs=epochs, batch_size=BATCH, verbose=0)
    ests = {
        "skweight": WeightedKerasClassifier(model=lambda: model, class_weight="balanced", **fit_kw),
        "scikeras KerasClassifier": KerasClassifier(model=lambda: model, class_weight="balanced", **fit_kw),
        "keras SKLearnClassifier": keras.wrappers.SKLearnClassifier(model=lambda X, y: model, fit_kwargs=dict(fit_kw)),
    }
    pred = {"skweight": "predict_proba", "scikeras KerasClassifier": "predict_proba",
            "keras SKLearnClassifier": "predict"}
    with _StubbedFit():
        fits = _common.interleaved({k: (lambda e=e: e.fit(X, y)) for k, e in ests.items()}, repeats, warmup=1)
        preds = _common.interleaved({k: (lambda e=e, m=pred[k]: getattr(e, m)(X)) for k, e in ests.items()},
                                    repeats, warmup=1)
    return {k: {"fit_median_s": fits[k]["median"], "predict_median_s": preds[k]["median"]} for k in ests}


def run(args):
    import keras

    workloads = QUICK if args.quick else WORKLOADS
    dtype = np.dtype(args.dtype)
    out = {"workloads": []}
    for name, n, epochs, repeats in workloads:
        if args.repeats:
            repeats = args.repeats
        X, y = make_data(n, dtype)
        print(f"\n{name}: X {X.shape} {X.dtype}, classes {np.bincount(y).tolist()}, batch {BATCH}, {repeats} rounds")
        fitted = {}
        res = _common.interleaved(
            make_candidates(X, y, epochs, fitted), repeats=repeats, warmup=0 if args.quick else 1,
            before_each=keras.backend.clear_session, log=print if args.verbose else None,
        )
        steps = {k: r["facts"].get("steps") for k, r in res.items()}
        if len(set(steps.values())) != 1:
            raise RuntimeError(f"candidates trained different numbers of steps: {steps}")
        if not res["skweight"]["facts"].get("weights_match"):
            raise RuntimeError("skweight used other class weights than the other candidates")
        rat = _common.ratios(res, BASELINE)
        entry = {
            "name": name, "rows": n, "features": N_FEATURES, "epochs": epochs, "batch_size": BATCH,
            "steps": steps[BASELINE], "repeats": repeats, "x_dtype": str(dtype),
            "fit": {k: {"median_s": r["median"], "min_s": r["min"], "max_s": r["max"], "times_s": r["times"],
                        "ratio": rat[k]} for k, r in res.items()},
        }
        if args.predict and n == max(w[1] for w in workloads):
            pres = _common.interleaved(predict_candidates(X, fitted), repeats=1 if args.quick else max(3, repeats // 2),
                                       warmup=0 if args.quick else 1)
            prat = _common.ratios(pres, "keras predict")
            entry["predict"] = {k: {"median_s": r["median"], "times_s": r["times"], "ratio": prat[k]}
                                for k, r in pres.items()}
        entry["own_time"] = own_time(X, y, epochs, repeats=3 if args.quick else 21)
        base = entry["fit"][BASELINE]["median_s"]
        for v in entry["own_time"].values():
            v["fit_share_of_baseline"] = v["fit_median_s"] / base
        out["workloads"].append(entry)
        print(_fmt(entry))
    return out


def _fmt(entry):
    rows = [{"candidate": k, "median s": v["median_s"], "ratio": f"{v['ratio']:.3f}x",
             "min s": v["min_s"], "max s": v["max_s"]} for k, v in entry["fit"].items()]
    text = _common.table(rows, ["candidate", "median s", "ratio", "min s", "max s"])
    orow = [{"wrapper": k, "own fit ms": 1e3 * v["fit_median_s"], "% of baseline fit": 100 * v["fit_share_of_baseline"],
             "own predict ms": 1e3 * v["predict_median_s"]} for k, v in entry["own_time"].items()]
    text += ("\n\nwrappers' own work (Keras fit/predict stubbed; model building excluded)\n"
             + _common.table(orow, ["wrapper", "own fit ms", "% of baseline fit", "own predict ms"], "{:.2f}"))
    if "predict" in entry:
        prow = [{"candidate": k, "median s": v["median_s"], "ratio": f"{v['ratio']:.3f}x"}
                for k, v in entry["predict"].items()]
        text += "\n\npredict on the same rows\n" + _common.table(prow, ["candidate", "median s", "ratio"])
    return text


def plot(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = result["workloads"]
    names = list(workloads[0]["fit"])
    fig, ax = plt.subplots(figsize=(8, 4.2))
    height = 0.8 / len(workloads)
    for i, wl in enumerate(workloads):
        pos = np.arange(len(names)) + i * height
        vals = [wl["fit"][n]["ratio"] for n in names]
        bars = ax.barh(pos, vals, height=height, label=wl["name"])
        ax.bar_label(bars, labels=[f"{v:.2f}x" for v in vals], padding=2, fontsize=8)
    ax.axvline(1.0, color="k", lw=0.8)
    ax.axvline(1.05, color="grey", lw=0.8, ls="--", label="1.05x goal")
    ax.set_yticks(np.arange(len(names)) + height * (len(workloads) - 1) / 2, names)
    ax.invert_yaxis()
    ax.set_xlabel(f"median fit time / {BASELINE} (lower is better)")
    env = result["environment"]
    ax.set_title(f"Fit overhead ({env['date'][:10]}, {env['cpu_model']}, {env['threads'].get('tf_intra_op')} TF thread)",
                 fontsize=9)
    ax.set_xlim(0, max(1.3, 1.12 * max(wl["fit"][n]["ratio"] for wl in workloads for n in names)))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=None, help="timed rounds per workload (default: per workload)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"], help="dtype of X")
    p.add_argument("--no-predict", dest="predict", action="store_false", help="skip the predict comparison")
    p.add_argument("--verbose", action="store_true", help="print every timing")
    args = p.parse_args(argv)
    if args.wait:
        _common.wait_for_quiet(args.wait)
    _common.pin_threads(args.threads)
    env = _common.environment(quick=args.quick)
    result = {"benchmark": "overhead", "baseline": BASELINE, "environment": env, **run(args)}
    result["environment"]["loadavg_end"] = list(__import__("os").getloadavg())
    path = _common.write_json(args.out / "overhead.json", result)
    print(f"\nwrote {path}")
    if not args.no_plot:
        plot(result, args.out / "overhead.png")
        print(f"wrote {args.out / 'overhead.png'}")
    return result


if __name__ == "__main__":
    main()
