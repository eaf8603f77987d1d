"""Training on data larger than memory: ``partial_fit`` over the blocks of Dask
collections, with class weights resolved once on all the labels (formerly
``skweight.blocks``).  ``skweight.class_weights`` and ``skweight.sample_weights``
take Dask targets themselves.

Only one block of ``X`` (and the next, being computed meanwhile) is in this
process's memory at a time; the workers that hold or generate the data need
no more than a few blocks each.  Dask is imported only when this runs.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._dask import is_dask
from ._forms import has_balanced
from .weights import class_weights

__all__ = ["partial_fit_blocks"]


def _row_blocks(X, name):
    """The row blocks of a Dask array (chunked along rows only) or DataFrame."""
    if hasattr(X, "map_partitions"):
        return list(X.to_delayed())
    if X.ndim > 1 and X.numblocks[1:] != (1,) * (X.ndim - 1):
        X = X.rechunk({i: -1 for i in range(1, X.ndim)})
    return list(X.to_delayed().reshape(-1))


def partial_fit_blocks(estimator, X, y, *, classes=None, epochs=1):
    """Train ``estimator`` block by block with ``partial_fit`` (one Keras epoch
    over each block, ``epochs`` passes over the blocks, in order).

    Parameters
    ----------
    estimator : WeightedKerasClassifier
        With ``class_weight`` ``None``, a dict, or ``"balanced"``: a balanced
        spec is resolved here once, on all of ``y`` (one pass over the labels),
        and set on the estimator as the dict it gives (``partial_fit`` refuses
        ``"balanced"``, which would be computed per block).
    X : dask array or dask DataFrame
        Row blocks of ``X`` are computed one at a time; a Dask array chunked
        along columns is rechunked to whole rows.
    y : dask array or dask Series
        1-D labels with the same row blocks as ``X``.
    classes : array-like, optional
        Every class of ``y``.  When not given, it comes from the one pass over
        ``y`` above (or, with a dict or ``None`` ``class_weight``, from its own
        pass).
    epochs : int, default 1

    Returns
    -------
    estimator

    Examples
    --------
    >>> import dask, dask.array as da
    >>> from skweight import WeightedKerasClassifier
    >>> from skweight.dask import partial_fit_blocks
    >>> rng = da.random.default_rng(0)
    >>> X = rng.normal(size=(400, 4), chunks=(100, 4)).astype("float32")
    >>> y = (X[:, 0] > 0.8).astype("int64")
    >>> clf = WeightedKerasClassifier(class_weight="balanced", hidden_layer_sizes=(8,), random_state=0)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     clf = partial_fit_blocks(clf, X, y)
    >>> sorted(clf.class_weight_) == [0, 1] and clf.class_weight_[1] > clf.class_weight_[0]
    True
    """
    import dask

    if not (is_dask(X) and is_dask(y)):
        raise TypeError(
            f"partial_fit_blocks takes Dask collections for X and y; got {type(X).__name__} and "
            f"{type(y).__name__}. For in-memory data call fit."
        )
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs={epochs!r} must be a positive int.")
    cw = estimator.class_weight
    if has_balanced(cw):
        resolved = class_weights(y, cw)
        estimator.set_params(class_weight=resolved)
        classes = np.asarray(sorted(resolved)) if classes is None else classes
    elif classes is None:
        classes = np.asarray(sorted(class_weights(y, None)))
    if hasattr(y, "ndim") and y.ndim == 2 and not hasattr(y, "map_partitions"):
        y = y.reshape(-1)
    if not hasattr(X, "map_partitions") and not hasattr(y, "map_partitions") and y.chunks[0] != X.chunks[0]:
        y = y.rechunk({0: X.chunks[0]})
    xs, ys = _row_blocks(X, "X"), _row_blocks(y, "y")
    if len(xs) != len(ys):
        raise ValueError(f"X has {len(xs)} row blocks but y has {len(ys)}; give X and y the same row blocks.")
    pairs = list(zip(xs, ys))
    with ThreadPoolExecutor(max_workers=1) as pool:
        for _ in range(epochs):
            pending = pool.submit(dask.compute, *pairs[0])
            for i in range(len(pairs)):
                Xb, yb = pending.result()
                if i + 1 < len(pairs):  # the next block is computed while this one trains
                    pending = pool.submit(dask.compute, *pairs[i + 1])
                estimator.partial_fit(np.asarray(Xb), np.asarray(yb), classes=classes)
    return estimator
