"""Cost matrices (NumPy only): every accepted form of ``cost_matrix`` as one
canonical array, the class weights training derives from it, and the
decisions of minimum expected cost.

The canonical form is a ``(k, k)`` float64 array ``C`` in the order of the
fitted classes (``classes_``): ``C[i, j]`` is the cost of predicting class
``j`` when the truth is class ``i``; the diagonal is 0, every entry finite and
non-negative.  Everything downstream sees only that array.

How a fit uses it (the reasons, and the measurements behind them, are in
``docs/options-integration.md``):

* **Decision.**  ``predict`` returns ``argmin_j sum_i p_i C[i, j]`` under the
  probabilities of ``predict_proba`` (:func:`min_cost_codes`), the Bayes
  decision for those costs: exact for any number of classes when the
  probabilities are calibrated.
* **Training.**  Each training row of true class ``i`` weighs ``w_i``, with
  ``w_i / w_j = C[i, j] / C[j, i]`` for every pair of classes where weights
  can meet that, in the least-squares sense otherwise
  (:func:`cost_class_weights`, Zhou & Liu's rescaling; for two classes this
  is Elkan's (2001) rebalancing, under which the weighted model's most
  probable class is already the minimum-cost one; symmetric costs weigh every
  class alike).  The weighting is undone before ``predict_proba`` returns
  (:func:`unweight_class_proba`, :func:`unweight_ordinal_proba`), so that the
  probabilities stay calibrated and the costs are not counted twice (once in
  the weights, once in the decision).

Ordinal targets (thermometer-coded levels) come out of the model as one
probability per threshold, ``P(level > t)``; :func:`ordinal_level_proba`
turns them into one probability per level, which the rule above needs.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from ._outputs import output_label, per_output
from ._params import COST_FORMS
from ._resolve import label_key

__all__ = [
    "COST_FORMS",
    "COST_KINDS",
    "resolve_cost_matrix",
    "resolve_cost_matrices",
    "expected_costs",
    "min_cost_codes",
    "decide",
    "ordinal_level_proba",
    "levels_to_thermometer",
    "WEIGHT_METHODS",
    "cost_class_weights",
    "unweight_class_proba",
    "unweight_ordinal_proba",
]

#: The target kinds that take a cost matrix (multi-output: per output, each of these).
COST_KINDS = ("binary", "multiclass", "onehot", "ordinal")

_ACCEPTED = (
    "None, 'ordinal', 'ordinal_squared', an array of shape (n_classes, n_classes) whose [i, j] is the cost of "
    "predicting classes_[j] when the truth is classes_[i], or a dict {true_label: {predicted_label: cost}} "
    "(missing pairs cost 0 on the diagonal and 1 elsewhere)"
)


# --------------------------------------------------------------------------- #
# the user's forms -> one (k, k) array
# --------------------------------------------------------------------------- #
def _show(classes, limit=20):
    shown = ", ".join(repr(c) for c in classes[:limit])
    return f"[{shown}{', ...' if len(classes) > limit else ''}]"


def _check_kind(kind, param):
    if kind not in COST_KINDS:
        raise ValueError(
            f"{param} is given, but the target is {kind!r}; a cost matrix applies to binary, multiclass, one-hot "
            "and ordinal targets (and per output to such outputs of a multi-output target), where each row has "
            "exactly one true class. Use cost_matrix=None for this target."
        )


def _check_values(C, classes, param):
    """``C`` (float64, square, matching ``classes``) is finite, non-negative,
    zero on the diagonal and not all zero."""
    k = len(classes)
    bad = ~np.isfinite(C)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"{param}[{i}, {j}] = {float(C[i, j])!r} (true {classes[i]!r}, predicted {classes[j]!r}) is not finite; "
            "costs must be finite non-negative numbers."
        )
    neg = C < 0
    if neg.any():
        i, j = np.argwhere(neg)[0]
        raise ValueError(
            f"{param}[{i}, {j}] = {float(C[i, j])!r} (true {classes[i]!r}, predicted {classes[j]!r}) is negative; "
            "costs must be finite non-negative numbers."
        )
    diag = np.diag(C)
    if np.any(diag != 0):
        i = int(np.flatnonzero(diag)[0])
        raise ValueError(
            f"{param}[{i}, {i}] = {float(C[i, i])!r} (true and predicted {classes[i]!r}): a correct prediction must "
            "cost 0. Subtract each row's diagonal entry from that row; this leaves the decisions unchanged."
        )
    if k > 1 and not np.any(C > 0):
        raise ValueError(f"{param} is all zeros: no prediction would cost more than another; give a positive cost.")


def _from_array(cost_matrix, classes, param):
    arr = np.asarray(cost_matrix)
    if arr.dtype.kind == "b" or (arr.dtype.kind not in "iuf" and arr.dtype != object):
        raise TypeError(f"{param} has dtype {arr.dtype}; costs must be real numbers. Accepted: {_ACCEPTED}.")
    k = len(classes)
    if arr.shape != (k, k):
        raise ValueError(
            f"{param} has shape {arr.shape}, but the target has {k} classes {_show(list(classes))}; give a "
            f"({k}, {k}) array whose [i, j] is the cost of predicting classes_[j] when the truth is classes_[i]."
        )
    if arr.dtype == object:
        for (i, j), v in np.ndenumerate(arr):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.number)):
                raise TypeError(f"{param}[{i}, {j}] = {v!r} is not a real number; costs must be real numbers.")
    C = arr.astype(np.float64)  # a new array: the caller's is never written to
    _check_values(C, list(classes), param)
    return C


def _cost_value(value, where):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"{where} = {value!r} is not a real number; costs must be real numbers.")
    return float(value)


def _from_dict(cost_matrix, classes, param):
    labels = list(classes)
    k = len(labels)
    position = {label_key(c): i for i, c in enumerate(labels)}

    def locate(label, role):
        i = position.get(label_key(label))
        if i is None:
            raise ValueError(
                f"{param} names {role} label {label!r}, which is not a class of y; the classes are {_show(labels)}. "
                f"Key {param} by your labels: {{true_label: {{predicted_label: cost}}}}."
            )
        return i

    C = np.ones((k, k), dtype=np.float64) - np.eye(k)
    for true, row in cost_matrix.items():
        i = locate(true, "true")
        if not isinstance(row, Mapping):
            raise TypeError(
                f"{param}[{true!r}] = {row!r} is not a dict; the dict form is {{true_label: {{predicted_label: "
                "cost}}}. Accepted: " + _ACCEPTED + "."
            )
        for pred, value in row.items():
            j = locate(pred, "predicted")
            C[i, j] = _cost_value(value, f"{param}[{true!r}][{pred!r}]")
    _check_values(C, labels, param)
    return C


def _from_name(name, classes, param):
    if name not in COST_FORMS:
        raise ValueError(f"{param}={name!r} is not a named cost form; accepted: {_ACCEPTED}.")
    arr = np.asarray(classes)
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"{param}={name!r} orders the classes as sorted, but the classes {_show(list(classes))} are not "
            "numbers, and labels of that type sort alphabetically, not by level. Give the levels as integers, "
            f"or {param} as an array or dict."
        )
    i = np.arange(len(arr), dtype=np.float64)
    diff = i[:, None] - i[None, :]
    return np.abs(diff) if name == "ordinal" else diff**2


def resolve_cost_matrix(cost_matrix, classes, *, kind="multiclass", param="cost_matrix"):
    """Turn any accepted form of ``cost_matrix`` into one ``(k, k)`` array.

    Parameters
    ----------
    cost_matrix : None, "ordinal", "ordinal_squared", array-like or dict
        ``None``: no costs (returns None).  An array of shape
        ``(n_classes, n_classes)`` whose ``[i, j]`` is the cost of predicting
        ``classes[j]`` when the truth is ``classes[i]``.  A dict
        ``{true_label: {predicted_label: cost}}`` in the labels of ``y`` (for
        one-hot targets the column indices, for ordinal targets the levels);
        pairs it leaves out cost 0 on the diagonal and 1 elsewhere.
        ``"ordinal"``: ``|i - j|``; ``"ordinal_squared"``: ``(i - j) ** 2``,
        ``i`` and ``j`` being positions in ``classes`` (levels for ordinal
        targets; numeric labels in sorted order for multiclass targets).
    classes : array-like of shape (k,)
        The fitted classes, in the order of ``classes_``.
    kind : str, default "multiclass"
        The target kind; one of :data:`COST_KINDS`.
    param : str, default "cost_matrix"
        How error messages name the parameter.

    Returns
    -------
    ndarray of shape (k, k), float64, or None
        A new array; the diagonal is 0, every entry finite and non-negative.

    Raises
    ------
    ValueError
        A wrong shape, a negative or non-finite cost, a non-zero diagonal, an
        all-zero matrix, a label that is not a class, a named form for labels
        without a numeric order, or a target kind that takes no cost matrix.
    TypeError
        A cost that is not a real number, or a form of another type.

    Examples
    --------
    >>> from skweight._costs import resolve_cost_matrix
    >>> resolve_cost_matrix({"spam": {"ham": 5.0}}, ["ham", "spam"])
    array([[0., 1.],
           [5., 0.]])
    >>> resolve_cost_matrix("ordinal", [0, 1, 2], kind="ordinal")
    array([[0., 1., 2.],
           [1., 0., 1.],
           [2., 1., 0.]])
    """
    if cost_matrix is None:
        return None
    _check_kind(kind, param)
    classes = np.asarray(classes)
    if classes.ndim != 1 or classes.size == 0:
        raise ValueError(f"classes must be a non-empty 1-D array of the fitted classes; got shape {classes.shape}.")
    labels = classes.tolist()
    if isinstance(cost_matrix, str):
        return _from_name(cost_matrix, classes, param)
    if isinstance(cost_matrix, Mapping):
        return _from_dict(cost_matrix, labels, param)
    if isinstance(cost_matrix, (np.ndarray, list, tuple)):
        return _from_array(cost_matrix, labels, param)
    raise TypeError(f"{param}={cost_matrix!r} has type {type(cost_matrix).__name__}; accepted: {_ACCEPTED}.")


def resolve_cost_matrices(cost_matrix, kinds, classes, names=None, *, param="cost_matrix"):
    """One canonical cost matrix (or None) per output of a multi-output target.

    Parameters
    ----------
    cost_matrix : None, str, list, tuple or dict
        One spec per output, keyed as ``class_weight`` is per output: a list
        or tuple in output order, or a dict keyed by output name (a ``y``
        given as a dict) or by position; outputs left out of a dict, and
        ``None`` entries, take no costs.  A single string applies to every
        classification output.  A single array or a ``{true: {pred: cost}}``
        dict is not accepted here: it would not say which output it is for.
    kinds : list of str
        The kind of each output (``"regression"`` for a regression output).
    classes : list of array-like
        The fitted classes of each output (None for a regression output).
    names : list of str, optional
        The output names of a ``y`` given as a dict.
    param : str, default "cost_matrix"

    Returns
    -------
    list
        One ``(k_j, k_j)`` array or None per output, in output order.

    Examples
    --------
    >>> from skweight._costs import resolve_cost_matrices
    >>> out = resolve_cost_matrices({"risk": {1: {0: 4}}}, ["binary", "multiclass"],
    ...                             [[0, 1], ["a", "b", "c"]], names=["risk", "kind"])
    >>> out[0].tolist(), out[1]
    ([[0.0, 1.0], [4.0, 0.0]], None)
    """
    n = len(kinds)
    if cost_matrix is None:
        return [None] * n
    if isinstance(cost_matrix, np.ndarray):
        raise ValueError(
            f"{param} is one array, but the target has {n} outputs; give one spec per output: a list in output "
            "order, or a dict keyed by output name (None for an output without costs)."
        )
    if isinstance(cost_matrix, Mapping) and cost_matrix:
        keys_outputs = all(
            (names is not None and isinstance(key, str) and key in names)
            or (isinstance(key, numbers.Integral) and not isinstance(key, bool) and 0 <= key < n)
            for key in cost_matrix
        )
        if not keys_outputs:
            raise ValueError(
                f"{param} is a dict whose keys {list(cost_matrix)[:5]!r} are not all outputs of y; for a "
                f"multi-output target, key {param} by output name (dict y) or position, one spec per output."
            )
    specs = per_output(cost_matrix, names, n, param)
    out = []
    for j, (spec, kind, known) in enumerate(zip(specs, kinds, classes)):
        where = f"{param}[{output_label(names, j)!r}]"
        if spec is None or (isinstance(cost_matrix, str) and kind == "regression"):
            out.append(None)  # a string applies to the classification outputs
            continue
        out.append(resolve_cost_matrix(spec, known, kind=kind, param=where))
    return out


# --------------------------------------------------------------------------- #
# decisions of minimum expected cost
# --------------------------------------------------------------------------- #
def _check_proba(proba, cost, name="proba"):
    p = np.asarray(proba, dtype=np.float64)
    C = np.asarray(cost, dtype=np.float64)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"cost must be a square (k, k) array; got shape {C.shape}.")
    if p.ndim != 2 or p.shape[1] != C.shape[0]:
        raise ValueError(
            f"{name} has shape {p.shape}, but the cost matrix is {C.shape}; give one probability column per class."
        )
    return p, C


def expected_costs(proba, cost):
    """Expected cost of each possible prediction: ``proba @ cost``.

    Parameters
    ----------
    proba : array-like of shape (n_samples, k)
        Class probabilities, columns in the order of the cost matrix.
    cost : array-like of shape (k, k)
        ``cost[i, j]``: the cost of predicting ``j`` when the truth is ``i``.

    Returns
    -------
    ndarray of shape (n_samples, k)
        Entry ``[r, j]`` is ``sum_i proba[r, i] * cost[i, j]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._costs import expected_costs
    >>> expected_costs(np.array([[0.8, 0.2]]), np.array([[0.0, 1.0], [10.0, 0.0]]))
    array([[2. , 0.8]])
    """
    p, C = _check_proba(proba, cost)
    return p @ C


def min_cost_codes(proba, cost):
    """Position (in class order) of the prediction of least expected cost.

    Ties go to the first class, as ``argmax`` does; with 0/1 costs the result
    is the most probable class.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._costs import min_cost_codes
    >>> C = np.array([[0.0, 1.0], [10.0, 0.0]])  # missing a 1 costs 10
    >>> min_cost_codes(np.array([[0.95, 0.05], [0.85, 0.15]]), C)
    array([0, 1])
    """
    return np.argmin(expected_costs(proba, cost), axis=1)


def ordinal_level_proba(threshold_proba):
    """One probability per level from an ordinal model's threshold probabilities.

    An ordinal model gives, for each of its ``k - 1`` thresholds ``t``, the
    probability ``q_t = P(level > t)``.  These must not increase with ``t``;
    a model's outputs need not honour that, so each row is first made
    non-increasing by its running minimum, ``q_t <- min(q_0, ..., q_t)``
    (clipped to [0, 1]).  The running minimum keeps the count of leading
    thresholds above 0.5, the level that ``predict`` gives without costs,
    which is then the median of the level probabilities below.  Then
    ``P(level = 0) = 1 - q_0``, ``P(level = l) = q_{l-1} - q_l`` and
    ``P(level = k - 1) = q_{k-2}``: non-negative, summing to 1.

    Parameters
    ----------
    threshold_proba : array-like of shape (n_samples, k - 1)

    Returns
    -------
    ndarray of shape (n_samples, k)

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._costs import ordinal_level_proba
    >>> ordinal_level_proba(np.array([[0.9, 0.6, 0.2], [0.3, 0.4, 0.1]]))
    array([[0.1, 0.3, 0.4, 0.2],
           [0.7, 0. , 0.2, 0.1]])
    """
    q = np.asarray(threshold_proba, dtype=np.float64)
    if q.ndim != 2:
        raise ValueError(f"threshold_proba must be 2-D (n_samples, n_thresholds); got shape {q.shape}.")
    q = np.minimum.accumulate(np.clip(q, 0.0, 1.0), axis=1)
    n = len(q)
    upper = np.concatenate([np.ones((n, 1)), q], axis=1)  # P(level > t - 1)
    lower = np.concatenate([q, np.zeros((n, 1))], axis=1)  # P(level > t)
    return upper - lower


def levels_to_thermometer(levels, n_thresholds):
    """Levels ``0..n_thresholds`` as thermometer rows (``2 -> [1, 1, 0]`` for 3 thresholds).

    Examples
    --------
    >>> from skweight._costs import levels_to_thermometer
    >>> levels_to_thermometer([0, 2, 3], 3)
    array([[0, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    levels = np.asarray(levels)
    return (np.arange(n_thresholds)[None, :] < levels[:, None]).astype(int)


def decide(kind, proba, cost, classes):
    """``predict``'s labels under a cost matrix, in the layout of ``y``.

    Parameters
    ----------
    kind : str
        ``"binary"``, ``"multiclass"``, ``"onehot"``, ``"ordinal"`` or
        ``"multioutput"`` (a 2-D array of label columns).
    proba : ndarray or list of ndarray
        What ``predict_proba`` returns for that kind: ``(n, k)`` class
        probabilities; ``(n, k - 1)`` threshold probabilities for an ordinal
        target; one array per output for ``"multioutput"``.
    cost : ndarray of shape (k, k), or a list (one per output; None: the most probable class)
    classes : array-like, or a list (one per output)
        ``classes_``.

    Returns
    -------
    ndarray
        ``classes[argmin expected cost]`` for binary and multiclass (and each
        column of a multi-output target); a one-hot row for one-hot targets;
        a thermometer row for ordinal targets.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._costs import decide
    >>> decide("ordinal", np.array([[0.9, 0.6, 0.2]]), np.abs(np.subtract.outer(range(4), range(4))), range(4))
    array([[1, 1, 0]])
    """
    if kind == "multioutput":
        cols = []
        for p, c, cl in zip(proba, cost, classes):
            cl = np.asarray(cl)
            cols.append(cl[np.argmax(p, axis=1)] if c is None else cl[min_cost_codes(p, c)])
        return np.column_stack(cols)
    _check_kind(kind, "cost")
    if kind == "ordinal":
        q = np.asarray(proba, dtype=np.float64)
        levels = min_cost_codes(ordinal_level_proba(q), cost)
        return levels_to_thermometer(levels, q.shape[1])
    codes = min_cost_codes(proba, cost)
    if kind == "onehot":
        out = np.zeros((len(codes), np.asarray(cost).shape[0]), dtype=int)
        out[np.arange(len(codes)), codes] = 1
        return out
    return np.asarray(classes)[codes]


# --------------------------------------------------------------------------- #
# training: class weights from the costs, undone in predict_proba
# --------------------------------------------------------------------------- #
#: How :func:`cost_class_weights` derives training weights from costs.
WEIGHT_METHODS = ("pairwise", "row_sum")


def _pairwise_log_weights(C):
    """``log w`` with ``log w_i - log w_j = log(C[i, j] / C[j, i])`` for every
    pair whose two costs are positive, in the least-squares sense (minimum
    norm, so each group of classes linked by such pairs has mean 0)."""
    k = C.shape[0]
    rows, target = [], []
    for i in range(k):
        for j in range(i + 1, k):
            if C[i, j] > 0 and C[j, i] > 0:
                row = np.zeros(k)
                row[i], row[j] = 1.0, -1.0
                rows.append(row)
                target.append(np.log(C[i, j]) - np.log(C[j, i]))
    if not rows:
        return np.zeros(k)
    return np.linalg.lstsq(np.array(rows), np.array(target), rcond=None)[0]


def cost_class_weights(cost, counts, method="pairwise"):
    """Per-class training weights from a cost matrix.

    ``"pairwise"`` (the default) is the rescaling of Zhou & Liu (2010, "On
    multi-class cost-sensitive learning"): a model trained with class weights
    ``w`` prefers class ``i`` to class ``j`` where ``w_i p_i > w_j p_j``,
    and the costs prefer it where ``C[i, j] p_i > C[j, i] p_j`` (predicting
    ``j`` for a true ``i`` costs ``C[i, j]``), so the weights should satisfy
    ``w_i / w_j = C[i, j] / C[j, i]`` for every pair of classes.  For two
    classes that is Elkan's (2001) rebalancing (class 0 weighs ``C[0, 1]``,
    class 1 ``C[1, 0]``), under which the weighted model's most probable class
    is the minimum-cost one; for a cost matrix of the form
    ``C[i, j] = w_i * s[i, j]`` with ``s`` symmetric it is ``w`` exactly; for
    symmetric costs (``"ordinal"``, ``"ordinal_squared"``) all weights are
    equal: the costs then change the decision only.  Where no weights meet
    every pair (most matrices of more than two classes) the ratios are met in
    the least-squares sense on their logarithms; pairs with a zero cost on
    either side carry no ratio and are left out.

    ``"row_sum"`` weighs each class by the total cost of getting one of its
    rows wrong, ``sum_j C[i, j]`` (also Elkan's for two classes; kept for
    comparison, see ``benchmarks/explore_cost_training.py``).

    Either way the decision itself is made by :func:`min_cost_codes` on the
    probabilities with the weights undone, so the weights only steer where
    the model spends its capacity.  The weights are scaled to average 1 over
    the training rows (as ``"balanced"`` weights do), so the loss keeps its
    scale, and are always positive (a weight of 0 could not be undone in
    ``predict_proba``): with ``"row_sum"`` a class whose errors cost nothing
    weighs as the cheapest class that has a cost.

    Parameters
    ----------
    cost : ndarray of shape (k, k)
        A canonical cost matrix (see :func:`resolve_cost_matrix`).
    counts : array-like of shape (k,)
        Training rows per class, in the same order (classes without rows count 0).
    method : {"pairwise", "row_sum"}, default "pairwise"

    Returns
    -------
    ndarray of shape (k,), positive

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._costs import cost_class_weights
    >>> cost_class_weights(np.array([[0.0, 1.0], [5.0, 0.0]]), [90, 10])  # 1 : 5, averaging 1 over 100 rows
    array([0.71428571, 3.57142857])
    >>> cost_class_weights(np.abs(np.subtract.outer(range(3), range(3))), [50, 30, 20])
    array([1., 1., 1.])
    """
    C = np.asarray(cost, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    if counts.shape != (C.shape[0],) or np.any(counts < 0) or not np.all(np.isfinite(counts)):
        raise ValueError(f"counts must hold one non-negative count per class ({C.shape[0]}); got {counts.tolist()!r}.")
    if method == "pairwise":
        raw = np.exp(_pairwise_log_weights(C))
    elif method == "row_sum":
        raw = C.sum(axis=1)
        positive = raw > 0
        if not positive.any():
            raise ValueError("the cost matrix is all zeros; there is nothing to weigh by.")
        raw = np.where(positive, raw, raw[positive].min())
    else:
        raise ValueError(f"method={method!r} is not accepted; give one of {WEIGHT_METHODS}.")
    n = counts.sum()
    if n == 0:
        return raw / raw.mean()
    return raw * (n / np.dot(counts, raw))


def unweight_class_proba(proba, weights):
    """Undo per-class training weights in ``(n, k)`` class probabilities.

    A model trained with class weights ``w`` estimates probabilities
    proportional to ``w_c * p(c | x)``; dividing by ``w_c`` and renormalising
    gives back ``p(c | x)`` (as :func:`skweight.unweight_proba` does).

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._costs import unweight_class_proba
    >>> unweight_class_proba(np.array([[0.5, 0.5]]), np.array([1.0, 3.0]))
    array([[0.75, 0.25]])
    """
    p = np.asarray(proba, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if p.ndim != 2 or w.shape != (p.shape[1],):
        raise ValueError(f"proba has shape {p.shape} but weights has shape {w.shape}; give one weight per column.")
    if np.any(w <= 0) or not np.all(np.isfinite(w)):
        raise ValueError(f"weights must be finite and positive to be undone; got {w.tolist()!r}.")
    scaled = p / w
    total = scaled.sum(axis=1, keepdims=True)
    total[total == 0] = 1.0
    return scaled / total


def unweight_ordinal_proba(threshold_proba, level_weights):
    """Undo per-level training weights in an ordinal model's threshold probabilities.

    Each threshold of an ordinal model is a binary model (level above ``t``
    or not) trained on all rows; with rows of level ``l`` weighing ``w_l``,
    threshold ``t`` estimates ``sum_{l > t} w_l p_l / sum_l w_l p_l``, the
    cumulative of the weighted level distribution ``w_l p_l / sum w p``.
    So the weights are undone on the level probabilities
    (:func:`ordinal_level_proba`), which are turned back into thresholds:
    the result is non-increasing along each row.

    Parameters
    ----------
    threshold_proba : array-like of shape (n_samples, k - 1)
    level_weights : array-like of shape (k,), positive

    Returns
    -------
    ndarray of shape (n_samples, k - 1)

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._costs import unweight_ordinal_proba
    >>> unweight_ordinal_proba(np.array([[0.5]]), [1.0, 3.0])
    array([[0.25]])
    """
    levels = unweight_class_proba(ordinal_level_proba(threshold_proba), level_weights)
    # P(level > t): the level probabilities above t, summed from the top (small tails stay exact)
    above = np.cumsum(levels[:, ::-1], axis=1)[:, ::-1]
    return np.clip(above[:, 1:], 0.0, 1.0)
