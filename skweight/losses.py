"""Keras losses that keep one loss value per element, so that element-wise
sample weights (one weight per label) multiply each label's term, the loss
the estimator picks for each target kind, focal cross-entropy
(``loss="focal"``) and logit-adjusted cross-entropy (``logit_adjustment``) for
the target kinds they apply to.

``import skweight.losses`` registers the losses for Keras serialization, so
that a saved model that uses them loads (``keras.models.load_model``).
"""

import numpy as np

from ._backend import keras
from ._params import check_focal_gamma, check_logit_adjustment, check_nonnegative

ops = keras.ops

__all__ = [
    "ElementwiseBinaryCrossentropy",
    "default_loss",
    "is_plain_bce",
    "FOCAL_KINDS",
    "LOGIT_ADJUSTMENT_KINDS",
    "FocalBinaryCrossentropy",
    "ElementwiseFocalBinaryCrossentropy",
    "FocalCategoricalCrossentropy",
    "FocalSparseCategoricalCrossentropy",
    "LogitAdjustedBinaryCrossentropy",
    "LogitAdjustedCategoricalCrossentropy",
    "LogitAdjustedSparseCategoricalCrossentropy",
    "adjustment_weights",
    "check_focal_gamma",
    "check_logit_adjustment",
    "class_priors",
    "focal_loss",
    "logit_adjusted_loss",
]


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


# --------------------------------------------------------------------------- #
# focal cross-entropy (loss="focal", focal_gamma)
# --------------------------------------------------------------------------- #
#: Target kinds ``loss="focal"`` applies to (multi-output: per output, each of these).
FOCAL_KINDS = ("binary", "multiclass", "onehot", "multilabel")
#: Target kinds ``logit_adjustment`` applies to.
LOGIT_ADJUSTMENT_KINDS = ("binary", "multiclass", "onehot")


def _modulated(ce, gamma):
    """The focal term ``(1 - p_t) ** gamma * ce`` from a cross-entropy ``ce = -log p_t``.

    ``1 - p_t = -expm1(-ce)`` keeps its precision when ``p_t`` is near 1; it is
    floored at Keras's epsilon so that the power's gradient stays finite where a
    saturated output makes it 0.  With ``gamma = 0`` the factor is exactly 1
    and its gradient exactly 0: the loss is ``ce``, bit for bit.
    """
    miss = ops.maximum(-ops.expm1(-ce), keras.config.epsilon())
    return ops.power(miss, gamma) * ce


def _same_rank(y_true, y_pred):
    """``y_true`` given the trailing axis of size 1 that ``y_pred`` has (as Keras's losses do)."""
    if len(y_true.shape) == len(y_pred.shape) - 1 and y_pred.shape[-1] == 1:
        y_true = ops.expand_dims(y_true, -1)
    return y_true


