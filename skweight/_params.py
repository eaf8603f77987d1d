"""The estimator's parameters: one declared table of rules and messages,
checked once at the start of ``fit`` and ``partial_fit``, before any data or
Keras work (NumPy only; scikit-learn's scorers for
``decision_threshold_scoring``).

Each parameter skweight adds or narrows has an entry in :data:`RULES`: the
tests its value must pass, in order, each with the error it raises otherwise.
The message names the parameter, shows the bad value and says what is
accepted.  :data:`CONFLICTS` are the pairs of parameters that cannot be given
together (each message names both), :data:`INCREMENTAL_RULES` the extra rules
of ``partial_fit``.  A new parameter gets its rules here (and its default in
the estimator's ``__init__``); nothing else needs to check it.  What depends
on the data (a cost matrix's labels, the target kind an option applies to) is
checked once the classes are known, before the model is built
(:mod:`skweight._options`).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ._forms import ACCEPTED, has_balanced, is_spec
from ._sampling import check_sampling
from ._threshold import check_decision_threshold, check_threshold_scoring

__all__ = [
    "CONFLICTS",
    "COST_ACCEPTED",
    "COST_FORMS",
    "DEFAULT_BATCH_SIZE",
    "EPOCHS_WITHOUT_STOPPING",
    "EPOCH_CAP",
    "RULES",
    "check_cost_form",
    "check_focal_gamma",
    "check_logit_adjustment",
    "check_nonnegative",
    "check_param",
    "check_params",
    "layer_sizes",
    "routed",
    "seed_from",
]

#: Most epochs a fit trains with ``epochs=None`` and early stopping.
EPOCH_CAP = 200
#: Epochs a fit trains with ``epochs=None`` when it does not stop early (early
#: stopping off, or too few rows of a class for a stratified validation split).
EPOCHS_WITHOUT_STOPPING = 50
#: Training batch size of the default model when ``batch_size`` is None:
#: ``min(DEFAULT_BATCH_SIZE, training rows)``, like ``MLPClassifier``'s "auto".
DEFAULT_BATCH_SIZE = 200


@dataclass(frozen=True)
class Rule:
    """A value must pass ``accepts``; else ``error`` is raised with ``message``,
    formatted with ``name`` (how the message names the parameter), ``value``
    and ``type`` (the value's type name)."""

    accepts: object
    message: str
    error: type = ValueError

    def check(self, name, value):
        if not self.accepts(value):
            raise self.error(self.message.format(name=name, value=value, type=type(value).__name__))


@dataclass(frozen=True)
class Checked:
    """A value is checked by ``check(value, name)``, a function that raises its
    own error (a check that another module shares, e.g. a loss's ``gamma``)."""

    check_value: object

    def check(self, name, value):
        self.check_value(value, name)


@dataclass(frozen=True)
class Conflict:
    """Parameters ``names`` that cannot be given together: ``applies(*values)``
    true raises a ``ValueError`` with ``message``, formatted with the values by name."""

    names: tuple
    applies: object
    message: str

    def check(self, est):
        values = {name: getattr(est, name) for name in self.names}
        if self.applies(*values.values()):
            raise ValueError(self.message.format(**values))


def is_int(v):
    """An int that is not a bool."""
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _is_real(v):
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _is_bool(v):
    return isinstance(v, (bool, np.bool_))


def layer_sizes(value):
    """``hidden_layer_sizes`` as a tuple: None is no hidden layer, an int one layer."""
    if value is None:
        return ()
    if isinstance(value, numbers.Integral):
        return (value,)
    return tuple(value)


def check_nonnegative(value, param, what):
    """``value`` as a float, if it is a finite real number >= 0; else an error
    naming ``param`` and saying ``what`` to give."""
    if not _is_real(value):
        raise TypeError(f"{param}={value!r} has type {type(value).__name__}; give {what}.")
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{param}={value!r} is not accepted; give {what}.")
    return v


def check_focal_gamma(gamma, param="focal_gamma"):
    """``focal_gamma``: a finite float >= 0 (0 is plain cross-entropy)."""
    return check_nonnegative(gamma, param, "a finite float >= 0 (0 trains as plain cross-entropy; 2 is usual)")


def check_logit_adjustment(tau, param="logit_adjustment"):
    """``logit_adjustment``: None or a finite float ``tau >= 0``."""
    if tau is None:
        return None
    return check_nonnegative(tau, param, "None or a finite float tau >= 0 (1 is Menon et al.'s choice)")


#: The named forms of ``cost_matrix`` (both need classes with an order).
COST_FORMS = ("ordinal", "ordinal_squared")
#: What ``cost_matrix`` accepts, as messages say it.
COST_ACCEPTED = (
    "None, 'ordinal', 'ordinal_squared', an array of shape (n_classes, n_classes) whose [i, j] is the cost of "
    "predicting classes_[j] when the truth is classes_[i], or a dict {true_label: {predicted_label: cost}} "
    "(missing pairs cost 0 on the diagonal and 1 elsewhere); for several outputs, one of these per output "
    "(a list, or a dict keyed by output name)"
)


def check_cost_form(value, param="cost_matrix"):
    """The form of ``cost_matrix`` (its values are checked against the classes
    in the fit, :func:`skweight._costs.resolve_cost_matrix`)."""
    if isinstance(value, str):
        if value not in COST_FORMS:
            raise ValueError(f"{param}={value!r} is not a named cost form; accepted: {COST_ACCEPTED}.")
    elif value is not None and not isinstance(value, (np.ndarray, list, tuple, Mapping)):
        raise TypeError(f"{param}={value!r} has type {type(value).__name__}; accepted: {COST_ACCEPTED}.")
    return value


_SIZES = "{name}={value!r} must be a tuple of positive ints, e.g. (100,)."
_CLASS_WEIGHT = "; accepted: " + ACCEPTED.replace("{", "{{").replace("}", "}}") + "."
_PARTIAL_FIT_BALANCED = (
    "{name}={value!r} is not supported by partial_fit: 'balanced' (and Balanced/EffectiveNumber) would be computed "
    "from each batch's own class counts. Compute the weights once on the full label set (or a representative "
    "sample), e.g. weights = skweight.class_weights(y_all, 'balanced'), and pass them: "
    "set_params(class_weight=weights)."
)

#: name -> the rules its value must pass, in order (the first that fails raises).
RULES = {
    "class_weight": (
        Rule(lambda v: not isinstance(v, str) or v == "balanced", "{name}={value!r} is not supported" + _CLASS_WEIGHT),
        Rule(is_spec, "{name}={value!r} has type {type}" + _CLASS_WEIGHT, TypeError),
    ),
    "hidden_layer_sizes": (
        Rule(lambda v: v is None or isinstance(v, (numbers.Integral, Iterable)), _SIZES, TypeError),
        Rule(lambda v: all(is_int(s) and s > 0 for s in layer_sizes(v)), _SIZES),
    ),
    "validation_split": (
        Rule(lambda v: _is_real(v) and 0.0 <= float(v) < 1.0, "{name}={value!r} must be a float in [0, 1)."),
    ),
    "epochs": (
        Rule(
            lambda v: v is None or is_int(v) and v >= 0,
            "{name}={value!r} must be None (up to " + str(EPOCH_CAP) + " with early stopping) or an int >= 0.",
        ),
    ),
    "alpha": (
        Rule(
            lambda v: _is_real(v) and bool(np.isfinite(v) and v >= 0),
            "{name}={value!r} must be a finite real number >= 0 (the L2 strength; 0 turns it off).",
        ),
    ),
    "standardize": (Rule(_is_bool, "{name}={value!r} must be True or False.", TypeError),),
    "early_stopping": (
        Rule(
            lambda v: v == "auto" if isinstance(v, str) else _is_bool(v),
            "{name}={value!r} must be 'auto', True or False.",
        ),
    ),
    "validation_fraction": (
        Rule(
            lambda v: _is_real(v) and 0.0 < float(v) < 1.0, "{name}={value!r} must be a float strictly between 0 and 1."
        ),
    ),
    "n_iter_no_change": (
        Rule(lambda v: is_int(v) and v >= 1, "{name}={value!r} must be an int >= 1 (epochs without improvement)."),
    ),
    "training_loop": (
        Rule(
            lambda v: isinstance(v, str) and v in ("auto", "fast", "keras"),
            "{name}={value!r} must be 'auto' (skweight's loop for the default model, keras.Model.fit for a model "
            "of your own), 'fast' (skweight's loop wherever it applies) or 'keras' (always keras.Model.fit).",
        ),
    ),
    "random_state": (
        Rule(
            lambda v: v is None or is_int(v) or isinstance(v, np.random.RandomState),
            "{name}={value!r} is not accepted; give None, an int or a numpy.random.RandomState.",
            TypeError,
        ),
    ),
    "cost_matrix": (Checked(check_cost_form),),
    "sampling": (Checked(lambda v, name: check_sampling(v, param=name)),),
    "focal_gamma": (Checked(check_focal_gamma),),
    "logit_adjustment": (Checked(check_logit_adjustment),),
    "decision_threshold": (Checked(check_decision_threshold),),
    "decision_threshold_scoring": (Checked(check_threshold_scoring),),
}

_TWICE = "would correct the class imbalance twice"
#: Parameters that cannot be given together, checked after :data:`RULES`.
CONFLICTS = (
    Conflict(
        ("sampling", "class_weight"),
        lambda s, cw: s is not None and cw is not None,
        "sampling={sampling!r} with class_weight={class_weight!r} " + _TWICE + " (a resampled epoch already holds "
        "every class equally often); give class_weight=None to resample, or sampling=None to weigh.",
    ),
    Conflict(
        ("logit_adjustment", "class_weight"),
        lambda tau, cw: tau is not None and cw is not None,
        "logit_adjustment={logit_adjustment!r} with class_weight={class_weight!r} " + _TWICE + " (the adjusted "
        "loss already takes each class's prior out); give class_weight=None, or logit_adjustment=None.",
    ),
    Conflict(
        ("logit_adjustment", "sampling"),
        lambda tau, s: tau is not None and s is not None,
        "logit_adjustment={logit_adjustment!r} with sampling={sampling!r} " + _TWICE + " (a resampled epoch "
        "has no longer the rows' priors, which the adjusted loss takes out); give one of them.",
    ),
    Conflict(
        ("logit_adjustment", "loss"),
        lambda tau, loss: tau is not None and loss is not None,
        "logit_adjustment={logit_adjustment!r} chooses the loss (the logit-adjusted cross-entropy for the target "
        "kind), so loss={loss!r} would be a second choice; give loss=None with logit_adjustment, or "
        "logit_adjustment=None.",
    ),
    Conflict(
        ("decision_threshold", "cost_matrix"),
        lambda t, cost: t is not None and cost is not None,
        "decision_threshold={decision_threshold!r} and cost_matrix both decide predict's labels (for a binary "
        "target a cost matrix C is the threshold C[0, 1] / (C[0, 1] + C[1, 0]) on calibrated probabilities); "
        "give one of them.",
    ),
)

_PARTIAL_FIT_AUTO = (
    "{name}={value!r} is not supported by partial_fit: it tunes the threshold on validation rows held out of a "
    "fit, and partial_fit holds out none. Use fit, or a float threshold in (0, 1)."
)

#: The extra rules of ``partial_fit`` (an incremental fit).
INCREMENTAL_RULES = {
    "class_weight": (Rule(lambda v: not has_balanced(v), _PARTIAL_FIT_BALANCED),),
    "decision_threshold": (Rule(lambda v: not (isinstance(v, str) and v == "auto"), _PARTIAL_FIT_AUTO),),
}


def check_param(name, value, *, shown=None, rules=RULES):
    """Check one parameter's value against its rules; returns the value.
    ``shown`` is how the message names it (default ``name``; e.g. the entry
    ``class_weight['risk']`` of a per-output spec)."""
    for rule in rules[name]:
        rule.check(name if shown is None else shown, value)
    return value


def check_params(est, incremental=False):
    """Step 1 of a fit: every parameter in :data:`RULES`, then
    :data:`CONFLICTS` (and, for ``partial_fit``, :data:`INCREMENTAL_RULES`),
    read from ``est``."""
    for name in RULES:
        check_param(name, getattr(est, name))
    for conflict in CONFLICTS:
        conflict.check(est)
    if incremental:
        for name in INCREMENTAL_RULES:
            check_param(name, getattr(est, name), rules=INCREMENTAL_RULES)


def seed_from(random_state):
    """An int seed from ``random_state`` (None, int or ``np.random.RandomState``),
    without advancing a RandomState the caller holds."""
    check_param("random_state", random_state)
    if random_state is None:
        return None
    if isinstance(random_state, np.random.RandomState):
        copy = np.random.RandomState()
        copy.set_state(random_state.get_state())
        return int(copy.randint(np.iinfo(np.int32).max))
    return int(random_state)


def routed(params, destination, names):
    """The arguments of a Keras call (``destination``: ``"fit"``,
    ``"predict"``) from the estimator's parameters, as SciKeras routes them:
    the parameters in ``names``, and every ``destination__name`` parameter
    (the prefix taken off) over them."""
    prefix = destination + "__"
    args = {k: v for k, v in params.items() if "__" not in k and k in names}
    args.update({k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)})
    return args
