"""Class weights of Dask targets: counts in one distributed pass, sample weights
computed block by block, lazily.

Nothing here imports Dask at module level: :mod:`skweight.weights` comes here
only when it is handed a Dask collection (an object with ``__dask_graph__``,
see :func:`is_dask`), and then Dask is already imported by whoever made it.
Only the engine's leaf modules are used (:mod:`skweight._kinds`,
:mod:`skweight._encoding`, :mod:`skweight._resolve`), so imports run one way.  Only 1-D labels (a Dask
array of shape ``(n,)`` or ``(n, 1)``, or a Dask DataFrame column) are
accepted: per-block counts are merged on the client, never the labels.
"""

import numpy as np

from ._encoding import Encoded, encode
from ._kinds import Target, check_kind, check_labels
from ._resolve import apply, resolve

__all__ = ["class_weights", "expand", "is_dask", "label_counts", "sample_weights"]


def is_dask(y):
    """A Dask array, DataFrame or Series (duck-typed: Dask is never imported here)."""
    return callable(getattr(y, "__dask_graph__", None)) and not isinstance(y, type)


def _labels_1d(y, name="y"):
    """``y`` as a 1-D Dask array or Dask Series, or a clear error."""
    ndim = getattr(y, "ndim", None)
    if hasattr(y, "map_partitions"):  # dask.dataframe
        if ndim != 1:
            raise ValueError(
                f"{name} is a Dask DataFrame; give one column (a Dask Series, e.g. df['label']) of class labels."
            )
        return y
    shape = getattr(y, "shape", None)
    if ndim == 2 and shape[1] == 1:
        return y.reshape(-1)
    if ndim != 1:
        raise ValueError(
            f"{name} is a Dask collection of shape {shape}; Dask targets must be 1-D class labels "
            "(binary or multiclass). Compute other kinds of targets into memory first."
        )
    return y


def _block_counts(block, name):
    """Classes and counts of one block (checked as in-memory labels are)."""
    arr = np.asarray(block.to_numpy() if hasattr(block, "to_numpy") else block).reshape(-1)
    if arr.size == 0:
        return arr[:0], np.zeros(0, dtype=np.intp)
    check_labels(arr, name)
    enc = encode(arr, name)
    return enc.classes, enc.counts


def _merge(parts):
    parts = [p for p in parts if len(p[0])]
    if not parts:
        raise ValueError("y is empty; at least one labelled sample is required.")
    classes = np.concatenate([c for c, _ in parts])
    counts = np.concatenate([n for _, n in parts])
    try:
        merged, inverse = np.unique(classes, return_inverse=True)
    except TypeError as exc:
        raise ValueError("y mixes labels of types that cannot be ordered; give labels of one type.") from exc
    return merged, np.bincount(inverse.ravel(), weights=counts, minlength=len(merged)).astype(np.int64)


def label_counts(y, name="y"):
    """Sorted classes of a 1-D Dask target and their counts, in one pass over
    its blocks; only the per-block counts reach the client."""
    import dask

    y = _labels_1d(y, name)
    blocks = y.to_delayed()
    blocks = blocks.ravel().tolist() if hasattr(blocks, "ravel") else list(blocks)
    counted = [dask.delayed(_block_counts)(b, name) for b in blocks]
    return dask.delayed(_merge)(counted).compute()


def _target(y, kind, name="y"):
    check_kind(kind)
    if kind not in (None, "binary", "multiclass"):
        raise ValueError(f"kind={kind!r} is not available for a Dask target; it takes 1-D labels (binary, multiclass).")
    classes, counts = label_counts(y, name)
    if kind == "binary" and len(classes) > 2:
        raise ValueError(f"kind='binary' but {name} has {len(classes)} classes; give kind='multiclass' or None.")
    enc = Encoded(classes, None, counts, None, len(classes))
    return Target(kind or ("binary" if len(classes) <= 2 else "multiclass"), None, enc)


def class_weights(y, class_weight, kind, padding_label, classes):
    """:func:`skweight.class_weights` for a Dask target."""
    if padding_label is not None:
        raise ValueError("padding_label applies to sequence targets; a Dask target holds 1-D labels.")
    return resolve(_target(y, kind), class_weight, None, classes)[0]


def _block_weights(block, table, dtype):
    arr = np.asarray(block.to_numpy() if hasattr(block, "to_numpy") else block).reshape(-1)
    if arr.size == 0:
        return np.zeros(0, dtype=dtype)
    return apply(arr, table, "multiclass", None, dtype)


def expand(y, canonical, dtype):
    """Sample weights of a 1-D Dask target from canonical weights, block by
    block and lazily: a Dask array for a Dask array, a Dask Series for a
    Dask Series."""
    y = _labels_1d(y)
    if hasattr(y, "map_partitions"):
        import pandas as pd

        def part(s):
            return pd.Series(_block_weights(s, canonical, dtype), index=s.index, name=s.name)

        return y.map_partitions(part, meta=pd.Series(np.zeros(0, dtype), name=y.name))
    return y.map_blocks(_block_weights, canonical, dtype, dtype=dtype)


def sample_weights(y, class_weight, kind, padding_label, classes, dtype):
    """:func:`skweight.sample_weights` for a Dask target: the class counts in
    one pass (now), the weights lazily."""
    return expand(y, class_weights(y, class_weight, kind, padding_label, classes), dtype)
