"""Target kinds, ``class_weight`` resolution and sample-weight expansion.

This module is NumPy only: it never imports Keras, so it is cheap to import,
fast to test and usable on its own.  It is where the meaning of ``class_weight``
is decided for every target shape that :class:`WeightedKerasClassifier`
accepts.

The flow is always the same:

1. :func:`target_kind` names the kind of target (``"binary"``,
   ``"multiclass"``, ``"onehot"``, ``"multilabel"``, ``"ordinal"``,
   ``"sequence"`` or ``"multioutput"``).
2. :func:`class_weights` normalises any accepted form of ``class_weight``
   (``None``, ``"balanced"``, a dict, a list of dicts, ...) into one canonical
   structure: a ``dict`` ``{label: weight}`` for single-label kinds, a list of
   ``{0: w_neg, 1: w_pos}`` dicts for multi-label targets, and a list (or a
   dict keyed by output name) of such structures for multi-output targets.
3. :func:`apply_class_weights` expands canonical weights into sample weights of
   the shape Keras needs for that target; :func:`sample_weights` does 2 and 3
   in one call.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "KINDS",
    "target_kind",
    "class_weights",
    "apply_class_weights",
    "sample_weights",
    "unweight_proba",
]

#: Every target kind the weight engine understands.
KINDS = ("binary", "multiclass", "onehot", "multilabel", "ordinal", "sequence", "multioutput")

_LABEL_KINDS = ("binary", "multiclass", "sequence")
# Largest span of integer labels for which the bincount fast path is used.
_MAX_INT_SPAN = 1 << 22


# --------------------------------------------------------------------------- #
# target kinds
# --------------------------------------------------------------------------- #
def _is_multi_output_container(y):
    if isinstance(y, Mapping):
        return True
    if isinstance(y, (list, tuple)) and len(y) > 0:
        return all(hasattr(part, "__len__") and not isinstance(part, str) for part in y) and (
            all(np.ndim(part) >= 1 for part in y)
        ) and len({len(part) for part in y}) == 1 and _looks_like_outputs(y)
    return False


def _looks_like_outputs(y):
    # A list of equal-length arrays is a multi-output target only when its parts
    # are arrays, not plain Python rows of a 2-D target.
    return all(isinstance(part, np.ndarray) or hasattr(part, "iloc") for part in y)


def _as_array(y, name="y"):
    if hasattr(y, "to_numpy"):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.dtype.kind == "O":
        # object arrays of str/int labels: keep as they are but make them comparable
        pass
    if y.ndim == 0:
        raise ValueError(f"{name} must be an array of labels, got a scalar {y!r}.")
    return y


def _is_binary_indicator(y):
    if y.dtype.kind == "b":
        return True
    if y.dtype.kind not in "iuf":
        return False
    if y.size == 0:
        return False
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        return False
    return bool(np.all((y == 0) | (y == 1)))


def _is_thermometer(y):
    """True where every row is a run of ones followed by zeros."""
    yi = y.astype(np.int8, copy=False)
    return bool(np.all(yi[:, 1:] <= yi[:, :-1])) if y.shape[1] > 1 else True


def _check_labels(y, name="y"):
    if y.size == 0:
        raise ValueError(f"{name} is empty; at least one labelled sample is required.")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{name} contains NaN or infinite labels; labels must be finite.")
        if not np.all(y == np.round(y)):
            raise ValueError(
                f"{name} holds continuous values ({y.ravel()[~(y.ravel() == np.round(y.ravel()))][0]!r}); "
                "a classifier needs discrete class labels (ints, strings or bools)."
            )
    elif y.dtype.kind == "O":
        flat = y.ravel()
        for v in flat[: min(flat.size, 1000)]:
            if v is None or (isinstance(v, float) and not np.isfinite(v)):
                raise ValueError(f"{name} contains missing labels ({v!r}); labels must not be NaN/None.")


def target_kind(y, kind=None):
    """Name the kind of a classification target.

    Parameters
    ----------
    y : array-like, list of arrays or dict of arrays
        The target.  A list or dict of arrays is a multi-output target.
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
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not a target kind; accepted: {', '.join(KINDS)} or None.")
    if _is_multi_output_container(y):
        if kind not in (None, "multioutput"):
            raise ValueError(f"kind={kind!r} does not fit a list/dict of targets, which is 'multioutput'.")
        return "multioutput"
    y = _as_array(y)
    if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and kind not in ("onehot", "multilabel", "ordinal", "sequence")):
        detected = "binary" if len(_encode(y.ravel()).classes) <= 2 else "multiclass"
        if kind in (None, "binary", "multiclass"):
            return detected if kind is None or detected == "multiclass" or kind == "binary" else kind
        raise ValueError(f"kind={kind!r} needs a 2-D target, but y is 1-D (shape {y.shape}).")
    if y.ndim != 2:
        raise ValueError(f"y must be 1-D or 2-D (or a list/dict of targets); got shape {y.shape}.")
    if kind in ("binary", "multiclass"):
        raise ValueError(f"kind={kind!r} needs a 1-D target, but y has shape {y.shape}.")
    indicator = _is_binary_indicator(y)
    if kind is None:
        if indicator:
            return "onehot" if np.all(y.sum(axis=1) == 1) else "multilabel"
        return "multioutput"
    if kind == "onehot":
        if not indicator or not np.all(y.sum(axis=1) == 1):
            raise ValueError("kind='onehot' needs rows of 0/1 with exactly one 1 in each row.")
    elif kind == "multilabel":
        if not indicator:
            bad = y[~((y == 0) | (y == 1))].ravel()[:1] if y.dtype.kind in "iufb" else y.ravel()[:1]
            raise ValueError(
                f"a multi-label target must hold only 0 and 1; found {bad[0]!r}."
            )
    elif kind == "ordinal":
        if not indicator or not _is_thermometer(y):
            rows = np.flatnonzero(~_thermometer_rows(y))
            raise ValueError(
                "an ordinal target must be thermometer-coded (a run of 1s then 0s, "
                f"e.g. [1, 1, 0, 0]); row {int(rows[0]) if rows.size else 0} is not: "
                f"{y[rows[0] if rows.size else 0].tolist()!r}."
            )
    return kind


