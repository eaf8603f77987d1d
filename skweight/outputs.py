"""Targets given per output, the Keras way: ``y`` as a dict keyed by output
name or a list in output order, one array per output (NumPy and scikit-learn
only; no Keras).

This module holds the small structural helpers the rest of skweight shares
(splitting such a ``y`` into names and parts, reading a per-output parameter
such as ``class_weight={"level": "balanced"}``), and what scikit-learn's model
selection needs to work with such targets:

* :class:`Outputs` wraps a dict/list target so that ``cross_validate``,
  ``GridSearchCV`` and friends can index its rows (they cannot index a dict);
* :class:`StratifiedOn` is a CV splitter that stratifies on one named output;
* :func:`per_output_scorer` scores one output with any scikit-learn metric or
  scorer name.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

__all__ = ["Outputs", "StratifiedOn", "per_output_scorer"]

#: The kind of a continuous target on a linear head (``target_kind`` per output).
REGRESSION = "regression"


# --------------------------------------------------------------------------- #
# structure of a per-output target
# --------------------------------------------------------------------------- #
def is_per_output(y, n_samples=None):
    """True for a dict of targets, a list/tuple of arrays or an :class:`Outputs`.

    A list of plain Python rows (``[[0, 1], [1, 0]]``) is one 2-D target, as
    for :func:`skweight.target_kind`.  With ``n_samples`` (the rows of ``X``)
    known, a list of arrays is per output only when every array has that many
    rows: a list of ``n_samples`` label rows (scikit-learn's array-like form of
    a 2-D target, e.g. ``list(Y)``) stays one target.
    """
    if isinstance(y, (Outputs, Mapping)):
        return True
    if isinstance(y, (list, tuple)) and len(y) > 0:
        if not all(isinstance(part, np.ndarray) or hasattr(part, "iloc") for part in y):
            return False
        return n_samples is None or all(np.ndim(part) > 0 and len(part) == n_samples for part in y)
    return False


def split_outputs(y):
    """``(names, parts)`` of a per-output target; ``names`` is None for a list."""
    if isinstance(y, Outputs):
        y = y.data
    if isinstance(y, Mapping):
        return list(y), list(y.values())
    return None, list(y)


def join_outputs(names, parts):
    """The user's structure back: a dict when ``names`` is given, else a list."""
    return dict(zip(names, parts)) if names is not None else list(parts)


def output_label(names, j):
    """How messages name output ``j``: its name, else its position."""
    return names[j] if names is not None else j


def per_output(spec, names, n_outputs, param, default=None, accepts=""):
    """One entry of a per-output parameter for each output, in output order.

    ``spec`` may be a dict keyed by output name (dict ``y``) or position
    (int), a list/tuple with one entry per output, or anything else, which is
    returned for every output (None, anywhere, stands for ``default``).  An unknown name
    or position, a name given twice or a list of the wrong length is a
    ``ValueError`` that names ``param``.
    """
    if isinstance(spec, Mapping):
        out = [default] * n_outputs
        seen = {}
        for key, value in spec.items():
            if names is not None and isinstance(key, str) and key in names:
                j = names.index(key)
            elif isinstance(key, numbers.Integral) and not isinstance(key, bool) and 0 <= key < n_outputs:
                j = int(key)
            else:
                known = names if names is not None else list(range(n_outputs))
                raise ValueError(
                    f"{param} names output {key!r}, which is not an output of y; the outputs are {known!r}. "
                    f"Key {param} by output name (dict y) or position{accepts}."
                )
            if j in seen:
                raise ValueError(f"{param} gives output {output_label(names, j)!r} twice (as {seen[j]!r} and {key!r}).")
            seen[j] = key
            out[j] = default if value is None else value
        return out
    if isinstance(spec, (list, tuple)):
        if len(spec) != n_outputs:
            raise ValueError(
                f"{param} has {len(spec)} entries but y has {n_outputs} outputs; give one entry per output, "
                f"in output order, or a dict keyed by output name{accepts}."
            )
        return [default if v is None else v for v in spec]
    return [default if spec is None else spec] * n_outputs


#: Kinds one output of a dict/list ``y`` may have (``target_kind`` per output).
OUTPUT_KINDS = ("binary", "multiclass", "onehot", "multilabel", "ordinal", "sequence", REGRESSION)


def shared_kind(target_kind):
    """``target_kind`` given as one str other than ``"auto"`` for a dict/list
    ``y``: it then applies to every output, so it must be a kind one output can
    have; returns it (None when ``target_kind`` is ``"auto"`` or per output)."""
    if not isinstance(target_kind, str) or target_kind == "auto":
        return None
    if target_kind not in OUTPUT_KINDS:
        raise ValueError(
            f"target_kind={target_kind!r} is not accepted for y given per output (a dict or list of arrays); give "
            f"'auto', one of {', '.join(OUTPUT_KINDS)} for every output, or a dict keyed by output name, e.g. "
            "target_kind={'level': 'ordinal'} (outputs left out are detected)."
        )
    return target_kind


