"""Target kinds, ``class_weight`` resolution and sample-weight expansion.

This module is NumPy only: it never imports Keras, so it is cheap to import,
fast to test and usable on its own.  It is where the meaning of ``class_weight``
is decided for every target shape that :class:`WeightedKerasClassifier`
accepts.

The flow is always the same, and the target is read (and its labels encoded)
exactly once per call:

1. ``_read`` names the kind of target (``"binary"``, ``"multiclass"``,
   ``"onehot"``, ``"multilabel"``, ``"ordinal"``, ``"sequence"`` or
   ``"multioutput"``; :func:`target_kind` is its public face) and encodes its
   labels as integer codes with their counts.
2. ``_resolve`` normalises any accepted form of ``class_weight`` (``None``,
   ``"balanced"``, a dict, a list of dicts, ...) into one canonical structure:
   a ``dict`` ``{label: weight}`` for single-label kinds, a list of
   ``{0: w_neg, 1: w_pos}`` dicts for multi-label targets, and a list (or a dict
   keyed by output name) of such structures for multi-output targets.  This is
   what :func:`class_weights` returns.
3. ``_expand`` turns the resolved weights into sample weights of the shape Keras
   needs for that target; :func:`sample_weights` does 1-3 in one call, and
   :func:`apply_class_weights` expands canonical weights over other rows.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

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

#: Every target kind the weight engine understands.
KINDS = ("binary", "multiclass", "onehot", "multilabel", "ordinal", "sequence", "multioutput")

_TWO_D_KINDS = ("onehot", "multilabel", "ordinal", "sequence")
# Largest span of integer labels for which the bincount fast path is used.
_MAX_INT_SPAN = 1 << 22


# --------------------------------------------------------------------------- #
# label encoding (the fast part)
# --------------------------------------------------------------------------- #
class _Encoded:
    """1-D labels as integer codes, with their sorted classes and counts.

    On the bincount path the codes index the whole span of integer labels and
    ``present`` says where the classes sit in it; on the ``np.unique`` path the
    codes index ``classes`` directly and ``present`` is None.
    """

    __slots__ = ("classes", "codes", "counts", "present", "span")

    def __init__(self, classes, codes, counts, present, span):
        self.classes = classes
        self.codes = codes
        self.counts = counts
        self.present = present
        self.span = span

    def gather(self, per_class, dtype):
        """One weight per element from one weight per class (``classes`` order)."""
        if self.present is None:
            table = np.asarray(per_class, dtype=dtype)
        else:
            table = np.ones(self.span, dtype=dtype)
            table[self.present] = per_class
        return np.take(table, self.codes)


def _encode(y, name="y"):
    """Encode a 1-D label array once: ``np.bincount`` for integer and boolean
    labels of modest span (no sort), ``np.unique`` for anything else."""
    if y.size and y.dtype.kind in "iub":
        v = y.view(np.uint8) if y.dtype.kind == "b" else y
        wide_unsigned = v.dtype.kind == "u" and v.dtype.itemsize >= np.dtype(np.intp).itemsize
        hi = int(v.max())
        if hi < _MAX_INT_SPAN:
            # labels in [0, hi]: one bincount, no shift (np.bincount itself
            # refuses negative labels, which are then shifted below)
            codes = v.astype(np.intp) if wide_unsigned else v  # np.bincount refuses uint64
            try:
                counts_full = np.bincount(codes, minlength=hi + 1)
            except ValueError:
                counts_full = None
            if counts_full is not None:
                present = np.flatnonzero(counts_full)
                return _Encoded(present.astype(y.dtype), codes, counts_full[present], present, hi + 1)
        lo = int(v.min())
        if hi - lo < _MAX_INT_SPAN:
            # shift in a type that cannot overflow: unsigned values stay >= lo,
            # signed ones are widened first (int8 100 - (-100) would wrap)
            unsigned = v.dtype.kind == "u"
            codes = (v - v.dtype.type(lo)).astype(np.intp, copy=False) if unsigned else v.astype(np.intp) - lo
            counts_full = np.bincount(codes, minlength=hi - lo + 1)
            present = np.flatnonzero(counts_full)
            # (an unsigned lo may exceed int64: add it in the labels' own type)
            classes = present.astype(v.dtype) + v.dtype.type(lo) if unsigned else present + lo
            return _Encoded(classes.astype(y.dtype), codes, counts_full[present], present, hi - lo + 1)
    try:
        return _encode_sorted(y)
    except TypeError as exc:
        kinds = sorted({type(v).__name__ for v in y[: min(y.size, 1000)].tolist()})
        raise ValueError(
            f"{name} mixes labels of types {kinds} that cannot be ordered; give labels of one type "
            "(all ints, all strings or all bools)."
        ) from exc


# Labels of other types (strings, objects, floats, very wide ints) are encoded
# by binary search against the classes of an evenly spaced sample of this many
# rows; classes the sample missed are found among the rows that did not match.
_GUESS_SAMPLE = 1 << 16
_GUESS_MAX_CLASSES = 1 << 10


def _encode_sorted(y):
    """Encode labels that ``np.bincount`` cannot take, without sorting them all.

    Two ``np.searchsorted`` passes against the sample's classes give each row
    its code and say whether it matched; only the unmatched rows (a rare class
    the sample missed) are sorted.  Falls back to ``np.unique`` where the
    sample has many classes or misses many rows.
    """
    guess = np.unique(y[:: max(1, y.size // _GUESS_SAMPLE)])
    if len(guess) <= _GUESS_MAX_CLASSES:
        left = np.searchsorted(guess, y)
        miss = left == np.searchsorted(guess, y, side="right")
        n_miss = int(np.count_nonzero(miss))
        if n_miss == 0:
            classes, codes = guess, left
        elif n_miss <= y.size // 16:
            extra = np.unique(y[miss])
            classes = np.union1d(guess, extra)
            codes = np.searchsorted(classes, guess)[np.where(miss, 0, left)]
            codes[miss] = np.searchsorted(classes, y[miss])
        else:
            classes = None
        if classes is not None:
            return _Encoded(classes, codes, np.bincount(codes, minlength=len(classes)), None, len(classes))
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    return _Encoded(classes, codes.ravel(), counts, None, len(classes))


# --------------------------------------------------------------------------- #
# reading a target: its kind, its labels, their encoding
# --------------------------------------------------------------------------- #
class _Target:
    """A target read once.

    ``y`` is the array (1-D labels, or the 2-D matrix), ``enc`` the encoding of
    what is weighted per class (the labels, the one-hot argmax, the ordinal
    level or every sequence element), ``parts`` the per-output targets of a
    multi-output target (``names`` when it was a dict).
    """

    __slots__ = ("kind", "y", "enc", "parts", "names")

    def __init__(self, kind, y=None, enc=None, parts=None, names=None):
        self.kind = kind
        self.y = y
        self.enc = enc
        self.parts = parts
        self.names = names


def _is_multi_output_container(y):
    if isinstance(y, Mapping):
        return True
    if isinstance(y, (list, tuple)) and len(y) > 0:
        # A list of arrays is a multi-output target; a list of plain Python
        # rows is a 2-D target.
        return all(isinstance(part, np.ndarray) or hasattr(part, "iloc") for part in y)
    return False


def _as_array(y, name="y"):
    if hasattr(y, "to_numpy"):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim == 0:
        raise ValueError(f"{name} must be an array of labels, got a scalar {y!r}.")
    return y


def _check_labels(y, name="y"):
    if y.size == 0:
        raise ValueError(f"{name} is empty; at least one labelled sample is required.")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{name} contains NaN or infinite labels; labels must be finite.")
        frac = y != np.round(y)
        if np.any(frac):
            raise ValueError(
                f"{name} holds continuous values ({y[frac].ravel()[:1].tolist()[0]!r}); "
                "a classifier needs discrete class labels (ints, strings or bools)."
            )
    elif y.dtype.kind == "O":
        for v in y.ravel()[: min(y.size, 1000)].tolist():
            if v is None or (isinstance(v, float) and not np.isfinite(v)):
                raise ValueError(f"{name} contains missing labels ({v!r}); labels must not be NaN/None.")
    elif y.dtype.kind not in "iubUS":
        raise ValueError(f"{name} has dtype {y.dtype}; labels must be ints, bools, strings or integral floats.")


def _is_binary_indicator(y):
    if y.dtype.kind == "b":
        return True
    if y.dtype.kind in "iu":
        return bool(y.min() >= 0 and y.max() <= 1)
    if y.dtype.kind == "f":
        return bool(np.all((y == 0) | (y == 1)))
    return False


def _one_hot_codes(arr):
    """The column of the 1 in each row of a 0/1 matrix when every row holds
    exactly one 1, else None.  (Every row's argmax is a 1 and there are n
    ones in all: cheaper than a row sum over a narrow matrix.)"""
    n = arr.shape[0]
    if np.count_nonzero(arr) != n:
        return None
    codes = np.argmax(arr, axis=1)
    return codes if np.all(arr[np.arange(n), codes]) else None


def _check_kind(kind):
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not a target kind; accepted: {', '.join(KINDS)} or None.")


def _read(y, kind=None, name="y"):
    """Read ``y`` once into a :class:`_Target` (kind, array, encoding)."""
    _check_kind(kind)
    if _is_multi_output_container(y):
        if kind not in (None, "multioutput"):
            raise ValueError(f"kind={kind!r} does not fit a list/dict of targets, which is 'multioutput'.")
        names = [k for k in y] if isinstance(y, Mapping) else None
        values = list(y.values()) if names is not None else list(y)
        if not values:
            raise ValueError(f"{name} is an empty dict of outputs; give at least one target.")
        parts = [_read_output(v, f"{name}[{k!r}]") for k, v in zip(names or range(len(values)), values)]
        lengths = {len(p.y) for p in parts}
        if len(lengths) > 1:
            raise ValueError(
                f"the outputs of {name} have different numbers of rows {sorted(lengths)}; give one row per sample."
            )
        return _Target("multioutput", parts=parts, names=names)
    arr = _as_array(y, name)
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1 and kind not in _TWO_D_KINDS):
        if kind not in (None, "binary", "multiclass"):
            raise ValueError(f"kind={kind!r} needs a 2-D target, but {name} is 1-D (shape {arr.shape}).")
        arr = arr.reshape(-1)
        _check_labels(arr, name)
        enc = _encode(arr, name)
        n_classes = len(enc.classes)
        if kind == "binary" and n_classes > 2:
            raise ValueError(f"kind='binary' but {name} has {n_classes} classes; give kind='multiclass' or None.")
        detected = "binary" if n_classes <= 2 else "multiclass"
        return _Target(kind or detected, arr, enc)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D (or a list/dict of targets); got shape {arr.shape}.")
    if kind in ("binary", "multiclass"):
        raise ValueError(f"kind={kind!r} needs a 1-D target, but {name} has shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one labelled sample is required.")
    indicator = _is_binary_indicator(arr)
    if not indicator:
        _check_labels(arr, name)  # (a 0/1 matrix needs no further label checks)
    codes = None
    if kind is None:
        if indicator:
            codes = _one_hot_codes(arr)
            kind = "onehot" if codes is not None else "multilabel"
        else:
            kind = "multioutput"
    elif kind == "onehot":
        codes = _one_hot_codes(arr) if indicator else None
        if codes is None:
            raise ValueError(f"kind='onehot' needs {name} to hold rows of 0/1 with exactly one 1 in each row.")
    elif kind == "multilabel":
        if not indicator:
            bad = arr[~np.isin(arr, [0, 1])] if arr.dtype.kind in "iuf" else arr
            raise ValueError(
                f"a multi-label target must hold only 0 and 1; {name} holds {bad.ravel()[:1].tolist()[0]!r}."
            )
    elif kind == "ordinal":
        if arr.dtype.kind in "biuf":
            ok = np.all(arr[:, 1:] <= arr[:, :-1], axis=1)
            if not indicator:
                ok &= np.all(np.isin(arr, [0, 1]), axis=1)
        else:
            ok = np.zeros(len(arr), dtype=bool)
        if not np.all(ok):
            row = int(np.flatnonzero(~ok)[0])
            raise ValueError(
                f"an ordinal target must be thermometer-coded (a run of 1s then 0s, e.g. [1, 1, 0, 0]); "
                f"row {row} of {name} is not: {arr[row].tolist()!r}."
            )
    if kind == "onehot":
        return _Target(kind, arr, _encode(codes))
    if kind == "ordinal":
        return _Target(kind, arr, _encode(np.count_nonzero(arr, axis=1)))
    if kind == "sequence":
        return _Target(kind, arr, _encode(arr.reshape(-1), name))
    if kind == "multioutput":
        parts = [_read(arr[:, j], None, f"{name}[:, {j}]") for j in range(arr.shape[1])]
        return _Target(kind, arr, parts=parts)
    return _Target(kind, arr)  # multilabel: weighted per column, no encoding


def _read_output(part, name):
    """One output of a list/dict target: 1-D labels, one-hot or multi-label."""
    t = _read(part, None, name)
    if t.kind == "multioutput":
        raise ValueError(
            f"{name} is a 2-D array of non-indicator labels; each output of a list/dict target must be 1-D "
            "labels, a one-hot matrix or a multi-label indicator matrix."
        )
    return t


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
    return _read(y, kind).kind


# --------------------------------------------------------------------------- #
# weighting forms beyond "balanced": small immutable specs (grid-search values)
# --------------------------------------------------------------------------- #
class _WeightForm:
    """Base of the weighting specs: one weight per class from the class counts."""

    __slots__ = ()

    def from_counts(self, counts, n_classes=None):  # pragma: no cover - abstract
        raise NotImplementedError


def _check_strength(owner, name, value, upper_open):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"{owner}({name}={value!r}): {name} must be a real number, not {type(value).__name__}.")
    v = float(value)
    ok = 0.0 <= v < 1.0 if upper_open else 0.0 <= v <= 1.0
    if not ok:
        interval = "[0, 1)" if upper_open else "[0, 1]"
        raise ValueError(f"{owner}({name}={value!r}): {name} must lie in {interval}.")
    return v


@dataclass(frozen=True)
class Balanced(_WeightForm):
    """Tempered balancing: ``class_weight=Balanced(power)``.

    Class ``c`` weighs ``(n_samples / (n_classes * count(c))) ** power``:
    ``power=1`` is exactly scikit-learn's ``"balanced"``, ``power=0`` weighs
    every class 1, and values in between soften inverse-frequency weighting
    (full balancing is often too strong for ranking metrics such as average
    precision).  Accepted wherever ``"balanced"`` is, for every target kind;
    multi-label targets get ``(n / (2 * count)) ** power`` per label and side.

    Parameters
    ----------
    power : float in [0, 1], default 1.0

    Examples
    --------
    >>> from skweight import Balanced, class_weights
    >>> class_weights([0, 0, 0, 1], Balanced(power=0.5))
    {0: 0.816496580927726, 1: 1.4142135623730951}
    >>> class_weights([0, 0, 0, 1], Balanced(1.0)) == class_weights([0, 0, 0, 1], "balanced")
    True
    """

    power: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "power", _check_strength("Balanced", "power", self.power, upper_open=False))

    def from_counts(self, counts, n_classes=None):
        """One weight per class from ``counts`` (only classes present); ``n_classes``
        defaults to ``len(counts)``."""
        k = len(counts) if n_classes is None else n_classes
        base = counts.sum() / (k * counts)
        return base if self.power == 1.0 else base**self.power


@dataclass(frozen=True)
class EffectiveNumber(_WeightForm):
    """Effective-number weighting (Cui et al., CVPR 2019): ``class_weight=EffectiveNumber(beta)``.

    Class ``c`` weighs ``(1 - beta) / (1 - beta ** count(c))``, the inverse of
    its "effective number" of samples, rescaled so that the weights average
    to 1 over the samples, as ``"balanced"`` weights do (the paper rescales
    so that they average to 1 over the classes instead; the ratio between
    classes is the same).  ``beta=0`` weighs every class 1; as ``beta``
    approaches 1 the weights approach ``"balanced"``.  Useful values sit near
    1 and depend on the class sizes (``0.9``, ``0.99``, ``0.999``, ...).
    Multi-label targets are weighed per label (its 1s and 0s).

    Parameters
    ----------
    beta : float in [0, 1), default 0.999

    Examples
    --------
    >>> from skweight import EffectiveNumber, class_weights
    >>> w = class_weights([0] * 90 + [1] * 10, EffectiveNumber(beta=0.99))
    >>> round(w[0], 3), round(w[1], 3)
    (0.657, 4.089)
    >>> class_weights([0, 0, 1], EffectiveNumber(0.0))
    {0: 1.0, 1: 1.0}
    """

    beta: float = 0.999

    def __post_init__(self):
        object.__setattr__(self, "beta", _check_strength("EffectiveNumber", "beta", self.beta, upper_open=True))

    def from_counts(self, counts, n_classes=None):
        """One weight per class from ``counts`` (only classes present), averaging
        1 over the samples; ``n_classes`` is not used."""
        if self.beta == 0.0:
            return np.ones(len(counts))
        # (1 - beta) cancels in the rescaling; 1 - beta**count computed stably
        raw = 1.0 / -np.expm1(counts * np.log(self.beta))
        return raw * (counts.sum() / np.dot(counts, raw))


_FORMS = (str, _WeightForm)

# --------------------------------------------------------------------------- #
# class_weight: the user's forms → one weight per class
# --------------------------------------------------------------------------- #
_ACCEPTED = (
    "None, 'balanced', Balanced(power), EffectiveNumber(beta), a dict {label: weight}, or (multi-label) a list of "
    "{0: w_neg, 1: w_pos} dicts, or (multi-output) a list/dict with one of these per output"
)


def _check_weight_value(key, value, param="class_weight"):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(
            f"{param}[{key!r}] = {value!r} is not a number; class weights must be finite non-negative real numbers."
        )
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{param}[{key!r}] = {value!r} is not allowed; class weights must be finite and non-negative.")
    return value


def _label_key(c):
    """A hashable key under which equal labels of different NumPy types meet."""
    if isinstance(c, np.generic):
        c = c.item()
    if isinstance(c, (bool, numbers.Integral)):
        return ("n", int(c))
    if isinstance(c, numbers.Real):
        f = float(c)
        return ("n", int(f)) if f.is_integer() else ("n", f)
    if isinstance(c, bytes):
        return ("s", c.decode())
    if isinstance(c, str):
        return ("s", c)
    return ("o", c)


def _dict_to_vector(class_weight, classes, param="class_weight", known=None, ignore=()):
    """Turn ``{label: weight}`` into one weight per class of ``classes``.

    Classes missing from the dict weigh 1.  A key that is no class of
    ``known`` (default: ``classes``) is an error when some class is also left
    without a weight: the keys then look like another label space (scikit-learn's
    rule; a dict naming every class may name more).  Keys in ``ignore`` (label
    keys) are allowed and skipped.
    """
    known = classes if known is None else known
    lookup = {_label_key(c): c for c in (known.tolist() if hasattr(known, "tolist") else list(known))}
    given = {}
    for key, value in class_weight.items():
        given[_label_key(key)] = (key, _check_weight_value(key, value, param))
    unknown = [key for k, (key, _) in given.items() if k not in lookup and k not in ignore]
    if unknown:
        unweighted = [c for k, c in lookup.items() if k not in given and k not in ignore]
        if unweighted:
            shown = ", ".join(repr(c) for c in list(lookup.values())[:20])
            hint = ""
            if isinstance(unknown[0], str) and any(not isinstance(c, str) for c in lookup.values()):
                hint = " (the key is a string but the labels are not)"
            elif not isinstance(unknown[0], str) and any(isinstance(c, str) for c in lookup.values()):
                hint = " (the labels are strings but the key is not)"
            raise ValueError(
                f"{param} has key {unknown[0]!r}, which is not a class of y{hint}, and gives no weight to "
                f"{unweighted[0]!r}; keys must be labels of y (classes missing from the dict weigh 1). "
                f"The classes are [{shown}]."
            )
    out = np.ones(len(classes), dtype=np.float64)
    for i, c in enumerate(classes.tolist()):
        hit = given.get(_label_key(c))
        if hit is not None:
            out[i] = hit[1]
    return out


def _resolve_labels(enc, class_weight, param, known=None, skip=None):
    """One weight per class of ``enc`` (in ``enc.classes`` order).

    ``skip`` is the position of a class that weighs 0 and is left out of the
    counts (the padding label of a sequence target).
    """
    counts = enc.counts.astype(np.float64)
    keep = np.ones(len(counts), dtype=bool)
    if skip is not None:
        keep[skip] = False
        if not keep.any():
            raise ValueError("every element of y is the padding label; there is nothing to weigh.")
    if class_weight is None:
        vec = np.ones(len(counts))
    elif isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"{param}={class_weight!r} is not supported; accepted: {_ACCEPTED}.")
        vec = np.zeros(len(counts))
        vec[keep] = counts[keep].sum() / (keep.sum() * counts[keep])
    elif isinstance(class_weight, _WeightForm):
        vec = np.zeros(len(counts))
        vec[keep] = class_weight.from_counts(counts[keep])
    elif isinstance(class_weight, Mapping):
        if any(isinstance(v, (Mapping, list, tuple) + _FORMS) for v in class_weight.values()):
            raise ValueError(
                f"{param} maps keys to specs (a per-output form), but this target has a "
                "single label per sample; give {label: weight}."
            )
        ignore = () if skip is None else (_label_key(enc.classes[skip]),)
        vec = _dict_to_vector(class_weight, enc.classes, param, known, ignore)
    elif isinstance(class_weight, (list, tuple)):
        raise ValueError(
            f"{param} is a list (the per-label or per-output form), but this target has a "
            "single label per sample; give None, 'balanced' or a dict {label: weight}."
        )
    else:
        raise TypeError(f"{param}={class_weight!r} has type {type(class_weight).__name__}; accepted: {_ACCEPTED}.")
    if skip is not None:
        vec[skip] = 0.0
    return vec


def _resolve_multilabel(y, class_weight, param):
    n, n_labels = y.shape
    if class_weight is None:
        return [{0: 1.0, 1: 1.0} for _ in range(n_labels)]
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f"{param}={class_weight!r} is not supported; accepted: {_ACCEPTED}.")
        pos = np.count_nonzero(y, axis=0).astype(np.float64)
        neg = n - pos
        # n / (2 * count) for each side a label has; a side it lacks weighs 1
        w_pos = np.where(pos > 0, n / (2 * np.maximum(pos, 1)), 1.0)
        w_neg = np.where(neg > 0, n / (2 * np.maximum(neg, 1)), 1.0)
        return [{0: float(a), 1: float(b)} for a, b in zip(w_neg, w_pos)]
    if isinstance(class_weight, _WeightForm):
        pos = np.count_nonzero(y, axis=0)
        return [_multilabel_form(class_weight, n - int(p), int(p)) for p in pos]
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
        return [_multilabel_entry(spec, f"{param}[{j}]") for j, spec in enumerate(class_weight)]
    raise TypeError(f"{param}={class_weight!r} has type {type(class_weight).__name__}; accepted: {_ACCEPTED}.")


def _multilabel_form(form, neg, pos):
    """``{0: w_neg, 1: w_pos}`` of one label from a weighting form; a side the
    label lacks weighs 1 (as with "balanced")."""
    sides = [c for c in (neg, pos) if c > 0]
    w = form.from_counts(np.array(sides, dtype=np.float64), n_classes=2)
    if len(sides) == 1:
        return {0: float(w[0]) if neg > 0 else 1.0, 1: float(w[0]) if pos > 0 else 1.0}
    return {0: float(w[0]), 1: float(w[1])}


def _multilabel_entry(spec, param):
    if spec is None:
        return {0: 1.0, 1: 1.0}
    if not isinstance(spec, Mapping):
        raise TypeError(f"{param} = {spec!r} must be a dict {{0: w_neg, 1: w_pos}} or None.")
    entry = {0: 1.0, 1: 1.0}
    for key, value in spec.items():
        k = _label_key(key)
        if k not in (("n", 0), ("n", 1)):
            raise ValueError(f"{param} has key {key!r}; a multi-label entry accepts keys 0 and 1 only.")
        entry[k[1]] = _check_weight_value(key, value, param)
    return entry


def _output_specs(class_weight, names, n_outputs, param):
    if class_weight is None or isinstance(class_weight, _FORMS):
        return [class_weight] * n_outputs
    if isinstance(class_weight, Mapping):
        if names is None:
            if set(map(_label_key, class_weight)) <= {("n", i) for i in range(n_outputs)} and all(
                isinstance(v, (Mapping, list, tuple) + _FORMS) or v is None for v in class_weight.values()
            ):
                return [class_weight.get(i) for i in range(n_outputs)]
            raise ValueError(
                f"{param} is a dict but the target has {n_outputs} unnamed outputs; give a "
                f"list of {n_outputs} specs in output order (or pass y as a dict keyed by output name)."
            )
        unknown = [k for k in class_weight if k not in names]
        if unknown:
            raise ValueError(
                f"{param} names output {unknown[0]!r}, which is not an output of y; the outputs are {names}."
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


def _padding_position(enc, padding_label):
    if padding_label is None:
        return None
    key = _label_key(padding_label)
    for i, c in enumerate(enc.classes.tolist()):
        if _label_key(c) == key:
            return i
    return None


def _part_label(t, j):
    return t.names[j] if t.names is not None else j


def _resolve(t, class_weight, padding_label=None, classes=None, param="class_weight"):
    """Resolve ``class_weight`` on a read target.

    Returns ``(canonical, table)``: the canonical structure :func:`class_weights`
    returns, and what ``_expand`` needs (one weight per encoded class, the
    multi-label entries, or a list of those per output).
    """
    if t.kind == "multioutput":
        specs = _output_specs(class_weight, t.names, len(t.parts), param)
        canon, tables = [], []
        for j, (part, spec) in enumerate(zip(t.parts, specs)):
            label = _part_label(t, j)
            known = None
            if classes is not None:
                known = _as_array(classes[label] if isinstance(classes, Mapping) else classes[j], "classes")
            c, tb = _resolve(part, spec, None, known, f"{param}[{label!r}]")
            canon.append(c)
            tables.append(tb)
        return (dict(zip(t.names, canon)) if t.names is not None else canon), tables
    if t.kind == "multilabel":
        canon = _resolve_multilabel(t.y, class_weight, param)
        return canon, canon
    known = None if classes is None else _as_array(classes, "classes")
    skip = _padding_position(t.enc, padding_label) if t.kind == "sequence" else None
    vec = _resolve_labels(t.enc, class_weight, param, known, skip)
    canon = {c: float(w) for c, w in zip(t.enc.classes.tolist(), vec)}
    if t.kind == "sequence" and padding_label is not None and skip is None:
        canon[padding_label] = 0.0
    return canon, vec


def _expand(t, table, dtype):
    """Sample weights of ``t``'s shape from a table made by ``_resolve``."""
    if t.kind == "multioutput":
        if t.y is not None:  # a 2-D array of label columns: the product, as scikit-learn does
            out = t.parts[0].enc.gather(table[0], np.float64)
            for part, tb in zip(t.parts[1:], table[1:]):
                out *= part.enc.gather(tb, np.float64)
            return out.astype(dtype, copy=False)
        per_output = [_expand(part, tb, dtype) for part, tb in zip(t.parts, table)]
        return dict(zip(t.names, per_output)) if t.names is not None else per_output
    if t.kind == "multilabel":
        w_neg = np.array([w[0] for w in table], dtype=dtype)
        w_pos = np.array([w[1] for w in table], dtype=dtype)
        return np.where(t.y.astype(bool, copy=False), w_pos, w_neg)
    out = t.enc.gather(table, dtype)
    return out.reshape(t.y.shape) if t.kind == "sequence" else out


