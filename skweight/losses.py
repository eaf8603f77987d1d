"""Keras losses that keep one loss value per element, so that element-wise
sample weights (one weight per label) multiply each label's term."""

import keras
from keras import ops

__all__ = ["ElementwiseBinaryCrossentropy"]


@keras.saving.register_keras_serializable(package="skweight")
class ElementwiseBinaryCrossentropy(keras.losses.Loss):
    """Binary cross-entropy that returns a ``(n, labels)`` tensor.

    Keras's ``BinaryCrossentropy`` averages over the last axis before sample
    weights are applied, so a ``(n, labels)`` weight matrix cannot reach the
    individual labels.  This loss leaves the label axis in place: with weights
    ``w`` of shape ``(n, labels)`` and the default ``"sum_over_batch_size"``
    reduction, the loss is ``sum(w * bce) / (n * labels)``.

    Parameters
    ----------
    from_logits : bool, default False
        Whether ``y_pred`` holds logits rather than probabilities.
    reduction, name
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.losses import ElementwiseBinaryCrossentropy
    >>> loss = ElementwiseBinaryCrossentropy(reduction=None)
    >>> tuple(loss(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]])).shape)
    (1, 2)
    """

    def __init__(self, from_logits=False, reduction="sum_over_batch_size", name="elementwise_binary_crossentropy", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, y_pred.dtype)
        return ops.binary_crossentropy(y_true, y_pred, from_logits=self.from_logits)

    def get_config(self):
        config = super().get_config()
        config["from_logits"] = self.from_logits
        return config