def _thermometer_rows(y):
    if not _is_binary_indicator(y):
        ok = np.all((y == 0) | (y == 1), axis=1) if y.dtype.kind in "iufb" else np.zeros(len(y), bool)
    else:
        ok = np.ones(len(y), bool)
    yi = np.where(ok[:, None], y, 0).astype(np.int8)
    if y.shape[1] > 1:
        ok &= np.all(yi[:, 1:] <= yi[:, :-1], axis=1)
    return ok


# --------------------------------------------------------------------------- #
# label encoding (the fast part)
# --------------------------------------------------------------------------- #
def _encode(y):
    """Return ``(classes, codes, counts)`` for a 1-D label array.

    Integer labels with a modest span use ``np.bincount`` (no sort); anything
    else falls back to ``np.unique``.
    """
    if y.dtype.kind in "iub" and y.size:
        yi = y.astype(np.int64, copy=False) if y.dtype.kind == "b" else y
        lo, hi = int(yi.min()), int(yi.max())
        if hi - lo < _MAX_INT_SPAN:
            shifted = yi - lo if lo != 0 else yi
            counts_full = np.bincount(shifted, minlength=hi - lo + 1)
            present = np.flatnonzero(counts_full)
            classes = (present + lo).astype(y.dtype)
            # codes index the full span; _Encoded maps them to positions lazily
            return _Encoded(classes, shifted, counts_full[present], present, hi - lo + 1)
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    return _Encoded(classes, codes.reshape(y.shape), counts, None, len(classes))