def _is_dask(y):
    """A Dask array, DataFrame or Series (duck-typed: Dask is never imported here)."""
    return callable(getattr(y, "__dask_graph__", None)) and not isinstance(y, type)


def _check_dtype(dtype):
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype={dtype!r} is not a NumPy dtype; give a float dtype such as float32.") from exc
    if dt.kind != "f":
        raise TypeError(f"dtype={dtype!r} is not a float dtype; give float32 or float64.")
    return dt


# --------------------------------------------------------------------------- #
# public entry points
# --------------------------------------------------------------------------- #
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
    if _is_dask(y):
        from . import _dask

        return _dask.class_weights(y, class_weight, kind, padding_label, classes)
    return _resolve(_read(y, kind), class_weight, padding_label, classes)[0]


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
    if _is_dask(y):
        from . import _dask

        return _dask.sample_weights(y, class_weight, kind, padding_label, classes, dtype)
    t = _read(y, kind)
    return _expand(t, _resolve(t, class_weight, padding_label, classes)[1], dtype)


def apply_class_weights(y, weights, *, kind=None, padding_label=None, dtype=np.float64):
    """Expand already-resolved canonical weights over (possibly other) rows ``y``.

    This is how validation rows get the weights resolved on training rows:
    ``apply_class_weights(y_val, class_weights(y_train, "balanced"))``.
    Labels that ``weights`` does not name weigh 1; ``padding_label`` weighs 0.
    Where ``kind`` is not given it is read from ``y`` and ``weights`` together
    (a list of ``{0: w_neg, 1: w_pos}`` dicts means multi-label even when every
    row of ``y`` happens to hold a single 1; a dict over a 2-D label matrix
    means a sequence target).

    Examples
    --------
    >>> from skweight import apply_class_weights, class_weights
    >>> w = class_weights([0, 0, 0, 1])
    >>> apply_class_weights([1, 0], w)
    array([2.        , 0.66666667])
    """
    dtype = _check_dtype(dtype)
    if kind is None and not _is_multi_output_container(y) and isinstance(weights, Mapping):
        if np.ndim(_as_array(y)) == 2 and all(isinstance(v, numbers.Real) for v in weights.values()):
            arr = _as_array(y)
            if arr.shape[1] > 1 and not _is_binary_indicator(arr):
                kind = "sequence"
    t = _read(y, kind)
    return _expand(t, _table(t, weights, padding_label, "weights"), dtype)


