"""Weighting quality: what ``class_weight`` buys on imbalanced data.

Stratified 5-fold cross-validation with the same folds for every row of the
table.  For each data set, ``WeightedKerasClassifier`` (behind a
``StandardScaler``) runs with ``class_weight=None``, ``"balanced"`` and one
dict (minority weight ``sqrt(n_majority / n_minority)``, a milder setting);
``LogisticRegression(class_weight="balanced")`` and
``HistGradientBoostingClassifier(class_weight="balanced")`` are reference rows.
Scores: balanced accuracy, minority recall, ROC AUC and average precision
(mean and standard deviation over the folds).

Data sets (all offline, minority = label 1):
``make_classification`` at 1:9 and 1:99, digits "8 vs the rest" (1:9), and
breast cancer with the malignant class subsampled to 1:19.

    python -m benchmarks.bench_quality            # full run (about 10 minutes on 2 cores)
    python -m benchmarks.bench_quality --quick    # smoke run

Writes ``quality.json`` and ``quality.png`` into ``--out``
(default ``benchmarks/results``).
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks import _harness as h

METRICS = {  # name in the table -> scikit-learn scorer
    "balanced_accuracy": "balanced_accuracy",
    "minority_recall": "recall",  # positive label 1 = the minority in every data set
    "roc_auc": "roc_auc",
    "average_precision": "average_precision",
}
SEED = 0


def datasets(quick):
    from sklearn.datasets import load_breast_cancer, load_digits, make_classification

    out = {}
    if quick:
        X, y = make_classification(
            n_samples=300, n_features=10, n_informative=4, weights=[0.9], class_sep=0.8, random_state=SEED
        )
        out["make_classification 1:9 (300)"] = (X, y)
        return out
    X, y = make_classification(
        n_samples=2_000, n_features=20, n_informative=6, weights=[0.9], class_sep=0.8, flip_y=0.01, random_state=SEED
    )
    out["make_classification 1:9"] = (X, y)
    X, y = make_classification(
        n_samples=10_000, n_features=20, n_informative=6, weights=[0.99], class_sep=1.0, flip_y=0.0, random_state=SEED
    )
    out["make_classification 1:99"] = (X, y)
    digits = load_digits()
    out["digits 8 vs rest"] = (digits.data, (digits.target == 8).astype(int))
    bc = load_breast_cancer()
    malignant = bc.target == 0  # in this data set 0 = malignant, the class we subsample
    rng = np.random.RandomState(SEED)
    benign_idx = np.flatnonzero(~malignant)
    keep = rng.choice(np.flatnonzero(malignant), size=len(benign_idx) // 19, replace=False)
    idx = np.sort(np.concatenate([benign_idx, keep]))
    out["breast cancer 1:19 (subsampled)"] = (bc.data[idx], malignant[idx].astype(int))
    return out


def models(y, quick):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skweight import WeightedKerasClassifier

    counts = np.bincount(y)
    mild = {0: 1.0, 1: float(np.sqrt(counts[0] / counts[1]))}
    keras_kw = dict(
        hidden_layer_sizes=(32,),
        epochs=2 if quick else 30,
        batch_size=64,
        random_state=SEED,
        optimizer__learning_rate=1e-3,
    )
    rows = {
        "skweight class_weight=None": (None, make_pipeline(StandardScaler(), WeightedKerasClassifier(**keras_kw))),
        "skweight class_weight='balanced'": (
            "balanced",
            make_pipeline(StandardScaler(), WeightedKerasClassifier(class_weight="balanced", **keras_kw)),
        ),
        "skweight class_weight=dict": (
            mild,
            make_pipeline(StandardScaler(), WeightedKerasClassifier(class_weight=mild, **keras_kw)),
        ),
        "LogisticRegression 'balanced'": (
            "balanced",
            make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=2_000)),
        ),
    }
    if not quick:
        rows["HistGradientBoosting 'balanced'"] = (
            "balanced",
            HistGradientBoostingClassifier(class_weight="balanced", random_state=SEED),
        )
    return rows


def run(args):
    from sklearn.model_selection import StratifiedKFold, cross_validate

    n_splits = 2 if args.quick else 5
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
    results = []
    for ds_name, (X, y) in datasets(args.quick).items():
        X = X.astype(np.float32)
        folds = list(cv.split(X, y))  # the same folds for every row
        counts = np.bincount(y)
        print(
            f"\n{ds_name}: {X.shape[0]} rows, {X.shape[1]} features, classes {counts.tolist()} "
            f"(minority {counts[1] / counts.sum():.1%}), {n_splits} stratified folds"
        )
        for row, (cw, est) in models(y, args.quick).items():
            t0 = time.perf_counter()
            scores = cross_validate(est, X, y, cv=folds, scoring=METRICS, n_jobs=1)
            entry = {
                "dataset": ds_name,
                "model": row,
                "class_weight": cw,
                "rows": int(X.shape[0]),
                "minority_fraction": counts[1] / counts.sum(),
                "folds": n_splits,
                "wall_s": time.perf_counter() - t0,
            }
            for m in METRICS:
                vals = scores[f"test_{m}"]
                entry[m] = {"mean": float(np.mean(vals)), "std": float(np.std(vals)), "folds": vals.tolist()}
            results.append(entry)
            print(f"  {row:<34} " + "  ".join(f"{m} {entry[m]['mean']:.3f}" for m in METRICS))
    return results


def _fmt(results):
    rows = []
    for r in results:
        row = {"dataset": r["dataset"], "model": r["model"]}
        for m in METRICS:
            row[m] = f"{r[m]['mean']:.3f} ± {r[m]['std']:.3f}"
        rows.append(row)
    return h.table(rows, ["dataset", "model", *METRICS])


def plot(result, path):
    plt = h.pyplot()
    res = result["results"]
    dsets = list(dict.fromkeys(r["dataset"] for r in res))
    rows = list(dict.fromkeys(r["model"] for r in res))
    fig, axes = plt.subplots(1, len(METRICS), figsize=(4.0 * len(METRICS), 4.2), sharey=True)
    width = 0.8 / len(rows)
    for ax, m in zip(np.atleast_1d(axes), METRICS):
        for i, row in enumerate(rows):
            means = [
                next((r[m]["mean"] for r in res if r["dataset"] == d and r["model"] == row), np.nan) for d in dsets
            ]
            stds = [next((r[m]["std"] for r in res if r["dataset"] == d and r["model"] == row), 0.0) for d in dsets]
            ax.barh(np.arange(len(dsets)) + i * width, means, height=width, xerr=stds, label=row, error_kw={"lw": 0.6})
        ax.set_title(m.replace("_", " "), fontsize=10)
        ax.set_xlim(0, 1.0)
        ax.grid(axis="x", lw=0.3)
    axes[0].set_yticks(np.arange(len(dsets)) + width * (len(rows) - 1) / 2, dsets, fontsize=8)
    axes[0].invert_yaxis()
    env = result["environment"]
    fig.suptitle(
        f"Stratified {res[0]['folds']}-fold CV, mean ± sd over folds "
        f"({env['date'][:10]}, skweight {env['versions']['skweight']}, Keras {env['versions']['keras']})",
        fontsize=10,
    )
    fig.legend(*np.atleast_1d(axes)[0].get_legend_handles_labels(), loc="lower center", ncol=len(rows), fontsize=8)
    h.save_figure(fig, path, rect=(0, 0.07, 1, 0.95))


def main(argv=None):
    args = h.parser(__doc__).parse_args(argv)
    env = h.start(args)
    results = run(args)
    result = {"benchmark": "quality", "metrics": list(METRICS), "environment": env, "results": results}
    print("\n" + _fmt(results))
    h.save(args.out / "quality.json", result)
    h.figures(args, lambda path: plot(result, path), "quality.png")
    return result


if __name__ == "__main__":
    main()
