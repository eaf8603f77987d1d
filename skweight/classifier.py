"""``WeightedKerasClassifier``: SciKeras's ``KerasClassifier`` with
scikit-learn's ``class_weight`` for every target shape.

Each override below owns one concern and says when SciKeras calls it; the data
flow of ``fit`` is described in the package README.
"""

import numbers
from collections.abc import Mapping

import numpy as np

from ._backend import keras, quiet, seed_from, seeded
from .losses import ElementwiseBinaryCrossentropy
from .model import build_mlp
from .splits import split_rows
from .targets import TargetEncoder
from .weights import _ACCEPTED, _dict_to_vector, apply_class_weights, class_weights, unweight_proba

from scikeras.utils.transformers import _is_categorical_crossentropy  # noqa: E402
from scikeras.wrappers import BaseWrapper, KerasClassifier  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402

__all__ = ["WeightedKerasClassifier"]

_FITTED = (
    "model_", "history_", "class_weight_", "classes_", "n_classes_", "n_outputs_", "n_outputs_expected_",
    "target_kind_", "target_encoder_", "feature_encoder_", "n_features_in_", "X_shape_", "X_dtype_",
    "y_dtype_", "y_ndim_", "target_type_", "feature_names_in_", "_fit_callbacks", "_predict_callbacks",
    "_random_state", "_resolved_codes",
)


class _TagsRoot:
    """Last base before ``object``: gives ``ClassifierMixin.__sklearn_tags__``
    a parent to call.  scikit-learn 1.6 calls every ``__sklearn_tags__`` in the
    MRO when a base (here SciKeras's ``BaseWrapper``) still has ``_more_tags``,
    and in SciKeras's MRO nothing follows ``ClassifierMixin``."""

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False))


