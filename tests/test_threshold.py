"""skweight._threshold: decision_threshold / decision_threshold_scoring checks
and the threshold search on validation rows (NumPy and scikit-learn)."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import fbeta_score, get_scorer, make_scorer
from sklearn.model_selection import FixedThresholdClassifier

from skweight._threshold import (
    COUNT_SCORERS,
    apply_threshold,
    check_decision_threshold,
    check_threshold_kind,
    check_threshold_scoring,
    threshold_candidates,
    tune_threshold,
)


def _rows(seed, n=60, ties=True):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    p = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0.01, 0.99)
    return y, (np.round(p, 1) if ties else p)  # rounding makes many rows share a probability


# --------------------------------------------------------------------------- #
# parameter checks
# --------------------------------------------------------------------------- #
def test_accepted_thresholds():
    assert check_decision_threshold(None) is None
    assert check_decision_threshold("auto") == "auto"
    assert check_decision_threshold(np.float32(0.25)) == pytest.approx(0.25)
    assert check_decision_threshold(1e-9) == 1e-9


@pytest.mark.parametrize("value", [0, 1, 0.0, 1.0, -0.1, 1.5, float("nan"), float("inf")])
def test_thresholds_outside_the_open_unit_interval(value):
    with pytest.raises(ValueError, match=r"decision_threshold=.* is outside \(0, 1\); give None .*'auto'"):
        check_decision_threshold(value)


@pytest.mark.parametrize("value, error", [("best", ValueError), (True, TypeError), ([0.5], TypeError)])
def test_thresholds_of_the_wrong_form(value, error):
    with pytest.raises(error, match=r"decision_threshold=.*give None \(the most probable class\), a float"):
        check_decision_threshold(value)


@pytest.mark.parametrize("kind", ["multiclass", "onehot", "multilabel", "ordinal", "sequence", "multioutput"])
def test_only_binary_targets_take_a_threshold(kind):
    check_threshold_kind("binary")
    with pytest.raises(ValueError, match=rf"decision_threshold is given, but the target is '{kind}'"):
        check_threshold_kind(kind)


def test_label_scorers_are_accepted():
    for name in COUNT_SCORERS + ("f1_macro", "recall_macro", "neg_mean_absolute_error"):
        assert callable(check_threshold_scoring(name))
    custom = make_scorer(fbeta_score, beta=2)
    assert check_threshold_scoring(custom) is custom


@pytest.mark.parametrize("name", ["roc_auc", "neg_log_loss", "average_precision", "neg_brier_score"])
def test_scorers_of_probabilities_are_refused(name):
    with pytest.raises(ValueError, match=rf"decision_threshold_scoring='{name}' scores probabilities or decision"):
        check_threshold_scoring(name)


def test_unknown_or_unfit_scorers_are_refused():
    with pytest.raises(ValueError, match=r"'balanced_acc' is not a scikit-learn scorer name.*e.g. 'balanced_accuracy'"):
        check_threshold_scoring("balanced_acc")
    with pytest.raises(ValueError, match=r"'f1_samples' cannot score the labels of a binary target"):
        check_threshold_scoring("f1_samples")
    with pytest.raises(TypeError, match=r"decision_threshold_scoring=3 has type int"):
        check_threshold_scoring(3)


# --------------------------------------------------------------------------- #
# candidates and the >= rule
# --------------------------------------------------------------------------- #
def test_candidates_are_the_midpoints_and_the_two_ends():
    p = np.array([0.2, 0.6, 0.2, 0.9])
    assert np.allclose(threshold_candidates(p), [0.1, 0.4, 0.75, 0.95])
    # no candidate outside (0, 1): probabilities 0 and 1 leave out "all positive" and "all negative"
    assert np.allclose(threshold_candidates(np.array([0.0, 0.5, 1.0])), [0.25, 0.75])
    # adjacent floats: the candidate still splits them
    a = 0.3
    b = np.nextafter(a, 1.0)
    t = threshold_candidates(np.array([a, b]))
    assert np.any((t > a) & (t <= b))
    assert apply_threshold(np.array([a, b]), t[(t > a) & (t <= b)][0]).tolist() == [0, 1]


def test_many_distinct_probabilities_are_thinned_to_the_cap():
    p = np.random.default_rng(0).uniform(0.001, 0.999, 5000)
    t = threshold_candidates(p, max_thresholds=100)
    assert len(t) <= 100 and t[0] < p.min() and t[-1] > p.max()
    assert np.all(np.diff(t) > 0)
    # thinned by rank: about as many rows between consecutive candidates
    between = np.diff(np.searchsorted(np.sort(p), t[1:-1]))
    assert between.max() <= 2 * between.mean()
    with pytest.raises(ValueError, match="max_thresholds=2 must be an int of at least 3"):
        threshold_candidates(p, max_thresholds=2)


def test_the_rule_is_at_least_the_threshold_as_in_scikit_learn():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + rng.normal(size=200) > 0.8).astype(int)
    model = LogisticRegression().fit(X, y)
    proba = model.predict_proba(X)[:, 1]
    for t in (0.2, 0.5, float(np.sort(proba)[150])):  # the last one equals a row's probability
        fixed = FixedThresholdClassifier(model, threshold=t, response_method="predict_proba").fit(X, y)
        assert np.array_equal(apply_threshold(proba, t), fixed.predict(X))


# --------------------------------------------------------------------------- #
# the search
# --------------------------------------------------------------------------- #
class _Fixed(BaseEstimator):
    """An 'estimator' predicting given labels, to score them through the scorer's public call."""

    def __init__(self, labels=None):
        self.labels = labels

    def predict(self, X):
        return self.labels


