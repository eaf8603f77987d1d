"""``WeightedKerasClassifier``: SciKeras's ``KerasClassifier`` with
scikit-learn's ``class_weight`` for every target shape.

Each override below owns one concern and says when SciKeras calls it; the data
flow of ``fit`` is described in the package README.
"""

import inspect
import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.exceptions import NotFittedError

# _backend first: it imports Keras quietly, or says in one line which backend to install
from ._backend import collecting_dead_models, keras, prediction_rng_guard, quiet, released_with, seed_from, seeded

# isort: split
from scikeras.utils.transformers import _is_categorical_crossentropy
from scikeras.wrappers import BaseWrapper, KerasClassifier
from sklearn.base import BaseEstimator

from ._checks import check_output_sample_weight, check_outputs, check_sample_weight, check_X, check_y, n_rows, n_rows_of
from ._predict import can_predict_on_batch, predict_args, predict_batch_size, predict_in_batches
from .compose import (
    ComposedTargetEncoder,
    build_from_class,
    compose_subclass_encoders,
    copy_metrics,
    dense,
    weights_for_encoded,
)
from .losses import ElementwiseBinaryCrossentropy, default_loss, is_plain_bce
from .metrics import per_output_metrics
from .model import adapt_standardization, build_mlp, early_stopping_callback
from .outputs import accuracy_per_output, is_per_output, join_outputs, split_outputs
from .plan import WeightPlan, has_balanced
from .splits import misses_a_class, split_rows
from .targets import TargetEncoder
from .weights import _ACCEPTED, _FORMS, unweight_proba

__all__ = ["WeightedKerasClassifier"]

_FITTED = (
    "model_",
    "history_",
    "class_weight_",
    "classes_",
    "n_classes_",
    "n_outputs_",
    "n_outputs_expected_",
    "target_kind_",
    "target_encoder_",
    "feature_encoder_",
    "n_features_in_",
    "X_shape_",
    "X_dtype_",
    "y_dtype_",
    "y_ndim_",
    "target_type_",
    "feature_names_in_",
    "_fit_callbacks",
    "_predict_callbacks",
    "_random_state",
    "_resolved_codes",
    "_pending_checks",
    "_in_partial_fit",
    "output_names_",
    "output_units_",
    "_adapt_pending",
)