class WeightedKerasClassifier(KerasClassifier, _TagsRoot):
    """A Keras classifier that takes ``class_weight`` as scikit-learn does.

    ``class_weight`` is turned into Keras sample weights inside ``fit``, from
    the training rows of that fit only, in the shape the target needs; the
    caller's arrays are never modified.

    Parameters
    ----------
    model : None, keras.Model or callable, default None
        ``None`` builds a multi-layer perceptron sized from the data (see
        ``hidden_layer_sizes``), with the output layer and loss chosen for the
        target kind.  A compiled or uncompiled ``keras.Model`` or a build
        function works as in SciKeras.
    class_weight : None, "balanced", dict or list, default None
        ``"balanced"`` weighs class ``c`` by ``n_samples / (n_classes * count(c))``
        over the training rows; a dict ``{label: weight}`` uses your own labels
        (missing classes weigh 1).  Multi-label targets take a list of
        ``{0: w_neg, 1: w_pos}`` dicts; multi-output targets take one spec per
        output (a list, or a dict keyed by output name).
    target_kind : str, default "auto"
        ``"auto"`` or one of :data:`skweight.KINDS`; needed for ``"ordinal"``
        (thermometer-coded) targets, and for ``"sequence"`` targets when ``X``
        is not 3-D.
    padding_label : label, optional
        For sequence targets, the label that marks padding; it weighs 0.
    hidden_layer_sizes : tuple of int, default (100,)
        Hidden layers of the default model.
    activation : str, default "relu"
        Activation of the default model's hidden layers.
    optimizer : str or keras optimizer, default "adam"
    loss : str, keras loss or None, default None
        ``None`` picks the loss for the target kind (binary, sparse
        categorical, categorical or element-wise binary cross-entropy).
    metrics : list, optional
        Each metric is reported plain and weighted by the class weights
        (``history_["accuracy"]`` and ``history_["weighted_accuracy"]``).
    epochs : int, default 20
    batch_size : int, optional
        Keras's default (32) when None.
    validation_split : float, default 0.0
        Fraction of the rows held out for validation, split stratified and
        shuffled (seeded by ``random_state``); the validation rows are weighted
        with the class weights resolved on the training rows.
    verbose : int, default 0
    random_state : None, int or numpy.random.RandomState
        Seeds weight initialisation, shuffling and the validation split on any
        Keras backend; Python's, NumPy's and the backend's global random state
        are restored after ``fit``.
    **kwargs
        Any other SciKeras parameter (``callbacks``, ``warm_start``,
        ``optimizer__learning_rate``, ``fit__...``, ...).

    Attributes
    ----------
    classes_ : ndarray
        Class labels (column indices for one-hot and multi-label targets,
        levels for ordinal targets, a list of arrays for multi-output targets).
    class_weight_ : dict or list
        The class weights this fit used, keyed by your labels.
    target_kind_ : str
        The target kind that was detected or given.
    model_ : keras.Model
    history_ : dict

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skweight import WeightedKerasClassifier
    >>> X, y = make_classification(300, weights=[0.9], random_state=0)
    >>> clf = WeightedKerasClassifier(class_weight="balanced", epochs=2, random_state=0).fit(X, y)
    >>> sorted(clf.class_weight_)
    [0, 1]
    >>> clf.predict_proba(X).shape
    (300, 2)
    """

    def __init__(
        self,
        model=None,
        *,
        class_weight=None,
        target_kind="auto",
        padding_label=None,
        hidden_layer_sizes=(100,),
        activation="relu",
        optimizer="adam",
        loss=None,
        metrics=None,
        epochs=20,
        batch_size=None,
        validation_batch_size=None,
        validation_split=0.0,
        shuffle=True,
        verbose=0,
        callbacks=None,
        warm_start=False,
        random_state=None,
        run_eagerly=False,
        build_fn=None,
        **kwargs,
    ):
        super().__init__(
            model=model,
            build_fn=build_fn,
            warm_start=warm_start,
            random_state=random_state,
            optimizer=optimizer,
            loss=loss,
            metrics=metrics,
            batch_size=batch_size,
            validation_batch_size=validation_batch_size,
            verbose=verbose,
            callbacks=callbacks,
            validation_split=validation_split,
            shuffle=shuffle,
            run_eagerly=run_eagerly,
            epochs=epochs,
            class_weight=class_weight,
            **kwargs,
        )
        self.target_kind = target_kind
        self.padding_label = padding_label
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation

    # ------------------------------------------------------------------ #
    # scikit-learn identity
    # ------------------------------------------------------------------ #
    def __repr__(self):
        """scikit-learn's repr: only the parameters that differ from the defaults."""
        return BaseEstimator.__repr__(self)

    def __sklearn_tags__(self):
        """Tags of a classifier (SciKeras's MRO lets ``BaseEstimator`` hide
        ``ClassifierMixin``'s tags, so ``is_classifier`` was False)."""
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(multi_class=True, multi_label=True)
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------------ #
    # parameter checks: run first in fit, before any data or Keras work
    # ------------------------------------------------------------------ #
    def _check_params(self):
        cw = self.class_weight
        if isinstance(cw, str) and cw != "balanced":
            raise ValueError(f"class_weight={cw!r} is not supported; accepted: {_ACCEPTED}.")
        if not (cw is None or isinstance(cw, (str, Mapping, list, tuple))):
            raise TypeError(f"class_weight={cw!r} has type {type(cw).__name__}; accepted: {_ACCEPTED}.")
        sizes = self.hidden_layer_sizes
        if sizes is None or isinstance(sizes, numbers.Integral):
            sizes = () if sizes is None else (sizes,)
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} must be a tuple of positive ints, e.g. (100,)."
            )
        split = self.validation_split
        if not (isinstance(split, numbers.Real) and 0.0 <= float(split) < 1.0):
            raise ValueError(f"validation_split={split!r} must be a float in [0, 1).")
        if not (isinstance(self.epochs, numbers.Integral) and self.epochs >= 0):
            raise ValueError(f"epochs={self.epochs!r} must be a non-negative int.")
        seed_from(self.random_state)

    # ------------------------------------------------------------------ #
    # fit / partial_fit
    # ------------------------------------------------------------------ #
    def fit(self, X, y, sample_weight=None, **kwargs):
        """Fit the network to ``(X, y)`` with ``class_weight`` applied.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
        y : array-like; see ``target_kind`` for the accepted shapes
        sample_weight : array-like of shape (n_samples,), optional
            Multiplied with the class weights into a new array.
        **kwargs
            ``validation_data=(X_val, y_val[, w_val])`` with labels as in ``y``;
            anything else goes to ``keras.Model.fit``.

        Returns
        -------
        self
        """
        self._check_params()
        _require_y(y, type(self).__name__)
        warm = self.warm_start and self.initialized_
        if not warm:
            self.classes_ = None
        with self._all_or_nothing(warm), quiet(not self.verbose):
            BaseWrapper.fit(self, X=X, y=y, sample_weight=sample_weight, **kwargs)
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None, **kwargs):
        """Train for one epoch, keeping the model, classes and class weights.

        ``class_weight="balanced"`` is refused here (as by scikit-learn's
        ``SGDClassifier``): a batch's class counts are not the data's.  Compute
        the weights once on all labels with ``skweight.class_weights(y_all)``
        and pass the dict.
        """
        self._check_params()
        _require_y(y, type(self).__name__)
        if isinstance(self.class_weight, str):
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: each batch would be weighted by "
                "its own class counts. Compute the weights once on the full label set (or a representative "
                "sample) with skweight.class_weights(y_all, 'balanced') and pass that dict as class_weight."
            )
        if not self.initialized_:
            self.classes_ = classes
        with self._all_or_nothing(self.initialized_), quiet(not self.verbose):
            BaseWrapper.partial_fit(self, X, y, sample_weight=sample_weight, **kwargs)
        return self

    def _all_or_nothing(self, warm):
        """A context that undoes a fit interrupted by any exception (including
        ``KeyboardInterrupt``): the estimator keeps its previous fitted state,
        or is left unfitted if it had none."""
        return _Rollback(self, warm)

    # ------------------------------------------------------------------ #
    # SciKeras hooks
    # ------------------------------------------------------------------ #
    @property
    def target_encoder(self):
        """Encoder for every target kind; SciKeras fits it in ``_initialize``."""
        return TargetEncoder(
            kind=self.target_kind,
            classes=self.classes_,
            one_hot=_is_categorical_crossentropy(self.loss),
            x_shape=getattr(self, "X_shape_", None),
        )

    @property
    def feature_encoder(self):
        """Transformer for ``X``, fitted by SciKeras in ``_initialize``: SciPy
        sparse input (e.g. from ``OneHotEncoder`` in a ``ColumnTransformer``) is
        made dense, since Keras's dense layers need dense batches and TensorFlow
        rejects several SciPy sparse layouts."""
        from sklearn.preprocessing import FunctionTransformer

        return FunctionTransformer(_dense, accept_sparse=True)

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        """Run by SciKeras on every fit/predict; adds checks on labels and on
        the number of features, with messages naming what is wrong."""
        if y is not None:
            yy = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
            if yy.dtype.kind == "f":
                if not np.all(np.isfinite(yy)):
                    raise ValueError("y contains NaN or infinite labels; every label must be a finite class value.")
                if not np.array_equal(yy, np.round(yy)):
                    raise ValueError(
                        "y holds continuous values; WeightedKerasClassifier needs class labels "
                        "(ints, strings or bools). Use a regressor for continuous targets."
                    )
        if X is not None and not reset and hasattr(self, "n_features_in_") and hasattr(X, "shape"):
            shape = X.shape
            if len(shape) >= 2 and shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {shape[1]} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input."
                )
        if reset:
            return super()._validate_data(X=X, y=y, reset=reset, y_numeric=y_numeric)
        # SciKeras refuses X/y whose dtype cannot be cast "safely" to the fit's
        # dtype (float64 X after a float32 fit, float labels after int labels);
        # Keras casts inputs itself and the target encoder matches labels by
        # value, so the dtype checks are lifted for this call only.
        saved = {k: self.__dict__[k] for k in ("X_dtype_", "y_dtype_") if k in self.__dict__}
        self.__dict__.update({k: np.dtype(object) for k in saved})
        try:
            return super()._validate_data(X=X, y=y, reset=reset, y_numeric=y_numeric)
        finally:
            self.__dict__.update(saved)

    @staticmethod
    def _validate_sample_weight(X, y, sample_weight):
        """Run by SciKeras's ``_fit`` when ``sample_weight`` is given.

        Returns a new float array; never writes to the caller's, and keeps
        zero-weight rows (they add nothing to the loss) so ``X`` is not copied.
        """
        raw = sample_weight.to_numpy() if hasattr(sample_weight, "to_numpy") else sample_weight
        if np.isscalar(raw):
            raw = np.full(len(y), raw)
        sw = np.asarray(raw)
        if sw.dtype.kind not in "biuf":
            raise TypeError(f"sample_weight must be numeric; got dtype {sw.dtype} (e.g. {sw.ravel()[:1].tolist()!r}).")
        if sw.ndim != 1 or sw.shape[0] != len(y):
            raise ValueError(
                f"sample_weight has shape {sw.shape}; expected ({len(y)},), one weight per sample."
            )
        sw = np.array(sw, dtype=np.float32, copy=True)
        if not np.all(np.isfinite(sw)):
            raise ValueError("sample_weight contains NaN or infinite values; weights must be finite.")
        if np.any(sw < 0):
            raise ValueError("sample_weight contains negative values; weights must be non-negative.")
        if not np.any(sw > 0):
            raise ValueError("sample_weight is zero for every sample; there is nothing to train on.")
        return X, y, sw

    def _check_model_param(self):
        """Run by SciKeras when building: ``model=None`` means the default MLP."""
        if self.model is None and self.build_fn is None:
            return self._build_default_model
        return super()._check_model_param()

    def _build_default_model(self, meta, compile_kwargs):
        sizes = self.hidden_layer_sizes
        sizes = () if sizes is None else ((sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes))
        model = build_mlp(meta, sizes, self.activation)
        model.compile(**compile_kwargs)
        return model

    def _get_compile_kwargs(self):
        """Run by SciKeras before compiling: fills in the loss for the target
        kind and mirrors ``metrics`` into ``weighted_metrics``."""
        kw = super()._get_compile_kwargs()
        kind = getattr(self, "target_kind_", None)
        if kw.get("loss") is None:
            kw["loss"] = _default_loss(kind, getattr(self, "n_outputs_expected_", 1))
        elif kind == "multilabel" and _is_plain_bce(kw["loss"]):
            kw["loss"] = ElementwiseBinaryCrossentropy()
        metrics = kw.get("metrics")
        if metrics and not kw.get("weighted_metrics"):
            kw["weighted_metrics"] = _copy_metrics(metrics)
        return kw

    def _build_keras_model(self):
        """Run by SciKeras's ``_initialize``; builds under ``random_state``."""
        seed, self._random_state = self._random_state, None
        try:
            with seeded(seed_from(seed)):
                return super()._build_keras_model()
        finally:
            self._random_state = seed

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        """Run by SciKeras's ``_fit`` with encoded ``X``/``y``: splits off
        validation rows, resolves ``class_weight`` on the training rows,
        weights both sides and trains under ``random_state``."""
        seed = seed_from(self._random_state)
        validation_data = kwargs.pop("validation_data", None)
        if self.validation_split and validation_data is None:
            train, val = split_rows(self.target_kind_, y, self.validation_split, seed)
            X_val, y_val = _take(X, val), _take(y, val)
            sw_val = None if sample_weight is None else sample_weight[val]
            X, y = _take(X, train), _take(y, train)
            sample_weight = None if sample_weight is None else sample_weight[train]
            validation_data = (X_val, y_val, sw_val)
        elif validation_data is not None:
            validation_data = self._encode_validation_data(validation_data)
        self._check_training_classes(y)
        resolved = self._resolve_class_weight(y)
        weights = self._sample_weights(y, resolved, sample_weight)
        if validation_data is not None:
            X_val, y_val, sw_val = validation_data
            kwargs["validation_data"] = (X_val, y_val, self._sample_weights(y_val, resolved, sw_val))
        kwargs["validation_split"] = 0.0
        self._random_state, saved = None, self._random_state
        try:
            with seeded(seed):
                super()._fit_keras_model(
                    X, y, sample_weight=weights, warm_start=warm_start, epochs=epochs,
                    initial_epoch=initial_epoch, **kwargs,
                )
        finally:
            self._random_state = saved
        self.history_ = dict(self.history_)

    # ------------------------------------------------------------------ #
    # class weights → sample weights
    # ------------------------------------------------------------------ #
    def _engine_kind(self):
        kind = self.target_kind_
        if kind in ("binary", "multiclass"):
            return "onehot" if _is_categorical_crossentropy(self.loss) else None
        return kind

    def _code_space_spec(self):
        """``class_weight`` with the user's labels replaced by encoded codes
        (the keys are checked against ``classes_`` here, naming bad keys)."""
        cw, kind = self.class_weight, self.target_kind_
        if cw is None or isinstance(cw, str) or kind in ("multilabel",):
            return cw
        if kind == "multioutput":
            names = list(self.model_.output_names) if len(self.model_.outputs) > 1 else None
            if isinstance(cw, Mapping) and names and set(cw) <= set(names):
                cw = [cw.get(n) for n in names]
            elif isinstance(cw, Mapping):
                raise ValueError(
                    f"class_weight is a dict with keys {list(cw)!r}, but the model's outputs are "
                    f"{names!r}; give one spec per output as a list in output order or a dict keyed by output name."
                )
            if len(cw) != len(self.classes_):
                raise ValueError(
                    f"class_weight has {len(cw)} entries but the model has {len(self.classes_)} outputs; "
                    "give one spec per output."
                )
            return [
                spec if spec is None or isinstance(spec, str) else _codes_dict(spec, classes, f"class_weight[{j}]")
                for j, (spec, classes) in enumerate(zip(cw, self.classes_))
            ]
        if isinstance(cw, Mapping):
            if kind in ("onehot", "ordinal"):
                return cw
            return _codes_dict(cw, self.classes_, "class_weight")
        raise ValueError(
            f"class_weight is a list, the per-label/per-output form, but the target kind is {kind!r} "
            "with one label per sample; give None, 'balanced' or a dict {label: weight}."
        )

    def _resolve_class_weight(self, y):
        """Canonical weights from the training rows; sets ``class_weight_``."""
        n_codes = self.classes_ if self.target_kind_ != "multioutput" else None
        resolved = class_weights(
            y,
            self._code_space_spec(),
            kind=self._engine_kind(),
            padding_label=self._padding_code(),
            classes=None if n_codes is None or self.target_kind_ in ("multilabel", "ordinal", "onehot") else np.arange(len(n_codes)),
        )
        self._resolved_codes = resolved
        self.class_weight_ = self._to_user_labels(resolved)
        return resolved

    def _padding_code(self):
        if self.target_kind_ != "sequence" or self.padding_label is None:
            return None
        hits = np.flatnonzero(self.classes_ == self.padding_label)
        if hits.size == 0:
            raise ValueError(
                f"padding_label={self.padding_label!r} is not a label of y; the labels are {self.classes_.tolist()!r}."
            )
        return int(hits[0])

    def _to_user_labels(self, resolved):
        kind = self.target_kind_
        if kind == "multioutput":
            return [{c: r.get(i, 1.0) for i, c in enumerate(classes.tolist())} for r, classes in zip(resolved, self.classes_)]
        if kind in ("multilabel",):
            return resolved
        if kind in ("onehot", "ordinal"):
            return {int(i): float(resolved.get(int(i), 1.0)) for i in self.classes_}
        return {c: float(resolved.get(i, 1.0)) for i, c in enumerate(self.classes_.tolist())}

    def _sample_weights(self, y, resolved, sample_weight):
        if self.class_weight is None:
            weights = None
        else:
            weights = apply_class_weights(
                y, resolved, kind=self._engine_kind() or ("binary" if self.target_kind_ == "binary" else "multiclass"),
                padding_label=self._padding_code(), dtype=np.float32,
            )
        if weights is None and self.target_kind_ == "sequence" and self.padding_label is not None:
            weights = np.where(y == self._padding_code(), 0.0, 1.0).astype(np.float32)
        if sample_weight is None:
            if isinstance(weights, np.ndarray) and not np.any(weights > 0):
                raise ValueError("class_weight gives every training sample a weight of 0; there is nothing to train on.")
            return weights
        sw = np.asarray(sample_weight, dtype=np.float32)
        if weights is None:
            return sw
        if isinstance(weights, list):
            return [w * sw for w in weights]
        combined = weights * sw.reshape((-1,) + (1,) * (weights.ndim - 1))
        if not np.any(combined > 0):
            raise ValueError("class_weight times sample_weight is 0 for every sample; there is nothing to train on.")
        return combined

    def _check_training_classes(self, y):
        kind = self.target_kind_
        if kind in ("binary", "multiclass"):
            codes = y if np.ndim(y) == 1 else np.argmax(y, axis=1)
            # one pass, no sort: fewer than 2 classes <=> smallest code == largest
            if codes.min() == codes.max():
                label = self.classes_[int(np.asarray(codes).ravel()[0])]
                raise ValueError(
                    f"y has only one class ({_plain(label)!r}) in the training rows of this fit; "
                    "a classifier needs at least 2 classes."
                )

    def _encode_validation_data(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (X_val, y_val) or (X_val, y_val, sample_weight_val).")
        X_val, y_val = validation_data[0], validation_data[1]
        X_val, y_val = self._validate_data(X_val, y_val)
        sw_val = None
        if len(validation_data) == 3 and validation_data[2] is not None:
            _, _, sw_val = self._validate_sample_weight(X_val, y_val, validation_data[2])
        return self.feature_encoder_.transform(X_val), self.target_encoder_.transform(y_val), sw_val

    # ------------------------------------------------------------------ #
    # prediction and probabilities
    # ------------------------------------------------------------------ #
    def _predict_raw(self, X, **kwargs):
        """Run by SciKeras's ``predict``/``predict_proba``; quiet when ``verbose=0``."""
        with quiet(not self.verbose):
            return super()._predict_raw(X, **kwargs)

    def predict_proba_prior(self, X):
        """Class probabilities calibrated to the training prior.

        A model trained with class weights ``w_c`` predicts probabilities that
        lean towards the up-weighted classes.  This divides them by the weights
        this fit used (``class_weight_``) and renormalises, so that they again
        estimate ``p(c | x)`` under the training class frequencies.
        ``predict`` and ``predict_proba`` are unchanged.

        Only for binary, multiclass and one-hot targets.
        """
        proba = self.predict_proba(X)
        if self.target_kind_ not in ("binary", "multiclass", "onehot"):
            raise ValueError(
                f"predict_proba_prior supports binary, multiclass and one-hot targets, not {self.target_kind_!r}."
            )
        return unweight_proba(proba, [self.class_weight_[c] for c in self.classes_.tolist()])


class _Rollback:
    """Keeps a copy of the fitted state; restores it if the block raises."""

    def __init__(self, est, warm):
        self.est = est
        self.warm = warm

    def __enter__(self):
        est = self.est
        self.saved = {k: est.__dict__[k] for k in _FITTED if k in est.__dict__}
        self.weights = None
        if self.warm and "model_" in est.__dict__:
            model = est.model_
            self.weights = [v.numpy().copy() for v in model.variables]
            opt = getattr(model, "optimizer", None)
            self.opt_weights = [v.numpy().copy() for v in opt.variables] if opt is not None and opt.built else None
            self.history = {k: list(v) for k, v in getattr(est, "history_", {}).items()}
        return self

    def __exit__(self, exc_type, exc, tb):
        est = self.est
        if exc_type is None:
            return False
        for k in _FITTED:
            est.__dict__.pop(k, None)
        est.__dict__.update(self.saved)
        if self.weights is not None:
            model = est.model_
            for v, w in zip(model.variables, self.weights):
                v.assign(w)
            opt = getattr(model, "optimizer", None)
            if self.opt_weights is not None:
                for v, w in zip(opt.variables, self.opt_weights):
                    v.assign(w)
            est.history_ = self.history
        if "model_" not in self.saved:
            est.classes_ = None
        return False


def _dense(X):
    return X.toarray() if hasattr(X, "toarray") else X


def _require_y(y, name):
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _codes_dict(spec, classes, param):
    vec = _dict_to_vector(spec, np.asarray(classes), param)
    return {i: float(w) for i, w in enumerate(vec)}


def _take(a, idx):
    if isinstance(a, list):
        return [np.asarray(part)[idx] for part in a]
    return a[idx]


def _default_loss(kind, n_outputs):
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


def _is_plain_bce(loss):
    return loss in ("binary_crossentropy", "bce", "BinaryCrossentropy") or isinstance(
        loss, keras.losses.BinaryCrossentropy
    ) or getattr(loss, "__name__", None) == "binary_crossentropy"


def _copy_metrics(metrics):
    if isinstance(metrics, Mapping):
        return {k: _copy_metrics(v) if isinstance(v, (list, tuple, Mapping)) else _copy_metric(v) for k, v in metrics.items()}
    return [_copy_metric(m) for m in metrics]


def _copy_metric(m):
    if isinstance(m, keras.metrics.Metric):
        return type(m).from_config(m.get_config())
    return m