def shared_kind_error(target_kind, names, j, exc):
    """The error for output ``j`` that is not of the one ``target_kind`` given
    for every output: says to give ``target_kind`` per output instead."""
    key = output_label(names, j)
    return ValueError(
        f"target_kind={target_kind!r} applies to every output of y, but y[{key!r}] does not fit that kind: "
        f"{exc} Give target_kind per output instead, keyed like y, e.g. target_kind={{'<output>': {target_kind!r}}} "
        "(outputs left out are detected)."
    )


def accuracy_per_output(kinds, y_true, y_pred, sample_weight=None):
    """Accuracy of each classification output (None for a regression output),
    in the structure of ``kinds``: the weighted share of rows predicted exactly
    (every label of a one-hot, multi-label or ordinal row), or of timesteps for
    a sequence output.  ``sample_weight`` is None, one array, or a list with
    one array (or None) per output.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.outputs import accuracy_per_output
    >>> kinds = {"a": "binary", "b": "regression"}
    >>> y = {"a": np.array([0, 1, 1, 0]), "b": np.array([0.1, 0.2, 0.3, 0.4])}
    >>> accuracy_per_output(kinds, y, {"a": np.array([0, 1, 0, 0]), "b": y["b"]})
    {'a': 0.75, 'b': None}
    """
    names, kind_list = split_outputs(kinds)
    truth = _in_order(y_true, names)
    pred = _in_order(y_pred, names)
    if sample_weight is None or isinstance(sample_weight, np.ndarray):
        weights = [sample_weight] * len(kind_list)
    else:
        weights = list(sample_weight)
    out = []
    for kind, t, p, w in zip(kind_list, truth, pred, weights):
        if kind == REGRESSION:
            out.append(None)
            continue
        t, p = np.asarray(t), np.asarray(p)
        if kind == "sequence":
            hit = (t == p).mean(axis=1)
        else:
            hit = (t == p).reshape(len(t), -1).all(axis=1)
        out.append(float(np.average(hit, weights=w)))
    return join_outputs(names, out)


def _in_order(y, names):
    got_names, parts = split_outputs(y)
    if names is None or got_names is None:
        return parts
    lookup = dict(zip(got_names, parts))
    return [lookup[k] for k in names]


# --------------------------------------------------------------------------- #
# scikit-learn's model selection with per-output targets
# --------------------------------------------------------------------------- #
class Outputs:
    """A dict/list target that scikit-learn's model selection can index.

    ``cross_validate``, ``GridSearchCV`` and ``train_test_split`` index ``y``
    by rows, which a dict of arrays does not support.  ``Outputs(y)`` holds
    the same arrays (no copy) and takes rows of every output at once;
    :class:`~skweight.WeightedKerasClassifier` reads it as the dict/list it
    wraps.  Use it with a splitter that does not need ``y`` (``KFold``) or with
    :class:`StratifiedOn`, and score with :func:`per_output_scorer`.

    Parameters
    ----------
    y : dict or list of array-like
        One target per output, all with the same number of rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight import Outputs
    >>> y = Outputs({"a": np.array([0, 1, 0, 1]), "b": np.array([0.5, 1.5, 2.5, 3.5])})
    >>> len(y), y.shape
    (4, (4, 2))
    >>> y[[1, 3]].data["b"].tolist()
    [1.5, 3.5]
    """

    def __init__(self, y):
        if isinstance(y, Outputs):
            y = y.data
        if not is_per_output(y):
            raise TypeError(
                f"Outputs takes a dict of arrays keyed by output name or a list of arrays; got {type(y).__name__}."
            )
        names, parts = split_outputs(y)
        parts = [p.to_numpy() if hasattr(p, "to_numpy") else np.asarray(p) for p in parts]
        lengths = sorted({len(p) for p in parts})
        if len(lengths) > 1:
            raise ValueError(f"the outputs of y have different numbers of rows {lengths}; give one row per sample.")
        self.data = join_outputs(names, parts)
        self._n = lengths[0]

    @property
    def shape(self):
        """``(n_samples, n_outputs)``."""
        return (self._n, len(self.data))

    def __len__(self):
        return self._n

    def __getitem__(self, rows):
        names, parts = split_outputs(self.data)
        return Outputs(join_outputs(names, [p[rows] for p in parts]))

    def output(self, name):
        """The target of one output, by name (dict) or position."""
        names, parts = split_outputs(self.data)
        return parts[_index_of(name, names, len(parts))]

    def __repr__(self):
        names, parts = split_outputs(self.data)
        labels = names if names is not None else list(range(len(parts)))
        return f"Outputs({self._n} rows; outputs {labels!r})"


def _index_of(output, names, n_outputs):
    if names is not None and isinstance(output, str) and output in names:
        return names.index(output)
    if isinstance(output, numbers.Integral) and not isinstance(output, bool) and 0 <= output < n_outputs:
        return int(output)
    known = names if names is not None else list(range(n_outputs))
    raise ValueError(f"output={output!r} is not an output of y; the outputs are {known!r}.")


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
        j = _index_of(output, names, len(parts))
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
