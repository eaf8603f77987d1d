"""Prediction: at throughput speed (a batch size picked from the row size and a
memory budget, and a loop over ``predict_on_batch`` that skips the per-call
set-up of ``keras.Model.predict``), the decisions of ``cost_matrix`` and
``decision_threshold``, and probabilities calibrated to the training prior
(``predict_proba_prior``).

Inference keeps no gradients, so the batch can be far larger than a training
batch; what bounds it is the memory one batch of inputs and activations takes.
``keras.Model.predict`` builds a data pipeline on every call (tens of
milliseconds, paid again on every test fold of a search) and adds a per-step
callback round; when nothing needs those (no predict callbacks, ``verbose=0``,
an array input), calling the traced predict step batch by batch gives the same
numbers faster.
"""

import numpy as np

from ._backend import prediction_rng_guard, quiet
from ._checks import check_weights, n_rows
from ._compose import ComposedTargetEncoder
from ._costs import decide, unweight_class_proba, unweight_ordinal_proba
from ._outputs import REGRESSION, accuracy_per_output, join_outputs, split_outputs
from ._params import routed
from ._threshold import apply_threshold
from .losses import adjustment_weights
from .weights import unweight_proba

# one batch of inputs and live activations stays under this many bytes
BUDGET_BYTES = 32 * 2**20
MIN_BATCH, MAX_BATCH = 32, 65_536


def _widest_layer(model):
    """Units of the model's widest layer output (per row), 0 when unknown."""
    widest = 0
    for layer in getattr(model, "layers", ()):
        try:
            outputs = layer.output
        except (AttributeError, ValueError, RuntimeError):  # not built, or called more than once
            continue
        for out in outputs if isinstance(outputs, (list, tuple)) else (outputs,):
            dims = tuple(getattr(out, "shape", ()))[1:]
            if dims and all(isinstance(d, int) for d in dims):
                widest = max(widest, int(np.prod(dims)))
    return widest


def _row_bytes(X):
    if isinstance(X, np.ndarray):
        return max(1, X[:1].nbytes) if X.shape[0] else max(1, X.itemsize * int(np.prod(X.shape[1:])))
    if isinstance(X, (list, tuple)):
        return sum(_row_bytes(x) for x in X)
    if isinstance(X, dict):
        return sum(_row_bytes(x) for x in X.values())
    shape = getattr(X, "shape", None)
    itemsize = getattr(getattr(X, "dtype", None), "itemsize", 8)
    return max(1, itemsize * int(np.prod(shape[1:]))) if shape is not None else 8


