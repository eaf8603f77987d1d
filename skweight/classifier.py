"""``WeightedKerasClassifier``: SciKeras's ``KerasClassifier`` with
scikit-learn's ``class_weight`` for every target shape.

Each override below owns one concern and says when SciKeras calls it; the data
flow of ``fit`` is described in the package README.
"""

import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.exceptions import NotFittedError

from ._backend import keras, prediction_rng_guard, quiet, released_with, seed_from, seeded
from ._checks import check_sample_weight, check_X, check_y, n_rows
from .losses import ElementwiseBinaryCrossentropy, default_loss, is_plain_bce
from .model import adapt_standardization, build_mlp, early_stopping_callback
from .splits import split_rows
from .targets import TargetEncoder
from .plan import WeightPlan, has_balanced
from .weights import _ACCEPTED, _FORMS, unweight_proba

from scikeras.utils.transformers import _is_categorical_crossentropy  # noqa: E402
from scikeras.wrappers import BaseWrapper, KerasClassifier  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402

__all__ = ["WeightedKerasClassifier"]

_FITTED = (
    "model_", "history_", "class_weight_", "classes_", "n_classes_", "n_outputs_", "n_outputs_expected_",
    "target_kind_", "target_encoder_", "feature_encoder_", "n_features_in_", "X_shape_", "X_dtype_",
    "y_dtype_", "y_ndim_", "target_type_", "feature_names_in_", "_fit_callbacks", "_predict_callbacks",
    "_random_state", "_resolved_codes", "_pending_checks", "_in_partial_fit", "_adapt_pending",
)

