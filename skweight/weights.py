"""The weight engine: target kinds, ``class_weight`` resolution and
sample-weight expansion, for every target shape that
:class:`~skweight.WeightedKerasClassifier` accepts.

This module is NumPy only: it never imports Keras, so it is cheap to import,
fast to test and usable on its own.  It is the public face of the engine's
leaf modules, and the flow is always the same, reading the target (and
encoding its labels) exactly once per call:

1. :mod:`skweight._kinds` names the kind of target (``"binary"``,
   ``"multiclass"``, ``"onehot"``, ``"multilabel"``, ``"ordinal"``,
   ``"sequence"`` or ``"multioutput"``; :func:`target_kind` is its public face)
   and :mod:`skweight._encoding` encodes its labels as integer codes with their
   counts.
2. :mod:`skweight._resolve` normalises any accepted form of ``class_weight``
   (``None``, ``"balanced"`` read as :class:`Balanced` ``(1.0)``, the forms of
   :mod:`skweight._forms`, a dict, a list of dicts, ...) into one canonical
   structure: a ``dict`` ``{label: weight}`` for single-label kinds, a list of
   ``{0: w_neg, 1: w_pos}`` dicts for multi-label targets, and a list (or a
   dict keyed by output name) of such structures for multi-output targets.
   This is what :func:`class_weights` returns.
3. It then expands the resolved weights into sample weights of the shape Keras
   needs for that target; :func:`sample_weights` does 1-3 in one call, and
   :func:`apply_class_weights` expands canonical weights over other rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import _dask
from ._forms import Balanced, EffectiveNumber
from ._kinds import KINDS, read
from ._resolve import apply, check_weight_value, expand, resolve

__all__ = [
    "KINDS",
    "Balanced",
    "EffectiveNumber",
    "target_kind",
    "class_weights",
    "apply_class_weights",
    "sample_weights",
    "unweight_proba",
]

# the public classes are pickled, and shown, under this public module (not the internal one that defines them)
Balanced.__module__ = EffectiveNumber.__module__ = __name__


def target_kind(y, kind=None):
    """Name the kind of a classification target.

    Parameters
    ----------
    y : array-like, list of arrays or dict of arrays
        The target.  A list or dict of arrays is a multi-output target (each
        output 1-D labels, one-hot or multi-label).
    kind : str, optional
        An explicit kind, checked against ``y``.  Needed where ``y`` alone is
        ambiguous: a thermometer-coded ``(n, levels)`` matrix is read as
        ``"multilabel"`` unless ``kind="ordinal"``; a 2-D integer matrix is read
        as ``"multioutput"`` (one label per column, as scikit-learn does) unless
        ``kind="sequence"``.

    Returns
    -------
    str
        One of :data:`KINDS`.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight import target_kind
    >>> target_kind([0, 1, 1, 0])
    'binary'
    >>> target_kind(np.eye(3)[[0, 1, 2, 1]])
    'onehot'
    >>> target_kind([[1, 0, 0], [1, 1, 0]], kind="ordinal")
    'ordinal'
    """
    return read(y, kind).kind


def class_weights(y, class_weight="balanced", *, kind=None, padding_label=None, classes=None):
    """Resolve ``class_weight`` for the target ``y`` into its canonical form.

    Parameters
    ----------
    y : array-like, list of arrays or dict of arrays
        Target of any kind in :data:`KINDS`.  A Dask array of 1-D labels or a
        Dask DataFrame column is counted in one distributed pass (only the
        per-block counts reach this process; ``y`` is never materialised).
    class_weight : None, "balanced", Balanced, EffectiveNumber, dict, list or dict of specs
        ``"balanced"`` gives class ``c`` the weight
        ``n_samples / (n_classes * count(c))``, as scikit-learn does;
        :class:`Balanced` ``(power)`` raises that to ``power`` and
        :class:`EffectiveNumber` ``(beta)`` uses Cui et al.'s effective number
        of samples (both are softer than ``"balanced"``).  A dict
        maps labels (in the user's own label space) to weights; classes missing
        from it weigh 1.  Multi-label targets take a list of
        ``{0: w_neg, 1: w_pos}`` dicts, one per label; ``"balanced"`` gives each
        label ``n / (2 * count)`` for its 1s and for its 0s.  Multi-output
        targets take one spec per output: a list in output order, or a dict
        keyed by output name when ``y`` is a dict; a single string applies to
        every output.
    kind : str, optional
        Explicit target kind (see :func:`target_kind`).
    padding_label : label, optional
        For ``"sequence"`` targets: the label that marks padding.  It weighs 0
        and is left out of the class counts.
    classes : array-like, optional
        Every class the caller knows of (e.g. ``partial_fit``'s ``classes``).
        Dict keys are checked against these instead of the classes of ``y``.

    Returns
    -------
    dict or list
        ``{label: weight}`` for binary, multiclass, one-hot (labels are column
        indices), ordinal (labels are levels ``0..n_thresholds``) and sequence
        targets (the padding label weighs 0); a list of ``{0: w_neg, 1: w_pos}``
        for multi-label targets; a list (or dict) of those for multi-output
        targets.

    Examples
    --------
    >>> from skweight import class_weights
    >>> class_weights(["a", "a", "a", "b"])
    {'a': 0.6666666666666666, 'b': 2.0}
    >>> class_weights([0, 0, 1], {1: 3})
    {0: 1.0, 1: 3.0}
    >>> class_weights([[1, 1, 0], [2, 0, 0]], kind="sequence", padding_label=0)
    {0: 0.0, 1: 0.75, 2: 1.5}
    """
    if _dask.is_dask(y):
        return _dask.class_weights(y, class_weight, kind, padding_label, classes)
    return resolve(read(y, kind), class_weight, padding_label, classes)[0]


def sample_weights(y, class_weight="balanced", *, kind=None, padding_label=None, classes=None, dtype=np.float64):
    """Sample weights for ``y`` in the shape Keras needs for that target.

    Parameters
    ----------
    y, class_weight, kind, padding_label, classes
        As in :func:`class_weights`.
    dtype : float dtype, default float64
        dtype of the returned weights (use ``float32`` for Keras).

    Returns
    -------
    ndarray or list or dict
        For a Dask target (1-D labels), a lazy Dask array (or Dask Series) of
        weights computed block by block, after one pass for the class counts.
        ``(n,)`` for binary, multiclass, one-hot and ordinal targets and for a
        2-D multi-output array (the product over columns, as
        :func:`sklearn.utils.class_weight.compute_sample_weight` gives);
        ``(n, n_labels)`` for multi-label targets; ``(n, timesteps)`` for
        sequence targets; one array per output (each of its own kind's shape)
        for a list/dict target.

    Examples
    --------
    >>> from skweight import sample_weights
    >>> sample_weights([0, 0, 0, 1])
    array([0.66666667, 0.66666667, 0.66666667, 2.        ])
    >>> sample_weights([[1, 0], [1, 1], [0, 0], [0, 0]], kind="multilabel")
    array([[1.        , 0.66666667],
           [1.        , 2.        ],
           [1.        , 0.66666667],
           [1.        , 0.66666667]])
    """
    dtype = _check_dtype(dtype)
    if _dask.is_dask(y):
        return _dask.sample_weights(y, class_weight, kind, padding_label, classes, dtype)
    t = read(y, kind)
    return expand(t, resolve(t, class_weight, padding_label, classes)[1], dtype)


def apply_class_weights(y, weights, *, kind=None, padding_label=None, dtype=np.float64):
    """Expand already-resolved canonical weights over (possibly other) rows ``y``.

    This is how validation rows get the weights resolved on training rows:
    ``apply_class_weights(y_val, class_weights(y_train, "balanced"))``.
    Labels that ``weights`` does not name weigh 1; ``padding_label`` weighs 0.
    Where ``kind`` is not given it is read from ``y`` and ``weights`` together
    (a list of ``{0: w_neg, 1: w_pos}`` dicts means multi-label even when every
    row of ``y`` happens to hold a single 1; a dict over a 2-D label matrix
    means a sequence target).

    Parameters
    ----------
    y : array-like, list of arrays or dict of arrays
        The rows to weigh, a target of the same kind as the one ``weights``
        were resolved on (e.g. the validation rows of the training target).
    weights : dict or list
        Resolved weights, as :func:`class_weights` returns them (or as a
        fitted estimator's ``class_weight_`` holds them): ``{label: weight}``,
        a list of ``{0: w_neg, 1: w_pos}`` per label, or one of those per
        output.
    kind : str, optional
        Explicit target kind (see :func:`target_kind`); read from ``y`` and
        ``weights`` when not given.
    padding_label : label, optional
        For ``"sequence"`` targets: the label that marks padding; it weighs 0.
    dtype : float dtype, default float64
        dtype of the returned weights (use ``float32`` for Keras).

    Returns
    -------
    ndarray or list or dict
        Sample weights of the shape :func:`sample_weights` gives for ``y``.

    Examples
    --------
    >>> from skweight import apply_class_weights, class_weights
    >>> w = class_weights([0, 0, 0, 1])
    >>> apply_class_weights([1, 0], w)
    array([2.        , 0.66666667])
    """
    return apply(y, weights, kind, padding_label, _check_dtype(dtype))


def unweight_proba(proba, class_weight):
    """Undo the prior shift that class weights put into predicted probabilities.

    A model trained with class weights ``w_c`` estimates probabilities
    proportional to ``w_c * p(c | x)``.  Dividing by ``w_c`` and renormalising
    returns probabilities calibrated to the training prior:
    ``p(c | x) = (p_w(c | x) / w_c) / sum_k (p_w(k | x) / w_k)``.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes) or (n_samples, n_labels)
        Probabilities from the weighted model, columns in class order.
    class_weight : array-like of shape (n_classes,), dict, or list of dicts
        The weights used, in the same column order (a dict's values are taken
        in insertion order, as ``class_weight_`` stores them).  For a
        multi-label ``proba`` (one positive-class probability per label), a
        list of ``{0: w_neg, 1: w_pos}`` dicts, one per label: each column is
        corrected as a binary problem.

    Returns
    -------
    ndarray of the shape of ``proba``

    Examples
    --------
    >>> import numpy as np
    >>> from skweight import unweight_proba
    >>> unweight_proba(np.array([[0.5, 0.5]]), {0: 1.0, 1: 3.0})
    array([[0.75, 0.25]])
    >>> unweight_proba(np.array([[0.5, 0.9]]), [{0: 1.0, 1: 3.0}, {0: 1.0, 1: 1.0}])
    array([[0.25, 0.9 ]])
    """
    proba = np.asarray(proba, dtype=np.float64)
    if isinstance(class_weight, (list, tuple)) and class_weight and all(isinstance(w, Mapping) for w in class_weight):
        if proba.ndim != 2 or proba.shape[1] != len(class_weight):
            raise ValueError(
                f"proba has shape {proba.shape} but class_weight has {len(class_weight)} per-label entries; "
                "give one {0: w_neg, 1: w_pos} dict per probability column."
            )
        w_neg = np.array([check_weight_value(f"{j}][0", w.get(0, 1.0)) for j, w in enumerate(class_weight)])
        w_pos = np.array([check_weight_value(f"{j}][1", w.get(1, 1.0)) for j, w in enumerate(class_weight)])
        if np.any(w_neg == 0) or np.any(w_pos == 0):
            raise ValueError("class_weight must be positive to undo its prior shift; a weight is 0.")
        pos, neg = proba / w_pos, (1.0 - proba) / w_neg
        total = pos + neg
        total[total == 0] = 1.0
        return pos / total
    w = np.asarray(list(class_weight.values()) if isinstance(class_weight, Mapping) else class_weight, dtype=np.float64)
    if w.ndim != 1 or proba.ndim != 2 or proba.shape[1] != w.shape[0]:
        raise ValueError(
            f"proba has shape {proba.shape} but class_weight has {w.size} weights; "
            "give one weight per probability column."
        )
    if np.any(w <= 0) or not np.all(np.isfinite(w)):
        raise ValueError(f"class_weight must be finite and positive to undo its prior shift; got {w.tolist()!r}.")
    scaled = proba / w
    total = scaled.sum(axis=1, keepdims=True)
    total[total == 0] = 1.0
    return scaled / total


def _check_dtype(dtype):
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype={dtype!r} is not a NumPy dtype; give a float dtype such as float32.") from exc
    if dt.kind != "f":
        raise TypeError(f"dtype={dtype!r} is not a float dtype; give float32 or float64.")
    return dt
