"""scikit-learn's model selection with targets given per output (a dict keyed
by output name or a list of arrays in output order).

* :class:`Outputs` wraps such a target so that ``cross_validate``,
  ``GridSearchCV`` and friends can index its rows (they cannot index a dict);
* :class:`StratifiedOn` is a CV splitter that stratifies on one named output;
* :func:`per_output_scorer` scores one output with any scikit-learn metric or
  scorer name.

NumPy and scikit-learn only; no Keras.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._outputs import REGRESSION, Outputs, index_of, output_label, split_outputs

__all__ = ["Outputs", "StratifiedOn", "per_output_scorer"]

# pickled, and shown, under this public module (it is defined beside the helpers of per-output targets)
Outputs.__module__ = __name__


def _strata(target):
    """One stratum per row: the label, the one-hot column, the ordinal level."""
    arr = np.asarray(target)
    if arr.ndim == 1:
        return arr
    if arr.ndim == 2 and np.all((arr == 0) | (arr == 1)):
        ones = arr.sum(axis=1)
        if np.all(ones == 1):
            return arr.argmax(axis=1)
        if np.all(np.diff(arr, axis=1) <= 0):  # thermometer code: the level
            return ones
    raise ValueError(
        f"StratifiedOn needs an output with one class per row (labels, one-hot or ordinal); got shape {arr.shape}."
    )


class StratifiedOn:
    """A CV splitter that stratifies the folds on one output of a dict/list target.

    Parameters
    ----------
    output : str or int
        The output to stratify on: its name (dict ``y``) or position.
    cv : int or splitter, default 5
        An int gives ``StratifiedKFold(cv)``; any splitter whose ``split``
        takes class labels as ``y`` works (``StratifiedShuffleSplit``,
        ``RepeatedStratifiedKFold``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from skweight import Outputs, StratifiedOn
    >>> y = Outputs({"rare": np.array([0] * 8 + [1] * 2), "x": np.arange(10.0)})
    >>> folds = list(StratifiedOn("rare", cv=2).split(np.zeros((10, 1)), y))
    >>> [int(y.output("rare")[test].sum()) for _, test in folds]
    [1, 1]
    """

    def __init__(self, output, cv=5):
        self.output = output
        self.cv = cv

    def _splitter(self):
        if isinstance(self.cv, numbers.Integral) and not isinstance(self.cv, bool):
            from sklearn.model_selection import StratifiedKFold

            return StratifiedKFold(int(self.cv))
        if not hasattr(self.cv, "split"):
            raise TypeError(f"cv={self.cv!r} is neither an int nor a splitter with a split method.")
        return self.cv

    def split(self, X, y, groups=None):
        """Yield ``(train, test)`` row indices, stratified on ``self.output``."""
        target = Outputs(y).output(self.output)
        yield from self._splitter().split(X, _strata(target), groups)

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds of the wrapped splitter."""
        return self._splitter().get_n_splits(X, None, groups)

    def __repr__(self):
        return f"StratifiedOn({self.output!r}, cv={self.cv!r})"


def per_output_scorer(output, metric, *, response_method="predict", **kwargs):
    """A scorer ``(estimator, X, y)`` that scores one output of a dict/list target.

    scikit-learn's scorers compare ``y`` with ``predict(X)`` as arrays; with a
    dict/list target both are structures.  This scorer takes the named
    output's part of each and scores it, so
    ``cross_validate(clf, X, Outputs(y), scoring={...})`` can report any metric
    per output.

    Parameters
    ----------
    output : str or int
        The output: its name (dict ``y``) or position.
    metric : str or callable
        A scikit-learn scorer name (``"recall_macro"``, ``"roc_auc"``,
        ``"neg_mean_squared_error"``, ...), used on the output as if the
        estimator had that output alone; or a metric ``metric(y_true, y_pred,
        **kwargs)``, called with the output's true values and its
        ``response_method`` result.
    response_method : {"predict", "predict_proba"}, default "predict"
        What a callable ``metric`` is given (a scorer name knows its own).
    **kwargs
        Passed to a callable ``metric`` (e.g. ``average="macro"``).

    Returns
    -------
    callable
        ``scorer(estimator, X, y) -> float``.

    Examples
    --------
    >>> from sklearn.metrics import recall_score
    >>> from skweight import per_output_scorer
    >>> scoring = {"rare_recall": per_output_scorer("risk", recall_score, pos_label=1),
    ...            "price_mse": per_output_scorer("price", "neg_mean_squared_error")}
    >>> sorted(scoring)
    ['price_mse', 'rare_recall']
    """
    if response_method not in ("predict", "predict_proba"):
        raise ValueError(f"response_method={response_method!r} is not accepted; give 'predict' or 'predict_proba'.")
    if isinstance(metric, str):
        from sklearn.metrics import get_scorer

        scorer = get_scorer(metric)  # an unknown name raises here, naming the accepted ones
        if kwargs:
            raise TypeError(f"per_output_scorer(..., {metric!r}) takes no keyword arguments; got {sorted(kwargs)}.")
    elif not callable(metric):
        raise TypeError(f"metric={metric!r} is neither a scorer name nor a callable metric(y_true, y_pred).")

    def score(estimator, X, y):
        names, parts = split_outputs(Outputs(y).data)
        j = index_of(output, names, len(parts))
        key = output_label(names, j)
        view = _OutputView(estimator, key)
        if isinstance(metric, str):
            return scorer(view, X, parts[j])
        pred = view.predict(X) if response_method == "predict" else view.predict_proba(X)
        return float(metric(parts[j], pred, **kwargs))

    score.__name__ = f"per_output_scorer({output!r}, {getattr(metric, '__name__', metric)!r})"
    return score


class _OutputView:
    """One output of a fitted per-output estimator, seen as an estimator of
    its own (``predict``, ``predict_proba``, ``classes_``, and scikit-learn's
    tags of a classifier, or of a regressor for a regression output), so that
    scikit-learn's scorers can score it."""

    def __init__(self, estimator, key):
        self.estimator = estimator
        self.key = key
        kinds = estimator.target_kind_
        self.kind = kinds[key]
        if self.kind != REGRESSION:
            self.classes_ = estimator.classes_[key]

    def predict(self, X):
        return self.estimator.predict(X)[self.key]

    def predict_proba(self, X):
        return self.estimator.predict_proba(X)[self.key]

    def fit(self, X, y):  # pragma: no cover - never fitted; scorers only check that it exists
        raise NotImplementedError

    def get_params(self, deep=True):
        return {}

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags

        regression = self.kind == REGRESSION
        return Tags(
            estimator_type="regressor" if regression else "classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=None if regression else ClassifierTags(),
            regressor_tags=RegressorTags() if regression else None,
        )