#: Most epochs a fit trains with ``epochs=None`` and early stopping.
EPOCH_CAP = 200
#: Epochs a fit trains with ``epochs=None`` when it does not stop early (early
#: stopping off, or too few rows of a class for a stratified validation split).
EPOCHS_WITHOUT_STOPPING = 50


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
    class_weight : None, "balanced", Balanced, EffectiveNumber, dict or list, default None
        ``"balanced"`` weighs class ``c`` by ``n_samples / (n_classes * count(c))``
        over the training rows; :class:`skweight.Balanced` ``(power)`` raises
        that to ``power`` in [0, 1] and :class:`skweight.EffectiveNumber`
        ``(beta)`` uses Cui et al.'s effective number of samples: softer
        weightings to grid-search.  A dict ``{label: weight}`` uses your own labels
        (missing classes weigh 1).  Multi-label targets take a list of
        ``{0: w_neg, 1: w_pos}`` dicts; multi-output targets take one spec per
        output (a list, or a dict keyed by output name).
    target_kind : str, default "auto"
        ``"auto"`` or one of :data:`skweight.KINDS`; needed for ``"ordinal"``
        (thermometer-coded) targets, and for ``"sequence"`` targets when ``X``
        is not 3-D.  With a 3-D ``X`` of shape ``(n, timesteps, features)``, a
        2-D ``y`` of shape ``(n, timesteps)`` is read as a sequence target.
    padding_label : label, optional
        For sequence targets, the label that marks padding; it weighs 0.
    hidden_layer_sizes : tuple of int, default (100,)
        Hidden layers of the default model.
    activation : str, default "relu"
        Activation of the default model's hidden layers.
    alpha : float, default 1e-2
        L2 penalty ``alpha * sum(W ** 2)`` on the default model's hidden-layer
        kernels (0 turns it off).
    standardize : bool, default True
        The default model standardises its inputs itself: a
        ``keras.layers.Normalization`` layer, adapted on the training rows of
        each fit (not the validation rows; rows and padded timesteps that
        weigh 0 left out) and saved with the model, so raw,
        unscaled features are fine.  ``False`` leaves it out.  A model of your
        own is never changed.
    early_stopping : "auto", bool, default "auto"
        Stop training when the weighted validation loss has not improved for
        ``n_iter_no_change`` epochs, and keep the weights of the best epoch.
        ``"auto"`` stops early when ``epochs`` is None and ``callbacks`` hold
        no ``EarlyStopping`` of your own; ``True`` also with an explicit
        ``epochs`` (then the cap); ``False`` never.  The validation rows are
        ``validation_split`` (or ``validation_data``) when you give them, else
        ``validation_fraction``.  When the rows are too few to hold out a
        validation row of every class, early stopping is skipped quietly and
        ``epochs=None`` trains 50 epochs.  ``partial_fit`` never stops early.
    validation_fraction : float, default 0.1
        Share of the training rows held out (stratified, seeded) for early
        stopping when no ``validation_split`` is given.
    n_iter_no_change : int, default 10
        Patience of early stopping, in epochs.
    optimizer : str or keras optimizer, default "adam"
    loss : str, keras loss or None, default None
        ``None`` picks the loss for the target kind (binary, sparse
        categorical, categorical or element-wise binary cross-entropy).
    metrics : list, optional
        Each metric is reported plain and weighted by the class weights
        (``history_["accuracy"]`` and ``history_["weighted_accuracy"]``).
    epochs : None or int, default None
        ``None``: up to 200 epochs with early stopping (see ``early_stopping``).
        An int trains exactly that many epochs (unless ``early_stopping=True``).
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
        are restored after ``fit``.  The result does not depend on the process
        or thread that fits (a Dask worker gives the local result); seeded fits
        in one process run one at a time, so parallelise with processes.
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
        alpha=1e-2,
        standardize=True,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=10,
        optimizer="adam",
        loss=None,
        metrics=None,
        epochs=None,
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
        self.alpha = alpha
        self.standardize = standardize
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change

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
        # SciPy sparse X is made dense by ``feature_encoder``, on every backend
        tags.input_tags.sparse = True
        return tags

    def __sklearn_is_fitted__(self):
        """Fitted means a model exists: ``check_is_fitted`` then agrees with
        ``predict`` (an interrupted first fit leaves no ``model_``)."""
        return "model_" in self.__dict__

    def _check_fitted(self, method):
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call 'fit' before '{method}'."
            )

    # ------------------------------------------------------------------ #
    # parameter checks: run first in fit, before any data or Keras work
    # ------------------------------------------------------------------ #
    def _check_params(self):
        cw = self.class_weight
        if isinstance(cw, str) and cw != "balanced":
            raise ValueError(f"class_weight={cw!r} is not supported; accepted: {_ACCEPTED}.")
        if not (cw is None or isinstance(cw, (Mapping, list, tuple) + _FORMS)):
            raise TypeError(f"class_weight={cw!r} has type {type(cw).__name__}; accepted: {_ACCEPTED}.")
        sizes = self.hidden_layer_sizes
        if sizes is None or isinstance(sizes, numbers.Integral):
            sizes = () if sizes is None else (sizes,)
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} must be a tuple of positive ints, e.g. (100,)."
            )
        split = self.validation_split
        if isinstance(split, bool) or not (isinstance(split, numbers.Real) and 0.0 <= float(split) < 1.0):
            raise ValueError(f"validation_split={split!r} must be a float in [0, 1).")
        if not (self.epochs is None or _is_int(self.epochs) and self.epochs >= 0):
            raise ValueError(
                f"epochs={self.epochs!r} must be None (up to {EPOCH_CAP} with early stopping) or an int >= 0."
            )
        _check_default_params(self)
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
        sw = check_sample_weight(sample_weight, n_rows(X))
        warm = self.warm_start and self.initialized_
        with self._all_or_nothing(warm), quiet(not self.verbose):
            if not warm:
                self.classes_ = None  # read by ``target_encoder``: classes come from this y
            self._pending_checks = {"sample_weight": sw}
            try:
                BaseWrapper.fit(self, X=X, y=y, sample_weight=sample_weight, **kwargs)
            finally:
                self.__dict__.pop("_pending_checks", None)
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
        if has_balanced(self.class_weight):
            raise ValueError(
                f"class_weight={self.class_weight!r} is not supported by partial_fit: 'balanced' (and "
                "Balanced/EffectiveNumber) would be computed from each batch's own class counts. Compute the "
                "weights once on the full label "
                "set (or a representative sample), e.g. weights = skweight.class_weights(y_all, 'balanced'), "
                "and pass them: set_params(class_weight=weights)."
            )
        sw = check_sample_weight(sample_weight, n_rows(X))
        with self._all_or_nothing(self.initialized_), quiet(not self.verbose):
            if not self.initialized_:
                self.classes_ = classes
            self._in_partial_fit = True
            self._pending_checks = {"sample_weight": sw}
            try:
                BaseWrapper.partial_fit(self, X, y, sample_weight=sample_weight, **kwargs)
            finally:
                self.__dict__.pop("_pending_checks", None)
                del self._in_partial_fit
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
            classes=getattr(self, "classes_", None),
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
        """Run by SciKeras on every fit, predict and score, before any Keras
        work: checks ``X`` and ``y`` with messages that name the parameter,
        the bad value and what is accepted (see ``skweight._checks``).

        On a fresh fit it keeps the validated ``y`` until the model is built,
        so that ``class_weight`` is checked before building (see
        ``_check_before_build``)."""
        name = type(self).__name__
        if X is not None:
            expected = None if reset else getattr(self, "n_features_in_", None)
            check_X(X, name, n_features=expected)
        if y is not None:
            check_y(y)
        if X is not None and y is not None and n_rows(X) != n_rows(y):
            raise ValueError(
                f"X has {n_rows(X)} samples but y has {n_rows(y)}; y needs one label (row) per sample of X."
            )
        if reset:
            X, y = super()._validate_data(X=X, y=y, reset=reset, y_numeric=y_numeric)
            if y is not None and "_pending_checks" in self.__dict__:
                self._pending_checks["y"] = y
            return X, y
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
        return X, y, check_sample_weight(sample_weight, n_rows(X))

    def _check_model_param(self):
        """Run by SciKeras when building: ``model=None`` means the default MLP."""
        if self.model is None and self.build_fn is None:
            return self._build_default_model
        return super()._check_model_param()

    def _build_default_model(self, meta, compile_kwargs):
        sizes = self.hidden_layer_sizes
        sizes = () if sizes is None else ((sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes))
        model = build_mlp(meta, sizes, self.activation, standardize=self.standardize, alpha=float(self.alpha))
        model.compile(**compile_kwargs)
        # adapted on the training rows in ``_fit_keras_model``, once per fresh model
        self._adapt_pending = bool(self.standardize)
        return model

    def _get_compile_kwargs(self):
        """Run by SciKeras before compiling: fills in the loss for the target
        kind and mirrors ``metrics`` into ``weighted_metrics``."""
        kw = super()._get_compile_kwargs()
        kind = getattr(self, "target_kind_", None)
        if kw.get("loss") is None:
            kw["loss"] = default_loss(kind, getattr(self, "n_outputs_expected_", 1))
        elif kind == "multilabel" and is_plain_bce(kw["loss"]):
            kw["loss"] = ElementwiseBinaryCrossentropy()
        metrics = kw.get("metrics")
        if metrics and not kw.get("weighted_metrics"):
            kw["weighted_metrics"] = _copy_metrics(metrics)
        return kw

    def _seed(self):
        """The int seed of ``random_state`` (None when it is None).

        SciKeras derives ``_random_state`` from a ``RandomState`` with
        ``randint(low=1)``, which is always 0; every ``RandomState`` then gave
        the same network and the same validation split.
        """
        return seed_from(self.random_state)

    def _build_keras_model(self):
        """Run by SciKeras's ``_initialize`` once ``y``'s classes are known;
        checks ``class_weight`` against them, then builds under ``random_state``."""
        pending = self.__dict__.pop("_pending_checks", {})
        if pending.get("y") is not None:
            self._check_before_build(self.target_encoder_.transform(pending["y"]), pending.get("sample_weight"))
        saved, self._random_state = self._random_state, None
        try:
            with seeded(self._seed()):
                return super()._build_keras_model()
        finally:
            self._random_state = saved

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        """Run by SciKeras's ``_fit`` with encoded ``X``/``y``: splits off
        validation rows, resolves ``class_weight`` on the training rows,
        weights both sides and trains under ``random_state``."""
        self._check_loss_takes_weights()
        seed = self._seed()
        fraction = self._validation_fraction(kwargs.pop("validation_split", None))
        validation_data = kwargs.pop("validation_data", getattr(self, "fit__validation_data", None))
        stop = self._stops_early(epochs)
        auto_split = stop and not fraction and validation_data is None
        if auto_split:
            train, val = split_rows(self.target_kind_, y, float(self.validation_fraction), seed)
            if _split_misses_a_class(self.target_kind_, y, val):
                stop = auto_split = False  # too few rows: no early stopping (documented)
            else:
                fraction = float(self.validation_fraction)
        if epochs is None:
            epochs = EPOCH_CAP if stop else EPOCHS_WITHOUT_STOPPING
        if fraction and validation_data is None:
            if not auto_split:
                train, val = split_rows(self.target_kind_, y, fraction, seed)
            if val.size == 0:
                raise ValueError(
                    f"validation_split={fraction!r} leaves no validation rows: no class has the 2 rows "
                    "needed to put one on each side. Use validation_split=0 or pass validation_data."
                )
            X_val, y_val = _take(X, val), _take(y, val)
            sw_val = None if sample_weight is None else sample_weight[val]
            X, y = _take(X, train), _take(y, train)
            sample_weight = None if sample_weight is None else sample_weight[train]
            validation_data = (X_val, y_val, sw_val)
        elif validation_data is not None:
            validation_data = self._encode_validation_data(validation_data)
        plan = self._plan()
        plan.check_training_classes(y, partial=getattr(self, "_in_partial_fit", False))
        # on a warm start or partial_fit, classes absent from these rows keep their weight
        prev_codes = self.__dict__.get("_resolved_codes") if warm_start else None
        resolved, self.class_weight_ = plan.resolve(y, prev_codes)
        self._resolved_codes = resolved
        weights = plan.sample_weights(y, resolved, sample_weight)
        if self.__dict__.pop("_adapt_pending", False):
            adapt_standardization(self.model_, X, weights)  # the training rows that carry weight
        if validation_data is not None:
            X_val, y_val, sw_val = validation_data
            kwargs["validation_data"] = (X_val, y_val, plan.sample_weights(y_val, resolved, sw_val))
        kwargs["validation_split"] = 0.0
        # a copy: SciKeras extends the lists of ``history_`` in place
        previous = {k: list(v) for k, v in self.__dict__.get("history_", {}).items()}
        keras_history = getattr(self.model_, "history", None)
        self._random_state, saved = None, self._random_state
        callbacks = self._fit_callbacks
        if stop and validation_data is not None:
            self._fit_callbacks = list(callbacks) + [early_stopping_callback(int(self.n_iter_no_change))]
        try:
            with seeded(seed), released_with(self.model_):
                super()._fit_keras_model(
                    X, y, sample_weight=weights, warm_start=warm_start, epochs=epochs,
                    initial_epoch=initial_epoch, **kwargs,
                )
        finally:
            self._random_state = saved
            self._fit_callbacks = callbacks
        self._record_history(previous, keras_history, warm_start and initial_epoch > 0)

    def _stops_early(self, epochs):
        """Whether this fit adds early stopping (see ``early_stopping``):
        never in ``partial_fit`` or next to the user's own ``EarlyStopping``."""
        if self.early_stopping is False or getattr(self, "_in_partial_fit", False):
            return False
        if any(isinstance(cb, keras.callbacks.EarlyStopping) for cb in _flatten(self._fit_callbacks)):
            return False
        return self.early_stopping is True or epochs is None

    def _validation_fraction(self, from_fit):
        """``validation_split`` as given to ``fit`` (a keyword), else
        ``fit__validation_split``, else the ``validation_split`` parameter,
        the precedence SciKeras uses for ``epochs``; checked like the parameter."""
        fraction = from_fit
        if fraction is None:
            fraction = getattr(self, "fit__validation_split", self.validation_split)
        if isinstance(fraction, bool) or not (isinstance(fraction, numbers.Real) and 0.0 <= float(fraction) < 1.0):
            raise ValueError(f"validation_split={fraction!r} must be a float in [0, 1).")
        return float(fraction)

    def _record_history(self, previous, keras_history, append):
        """``history_`` under the names Keras gives (those that callbacks such
        as ``EarlyStopping(monitor=...)`` use).  SciKeras renamed training
        metrics only (``auc`` became ``a_u_c`` next to ``val_auc``)."""
        current = getattr(self.model_, "history", None)
        logs = current.history if current is not None and current is not keras_history else {}
        history = previous if append else {}
        for key, values in logs.items():
            history.setdefault(key, []).extend(float(v) for v in values)
        self.history_ = history

    @property
    def current_epoch(self):
        """Epochs trained so far (0 before the first, or after ``epochs=0``)."""
        return len(getattr(self, "history_", {}).get("loss", []))

    # ------------------------------------------------------------------ #
    # class weights → sample weights
    # ------------------------------------------------------------------ #
    def _check_model_compatibility(self, y):
        """Run by SciKeras's ``_fit`` before training.  SciKeras refuses a
        compiled loss other than the ``loss`` parameter; for a multi-label
        target ``_get_compile_kwargs`` swaps ``loss="binary_crossentropy"`` for
        its element-wise form on purpose, so only the outputs are checked then."""
        if is_plain_bce(self.loss) and isinstance(getattr(self.model_, "loss", None), ElementwiseBinaryCrossentropy):
            expected = getattr(self, "n_outputs_expected_", None)
            if expected and expected != len(self.model_.outputs):
                raise ValueError(f"y has {expected} outputs, but the model has {len(self.model_.outputs)}.")
            return
        super()._check_model_compatibility(y)

    def _check_loss_takes_weights(self):
        """Per-label weights need a loss that keeps the label axis.  A model the
        user compiled with plain binary cross-entropy averages the labels
        before weighting, which Keras reports only as a shape error deep in
        training; say what to do instead, before any training starts."""
        if self.target_kind_ == "multilabel" and self.class_weight is not None and is_plain_bce(
            getattr(self.model_, "loss", None)
        ):
            raise ValueError(
                f"class_weight={self.class_weight!r} gives a multi-label target one weight per label, but the "
                "model is compiled with binary cross-entropy, which averages over the labels before weighting. "
                "Compile it with skweight.losses.ElementwiseBinaryCrossentropy() (or leave the model uncompiled "
                "and loss=None), or use class_weight=None."
            )

    def _plan(self):
        """The weight plan of this fit (see :mod:`skweight.plan`)."""
        return WeightPlan(
            class_weight=self.class_weight,
            kind=self.target_kind_,
            classes=self.classes_,
            one_hot=_is_categorical_crossentropy(self.loss),
            names=self._output_names(),
            padding_label=self.padding_label,
        )

    def _output_names(self):
        """Names of the model's outputs: from ``model_`` once built; before
        that, those the default model will have; ``None`` when unknown."""
        if "model_" in self.__dict__:
            return list(self.model_.output_names) if len(self.model_.outputs) > 1 else None
        if self.model is None and self.build_fn is None:
            return [f"output_{j}" for j in range(getattr(self, "n_outputs_expected_", 1))]
        return None

    def _check_before_build(self, y, sample_weight):
        """Run before the model is built, on the encoded ``y`` (and checked
        ``sample_weight``) of this fit: every ``class_weight`` error that does
        not depend on the model is raised here, so a bad spec costs no model
        building.  ``_fit_keras_model`` resolves again on the training rows."""
        plan = self._plan()
        plan.check_training_classes(y, partial=getattr(self, "_in_partial_fit", False))
        if plan.kind == "multioutput" and isinstance(self.class_weight, Mapping) and plan.names is None:
            return  # output names of a user's model: checked once it is built
        plan.sample_weights(y, plan.canonical(y), sample_weight)

    def _encode_validation_data(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (X_val, y_val) or (X_val, y_val, sample_weight_val).")
        try:
            X_val, y_val = self._validate_data(validation_data[0], validation_data[1])
            sw_val = None
            if len(validation_data) == 3 and validation_data[2] is not None:
                _, _, sw_val = self._validate_sample_weight(X_val, y_val, validation_data[2])
            return self.feature_encoder_.transform(X_val), self.target_encoder_.transform(y_val), sw_val
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"validation_data: {exc}") from exc

    # ------------------------------------------------------------------ #
    # prediction and probabilities
    # ------------------------------------------------------------------ #
    def _predict_raw(self, X, **kwargs):
        """Run by SciKeras's ``predict``/``predict_proba``; quiet when ``verbose=0``."""
        with quiet(not self.verbose), prediction_rng_guard():
            return super()._predict_raw(X, **kwargs)

    def predict(self, X, **kwargs):
        """Class labels for ``X`` (in the layout of ``y``); ``NotFittedError`` before ``fit``."""
        self._check_fitted("predict")
        return super().predict(X, **kwargs)

    def predict_proba(self, X, **kwargs):
        """Class probabilities for ``X``, columns in ``classes_`` order;
        ``NotFittedError`` before ``fit``."""
        self._check_fitted("predict_proba")
        return super().predict_proba(X, **kwargs)

    def score(self, X, y, sample_weight=None):
        """Accuracy of ``predict(X)`` against ``y`` (as scikit-learn's
        classifiers); ``NotFittedError`` before ``fit``."""
        self._check_fitted("score")
        return super().score(X, y, sample_weight=sample_weight)

    def predict_proba_prior(self, X):
        """Class probabilities calibrated to the training prior.

        Training with class weights ``w_c`` makes the network estimate
        ``p_w(c | x)``, proportional to ``w_c * p(c | x)``: probabilities lean
        towards the up-weighted classes.  This divides ``predict_proba`` by the
        weights this fit used (``class_weight_``) and renormalises::

            p(c | x) = (p_w(c | x) / w_c) / sum_k (p_w(k | x) / w_k)

        which estimates ``p(c | x)`` under the class frequencies of the
        training rows (``sample_weight`` is not part of the correction).
        With ``class_weight=None`` it equals ``predict_proba``.

        ``predict`` and ``predict_proba`` are unchanged: ``predict`` keeps the
        weighted decision and equals ``argmax(predict_proba)``, as
        scikit-learn expects.  For binary targets, the correction is monotone,
        so ROC AUC and any ranking are unchanged; to decide on the corrected
        probabilities instead, wrap the estimator in
        :class:`sklearn.model_selection.FixedThresholdClassifier` or
        :class:`~sklearn.model_selection.TunedThresholdClassifierCV`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or a list of them
            Columns in ``classes_`` order, like ``predict_proba``.  Multi-label
            targets give ``(n_samples, n_labels)``, each label corrected with its
            ``{0: w_neg, 1: w_pos}``; multi-output targets a list, one array
            per output.  Ordinal and sequence targets are not supported.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.datasets import make_classification
        >>> from skweight import WeightedKerasClassifier, unweight_proba
        >>> X, y = make_classification(200, weights=[0.9], random_state=0)
        >>> clf = WeightedKerasClassifier(class_weight="balanced", epochs=2, random_state=0).fit(X, y)
        >>> prior = clf.predict_proba_prior(X)
        >>> np.allclose(prior, unweight_proba(clf.predict_proba(X), clf.class_weight_))
        True
        >>> bool(prior[:, 1].mean() < clf.predict_proba(X)[:, 1].mean())  # less mass on the up-weighted class
        True
        """
        if not self.initialized_:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' before 'predict_proba_prior'."
            )
        kind = self.target_kind_
        if kind not in ("binary", "multiclass", "onehot", "multilabel", "multioutput"):
            raise ValueError(
                f"predict_proba_prior supports binary, multiclass, one-hot, multi-label and multi-output "
                f"targets, not {kind!r}."
            )
        proba = self.predict_proba(X)
        if kind == "multilabel":
            return unweight_proba(proba, self.class_weight_)
        if kind == "multioutput":
            return [
                unweight_proba(p, [cw[c] for c in classes.tolist()])
                for p, cw, classes in zip(proba, self.class_weight_, self.classes_)
            ]
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
        model = est.__dict__.get("model_")
        # the model is trained in place on a warm start, and on any fit that
        # reuses a keras.Model instance given as ``model``
        if model is not None and (self.warm or est.model is model):
            self.weights = [(v, v.numpy().copy()) for v in model.variables]
            opt = getattr(model, "optimizer", None)
            built = opt is not None and getattr(opt, "built", False)
            self.opt_weights = [(v, v.numpy().copy()) for v in opt.variables] if built else None
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
            for v, w in self.weights:
                v.assign(w)
            for v, w in self.opt_weights or ():
                v.assign(w)
            est.history_ = self.history
        return False