#: Most epochs a fit trains with ``epochs=None`` and early stopping.
EPOCH_CAP = 200
#: Epochs a fit trains with ``epochs=None`` when it does not stop early (early
#: stopping off, or too few rows of a class for a stratified validation split).
EPOCHS_WITHOUT_STOPPING = 50
#: Training batch size of the default model when ``batch_size`` is None:
#: ``min(DEFAULT_BATCH_SIZE, training rows)``, like ``MLPClassifier``'s "auto".
DEFAULT_BATCH_SIZE = 200


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
        target kind, unless a subclass defines ``_keras_build_fn``.  A compiled
        or uncompiled ``keras.Model`` or a build function works as in SciKeras;
        a class is called with the routed ``model__`` parameters.
    class_weight : None, "balanced", Balanced, EffectiveNumber, dict or list, default None
        ``"balanced"`` weighs class ``c`` by ``n_samples / (n_classes * count(c))``
        over the training rows; :class:`skweight.Balanced` ``(power)`` raises
        that to ``power`` in [0, 1] and :class:`skweight.EffectiveNumber`
        ``(beta)`` uses Cui et al.'s effective number of samples: softer
        weightings to grid-search.  A dict ``{label: weight}`` uses your own labels
        (missing classes weigh 1).  Multi-label targets take a list of
        ``{0: w_neg, 1: w_pos}`` dicts; multi-output targets take one spec per
        output (a list, or a dict keyed by output name).  For ``y`` given per
        output (a dict or list of arrays), a regression output takes no entry.
    target_kind : str, default "auto"
        ``"auto"`` or one of :data:`skweight.KINDS`; needed for ``"ordinal"``
        (thermometer-coded) targets, and for ``"sequence"`` targets when ``X``
        is not 3-D.  With a 3-D ``X`` of shape ``(n, timesteps, features)``, a
        2-D ``y`` of shape ``(n, timesteps)`` is read as a sequence target.
        For ``y`` given per output, a dict keyed by output name or a list in
        output order, e.g. ``{"level": "ordinal", "price": "regression"}``
        (outputs left out are detected; a float output with non-integer values
        is a regression output).  One str other than ``"auto"`` applies to
        every output and must fit each one.
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
        For ``y`` given per output, a flat list goes to every classification
        output (``history_["risk_accuracy"]``), not to regression outputs; a
        dict keyed by output name chooses per output.
    epochs : None or int, default None
        ``None``: up to 200 epochs with early stopping (see ``early_stopping``).
        An int trains exactly that many epochs (unless ``early_stopping=True``).
    batch_size : int, optional
        Training batch size.  None: ``min(200, training rows)`` for the
        default model (scikit-learn's ``MLPClassifier`` "auto"), Keras's
        default (32) for a model of your own.  An explicit ``batch_size`` (or
        ``fit__batch_size``, or ``batch_size`` given to ``fit``) always wins;
        ``-1`` is one batch of all rows.  Prediction does
        not use it: ``predict``, ``predict_proba`` and ``score`` pick a batch
        from the row size and a 32 MiB budget (up to 65,536 rows), unless
        ``predict__batch_size`` (or ``batch_size`` given to the call) is set.
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
        The class weights this fit used, keyed by your labels (for ``y`` given
        per output: keyed like ``y``, None for a regression output).
    target_kind_ : str, dict or list
        The target kind that was detected or given (for ``y`` given per output,
        one kind per output, keyed like ``y``).
    output_names_ : list of str
        For ``y`` given per output: the output names (``output_j`` for a list
        ``y``), which the default model gives its output layers.
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

    def __init_subclass__(cls, **kwargs):
        """A subclass's own ``target_encoder`` / ``feature_encoder`` property
        (SciKeras's way to customise encoding) is composed with skweight's
        instead of replacing it (see :mod:`skweight.compose`)."""
        super().__init_subclass__(**kwargs)
        compose_subclass_encoders(cls, WeightedKerasClassifier)

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
        sw = _check_weights(sample_weight, X, y)
        warm = self.warm_start and self.initialized_
        with collecting_dead_models(), self._all_or_nothing(warm), quiet(not self.verbose):
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

        A ``y`` given per output (dict or list) must keep the structure, the
        output names and each output's kind and width of the first call;
        otherwise a ``ValueError`` naming the output is raised before training.
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
        sw = _check_weights(sample_weight, X, y)
        with collecting_dead_models(), self._all_or_nothing(self.initialized_), quiet(not self.verbose):
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
        """Encoder for every target kind; SciKeras fits it in ``_initialize``.
        A subclass that defines its own gets it composed with this one."""
        return self._own_target_encoder()

    def _own_target_encoder(self):
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
        rejects several SciPy sparse layouts.  A subclass's own feature encoder
        runs first and its output is made dense."""
        from sklearn.preprocessing import FunctionTransformer

        return FunctionTransformer(dense, accept_sparse=True)

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        """Run by SciKeras on every fit, predict and score, before any Keras
        work: checks ``X`` and ``y`` with messages that name the parameter,
        the bad value and what is accepted (see ``skweight._checks``).

        On a fresh fit it keeps the validated ``y`` until the model is built,
        so that ``class_weight`` is checked before building (see
        ``_check_before_build``)."""
        name = type(self).__name__
        _refuse_multi_input_X(X, name)
        if y is not None and is_per_output(y, _rows_or_none(X)):
            return self._validate_per_output(X, y, reset, y_numeric)
        if y is not None and not reset and self._is_per_output():
            self.target_encoder_.output_parts(y)  # fitted per output: refuses a single array
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
            X, y = super()._validate_data(X=X, y=y, reset=reset, y_numeric=y_numeric)
        finally:
            self.__dict__.update(saved)
        _check_y_columns(y, getattr(getattr(self, "target_encoder_", None), "y_shape_", None))
        return X, y

    def _validate_per_output(self, X, y, reset, y_numeric):
        """``_validate_data`` for a ``y`` given per output (a dict keyed by
        output name or a list of arrays): every output is checked on its own
        (see ``skweight._checks.check_outputs``), ``X`` as usual."""
        if not reset:
            if not self._is_per_output():
                raise ValueError(
                    "y is given per output (a dict or list of arrays), but this estimator was fitted on a single "
                    "target; give y as in fit."
                )
            self.target_encoder_.output_parts(y)  # the outputs of fit, by name or count
        y = check_outputs(y, self.target_kind)
        if not reset:
            self.target_encoder_.check_like_fit(y)  # and each output in the kind of fit
        if X is not None and n_rows(X) != n_rows_of(y):
            raise ValueError(
                f"X has {n_rows(X)} samples but the outputs of y have {n_rows_of(y)} rows; y needs one row per "
                "sample of X in every output."
            )
        if X is not None:
            X, _ = self._validate_data(X=X, y=None, reset=reset, y_numeric=y_numeric)
        if reset:
            self.target_type_, self.y_dtype_, self.y_ndim_ = "per-output", None, None
            if "_pending_checks" in self.__dict__:
                self._pending_checks["y"] = y
        return X, y

    @staticmethod
    def _validate_sample_weight(X, y, sample_weight):
        """Run by SciKeras's ``_fit`` when ``sample_weight`` is given.

        Returns a new float array (for a ``y`` given per output, one array or a
        list with one per output); never writes to the caller's, and keeps
        zero-weight rows (they add nothing to the loss) so ``X`` is not copied.
        """
        return X, y, _check_weights(sample_weight, X, y)

    def _check_model_param(self):
        """Run by SciKeras when building: ``model=None`` means the default MLP,
        unless the class defines ``_keras_build_fn`` (SciKeras's subclassing
        pattern); a class given as ``model`` is called with the routed
        ``model__`` parameters."""
        if self._builds_default_model():
            return self._build_default_model
        if inspect.isclass(self.model) and not hasattr(self, "_keras_build_fn"):
            return build_from_class(self.model)
        return super()._check_model_param()

    def _builds_default_model(self):
        return self.model is None and self.build_fn is None and not hasattr(self, "_keras_build_fn")

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
        if metrics and self._is_per_output():  # Keras takes them per output
            weighted = kw.get("weighted_metrics") or metrics
            kw["metrics"] = per_output_metrics(metrics, self.target_kind_)
            kw["weighted_metrics"] = per_output_metrics(weighted, self.target_kind_)
        elif metrics and not kw.get("weighted_metrics"):
            kw["weighted_metrics"] = copy_metrics(metrics)
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
                model = super()._build_keras_model()
        finally:
            self._random_state = saved
        if self._is_per_output():
            # a dict y meets the model's outputs by name, a list y by position
            self.target_encoder_.bind_model_outputs(model.output_names)
        return model

    def _is_per_output(self):
        """True when this fit's ``y`` was given per output (a dict or list)."""
        return getattr(getattr(self, "target_encoder_", None), "outputs_", None) is not None

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        """Run by SciKeras's ``_fit`` with encoded ``X``/``y``: splits off
        validation rows, resolves ``class_weight`` on the training rows,
        weights both sides and trains under ``random_state``."""
        self._check_loss_takes_weights()
        seed = self._seed()
        codes = self._codes(y)
        # the split stratifies on skweight's codes; a target it cannot read gets a shuffled split
        split_kind = self.target_kind_ if codes is not None else "sequence"
        split_key = codes if codes is not None else np.zeros(n_rows(X))
        fraction = self._validation_fraction(kwargs.pop("validation_split", None))
        validation_data = kwargs.pop("validation_data", getattr(self, "fit__validation_data", None))
        stop = self._stops_early(epochs)
        auto_split = stop and not fraction and validation_data is None
        if auto_split:
            train, val = split_rows(split_kind, split_key, float(self.validation_fraction), seed)
            if misses_a_class(split_kind, split_key, val):
                stop = auto_split = False  # too few rows: no early stopping (documented)
            else:
                fraction = float(self.validation_fraction)
        if epochs is None:
            epochs = EPOCH_CAP if stop else EPOCHS_WITHOUT_STOPPING
        if fraction and validation_data is None:
            if not auto_split:
                train, val = split_rows(split_kind, split_key, fraction, seed)
            if val.size == 0:
                raise ValueError(
                    f"validation_split={fraction!r} leaves no validation rows: no class has the 2 rows "
                    "needed to put one on each side. Use validation_split=0 or pass validation_data."
                )
            X_val, y_val, c_val = _take(X, val), _take(y, val), _take(codes, val)
            sw_val = _take(sample_weight, val)
            X, y, codes = _take(X, train), _take(y, train), _take(codes, train)
            sample_weight = _take(sample_weight, train)
            validation_data = (X_val, y_val, sw_val, c_val)
        elif validation_data is not None:
            validation_data = self._encode_validation_data(validation_data)
        weights, weigh = self._weights_for(codes, y, sample_weight, warm_start)
        if self.__dict__.pop("_adapt_pending", False):
            adapt_standardization(self.model_, X, weights)  # the training rows that carry weight
        if validation_data is not None:
            X_val, y_val, sw_val, c_val = validation_data
            kwargs["validation_data"] = (X_val, y_val, weigh(c_val, y_val, sw_val))
        if self._is_per_output():  # Keras takes the outputs' targets and weights in the model's order
            to_model = self.target_encoder_.to_model
            y, weights = to_model(y), None if weights is None else to_model(weights)
            if validation_data is not None:
                X_val, y_val, w_val = kwargs["validation_data"]
                kwargs["validation_data"] = (X_val, to_model(y_val), None if w_val is None else to_model(w_val))
        kwargs["validation_split"] = 0.0
        if self._builds_default_model() and self._batch_size_given(kwargs) is None:
            kwargs["batch_size"] = max(1, min(DEFAULT_BATCH_SIZE, n_rows(X)))
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
                    X,
                    y,
                    sample_weight=weights,
                    warm_start=warm_start,
                    epochs=epochs,
                    initial_epoch=initial_epoch,
                    **kwargs,
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

    def _batch_size_given(self, fit_kwargs):
        """The training batch size the user chose: ``batch_size`` given to
        ``fit``, else ``fit__batch_size``, else the ``batch_size`` parameter
        (SciKeras's precedence); None when none was chosen."""
        if fit_kwargs.get("batch_size") is not None:
            return fit_kwargs["batch_size"]
        routed = getattr(self, "fit__batch_size", None)
        return routed if routed is not None else self.batch_size

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
        if _symbolic_outputs(self.model_) is None:
            return  # a subclassed keras.Model: its outputs are known only once it runs
        super()._check_model_compatibility(y)

    def _check_loss_takes_weights(self):
        """Per-label weights need a loss that keeps the label axis.  A model the
        user compiled with plain binary cross-entropy averages the labels
        before weighting, which Keras reports only as a shape error deep in
        training; say what to do instead, before any training starts."""
        if (
            self.target_kind_ == "multilabel"
            and self.class_weight is not None
            and is_plain_bce(getattr(self.model_, "loss", None))
        ):
            raise ValueError(
                f"class_weight={self.class_weight!r} gives a multi-label target one weight per label, but the "
                "model is compiled with binary cross-entropy, which averages over the labels before weighting. "
                "Compile it with skweight.losses.ElementwiseBinaryCrossentropy() (or leave the model uncompiled "
                "and loss=None), or use class_weight=None."
            )

    def _weights_for(self, codes, y, sample_weight, warm_start):
        """Resolves ``class_weight`` on the training rows (their skweight
        ``codes``), sets ``class_weight_`` and returns the Keras sample weights
        of ``y`` (as encoded for the model) with the function that weighs the
        validation rows the same way."""
        if codes is None:  # a user's target encoder on a y skweight cannot read
            self.class_weight_ = None

            def weigh(c, y_enc, sw):
                return None if sw is None else np.asarray(sw, dtype=np.float32)

            return weigh(None, y, sample_weight), weigh
        plan = self._plan()
        plan.check_training_classes(codes, partial=getattr(self, "_in_partial_fit", False))
        # on a warm start or partial_fit, classes absent from these rows keep their weight
        prev_codes = self.__dict__.get("_resolved_codes") if warm_start else None
        resolved, self.class_weight_ = plan.resolve(codes, prev_codes)
        self._resolved_codes = resolved

        def weigh(c, y_enc, sw):
            weights = plan.sample_weights(c, resolved, sw)
            if not isinstance(self.target_encoder_, ComposedTargetEncoder):
                return weights
            return weights_for_encoded(weights, y_enc, self.class_weight)

        return weigh(codes, y, sample_weight), weigh

    def _codes(self, y):
        """skweight's class codes of the encoded rows ``y``: ``y`` itself with
        skweight's encoder; with a user's target encoder, the codes skweight's
        encoder gave the same rows (None when it could not read them)."""
        enc = self.target_encoder_
        return enc.codes_ if isinstance(enc, ComposedTargetEncoder) else y

    def _plan(self):
        """The weight plan of this fit (see :mod:`skweight.plan`)."""
        enc = self.target_encoder_
        own = enc.own_ if isinstance(enc, ComposedTargetEncoder) else enc
        return WeightPlan(
            class_weight=self.class_weight,
            kind=own.kind_,
            classes=own.classes_,
            one_hot=_is_categorical_crossentropy(self.loss),
            names=self._output_names(),
            padding_label=self.padding_label,
        )

    def _output_names(self):
        """Names of the model's outputs: from ``model_`` once built; before
        that, those the default model will have; ``None`` when unknown."""
        if "model_" in self.__dict__:
            outputs = _symbolic_outputs(self.model_)
            return list(self.model_.output_names) if outputs and len(outputs) > 1 else None
        if self._builds_default_model():
            return [f"output_{j}" for j in range(getattr(self, "n_outputs_expected_", 1))]
        return None

    def _check_before_build(self, y, sample_weight):
        """Run before the model is built, on the encoded ``y`` (and checked
        ``sample_weight``) of this fit: every ``class_weight`` error that does
        not depend on the model is raised here, so a bad spec costs no model
        building.  ``_fit_keras_model`` resolves again on the training rows."""
        codes = self._codes(y)
        if codes is None:
            if self.class_weight is not None:
                raise ValueError(
                    f"class_weight={self.class_weight!r} needs a target skweight can read, but with this "
                    f"estimator's target_encoder it could not: {self.target_encoder_.own_error_} "
                    "Use class_weight=None (the target_encoder is then used as it is), or set target_kind."
                )
            return
        plan = self._plan()
        plan.check_training_classes(codes, partial=getattr(self, "_in_partial_fit", False))
        if plan.kind == "multioutput" and isinstance(self.class_weight, Mapping) and plan.names is None:
            return  # output names of a user's model: checked once it is built
        weights = plan.sample_weights(codes, plan.canonical(codes), sample_weight)
        if codes is not y:
            weights_for_encoded(weights, y, self.class_weight)

    def _encode_validation_data(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (X_val, y_val) or (X_val, y_val, sample_weight_val).")
        try:
            X_val, y_val = self._validate_data(validation_data[0], validation_data[1])
            sw_val = None
            if len(validation_data) == 3 and validation_data[2] is not None:
                _, _, sw_val = self._validate_sample_weight(X_val, y_val, validation_data[2])
            y_enc = self.target_encoder_.transform(y_val)
            return self.feature_encoder_.transform(X_val), y_enc, sw_val, self._codes(y_enc)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"validation_data: {exc}") from exc

    # ------------------------------------------------------------------ #
    # prediction and probabilities
    # ------------------------------------------------------------------ #
    def _predict_raw(self, X, **kwargs):
        """Run by SciKeras's ``predict``/``predict_proba`` (and so by ``score``
        and ``predict_proba_prior``); quiet when ``verbose=0``.

        The batch size is ``batch_size`` given to the call, else
        ``predict__batch_size``, else one picked from the row size and a memory
        budget (see :mod:`skweight._predict`): the training ``batch_size`` is not
        used for inference, which keeps no gradients.  Without predict callbacks
        or a progress bar the batches go through ``predict_on_batch``.
        """
        if not self.initialized_:
            raise NotFittedError("Estimator needs to be fit before `predict` can be called")
        X, _ = self._validate_data(X=X, y=None)
        X = self.feature_encoder_.transform(X)
        pred_args = predict_args(self.get_params(), self._predict_kwargs)
        pred_args["callbacks"] = self._predict_callbacks
        pred_args.update(kwargs)
        if pred_args["batch_size"] is None:
            pred_args["batch_size"] = predict_batch_size(X, self.model_)
        elif pred_args["batch_size"] == -1:
            pred_args["batch_size"] = max(1, n_rows(X))
        with quiet(not self.verbose), prediction_rng_guard():
            if can_predict_on_batch(X, pred_args):
                return predict_in_batches(self.model_, X, pred_args["batch_size"])
            return self.model_.predict(x=X, **pred_args)

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
        classifiers); ``NotFittedError`` before ``fit``.

        For a ``y`` given per output (dict or list), the mean over the
        classification outputs of each one's accuracy: the share of rows
        predicted exactly (all labels of a multi-label or one-hot row, the
        level of an ordinal row), or of timesteps for a sequence output;
        regression outputs are left out.  ``sample_weight`` weighs the rows
        (one array, or one per output).  For other metrics, or one output at
        a time, use :func:`skweight.per_output_scorer`."""
        self._check_fitted("score")
        if self._is_per_output():
            _, y = self._validate_data(X=None, y=y)
            sw = _check_weights(sample_weight, X, y)
            scores = accuracy_per_output(self.target_kind_, y, self.predict(X), sw)
            values = [v for v in split_outputs(scores)[1] if v is not None]
            if not values:
                raise ValueError("score needs a classification output; every output of y is a regression output.")
            return float(np.mean(values))
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

            For ``y`` given per output (a dict or list), the structure of
            ``predict_proba``: each binary, multiclass, one-hot and multi-label
            output corrected with its own ``class_weight_`` entry; regression
            outputs are returned as predicted (there is no prior to undo), and
            so are ordinal and sequence outputs trained without class weights.
            An ordinal or sequence output trained with class weights is a
            ``ValueError`` naming it: its weights cannot be undone this way.

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
        if isinstance(self.target_encoder_, ComposedTargetEncoder):
            raise ValueError(
                "predict_proba_prior needs skweight's own target encoder, to know the layout of the "
                "probabilities; this estimator's target_encoder is its own. Divide its probabilities by "
                "class_weight_ with skweight.unweight_proba."
            )
        kind = self.target_kind_
        if self._is_per_output():
            names, kinds = split_outputs(kind)
            weights, classes = split_outputs(self.class_weight_)[1], split_outputs(self.classes_)[1]
            for k, cw, key in zip(kinds, weights, self.output_names_):
                _check_prior(k, cw, key)  # before predicting
            probas = split_outputs(self.predict_proba(X))[1]
            return join_outputs(names, [_prior(*part) for part in zip(kinds, probas, weights, classes)])
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
    if not (
        est.early_stopping == "auto"
        if isinstance(est.early_stopping, str)
        else isinstance(est.early_stopping, (bool, np.bool_))
    ):
        raise ValueError(f"early_stopping={est.early_stopping!r} must be 'auto', True or False.")
    vf = est.validation_fraction
    if isinstance(vf, bool) or not (isinstance(vf, numbers.Real) and 0.0 < float(vf) < 1.0):
        raise ValueError(f"validation_fraction={vf!r} must be a float strictly between 0 and 1.")
    patience = est.n_iter_no_change
    if not (_is_int(patience) and patience >= 1):
        raise ValueError(f"n_iter_no_change={patience!r} must be an int >= 1 (epochs without improvement).")


def _flatten(callbacks):
    for cb in callbacks or ():
        if isinstance(cb, (list, tuple)):
            yield from _flatten(cb)
        else:
            yield cb


def _take(a, idx):
    """Rows ``idx`` of an array, of each array of a list, or of each value of a
    dict (the inputs or outputs of a multi-input / multi-output model)."""
    if a is None:
        return None
    if isinstance(a, Mapping):
        return {k: None if v is None else np.asarray(v)[idx] for k, v in a.items()}
    if isinstance(a, (list, tuple)):
        return [None if part is None else np.asarray(part)[idx] for part in a]
    return a[idx]


def _symbolic_outputs(model):
    """``model.outputs`` of a functional or Sequential model; None for a
    subclassed ``keras.Model``, which has none before it is called."""
    try:
        return model.outputs
    except AttributeError:
        return None


def _check_weights(sample_weight, X, y):
    """``sample_weight`` checked for ``X``'s rows: one array, or (for a ``y``
    given per output) one per output."""
    if is_per_output(y, _rows_or_none(X)):
        return check_output_sample_weight(sample_weight, n_rows(X), y)
    return check_sample_weight(sample_weight, n_rows(X))


def _rows_or_none(X):
    """Rows of ``X`` when it is one array-like (None for no ``X``, or the list
    or dict a user's ``feature_encoder`` splits)."""
    if X is None or isinstance(X, (Mapping, list, tuple)) and not hasattr(X, "toarray"):
        return None
    try:
        return n_rows(X)
    except (TypeError, ValueError):
        return None


def _prior(kind, proba, cw, classes):
    """``predict_proba_prior`` of one output of a ``y`` given per output."""
    if kind in ("binary", "multiclass", "onehot"):
        return unweight_proba(proba, [cw[c] for c in classes.tolist()])
    if kind == "multilabel":
        return unweight_proba(proba, cw)
    return proba  # regression, or ordinal/sequence without class weights: nothing to undo


def _check_prior(kind, cw, key):
    """An ordinal or sequence output trained with class weights cannot be corrected."""
    if kind in ("ordinal", "sequence") and any(w not in (0.0, 1.0) for w in cw.values()):  # 0: padding
        raise ValueError(
            f"predict_proba_prior cannot undo the class weights of output {key!r} (kind {kind!r}, weighted "
            f"{cw!r}): it corrects binary, multiclass, one-hot and multi-label outputs. Give that output no class "
            "weights, or read its probabilities with predict_proba."
        )


def _refuse_multi_input_X(X, name):
    """SciKeras validates ``X`` as one array; a list or dict of arrays (one per
    input of a multi-input model) fails there with a message about sample
    counts.  Say what works instead.  A list of equal-shaped arrays is left
    alone: it stacks into one ``X`` (e.g. a list of images), as in SciKeras."""
    if hasattr(X, "toarray") or not isinstance(X, (Mapping, list, tuple)):
        return  # one array-like (a SciPy DOK matrix is a dict too)
    parts = list(X.values()) if isinstance(X, Mapping) else list(X)
    multi = all(np.ndim(p) >= 2 for p in parts) and len({np.shape(p) for p in parts}) > 1
    if (isinstance(X, Mapping) and parts) or (parts and multi):
        raise TypeError(
            f"X is a {type(X).__name__} of {len(parts)} arrays, one per model input; {name} (as SciKeras) takes "
            "X as one array-like. Give X as one array and split it into the model's inputs in a feature_encoder "
            "(a FunctionTransformer returning a list or dict of arrays), as in SciKeras's multi-input example."
        )


def _check_y_columns(y, fitted_shape):
    """A ``y`` whose trailing shape differs from the first fit's (one column
    per output or label) would reach Keras as a cardinality error."""
    if y is None or fitted_shape is None or len(fitted_shape) != np.ndim(y):
        return
    if tuple(np.shape(y)[1:]) != tuple(fitted_shape[1:]):
        raise ValueError(
            f"y has shape {np.shape(y)}, but this estimator was fitted on y with {fitted_shape[1:]} "
            f"column(s) per sample (shape {tuple(fitted_shape)}); give y with the same columns as in the "
            "first fit, or call fit (not partial_fit) to start over."
        )