class _Encoded:
    """Labels as integer codes, with their classes and counts."""

    __slots__ = ("classes", "codes", "counts", "present", "span")

    def __init__(self, classes, codes, counts, present, span):
        self.classes = classes
        self.codes = codes
        self.counts = counts
        self.present = present  # positions of classes inside the code span (None: identity)
        self.span = span

    def gather(self, per_class, dtype, fill=1.0):
        """Weights per element from one weight per class (in ``classes`` order)."""
        if self.present is None:
            table = np.asarray(per_class, dtype=dtype)
        else:
            table = np.full(self.span, fill, dtype=dtype)
            table[self.present] = per_class
        return table[self.codes]


# --------------------------------------------------------------------------- #
# class_weight: validation of the user's forms
# --------------------------------------------------------------------------- #
_ACCEPTED = (
    "None, 'balanced', a dict {label: weight}, or (multi-label) a list of "
    "{0: w_neg, 1: w_pos} dicts, or (multi-output) a list/dict with one of these per output"
)


def _check_weight_value(key, value, param="class_weight"):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(
            f"{param}[{key!r}] = {value!r} is not a number; class weights must be "
            "finite non-negative real numbers."
        )
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(
            f"{param}[{key!r}] = {value!r} is not allowed; class weights must be "
            "finite and non-negative."
        )
    return value


def _dict_to_vector(class_weight, classes, param="class_weight", known=None):
    """Turn ``{label: weight}`` into one weight per class (missing classes weigh 1)."""
    known = classes if known is None else known
    lookup = {}
    for c in known.tolist() if hasattr(known, "tolist") else list(known):
        lookup[_label_key(c)] = c
    out = np.ones(len(classes), dtype=np.float64)
    index = {_label_key(c): i for i, c in enumerate(classes.tolist())}
    for key, value in class_weight.items():
        k = _label_key(key)
        if k not in lookup:
            shown = ", ".join(repr(c) for c in list(lookup.values())[:20])
            hint = ""
            if isinstance(key, str) and any(not isinstance(c, str) for c in lookup.values()):
                hint = " (the key is a string but the labels are not)"
            elif not isinstance(key, str) and any(isinstance(c, str) for c in lookup.values()):
                hint = " (the labels are strings but the key is not)"
            raise ValueError(
                f"{param} has key {key!r} which is not a class of y{hint}; "
                f"the classes are [{shown}]."
            )
        w = _check_weight_value(key, value, param)
        if k in index:
            out[index[k]] = w
    return out


def _label_key(c):
    """A hashable key under which equal labels of different NumPy types meet."""
    if isinstance(c, (np.generic,)):
        c = c.item()
    if isinstance(c, bool):
        return ("n", int(c))
    if isinstance(c, numbers.Integral):
        return ("n", int(c))
    if isinstance(c, numbers.Real):
        f = float(c)
        return ("n", int(f)) if f.is_integer() else ("n", f)
    if isinstance(c, bytes):
        return ("s", c.decode())
    if isinstance(c, str):
        return ("s", c)
    return ("o", c)


def _balanced(counts, n):
    counts = np.asarray(counts, dtype=np.float64)
    return n / (len(counts) * counts)


def _resolve_labels(enc, class_weight, n, param, known=None):
    """Canonical ``{label: weight}`` for one vector of labels."""
    classes = enc.classes
    if class_weight is None:
        vec = np.ones(len(classes))
    elif isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"{param}={class_weight!r} is not supported; accepted: {_ACCEPTED}.")
        vec = _balanced(enc.counts, n)
    elif isinstance(class_weight, Mapping):
        if any(isinstance(v, Mapping) for v in class_weight.values()):
            raise ValueError(
                f"{param} maps labels to dicts, a per-label/per-output form, but this "
                "target has a single label per sample; give {label: weight}."
            )
        vec = _dict_to_vector(class_weight, classes, param, known)
    elif isinstance(class_weight, (list, tuple)):
        raise ValueError(
            f"{param} is a list (the per-label or per-output form), but this target has a "
            f"single label per sample; give None, 'balanced' or a dict {{label: weight}}."
        )
    else:
        raise TypeError(f"{param}={class_weight!r} has type {type(class_weight).__name__}; accepted: {_ACCEPTED}.")
    return {c: float(w) for c, w in zip(classes.tolist(), vec)}, vec