@keras.saving.register_keras_serializable(package="skweight")
class FocalBinaryCrossentropy(keras.losses.Loss):
    """Focal binary cross-entropy (Lin et al., ICCV 2017) for a sigmoid output.

    Per element, ``-(1 - p_t) ** gamma * log(p_t)``, ``p_t`` being the
    probability the model gives the true label; averaged over the last axis,
    as Keras's ``BinaryCrossentropy`` does (one value per row).  The
    cross-entropy is Keras's own (``keras.ops.binary_crossentropy``, with its
    clipping, and on TensorFlow the logits behind a sigmoid output), so with
    ``gamma=0`` this equals ``"binary_crossentropy"`` exactly.  There is no
    ``alpha``: class balancing comes from sample or class weights, which
    multiply each row's term.  For 0/1 targets.

    Parameters
    ----------
    gamma : float >= 0, default 2.0
        Focusing strength: rows the model already gets right count less.
    from_logits : bool, default False
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.losses import FocalBinaryCrossentropy
    >>> y, p = np.array([[1.0], [0.0]]), np.array([[0.9], [0.4]])
    >>> loss = FocalBinaryCrossentropy(gamma=2.0, reduction=None)
    >>> np.round(np.asarray(loss(y, p)), 4).tolist()  # 0.1**2 * -log(0.9), 0.4**2 * -log(0.6)
    [0.0011, 0.0817]
    """

    def __init__(
        self,
        gamma=2.0,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="focal_binary_crossentropy",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.gamma = check_focal_gamma(gamma, "gamma")
        self.from_logits = from_logits

    def _elements(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = _same_rank(ops.cast(y_true, y_pred.dtype), y_pred)
        ce = ops.binary_crossentropy(y_true, y_pred, from_logits=self.from_logits)
        return _modulated(ce, self.gamma)

    def call(self, y_true, y_pred):
        return ops.mean(self._elements(y_true, y_pred), axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(gamma=self.gamma, from_logits=self.from_logits)
        return config


@keras.saving.register_keras_serializable(package="skweight")
class ElementwiseFocalBinaryCrossentropy(ElementwiseBinaryCrossentropy):
    """Focal binary cross-entropy that keeps one value per label, ``(n, labels)``.

    :class:`FocalBinaryCrossentropy` for multi-label targets: like
    :class:`ElementwiseBinaryCrossentropy`, it leaves the label axis in place,
    so that per-label weights (``class_weight`` as one ``{0: w_neg, 1: w_pos}``
    per label) reach each label's term.  With ``gamma=0`` it equals
    :class:`ElementwiseBinaryCrossentropy` exactly.

    Parameters
    ----------
    gamma : float >= 0, default 2.0
        Focusing strength: labels the model already gets right count less.
    from_logits : bool, default False
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.losses import ElementwiseFocalBinaryCrossentropy
    >>> loss = ElementwiseFocalBinaryCrossentropy(gamma=2.0, reduction=None)
    >>> tuple(loss(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]])).shape)
    (1, 2)
    """

    def __init__(
        self,
        gamma=2.0,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="elementwise_focal_binary_crossentropy",
        dtype=None,
    ):
        super().__init__(from_logits=from_logits, reduction=reduction, name=name, dtype=dtype)
        self.gamma = check_focal_gamma(gamma, "gamma")

    def call(self, y_true, y_pred):
        return _modulated(super().call(y_true, y_pred), self.gamma)

    def get_config(self):
        config = super().get_config()
        config["gamma"] = self.gamma
        return config


@keras.saving.register_keras_serializable(package="skweight")
class FocalCategoricalCrossentropy(keras.losses.Loss):
    """Focal cross-entropy for one-hot targets and a softmax output:
    ``-(1 - p_y) ** gamma * log(p_y)`` per row.

    Keras's own cross-entropy inside (``keras.ops.categorical_crossentropy``),
    so ``gamma=0`` equals ``"categorical_crossentropy"`` exactly.  Keras's
    ``CategoricalFocalCrossentropy`` differs: it also scales by ``alpha``
    (0.25 by default), so it is not the plain loss at ``gamma=0``.

    Parameters
    ----------
    gamma : float >= 0, default 2.0
    from_logits : bool, default False
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.losses import FocalCategoricalCrossentropy
    >>> loss = FocalCategoricalCrossentropy(gamma=1.0, reduction=None)
    >>> np.round(np.asarray(loss(np.array([[0.0, 1.0, 0.0]]), np.array([[0.2, 0.5, 0.3]]))), 4).tolist()
    [0.3466]
    """

    def __init__(
        self,
        gamma=2.0,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="focal_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.gamma = check_focal_gamma(gamma, "gamma")
        self.from_logits = from_logits

    def _ce(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        return ops.categorical_crossentropy(ops.cast(y_true, y_pred.dtype), y_pred, from_logits=self.from_logits)

    def call(self, y_true, y_pred):
        return _modulated(self._ce(y_true, y_pred), self.gamma)

    def get_config(self):
        config = super().get_config()
        config.update(gamma=self.gamma, from_logits=self.from_logits)
        return config


@keras.saving.register_keras_serializable(package="skweight")
class FocalSparseCategoricalCrossentropy(FocalCategoricalCrossentropy):
    """:class:`FocalCategoricalCrossentropy` for integer class codes (``(n,)``
    or ``(n, 1)``); ``gamma=0`` equals ``"sparse_categorical_crossentropy"`` exactly.

    Parameters
    ----------
    gamma : float >= 0, default 2.0
    from_logits : bool, default False
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.losses import FocalSparseCategoricalCrossentropy
    >>> loss = FocalSparseCategoricalCrossentropy(gamma=1.0, reduction=None)
    >>> np.round(np.asarray(loss(np.array([1]), np.array([[0.2, 0.5, 0.3]]))), 4).tolist()
    [0.3466]
    """

    def __init__(
        self,
        gamma=2.0,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="focal_sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(gamma=gamma, from_logits=from_logits, reduction=reduction, name=name, dtype=dtype)

    def _ce(self, y_true, y_pred):
        return ops.sparse_categorical_crossentropy(y_true, ops.convert_to_tensor(y_pred), from_logits=self.from_logits)


def _refuse(param, kind, accepted, where=""):
    return ValueError(
        f"{param} is given, but the target{where} is {kind!r}; it applies to {', '.join(accepted)} targets."
    )


def focal_loss(kind, gamma=2.0, n_outputs=1):
    """The focal loss for a target kind (``loss="focal"``), as :func:`default_loss` picks the plain one.

    Binary: :class:`FocalBinaryCrossentropy`; multiclass:
    :class:`FocalSparseCategoricalCrossentropy`; one-hot:
    :class:`FocalCategoricalCrossentropy`; multi-label:
    :class:`ElementwiseFocalBinaryCrossentropy`.  Per-output kinds (a dict or
    list) give a dict or list, a regression output mean squared error; a 2-D
    multi-output target one sparse focal loss per output.  Ordinal and
    sequence targets are a ``ValueError``.

    Parameters
    ----------
    kind : str, dict or list
        One of :data:`FOCAL_KINDS` or ``"multioutput"``, or per-output kinds.
    gamma : float >= 0, default 2.0
    n_outputs : int, default 1
        For ``"multioutput"``: the number of outputs.

    Returns
    -------
    keras.losses.Loss, list or dict

    Examples
    --------
    >>> from skweight.losses import focal_loss
    >>> type(focal_loss("multilabel", 2.0)).__name__
    'ElementwiseFocalBinaryCrossentropy'
    >>> [type(f).__name__ for f in focal_loss({"a": "binary", "b": "onehot"}, 1.0).values()]
    ['FocalBinaryCrossentropy', 'FocalCategoricalCrossentropy']
    """
    gamma = check_focal_gamma(gamma)
    if isinstance(kind, (dict, list)):
        named = kind.items() if isinstance(kind, dict) else enumerate(kind)
        out = {}
        for key, k in named:
            if k == "regression":
                out[key] = "mean_squared_error"
            elif k not in FOCAL_KINDS:
                raise _refuse("loss='focal'", k, FOCAL_KINDS, f" of output {key!r}")
            else:
                out[key] = focal_loss(k, gamma)
        return out if isinstance(kind, dict) else [out[j] for j in range(len(kind))]
    if kind == "binary":
        return FocalBinaryCrossentropy(gamma)
    if kind == "multiclass":
        return FocalSparseCategoricalCrossentropy(gamma)
    if kind == "onehot":
        return FocalCategoricalCrossentropy(gamma)
    if kind == "multilabel":
        return ElementwiseFocalBinaryCrossentropy(gamma)
    if kind == "multioutput":
        return [FocalSparseCategoricalCrossentropy(gamma) for _ in range(int(n_outputs))]
    raise _refuse("loss='focal'", kind, FOCAL_KINDS + ("multi-output",))


# --------------------------------------------------------------------------- #
# logit-adjusted cross-entropy (logit_adjustment=tau)
# --------------------------------------------------------------------------- #
def class_priors(counts):
    """Class priors for logit adjustment from training-row counts.

    ``counts / counts.sum()``, with a class that has no training row counted
    as half a row (a prior of 0 would shift its logit by ``-inf``).

    Parameters
    ----------
    counts : array-like of shape (n_classes,)
        Training rows per class, in class order.

    Returns
    -------
    ndarray of shape (n_classes,), positive, summing to 1

    Examples
    --------
    >>> from skweight.losses import class_priors
    >>> class_priors([30, 10, 0]).round(4).tolist()
    [0.7407, 0.2469, 0.0123]
    """
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 1 or c.size < 2 or np.any(c < 0) or not np.all(np.isfinite(c)) or c.sum() <= 0:
        raise ValueError(
            f"counts must be 1-D, non-negative, with at least two classes and one row; got {c.tolist()!r}."
        )
    c = np.where(c > 0, c, 0.5)
    return c / c.sum()


def _check_priors(priors, param="priors"):
    if priors is None:
        return None
    p = np.asarray(priors, dtype=np.float64)
    if p.ndim != 1 or p.size < 2 or not np.all(np.isfinite(p)) or np.any(p <= 0):
        raise ValueError(
            f"{param}={priors!r} is not accepted; give one positive, finite prior per class (at least two), in "
            "class order, e.g. skweight.losses.class_priors(counts)."
        )
    return tuple(float(v) for v in p / p.sum())


def adjustment_weights(priors, tau):
    """The class weights whose undoing turns a logit-adjusted model's
    probabilities into probabilities under the training prior.

    A model trained with the logit-adjusted loss outputs ``softmax(f)``,
    which estimates ``p(c | x) / prior_c ** tau`` (normalised): the balanced
    posterior at ``tau=1``.  ``skweight.unweight_proba(proba, w)`` with
    ``w = prior ** -tau`` gives ``softmax(f + tau * log(prior))``, the
    estimate of ``p(c | x)`` under the training prior (``predict_proba_prior``).

    Parameters
    ----------
    priors : array-like of shape (n_classes,)
        Positive class priors (normalised here).
    tau : float >= 0

    Returns
    -------
    ndarray of shape (n_classes,), averaging 1

    Examples
    --------
    >>> from skweight.losses import adjustment_weights
    >>> adjustment_weights([0.8, 0.2], 1.0).tolist()
    [0.4, 1.6]
    """
    pri = np.asarray(_check_priors(priors))
    tau = check_nonnegative(tau, "tau", "a finite float >= 0")
    w = pri**-tau
    return w / w.mean()


class _LogitAdjusted(keras.losses.Loss):
    """Shared parts of the logit-adjusted losses (Menon et al., ICLR 2021).

    The loss of a row of class ``y`` is the cross-entropy of the adjusted
    logits ``f + tau * log(prior)``::

        -log( p_y prior_y ** tau / sum_c p_c prior_c ** tau )
          = CE(y, p) - log w_y + log( sum_c p_c w_c / sum_c p_c ),    w = prior ** tau / max(prior ** tau)

    where ``p`` is the model's (softmax or sigmoid) output and ``CE`` is
    Keras's own cross-entropy of it.  Written this way it needs no logits
    and no log of a clipped probability beyond what Keras's cross-entropy
    does itself (on TensorFlow, Keras reads the logits behind a softmax
    output), and at ``tau=0`` (``w = 1``) it is ``CE`` exactly.

    The priors are plain numbers in the loss's config (saved and loaded with
    the model).  They can be given after construction with
    :meth:`set_priors`, but a training function traced before that keeps the
    old values: set them before training starts (``model.compile`` again
    otherwise).
    """

    def __init__(self, tau=1.0, priors=None, from_logits=False, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.tau = check_nonnegative(tau, "tau", "a finite float >= 0 (0 is plain cross-entropy)")
        self.priors = _check_priors(priors)
        self.from_logits = from_logits

    def set_priors(self, priors):
        """Set the class priors (one per class, in class order; normalised here)."""
        self.priors = _check_priors(priors)
        return self

    def _log_w(self, dtype):
        """``tau * log(prior)``, shifted so its largest entry is 0 (so ``w <= 1``)."""
        if self.priors is None:
            raise ValueError(
                f"{type(self).__name__} has no priors; give priors=... (one per class, from the training rows) "
                "or call set_priors before training."
            )
        log_w = self.tau * np.log(np.asarray(self.priors))
        return ops.convert_to_tensor(log_w - log_w.max(), dtype=dtype)

    def _check_width(self, y_pred, width):
        classes = y_pred.shape[-1]
        if classes is not None and classes != width:
            raise ValueError(
                f"{type(self).__name__} has {len(self.priors)} priors, but the model gives {classes} values per row; "
                "give one prior per class."
            )

    def _probabilities(self, y_pred):
        return ops.softmax(y_pred, axis=-1) if self.from_logits else y_pred

    def _multiclass(self, ce, y_onehot, y_pred):
        log_w = self._log_w(y_pred.dtype)
        self._check_width(y_pred, len(self.priors))
        p = self._probabilities(y_pred)
        mass = ops.sum(p * ops.exp(log_w), axis=-1) / ops.sum(p, axis=-1)
        return ce - ops.sum(y_onehot * log_w, axis=-1) + ops.log(mass)

    def get_config(self):
        config = super().get_config()
        priors = None if self.priors is None else list(self.priors)
        config.update(tau=self.tau, priors=priors, from_logits=self.from_logits)
        return config


def _two_priors(checked, given):
    """``checked`` (None or the normalised priors) when a binary target's two; else a ValueError."""
    if checked is not None and len(checked) != 2:
        raise ValueError(f"priors={given!r}: a binary target has two priors, (prior_0, prior_1).")
    return checked


@keras.saving.register_keras_serializable(package="skweight")
class LogitAdjustedBinaryCrossentropy(_LogitAdjusted):
    """Logit-adjusted binary cross-entropy for a sigmoid output (Menon et al., ICLR 2021).

    The logit ``z`` of the positive class is shifted by
    ``delta = tau * (log prior_1 - log prior_0)`` during training; with
    ``p = sigmoid(z)`` the row's loss is
    ``BCE(y, p) - y * delta + log1p(p * expm1(delta))``, which is
    ``BCE(y, sigmoid(z + delta))``; at ``tau=0`` exactly Keras's
    ``"binary_crossentropy"``.  The model's output stays ``sigmoid(z)``: the
    estimate with the prior taken out (balanced at ``tau=1``).

    Parameters
    ----------
    tau : float >= 0, default 1.0
    priors : sequence of two floats, optional
        ``(prior_0, prior_1)`` from the training rows (normalised here); may be
        set later with :meth:`set_priors`, before training.
    from_logits : bool, default False
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.losses import LogitAdjustedBinaryCrossentropy
    >>> loss = LogitAdjustedBinaryCrossentropy(tau=1.0, priors=[0.9, 0.1], reduction=None)
    >>> z = np.log(0.3 / 0.7) + np.log(0.1 / 0.9)  # the logit of 0.3, adjusted
    >>> bool(np.isclose(float(loss(np.array([1.0]), np.array([[0.3]]))[0]), np.log1p(np.exp(-z)), rtol=1e-5))
    True
    """

    def __init__(
        self,
        tau=1.0,
        priors=None,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="logit_adjusted_binary_crossentropy",
        dtype=None,
    ):
        super().__init__(tau=tau, priors=priors, from_logits=from_logits, reduction=reduction, name=name, dtype=dtype)
        _two_priors(self.priors, priors)

    def set_priors(self, priors):
        self.priors = _two_priors(_check_priors(priors), priors)
        return self

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = _same_rank(ops.cast(y_true, y_pred.dtype), y_pred)
        log_w = self._log_w(y_pred.dtype)
        delta = log_w[1] - log_w[0]
        ce = ops.binary_crossentropy(y_true, y_pred, from_logits=self.from_logits)
        p = ops.sigmoid(y_pred) if self.from_logits else y_pred
        return ops.mean(ce - y_true * delta + ops.log1p(p * ops.expm1(delta)), axis=-1)


@keras.saving.register_keras_serializable(package="skweight")
class LogitAdjustedCategoricalCrossentropy(_LogitAdjusted):
    """Logit-adjusted cross-entropy for one-hot targets and a softmax output
    (Menon et al., ICLR 2021); at ``tau=0`` exactly ``"categorical_crossentropy"``.

    See :class:`LogitAdjustedSparseCategoricalCrossentropy` for integer codes.

    Parameters
    ----------
    tau : float >= 0, default 1.0
    priors : sequence of floats, optional
        One prior per class from the training rows (normalised here); may be
        set later with ``set_priors``, before training.
    from_logits : bool, default False
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.losses import LogitAdjustedCategoricalCrossentropy
    >>> loss = LogitAdjustedCategoricalCrossentropy(tau=1.0, priors=[0.5, 0.25, 0.25], reduction=None)
    >>> p = np.array([[0.2, 0.5, 0.3]])
    >>> adjusted = p * [0.5, 0.25, 0.25] / (p * [0.5, 0.25, 0.25]).sum()
    >>> bool(np.isclose(float(loss(np.array([[0.0, 1.0, 0.0]]), p)[0]), -np.log(adjusted[0, 1]), rtol=1e-5))
    True
    """

    def __init__(
        self,
        tau=1.0,
        priors=None,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="logit_adjusted_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(tau=tau, priors=priors, from_logits=from_logits, reduction=reduction, name=name, dtype=dtype)

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, y_pred.dtype)
        ce = ops.categorical_crossentropy(y_true, y_pred, from_logits=self.from_logits)
        return self._multiclass(ce, y_true, y_pred)


@keras.saving.register_keras_serializable(package="skweight")
class LogitAdjustedSparseCategoricalCrossentropy(_LogitAdjusted):
    """Logit-adjusted cross-entropy for integer class codes and a softmax output
    (Menon et al., ICLR 2021).

    The loss of a row of class ``y`` is the cross-entropy of
    ``softmax(f + tau * log(prior))`` where ``softmax(f)`` is the model's
    output; at ``tau=0`` exactly Keras's ``"sparse_categorical_crossentropy"``.
    The model's output stays ``softmax(f)``: the estimate with the prior
    taken out (balanced at ``tau=1``), which is what ``predict_proba`` returns.

    Parameters
    ----------
    tau : float >= 0, default 1.0
    priors : sequence of floats, optional
        One prior per class from the training rows (normalised here); may be
        set later with :meth:`set_priors`, before training.
    from_logits : bool, default False
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skweight.losses import LogitAdjustedSparseCategoricalCrossentropy
    >>> loss = LogitAdjustedSparseCategoricalCrossentropy(tau=0.0, priors=[0.5, 0.25, 0.25], reduction=None)
    >>> round(float(loss(np.array([1]), np.array([[0.2, 0.5, 0.3]]))[0]), 4)  # tau=0: -log(0.5)
    0.6931
    """

    def __init__(
        self,
        tau=1.0,
        priors=None,
        from_logits=False,
        reduction="sum_over_batch_size",
        name="logit_adjusted_sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(tau=tau, priors=priors, from_logits=from_logits, reduction=reduction, name=name, dtype=dtype)

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        ce = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=self.from_logits)
        codes = ops.cast(y_true, "int32")
        if len(codes.shape) == len(y_pred.shape):
            codes = ops.squeeze(codes, -1)
        onehot = ops.one_hot(codes, y_pred.shape[-1], dtype=y_pred.dtype)
        return self._multiclass(ce, onehot, y_pred)


def logit_adjusted_loss(kind, tau=1.0, priors=None):
    """The logit-adjusted loss for a target kind (``logit_adjustment=tau``).

    Binary: :class:`LogitAdjustedBinaryCrossentropy`; multiclass:
    :class:`LogitAdjustedSparseCategoricalCrossentropy`; one-hot:
    :class:`LogitAdjustedCategoricalCrossentropy`.  Other kinds are a
    ``ValueError`` (a prior over one class per row is what it adjusts).

    Parameters
    ----------
    kind : str
        One of :data:`LOGIT_ADJUSTMENT_KINDS`.
    tau : float >= 0, default 1.0
    priors : sequence of floats, optional
        One prior per class (may be set later with ``set_priors``).

    Returns
    -------
    keras.losses.Loss

    Examples
    --------
    >>> from skweight.losses import logit_adjusted_loss
    >>> logit_adjusted_loss("multiclass", 1.0, [0.7, 0.2, 0.1]).priors
    (0.7, 0.2, 0.1)
    """
    tau = check_logit_adjustment(tau)
    if tau is None:
        raise ValueError("logit_adjustment=None needs no logit-adjusted loss; give tau >= 0.")
    if kind == "binary":
        return LogitAdjustedBinaryCrossentropy(tau, priors)
    if kind == "multiclass":
        return LogitAdjustedSparseCategoricalCrossentropy(tau, priors)
    if kind == "onehot":
        return LogitAdjustedCategoricalCrossentropy(tau, priors)
    raise _refuse(f"logit_adjustment={tau!r}", kind, LOGIT_ADJUSTMENT_KINDS)
