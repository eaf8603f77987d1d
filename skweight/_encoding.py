"""Labels as integer codes, with their sorted classes and counts: the fast part
of the weight engine (NumPy only, a leaf module: it imports nothing of skweight).

Integer and boolean labels of modest span take one ``np.bincount`` (no sort, no
hash); other labels (strings, objects, floats, very wide ints) are matched by
binary search against the classes of a sample of the rows.
"""

import numpy as np

__all__ = ["Encoded", "encode"]

# Largest span of integer labels for which the bincount fast path is used.
_MAX_INT_SPAN = 1 << 22
# Labels of other types are encoded by binary search against the classes of an
# evenly spaced sample of this many rows; classes the sample missed are found
# among the rows that did not match.
_GUESS_SAMPLE = 1 << 16
_GUESS_MAX_CLASSES = 1 << 10


class Encoded:
    """1-D labels as integer codes, with their sorted classes and counts.

    On the bincount path the codes index the whole span of integer labels and
    ``present`` says where the classes sit in it; on the sorted path the codes
    index ``classes`` directly and ``present`` is None.
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


def encode(y, name="y"):
    """Encode a 1-D label array once: ``np.bincount`` for integer and boolean
    labels of modest span (no sort), a search against sorted classes for
    anything else."""
    if y.size and y.dtype.kind in "iub":
        found = _encode_integers(y)
        if found is not None:
            return found
    try:
        return _encode_sorted(y)
    except TypeError as exc:
        kinds = sorted({type(v).__name__ for v in y[: min(y.size, 1000)].tolist()})
        raise ValueError(
            f"{name} mixes labels of types {kinds} that cannot be ordered; give labels of one type "
            "(all ints, all strings or all bools)."
        ) from exc


def _encode_integers(y):
    """The bincount path; None when the labels span too wide a range."""
    v = y.view(np.uint8) if y.dtype.kind == "b" else y
    wide_unsigned = v.dtype.kind == "u" and v.dtype.itemsize >= np.dtype(np.intp).itemsize
    hi = int(v.max())
    if hi < _MAX_INT_SPAN:
        # labels in [0, hi]: one bincount, no shift (np.bincount itself refuses
        # negative labels, which are then shifted below)
        codes = v.astype(np.intp) if wide_unsigned else v  # np.bincount refuses uint64
        try:
            counts_full = np.bincount(codes, minlength=hi + 1)
        except ValueError:
            counts_full = None
        if counts_full is not None:
            present = np.flatnonzero(counts_full)
            return Encoded(present.astype(y.dtype), codes, counts_full[present], present, hi + 1)
    lo = int(v.min())
    if hi - lo >= _MAX_INT_SPAN:
        return None
    # shift in a type that cannot overflow: unsigned values stay >= lo, signed
    # ones are widened first (int8 100 - (-100) would wrap)
    unsigned = v.dtype.kind == "u"
    codes = (v - v.dtype.type(lo)).astype(np.intp, copy=False) if unsigned else v.astype(np.intp) - lo
    counts_full = np.bincount(codes, minlength=hi - lo + 1)
    present = np.flatnonzero(counts_full)
    # (an unsigned lo may exceed int64: add it in the labels' own type)
    classes = present.astype(v.dtype) + v.dtype.type(lo) if unsigned else present + lo
    return Encoded(classes.astype(y.dtype), codes, counts_full[present], present, hi - lo + 1)


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
            return Encoded(classes, codes, np.bincount(codes, minlength=len(classes)), None, len(classes))
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    return Encoded(classes, codes.ravel(), counts, None, len(classes))