def _resolve_multilabel(y, class_weight, param):
    n, n_labels = y.shape
    pos = np.asarray(y.sum(axis=0), dtype=np.float64)
    neg = n - pos
    if class_weight is None:
        return [{0: 1.0, 1: 1.0} for _ in range(n_labels)]
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"{param}={class_weight!r} is not supported; accepted: {_ACCEPTED}.")
        with np.errstate(divide="ignore"):
            w_pos = np.where(pos > 0, n / (2 * np.maximum(pos, 1)), 1.0)
            w_neg = np.where(neg > 0, n / (2 * np.maximum(neg, 1)), 1.0)
        return [{0: float(a), 1: float(b)} for a, b in zip(w_neg, w_pos)]
    if isinstance(class_weight, Mapping):
        raise ValueError(
            f"{param} is a single dict, but y is a multi-label target with {n_labels} labels; "
            f"give 'balanced' or a list of {n_labels} dicts {{0: w_neg, 1: w_pos}}, one per label."
        )
    if isinstance(class_weight, (list, tuple)):
        if len(class_weight) != n_labels:
            raise ValueError(
                f"{param} has {len(class_weight)} entries but y has {n_labels} labels; "
                "give one {0: w_neg, 1: w_pos} dict per label."
            )
        out = []
        for j, spec in enumerate(class_weight):
            if spec is None:
                out.append({0: 1.0, 1: 1.0})
                continue
            if not isinstance(spec, Mapping):
                raise TypeError(f"{param}[{j}] = {spec!r} must be a dict {{0: w_neg, 1: w_pos}} or None.")
            entry = {0: 1.0, 1: 1.0}
            for key, value in spec.items():
                k = _label_key(key)
                if k not in (("n", 0), ("n", 1)):
                    raise ValueError(f"{param}[{j}] has key {key!r}; a multi-label entry accepts keys 0 and 1 only.")
                entry[k[1]] = _check_weight_value(f"{j}][{key!r}", value, param)
            out.append(entry)
        return out
    raise TypeError(f"{param}={class_weight!r} has type {type(class_weight).__name__}; accepted: {_ACCEPTED}.")


# --------------------------------------------------------------------------- #
# public entry points
# --------------------------------------------------------------------------- #
def class_weights(y, class_weight="balanced", *, kind=None, padding_label=None, classes=None):
    """Resolve ``class_weight`` for the target ``y`` into its canonical form.

    Parameters
    ----------
    y : array-like, list of arrays or dict of arrays
        Target of any kind in :data:`KINDS`.
    class_weight : None, "balanced", dict, list or dict of specs
        ``"balanced"`` gives class ``c`` the weight
        ``n_samples / (n_classes * count(c))``, as scikit-learn does.  A dict
        maps labels (in the user's own label space) to weights; classes missing
        from it weigh 1.  Multi-label targets take a list of
        ``{0: w_neg, 1: w_pos}`` dicts, one per label.  Multi-output targets take
        one spec per output: a list in output order, or a dict keyed by output
        name when ``y`` is a dict; a single string applies to every output.
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
        targets; a list of ``{0: w_neg, 1: w_pos}`` for multi-label targets; a
        list (or dict) of those for multi-output targets.

    Examples
    --------
    >>> from skweight import class_weights
    >>> class_weights(["a", "a", "a", "b"])
    {'a': 0.6666666666666666, 'b': 2.0}
    >>> class_weights([0, 0, 1], {1: 3})
    {0: 1.0, 1: 3.0}
    """
    return _resolve(y, class_weight, kind=kind, padding_label=padding_label, classes=classes)[0]


