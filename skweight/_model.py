"""The default network: a multi-layer perceptron sized from the data, with the
output layer chosen for the target kind, and what fitting it on raw tables
needs: input standardisation adapted on the training rows, L2 on the hidden
layers and early stopping on the weighted validation loss."""

from collections.abc import Mapping

import numpy as np

from ._backend import keras
from ._outputs import OutputLayout
from ._params import layer_sizes

__all__ = [
    "STANDARDIZE_LAYER",
    "adapt_standardization",
    "build_default_model",
    "build_mlp",
    "early_stopping_callback",
    "is_categorical_crossentropy",
    "output_heads",
    "output_layout",
    "symbolic_outputs",
]

#: Name of the ``Normalization`` layer that standardises the default model's inputs.
STANDARDIZE_LAYER = "standardize"


def build_default_model(est, meta, compile_kwargs):
    """The model of ``model=None``: :func:`build_mlp` from ``est``'s
    ``hidden_layer_sizes``, ``activation``, ``standardize`` and ``alpha``,
    compiled with SciKeras's ``compile_kwargs``."""
    model = build_mlp(
        meta, layer_sizes(est.hidden_layer_sizes), est.activation, standardize=est.standardize, alpha=float(est.alpha)
    )
    model.compile(**compile_kwargs)
    return model


def build_mlp(meta, hidden_layer_sizes=(100,), activation="relu", *, standardize=False, alpha=0.0):
    """Build (uncompiled) the default model from SciKeras's fit metadata.

    ``meta`` holds ``X_shape_``, ``target_kind_`` and ``n_classes_``.  Hidden
    layers are ``Dense`` layers; on 3-D input (sequences) they act on every
    timestep.  The output is one sigmoid unit (binary), a softmax over the
    classes (multiclass, one-hot, sequence), one sigmoid per label or threshold
    (multi-label, ordinal), or one softmax head per column (multi-output).

    ``standardize=True`` puts a ``keras.layers.Normalization`` layer (named
    :data:`STANDARDIZE_LAYER`, one mean and variance per feature of the last
    axis) after the input; :func:`adapt_standardization` fits it.  ``alpha > 0``
    adds an L2 penalty ``alpha * sum(W ** 2)`` on the hidden layers' kernels.
    With the defaults (``standardize=False``, ``alpha=0``) this is the plain
    MLP.
    """
    kind = meta["target_kind_"]
    n_classes = meta["n_classes_"]
    inputs = keras.Input(shape=tuple(meta["X_shape_"][1:]))
    hidden = inputs
    if standardize:
        hidden = keras.layers.Normalization(axis=-1, name=STANDARDIZE_LAYER)(hidden)
    if len(meta["X_shape_"]) > 3 or (len(meta["X_shape_"]) == 3 and not _has_sequence(kind)):
        hidden = keras.layers.Flatten()(hidden)
    regularizer = keras.regularizers.L2(alpha) if alpha else None
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(units, activation=activation, kernel_regularizer=regularizer)(hidden)
    if isinstance(kind, (Mapping, list)):  # a target given per output
        return keras.Model(inputs, output_heads(meta, hidden))
    if kind == "binary":
        outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)
    elif kind in ("multiclass", "onehot", "sequence"):
        outputs = keras.layers.Dense(n_classes, activation="softmax")(hidden)
    elif kind == "multilabel":
        outputs = keras.layers.Dense(n_classes, activation="sigmoid")(hidden)
    elif kind == "ordinal":
        outputs = keras.layers.Dense(n_classes - 1, activation="sigmoid")(hidden)
    else:
        outputs = [
            keras.layers.Dense(k, activation="softmax", name=f"output_{j}")(hidden) for j, k in enumerate(n_classes)
        ]
    return keras.Model(inputs, outputs)


#: Activation of the default head of each output kind.
HEAD_ACTIVATION = {
    "binary": "sigmoid",
    "multiclass": "softmax",
    "onehot": "softmax",
    "sequence": "softmax",
    "multilabel": "sigmoid",
    "ordinal": "sigmoid",
    "regression": "linear",
}


def output_heads(meta, hidden):
    """One output layer per output of a target given per output, on ``hidden``.

    Each head is a ``Dense`` layer named after its output (the dict key, or
    ``output_j`` for a list ``y``), of width ``meta["output_units_"]`` and with
    the activation of its kind (:data:`HEAD_ACTIVATION`): a sigmoid unit for a
    binary output, a softmax for multiclass, one-hot and sequence outputs, a
    sigmoid per label or threshold for multi-label and ordinal outputs, a
    linear layer for a regression output.  On sequence input (3-D ``hidden``),
    heads of outputs with one target per row average over the timesteps first.
    Returns the list of head tensors in output order.
    """
    kinds = meta["target_kind_"]
    kinds = list(kinds.values()) if isinstance(kinds, Mapping) else list(kinds)
    units = meta["output_units_"]
    units = list(units.values()) if isinstance(units, Mapping) else list(units)
    heads = []
    for name, kind, width in zip(meta["output_names_"], kinds, units):
        inputs = hidden
        if len(hidden.shape) == 3 and kind != "sequence":
            inputs = keras.layers.GlobalAveragePooling1D(name=f"{name}_pool")(hidden)
        heads.append(keras.layers.Dense(int(width), activation=HEAD_ACTIVATION[kind], name=name)(inputs))
    return heads


def _has_sequence(kind):
    if isinstance(kind, Mapping):
        return "sequence" in kind.values()
    if isinstance(kind, list):
        return "sequence" in kind
    return kind == "sequence"