def _score(scorer, y, labels, w=None):
    kwargs = {} if w is None else {"sample_weight": w}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return scorer(_Fixed(labels), np.zeros((len(y), 1)), y, **kwargs)


def _brute_force(y, p, scorer, w=None):
    """The best score over every labelling a threshold can give these rows."""
    return max(_score(scorer, y, (p >= cut).astype(int), w) for cut in np.concatenate([np.unique(p), [np.inf]]))


@pytest.mark.parametrize("name", list(COUNT_SCORERS) + ["f1_macro", "neg_mean_absolute_error"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_search_finds_the_best_threshold(name, seed):
    y, p = _rows(seed)
    before = (y.copy(), p.copy())
    result = tune_threshold(y, p, name)
    assert result.score == pytest.approx(_brute_force(y, p, get_scorer(name)), abs=1e-12)
    # the chosen threshold scores what it says
    assert _score(get_scorer(name), y, apply_threshold(p, result.threshold)) == pytest.approx(result.score, abs=1e-12)
    assert np.array_equal(y, before[0]) and np.array_equal(p, before[1])


@pytest.mark.parametrize("name", COUNT_SCORERS)
@pytest.mark.parametrize("weighted", [False, True])
def test_count_scores_equal_scikit_learns_scorers(name, weighted):
    # the vectorised confusion-count path against one scikit-learn scorer call per candidate
    y, p = _rows(3, n=300, ties=False)
    w = np.random.default_rng(4).uniform(0, 3, len(y)) if weighted else None
    fast = tune_threshold(y, p, name, w)
    slow = tune_threshold(y, p, name, w, _fast=False)
    assert np.array_equal(fast.thresholds, slow.thresholds)
    assert np.allclose(fast.scores, slow.scores, rtol=0, atol=1e-12)
    assert fast.threshold == slow.threshold


def test_ties_go_to_the_threshold_nearest_one_half():
    # 0.3 and 0.7 both score balanced accuracy 0.75 and are equally near 0.5: the smaller wins
    assert tune_threshold([0, 1, 0, 1], [0.2, 0.4, 0.6, 0.8]).threshold == pytest.approx(0.3)
    # a plateau: every threshold between 0.3 and 0.8 separates the classes; 0.5 lies on it
    y, p = np.array([0, 0, 1, 1]), np.array([0.1, 0.3, 0.8, 0.9])
    result = tune_threshold(y, p)
    assert result.score == 1.0 and result.threshold == pytest.approx(0.55)
    shuffled = np.random.default_rng(0).permutation(4)
    assert tune_threshold(y[shuffled], p[shuffled]).threshold == result.threshold


def test_integer_weights_act_as_repeated_rows():
    y, p = _rows(5, n=40, ties=False)
    w = np.random.default_rng(6).integers(1, 4, len(y))
    weighted = tune_threshold(y, p, "f1", w.astype(float))
    repeated = tune_threshold(np.repeat(y, w), np.repeat(p, w), "f1")
    assert weighted.threshold == repeated.threshold
    assert weighted.score == pytest.approx(repeated.score, abs=1e-12)


def test_a_generic_scorer_is_called_per_candidate():
    y, p = _rows(7)
    f2 = make_scorer(fbeta_score, beta=2)
    result = tune_threshold(y, p, f2)
    assert result.score == pytest.approx(_brute_force(y, p, f2), abs=1e-12)
    # recall-heavy F2 never takes a higher threshold than F1 on these rows
    assert result.threshold <= tune_threshold(y, p, "f1").threshold


def test_bad_validation_rows():
    with pytest.raises(ValueError, match=r"needs validation rows of both classes.*hold class code 1 only"):
        tune_threshold([1, 1, 1], [0.2, 0.5, 0.9])
    with pytest.raises(ValueError, match="class codes 0 .* and 1"):
        tune_threshold([0, 2], [0.2, 0.5])
    with pytest.raises(ValueError, match="1-D of one length"):
        tune_threshold([0, 1], [0.2, 0.5, 0.7])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        tune_threshold([0, 1], [0.2, 1.5])
    with pytest.raises(ValueError, match="sample_weight must be finite, non-negative"):
        tune_threshold([0, 1], [0.2, 0.5], sample_weight=[1.0, -1.0])
    with pytest.raises(ValueError, match="scores probabilities"):
        tune_threshold([0, 1], [0.2, 0.5], "roc_auc")


def test_a_class_without_weight_is_left_to_scikit_learn():
    # every positive row weighs 0: the count path steps aside and scikit-learn's own rules apply
    y, p = _rows(8, n=30, ties=False)
    w = np.where(y == 1, 0.0, 1.0)
    fast = tune_threshold(y, p, "accuracy", w)
    slow = tune_threshold(y, p, "accuracy", w, _fast=False)
    assert np.array_equal(fast.scores, slow.scores) and fast.threshold == slow.threshold
    assert fast.score == 1.0  # all negative: every row that weighs is right