def sample_weights(y, class_weight="balanced", *, kind=None, padding_label=None, classes=None, dtype=np.float64):
    """Sample weights for ``y`` in the shape Keras needs for that target.

    Parameters
    ----------
    y, class_weight, kind, padding_label, classes
        As in :func:`class_weights`.
    dtype : numpy dtype, default float64
        dtype of the returned weights (use ``float32`` for Keras).

    Returns
    -------
    ndarray or list or dict
        ``(n,)`` for binary, multiclass, one-hot and ordinal targets and for a
        2-D multi-output array (the product over columns, as
        :func:`sklearn.utils.class_weight.compute_sample_weight` gives);
        ``(n, n_labels)`` for multi-label targets; ``(n, timesteps)`` for
        sequence targets; one ``(n,)`` array per output for a list/dict target.

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
    weights, kind, prepared = _resolve(y, class_weight, kind=kind, padding_label=padding_label, classes=classes)
    return _expand(prepared, weights, kind, padding_label, dtype)


def apply_class_weights(y, weights, *, kind=None, padding_label=None, dtype=np.float64):
    """Expand already-resolved canonical weights over (possibly other) rows ``y``.

    This is how validation rows get the weights resolved on training rows:
    ``apply_class_weights(y_val, class_weights(y_train, "balanced"))``.
    Labels that ``weights`` does not name weigh 1.

    Examples
    --------
    >>> from skweight import apply_class_weights, class_weights
    >>> w = class_weights([0, 0, 0, 1])
    >>> apply_class_weights([1, 0], w)
    array([2.        , 0.66666667])
    """
    kind = target_kind(y, kind)
    prepared = _prepare(y, kind)
    return _expand(prepared, weights, kind, padding_label, dtype)


# --------------------------------------------------------------------------- #
# internals
# --------------------------------------------------------------------------- #
def _prepare(y, kind):
    if kind == "multioutput":
        if isinstance(y, Mapping):
            return {k: _as_array(v, f"y[{k!r}]") for k, v in y.items()}
        if _is_multi_output_container(y):
            return [_as_array(v, f"y[{i}]") for i, v in enumerate(y)]
        return _as_array(y)
    y = _as_array(y)
    if kind in ("binary", "multiclass") and y.ndim == 2:
        y = y.ravel()
    return y


def _outputs(prepared):
    """(names or None, list of 1-D targets) of a multi-output target."""
    if isinstance(prepared, Mapping):
        return list(prepared), [np.asarray(v).ravel() if np.ndim(v) == 2 and np.shape(v)[1] == 1 else v for v in prepared.values()]
    if isinstance(prepared, list):
        return None, [np.asarray(v).ravel() if np.ndim(v) == 2 and np.shape(v)[1] == 1 else v for v in prepared]
    return None, [prepared[:, j] for j in range(prepared.shape[1])]


def _output_specs(class_weight, names, n_outputs, param):
    if class_weight is None or isinstance(class_weight, str):
        return [class_weight] * n_outputs
    if isinstance(class_weight, Mapping):
        if names is None:
            if set(map(_label_key, class_weight)) <= {("n", i) for i in range(n_outputs)} and all(
                isinstance(v, (Mapping, str)) or v is None for v in class_weight.values()
            ):
                return [class_weight.get(i) for i in range(n_outputs)]
            raise ValueError(
                f"{param} is a dict but the target has {n_outputs} unnamed outputs; give a "
                f"list of {n_outputs} specs in output order (or pass y as a dict keyed by output name)."
            )
        unknown = [k for k in class_weight if k not in names]
        if unknown:
            raise ValueError(
                f"{param} names output {unknown[0]!r}, which is not an output of y; "
                f"the outputs are {names}."
            )
        return [class_weight.get(k) for k in names]
    if isinstance(class_weight, (list, tuple)):
        if len(class_weight) != n_outputs:
            raise ValueError(
                f"{param} has {len(class_weight)} entries but the target has {n_outputs} outputs; "
                "give one spec per output, in output order."
            )
        return list(class_weight)
    raise TypeError(f"{param}={class_weight!r} has type {type(class_weight).__name__}; accepted: {_ACCEPTED}.")


def _resolve(y, class_weight, *, kind=None, padding_label=None, classes=None, param="class_weight"):
    kind = target_kind(y, kind)
    prepared = _prepare(y, kind)
    if kind == "multioutput":
        names, parts = _outputs(prepared)
        specs = _output_specs(class_weight, names, len(parts), param)
        resolved = []
        for j, (part, spec) in enumerate(zip(parts, specs)):
            label = names[j] if names is not None else j
            part = _as_array(part)
            _check_labels(part, f"y[{label!r}]")
            enc = _encode(part.ravel())
            known = None if classes is None else _as_array(classes[j] if isinstance(classes, list) else classes[label])
            resolved.append(_resolve_labels(enc, spec, part.shape[0], f"{param}[{label!r}]", known)[0])
        weights = dict(zip(names, resolved)) if names is not None else resolved
        return weights, kind, prepared
    _check_labels(prepared)
    if kind == "multilabel":
        return _resolve_multilabel(prepared, class_weight, param), kind, prepared
    if kind == "onehot":
        labels = np.argmax(prepared, axis=1)
        enc = _encode(labels)
    elif kind == "ordinal":
        enc = _encode(prepared.sum(axis=1).astype(np.int64))
    elif kind == "sequence":
        flat = prepared.ravel()
        if padding_label is not None:
            flat = flat[flat != padding_label]
            if flat.size == 0:
                raise ValueError(f"every element of y equals padding_label={padding_label!r}; nothing to weigh.")
        enc = _encode(flat)
    else:
        enc = _encode(prepared)
    known = None if classes is None else _as_array(classes, "classes")
    weights = _resolve_labels(enc, class_weight, enc.codes.size, param, known)[0]
    return weights, kind, prepared


def _gather_labels(y, weights, dtype):
    enc = _encode(y.ravel()) if y.ndim > 1 else _encode(y)
    keyed = {_label_key(k): v for k, v in weights.items()}
    vec = np.array([keyed.get(_label_key(c), 1.0) for c in enc.classes.tolist()], dtype=dtype)
    return enc.gather(vec, dtype).reshape(y.shape)


def _expand(prepared, weights, kind, padding_label, dtype):
    if kind == "multioutput":
        names, parts = _outputs(prepared)
        specs = [weights[k] for k in names] if names is not None else list(weights)
        per_output = [_gather_labels(_as_array(p).ravel(), w, dtype) for p, w in zip(parts, specs)]
        if isinstance(prepared, np.ndarray):
            return np.prod(np.stack(per_output, axis=1), axis=1).astype(dtype, copy=False)
        return dict(zip(names, per_output)) if names is not None else per_output
    if kind == "multilabel":
        w_neg = np.array([w[0] for w in weights], dtype=dtype)
        w_pos = np.array([w[1] for w in weights], dtype=dtype)
        return np.where(prepared.astype(bool), w_pos, w_neg)
    if kind == "onehot":
        vec = np.array([weights.get(j, 1.0) for j in range(prepared.shape[1])], dtype=dtype)
        return vec[np.argmax(prepared, axis=1)]
    if kind == "ordinal":
        levels = prepared.shape[1] + 1
        vec = np.array([weights.get(j, 1.0) for j in range(levels)], dtype=dtype)
        return vec[prepared.sum(axis=1).astype(np.int64)]
    out = _gather_labels(prepared, weights, dtype)
    if kind == "sequence" and padding_label is not None:
        out[prepared == padding_label] = 0
    return out


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
        w_neg = np.array([_check_weight_value(f"{j}][0", w.get(0, 1.0)) for j, w in enumerate(class_weight)])
        w_pos = np.array([_check_weight_value(f"{j}][1", w.get(1, 1.0)) for j, w in enumerate(class_weight)])
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
        raise ValueError(
            f"class_weight must be finite and positive to undo its prior shift; got {w.tolist()!r}."
        )
    scaled = proba / w
    total = scaled.sum(axis=1, keepdims=True)
    total[total == 0] = 1.0
    return scaled / total
