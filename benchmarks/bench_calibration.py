"""Probabilities after class weighting: does ``predict_proba_prior`` undo the shift?

On imbalanced data sets, stratified k-fold cross-validation, one network
architecture, four probability estimates side by side on the same folds:

* ``unweighted``      ``class_weight=None``, ``predict_proba``
* ``balanced``        ``class_weight="balanced"``, ``predict_proba`` (shifted towards the minority)
* ``balanced_prior``  the same fitted model, ``predict_proba_prior`` (divided by the weights used)
* ``balanced_platt``  ``CalibratedClassifierCV(balanced model, method="sigmoid", cv=3)``, for reference

Scores on the held-out fold: log-loss and Brier score (lower is better,
both measure calibration), ROC AUC (ranking; the correction must not change
it for binary targets) and balanced accuracy of the argmax decision (for
context: ``predict`` keeps the weighted decision, the argmax of the corrected
probabilities is the unweighted one).  Each fold fits every candidate in turn
(interleaved); the table shows medians over folds and ratios of medians.

Run from the repository root::

    python -m benchmarks.bench_calibration            # full run (a few minutes on 2 cores)
    python -m benchmarks.bench_calibration --quick    # smoke run (seconds)

Writes ``calibration.json`` and ``calibration.png`` into ``--out``
(default ``benchmarks/results``).
"""

import time

import numpy as np

from benchmarks import _harness as h

VARIANTS = ("unweighted", "balanced", "balanced_prior", "balanced_platt")
METRICS = ("log_loss", "brier", "roc_auc", "balanced_accuracy")


def _parse(argv):
    p = h.parser(__doc__, quick="smoke run: one small data set, 2 folds, 2 epochs", machine=False)
    p.add_argument("--folds", type=int, default=5, help="stratified folds (default 5)")
    p.add_argument("--epochs", type=int, default=30, help="epochs per fit (default 30)")
    p.add_argument("--seed", type=int, default=0, help="seed of data, folds and networks (default 0)")
    return p.parse_args(argv)


def datasets(quick, seed):
    """``{name: (X, y, description)}``; features standardised per fold later."""
    from sklearn.datasets import load_digits, make_classification

    def synth(n, weights, n_classes=2):
        X, y = make_classification(
            n_samples=n,
            n_features=20,
            n_informative=8,
            n_redundant=4,
            n_classes=n_classes,
            weights=weights,
            class_sep=0.8,
            flip_y=0.01,
            random_state=seed,
        )
        return X.astype(np.float32), y

    if quick:
        X, y = synth(300, [0.9])
        return {"synth_1to9": (X, y, "make_classification, 300 rows, 1:9")}
    out = {}
    X, y = synth(2000, [0.9])
    out["synth_1to9"] = (X, y, "make_classification, 2000 rows, 20 features, 1:9")
    X, y = synth(2000, [0.95])
    out["synth_1to19"] = (X, y, "make_classification, 2000 rows, 20 features, 1:19")
    digits = load_digits()
    out["digits_8_vs_rest"] = (
        (digits.data / 16.0).astype(np.float32),
        (digits.target == 8).astype(int),
        "scikit-learn digits, 1797 images, digit 8 vs the rest",
    )
    X, y = synth(2000, [0.80, 0.15, 0.05], n_classes=3)
    out["synth_3class"] = (X, y, "make_classification, 2000 rows, 3 classes 80/15/5 %")
    return out


def _scores(y, proba, classes):
    from sklearn.metrics import balanced_accuracy_score, brier_score_loss, log_loss, roc_auc_score

    proba = np.clip(proba, 0.0, 1.0)
    if len(classes) == 2:
        auc = roc_auc_score(y, proba[:, 1])
        brier = brier_score_loss(y, proba[:, 1], pos_label=classes[1])
    else:
        auc = roc_auc_score(y, proba, multi_class="ovr", labels=classes)
        brier = brier_score_loss(y, proba, labels=classes)
    return {
        "log_loss": float(log_loss(y, proba, labels=classes)),
        "brier": float(brier),
        "roc_auc": float(auc),
        "balanced_accuracy": float(balanced_accuracy_score(y, classes[np.argmax(proba, axis=1)])),
    }