def _table(t, weights, padding_label, param):
    """What ``_expand`` needs, from canonical ``weights`` (as returned by
    :func:`class_weights`, possibly resolved on other rows)."""
    if t.kind == "onehot" and isinstance(weights, (list, tuple)):
        t.kind = "multilabel"  # the weights say so; these rows happen to hold one 1 each
    if t.kind == "multioutput":
        if isinstance(weights, Mapping) and t.names is not None:
            missing = [k for k in t.names if k not in weights]
            if missing:
                raise ValueError(f"{param} has no entry for output {missing[0]!r}; the outputs are {t.names}.")
            specs = [weights[k] for k in t.names]
        elif isinstance(weights, (list, tuple)) and len(weights) == len(t.parts):
            specs = list(weights)
        else:
            raise ValueError(
                f"{param} must hold one entry per output ({len(t.parts)}), as class_weights returns for this target."
            )
        return [
            _table(part, spec, None, f"{param}[{_part_label(t, j)!r}]")
            for j, (part, spec) in enumerate(zip(t.parts, specs))
        ]
    if t.kind == "multilabel":
        if not isinstance(weights, (list, tuple)) or len(weights) != t.y.shape[1]:
            raise ValueError(
                f"{param} must be a list of {t.y.shape[1]} {{0: w_neg, 1: w_pos}} dicts for this multi-label target."
            )
        return [_multilabel_entry(spec, f"{param}[{j}]") for j, spec in enumerate(weights)]
    if not isinstance(weights, Mapping):
        raise TypeError(
            f"{param} must be a dict {{label: weight}} for a {t.kind} target; got {type(weights).__name__}."
        )
    keyed = {_label_key(k): _check_weight_value(k, v, param) for k, v in weights.items()}
    vec = np.array([keyed.get(_label_key(c), 1.0) for c in t.enc.classes.tolist()], dtype=np.float64)
    pad = _padding_position(t.enc, padding_label)
    if pad is not None:
        vec[pad] = 0.0
    return vec


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
        raise ValueError(f"class_weight must be finite and positive to undo its prior shift; got {w.tolist()!r}.")
    scaled = proba / w
    total = scaled.sum(axis=1, keepdims=True)
    total[total == 0] = 1.0
    return scaled / total
