"""Seeded, stratified train/validation splits for every target kind (NumPy only).

``validation_split`` in Keras takes the *last* rows, unshuffled; on sorted or
imbalanced data that validation set can hold no minority sample at all.  These
functions shuffle (seeded) and split so that every class with at least two
rows lands on both sides; multi-label and multi-output targets get the same
guarantee per label wherever the rows allow it (see :func:`multilabel_split`).
"""

from collections.abc import Mapping

import numpy as np

__all__ = ["misses_a_class", "multilabel_split", "per_output_split", "split_rows", "strata", "stratified_split"]


def _check_fraction(fraction):
    if not (isinstance(fraction, (int, float, np.floating)) and 0.0 < float(fraction) < 1.0):
        raise ValueError(f"validation_split={fraction!r} must be a float strictly between 0 and 1 (or 0 for none).")
    return float(fraction)


def stratified_split(keys, fraction, rng):
    """Split rows by their stratum ``keys``: each stratum with two or more rows
    sends ``round(fraction * count)`` rows (at least one, at most all but one)
    to validation.

    Returns sorted ``(train_idx, val_idx)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._splits import stratified_split
    >>> keys = np.array([0] * 18 + [1] * 2)
    >>> tr, va = stratified_split(keys, 0.1, np.random.default_rng(0))
    >>> sorted(set(keys[tr].tolist())), sorted(set(keys[va].tolist()))
    ([0, 1], [0, 1])
    """
    fraction = _check_fraction(fraction)
    keys = np.asarray(keys)
    _, codes = np.unique(keys, return_inverse=True)
    codes = codes.ravel()
    order = rng.permutation(len(codes))
    val_mask = np.zeros(len(codes), dtype=bool)
    # group the shuffled rows by stratum while keeping the shuffled order inside each
    grouped = order[np.argsort(codes[order], kind="stable")]
    counts = np.bincount(codes)
    start = 0
    for count in counts:
        if count >= 2:
            n_val = int(np.clip(round(fraction * count), 1, count - 1))
            val_mask[grouped[start : start + n_val]] = True
        start += count
    return np.flatnonzero(~val_mask), np.flatnonzero(val_mask)


def multilabel_split(y, fraction, rng):
    """Iterative stratification of a multi-label indicator matrix.

    In the manner of Sechidis et al. (2011) and the ``iterative-stratification``
    package: labels are taken rarest first (ties by column order) and each of
    a label's still unassigned rows goes to the side that still wants most rows
    of that label (then the side with most room, then at random).  Two rules
    put the guarantee first:

    * while a label with two or more rows is missing from one side, its next
      unassigned row goes to that side;
    * a repair pass moves single rows to a side that misses one of their
      labels, whenever the move takes no other label off a side;
    * if a label still misses a side, the pass is run again with fresh
      shuffles (up to 8 times) and the split missing fewest labels is kept.

    Rows with no label fill the validation side up to ``round(fraction * n)``
    rows.  Labels with a single row keep it on the training side.

    Guarantee: a label with two or more rows is on both sides whenever one of
    its rows carries no rarer label (one with fewer rows, or as many rows and a
    lower column index).  Otherwise it is still on both sides unless no single
    row can move there without taking another label off a side (in every
    pass tried); rows that
    share labels can make a split on both sides impossible (three rows
    ``{a, b}``, ``{a, c}``, ``{b, c}`` cannot be split so that ``a``, ``b`` and
    ``c`` all have a row on each side), and the split that misses fewest
    labels is not always found (finding it is the NP-hard set-splitting
    problem).

    Returns sorted ``(train_idx, val_idx)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._splits import multilabel_split
    >>> y = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [0, 0]] * 3)
    >>> tr, va = multilabel_split(y, 0.3, np.random.default_rng(0))
    >>> y[tr].sum(axis=0).tolist(), y[va].sum(axis=0).tolist()
    ([6, 6], [3, 3])
    """
    fraction = _check_fraction(fraction)
    y = np.asarray(y)
    if y.ndim != 2:
        raise ValueError(f"a multi-label target must be 2-D (n_samples, n_labels); got shape {y.shape}.")
    y = y.astype(bool)
    splittable = y.sum(axis=0) >= 2
    best = None
    for _ in range(_ATTEMPTS):
        side, count = _iterative_pass(y, fraction, rng)
        _repair(y, side, count, splittable, rng)
        missed = int(np.sum(splittable & (count.min(axis=0) == 0)))
        if best is None or missed < best[0]:
            best = (missed, side)
        if missed == 0:
            break
    side = best[1]
    return np.flatnonzero(side == 0), np.flatnonzero(side == 1)


