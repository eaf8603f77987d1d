"""Seeded, stratified train/validation splits for every target kind (NumPy only).

``validation_split`` in Keras takes the *last* rows, unshuffled; on sorted or
imbalanced data that validation set can hold no minority sample at all.  These
functions split so that every class (every label, for multi-label targets) with
at least two rows lands on both sides.
"""

import numpy as np

__all__ = ["stratified_split", "multilabel_split", "split_rows"]


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
    >>> from skweight.splits import stratified_split
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
    """Iterative stratification for a multi-label indicator matrix.

    Labels are taken rarest first; each label's unassigned rows are shuffled
    and sent to validation until that label's validation quota is met (at least
    one row, and never all of them when it has two or more), the rest to
    training.  Rows with no label fill the validation set to its overall size.

    Returns sorted ``(train_idx, val_idx)``.
    """
    fraction = _check_fraction(fraction)
    y = np.asarray(y).astype(bool)
    n, n_labels = y.shape
    positives = y.sum(axis=0)
    quota = np.where(positives >= 2, np.clip(np.round(fraction * positives), 1, positives - 1), 0)
    side = np.full(n, -1, dtype=np.int8)  # -1 unassigned, 0 train, 1 validation
    in_val = np.zeros(n_labels)
    in_train = np.zeros(n_labels)
    for label in np.argsort(positives, kind="stable"):
        rows = np.flatnonzero(y[:, label] & (side < 0))
        for r in rng.permutation(rows):
            go_val = in_val[label] < quota[label]
            # a row whose labels still need training rows stays on the training side
            if go_val and np.any(y[r] & (in_train == 0) & (positives >= 2) & (in_val > 0)):
                go_val = False
            side[r] = 1 if go_val else 0
            (in_val if go_val else in_train)[:] += y[r]
    free = np.flatnonzero(side < 0)
    room = max(0, int(round(fraction * n)) - int(np.sum(side == 1)))
    chosen = rng.permutation(free)
    side[chosen[:room]] = 1
    side[chosen[room:]] = 0
    return np.flatnonzero(side == 0), np.flatnonzero(side == 1)


def split_rows(kind, y, fraction, seed):
    """Train/validation row indices for an encoded target of the given kind."""
    rng = np.random.default_rng(seed)
    if kind in ("binary", "multiclass"):
        keys = y if np.ndim(y) == 1 else np.argmax(y, axis=1)
    elif kind == "onehot":
        keys = np.argmax(y, axis=1)
    elif kind == "ordinal":
        keys = np.asarray(y).sum(axis=1)
    elif kind == "multilabel":
        return multilabel_split(y, fraction, rng)
    elif kind == "multioutput":
        stacked = np.column_stack(y)
        _, keys = np.unique(stacked, axis=0, return_inverse=True)
        if np.bincount(keys.ravel()).min() < 2:
            keys = stacked[:, 0]
    else:  # sequence: no single class per row; a shuffled split
        n = len(y)
        order = rng.permutation(n)
        n_val = int(np.clip(round(_check_fraction(fraction) * n), 1, n - 1))
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    return stratified_split(keys, fraction, rng)
