"""One fit of :class:`~skweight.WeightedKerasClassifier`, as named steps.

:func:`fit` is the whole of ``fit`` and ``partial_fit``; read it to see what a
fit does in which order.  Each step is a small function that takes the
estimator and the :class:`FitState` of this fit, and fills in what it owns:

1. :func:`~skweight._params.check_params`: every parameter, from the one table;
2. :func:`read_inputs`: ``y`` required, ``sample_weight`` checked (a new
   array), whether ``y`` is given per output, the epochs, the validation split;
3. :func:`prepare`: ``X`` and ``y`` validated; on a fresh fit the encoders
   fitted, ``class_weight`` checked against the classes and the model built
   (:func:`initialize`); the rows encoded for the model;
4. :func:`split_validation`: validation rows (stratified, seeded), or the
   ``validation_data`` given (also the rows ``decision_threshold="auto"`` is
   tuned on);
5. :func:`plan_epochs`: the epochs and early stopping;
6. :func:`weigh`: ``class_weight`` resolved on the training rows (it sets
   ``class_weight_``), sample weights of the training and validation rows;
   then the options of :mod:`skweight._options` (cost weights, the priors of
   logit adjustment, the resampled epoch order);
7. :func:`adapt`: the default model's standardisation fitted to the training rows;
8. :func:`~skweight._loop.train`: the training itself, on :func:`keras_data`
   as :func:`keras_plan` says;
9. :func:`~skweight._options.tune`: ``threshold_`` (``decision_threshold``);
10. :func:`finish`: ``history_``.

Steps 3 to 10 run all or nothing (:class:`Rollback`): an exception leaves the
estimator as it was.  Nothing but the fitted attributes survives a fit; what a
later warm start needs (the class weights in code space) is read back from
``class_weight_``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._backend import collecting_dead_models, keras, output_structure_error, quiet
from ._checks import check_feature_names, check_weights, n_rows, x_rows
from ._compose import ComposedTargetEncoder, weights_for_encoded
from ._errors import prefixed
from ._loop import TrainData, TrainPlan, resolve_training_loop, train
from ._model import (
    adapt_standardization,
    early_stopping_callback,
    is_categorical_crossentropy,
    output_layout,
    symbolic_outputs,
)
from ._options import FITTED as OPTIONS_FITTED
from ._options import check_compiled_loss, check_for_target, tune
from ._options import weigh as weigh_options
from ._outputs import is_per_output
from ._params import (
    DEFAULT_BATCH_SIZE,
    EPOCH_CAP,
    EPOCHS_WITHOUT_STOPPING,
    check_param,
    check_params,
    routed,
    seed_from,
)
from ._plan import WeightPlan
from ._splits import misses_a_class, split_rows
from .losses import is_plain_bce

__all__ = ["FitState", "Rollback", "fit", "initialize"]


@dataclass
class Rows:
    """Rows of one fit, encoded for the model: features, targets, the checked
    ``sample_weight`` and skweight's class codes (None when a user's target
    encoder gave a ``y`` skweight cannot read); ``n`` of them."""

    X: object
    y: object
    sample_weight: object
    codes: object
    n: int

    def take(self, idx):
        """The rows ``idx`` (of every array of a list or dict too)."""
        return Rows(
            _take(self.X, idx), _take(self.y, idx), _take(self.sample_weight, idx), _take(self.codes, idx), len(idx)
        )


@dataclass
class FitState:
    """The state of one fit, filled in step by step (see the module docstring).

    Read by step 2: ``X``, ``y`` (as the caller gave them), ``sample_weight``
    (checked: a new float32 array, a list with one per output, or None),
    ``per_output`` (``y`` is a dict or list of outputs), ``incremental``
    (``partial_fit``), ``warm`` (the fitted model trains on), ``classes``
    (``partial_fit``'s), ``epochs`` (None: decided in step 5),
    ``initial_epoch``, ``seed``, ``validation_split`` (checked: from
    ``fit``'s keyword, ``fit__validation_split`` or the parameter),
    ``validation_data`` (as given), ``fit_kwargs`` (the rest of ``fit``'s
    keywords, for ``keras.Model.fit``).  Filled later: ``built`` (step 3
    built the model), ``y_encoded`` (step 3 on a fresh fit: the encoded
    ``y`` and its class codes, from before the model is built), ``train``
    and ``validation`` (:class:`Rows`, steps 3 and 4), ``stop`` and
    ``callbacks`` (step 5), ``weights``, ``validation_weights`` and ``order``
    (step 6: the epoch order provider of ``sampling``, None for Keras's
    shuffle); ``keras_validation`` (step 4: the validation rows go to Keras;
    False when they are held out only to tune ``decision_threshold``).
    """

    X: object
    y: object
    sample_weight: object
    per_output: bool
    incremental: bool
    warm: bool
    classes: object
    epochs: int | None
    initial_epoch: int
    seed: int | None
    validation_split: float
    validation_data: object
    fit_kwargs: dict
    built: bool = False
    y_encoded: object = None
    train: Rows | None = None
    validation: Rows | None = None
    stop: bool = False
    callbacks: list | None = None
    weights: object = None
    validation_weights: object = None
    order: object = None
    keras_validation: bool = True


def fit(est, X, y, sample_weight, incremental, fit_kwargs):
    """``fit`` (``incremental=False``) or ``partial_fit`` (``True``, with its
    ``classes`` among ``fit_kwargs``) of ``est``, step by step."""
    check_params(est, incremental)  # 1
    state = read_inputs(est, X, y, sample_weight, incremental, dict(fit_kwargs))  # 2
    with collecting_dead_models(), Rollback(est, state.warm), quiet(not est.verbose):
        prepare(est, state)  # 3
        split_validation(est, state)  # 4
        plan_epochs(est, state)  # 5
        weigh(est, state)  # 6
        adapt(est, state)  # 7
        history = train(est.model_, keras_data(est, state), keras_plan(est, state))  # 8
        tune(est, state)  # 9
        finish(est, state, history)  # 10
    return est


# --------------------------------------------------------------------------- #
# 2. the inputs, read once
# --------------------------------------------------------------------------- #
def read_inputs(est, X, y, sample_weight, incremental, fit_kwargs):
    """Step 2: everything later steps take as given, read and checked once
    (what ``keras.Model.fit`` is to get stays in ``fit_kwargs``)."""
    if y is None:
        raise ValueError(f"{type(est).__name__} requires y to be passed, but the target y is None.")
    classes = fit_kwargs.pop("classes", None) if incremental else None
    if incremental:
        for name in ("epochs", "initial_epoch"):
            if name in fit_kwargs:
                raise TypeError(f"partial_fit trains one epoch from the current one; it takes no {name}=.")
        epochs, initial_epoch = 1, est.current_epoch
    else:
        epochs = fit_kwargs.pop("epochs", getattr(est, "fit__epochs", est.epochs))
        initial_epoch = fit_kwargs.pop("initial_epoch", 0)
    per_output = is_per_output(y, x_rows(X))
    validation_split = validation_split_of(est, fit_kwargs)
    validation_data = fit_kwargs.pop("validation_data", getattr(est, "fit__validation_data", None))
    return FitState(
        X=X,
        y=y,
        sample_weight=check_weights(sample_weight, X, y, per_output),
        per_output=per_output,
        incremental=incremental,
        warm=(incremental or bool(est.warm_start)) and est.initialized_,
        classes=classes,
        epochs=epochs,
        initial_epoch=initial_epoch,
        seed=seed_from(est.random_state),
        validation_split=validation_split,
        validation_data=validation_data,
        fit_kwargs=fit_kwargs,
    )


# --------------------------------------------------------------------------- #
# 3. validated, initialised, encoded
# --------------------------------------------------------------------------- #
def prepare(est, state):
    """Step 3: ``X`` and ``y`` validated (a fresh fit also fits the encoders,
    checks ``class_weight`` against the classes and builds the model), then
    encoded for the model; the compiled model checked against the target."""
    if state.warm:
        X, y = est._validate_data(state.X, state.y, per_output=state.per_output)
        check_for_target(est)
        est._ensure_compiled_model()
        y_enc, codes = encode_y(est, y)
    else:
        est.classes_ = state.classes  # read by ``target_encoder``: None means the classes of this y
        X, y = est._initialize(state.X, state.y, state)
        est._ensure_compiled_model()
        y_enc, codes = state.y_encoded
    state.train = Rows(est.feature_encoder_.transform(X), y_enc, state.sample_weight, codes, n_rows(state.X))
    est._check_model_compatibility(y_enc)
    check_loss(est)
    check_compiled_loss(est)


def initialize(est, X, y, state=None):
    """SciKeras's ``_initialize`` with skweight's checks: ``X`` and ``y``
    validated (``reset``; ``feature_names_in_`` kept from a DataFrame's
    column names, as scikit-learn does), the target and feature encoders fitted (their
    metadata set on ``est``), and, in a fit (``state`` given), ``y`` encoded
    and ``class_weight`` checked against its classes before the model is built
    under ``random_state``.  Returns the validated ``X`` and ``y``."""
    est._random_state = None  # skweight seeds the build and the training itself
    per_output = None if state is None else state.per_output
    given = X
    X, y = est._validate_data(X, y, reset=True, per_output=per_output)
    check_feature_names(est, given, reset=True)  # feature_names_in_ from a DataFrame's columns
    est.target_encoder_ = est.target_encoder.fit(y)
    vars(est).update(getattr(est.target_encoder_, "get_metadata", dict)())
    est.feature_encoder_ = est.feature_encoder.fit(X)
    # (as SciKeras does: the metadata of the feature encoder as the estimator makes it)
    vars(est).update(getattr(est.feature_encoder, "get_metadata", dict)())
    if state is not None:
        state.y_encoded = encode_y(est, y)
        check_before_build(est, *state.y_encoded, state)
    est.model_ = est._build_keras_model()
    bind_outputs(est, X)
    est._initialize_callbacks()
    if state is not None:
        state.built = True
    return X, y


def bind_outputs(est, X):
    """A ``y`` of several outputs (given per output, or a 2-D array of label
    columns) meets the outputs of the model just built: by name for a dict
    ``y``, by position for a list or the columns (see
    ``TargetEncoder.bind_model_outputs``).  The structure of the model's
    outputs is read once here; from then on the target encoder translates."""
    enc = est.target_encoder_
    if isinstance(enc, ComposedTargetEncoder) or not enc.binds_outputs():
        return
    x = None if symbolic_outputs(est.model_) is not None else est.feature_encoder_.transform(_take(X, slice(0, 1)))
    layout = output_layout(est.model_, x)
    error = output_structure_error(layout, getattr(est.model_, "output_names", None))
    if error is not None:
        raise error
    enc.bind_model_outputs(layout)


def encode_y(est, y):
    """``(encoded y, skweight's class codes of its rows)``: the codes are the
    encoded ``y`` itself with skweight's encoder; with a user's target encoder,
    those skweight's encoder gave the same rows (None when it could not read them)."""
    enc = est.target_encoder_
    y_enc = enc.transform(y)
    return y_enc, (enc.codes_ if isinstance(enc, ComposedTargetEncoder) else y_enc)


def check_before_build(est, y_enc, codes, state):
    """Every ``class_weight`` error that does not depend on the model, and
    every option against the target, raised before it is built (so a bad spec
    costs no model building); :func:`weigh` resolves again on the training rows."""
    check_for_target(est)
    if codes is None:
        if est.class_weight is not None:
            raise ValueError(
                f"class_weight={est.class_weight!r} needs a target skweight can read, but with this "
                f"estimator's target_encoder it could not: {est.target_encoder_.own_error_} "
                "Use class_weight=None (the target_encoder is then used as it is), or set target_kind."
            )
        return
    plan = weight_plan(est, built=False)
    plan.check_training_classes(codes, partial=state.incremental)
    if plan.kind == "multioutput" and isinstance(est.class_weight, Mapping) and plan.names is None:
        return  # output names of a user's model: checked once it is built
    weights = plan.sample_weights(codes, plan.canonical(codes), state.sample_weight)
    if codes is not y_enc:
        weights_for_encoded(weights, y_enc, est.class_weight)


def check_loss(est):
    """Before any training: the model has a loss, and per-label weights meet a
    loss that keeps the label axis (a model compiled with plain binary
    cross-entropy averages the labels before weighting, which Keras reports
    only as a shape error deep in training)."""
    loss = est.model_.loss
    parts = list(_leaves(loss)) if isinstance(loss, (Mapping, list, tuple)) else None
    if parts is not None and not any(callable(p) or isinstance(p, str) for p in parts):
        raise ValueError(
            f"the model has no loss to train with (loss={loss!r}); give loss=... or compile the model with one."
        )
    if est.target_kind_ == "multilabel" and est.class_weight is not None and is_plain_bce(loss):
        raise ValueError(
            f"class_weight={est.class_weight!r} gives a multi-label target one weight per label, but the "
            "model is compiled with binary cross-entropy, which averages over the labels before weighting. "
            "Compile it with skweight.losses.ElementwiseBinaryCrossentropy() (or leave the model uncompiled "
            "and loss=None), or use class_weight=None."
        )


# --------------------------------------------------------------------------- #
# 4. validation rows; 5. epochs and early stopping
# --------------------------------------------------------------------------- #
def split_validation(est, state):
    """Step 4: the validation rows: ``validation_data`` when given, else a
    stratified, seeded split of ``validation_split`` (or, for early stopping
    or ``decision_threshold="auto"``, ``validation_fraction``) of the rows.
    Too few rows to hold out one of every class for early stopping: no early
    stopping (documented); for a tuned threshold, a ``ValueError``."""
    fraction = state.validation_split
    state.stop = stops_early(est, state)
    tuned = isinstance(est.decision_threshold, str)  # "auto"
    if state.validation_data is not None:
        state.validation = encode_validation_data(est, state.validation_data)
        return
    auto = (state.stop or tuned) and not fraction
    if not (auto or fraction):
        return
    codes = state.train.codes
    # the split stratifies on skweight's codes; a target it cannot read gets a shuffled split
    kind, key = (est.target_kind_, codes) if codes is not None else ("sequence", np.zeros(state.train.n))
    train, val = split_rows(kind, key, float(est.validation_fraction) if auto else fraction, state.seed)
    if auto and misses_a_class(kind, key, val):
        if tuned:
            raise ValueError(
                f"decision_threshold='auto' tunes the threshold on validation_fraction={est.validation_fraction!r} "
                f"of the {state.train.n} training rows, but they would not hold both classes. Give more rows, a "
                "larger validation_fraction (or validation_data), or a float decision_threshold."
            )
        state.stop = False
        return
    state.keras_validation = bool(state.stop or fraction)
    if val.size == 0:
        raise ValueError(
            f"validation_split={fraction!r} leaves no validation rows: no class has the 2 rows "
            "needed to put one on each side. Use validation_split=0 or pass validation_data."
        )
    state.train, state.validation = state.train.take(train), state.train.take(val)


def validation_split_of(est, fit_kwargs):
    """``validation_split`` as given to ``fit`` (a keyword), else
    ``fit__validation_split``, else the parameter (the precedence SciKeras uses
    for ``epochs``); checked by the parameter's rule."""
    fraction = fit_kwargs.pop("validation_split", None)
    if fraction is None:
        fraction = getattr(est, "fit__validation_split", est.validation_split)
    return float(check_param("validation_split", fraction))


def stops_early(est, state):
    """Whether this fit adds early stopping (see ``early_stopping``): never in
    ``partial_fit`` or next to the user's own ``EarlyStopping``."""
    if est.early_stopping is False or state.incremental:
        return False
    if any(isinstance(cb, keras.callbacks.EarlyStopping) for cb in _flatten(est._fit_callbacks)):
        return False
    return est.early_stopping is True or state.epochs is None


def encode_validation_data(est, given):
    """``validation_data=(X_val, y_val[, w_val])``, checked and encoded like the training rows."""
    if not isinstance(given, (tuple, list)) or len(given) not in (2, 3):
        raise ValueError("validation_data must be a tuple (X_val, y_val) or (X_val, y_val, sample_weight_val).")
    with prefixed("validation_data"):
        X_val, y_val = est._validate_data(given[0], given[1])
        sw = None
        if len(given) == 3 and given[2] is not None:
            sw = check_weights(given[2], X_val, y_val)
        y_enc, codes = encode_y(est, y_val)
        return Rows(est.feature_encoder_.transform(X_val), y_enc, sw, codes, n_rows(X_val))


def plan_epochs(est, state):
    """Step 5: ``epochs=None`` trains up to :data:`EPOCH_CAP` epochs when
    stopping early, else :data:`EPOCHS_WITHOUT_STOPPING`; early stopping on
    the weighted validation loss follows the user's callbacks."""
    if state.epochs is None:
        state.epochs = EPOCH_CAP if state.stop else EPOCHS_WITHOUT_STOPPING
    state.callbacks = list(est._fit_callbacks)
    if state.stop and state.validation is not None:
        state.callbacks.append(early_stopping_callback(int(est.n_iter_no_change)))


# --------------------------------------------------------------------------- #
# 6. weights; 7. standardisation
# --------------------------------------------------------------------------- #
def weigh(est, state):
    """Step 6: ``class_weight`` resolved on the training rows' codes (a warm
    start or ``partial_fit`` keeps the weights of classes absent from them),
    ``class_weight_`` set, and the sample weights of the training and
    validation rows, class weights times ``sample_weight``."""
    train, val = state.train, state.validation
    if train.codes is None:  # a user's target encoder on a y skweight cannot read
        est.class_weight_ = None
        state.weights = _as_float32(train.sample_weight)
        state.validation_weights = None if val is None else _as_float32(val.sample_weight)
    else:
        plan = weight_plan(est)
        plan.check_training_classes(train.codes, partial=state.incremental)
        previous = est.__dict__.get("class_weight_") if state.warm else None
        resolved, est.class_weight_ = plan.resolve(train.codes, None if previous is None else plan.to_codes(previous))
        state.weights = _weights(est, plan, resolved, train)
        state.validation_weights = None if val is None else _weights(est, plan, resolved, val)
    weigh_options(est, state)


def weight_plan(est, built=True):
    """The weight plan of this fit (see :mod:`skweight._plan`), with the
    output names of the model (``built``), or of the model to be built."""
    enc = est.target_encoder_
    own = enc.own_ if isinstance(enc, ComposedTargetEncoder) else enc
    return WeightPlan(
        class_weight=est.class_weight,
        kind=own.kind_,
        classes=own.classes_,
        one_hot=is_categorical_crossentropy(est.loss),
        names=output_names(est, built),
        padding_label=est.padding_label,
    )


def output_names(est, built=True):
    """Names of the model's outputs: from ``model_`` once this fit's model is
    built; before that, those the default model will have; None when unknown
    (a user's model not built yet) or when the model has one output."""
    if built:
        enc = est.target_encoder_
        bound = getattr(enc, "model_output_names_", None)
        if bound is not None:  # the model's name of each output of y, in y's order
            layout = getattr(enc, "model_layout_", None)
            return enc.from_model(bound if layout is None else layout.pack(bound)) if len(bound) > 1 else None
        outputs = symbolic_outputs(est.model_)
        return list(est.model_.output_names) if outputs and len(outputs) > 1 else None
    if est._builds_default_model():
        return [f"output_{j}" for j in range(getattr(est, "n_outputs_expected_", 1))]
    return None


def _weights(est, plan, resolved, rows):
    """Keras sample weights of ``rows``, laid out for a user's target encoder too."""
    weights = plan.sample_weights(rows.codes, resolved, rows.sample_weight)
    if not isinstance(est.target_encoder_, ComposedTargetEncoder):
        return weights
    return weights_for_encoded(weights, rows.y, est.class_weight)


def _as_float32(sample_weight):
    return None if sample_weight is None else np.asarray(sample_weight, dtype=np.float32)


def adapt(est, state):
    """Step 7: a default model built in this fit standardises its inputs with
    the means and variances of the training rows that carry weight."""
    if state.built and est.standardize and est._builds_default_model():
        adapt_standardization(est.model_, state.train.X, state.weights)


# --------------------------------------------------------------------------- #
# 8. what the training gets; 9. what it leaves
# --------------------------------------------------------------------------- #
def keras_data(est, state):
    """The training and validation rows and weights, in the structure the
    model declares: for a ``y`` of several outputs, the target encoder's
    ``to_model`` puts targets and weights in the model's structure (a list in
    its output order, a dict by output name, or a nested structure)."""
    train, val = state.train, state.validation
    y, weights = train.y, state.weights
    validation = None if val is None or not state.keras_validation else (val.X, val.y, state.validation_weights)
    enc = est.target_encoder_
    if not isinstance(enc, ComposedTargetEncoder) and enc.binds_outputs():
        y, weights = enc.to_model(y), _weights_to_model(enc, weights)
        if validation is not None:
            x_val, y_val, w_val = validation
            validation = (x_val, enc.to_model(y_val), _weights_to_model(enc, w_val))
    return TrainData(train.X, y, weights, validation)


def _weights_to_model(enc, weights):
    """Sample weights in the model's structure: one array for every output is
    given to each of them, and an output nothing weighs gets ones (Keras 3.4
    refuses a dict of weights with a None in it; a weight of 1 changes no
    loss or metric, ``x * 1.0`` being ``x`` exactly)."""
    if weights is None:
        return None
    if not isinstance(weights, list):
        weights = [weights] * enc.n_parts()
    if any(w is None for w in weights):
        ones = np.ones(len(next(w for w in weights if w is not None)), dtype=np.float32)
        weights = [ones if w is None else w for w in weights]
    return enc.to_model(weights)


def keras_plan(est, state):
    """The epochs, batch sizes, callbacks and seed of the training, the loop
    that ``training_loop`` asks for (:func:`~skweight._loop.resolve_training_loop`),
    and the other arguments of ``keras.Model.fit`` routed as SciKeras routes
    them (``fit``'s keywords over ``fit__`` parameters over the parameters)."""
    args = routed(est.get_params(), "fit", est._fit_kwargs)
    args.update(state.fit_kwargs)
    args.pop("validation_split", None)  # the validation rows are split off already (step 4)
    args = {k: v for k, v in args.items() if not k.startswith("callbacks") and k not in _GIVEN_BY_TRAIN}
    n = state.train.n if state.order is None else len(state.order)  # rows an epoch visits
    if est._builds_default_model() and args.get("batch_size") is None:
        args["batch_size"] = max(1, min(DEFAULT_BATCH_SIZE, n))
    for name in ("batch_size", "validation_batch_size"):
        if args.get(name) == -1:
            args[name] = n  # -1: one batch of all the training rows
    return TrainPlan(
        epochs=state.initial_epoch + state.epochs,
        initial_epoch=state.initial_epoch,
        batch_size=args.pop("batch_size", None),
        validation_batch_size=args.pop("validation_batch_size", None),
        shuffle=args.pop("shuffle", True),
        verbose=args.pop("verbose", 0),
        callbacks=state.callbacks,
        seed=state.seed,
        loop=resolve_training_loop(est.training_loop, est._builds_default_model()),
        fit_args=args,
        order=state.order,
    )


# arguments of ``keras.Model.fit`` that :func:`~skweight._loop.train` gives from ``TrainData`` and ``TrainPlan``
_GIVEN_BY_TRAIN = ("x", "y", "sample_weight", "validation_data", "epochs", "initial_epoch")


def finish(est, state, history):
    """Step 10: ``history_`` under the names Keras gives (those callbacks such as
    ``EarlyStopping(monitor=...)`` use), continued by a warm start from its
    ``initial_epoch``; ``training_loop_``, the loop that ran (a warning when
    ``training_loop="fast"`` fell back to ``Model.fit``, saying why)."""
    est.training_loop_ = history.training_loop
    if est.training_loop == "fast" and history.fallback_reason:
        warnings.warn(
            f"training_loop='fast' trained with keras.Model.fit instead: {history.fallback_reason}.",
            UserWarning,
            stacklevel=5,  # the caller of fit or partial_fit
        )
    previous = est.__dict__.get("history_", {})
    kept = {k: list(v) for k, v in previous.items()} if state.warm and state.initial_epoch > 0 else {}
    for key, values in history.history.items():
        kept.setdefault(key, []).extend(float(v) for v in values)
    est.history_ = kept


# --------------------------------------------------------------------------- #
# all or nothing
# --------------------------------------------------------------------------- #
#: What a fit sets on the estimator (restored as it was when a fit fails).
FITTED = (
    "model_",
    "history_",
    "training_loop_",
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
    "output_names_",
    "output_units_",
) + OPTIONS_FITTED


class Rollback:
    """Keeps a copy of the fitted state; restores it if the block raises
    (any exception, ``KeyboardInterrupt`` included): the estimator keeps its
    previous fitted state, or is left unfitted if it had none."""

    def __init__(self, est, warm):
        self.est = est
        self.warm = warm

    def __enter__(self):
        est = self.est
        self.saved = {k: est.__dict__[k] for k in FITTED if k in est.__dict__}
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
        if exc_type is None:
            return False
        est = self.est
        for k in FITTED:
            est.__dict__.pop(k, None)
        est.__dict__.update(self.saved)
        if self.weights is not None:
            for v, w in self.weights:
                v.assign(w)
            for v, w in self.opt_weights or ():
                v.assign(w)
            est.history_ = self.history
        return False


def _leaves(structure):
    """The leaves of a nested structure of dicts, lists and tuples (a model's losses)."""
    if isinstance(structure, Mapping):
        structure = list(structure.values())
    if isinstance(structure, (list, tuple)):
        for part in structure:
            yield from _leaves(part)
    else:
        yield structure


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