def adapt_standardization(model, X, weights=None):
    """Fit the standardisation layer of ``model`` (if it has one) to the rows ``X``.

    Only what carries weight counts: rows whose sample weight is 0 and, for
    per-timestep weights of a sequence target, padded timesteps (weight 0)
    are left out of the means and variances, so they cannot change training.
    Returns True when a layer was adapted.  Non-finite features are left to
    Keras (impute them first); a constant feature keeps its scale (Keras
    divides by ``max(std, epsilon)``).
    """
    try:
        layer = model.get_layer(STANDARDIZE_LAYER)
    except ValueError:
        return False
    if not isinstance(layer, keras.layers.Normalization):
        return False
    X = np.asarray(X)
    w = weights if isinstance(weights, np.ndarray) else None
    if w is not None and not np.all(w > 0):
        if w.ndim == 2 and X.ndim == 3 and w.shape == X.shape[:2]:
            X = X[w > 0][:, None, :]  # the weighted timesteps, as sequences of length 1
        elif len(w) == len(X):
            keep = w > 0 if w.ndim == 1 else np.any(w.reshape(len(w), -1) > 0, axis=1)
            X = X[keep]
    if len(X) == 0:
        return False
    layer.adapt(X.astype(np.float32, copy=False))
    return True


def early_stopping_callback(patience, monitor="val_loss"):
    """The early stopping the estimator adds: stop when ``monitor`` (the
    weighted validation loss) has not improved by ``1e-4`` for ``patience``
    epochs, and restore the weights of the best epoch."""
    return keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, min_delta=1e-4, restore_best_weights=True)


def symbolic_outputs(model):
    """``model.outputs`` of a functional or Sequential model; None for a
    subclassed ``keras.Model``, which has none before it is called."""
    try:
        return model.outputs
    except AttributeError:
        return None


def is_categorical_crossentropy(loss):
    """True for Keras's categorical cross-entropy in any of its spellings: the
    estimator then encodes binary and multiclass labels one-hot."""
    return (
        loss in ("categorical_crossentropy", "cce", "CategoricalCrossentropy")
        or isinstance(loss, keras.losses.CategoricalCrossentropy)
        or getattr(loss, "__name__", None) == "categorical_crossentropy"
    )


def output_layout(model, x=None):
    """The structure of ``model``'s outputs as an
    :class:`~skweight._outputs.OutputLayout`: what ``model.predict`` returns
    (a dict, a list or tuple, any nesting of them, or one array) and a name for
    each output, in Keras's flatten order (that of ``model.outputs``).

    A functional or Sequential model declares its outputs (``model.output``);
    a subclassed ``keras.Model`` is traced once on the shape of ``x`` (its
    encoded features) with ``compute_output_spec``, which builds its layers as
    its first ``fit`` would.  An output that is a value of a dict is named by
    its key; any other by its output layer's name (functional models) or
    ``output_j``.  Names given twice are replaced by the outputs' paths
    (``"heads/0"``).
    """
    try:
        structure = model.output
    except (AttributeError, ValueError):  # a subclassed model: known once traced
        structure = _traced_outputs(model, x)
    positions = iter(range(1 << 30))
    template = _plain(keras.tree.map_structure(lambda _: next(positions), structure))
    leaves = _leaf_paths(template, ())
    layer_names = list(getattr(model, "output_names", None) or ())
    names = [None] * len(leaves)
    for position, path in leaves:
        if path and isinstance(path[-1], str):
            names[position] = path[-1]
        elif len(layer_names) == len(leaves):
            names[position] = str(layer_names[position])
        else:
            names[position] = f"output_{position}"
    if len(set(names)) < len(names):
        for position, path in leaves:
            names[position] = "/".join(str(p) for p in path) or names[position]
    return OutputLayout(template, names)


def _plain(template):
    """An output template in plain dicts, lists and tuples (Keras may give its
    own tracking containers), so that it pickles without Keras's classes."""
    if isinstance(template, Mapping):
        return {k: _plain(v) for k, v in template.items()}
    if isinstance(template, tuple):
        return tuple(_plain(v) for v in template)
    if isinstance(template, list):
        return [_plain(v) for v in template]
    return int(template)


def _leaf_paths(template, path):
    """``(position, path)`` of every leaf of an output template."""
    if isinstance(template, Mapping):
        return [leaf for k, v in template.items() for leaf in _leaf_paths(v, path + (k,))]
    if isinstance(template, (list, tuple)):
        return [leaf for i, v in enumerate(template) for leaf in _leaf_paths(v, path + (i,))]
    return [(template, path)]


def _traced_outputs(model, x):
    """The output structure of a subclassed model, from a symbolic call on
    inputs shaped like ``x`` (one row of each input suffices)."""
    if x is None:
        raise ValueError(
            f"the outputs of {type(model).__name__} (a subclassed keras.Model) are known only once it runs; "
            "give features to trace it on."
        )

    def spec(a):
        a = np.asarray(a)
        dtype = keras.backend.floatx() if a.dtype.kind == "f" else a.dtype.name
        return keras.KerasTensor((None,) + a.shape[1:], dtype=dtype)

    inputs = keras.tree.map_structure(spec, x)
    try:
        return model.compute_output_spec(inputs)
    except Exception:  # a model that cannot be traced symbolically runs on one row
        return model(keras.tree.map_structure(lambda a: np.asarray(a)[:1], x), training=False)
