"""Fit overhead of skweight against plain Keras and the other scikit-learn wrappers.

Every candidate builds, compiles and trains the same Keras model (a 64-unit
ReLU MLP with a softmax output, Adam, sparse categorical cross-entropy; the
Keras wrapper one-hot encodes ``y`` itself, so it gets categorical
cross-entropy) on the same data, with the same epochs, batch size and class
weights ("balanced" on all rows), no validation and ``verbose=0``.  Candidates
run interleaved (A B C D E A B C D E ...) in one process; the table gives
medians and their ratio to the baseline, ``keras.Model.fit(sample_weight=w)``.

    python -m benchmarks.bench_overhead            # full run (about 15 minutes on 2 cores)
    python -m benchmarks.bench_overhead --quick    # smoke run (seconds)
    python -m benchmarks.bench_overhead --base ../wt-base --profile   # + an earlier skweight, step times, profile

Prediction is timed on every workload against Keras's ``predict`` at a
throughput batch size (4096) and at its default (32).

Writes ``overhead.json`` and ``overhead.png`` into ``--out``
(default ``benchmarks/results``).
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import sys

import numpy as np

from benchmarks import _harness as h

BASELINE = "keras fit(sample_weight)"
BASE = "skweight (base)"
PREDICT_BASELINE = "keras predict(batch_size=4096)"
# --core: plain Keras, skweight and the earlier skweight only (a shorter run on a busy machine)
CORE = (BASELINE, "skweight", BASE)
CORE_PREDICT = (PREDICT_BASELINE, "keras predict()", "skweight predict_proba", "skweight (base) predict_proba")
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
        n_samples=n,
        n_features=N_FEATURES,
        n_informative=8,
        n_classes=len(CLASS_PRIOR),
        weights=CLASS_PRIOR,
        class_sep=1.0,
        random_state=0,
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


def load_base(path):
    """The ``skweight`` package found under ``path`` (e.g. a worktree of an
    earlier commit), imported as ``skweight_base`` next to the current one."""
    import importlib.util

    pkg = pathlib.Path(path).resolve() / "skweight"
    spec = importlib.util.spec_from_file_location(
        "skweight_base", pkg / "__init__.py", submodule_search_locations=[str(pkg)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["skweight_base"] = module
    spec.loader.exec_module(module)
    return module.WeightedKerasClassifier


def make_candidates(X, y, epochs, fitted, base=None):
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

    def skweight(cls=WeightedKerasClassifier, name="skweight"):
        clf = h.like_for_like(cls(model=_wrapper_model, class_weight="balanced", **fit_kw))
        clf.fit(X, y)
        fitted[name] = clf
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
    out = dict(zip(CANDIDATES, fns))
    if base is not None:
        out[BASE] = lambda: skweight(base, BASE)
    return out


def predict_candidates(X, fitted):
    """Prediction of the fitted models: probabilities from each (labels from
    the Keras wrapper, which has no ``predict_proba``; it cannot be made quiet,
    so its progress bar is written to a buffer instead of the terminal).  The
    baseline is Keras at a throughput batch size (4096); ``keras predict()``
    is Keras's default batch of 32."""

    def keras_wrapper():
        with contextlib.redirect_stdout(io.StringIO()):
            return fitted["keras SKLearnClassifier"].predict(X)

    out = {
        PREDICT_BASELINE: lambda: fitted[BASELINE].predict(X, batch_size=4096, verbose=0),
        "keras predict()": lambda: fitted[BASELINE].predict(X, verbose=0),
        "skweight predict_proba": lambda: fitted["skweight"].predict_proba(X),
        "scikeras predict_proba": lambda: fitted["scikeras KerasClassifier"].predict_proba(X),
        "keras SKLearnClassifier predict": keras_wrapper,
    }
    if BASE in fitted:
        out["skweight (base) predict_proba"] = lambda: fitted[BASE].predict_proba(X)
    return out


