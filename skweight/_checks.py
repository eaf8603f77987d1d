"""Input checks that run before any Keras work (NumPy, SciPy and scikit-learn only).

Each check reads the caller's data without writing to it (the caller's arrays
are never converted in place, and nothing here keeps a reference to them) and
raises ``ValueError`` or ``TypeError`` with a message that names the
parameter, the bad value (and where it is) and what is accepted.
"""

import numbers
from collections.abc import Mapping

import numpy as np

from ._errors import prefixed, short
from ._outputs import (
    REGRESSION,
    is_continuous,
    is_per_output,
    join_outputs,
    output_error,
    output_kinds,
    output_label,
    per_output,
    split_outputs,
)

__all__ = [
    "validate_data",
    "check_X",
    "check_feature_names",
    "check_output_sample_weight",
    "check_outputs",
    "check_sample_weight",
    "check_weights",
    "check_y",
    "n_rows",
    "n_rows_of",
    "check_y_columns",
    "refuse_multi_input_X",
    "validate_per_output",
    "x_rows",
]


def n_rows(a):
    """Number of samples (rows) of an array-like, or None if it has none."""
    shape = getattr(a, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    try:
        return len(a)
    except TypeError:
        return None


def _is_sparse(a):
    try:
        from scipy import sparse
    except ImportError:  # pragma: no cover - SciPy comes with scikit-learn
        return False
    return sparse.issparse(a)


def _where(shape, flat_index):
    idx = np.unravel_index(flat_index, shape)
    return f"row {idx[0]}" if len(idx) == 1 else f"row {idx[0]}, column {idx[1]}" if len(idx) == 2 else f"index {idx}"


def _as_numpy(a):
    """A NumPy view of an array-like for reading (a DataFrame's values may be a
    copy); None when it is not array-like (ragged lists and the like)."""
    try:
        return np.asarray(a.to_numpy() if hasattr(a, "to_numpy") else a)
    except (TypeError, ValueError):
        return None


def _first_not_number(flat):
    """(index, value, exception type, float()'s message) of the first element
    that ``float()`` refuses, or None."""
    for i, v in enumerate(flat):
        if isinstance(v, (bool, np.bool_)):
            continue
        try:
            float(v)
        except (TypeError, ValueError) as exc:
            return i, v.item() if isinstance(v, np.generic) else v, type(exc), str(exc)
    return None


def _first_not_finite(arr):
    """(flat index, value) of the first NaN/inf in a float array, or None."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(arr.sum()):  # fast path: one pass, no temporary array
            return None
    bad = np.flatnonzero(~np.isfinite(arr.ravel()))
    return (int(bad[0]), arr.ravel()[bad[0]]) if bad.size else None


def _check_finite(arr, what, accepted):
    """A ``ValueError`` naming the first NaN or infinity of the float array
    ``arr`` (``what``: how the message names it) and where it is."""
    bad = _first_not_finite(arr)
    if bad is not None:
        raise ValueError(f"{what} contains {_fmt_number(bad[1])} at {_where(arr.shape, bad[0])}; accepted: {accepted}")


def _is_missing(v):
    """None, NaN, pandas.NA, NaT and the like."""
    if v is None:
        return True
    if isinstance(v, (str, bytes)):
        return False
    try:
        return bool(v != v)
    except TypeError:  # pandas.NA: its comparisons are NA, which has no truth value
        return True


def _fmt_number(v):
    v = float(v)
    return "NaN" if np.isnan(v) else repr(v)


_IMPUTE = "Impute or drop missing values first (e.g. sklearn.impute.SimpleImputer in a Pipeline)."


def check_X(X, estimator="the estimator", n_features=None):
    """Check ``X`` for fit or predict; raises, returns nothing.

    Accepted: a numeric array-like, DataFrame or SciPy sparse matrix of shape
    ``(n_samples, n_features, ...)`` with at least one sample and only finite
    values.  ``n_features`` (at predict time) is the number of features seen
    in ``fit``.
    """
    if _is_sparse(X):
        data = X.data if X.format in ("csr", "csc", "coo", "bsr") else X.tocsr().data
        if data.dtype.kind not in "biuf":
            raise TypeError(f"X is a sparse matrix of dtype {data.dtype}; accepted: a numeric sparse matrix.")
        _check_X_shape(X.shape, estimator, n_features)
        bad = _first_not_finite(data.astype(np.float64, copy=False)) if data.dtype.kind == "f" else None
        if bad is not None:
            raise ValueError(
                f"X (sparse) stores the value {_fmt_number(bad[1])}; accepted: finite numbers only. {_IMPUTE}"
            )
        return
    arr = _as_numpy(X)
    if arr is None or (arr.dtype.kind == "O" and arr.ndim < 2):
        return  # not an array (a dict of inputs, ragged rows): SciKeras / Keras decide
    _check_X_shape(arr.shape, estimator, n_features)
    _check_X_values(arr)


def _check_X_shape(shape, estimator, n_features):
    if len(shape) < 2:
        raise ValueError(
            f"X must be 2-D, shape (n_samples, n_features) (3-D or more for sequences and images); "
            f"got X of shape {shape}. Reshape your data: X.reshape(-1, 1) for a single feature, "
            "X.reshape(1, -1) for a single sample."
        )
    if shape[0] == 0:
        raise ValueError(f"X is empty: 0 sample(s) (shape={shape}) while a minimum of 1 is required.")
    if shape[1] == 0:
        raise ValueError(f"X has 0 feature(s) (shape={shape}) while a minimum of 1 is required.")
    if n_features is not None and shape[1] != n_features:
        raise ValueError(
            f"X has {shape[1]} features, but {estimator} is expecting {n_features} features as input "
            f"(the number of columns of X in fit)."
        )


def _check_X_values(arr):
    """The values of a dense ``X``: numbers (or strings of numbers), finite."""
    shape = arr.shape
    if arr.dtype.kind in "OUS":
        flat = arr.ravel()
        try:  # one pass in C; the slow search below runs only to report a bad value
            arr = flat.astype(np.float64).reshape(shape)
        except (TypeError, ValueError):
            hit = _first_not_number(flat)
            if hit is None:  # e.g. nested sequences: SciKeras's own conversion reports those
                return
            # a string that is not a number is a bad value (ValueError), any other object a bad type
            raise hit[2](
                f"X must be numeric, but X at {_where(shape, hit[0])} is {short(hit[1])} ({hit[3]}); accepted: "
                "numbers only. Encode categorical columns first (e.g. sklearn.preprocessing.OneHotEncoder in a "
                "Pipeline)."
            ) from None
    elif arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: X has dtype {arr.dtype}; accepted: real numbers.")
    elif arr.dtype.kind not in "biuf":
        raise TypeError(f"X has dtype {arr.dtype}; accepted: a numeric (bool, int or float) array.")
    if arr.dtype.kind == "f":
        _check_finite(arr, "X", f"finite numbers only. {_IMPUTE}")


def check_y(y):
    """Check class labels ``y``; raises, returns nothing.

    Accepted: a 1-D array of labels (ints, strings, bools, or floats with
    integer values), or a 2-D array for one-hot, multi-label, ordinal,
    sequence and multi-output targets; no missing labels.
    """
    arr = _as_numpy(y)
    if arr is None:
        return
    if arr.ndim == 0:
        raise ValueError(f"y must be an array of class labels, one per sample; got the scalar {short(arr.item())}.")
    if arr.size == 0:
        raise ValueError(f"y is empty (shape {arr.shape}); accepted: one class label per sample.")
    if arr.dtype.kind == "f":
        _check_finite(arr, "y", "a class label for every sample. Drop the rows whose label is missing.")
        frac = np.flatnonzero(arr.ravel() != np.round(arr.ravel()))
        if frac.size:
            raise ValueError(
                f"y holds continuous values (e.g. {float(arr.ravel()[frac[0]])!r} at {_where(arr.shape, frac[0])}); "
                "accepted: class labels (ints, strings, bools, or floats with integer values). "
                "Use a regressor for a continuous target."
            )
    elif arr.dtype.kind == "O":
        flat = arr.ravel()
        kinds = set()
        for i, v in enumerate(flat):
            if _is_missing(v):
                raise ValueError(
                    f"y contains a missing label ({v!r} at {_where(arr.shape, i)}); accepted: a class label for "
                    "every sample. Drop the rows whose label is missing."
                )
            kinds.add(
                "str"
                if isinstance(v, (str, bytes))
                else "number"
                if isinstance(v, numbers.Number)
                else type(v).__name__
            )
        if len(kinds) > 1:
            raise TypeError(
                f"y mixes label types ({', '.join(sorted(kinds))}); accepted: labels of one type, "
                "all strings or all numbers."
            )
    elif arr.dtype.kind not in "biuUS":
        raise TypeError(f"y has dtype {arr.dtype}; accepted: class labels (ints, strings, bools).")


def check_sample_weight(sample_weight, n_samples):
    """Validate ``sample_weight`` for ``n_samples`` rows.

    Returns a NEW float32 array of shape ``(n_samples,)`` (a scalar is
    broadcast), or None when ``sample_weight`` is None.  Accepted: finite,
    non-negative numbers, at least one of them positive.
    """
    if sample_weight is None:
        return None
    raw = sample_weight.to_numpy() if hasattr(sample_weight, "to_numpy") else sample_weight
    if isinstance(raw, numbers.Number) and not isinstance(raw, bool):
        raw = np.full(n_samples if n_samples is not None else 1, raw)
    try:
        sw = np.asarray(raw)
    except (TypeError, ValueError):
        raise TypeError(
            f"sample_weight={short(sample_weight)} is not an array; accepted: one non-negative number per sample."
        ) from None
    if sw.dtype.kind in "OUS":
        hit = _first_not_number(sw.ravel())
        if hit is not None:
            raise TypeError(
                f"sample_weight must hold numbers; sample_weight[{hit[0]}] = {short(hit[1])} "
                f"(dtype {sw.dtype}); accepted: one finite, non-negative number per sample."
            )
        sw = sw.astype(np.float64)
    elif sw.dtype.kind not in "biuf":
        raise TypeError(f"sample_weight has dtype {sw.dtype}; accepted: one finite, non-negative number per sample.")
    if sw.ndim != 1 or (n_samples is not None and sw.shape[0] != n_samples):
        raise ValueError(
            f"sample_weight has shape {sw.shape}; expected ({n_samples},): one non-negative weight per sample of X."
        )
    sw = np.array(sw, dtype=np.float64, copy=True)
    bad = _first_not_finite(sw)
    if bad is not None:
        raise ValueError(f"sample_weight[{bad[0]}] = {_fmt_number(bad[1])}; accepted: finite, non-negative numbers.")
    neg = np.flatnonzero(sw < 0)
    if neg.size:
        raise ValueError(
            f"sample_weight[{neg[0]}] = {float(sw[neg[0]])!r} is negative; accepted: finite, non-negative numbers."
        )
    if not np.any(sw > 0):
        raise ValueError("sample_weight is zero for every sample; accepted: weights with at least one positive.")
    big = np.flatnonzero(sw > np.finfo(np.float32).max)
    if big.size:
        raise ValueError(
            f"sample_weight[{big[0]}] = {float(sw[big[0]])!r} does not fit in float32; accepted: finite, "
            "non-negative numbers up to 3.4e38 (rescale the weights)."
        )
    return sw.astype(np.float32)


def check_outputs(y, target_kind="auto"):
    """Check a target given per output (a dict keyed by output name or a list
    of arrays in output order); returns the same structure holding NumPy
    arrays (views where possible, never written to).

    Each output is checked as ``check_y`` checks labels, except regression
    outputs (``target_kind`` ``"regression"`` for that output, or a float
    output with non-integer values under ``"auto"``), which need finite
    numbers.  All outputs need the same number of rows.
    """
    names, parts = split_outputs(y)
    if names is not None:
        bad = [k for k in names if not isinstance(k, str)]
        if bad:
            raise TypeError(f"y is a dict with key {bad[0]!r}; the keys of a dict y are output names (str).")
    if not parts:
        raise ValueError("y is an empty dict/list of outputs; give one target per output.")
    kinds, shared = output_kinds(target_kind, names, len(parts))
    arrays = []
    for j, (part, kind) in enumerate(zip(parts, kinds)):
        arr = _as_numpy(part)
        if arr is None or arr.ndim == 0:
            raise ValueError(
                f"y[{output_label(names, j)!r}] must be an array with one target per sample; got {short(part)}."
            )
        try:
            if kind == REGRESSION or (kind == "auto" and is_continuous(arr)):
                _check_regression(arr)
            else:
                check_y(arr)
        except (ValueError, TypeError) as exc:
            raise output_error(exc, names, j, shared) from None
        arrays.append(arr)
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        shown = {output_label(names, j): n for j, n in enumerate(lengths)}
        raise ValueError(f"the outputs of y have different numbers of rows {shown}; give one row per sample.")
    return join_outputs(names, arrays)


def _check_regression(arr):
    if arr.size == 0:
        raise ValueError(f"the target is empty (shape {arr.shape}); accepted: one value per sample.")
    if arr.ndim not in (1, 2):
        raise ValueError(f"a regression target must be 1-D or 2-D; got shape {arr.shape}.")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"a regression target has dtype {arr.dtype}; accepted: numbers.")
    _check_finite(
        arr.astype(np.float64, copy=False), "the target", "finite numbers. Drop the rows whose target is missing."
    )


def check_output_sample_weight(sample_weight, n_samples, y):
    """``sample_weight`` for a per-output ``y``: one array for every output
    (returned as checked by :func:`check_sample_weight`), or one per output
    (a dict keyed by output name or position, or a list of arrays in output
    order; an output left out, or given None, weighs 1).  Returns a new array,
    or a list in output order holding a new array (or None) per output."""
    if sample_weight is None:
        return None
    names, parts = split_outputs(y)
    per = isinstance(sample_weight, dict) or (
        isinstance(sample_weight, (list, tuple))
        and len(sample_weight) > 0
        and all(w is None or np.ndim(w) >= 1 for w in sample_weight)
        and not all(np.ndim(w) == 0 for w in sample_weight)
    )
    if not per:
        return check_sample_weight(sample_weight, n_samples)
    specs = per_output(sample_weight, names, len(parts), "sample_weight")
    out = []
    for j, w in enumerate(specs):
        if w is None:
            out.append(None)
            continue
        with prefixed(f"sample_weight[{output_label(names, j)!r}]"):
            out.append(check_sample_weight(w, n_samples))
    return out


def n_rows_of(y):
    """Rows of a target, also of a per-output one."""
    if is_per_output(y):
        parts = split_outputs(y)[1]
        return n_rows(parts[0]) if parts else None
    return n_rows(y)


def x_rows(X):
    """Rows of ``X`` when it is one array-like (None for no ``X``, or the list
    or dict a user's ``feature_encoder`` splits)."""
    if X is None or isinstance(X, (Mapping, list, tuple)) and not hasattr(X, "toarray"):
        return None
    try:
        return n_rows(X)
    except (TypeError, ValueError):
        return None


def check_weights(sample_weight, X, y, per_output_y=None):
    """``sample_weight`` checked for ``X``'s rows: one array, or (for a ``y``
    given per output) one per output; a new float32 array (or list), or None.
    ``per_output_y`` is whether ``y`` is given per output (decided here when None)."""
    if per_output_y is None:
        per_output_y = is_per_output(y, x_rows(X))
    if per_output_y:
        return check_output_sample_weight(sample_weight, n_rows(X), y)
    return check_sample_weight(sample_weight, n_rows(X))


def refuse_multi_input_X(X, name):
    """SciKeras validates ``X`` as one array; a list or dict of arrays (one per
    input of a multi-input model) fails there with a message about sample
    counts.  Say what works instead.  A list of equal-shaped arrays is left
    alone: it stacks into one ``X`` (e.g. a list of images), as in SciKeras."""
    if hasattr(X, "toarray") or not isinstance(X, (Mapping, list, tuple)):
        return  # one array-like (a SciPy DOK matrix is a dict too)
    parts = list(X.values()) if isinstance(X, Mapping) else list(X)
    multi = all(np.ndim(p) >= 2 for p in parts) and len({np.shape(p) for p in parts}) > 1
    if (isinstance(X, Mapping) and parts) or (parts and multi):
        raise TypeError(
            f"X is a {type(X).__name__} of {len(parts)} arrays, one per model input; {name} (as SciKeras) takes "
            "X as one array-like. Give X as one array and split it into the model's inputs in a feature_encoder "
            "(a FunctionTransformer returning a list or dict of arrays), as in SciKeras's multi-input example."
        )


def check_feature_names(est, X, reset):
    """``feature_names_in_`` as scikit-learn sets and checks it, with
    scikit-learn's own public ``validate_data`` (names only; ``X`` is checked
    and converted elsewhere).

    ``reset=True`` (a fresh fit): the column names of a DataFrame whose
    column names are all strings are kept in ``feature_names_in_``; any other
    ``X`` leaves no such attribute (a DataFrame mixing string and other
    column names is a ``TypeError``, as in scikit-learn).  ``reset=False``
    (predict, score, a later ``partial_fit``): a ``UserWarning`` when ``X``
    has names and the fit had none, or the other way round, and a
    ``ValueError`` that lists them when the names differ from those of fit.
    """
    if X is None or isinstance(X, (Mapping, list, tuple)):
        return  # no X, or the parts of a user's multi-input X: no column names to keep
    if not reset and isinstance(X, np.ndarray) and "feature_names_in_" not in vars(est):
        return  # no names on either side: nothing to say (predict's common case, kept cheap)
    from sklearn.utils.validation import validate_data

    validate_data(est, X, reset=reset, skip_check_array=True, ensure_2d=False)


def check_y_columns(y, fitted_shape):
    """A ``y`` whose trailing shape differs from the first fit's (one column
    per output or label) would reach Keras as a cardinality error."""
    if y is None or fitted_shape is None or len(fitted_shape) != np.ndim(y):
        return
    if tuple(np.shape(y)[1:]) != tuple(fitted_shape[1:]):
        raise ValueError(
            f"y has shape {np.shape(y)}, but this estimator was fitted on y with {fitted_shape[1:]} "
            f"column(s) per sample (shape {tuple(fitted_shape)}); give y with the same columns as in the "
            "first fit, or call fit (not partial_fit) to start over."
        )


def validate_per_output(est, X, y, reset, y_numeric=False):
    """``est._validate_data`` for a ``y`` given per output (a dict keyed by
    output name or a list of arrays): every output is checked on its own
    (:func:`check_outputs`), later calls against the outputs of fit, ``X`` as
    usual (``est._validate_data`` with no ``y``)."""
    if not reset:
        if not est._is_per_output():
            raise ValueError(
                "y is given per output (a dict or list of arrays), but this estimator was fitted on a single "
                "target; give y as in fit."
            )
        est.target_encoder_.output_parts(y)  # the outputs of fit, by name or count
    y = check_outputs(y, est.target_kind)
    if not reset:
        est.target_encoder_.check_like_fit(y)  # and each output in the kind of fit
    if X is not None and n_rows(X) != n_rows_of(y):
        raise ValueError(
            f"X has {n_rows(X)} samples but the outputs of y have {n_rows_of(y)} rows; y needs one row per "
            "sample of X in every output."
        )
    if X is not None:
        X, _ = est._validate_data(X=X, y=None, reset=reset, y_numeric=y_numeric)
    if reset:
        est.target_type_, est.y_dtype_, est.y_ndim_ = "per-output", None, None
    return X, y


def validate_data(est, parent, X=None, y=None, reset=False, y_numeric=False, per_output=None):
    """The work of ``WeightedKerasClassifier._validate_data``; ``parent`` is
    SciKeras's ``_validate_data`` of ``est``."""
    name = type(est).__name__
    refuse_multi_input_X(X, name)
    if not reset:  # the column names of fit (set by _fit.initialize), as scikit-learn checks them
        check_feature_names(est, X, reset=False)
    if y is not None and (is_per_output(y, x_rows(X)) if per_output is None else per_output):
        return validate_per_output(est, X, y, reset, y_numeric)
    if y is not None and not reset and est._is_per_output():
        est.target_encoder_.output_parts(y)  # fitted per output: refuses a single array
    if X is not None:
        check_X(X, name, n_features=None if reset else getattr(est, "n_features_in_", None))
    if y is not None:
        check_y(y)
    if X is not None and y is not None and n_rows(X) != n_rows(y):
        raise ValueError(f"X has {n_rows(X)} samples but y has {n_rows(y)}; y needs one label (row) per sample of X.")
    if reset:
        return parent(X=X, y=y, reset=reset, y_numeric=y_numeric)
    # SciKeras refuses X/y whose dtype cannot be cast "safely" to the fit's
    # dtype (float64 X after a float32 fit, float labels after int labels);
    # Keras casts inputs itself and the target encoder matches labels by
    # value, so the dtype checks are lifted for this call only.
    saved = {k: est.__dict__[k] for k in ("X_dtype_", "y_dtype_") if k in est.__dict__}
    est.__dict__.update({k: np.dtype(object) for k in saved})
    try:
        X, y = parent(X=X, y=y, reset=reset, y_numeric=y_numeric)
    finally:
        est.__dict__.update(saved)
    check_y_columns(y, getattr(getattr(est, "target_encoder_", None), "y_shape_", None))
    return X, y
