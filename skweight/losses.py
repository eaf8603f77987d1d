"""Keras losses that keep one loss value per element, so that element-wise
sample weights (one weight per label) multiply each label's term, and the loss
the estimator picks for each target kind.

``import skweight.losses`` registers the losses for Keras serialization, so
that a saved model that uses them loads (``keras.models.load_model``).
"""

from ._backend import keras

ops = keras.ops

__all__ = ["ElementwiseBinaryCrossentropy", "default_loss", "is_plain_bce"]


@keras.saving.register_keras_serializable(package="skweight")
class ElementwiseBinaryCrossentropy(keras.losses.Loss):
    """Binary cross-entropy that returns a ``(n, labels)`` tensor.

    Keras's ``BinaryCrossentropy`` averages over the last axis before sample
    weights are applied, so a ``(n, labels)`` weight matrix cannot reach the
    individual labels.  This loss leaves the label axis in place: with weights
    ``w`` of shape ``(n, labels)`` and the default ``"sum_over_batch_size"``
    reduction, the loss is ``sum(w * bce) / (n * labels)``.  A ``(n,)`` weight
    (one per row, e.g. a plain ``sample_weight``) multiplies every label of its
    row.

    Parameters
    ----------
    from_logits : bool, default False
        Whether ``y_pred`` holds logits rather than probabilities.
    reduction, name, dtype
        As for any ``keras.losses.Loss``: the reduction over the batch
        (default ``"sum_over_batch_size"``), the loss's name, and the dtype
        of its computation (``None``: Keras's float type).

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.losses import ElementwiseBinaryCrossentropy
    >>> loss = ElementwiseBinaryCrossentropy(reduction=None)
    >>> tuple(loss(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]])).shape)
    (1, 2)
    """

    def __init__(
        self, from_logits=False, reduction="sum_over_batch_size", name="elementwise_binary_crossentropy", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.from_logits = from_logits

    def __call__(self, y_true, y_pred, sample_weight=None):
        # One weight per row, shape (n,), multiplies every label of its row.
        # Keras broadcasts a (n,) weight only over a last axis of size 1, so it
        # is given that axis here.
        if sample_weight is not None and len(ops.shape(sample_weight)) == 1 and len(ops.shape(y_pred)) == 2:
            sample_weight = ops.expand_dims(sample_weight, -1)
        return super().__call__(y_true, y_pred, sample_weight=sample_weight)

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, y_pred.dtype)
        return ops.binary_crossentropy(y_true, y_pred, from_logits=self.from_logits)

    def get_config(self):
        config = super().get_config()
        config["from_logits"] = self.from_logits
        return config


def default_loss(kind, n_outputs=1):
    """The loss :class:`~skweight.WeightedKerasClassifier` compiles with for a
    target kind when ``loss=None``.

    Parameters
    ----------
    kind : str, dict or list
        One of :data:`skweight.KINDS`, or the per-output kinds of a target
        given per output: a dict (keyed by output name) gives a dict of losses
        keyed the same way, a list a list; a ``"regression"`` output gets mean
        squared error.
    n_outputs : int, default 1
        For ``"multioutput"`` (one label column per output): the number of outputs.

    Returns
    -------
    str, keras.losses.Loss, list or dict
        Binary cross-entropy (binary, ordinal), sparse categorical
        cross-entropy (multiclass, sequence, each column of a multi-output
        target), categorical cross-entropy (one-hot), or
        :class:`ElementwiseBinaryCrossentropy` (multi-label).

    Examples
    --------
    >>> from skweight.losses import default_loss
    >>> default_loss("binary"), default_loss({"risk": "multiclass", "price": "regression"})
    ('binary_crossentropy', {'risk': 'sparse_categorical_crossentropy', 'price': 'mean_squared_error'})
    """
    if isinstance(kind, dict):
        return {name: default_loss(k) for name, k in kind.items()}
    if isinstance(kind, list):
        return [default_loss(k) for k in kind]
    if kind == "regression":
        return "mean_squared_error"
    if kind == "binary":
        return "binary_crossentropy"
    if kind in ("multiclass", "sequence"):
        return "sparse_categorical_crossentropy"
    if kind == "onehot":
        return "categorical_crossentropy"
    if kind == "multilabel":
        return ElementwiseBinaryCrossentropy()
    if kind == "ordinal":
        return "binary_crossentropy"
    return ["sparse_categorical_crossentropy"] * int(n_outputs)


def is_plain_bce(loss):
    """True for Keras's plain binary cross-entropy, in any of its spellings
    (it averages over the labels before a per-label weight can reach them).

    Parameters
    ----------
    loss : str, keras.losses.Loss or callable
        A loss as given to ``compile`` (or the estimator's ``loss``).

    Returns
    -------
    bool

    Examples
    --------
    >>> import keras
    >>> from skweight.losses import ElementwiseBinaryCrossentropy, is_plain_bce
    >>> is_plain_bce("bce"), is_plain_bce(keras.losses.BinaryCrossentropy())
    (True, True)
    >>> is_plain_bce(ElementwiseBinaryCrossentropy())
    False
    """
    return (
        loss in ("binary_crossentropy", "bce", "BinaryCrossentropy")
        or isinstance(loss, keras.losses.BinaryCrossentropy)
        or getattr(loss, "__name__", None) == "binary_crossentropy"
    )
