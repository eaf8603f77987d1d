"""The decision threshold of a binary target: ``decision_threshold`` and
``decision_threshold_scoring`` checked, and the threshold that maximises a
scikit-learn scorer on validation rows found without another fit (NumPy and
scikit-learn only).

Semantics follow scikit-learn's :class:`~sklearn.model_selection.FixedThresholdClassifier`
and :class:`~sklearn.model_selection.TunedThresholdClassifierCV`: the score is
the probability of the positive class, ``classes_[1]``, and a row is predicted
positive when that probability is **at least** the threshold.  The search
differs from ``TunedThresholdClassifierCV`` in three ways: it scores the
probabilities of one model on its own validation rows (no refit per fold);
its candidates are the midpoints between consecutive distinct probabilities
(every distinct prediction the validation rows allow, rather than 100 evenly
spaced values), thinned by rank to at most ``max_thresholds``; and of the
candidates that tie for the best score it takes the one nearest 0.5 (the
smallest of two equally near), the least departure from the default decision,
where scikit-learn takes the smallest.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = [
    "COUNT_SCORERS",
    "MAX_THRESHOLDS",
    "ThresholdSearch",
    "check_decision_threshold",
    "check_threshold_kind",
    "check_threshold_scoring",
    "threshold_candidates",
    "tune_threshold",
    "apply_threshold",
]

#: Most candidate thresholds one search scores (each is one scorer call).
MAX_THRESHOLDS = 1000
# scores this close to the best count as tied (scorers sum floats in different orders)
_TIE = 1e-12

_LABEL_SCORERS = "'balanced_accuracy', 'f1', 'accuracy', 'precision', 'recall', 'matthews_corrcoef', 'jaccard'"


def check_decision_threshold(value, param="decision_threshold"):
    """``None``, ``"auto"`` or a float strictly between 0 and 1, else an error naming ``param``.

    Examples
    --------
    >>> from skweight._threshold import check_decision_threshold
    >>> check_decision_threshold(0.3), check_decision_threshold("auto"), check_decision_threshold(None)
    (0.3, 'auto', None)
    """
    accepted = "None (the most probable class), a float strictly between 0 and 1, or 'auto'"
    if value is None:
        return None
    if isinstance(value, str):
        if value != "auto":
            raise ValueError(f"{param}={value!r} is not accepted; give {accepted}.")
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"{param}={value!r} has type {type(value).__name__}; give {accepted}.")
    t = float(value)
    if not (0.0 < t < 1.0):
        raise ValueError(f"{param}={value!r} is outside (0, 1); give {accepted}.")
    return t


def check_threshold_kind(kind, param="decision_threshold"):
    """A decision threshold applies to binary targets only."""
    if kind != "binary":
        raise ValueError(
            f"{param} is given, but the target is {kind!r}; a decision threshold applies to binary targets "
            "(one probability per row). Use cost_matrix for a multiclass, one-hot or ordinal target, or "
            f"{param}=None."
        )


def _labels_estimator(labels):
    """What a scorer scores: an 'estimator' whose ``predict`` gives fixed labels
    (a scikit-learn ``BaseEstimator``, so that scorers can read its tags)."""
    from sklearn.base import BaseEstimator

    class _Labels(BaseEstimator):
        def __init__(self, labels=None):
            self.labels = labels

        def predict(self, X):
            return self.labels

    return _Labels(labels)


def _call(scorer, labels, y_true, sample_weight):
    est = _labels_estimator(labels)
    X = np.empty((len(y_true), 0))
    if sample_weight is None:
        return float(scorer(est, X, y_true))
    return float(scorer(est, X, y_true, sample_weight=sample_weight))


def check_threshold_scoring(scoring, param="decision_threshold_scoring"):
    """The scorer of ``scoring``: a scikit-learn scorer name (or a scorer
    callable) that scores predicted labels.

    Checked by scoring four probe rows, so that a name scikit-learn does not
    know, or a scorer that needs probabilities or decision values (which a
    threshold does not change, e.g. ``"roc_auc"``, ``"neg_log_loss"``), is a
    ``ValueError`` before any training.

    Examples
    --------
    >>> from skweight._threshold import check_threshold_scoring
    >>> check_threshold_scoring("f1")
    make_scorer(f1_score, ...)
    >>> check_threshold_scoring("roc_auc")
    Traceback (most recent call last):
    ...
    ValueError: decision_threshold_scoring='roc_auc' scores probabilities or decision values, ...
    """
    from sklearn.metrics import get_scorer

    if isinstance(scoring, str):
        try:
            scorer = get_scorer(scoring)
        except ValueError:
            raise ValueError(
                f"{param}={scoring!r} is not a scikit-learn scorer name; give a name that "
                f"sklearn.metrics.get_scorer knows and that scores predicted labels, e.g. {_LABEL_SCORERS}."
            ) from None
    elif callable(scoring):
        scorer = scoring
    else:
        raise TypeError(
            f"{param}={scoring!r} has type {type(scoring).__name__}; give a scikit-learn scorer name such as "
            f"{_LABEL_SCORERS} (or a scorer made with sklearn.metrics.make_scorer)."
        )
    probe_y = np.array([0, 1, 0, 1])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = _call(scorer, np.array([0, 1, 1, 1]), probe_y, None)
    except AttributeError:
        raise ValueError(
            f"{param}={scoring!r} scores probabilities or decision values, which a threshold does not change; "
            f"give a scorer of predicted labels, e.g. {_LABEL_SCORERS}."
        ) from None
    except Exception as exc:  # a scorer for another kind of target (e.g. 'f1_samples')
        raise ValueError(
            f"{param}={scoring!r} cannot score the labels of a binary target ({type(exc).__name__}: {exc}); "
            f"give a scorer of binary labels, e.g. {_LABEL_SCORERS}."
        ) from None
    if not np.isfinite(value):
        raise ValueError(f"{param}={scoring!r} gave a non-finite score ({value!r}) on binary labels.")
    return scorer


def threshold_candidates(proba, max_thresholds=MAX_THRESHOLDS):
    """The thresholds worth trying on positive-class probabilities ``proba``.

    One threshold per distinct prediction the rows allow: the midpoints
    between consecutive distinct probabilities, and below the smallest and
    above the largest (all rows positive, all negative) where those lie in
    (0, 1).  More than ``max_thresholds`` are thinned evenly by rank (about
    every ``m / max_thresholds``-th gap), keeping the two ends.

    Returns
    -------
    ndarray, sorted, strictly inside (0, 1)

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._threshold import threshold_candidates
    >>> threshold_candidates(np.array([0.2, 0.6, 0.2, 0.9]))
    array([0.1 , 0.4 , 0.75, 0.95])
    """
    if isinstance(max_thresholds, bool) or not isinstance(max_thresholds, numbers.Integral) or max_thresholds < 3:
        raise ValueError(f"max_thresholds={max_thresholds!r} must be an int of at least 3.")
    u = np.unique(np.asarray(proba, dtype=np.float64))
    lo, hi = u[:-1], u[1:]
    mids = lo + (hi - lo) / 2
    mids = np.where(mids > lo, mids, hi)  # adjacent floats: keep lo negative, hi positive
    inner = max_thresholds - 2
    if len(mids) > inner:
        mids = mids[np.unique(np.round(np.linspace(0, len(mids) - 1, inner)).astype(np.intp))]
    ends = []
    if u[0] > 0 and 0 < u[0] / 2 < u[0]:
        ends.append(u[0] / 2)
    if u[-1] < 1 and u[-1] < (u[-1] + 1) / 2 < 1:
        ends.append((u[-1] + 1) / 2)
    out = np.unique(np.concatenate([mids, ends]))
    return out[(out > 0) & (out < 1)]


def apply_threshold(proba, threshold):
    """1 where the positive-class probability is at least ``threshold``, else 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._threshold import apply_threshold
    >>> apply_threshold(np.array([0.2, 0.3, 0.7]), 0.3)
    array([0, 1, 1])
    """
    return (np.asarray(proba) >= threshold).astype(int)


@dataclass(frozen=True)
class ThresholdSearch:
    """The result of :func:`tune_threshold`.

    Attributes
    ----------
    threshold : float
        The chosen threshold (``threshold_`` of the estimator).
    score : float
        The scorer's value there (greater is better, as scikit-learn's scorers).
    thresholds, scores : ndarray
        Every candidate and its score, thresholds ascending.
    """

    threshold: float
    score: float
    thresholds: np.ndarray
    scores: np.ndarray


def _check_rows(y_true, proba, sample_weight):
    y = np.asarray(y_true)
    p = np.asarray(proba, dtype=np.float64)
    if y.ndim != 1 or p.ndim != 1 or len(y) != len(p):
        raise ValueError(
            f"y_true and proba must be 1-D of one length (one positive-class probability per row); got shapes "
            f"{y.shape} and {p.shape}."
        )
    if y.size == 0 or not np.all(np.isin(y, [0, 1])):
        raise ValueError("y_true must hold the class codes 0 (negative, classes_[0]) and 1 (positive, classes_[1]).")
    y = y.astype(int)
    if np.unique(y).size < 2:
        raise ValueError(
            f"decision_threshold='auto' needs validation rows of both classes to tune the threshold on; these "
            f"{len(y)} rows hold class code {int(y[0])} only. Give more rows, a larger validation_fraction, or a "
            "fixed decision_threshold."
        )
    if not np.all(np.isfinite(p)) or p.min() < 0 or p.max() > 1:
        raise ValueError("proba must hold probabilities in [0, 1].")
    w = None
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.shape != y.shape or not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
            raise ValueError("sample_weight must be finite, non-negative, not all 0 and one per row.")
    return y, p, w


#: Scorer names computed from confusion counts for all candidates at once (the same
#: values as scikit-learn's scorers, to float rounding; ``tests/test_threshold.py`` checks it).
COUNT_SCORERS = ("accuracy", "balanced_accuracy", "f1", "precision", "recall", "jaccard", "matthews_corrcoef")


def _count_scores(scoring, y, p, w, cands):
    """The scores of ``scoring`` at every candidate from cumulative confusion
    counts, or None for a scorer this does not cover."""
    if not isinstance(scoring, str) or scoring not in COUNT_SCORERS:
        return None
    w = np.ones(len(y)) if w is None else w
    order = np.argsort(p, kind="stable")
    ps, pos_w = p[order], (w * y)[order]
    neg_w = w[order] - pos_w
    # rows at or above a threshold are predicted positive: counts of the rows below it, from the left
    cum_pos = np.concatenate([[0.0], np.cumsum(pos_w)])
    cum_neg = np.concatenate([[0.0], np.cumsum(neg_w)])
    P, N = cum_pos[-1], cum_neg[-1]
    if P <= 0 or N <= 0:
        return None  # a class without weight: leave scikit-learn's own warnings and rules to it
    below = np.searchsorted(ps, cands, side="left")
    fn, tn = cum_pos[below], cum_neg[below]
    tp, fp = P - fn, N - tn
    with np.errstate(divide="ignore", invalid="ignore"):
        if scoring == "accuracy":
            out = (tp + tn) / (P + N)
        elif scoring == "balanced_accuracy":
            out = (tp / P + tn / N) / 2
        elif scoring == "recall":
            out = tp / P
        elif scoring == "precision":
            out = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        elif scoring == "f1":
            out = 2 * tp / (2 * tp + fp + fn)
        elif scoring == "jaccard":
            out = tp / (tp + fp + fn)
        else:  # matthews_corrcoef; 0 where a margin is empty, as scikit-learn gives
            den = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
            out = np.where(den > 0, (tp * tn - fp * fn) / den, 0.0)
    return out


def tune_threshold(
    y_true, proba, scoring="balanced_accuracy", sample_weight=None, *, max_thresholds=MAX_THRESHOLDS, _fast=True
):
    """The threshold on positive-class probabilities that maximises ``scoring``.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Class codes of the validation rows: 1 for ``classes_[1]`` (the
        positive class, as scikit-learn's binary metrics take it), 0 else.
        Both must occur.
    proba : array-like of shape (n,)
        ``predict_proba(X_val)[:, 1]``.
    scoring : str or callable, default "balanced_accuracy"
        A scikit-learn scorer name (or scorer) of predicted labels, see
        :func:`check_threshold_scoring`.
    sample_weight : array-like of shape (n,), optional
        Passed to the scorer.
    max_thresholds : int, default MAX_THRESHOLDS
        Most candidates scored (see :func:`threshold_candidates`).

    The scorer names of :data:`COUNT_SCORERS` are computed for all candidates
    at once from cumulative (weighted) confusion counts, with scikit-learn's
    definitions (an undefined precision scores 0, as scikit-learn's default
    ``zero_division`` gives); any other scorer is called once per candidate.

    Returns
    -------
    ThresholdSearch

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._threshold import tune_threshold
    >>> y = np.array([0, 0, 0, 0, 1, 1])
    >>> p = np.array([0.1, 0.2, 0.3, 0.45, 0.4, 0.6])
    >>> result = tune_threshold(y, p)
    >>> result.threshold, result.score  # rows at 0.4, 0.45 and 0.6 predicted positive
    (0.35, 0.875)
    >>> tune_threshold([0, 1, 0, 1], [0.2, 0.4, 0.6, 0.8]).threshold  # 0.3 and 0.7 tie; equally near 0.5
    0.3
    """
    scorer = check_threshold_scoring(scoring)
    y, p, w = _check_rows(y_true, proba, sample_weight)
    cands = threshold_candidates(p, max_thresholds)
    scores = _count_scores(scoring, y, p, w, cands) if _fast else None
    if scores is None:
        scores = np.empty(len(cands))
        with warnings.catch_warnings():
            # e.g. precision with no positive prediction: scikit-learn warns and scores 0, as wanted here
            warnings.simplefilter("ignore")
            for i, t in enumerate(cands):
                scores[i] = _call(scorer, apply_threshold(p, t), y, w)
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"decision_threshold_scoring={scoring!r} gave non-finite scores on these rows.")
    best = scores.max()
    tied = np.flatnonzero(scores >= best - _TIE * max(1.0, abs(best)))
    pick = tied[np.lexsort((cands[tied], np.abs(cands[tied] - 0.5)))[0]]
    return ThresholdSearch(float(cands[pick]), float(scores[pick]), cands, scores)
