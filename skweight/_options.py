"""The options beyond per-class weights inside one fit: ``cost_matrix``,
``sampling``, ``loss="focal"`` (``focal_gamma``), ``logit_adjustment`` and
``decision_threshold`` (``decision_threshold_scoring``).

Their values are checked in step 1 (:mod:`skweight._params`, before any data
is read).  This module holds what needs the fitted classes, each called by one
step of :func:`skweight._fit.fit`:

* :func:`check_for_target` (step 3, before the model is built): every option
  against the target kind it applies to, and a cost matrix against the
  classes;
* :func:`compile_loss` and :func:`check_compiled_loss` (step 3): the focal
  or logit-adjusted loss the model is compiled with;
* :func:`weigh` (step 6, on the training rows): the cost weights multiplied
  into the sample weights (``cost_matrix_``, ``cost_weight_``), the priors of
  logit adjustment (``class_prior_``), the resampled epoch order
  (``sampling_ratio_``);
* :func:`tune` (step 9, after training): ``threshold_`` (and, for
  ``"auto"``, ``threshold_score_``, found on the validation rows).

Why training takes the costs as per-class weights, undone in ``predict_proba``,
and decides by minimum expected cost in ``predict``: :mod:`skweight._costs`
and ``docs/options-integration.md``.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ._compose import ComposedTargetEncoder
from ._costs import cost_class_weights, resolve_cost_matrices, resolve_cost_matrix
from ._metrics import copy_metrics, per_output_metrics
from ._outputs import REGRESSION, join_outputs, split_outputs
from ._predict import encoded_proba
from ._sampling import SAMPLING_KINDS, EpochOrder, check_sampling, class_codes
from ._threshold import check_threshold_kind, tune_threshold
from .losses import (
    LOGIT_ADJUSTMENT_KINDS,
    ElementwiseBinaryCrossentropy,
    ElementwiseFocalBinaryCrossentropy,
    FocalBinaryCrossentropy,
    FocalCategoricalCrossentropy,
    LogitAdjustedBinaryCrossentropy,
    LogitAdjustedCategoricalCrossentropy,
    LogitAdjustedSparseCategoricalCrossentropy,
    class_priors,
    default_loss,
    focal_loss,
    is_plain_bce,
    logit_adjusted_loss,
)

__all__ = [
    "compile_kwargs",
    "FITTED",
    "check_compiled_loss",
    "check_for_target",
    "chose_loss",
    "compile_loss",
    "keras_loss_param",
    "replaces_loss",
    "tune",
    "weigh",
]

#: What the options set on the estimator (each only when its option is given).
FITTED = ("cost_matrix_", "cost_weight_", "class_prior_", "sampling_ratio_", "threshold_", "threshold_score_")

# the options that decide or weigh by the target's classes (not the focal loss)
_BY_CLASS = ("cost_matrix", "sampling", "logit_adjustment", "decision_threshold")


# the options a multi-output target cannot take: the kinds they apply to, and what to use instead
_ONE_CLASS_PER_ROW = {
    "sampling": (SAMPLING_KINDS, "class_weight"),
    "logit_adjustment": (LOGIT_ADJUSTMENT_KINDS, "class_weight"),
    "decision_threshold": (("binary",), "cost_matrix per output"),
}


def _given(est):
    return [name for name in _BY_CLASS if getattr(est, name) is not None]


# --------------------------------------------------------------------------- #
# step 3: the options against the target
# --------------------------------------------------------------------------- #
def check_for_target(est):
    """Every option against the target kind it applies to (and a cost matrix
    against the classes), before the model is built: a ``ValueError`` naming
    the option and the kinds it takes."""
    given = _given(est)
    if given and isinstance(est.target_encoder_, ComposedTargetEncoder):
        raise ValueError(
            f"{given[0]}={getattr(est, given[0])!r} needs skweight's own target encoder (to know the classes and "
            "the layout of the probabilities); this estimator's target_encoder is its own. Leave "
            f"{given[0]}=None with it."
        )
    kind, per_output = est.target_kind_, est._is_per_output()
    resolve_costs(est)
    for name, (kinds, instead) in _ONE_CLASS_PER_ROW.items():
        value = getattr(est, name)
        if value is not None and (per_output or kind == "multioutput"):
            raise ValueError(
                f"{name}={value!r} needs one class per row, but y has several outputs (a row holds one label per "
                f"output); it applies to {', '.join(kinds)} targets. Use {instead} for a multi-output target, "
                f"or {name}=None."
            )
    check_sampling(est.sampling, kind)
    if est.logit_adjustment is not None and kind not in LOGIT_ADJUSTMENT_KINDS:
        raise ValueError(
            f"logit_adjustment={est.logit_adjustment!r} is given, but the target is {kind!r}; it applies to "
            f"{', '.join(LOGIT_ADJUSTMENT_KINDS)} targets (a prior over one class per row). Use class_weight for "
            "this target, or logit_adjustment=None."
        )
    if est.decision_threshold is not None:
        check_threshold_kind(kind)
    if est.loss == "focal":
        focal_loss(kind, est.focal_gamma, getattr(est, "n_outputs_expected_", 1))


def resolve_costs(est):
    """``cost_matrix`` as one canonical ``(k, k)`` array in ``classes_`` order
    (a list, one per output, for a multi-output target; None entries for
    outputs without costs), or None."""
    if est.cost_matrix is None:
        return None
    kind = est.target_kind_
    if est._is_per_output():
        names, kinds = split_outputs(kind)
        return resolve_cost_matrices(est.cost_matrix, kinds, split_outputs(est.classes_)[1], names)
    if kind == "multioutput":
        return resolve_cost_matrices(est.cost_matrix, ["multiclass"] * len(est.classes_), est.classes_)
    return resolve_cost_matrix(est.cost_matrix, est.classes_, kind=kind)


# --------------------------------------------------------------------------- #
# step 3: the loss
# --------------------------------------------------------------------------- #
def replaces_loss(est):
    """True when skweight chooses the loss: ``loss="focal"`` or ``logit_adjustment``."""
    return est.loss == "focal" or est.logit_adjustment is not None


def chose_loss(est):
    """True when the compiled loss is not the ``loss`` parameter on purpose:
    an option chose it, or a multi-label target's plain binary cross-entropy
    was swapped for its element-wise form (SciKeras would refuse either)."""
    swapped = is_plain_bce(est.loss) and isinstance(getattr(est.model_, "loss", None), ElementwiseBinaryCrossentropy)
    return swapped or replaces_loss(est)


@contextmanager
def keras_loss_param(est):
    """While SciKeras reads the compile arguments: ``loss="focal"`` (no Keras
    loss name) reads as None; the loss itself comes from :func:`compile_loss`."""
    if est.loss != "focal":
        yield
        return
    est.loss = None
    try:
        yield
    finally:
        est.loss = "focal"


def compile_loss(est, kind):
    """The loss the options choose for ``kind`` (None: no option chooses one).
    The priors of logit adjustment are set in step 6, from the training rows."""
    if est.loss == "focal":
        return focal_loss(kind, est.focal_gamma, getattr(est, "n_outputs_expected_", 1))
    if est.logit_adjustment is not None:
        return logit_adjusted_loss(kind, est.logit_adjustment)
    return None


_FOCAL = (FocalBinaryCrossentropy, FocalCategoricalCrossentropy, ElementwiseFocalBinaryCrossentropy)
_ADJUSTED = (
    LogitAdjustedBinaryCrossentropy,
    LogitAdjustedCategoricalCrossentropy,
    LogitAdjustedSparseCategoricalCrossentropy,
)


def check_compiled_loss(est):
    """A model compiled by the user keeps its loss; then ``loss="focal"`` or
    ``logit_adjustment`` would not train: a ``ValueError`` before training."""
    loss = est.model_.loss
    parts = list(loss.values()) if isinstance(loss, dict) else loss if isinstance(loss, list) else [loss]
    parts = [p for p in parts if p != "mean_squared_error"]
    if est.loss == "focal" and not all(isinstance(p, _FOCAL) for p in parts):
        raise ValueError(
            f"loss='focal' is given, but the model is compiled with {loss!r}: skweight compiles the focal loss "
            "only into a model it compiles. Give an uncompiled model (or a build function that compiles with "
            "the compile_kwargs it gets), or compile it with a loss of skweight.losses yourself and loss=None."
        )
    if est.logit_adjustment is not None and not isinstance(loss, _ADJUSTED):
        raise ValueError(
            f"logit_adjustment={est.logit_adjustment!r} is given, but the model is compiled with {loss!r}: the "
            "logit-adjusted loss is compiled only into a model skweight compiles. Give an uncompiled model, or "
            "logit_adjustment=None."
        )


# --------------------------------------------------------------------------- #
# step 6: cost weights, priors, the epoch order
# --------------------------------------------------------------------------- #
def weigh(est, state):
    """Step 6 for the options, on the training rows of this fit (after the
    class weights): see the module docstring.  Fitted attributes of options
    not given in this fit are removed (a refit with other options)."""
    keep = ("class_prior_",) if state.warm and est.logit_adjustment is not None else ()
    for name in FITTED:
        if name not in keep:
            est.__dict__.pop(name, None)
    costs = resolve_costs(est)
    if costs is not None:
        _weigh_costs(est, state, costs)
    if est.logit_adjustment is not None:
        if "class_prior_" not in est.__dict__:
            est.class_prior_ = class_priors(_counts(est.target_kind_, state.train.codes, len(est.classes_)))
        est.model_.loss.set_priors(est.class_prior_)
    if est.sampling is not None:
        kind = est.target_kind_
        state.order = EpochOrder(class_codes(kind, state.train.codes), est.sampling, state.seed)
        ratios = dict(zip(state.order.classes.tolist(), state.order.ratios.tolist()))
        est.sampling_ratio_ = {c: float(ratios.get(i, 1.0)) for i, c in enumerate(_labels(kind, est.classes_))}


def _counts(kind, codes, k):
    return np.bincount(class_codes(kind, codes), minlength=k)


def _labels(kind, classes):
    """How the fitted attributes key the classes: the user's labels (column
    indices for one-hot targets, levels for ordinal ones)."""
    return [int(c) for c in classes] if kind in ("onehot", "ordinal") else np.asarray(classes).tolist()


def _weigh_costs(est, state, costs):
    """``cost_matrix_``, ``cost_weight_`` and the cost weights multiplied into
    the training and validation sample weights (one factor per output)."""
    est.cost_matrix_ = costs
    kind, train, val = est.target_kind_, state.train, state.validation
    if not isinstance(costs, list):
        w = cost_class_weights(costs, _counts(kind, train.codes, len(costs)))
        est.cost_weight_ = dict(zip(_labels(kind, est.classes_), w.tolist()))
        if not np.all(w == 1.0):  # symmetric costs weigh every class alike: the plain fit
            state.weights = _times(state.weights, w, kind, train.codes)
            if val is not None:
                state.validation_weights = _times(state.validation_weights, w, kind, val.codes)
        return
    names, kinds = split_outputs(kind) if est._is_per_output() else (None, ["multiclass"] * len(costs))
    classes = split_outputs(est.classes_)[1]
    ws = [
        None if C is None else cost_class_weights(C, _counts(k, c, len(C)))
        for C, k, c in zip(costs, kinds, train.codes)
    ]
    est.cost_weight_ = join_outputs(
        names, [None if w is None else dict(zip(_labels(k, c), w.tolist())) for w, k, c in zip(ws, kinds, classes)]
    )
    state.weights = _times_outputs(state.weights, ws, kinds, train.codes)
    if val is not None:
        state.validation_weights = _times_outputs(state.validation_weights, ws, kinds, val.codes)


def _times(weights, w, kind, codes):
    """``weights`` (None, ``(n,)`` or ``(n, ...)``) times each row's class weight ``w``, in a new float32 array."""
    factor = w[class_codes(kind, codes)].astype(np.float32)
    if weights is None:
        return factor
    weights = np.asarray(weights, dtype=np.float32)
    return weights * factor.reshape((-1,) + (1,) * (weights.ndim - 1))