def predict_batch_size(X, model=None, budget_bytes=BUDGET_BYTES):
    """Rows per prediction batch: as many as fit ``budget_bytes`` of input
    plus two activations of the widest layer (in float32), within
    ``[MIN_BATCH, MAX_BATCH]``.

    Examples
    --------
    >>> import numpy as np
    >>> predict_batch_size(np.zeros((10, 20), np.float32))
    65536
    >>> predict_batch_size(np.zeros((10, 1_000_000), np.float32))
    32
    """
    per_row = _row_bytes(X) + 2 * 4 * _widest_layer(model)
    return int(min(MAX_BATCH, max(MIN_BATCH, budget_bytes // per_row)))


def predict_args(params, accepted):
    """Arguments for ``keras.Model.predict`` from the estimator's parameters,
    routed as SciKeras does (``predict__name`` wins over ``name``), except the
    top-level ``batch_size``: that one is the training batch.  ``batch_size``
    is ``None`` unless ``predict__batch_size`` is set."""
    args = routed(params, "predict", set(accepted) - {"batch_size"})
    args = {k: v for k, v in args.items() if "__" not in k and not k.startswith("callbacks")}
    args.setdefault("batch_size", None)
    return args


def can_predict_on_batch(X, pred_args):
    """The fast loop serves a plain array with no callbacks, no progress bar
    and no other ``predict`` arguments than ``batch_size``."""
    others = {k: v for k, v in pred_args.items() if k not in ("batch_size", "verbose", "callbacks")}
    return (
        isinstance(X, np.ndarray)
        and X.shape[0] > 0
        and not pred_args.get("callbacks")
        and not pred_args.get("verbose")
        and not others
    )


def _concat(parts):
    first = parts[0]
    if isinstance(first, dict):
        return {k: _concat([p[k] for p in parts]) for k in first}
    if isinstance(first, (list, tuple)):
        return type(first)(_concat([p[i] for p in parts]) for i in range(len(first)))
    return np.concatenate(parts, axis=0)


def predict_in_batches(model, X, batch_size):
    """``model.predict(X, batch_size=batch_size)`` through ``predict_on_batch``."""
    n = n_rows(X)
    parts = [model.predict_on_batch(X[start : start + batch_size]) for start in range(0, n, batch_size)]
    return parts[0] if len(parts) == 1 else _concat(parts)


def predict_raw(est, X, **kwargs):
    """The model's raw outputs for ``X`` (SciKeras's ``_predict_raw``), quiet
    when ``verbose=0``.

    The batch size is ``batch_size`` given to the call, else
    ``predict__batch_size``, else :func:`predict_batch_size`: the training
    ``batch_size`` is not used for inference, which keeps no gradients.
    Without predict callbacks or a progress bar the batches go through
    ``predict_on_batch``.
    """
    X, _ = est._validate_data(X=X, y=None)
    X = est.feature_encoder_.transform(X)
    pred_args = predict_args(est.get_params(), est._predict_kwargs)
    pred_args["callbacks"] = est._predict_callbacks
    pred_args.update(kwargs)
    if pred_args["batch_size"] is None:
        pred_args["batch_size"] = predict_batch_size(X, est.model_)
    elif pred_args["batch_size"] == -1:
        pred_args["batch_size"] = max(1, n_rows(X))
    with quiet(not est.verbose), prediction_rng_guard():
        if can_predict_on_batch(X, pred_args):
            return predict_in_batches(est.model_, X, pred_args["batch_size"])
        return est.model_.predict(x=X, **pred_args)


def encoded_proba(est, X):
    """``predict_proba`` of rows already through the feature encoder (a fit's
    validation rows), before any cost weights are undone."""
    batch_size = predict_batch_size(X, est.model_)
    with quiet(not est.verbose), prediction_rng_guard():
        if can_predict_on_batch(X, {"batch_size": batch_size}):
            raw = predict_in_batches(est.model_, X, batch_size)
        else:
            raw = est.model_.predict(X, batch_size=batch_size, verbose=0)
    return est.target_encoder_.inverse_transform(raw, return_proba=True)


# --------------------------------------------------------------------------- #
# cost_matrix and decision_threshold: probabilities and decisions
# --------------------------------------------------------------------------- #
def decides(est):
    """True when ``predict`` is not the most probable class: a fit with
    ``cost_matrix`` (``cost_matrix_``) or ``decision_threshold`` (``threshold_``)."""
    return "cost_matrix_" in est.__dict__ or "threshold_" in est.__dict__


def undo_cost_weights(est, proba):
    """``predict_proba``: the model's probabilities with the cost weights of
    training (``cost_weight_``) taken out, so that they stay calibrated and
    the decision does not count the costs twice."""
    weights = est.__dict__.get("cost_weight_")
    if weights is None:
        return proba
    if not _per_output_costs(est):
        return _undo(est.target_kind_, proba, weights, est.classes_)
    names, kinds = _kinds(est)
    parts = split_outputs(proba)[1] if est._is_per_output() else proba
    classes = split_outputs(est.classes_)[1]
    weights = split_outputs(weights)[1]
    return join_outputs(names, [_undo(*part) for part in zip(kinds, parts, weights, classes)])


def _per_output_costs(est):
    return est._is_per_output() or est.target_kind_ == "multioutput"


def _kinds(est):
    """``(names, kinds)`` of the outputs: per output, or the columns of a 2-D multi-output target."""
    if est._is_per_output():
        return split_outputs(est.target_kind_)
    return None, ["multiclass"] * len(est.classes_)


def _undo(kind, proba, weights, classes):
    if weights is None:
        return proba
    w = np.array([weights[c] for c in _keys(kind, classes)])
    if np.all(w == 1.0):
        return proba
    if kind == "ordinal":
        return unweight_ordinal_proba(proba, w)
    return unweight_class_proba(proba, w)


def _keys(kind, classes):
    return [int(c) for c in classes] if kind in ("onehot", "ordinal") else np.asarray(classes).tolist()


def decided(est, proba):
    """``predict``'s labels from ``predict_proba``: ``classes_[p >= threshold_]``
    for a decision threshold, the class of least expected cost under
    ``cost_matrix_`` (per output; outputs without costs: as without)."""
    if "threshold_" in est.__dict__:
        return np.asarray(est.classes_)[apply_threshold(proba[:, 1], est.threshold_)]
    costs = est.cost_matrix_
    if not _per_output_costs(est):
        return decide(est.target_kind_, proba, costs, est.classes_)
    if not est._is_per_output():
        return decide("multioutput", proba, costs, est.classes_)
    names, kinds = split_outputs(est.target_kind_)
    parts, classes = split_outputs(proba)[1], split_outputs(est.classes_)[1]
    labels = []
    for enc, kind, p, cost, cl in zip(est.target_encoder_.outputs_, kinds, parts, costs, classes):
        if cost is not None:
            labels.append(decide(kind, p, cost, cl))
        else:
            labels.append(p if kind == REGRESSION else enc.labels(p))
    return join_outputs(names, labels)


# --------------------------------------------------------------------------- #
# probabilities calibrated to the training prior
# --------------------------------------------------------------------------- #
#: Target kinds whose class weights ``predict_proba_prior`` can undo.
PRIOR_KINDS = ("binary", "multiclass", "onehot", "multilabel", "multioutput")


def proba_prior(est, X):
    """``predict_proba(X)`` divided by the class weights of the fit and
    renormalised (see ``WeightedKerasClassifier.predict_proba_prior``)."""
    if isinstance(est.target_encoder_, ComposedTargetEncoder):
        raise ValueError(
            "predict_proba_prior needs skweight's own target encoder, to know the layout of the "
            "probabilities; this estimator's target_encoder is its own. Divide its probabilities by "
            "class_weight_ with skweight.unweight_proba."
        )
    kind = est.target_kind_
    if est._is_per_output():
        names, kinds = split_outputs(kind)
        weights, classes = split_outputs(est.class_weight_)[1], split_outputs(est.classes_)[1]
        for k, cw, key in zip(kinds, weights, est.output_names_):
            _check_prior(k, cw, key)  # before predicting
        probas = split_outputs(est.predict_proba(X))[1]
        return join_outputs(names, [_prior(*part) for part in zip(kinds, probas, weights, classes)])
    if kind not in PRIOR_KINDS:
        raise ValueError(
            f"predict_proba_prior supports binary, multiclass, one-hot, multi-label and multi-output "
            f"targets, not {kind!r}."
        )
    proba = est.predict_proba(X)
    if kind == "multioutput":
        return [_prior("multiclass", p, cw, c) for p, cw, c in zip(proba, est.class_weight_, est.classes_)]
    proba = _prior(kind, proba, est.class_weight_, est.classes_)
    trained = _option_weights(est)
    return proba if trained is None else unweight_proba(proba, trained)


def _option_weights(est):
    """The class weights that ``sampling`` and ``logit_adjustment`` amount to in
    training (None without them): a resampled epoch sees class ``c``
    ``sampling_ratio_[c]`` times as often as the rows hold it; a logit-adjusted
    model's probabilities are those of weights ``prior ** -tau``."""
    if "sampling_ratio_" in est.__dict__:
        return [est.sampling_ratio_[c] for c in _keys(est.target_kind_, est.classes_)]
    if "class_prior_" in est.__dict__:
        return adjustment_weights(est.class_prior_, est.model_.loss.tau)
    return None


def _prior(kind, proba, cw, classes):
    """The probabilities of one target (or output) calibrated to its prior."""
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


# --------------------------------------------------------------------------- #
# the score of a target of several outputs
# --------------------------------------------------------------------------- #
def score_outputs(est, X, y, sample_weight=None):
    """``score`` for a ``y`` of several outputs (see ``WeightedKerasClassifier.score``):
    per output (a dict or list), the mean over the classification outputs of
    each one's accuracy; for a 2-D array of label columns, the share of rows
    whose every column is right, as scikit-learn's ``MultiOutputClassifier``."""
    _, y = est._validate_data(X=None, y=y)
    weights = check_weights(sample_weight, X, y)
    if not est._is_per_output():
        hit = np.all(np.asarray(y) == est.predict(X), axis=1)
        return float(np.average(hit, weights=weights))
    scores = accuracy_per_output(est.target_kind_, y, est.predict(X), weights)
    values = [v for v in split_outputs(scores)[1] if v is not None]
    if not values:
        raise ValueError("score needs a classification output; every output of y is a regression output.")
    return float(np.mean(values))
