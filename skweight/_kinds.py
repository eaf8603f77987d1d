"""Reading a target once: its kind, its labels checked, what is weighted per
class encoded (NumPy only; imports only :mod:`skweight._encoding`).

:func:`read` names the kind of target (``"binary"``, ``"multiclass"``,
``"onehot"``, ``"multilabel"``, ``"ordinal"``, ``"sequence"`` or
``"multioutput"``) and encodes its labels; :func:`skweight.target_kind` is its
public face.
"""

from collections.abc import Mapping

import numpy as np

from ._encoding import encode

__all__ = ["KINDS", "Target", "read"]

#: Every target kind the weight engine understands.
KINDS = ("binary", "multiclass", "onehot", "multilabel", "ordinal", "sequence", "multioutput")

TWO_D_KINDS = ("onehot", "multilabel", "ordinal", "sequence")


class Target:
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

    def part_label(self, j):
        """How messages name output ``j`` of a multi-output target."""
        return self.names[j] if self.names is not None else j


def is_multi_output_container(y):
    """A dict of targets, or a list of arrays (a list of plain Python rows is a 2-D target)."""
    if isinstance(y, Mapping):
        return True
    if isinstance(y, (list, tuple)) and len(y) > 0:
        return all(isinstance(part, np.ndarray) or hasattr(part, "iloc") for part in y)
    return False


def as_array(y, name="y"):
    """``y`` as a NumPy array (a DataFrame's or Series' values); a scalar is an error."""
    if hasattr(y, "to_numpy"):
        y = y.to_numpy()
    y = np.asarray(y)
    if y.ndim == 0:
        raise ValueError(f"{name} must be an array of labels, got a scalar {y!r}.")
    return y


def check_labels(y, name="y"):
    """Class labels: not empty, finite and integral when float, no missing objects."""
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


def is_binary_indicator(y):
    """True for an array holding only 0 and 1 (or booleans)."""
    if y.dtype.kind == "b":
        return True
    if y.dtype.kind in "iu":
        return bool(y.min() >= 0 and y.max() <= 1)
    if y.dtype.kind == "f":
        return bool(np.all((y == 0) | (y == 1)))
    return False


def one_hot_codes(arr):
    """The column of the 1 in each row of a 0/1 matrix when every row holds
    exactly one 1, else None.  (Every row's argmax is a 1 and there are n
    ones in all: cheaper than a row sum over a narrow matrix.)"""
    n = arr.shape[0]
    if np.count_nonzero(arr) != n:
        return None
    codes = np.argmax(arr, axis=1)
    return codes if np.all(arr[np.arange(n), codes]) else None


def check_kind(kind):
    """``kind`` is None or one of :data:`KINDS`."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not a target kind; accepted: {', '.join(KINDS)} or None.")


def read(y, kind=None, name="y"):
    """Read ``y`` once into a :class:`Target` (kind, array, encoding)."""
    check_kind(kind)
    if is_multi_output_container(y):
        return _read_outputs(y, kind, name)
    arr = as_array(y, name)
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1 and kind not in TWO_D_KINDS):
        return _read_labels(arr.reshape(-1), kind, name, arr.shape)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 1-D or 2-D (or a list/dict of targets); got shape {arr.shape}.")
    if kind in ("binary", "multiclass"):
        raise ValueError(f"kind={kind!r} needs a 1-D target, but {name} has shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one labelled sample is required.")
    return _read_matrix(arr, kind, name)


def _read_outputs(y, kind, name):
    """A list or dict of targets: each output read on its own."""
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
    return Target("multioutput", parts=parts, names=names)


def _read_output(part, name):
    """One output of a list/dict target: 1-D labels, one-hot or multi-label."""
    t = read(part, None, name)
    if t.kind == "multioutput":
        raise ValueError(
            f"{name} is a 2-D array of non-indicator labels; each output of a list/dict target must be 1-D "
            "labels, a one-hot matrix or a multi-label indicator matrix."
        )
    return t


def _read_labels(arr, kind, name, shape):
    """1-D labels: binary or multiclass."""
    if kind not in (None, "binary", "multiclass"):
        raise ValueError(f"kind={kind!r} needs a 2-D target, but {name} is 1-D (shape {shape}).")
    check_labels(arr, name)
    enc = encode(arr, name)
    n_classes = len(enc.classes)
    if kind == "binary" and n_classes > 2:
        raise ValueError(f"kind='binary' but {name} has {n_classes} classes; give kind='multiclass' or None.")
    detected = "binary" if n_classes <= 2 else "multiclass"
    return Target(kind or detected, arr, enc)


def _read_matrix(arr, kind, name):
    """A 2-D target: one-hot, multi-label, ordinal, sequence or one label column per output."""
    indicator = is_binary_indicator(arr)
    if not indicator:
        check_labels(arr, name)  # (a 0/1 matrix needs no further label checks)
    codes = None
    if kind is None:
        codes = one_hot_codes(arr) if indicator else None
        kind = ("onehot" if codes is not None else "multilabel") if indicator else "multioutput"
    elif kind == "onehot":
        codes = one_hot_codes(arr) if indicator else None
        if codes is None:
            raise ValueError(f"kind='onehot' needs {name} to hold rows of 0/1 with exactly one 1 in each row.")
    elif kind == "multilabel" and not indicator:
        bad = arr[~np.isin(arr, [0, 1])] if arr.dtype.kind in "iuf" else arr
        raise ValueError(f"a multi-label target must hold only 0 and 1; {name} holds {bad.ravel()[:1].tolist()[0]!r}.")
    elif kind == "ordinal":
        _check_thermometer(arr, indicator, name)
    if kind == "onehot":
        return Target(kind, arr, encode(codes))
    if kind == "ordinal":
        return Target(kind, arr, encode(np.count_nonzero(arr, axis=1)))
    if kind == "sequence":
        return Target(kind, arr, encode(arr.reshape(-1), name))
    if kind == "multioutput":
        return Target(kind, arr, parts=[read(arr[:, j], None, f"{name}[:, {j}]") for j in range(arr.shape[1])])
    return Target(kind, arr)  # multilabel: weighted per column, no encoding


def _check_thermometer(arr, indicator, name):
    """Every row of an ordinal target is a run of 1s then 0s."""
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