# Greedy passes tried (each with fresh shuffles) while a label misses a side.
_ATTEMPTS = 8


def _iterative_pass(y, fraction, rng):
    """One greedy pass: returns ``side`` (0 train, 1 validation, per row) and
    ``count`` (rows of each label on each side)."""
    n, n_labels = y.shape
    positives = y.sum(axis=0)
    splittable = positives >= 2
    want_val = np.where(splittable, np.clip(np.round(fraction * positives), 1, positives - 1), 0)
    want = np.stack([positives - want_val, want_val]).astype(np.int64)  # [side, label]
    n_val = int(np.clip(round(fraction * n), 1, max(n - 1, 1)))
    room = np.array([n - n_val, n_val], dtype=np.int64)
    count = np.zeros((2, n_labels), dtype=np.int64)
    side = np.full(n, -1, dtype=np.int64)  # -1 unassigned, 0 train, 1 validation
    for label in np.argsort(positives, kind="stable"):
        if positives[label] == 0:
            continue
        for r in rng.permutation(np.flatnonzero(y[:, label] & (side < 0))):
            missing = np.flatnonzero(count[:, label] == 0)
            if not splittable[label]:
                s = 0
            elif missing.size == 1:
                s = int(missing[0])
            else:
                desire = want[:, label] - count[:, label]
                best = np.flatnonzero(desire == desire.max())
                if best.size > 1:
                    best = best[room[best] == room[best].max()]
                s = int(best[0] if best.size == 1 else rng.choice(best))
            side[r] = s
            count[s] += y[r]
            room[s] -= 1
    free = rng.permutation(np.flatnonzero(side < 0))
    k = int(np.clip(room[1], 0, free.size))
    side[free[:k]] = 1
    side[free[k:]] = 0
    return side, count


def _repair(y, side, count, splittable, rng):
    """Move single rows onto the side a label misses, as long as the move takes
    no label off a side nor sends the only row of a label to validation;
    repeat until no move helps.  Each move puts one more
    label on both sides and takes none off, so this ends after at most
    ``n_labels`` moves."""
    single = count.sum(axis=0) == 1
    changed = True
    while changed:
        changed = False
        for label in np.flatnonzero(splittable & (count.min(axis=0) == 0)):
            if count[:, label].min() > 0:  # an earlier move of this pass fixed it
                continue
            target = int(np.argmin(count[:, label]))
            source = 1 - target
            for r in rng.permutation(np.flatnonzero(y[:, label] & (side == source))):
                labels = y[r] & splittable
                if np.any(labels & (count[target] > 0) & (count[source] == 1)):
                    continue  # the move would take another label off the source side
                if target == 1 and np.any(y[r] & single):
                    continue  # the only row of a label stays for training
                side[r] = target
                count[source] -= y[r]
                count[target] += y[r]
                changed = True
                break


def split_rows(kind, y, fraction, seed):
    """Train/validation row indices for an encoded target of the given kind.

    Binary, multiclass, one-hot and ordinal targets are split by class (level)
    with :func:`stratified_split`; multi-label targets with
    :func:`multilabel_split`; multi-output targets with
    :func:`multilabel_split` over one indicator per (output, class), so every
    class of every output gets the multi-label guarantee; sequence targets,
    which have no single class per row, with a shuffled split.

    Parameters
    ----------
    kind : str
        One of :data:`skweight.KINDS`.
    y : ndarray or list of ndarray
        The encoded target: labels or codes ``(n,)``, an indicator matrix
        ``(n, k)``, or for multi-output targets a list of ``(n,)`` arrays or an
        ``(n, outputs)`` array.
    fraction : float
        Share of the rows for validation, strictly between 0 and 1.
    seed : None or int
        Seed of the shuffling; the same seed gives the same split.

    Returns
    -------
    train_idx, val_idx : ndarray of int
        Sorted, disjoint, and together every row once.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._splits import split_rows
    >>> y = np.array([0] * 18 + [1] * 2)
    >>> tr, va = split_rows("binary", y, 0.25, seed=0)
    >>> len(tr), len(va), int(y[va].sum())
    (15, 5, 1)
    """
    fraction = _check_fraction(fraction)
    rng = np.random.default_rng(seed)
    if isinstance(kind, (Mapping, list)):
        return per_output_split(list(kind.values()) if isinstance(kind, Mapping) else kind, y, fraction, rng)
    if kind == "multilabel":
        return multilabel_split(y, fraction, rng)
    if kind == "multioutput":
        parts = [y[:, j] for j in range(y.shape[1])] if isinstance(y, np.ndarray) else list(y)
        return multilabel_split(np.hstack([_indicators(part) for part in parts]), fraction, rng)
    if kind == "sequence":
        return _shuffled_split(len(y), fraction, rng)
    if kind not in ("binary", "multiclass", "onehot", "ordinal"):
        raise ValueError(
            f"kind={kind!r} is not a target kind; accepted: binary, multiclass, onehot, multilabel, "
            "ordinal, sequence, multioutput."
        )
    return stratified_split(strata(kind, y), fraction, rng)