def evaluate(X, y, folds, epochs, seed, quick):
    """Per-fold scores of every variant, and the pooled out-of-fold probabilities."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    from skweight import WeightedKerasClassifier

    classes = np.unique(y)
    per_fold = {v: {m: [] for m in METRICS} for v in VARIANTS}
    oof = {v: np.zeros((len(y), len(classes))) for v in VARIANTS}
    weights = []
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)

    def net(class_weight):
        return WeightedKerasClassifier(
            class_weight=class_weight, hidden_layer_sizes=(32,), epochs=epochs, batch_size=64, random_state=seed
        )

    for train, test in cv.split(X, y):
        scaler = StandardScaler().fit(X[train])
        X_tr, X_te = scaler.transform(X[train]), scaler.transform(X[test])
        unweighted = net(None).fit(X_tr, y[train])
        balanced = net("balanced").fit(X_tr, y[train])
        platt = CalibratedClassifierCV(net("balanced"), method="sigmoid", cv=2 if quick else 3).fit(X_tr, y[train])
        probas = {
            "unweighted": unweighted.predict_proba(X_te),
            "balanced": balanced.predict_proba(X_te),
            "balanced_prior": balanced.predict_proba_prior(X_te),
            "balanced_platt": platt.predict_proba(X_te),
        }
        # predict keeps the weighted decision
        assert np.array_equal(balanced.predict(X_te), classes[np.argmax(probas["balanced"], axis=1)])
        weights.append([balanced.class_weight_[c] for c in classes.tolist()])
        for variant, proba in probas.items():
            oof[variant][test] = proba
            for metric, value in _scores(y[test], proba, classes).items():
                per_fold[variant][metric].append(value)
    return per_fold, oof, np.median(np.array(weights), axis=0)


def summarise(per_fold):
    med = {v: {m: float(np.median(per_fold[v][m])) for m in METRICS} for v in VARIANTS}
    ratios = {f"{m}_prior_over_balanced": med["balanced_prior"][m] / med["balanced"][m] for m in ("log_loss", "brier")}
    ratios.update(
        {f"{m}_prior_over_unweighted": med["balanced_prior"][m] / med["unweighted"][m] for m in ("log_loss", "brier")}
    )
    auc_change = np.abs(np.array(per_fold["balanced_prior"]["roc_auc"]) - np.array(per_fold["balanced"]["roc_auc"]))
    return med, ratios, float(auc_change.max())


def print_table(name, description, prevalence, med, ratios, auc_change):
    print(f"\n{name}: {description}; minority share {prevalence:.1%}")
    print(h.table([{"variant": v, **med[v]} for v in VARIANTS], ["variant", *METRICS], floatfmt="{:.4f}"))
    print(
        f"prior/balanced: log-loss x{ratios['log_loss_prior_over_balanced']:.3f}, "
        f"Brier x{ratios['brier_prior_over_balanced']:.3f};  prior/unweighted: "
        f"log-loss x{ratios['log_loss_prior_over_unweighted']:.3f}, "
        f"Brier x{ratios['brier_prior_over_unweighted']:.3f};  "
        f"largest per-fold ROC AUC change prior vs balanced: {auc_change:.2e}"
    )


def plot(results, oofs, path):
    from sklearn.calibration import calibration_curve

    plt = h.pyplot()
    names = list(results)
    binary = [n for n in names if results[n]["n_classes"] == 2]
    fig, axes = plt.subplots(2, 3, figsize=(15, 9))
    width = 0.8 / len(VARIANTS)
    colors = {
        "unweighted": "tab:gray",
        "balanced": "tab:red",
        "balanced_prior": "tab:blue",
        "balanced_platt": "tab:green",
    }
    for ax, metric in zip(axes[0], ("log_loss", "brier", "roc_auc")):
        for i, variant in enumerate(VARIANTS):
            values = [results[n]["median"][variant][metric] for n in names]
            ax.bar(np.arange(len(names)) + (i - 1.5) * width, values, width, label=variant, color=colors[variant])
        ax.set_xticks(np.arange(len(names)))
        ax.set_xticklabels(names, rotation=15, fontsize=8)
        ax.set_title(f"{metric} (median over folds)" + ("" if metric == "roc_auc" else ", lower is better"))
        if metric == "roc_auc":
            lo = min(results[n]["median"][v][metric] for n in names for v in VARIANTS)
            ax.set_ylim(max(0.0, lo - 0.05), 1.0)
    axes[0][0].legend(fontsize=8)
    for ax, name in zip(axes[1], binary[:3]):
        y = results[name]["_y"]
        for variant in VARIANTS:
            frac, mean_pred = calibration_curve(y, oofs[name][variant][:, 1], n_bins=10, strategy="quantile")
            ax.plot(mean_pred, frac, marker="o", ms=3, label=variant, color=colors[variant])
        ax.plot([0, 1], [0, 1], ls=":", color="black", lw=1)
        ax.set_title(f"reliability, {name} (out-of-fold)")
        ax.set_xlabel("mean predicted probability of the minority class")
        ax.set_ylabel("observed frequency")
        ax.legend(fontsize=8)
    for ax in axes[1][len(binary[:3]) :]:
        ax.axis("off")
    h.save_figure(fig, path, dpi=90)


def calibrate(name, X, y, description, folds, epochs, args):
    """One data set: scores of every variant over the folds, printed; its JSON entry and
    out-of-fold probabilities."""
    tic = time.perf_counter()
    per_fold, oof, weights = evaluate(X, y, folds, epochs, args.seed, args.quick)
    med, ratios, auc_change = summarise(per_fold)
    prevalence = float(np.bincount(y).min() / len(y))
    print_table(name, description, prevalence, med, ratios, auc_change)
    print(f"  ({time.perf_counter() - tic:.0f} s)", flush=True)
    entry = {
        "description": description,
        "n_samples": int(len(y)),
        "n_classes": int(len(np.unique(y))),
        "minority_share": prevalence,
        "median_class_weight": [float(w) for w in weights],
        "median": med,
        "ratios": ratios,
        "max_abs_roc_auc_change_prior_vs_balanced": auc_change,
        "folds": per_fold,
        "_y": y,
    }
    return entry, oof


def main(argv=None):
    args = _parse(argv)
    folds = 2 if args.quick else args.folds
    epochs = 2 if args.quick else args.epochs
    env = h.environment(quick=args.quick)
    start = time.perf_counter()
    print(f"stratified {folds}-fold CV, MLP (32,), {epochs} epochs, batch 64, seed {args.seed}; medians over folds")
    results, oofs = {}, {}
    for name, (X, y, description) in datasets(args.quick, args.seed).items():
        results[name], oofs[name] = calibrate(name, X, y, description, folds, epochs, args)
    config = dict(folds=folds, epochs=epochs, seed=args.seed, hidden_layer_sizes=[32], batch_size=64)
    payload = {
        "benchmark": "calibration of probabilities after class weighting",
        "command": "python -m benchmarks.bench_calibration" + (" --quick" if args.quick else ""),
        "config": {**config, "quick": bool(args.quick), "platt_cv": 2 if args.quick else 3},
        "environment": env,
        "seconds": round(time.perf_counter() - start, 1),
        "datasets": {n: {k: v for k, v in r.items() if not k.startswith("_")} for n, r in results.items()},
    }
    h.save(args.out / "calibration.json", payload)
    h.figures(args, lambda path: plot(results, oofs, path), "calibration.png")
    print(f"{time.perf_counter() - start:.0f} s in all")
    return payload


if __name__ == "__main__":
    main()
