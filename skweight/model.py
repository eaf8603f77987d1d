"""The default network: a multi-layer perceptron sized from the data, with the
output layer chosen for the target kind."""

from collections.abc import Mapping

from ._backend import keras

__all__ = ["build_mlp", "output_heads"]


def build_mlp(meta, hidden_layer_sizes=(100,), activation="relu"):
    """Build (uncompiled) the default model from SciKeras's fit metadata.

    ``meta`` holds ``X_shape_``, ``target_kind_`` and ``n_classes_``.  Hidden
    layers are ``Dense`` layers; on 3-D input (sequences) they act on every
    timestep.  The output is one sigmoid unit (binary), a softmax over the
    classes (multiclass, one-hot, sequence), one sigmoid per label or threshold
    (multi-label, ordinal), or one softmax head per column (multi-output).
    """
    kind = meta["target_kind_"]
    n_classes = meta["n_classes_"]
    inputs = keras.Input(shape=tuple(meta["X_shape_"][1:]))
    hidden = inputs
    if len(meta["X_shape_"]) > 3 or (len(meta["X_shape_"]) == 3 and not _has_sequence(kind)):
        hidden = keras.layers.Flatten()(hidden)
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(units, activation=activation)(hidden)
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