def _dense(X):
    return X.toarray() if hasattr(X, "toarray") else X


def _require_y(y, name):
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")










def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _check_default_params(est):
    """Checks of the parameters of the defaults (model, early stopping)."""
    alpha = est.alpha
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not (np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"alpha={alpha!r} must be a finite real number >= 0 (the L2 strength; 0 turns it off).")
    if not isinstance(est.standardize, (bool, np.bool_)):
        raise TypeError(f"standardize={est.standardize!r} must be True or False.")
    if not (est.early_stopping == "auto" if isinstance(est.early_stopping, str) else
            isinstance(est.early_stopping, (bool, np.bool_))):
        raise ValueError(f"early_stopping={est.early_stopping!r} must be 'auto', True or False.")
    vf = est.validation_fraction
    if isinstance(vf, bool) or not (isinstance(vf, numbers.Real) and 0.0 < float(vf) < 1.0):
        raise ValueError(f"validation_fraction={vf!r} must be a float strictly between 0 and 1.")
    patience = est.n_iter_no_change
    if not (_is_int(patience) and patience >= 1):
        raise ValueError(f"n_iter_no_change={patience!r} must be an int >= 1 (epochs without improvement).")


def _split_misses_a_class(kind, y, val):
    """True when the validation rows are empty or (single-label kinds) lack a
    class of ``y``: then they cannot judge early stopping."""
    if val.size == 0:
        return True
    if kind not in ("binary", "multiclass", "onehot"):
        return False
    codes = np.asarray(y) if np.ndim(y) == 1 else np.argmax(y, axis=1)
    return np.unique(codes[val]).size < np.unique(codes).size


def _flatten(callbacks):
    for cb in callbacks or ():
        if isinstance(cb, (list, tuple)):
            yield from _flatten(cb)
        else:
            yield cb


def _take(a, idx):
    if isinstance(a, list):
        return [np.asarray(part)[idx] for part in a]
    return a[idx]


def _copy_metrics(metrics):
    if isinstance(metrics, Mapping):
        return {k: _copy_metrics(v) if isinstance(v, (list, tuple, Mapping)) else _copy_metric(v) for k, v in metrics.items()}
    return [_copy_metric(m) for m in metrics]


def _copy_metric(m):
    if isinstance(m, keras.metrics.Metric):
        return type(m).from_config(m.get_config())
    return m
