"""Resampled epochs (NumPy only): the row order of each training epoch for
``sampling="under"`` and ``sampling="over"``.

An :class:`EpochOrder` is the *epoch order provider* of the training loop
(``docs/design-0.3.md``, issue 18): ``order(epoch)`` gives the indices of the
training rows that epoch visits, in the order it visits them, and
``len(order)`` is how many there are (the same every epoch).  It is computed
from the class code of each training row only (validation rows are never
resampled), and each epoch's draw depends only on the seed and the epoch
number: ``order(5)`` is the same whether or not epochs 0-4 were drawn first,
in this process or another, and never reads or moves NumPy's global random
state.

* ``"under"``: every epoch holds ``n_min`` rows of each class, ``n_min``
  being the size of the smallest class: all rows of the smallest class and a
  draw without replacement from each other class, drawn afresh each epoch (so
  that, over epochs, every row of a large class is seen).
* ``"over"``: every epoch holds ``n_max`` rows of each class, ``n_max``
  being the size of the largest class: each class's rows repeated as many
  whole times as fit (``n_max // n_c``) plus a remainder of ``n_max % n_c``
  rows drawn without replacement, afresh each epoch.  So every row of a
  class appears ``floor`` or ``ceil`` of ``n_max / n_c`` times in an epoch,
  never 0 times and never more often than that; a draw with replacement
  (imbalanced-learn's ``RandomOverSampler``) would leave about a third of a
  small class out of an epoch and repeat others several times, a noisier
  epoch for the same length.

Each epoch is shuffled.  Classes the training rows do not hold (a class
known from ``partial_fit``'s ``classes`` but absent from these rows) cannot
be drawn and are left out.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["SAMPLING", "SAMPLING_KINDS", "EpochOrder", "check_sampling", "class_codes", "epoch_order"]

#: Accepted values of ``sampling`` other than None.
SAMPLING = ("under", "over")
#: Target kinds ``sampling`` applies to (ordinal: by level).
SAMPLING_KINDS = ("binary", "multiclass", "onehot", "ordinal")


def check_sampling(sampling, kind=None, param="sampling"):
    """Check ``sampling`` (and, when given, the target kind it is used with).

    Returns the value (None, ``"under"`` or ``"over"``).

    Examples
    --------
    >>> from skweight._sampling import check_sampling
    >>> check_sampling("over", "binary")
    'over'
    >>> check_sampling("under", "multilabel")
    Traceback (most recent call last):
    ...
    ValueError: sampling='under' resamples rows by their one class, ...
    """
    if sampling is None:
        return None
    if not isinstance(sampling, str) or sampling not in SAMPLING:
        raise ValueError(
            f"{param}={sampling!r} is not accepted; give None, 'under' (every class cut to the size of the "
            "smallest, drawn afresh each epoch) or 'over' (every class repeated up to the size of the largest)."
        )
    if kind is not None and kind not in SAMPLING_KINDS:
        raise ValueError(
            f"{param}={sampling!r} resamples rows by their one class, which a {kind!r} target does not have "
            "(a row of a multi-label, sequence or multi-output target holds several labels); it applies to "
            "binary, multiclass, one-hot and ordinal targets. Use class_weight for this target."
        )
    return sampling


def class_codes(kind, y):
    """The class code (0..k-1) of every row of an encoded target.

    ``y`` is what the model trains on: 0/1 for binary targets, integer codes
    (or one-hot rows) for multiclass targets, one-hot rows, or thermometer
    rows for ordinal targets (the code is the level, the number of 1s).

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._sampling import class_codes
    >>> class_codes("ordinal", np.array([[1, 1, 0], [0, 0, 0], [1, 1, 1]]))
    array([2, 0, 3])
    """
    check_sampling("under", kind, "sampling")
    arr = np.asarray(y)
    if kind == "ordinal":
        return np.count_nonzero(arr.reshape(len(arr), -1), axis=1)
    if arr.ndim == 2 and arr.shape[1] > 1:  # one-hot rows
        return np.argmax(arr, axis=1)
    return arr.reshape(-1).astype(np.intp)


def _entropy(random_state):
    """An int seeding every epoch; None draws one from the OS, not from NumPy's global state."""
    if random_state is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    if isinstance(random_state, (numbers.Integral, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state={random_state!r} must be a non-negative int, None or a RandomState.")
        return int(random_state)
    raise TypeError(
        f"random_state={random_state!r} has type {type(random_state).__name__}; give None, a non-negative int, "
        "a numpy.random.RandomState or a numpy.random.Generator."
    )


class EpochOrder:
    """The row order of each epoch under ``sampling``: ``order(epoch) -> indices``.

    Parameters
    ----------
    codes : array-like of int, shape (n_rows,)
        The class code of each training row (see :func:`class_codes`).
    sampling : {"under", "over"}
    random_state : None, int, numpy.random.RandomState or numpy.random.Generator
        Seeds every epoch's draw.  An int gives the same orders in any
        process; a RandomState or Generator is read once, here; None draws
        fresh OS entropy once, here.

    Attributes
    ----------
    n_rows : int
        Indices per epoch (also ``len(order)``): ``k * n_min`` for
        ``"under"``, ``k * n_max`` for ``"over"``, over the ``k`` classes the
        rows hold.
    per_class : int
        Rows of each class in every epoch.
    classes : ndarray
        The codes that are drawn (those with at least one row).
    counts : ndarray
        Training rows of each of ``classes``.
    ratios : ndarray
        ``per_class / counts``: how many times more often (or less) each of
        ``classes`` is seen in an epoch than in the rows.  A model trained on
        these epochs leans to the classes as class weights of these ratios
        would make it (the ratios are proportional to ``"balanced"``), so
        ``skweight.unweight_proba(proba, ratios)`` estimates probabilities
        under the rows' own class frequencies (``predict_proba_prior``).

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._sampling import EpochOrder
    >>> codes = np.array([0] * 6 + [1] * 2)
    >>> order = EpochOrder(codes, "under", random_state=0)
    >>> len(order), np.bincount(codes[order(0)]).tolist()
    (4, [2, 2])
    >>> over = EpochOrder(codes, "over", random_state=0)
    >>> len(over), np.bincount(codes[over(3)]).tolist()
    (12, [6, 6])
    >>> bool(np.array_equal(order(1), EpochOrder(codes, "under", random_state=0)(1)))
    True
    """

    def __init__(self, codes, sampling, random_state=None):
        self.sampling = check_sampling(sampling)
        if self.sampling is None:
            raise ValueError("sampling=None needs no epoch order; give 'under' or 'over'.")
        codes = np.asarray(codes)
        if codes.ndim != 1 or codes.size == 0:
            raise ValueError(f"codes must be a non-empty 1-D array of class codes; got shape {codes.shape}.")
        if codes.dtype.kind not in "iub" or (codes.size and codes.min() < 0):
            raise ValueError("codes must be non-negative integer class codes (see class_codes).")
        self._entropy = _entropy(random_state)
        # the rows of each class, found once (a stable sort keeps them in row order)
        rows = np.argsort(codes, kind="stable")
        counts = np.bincount(codes)
        self.classes = np.flatnonzero(counts)
        counts = counts[self.classes]
        self.counts = counts
        self._groups = np.split(rows, np.cumsum(counts)[:-1])
        self.per_class = int(counts.min() if self.sampling == "under" else counts.max())
        self.n_rows = self.per_class * len(self.classes)
        self.ratios = self.per_class / counts

    def __len__(self):
        return self.n_rows

    def rng(self, epoch):
        """The generator of ``epoch``'s draw: seeded by (seed, epoch) alone."""
        if isinstance(epoch, bool) or not isinstance(epoch, (numbers.Integral, np.integer)) or epoch < 0:
            raise ValueError(f"epoch={epoch!r} must be a non-negative int.")
        return np.random.default_rng(np.random.SeedSequence(self._entropy, spawn_key=(int(epoch),)))

    def __call__(self, epoch):
        """The training-row indices of ``epoch`` (an int array of ``len(self)``), shuffled."""
        rng = self.rng(epoch)
        m = self.per_class
        parts = []
        for group in self._groups:
            size = len(group)
            if self.sampling == "under":
                parts.append(group if size == m else rng.choice(group, m, replace=False))
            else:
                whole, rest = divmod(m, size)
                parts.append(np.tile(group, whole))
                if rest:
                    parts.append(rng.choice(group, rest, replace=False))
        return rng.permutation(np.concatenate(parts))

    def __repr__(self):
        return f"EpochOrder({self.sampling!r}, {len(self.classes)} classes x {self.per_class} rows = {self.n_rows})"


def epoch_order(kind, y, sampling, random_state=None):
    """The :class:`EpochOrder` of the encoded training target ``y`` of a target ``kind``.

    ``None`` when ``sampling`` is None.  A ``ValueError`` for a kind that
    cannot be resampled (multi-label, sequence, multi-output).

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._sampling import epoch_order
    >>> order = epoch_order("onehot", np.eye(3)[[0, 0, 0, 1, 2, 2]], "over", random_state=1)
    >>> len(order)
    9
    """
    if check_sampling(sampling, kind) is None:
        return None
    return EpochOrder(class_codes(kind, y), sampling, random_state)