def _times_outputs(weights, ws, kinds, codes):
    """Per-output weights times each output's cost weights: a list, one entry per
    output (a 2-D multi-output target's one ``(n,)`` weight array weighs every output)."""
    n = len(ws)
    base = weights if isinstance(weights, list) else [weights] * n
    out = []
    for j, (w, kind) in enumerate(zip(ws, kinds)):
        if w is None or kind == REGRESSION or np.all(w == 1.0):
            out.append(base[j])
        else:
            out.append(_times(base[j], w, kind, codes[j]))
    return None if all(o is None for o in out) else out


# --------------------------------------------------------------------------- #
# step 9: the decision threshold
# --------------------------------------------------------------------------- #
def tune(est, state):
    """Step 9: ``threshold_`` for ``decision_threshold``: the float given, or for
    ``"auto"`` the threshold that maximises ``decision_threshold_scoring`` on
    this fit's validation rows (``threshold_score_``, the score there), under
    the user's ``sample_weight`` of those rows (not the class weights: the
    scorer is the metric asked for).  No other fit."""
    t = est.decision_threshold
    if t is None:
        return
    if not isinstance(t, str):
        est.threshold_ = float(t)
        return
    val = state.validation
    positive = encoded_proba(est, val.X)[:, 1]
    search = tune_threshold(
        np.asarray(val.codes).astype(int), positive, est.decision_threshold_scoring, sample_weight=val.sample_weight
    )
    est.threshold_, est.threshold_score_ = search.threshold, search.score