def strata(kind, y):
    """One stratum per row of an encoded target of a single-label kind: the
    class code (a binary or multiclass target, 1-D or one-hot), the one-hot
    column, the ordinal level (its thermometer code's count of 1s)."""
    if kind in ("binary", "multiclass"):
        return np.ravel(y) if np.ndim(y) == 1 or np.shape(y)[1] == 1 else np.argmax(y, axis=1)
    if kind == "onehot":
        return np.argmax(y, axis=1)
    if kind == "ordinal":
        return np.asarray(y).sum(axis=1)
    raise ValueError(f"kind={kind!r} has no single class per row to stratify on.")


def _indicators(keys):
    """One boolean column per distinct value of ``keys``."""
    _, codes = np.unique(np.asarray(keys).ravel(), return_inverse=True)
    codes = codes.ravel()
    return np.eye(codes.max() + 1, dtype=bool)[codes]


def _shuffled_split(n, fraction, rng):
    """A seeded shuffled split of ``n`` rows (for targets with no class per row)."""
    order = rng.permutation(n)
    n_val = int(np.clip(round(fraction * n), 1, n - 1)) if n >= 2 else 0
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def per_output_split(kinds, parts, fraction, rng):
    """Split the rows of a target given per output, stratified over all of
    its classification outputs at once.

    Every class of every classification output becomes one indicator column
    (a multi-label output contributes its label columns as they are) and the
    rows are split with :func:`multilabel_split`, so each class of each
    output with two rows or more is on both sides wherever the rows allow it.
    This is chosen over stratifying on the combination of the outputs'
    classes, whose strata are mostly too small to split (3 outputs of 4
    classes make 64 of them), and over stratifying on the first output only,
    which leaves a rare class of another output to chance.  Sequence and
    regression outputs take no part; with no classification output the split
    is shuffled.

    Parameters
    ----------
    kinds : list of str
        The kind of each output (``"regression"`` for a continuous one).
    parts : list of ndarray
        The encoded target of each output, as the estimator's target encoder
        gives them.
    fraction : float
        Share of the rows for validation, strictly between 0 and 1.
    rng : numpy.random.Generator

    Returns
    -------
    train_idx, val_idx : ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> from skweight._splits import per_output_split
    >>> a = np.array([0] * 16 + [1] * 4)               # rare class 1
    >>> b = np.array([1] * 2 + [0] * 18)               # rare class 1, other rows
    >>> price = np.linspace(0, 1, 20)
    >>> tr, va = per_output_split(["binary", "binary", "regression"], [a, b, price], 0.25, np.random.default_rng(0))
    >>> int(a[va].sum()) > 0, int(b[va].sum()) > 0, int(b[tr].sum()) > 0
    (True, True, True)
    """
    fraction = _check_fraction(fraction)
    indicators = []
    for kind, part in zip(kinds, parts):
        part = np.asarray(part)
        if kind == "multilabel":
            indicators.append(part.astype(bool))
        elif kind in ("binary", "multiclass", "onehot", "ordinal"):
            indicators.append(_indicators(strata(kind, part)))
        # sequence, regression: no class per row
    if indicators:
        return multilabel_split(np.hstack(indicators), fraction, rng)
    return _shuffled_split(len(parts[0]), fraction, rng)


def misses_a_class(kind, y, val):
    """True when the validation rows are empty or (single-label kinds) lack a
    class of ``y``: then they cannot judge early stopping."""
    if val.size == 0:
        return True
    if kind not in ("binary", "multiclass", "onehot"):
        return False
    codes = strata(kind, y)
    return np.unique(codes[val]).size < np.unique(codes).size