class _StepTimer:
    """A Keras callback factory: median wall time of a training step (from the
    end of one batch to the end of the next), without the fixed costs of fit."""

    @staticmethod
    def make():
        import keras

        class StepTimer(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.times, self.last = [], None

            def on_train_batch_end(self, batch, logs=None):
                import time

                now = time.perf_counter()
                if self.last is not None:
                    self.times.append(now - self.last)
                self.last = now

        return StepTimer()


def step_times(X, y, repeats, warmup=1):
    """Median Keras step time, plain Keras against skweight (one epoch each,
    interleaved, both with the same timing callback)."""
    import statistics

    from skweight import WeightedKerasClassifier

    classes, counts = np.unique(y, return_counts=True)
    w = (len(y) / (len(classes) * counts)).astype(np.float32)[np.searchsorted(classes, y)]
    medians = {}

    def plain():
        timer = _StepTimer.make()
        build(X.shape[1], len(classes)).fit(
            X, y, sample_weight=w, epochs=1, batch_size=BATCH, verbose=0, callbacks=[timer]
        )
        medians.setdefault(BASELINE, []).append(statistics.median(timer.times))

    def skw():
        timer = _StepTimer.make()
        h.like_for_like(
            WeightedKerasClassifier(
                model=_wrapper_model, class_weight="balanced", epochs=1, batch_size=BATCH, callbacks=[timer]
            )
        ).fit(X, y)
        medians.setdefault("skweight", []).append(statistics.median(timer.times))

    import keras

    h.interleaved({BASELINE: plain, "skweight": skw}, repeats, warmup=warmup, before_each=keras.backend.clear_session)
    out = {k: {"median_step_us": 1e6 * statistics.median(v[warmup:])} for k, v in medians.items()}
    out["skweight"]["ratio"] = out["skweight"]["median_step_us"] / out[BASELINE]["median_step_us"]
    return out


def profile_fit(X, y, epochs):
    """cProfile of one skweight fit: time inside ``keras.Model.fit`` against
    time in skweight, SciKeras and scikit-learn outside it."""
    import cProfile
    import pstats

    import keras

    from skweight import WeightedKerasClassifier

    est = h.like_for_like(
        WeightedKerasClassifier(model=_wrapper_model, class_weight="balanced", epochs=epochs, batch_size=BATCH)
    )
    keras.backend.clear_session()
    prof = cProfile.Profile()
    prof.enable()
    est.fit(X, y)
    prof.disable()
    stats = pstats.Stats(prof).stats
    total = max(v[3] for k, v in stats.items() if k[2] == "fit" and "skweight" in k[0])
    keras_fit = max(v[3] for k, v in stats.items() if k[2] == "fit" and "/trainer.py" in k[0])
    build_s = max((v[3] for k, v in stats.items() if k[2] == "_build_keras_model" and "scikeras" in k[0]), default=0.0)
    ours = sorted(
        (
            (v[3], f"{pathlib.Path(k[0]).parent.name}/{pathlib.Path(k[0]).name}:{k[2]}")
            for k, v in stats.items()
            if any(s in k[0] for s in ("skweight", "scikeras", "sklearn")) and "/trainer.py" not in k[0]
        ),
        reverse=True,
    )
    top = [{"function": name, "cumulative_s": c} for c, name in ours if c < total * 0.999][:12]
    return {
        "total_s": total,
        "keras_fit_s": keras_fit,
        "model_build_s": build_s,
        "outside_keras_fit_s": total - keras_fit,
        "outside_share": (total - keras_fit) / total,
        "outside_excluding_build_s": total - keras_fit - build_s,
        "top_outside": top,
    }


class _StubbedFit:
    """Within the block ``keras.Model.fit``/``predict``/``predict_on_batch`` return at once, so only
    the wrappers' own work (validation, encoding, weights) is timed."""

    def __enter__(self):
        import keras

        self.saved = keras.Model.fit, keras.Model.predict, keras.Model.predict_on_batch

        class _History:
            history = {"loss": [0.0]}

        def fit(model, x=None, y=None, **kw):
            return _History()

        def predict(model, x=None, **kw):
            return np.full((len(x), model.outputs[0].shape[-1]), 1.0 / model.outputs[0].shape[-1], np.float32)

        def predict_on_batch(model, x):
            return predict(model, x)

        keras.Model.fit, keras.Model.predict, keras.Model.predict_on_batch = fit, predict, predict_on_batch
        return self

    def __exit__(self, *exc):
        import keras

        keras.Model.fit, keras.Model.predict, keras.Model.predict_on_batch = self.saved
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
    pred = {
        "skweight": "predict_proba",
        "scikeras KerasClassifier": "predict_proba",
        "keras SKLearnClassifier": "predict",
    }
    with _StubbedFit():
        fits = h.interleaved({k: (lambda e=e: e.fit(X, y)) for k, e in ests.items()}, repeats, warmup=1)
        preds = h.interleaved(
            {k: (lambda e=e, m=pred[k]: getattr(e, m)(X)) for k, e in ests.items()}, repeats, warmup=1
        )
    return {k: {"fit_median_s": fits[k]["median"], "predict_median_s": preds[k]["median"]} for k in ests}


def run(args):
    import keras

    workloads = QUICK if args.quick else WORKLOADS
    if args.large_only:
        workloads = workloads[-1:]
    if args.epochs:
        workloads = [(f"{n // 1000}k rows x {args.epochs} epochs", n, args.epochs, r) for _, n, _, r in workloads]
    dtype = np.dtype(args.dtype)
    base = load_base(args.base) if args.base else None
    out = {"workloads": [], "base": str(args.base) if args.base else None}
    for name, n, epochs, repeats in workloads:
        if args.repeats:
            repeats = args.repeats
        X, y = make_data(n, dtype)
        print(f"\n{name}: X {X.shape} {X.dtype}, classes {np.bincount(y).tolist()}, batch {BATCH}, {repeats} rounds")
        fitted = {}
        cands = make_candidates(X, y, epochs, fitted, base)
        if args.core:
            cands = {k: v for k, v in cands.items() if k in CORE}
        res = h.interleaved(
            cands,
            repeats=repeats,
            warmup=0 if args.quick else 1,
            before_each=keras.backend.clear_session,
            log=print if args.verbose else None,
        )
        steps = {k: r["facts"].get("steps") for k, r in res.items()}
        if len(set(steps.values())) != 1:
            raise RuntimeError(f"candidates trained different numbers of steps: {steps}")
        if not res["skweight"]["facts"].get("weights_match"):
            raise RuntimeError("skweight used other class weights than the other candidates")
        rat = h.ratios(res, BASELINE)
        entry = {
            "name": name,
            "rows": n,
            "features": N_FEATURES,
            "epochs": epochs,
            "batch_size": BATCH,
            "steps": steps[BASELINE],
            "repeats": repeats,
            "x_dtype": str(dtype),
            "loadavg": list(os.getloadavg()),
            "fit": {
                k: {
                    "median_s": r["median"],
                    "min_s": r["min"],
                    "max_s": r["max"],
                    "times_s": r["times"],
                    "ratio": rat[k],
                }
                for k, r in res.items()
            },
        }
        if args.predict:
            pcands = {k: v for k, v in predict_candidates(X, fitted).items() if not args.core or k in CORE_PREDICT}
            pres = h.interleaved(pcands, repeats=max(1 if args.quick else 4, repeats), warmup=0 if args.quick else 1)
            prat = h.ratios(pres, PREDICT_BASELINE)
            entry["predict"] = {
                k: {"median_s": r["median"], "times_s": r["times"], "ratio": prat[k]} for k, r in pres.items()
            }
        entry["own_time"] = own_time(X, y, epochs, repeats=3 if args.quick else 21)
        fit_base = entry["fit"][BASELINE]["median_s"]
        for v in entry["own_time"].values():
            v["fit_share_of_baseline"] = v["fit_median_s"] / fit_base
        if args.profile:
            entry["step_time"] = step_times(X, y, repeats=1 if args.quick else 4, warmup=0 if args.quick else 1)
            entry["profile"] = profile_fit(X, y, epochs)
        out["workloads"].append(entry)
        print(_fmt(entry))
    print("\n" + _summary(out["workloads"]))
    return out


def _summary(workloads):
    rows = []
    for wl in workloads:
        row = {"workload": wl["name"], "fit skweight / keras": f"{wl['fit']['skweight']['ratio']:.3f}x"}
        if BASE in wl["fit"]:
            row["fit base / keras"] = f"{wl['fit'][BASE]['ratio']:.3f}x"
        if "predict" in wl:
            row["predict_proba / keras(4096)"] = f"{wl['predict']['skweight predict_proba']['ratio']:.3f}x"
            if "skweight (base) predict_proba" in wl["predict"]:
                row["base predict_proba / keras(4096)"] = (
                    f"{wl['predict']['skweight (base) predict_proba']['ratio']:.3f}x"
                )
        rows.append(row)
    return "fit and predict side by side (median ratios)\n" + h.table(rows)


def _fmt(entry):
    rows = [
        {
            "candidate": k,
            "median s": v["median_s"],
            "ratio": f"{v['ratio']:.3f}x",
            "min s": v["min_s"],
            "max s": v["max_s"],
        }
        for k, v in entry["fit"].items()
    ]
    text = h.table(rows, ["candidate", "median s", "ratio", "min s", "max s"])
    orow = [
        {
            "wrapper": k,
            "own fit ms": 1e3 * v["fit_median_s"],
            "% of baseline fit": 100 * v["fit_share_of_baseline"],
            "own predict ms": 1e3 * v["predict_median_s"],
        }
        for k, v in entry["own_time"].items()
    ]
    text += "\n\nwrappers' own work (Keras fit/predict stubbed; model building excluded)\n" + h.table(
        orow, ["wrapper", "own fit ms", "% of baseline fit", "own predict ms"], "{:.2f}"
    )
    if "predict" in entry:
        prow = [
            {"candidate": k, "median s": v["median_s"], "ratio": f"{v['ratio']:.3f}x"}
            for k, v in entry["predict"].items()
        ]
        text += f"\n\npredict on the same rows (ratio to {PREDICT_BASELINE})\n" + h.table(
            prow, ["candidate", "median s", "ratio"]
        )
    if "step_time" in entry:
        st = entry["step_time"]
        text += (
            f"\n\nmedian Keras step: plain {st[BASELINE]['median_step_us']:.0f} us, skweight "
            f"{st['skweight']['median_step_us']:.0f} us ({st['skweight']['ratio']:.3f}x)"
        )
    if "profile" in entry:
        pr = entry["profile"]
        text += (
            f"\nprofile of one skweight fit: {pr['total_s']:.3f} s, of which keras.Model.fit {pr['keras_fit_s']:.3f} s,"
            f" model building {pr['model_build_s']:.3f} s, the rest {pr['outside_excluding_build_s'] * 1e3:.1f} ms"
        )
    return text


def plot(result, path):
    plt = h.pyplot()
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
    ax.set_title(
        f"Fit overhead ({env['date'][:10]}, {env['cpu_model']}, {env['threads'].get('tf_intra_op')} TF thread)",
        fontsize=9,
    )
    ax.set_xlim(0, max(1.3, 1.12 * max(wl["fit"][n]["ratio"] for wl in workloads for n in names)))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    h.save_figure(fig, path)


def _parser():
    p = h.parser(__doc__)
    p.add_argument("--repeats", type=int, default=None, help="timed rounds per workload (default: per workload)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"], help="dtype of X")
    p.add_argument("--no-predict", dest="predict", action="store_false", help="skip the predict comparison")
    p.add_argument("--verbose", action="store_true", help="print every timing")
    p.add_argument(
        "--base",
        type=pathlib.Path,
        default=None,
        help="also time the skweight package under this folder (e.g. a worktree of an earlier commit)",
    )
    p.add_argument("--profile", action="store_true", help="also time Keras steps and cProfile one skweight fit")
    p.add_argument("--large-only", action="store_true", help="only the largest workload")
    p.add_argument("--epochs", type=int, default=None, help="epochs of every workload (default: per workload)")
    p.add_argument(
        "--core", action="store_true", help="only plain Keras, skweight and --base (no other wrappers): a shorter run"
    )
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    env = h.start(args)
    result = {"benchmark": "overhead", "baseline": BASELINE, "environment": env, **run(args)}
    h.save(args.out / "overhead.json", result)
    h.figures(args, lambda path: plot(result, path), "overhead.png")
    return result


if __name__ == "__main__":
    main()
