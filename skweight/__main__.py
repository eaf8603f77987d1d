"""``python -m skweight``: a cross-validated comparison of ``class_weight=None``
and ``class_weight="balanced"`` on a data set that ships with scikit-learn.

The default task is "digit 8 vs the rest" on scikit-learn's digits (about 10 %
positives): the same shape of problem as a "dog vs not dog" detector.  Each fit
uses the estimator's defaults (``epochs=None``: early stopping on the weighted
validation loss, the inputs standardised by the model itself), unless
``--epochs`` asks for a fixed number of epochs.
"""

import argparse
import json
import sys
import time

import numpy as np

SCORING = {
    "balanced_accuracy": "balanced_accuracy",
    "minority_recall": "recall",
    "roc_auc": "roc_auc",
    "average_precision": "average_precision",
}


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m skweight", description=__doc__.split("\n\n")[0])
    parser.add_argument("--digit", type=int, default=8, help="the positive class (0-9), default 8")
    parser.add_argument("--folds", type=int, default=5, help="stratified folds, default 5")
    parser.add_argument(
        "--epochs", type=int, default=None, help="training epochs per fit (default: early stopping, up to 200)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state for folds and networks")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    return parser.parse_args(argv)


def run(digit=8, folds=5, epochs=None, seed=0, out=None):
    """Run the comparison, printing to ``out`` (default: standard output);
    return ``{setting: {metric: (mean, std)}}``."""
    out = sys.stdout if out is None else out
    from sklearn.datasets import load_digits
    from sklearn.metrics import check_scoring
    from sklearn.model_selection import StratifiedKFold

    from . import WeightedKerasClassifier

    X, digits = load_digits(return_X_y=True)
    y = (digits == digit).astype(int)
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    print(
        f"digits: {len(y)} images, digit {digit} vs the rest ({y.mean():.1%} positives); "
        f"stratified {folds}-fold CV, " + ("early stopping" if epochs is None else f"{epochs} epochs per fit"),
        file=out,
    )
    settings = {"None": None, "balanced": "balanced"}
    scores = {name: {m: [] for m in SCORING} for name in settings}
    scorers = {m: check_scoring(None, scoring=s) for m, s in SCORING.items()}
    start = time.perf_counter()
    for fold, (train, test) in enumerate(cv.split(X, y), 1):
        for name, class_weight in settings.items():
            tic = time.perf_counter()
            clf = WeightedKerasClassifier(class_weight=class_weight, epochs=epochs, random_state=seed)
            clf.fit(X[train], y[train])
            for metric, scorer in scorers.items():
                scores[name][metric].append(scorer(clf, X[test], y[test]))
            print(
                f"fold {fold}/{folds}  class_weight={name:<9} "
                f"balanced_accuracy={scores[name]['balanced_accuracy'][-1]:.3f}  "
                f"minority_recall={scores[name]['minority_recall'][-1]:.3f}  ({time.perf_counter() - tic:.1f} s)",
                file=out,
                flush=True,
            )
    summary = {name: {m: (float(np.mean(v)), float(np.std(v))) for m, v in per.items()} for name, per in scores.items()}
    print(file=out)
    header = f"{'class_weight':<13}" + "".join(f"{m:>22}" for m in SCORING)
    print(header, file=out)
    print("-" * len(header), file=out)
    for name, per in summary.items():
        cells = "".join(f"{f'{mean:.3f} ± {std:.3f}':>22}" for mean, std in per.values())
        print(f"{name:<13}{cells}", file=out)
    print(f"\n{2 * folds} fits in {time.perf_counter() - start:.1f} s (mean ± std over folds)", file=out)
    return summary


def main(argv=None):
    args = _parse(argv)
    summary = run(digit=args.digit, folds=args.folds, epochs=args.epochs, seed=args.seed)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(summary, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
