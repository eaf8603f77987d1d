"""``WeightedKerasClassifier``: SciKeras's ``KerasClassifier`` with
scikit-learn's ``class_weight`` for every target shape.

This module holds the class and nothing else: its parameters, scikit-learn's
API and the SciKeras hooks it overrides, each a short method whose docstring
says when it runs.  The work of one fit is a chain of named steps in
:mod:`skweight._fit` (``fit`` and ``partial_fit`` are two-liners into it).
"""

import inspect

from sklearn.exceptions import NotFittedError

# _backend first: it imports Keras quietly, or says in one line which backend to install
from ._backend import seeded

# isort: split
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator

from . import _fit
from ._checks import check_weights, validate_data
from ._compose import TagsRoot, build_from_class, classifier_tags, compose_subclass_encoders, dense
from ._model import build_default_model, is_categorical_crossentropy, symbolic_outputs
from ._options import chose_loss, compile_kwargs, keras_loss_param
from ._params import check_params, seed_from
from ._predict import decided, decides, predict_raw, proba_prior, score_outputs, undo_cost_weights
from ._targets import TargetEncoder

__all__ = ["WeightedKerasClassifier"]


class WeightedKerasClassifier(KerasClassifier, TagsRoot):
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
        (thermometer) targets, and for ``"sequence"`` ones when ``X`` is not
        3-D (with a 3-D ``X``, a ``(n, timesteps)`` ``y`` is a sequence).  For
        ``y`` given per output, a dict or list of kinds, e.g. ``{"level":
        "ordinal", "price": "regression"}`` (outputs left out are detected;
        non-integer floats are regression); one str applies to every output.
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
        The default model standardises its inputs itself (a ``Normalization``
        layer adapted on each fit's training rows that carry weight, saved
        with the model), so raw features are fine.  ``False`` leaves it out.
        A model of your own is never changed.
    early_stopping : "auto", bool, default "auto"
        Stop when the weighted validation loss has not improved for
        ``n_iter_no_change`` epochs, keeping the best epoch's weights.
        ``"auto"``: when ``epochs`` is None and no ``EarlyStopping`` of your
        own is in ``callbacks``; ``True`` also with ``epochs`` (the cap).  The
        validation rows: ``validation_split`` or ``validation_data``, else
        ``validation_fraction``; too few rows for one of every class: no early
        stopping (``epochs=None`` trains 50).  Never in ``partial_fit``.
    validation_fraction : float, default 0.1
        Share of the training rows held out (stratified, seeded) for early
        stopping when no ``validation_split`` is given.
    n_iter_no_change : int, default 10
        Patience of early stopping, in epochs.
    training_loop : "auto", "fast" or "keras", default "auto"
        Which loop trains the network.  ``"fast"``: skweight's own loop, which
        runs Keras's ``train_step``/``test_step`` a whole epoch per call (one
        traced function per epoch on TensorFlow, an eager loop on PyTorch)
        and calls callbacks per epoch; on small tables it costs a fraction of
        ``keras.Model.fit`` and gives the same losses, metrics, history and
        early stopping.  It falls back to ``Model.fit`` (with a warning saying
        why) for a callback with batch-level hooks, ``run_eagerly``,
        ``jit_compile``, a distribution strategy, ``fit`` arguments such as
        ``validation_freq``, and on the JAX backend (whose ``Model.fit`` is
        already fast).  ``"keras"``: always ``Model.fit``.  ``"auto"``: the
        fast loop for the default model (``model=None``) and ``Model.fit`` for a
        model of your own, so that code written for SciKeras keeps SciKeras's
        numbers.  ``training_loop_`` says which loop ran.
    optimizer : str or keras optimizer, default "adam"
    loss : str, keras loss or None, default None
        ``None`` picks the loss for the target kind (binary, sparse
        categorical, categorical or element-wise binary cross-entropy);
        ``"focal"`` its focal form (binary, multiclass, one-hot, multi-label).
        The options below: see the user guide's "Beyond class weights".
    focal_gamma : float >= 0, default 2.0
        Focusing strength of ``loss="focal"`` (0: cross-entropy).
    cost_matrix : None, array, dict, "ordinal" or "ordinal_squared", default None
        ``[i, j]``: the cost of predicting ``classes_[j]`` for a true
        ``classes_[i]`` (a dict ``{true: {predicted: cost}}`` in your labels;
        per output a list or dict).  ``predict`` gives the least expected
        cost; training weighs the classes by the costs, undone in ``predict_proba``.
    sampling : None, "under" or "over", default None
        Every epoch holds each class equally often (cut to the smallest, or
        repeated to the largest), drawn afresh from the training rows.
    logit_adjustment : None or float >= 0, default None
        Menon et al.'s logit-adjusted loss with the training rows' priors.
    decision_threshold : None, float in (0, 1) or "auto", default None
        Binary targets: ``predict`` is ``classes_[1]`` where its probability
        is at least ``threshold_``; ``"auto"`` tunes it for
        ``decision_threshold_scoring`` on the held-out rows.
    decision_threshold_scoring : str or scorer, default "balanced_accuracy"
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
        Training batch size.  None: ``min(200, rows of an epoch)`` for the
        default model (``MLPClassifier``'s "auto"), Keras's 32 for a model of
        your own; ``-1``: one batch.  ``fit__batch_size`` or ``fit``'s keyword
        wins.  Prediction picks its batch from the row size and a 32 MiB
        budget, unless ``predict__batch_size`` is set.
    validation_batch_size : int, optional
        Batch size of the validation pass (None: ``batch_size``).
    validation_split : float, default 0.0
        Fraction of the rows held out for validation, split stratified and
        shuffled (seeded by ``random_state``); the validation rows are weighted
        with the class weights resolved on the training rows.
    shuffle : bool, default True
        Shuffle the training rows every epoch (seeded by ``random_state``).
    verbose : int, default 0
    callbacks : list of keras.callbacks.Callback, optional
        Called as by ``keras.Model.fit``; an ``EarlyStopping`` of your own
        replaces skweight's.  Callbacks with batch-level hooks train with
        ``Model.fit`` (see ``training_loop``).
    warm_start : bool, default False
        ``fit`` continues from the fitted model (its weights, optimizer state,
        classes and class weights) instead of building a new one.
    run_eagerly : bool, default False
        Keras's ``run_eagerly`` (for debugging; trains with ``Model.fit``).
    build_fn : callable, optional
        SciKeras's older name for ``model`` (deprecated there).
    random_state : None, int or numpy.random.RandomState
        Seeds initialisation, shuffling, the validation split and ``sampling``
        on any backend, alike in any process or thread; the global random
        states are restored after ``fit``.  Seeded fits in one process run one
        at a time, so parallelise with processes.
    **kwargs
        Any other SciKeras parameter (``optimizer__learning_rate``,
        ``fit__...``, ``model__...``, ...).

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
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        The column names of a DataFrame ``X`` of ``fit`` whose column names
        are all strings (absent otherwise), checked as scikit-learn does by
        ``predict``, ``predict_proba``, ``score`` and ``partial_fit``.
    output_names_ : list of str
        For ``y`` given per output: the output names (``output_j`` for a list
        ``y``), which the default model gives its output layers.
    cost_matrix_, cost_weight_, class_prior_, sampling_ratio_ : ndarray or dict
        What ``cost_matrix`` (costs in ``classes_`` order, the class weights from
        them), ``logit_adjustment`` (priors) and ``sampling`` (class ratios) used.
    threshold_, threshold_score_ : float
        ``predict``'s threshold (and ``"auto"``'s score on the held-out rows).
    model_ : keras.Model
    training_loop_ : str
        ``"fast"`` or ``"keras"``: the loop that trained in the last fit (see
        ``training_loop``).
    history_ : dict
        One list per metric, one entry per epoch trained, under the names
        Keras gives (``loss``, ``val_loss``, ``weighted_accuracy``, ...);
        a warm start from ``initial_epoch > 0`` and ``partial_fit`` extend it.

    Notes
    -----
    A warm start (``warm_start=True``) or ``partial_fit`` keeps the weight of a
    class absent from the new rows as ``class_weight_`` records it.

    Each method below is a SciKeras hook or scikit-learn's API; the work of a
    fit is the chain of steps in :mod:`skweight._fit`.

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
        training_loop="auto",
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
        cost_matrix=None,
        sampling=None,
        focal_gamma=2.0,
        logit_adjustment=None,
        decision_threshold=None,
        decision_threshold_scoring="balanced_accuracy",
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
        self.training_loop = training_loop
        self.cost_matrix = cost_matrix
        self.sampling = sampling
        self.focal_gamma = focal_gamma
        self.logit_adjustment = logit_adjustment
        self.decision_threshold = decision_threshold
        self.decision_threshold_scoring = decision_threshold_scoring

    def __init_subclass__(cls, **kwargs):
        """Run when a subclass is defined: its own ``target_encoder`` /
        ``feature_encoder`` property (SciKeras's way to customise encoding) is
        composed with skweight's instead of replacing it (see
        :mod:`skweight._compose`)."""
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
        ``ClassifierMixin``'s tags, so ``is_classifier`` was False; see
        :func:`skweight._compose.classifier_tags`)."""
        return classifier_tags(super().__sklearn_tags__())

    def __sklearn_is_fitted__(self):
        """Fitted means a model exists: ``check_is_fitted`` then agrees with
        ``predict`` (an interrupted first fit leaves no ``model_``)."""
        return "model_" in self.__dict__

    def _check_fitted(self, method):
        """The one not-fitted error, raised by every method that needs a fitted model."""
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call 'fit' before '{method}'."
            )

    # ------------------------------------------------------------------ #
    # fit / partial_fit: two-liners into the steps of skweight._fit
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
        return self._fit(X, y, sample_weight, incremental=False, **kwargs)

    def partial_fit(self, X, y, classes=None, sample_weight=None, **kwargs):
        """Train for one epoch, keeping the model, classes and class weights.

        ``class_weight="balanced"`` is refused here (as by scikit-learn's
        ``SGDClassifier``): a batch's class counts are not the data's; pass
        ``skweight.class_weights(y_all)``.  A ``y`` given per output must keep
        the structure, names, kinds and widths of the first call.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes, **kwargs)

    def _fit(self, X, y, sample_weight=None, incremental=False, **kwargs):
        """Run by ``fit`` and ``partial_fit`` (it replaces SciKeras's ``_fit``):
        the steps of one fit, in order, in :func:`skweight._fit.fit`."""
        return _fit.fit(self, X, y, sample_weight, incremental, kwargs)

    def _check_params(self):
        """Step 1 of a fit: every parameter checked against its rule in
        :mod:`skweight._params`, before any data or Keras work."""
        check_params(self)

    @property
    def current_epoch(self):
        """Epochs trained so far (0 before the first, or after ``epochs=0``)."""
        return len(getattr(self, "history_", {}).get("loss", []))

    # ------------------------------------------------------------------ #
    # SciKeras hooks of a fresh fit: encoders, data checks, the model
    # ------------------------------------------------------------------ #
    @property
    def target_encoder(self):
        """Encoder for every target kind; fitted by ``_initialize``.
        A subclass that defines its own gets it composed with this one."""
        return self._own_target_encoder()

    def _own_target_encoder(self):
        """skweight's target encoder for this estimator (also the one beside a subclass's own)."""
        return TargetEncoder(
            kind=self.target_kind,
            classes=getattr(self, "classes_", None),
            one_hot=is_categorical_crossentropy(self.loss),
            x_shape=getattr(self, "X_shape_", None),
        )

    @property
    def feature_encoder(self):
        """Transformer for ``X``, fitted by ``_initialize``: SciPy sparse input
        (e.g. from ``OneHotEncoder`` in a ``ColumnTransformer``) is made dense,
        since Keras's dense layers need dense batches and TensorFlow rejects
        several SciPy sparse layouts.  A subclass's own feature encoder runs
        first and its output is made dense."""
        from sklearn.preprocessing import FunctionTransformer

        return FunctionTransformer(dense, accept_sparse=True)

    def _initialize(self, X, y=None, state=None):
        """Run on every fresh fit (step 3) and by SciKeras's ``initialize``:
        :func:`skweight._fit.initialize` (encoders, checks, the model)."""
        return _fit.initialize(self, X, y, state)

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False, per_output=None):
        """Run on every fit, predict and score, before any Keras work: checks
        ``X`` and ``y`` with messages that name the parameter, the bad value
        and what is accepted (see :mod:`skweight._checks`).  ``per_output``:
        whether ``y`` is given per output, when the caller has decided it."""
        return validate_data(self, super()._validate_data, X, y, reset, y_numeric, per_output)

    @staticmethod
    def _validate_sample_weight(X, y, sample_weight):
        """Run by SciKeras's ``score`` when ``sample_weight`` is given: a new
        float array (for a ``y`` given per output, one array or a list with one
        per output); the caller's is never written to."""
        return X, y, check_weights(sample_weight, X, y)

    def _check_model_param(self):
        """Run by SciKeras when building: ``model=None`` is the default MLP
        (unless the class defines ``_keras_build_fn``); a class as ``model`` is
        called with the routed ``model__`` parameters."""
        if self._builds_default_model():
            return self._build_default_model
        if inspect.isclass(self.model) and not hasattr(self, "_keras_build_fn"):
            return build_from_class(self.model)
        return super()._check_model_param()

    def _builds_default_model(self):
        """True when the model is skweight's default MLP."""
        return self.model is None and self.build_fn is None and not hasattr(self, "_keras_build_fn")

    def _build_default_model(self, meta, compile_kwargs):
        """The build function of ``model=None`` (see :func:`skweight._model.build_default_model`)."""
        return build_default_model(self, meta, compile_kwargs)

    def _get_compile_kwargs(self):
        """Run by SciKeras before compiling: fills in the loss for the target
        kind (focal or logit-adjusted when asked) and mirrors ``metrics`` into
        ``weighted_metrics``."""
        with keras_loss_param(self):
            kw = super()._get_compile_kwargs()
        return compile_kwargs(self, kw)

    def _build_keras_model(self):
        """Run by ``_initialize`` once ``y``'s classes are known (and
        ``class_weight`` is checked against them): builds under
        ``random_state`` (``_initialize`` then binds the outputs of a ``y`` of
        several outputs to the model's, see :func:`skweight._fit.bind_outputs`)."""
        with seeded(seed_from(self.random_state)):
            return super()._build_keras_model()

    def _is_per_output(self):
        """True when this fit's ``y`` was given per output (a dict or list)."""
        return getattr(getattr(self, "target_encoder_", None), "outputs_", None) is not None

    def _check_model_compatibility(self, y):
        """Run by step 3 of a fit before training.  SciKeras refuses a compiled
        loss other than the ``loss`` parameter; for a multi-label target
        ``_get_compile_kwargs`` swaps ``loss="binary_crossentropy"`` for its
        element-wise form on purpose (and ``"focal"``, or None with
        ``logit_adjustment``, for their losses), so only the outputs are checked then."""
        if chose_loss(self):
            expected = getattr(self, "n_outputs_expected_", None)
            if expected and expected != len(self.model_.outputs):
                raise ValueError(f"y has {expected} outputs, but the model has {len(self.model_.outputs)}.")
            return
        if symbolic_outputs(self.model_) is None:
            return  # a subclassed keras.Model: its outputs are known only once it runs
        super()._check_model_compatibility(y)

    # ------------------------------------------------------------------ #
    # prediction and probabilities
    # ------------------------------------------------------------------ #
    def _predict_raw(self, X, **kwargs):
        """Run by SciKeras's ``predict``/``predict_proba`` (and so by ``score``
        and ``predict_proba_prior``): the model's outputs, in batches sized for
        inference (see :func:`skweight._predict.predict_raw`)."""
        self._check_fitted("predict")
        return predict_raw(self, X, **kwargs)

    def predict(self, X, **kwargs):
        """Class labels for ``X`` (in the layout of ``y``): the most probable
        class, or the least expected cost (``cost_matrix_``), or the positive
        class where its probability is at least ``threshold_``."""
        self._check_fitted("predict")
        return decided(self, self.predict_proba(X, **kwargs)) if decides(self) else super().predict(X, **kwargs)

    def predict_proba(self, X, **kwargs):
        """Class probabilities for ``X``, columns in ``classes_`` order (the
        cost weights of training undone); ``NotFittedError`` before ``fit``."""
        self._check_fitted("predict_proba")
        return undo_cost_weights(self, super().predict_proba(X, **kwargs))

    def score(self, X, y, sample_weight=None):
        """Accuracy of ``predict(X)`` against ``y`` (as scikit-learn's
        classifiers); ``NotFittedError`` before ``fit``.

        For a ``y`` given per output, the mean over the classification outputs
        of each one's accuracy (rows predicted exactly; timesteps of a
        sequence output); ``sample_weight``: one array, or one per output.
        For a 2-D ``y`` of label columns, the share of rows with every column
        right (as ``MultiOutputClassifier``).  Other metrics:
        :func:`skweight.per_output_scorer`."""
        self._check_fitted("score")
        if not self._is_per_output() and getattr(self, "target_kind_", None) != "multioutput":
            return super().score(X, y, sample_weight=sample_weight)
        return score_outputs(self, X, y, sample_weight)

    def predict_proba_prior(self, X):
        """Class probabilities calibrated to the training prior.

        Training with class weights ``w_c`` makes the network estimate
        probabilities proportional to ``w_c * p(c | x)``.  This divides
        ``predict_proba`` by the weights of training and renormalises,
        ``p(c | x) = (p_w(c | x) / w_c) / sum_k (p_w(k | x) / w_k)``: an
        estimate under the class frequencies of the training rows
        (``sample_weight`` is not part of it).  The weights are
        ``class_weight_``, with ``sampling`` times ``sampling_ratio_`` (how
        often a resampled epoch shows each class), with ``logit_adjustment``
        ``class_prior_ ** -tau``; without any, this is ``predict_proba``.
        ``predict`` and ``predict_proba`` are unchanged; for binary targets the
        correction is monotone (rankings and ROC AUC are unchanged).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or a list of them
            Columns in ``classes_`` order, like ``predict_proba``; multi-label
            targets ``(n_samples, n_labels)``, each label corrected with its
            ``{0: w_neg, 1: w_pos}``; multi-output targets one array per output.
            For ``y`` given per output, the structure of ``predict_proba``
            (regression outputs, and ordinal or sequence outputs without class
            weights, as predicted; such an output with class weights is a
            ``ValueError`` naming it).  Single ordinal and sequence targets
            are not supported.

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
        self._check_fitted("predict_proba_prior")
        return proba_prior(self, X)
