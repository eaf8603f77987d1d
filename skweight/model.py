"""The default network: a multi-layer perceptron sized from the data, with the
output layer chosen for the target kind."""

from ._backend import keras

__all__ = ["build_mlp"]


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
    if len(meta["X_shape_"]) > 3 or (len(meta["X_shape_"]) == 3 and kind != "sequence"):
        hidden = keras.layers.Flatten()(hidden)
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(units, activation=activation)(hidden)
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