def compile_kwargs(est, kw):
    """The work of ``WeightedKerasClassifier._get_compile_kwargs`` on SciKeras's
    ``kw``: the loss for the target kind (focal or logit-adjusted when asked),
    ``metrics`` mirrored into ``weighted_metrics`` (per output for a ``y`` of
    several outputs), all in the structure of nested outputs."""
    kind = getattr(est, "target_kind_", None)
    if replaces_loss(est):
        kw["loss"] = compile_loss(est, kind)
    elif kw.get("loss") is None:
        kw["loss"] = default_loss(kind, getattr(est, "n_outputs_expected_", 1))
    elif kind == "multilabel" and is_plain_bce(kw["loss"]):
        kw["loss"] = ElementwiseBinaryCrossentropy()
    metrics = kw.get("metrics")
    if metrics and est._is_per_output():  # Keras takes them per output
        weighted = kw.get("weighted_metrics") or metrics
        kw["metrics"] = per_output_metrics(metrics, est.target_kind_)
        kw["weighted_metrics"] = per_output_metrics(weighted, est.target_kind_)
    elif metrics and not kw.get("weighted_metrics"):
        kw["weighted_metrics"] = copy_metrics(metrics)
    enc = getattr(est, "target_encoder_", None)
    if hasattr(enc, "spec_to_model"):  # a model of nested outputs: in its structure
        kw.update({k: enc.spec_to_model(kw.get(k), k) for k in ("loss", "metrics", "weighted_metrics")})
    return kw
