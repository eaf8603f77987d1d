"""Prediction at throughput speed: a batch size picked from the row size and a
memory budget, and a loop over ``predict_on_batch`` that skips the per-call
set-up of ``keras.Model.predict``.

Inference keeps no gradients, so the batch can be far larger than a training
batch; what bounds it is the memory one batch of inputs and activations takes.
``keras.Model.predict`` builds a data pipeline on every call (tens of
milliseconds, paid again on every test fold of a search) and adds a per-step
callback round; when nothing needs those (no predict callbacks, ``verbose=0``,
an array input), calling the traced predict step batch by batch gives the same
numbers faster.
"""

import numpy as np

# one batch of inputs and live activations stays under this many bytes
BUDGET_BYTES = 32 * 2**20
MIN_BATCH, MAX_BATCH = 32, 65_536


def _widest_layer(model):
    """Units of the model's widest layer output (per row), 0 when unknown."""
    widest = 0
    for layer in getattr(model, "layers", ()):
        try:
            outputs = layer.output
        except (AttributeError, ValueError, RuntimeError):  # not built, or called more than once
            continue
        for out in outputs if isinstance(outputs, (list, tuple)) else (outputs,):
            dims = tuple(getattr(out, "shape", ()))[1:]
            if dims and all(isinstance(d, int) for d in dims):
                widest = max(widest, int(np.prod(dims)))
    return widest


def _row_bytes(X):
    if isinstance(X, np.ndarray):
        return max(1, X[:1].nbytes) if X.shape[0] else max(1, X.itemsize * int(np.prod(X.shape[1:])))
    if isinstance(X, (list, tuple)):
        return sum(_row_bytes(x) for x in X)
    if isinstance(X, dict):
        return sum(_row_bytes(x) for x in X.values())
    shape = getattr(X, "shape", None)
    itemsize = getattr(getattr(X, "dtype", None), "itemsize", 8)
    return max(1, itemsize * int(np.prod(shape[1:]))) if shape is not None else 8


def predict_batch_size(X, model=None, budget_bytes=BUDGET_BYTES):
    """Rows per prediction batch: as many as fit ``budget_bytes`` of input
    plus two activations of the widest layer (in float32), within
    ``[MIN_BATCH, MAX_BATCH]``.

    Examples
    --------
    >>> import numpy as np
    >>> predict_batch_size(np.zeros((10, 20), np.float32))
    65536
    >>> predict_batch_size(np.zeros((10, 1_000_000), np.float32))
    32
    """
    per_row = _row_bytes(X) + 2 * 4 * _widest_layer(model)
    return int(min(MAX_BATCH, max(MIN_BATCH, budget_bytes // per_row)))


def predict_args(params, accepted):
    """Arguments for ``keras.Model.predict`` from the estimator's parameters,
    routed as SciKeras does (``predict__name`` wins over ``name``), except the
    top-level ``batch_size``: that one is the training batch.  ``batch_size``
    is ``None`` unless ``predict__batch_size`` is set."""
    args = {k: params[k] for k in accepted if k in params and k != "batch_size"}
    for key, value in params.items():
        name = key[len("predict__") :] if key.startswith("predict__") else None
        if name and "__" not in name and not name.startswith("callbacks"):
            args[name] = value
    args.setdefault("batch_size", None)
    return args


def _n_rows(X):
    if isinstance(X, (list, tuple)):
        return _n_rows(X[0])
    if isinstance(X, dict):
        return _n_rows(next(iter(X.values())))
    return X.shape[0]


def can_predict_on_batch(X, pred_args):
    """The fast loop serves a plain array with no callbacks, no progress bar
    and no other ``predict`` arguments than ``batch_size``."""
    others = {k: v for k, v in pred_args.items() if k not in ("batch_size", "verbose", "callbacks")}
    return (
        isinstance(X, np.ndarray)
        and X.shape[0] > 0
        and not pred_args.get("callbacks")
        and not pred_args.get("verbose")
        and not others
    )


def _concat(parts):
    first = parts[0]
    if isinstance(first, dict):
        return {k: _concat([p[k] for p in parts]) for k in first}
    if isinstance(first, (list, tuple)):
        return type(first)(_concat([p[i] for p in parts]) for i in range(len(first)))
    return np.concatenate(parts, axis=0)


def predict_in_batches(model, X, batch_size):
    """``model.predict(X, batch_size=batch_size)`` through ``predict_on_batch``."""
    n = _n_rows(X)
    parts = [model.predict_on_batch(X[start : start + batch_size]) for start in range(0, n, batch_size)]
    return parts[0] if len(parts) == 1 else _concat(parts)
