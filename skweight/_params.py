"""The estimator's parameters: one declared table of rules and messages,
checked once at the start of ``fit`` and ``partial_fit``, before any data or
Keras work (NumPy only).

Each parameter skweight adds or narrows has an entry in :data:`RULES`: the
tests its value must pass, in order, each with the error it raises otherwise.
The message names the parameter, shows the bad value and says what is
accepted.  :data:`INCREMENTAL_RULES` holds the extra rules of ``partial_fit``.
A new parameter gets its rules here (and its default in the estimator's
``__init__``); nothing else needs to check it.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ._forms import ACCEPTED, has_balanced, is_spec

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "EPOCHS_WITHOUT_STOPPING",
    "EPOCH_CAP",
    "RULES",
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
}

#: The extra rules of ``partial_fit`` (an incremental fit).
INCREMENTAL_RULES = {
    "class_weight": (Rule(lambda v: not has_balanced(v), _PARTIAL_FIT_BALANCED),),
}


def check_param(name, value, *, shown=None, rules=RULES):
    """Check one parameter's value against its rules; returns the value.
    ``shown`` is how the message names it (default ``name``; e.g. the entry
    ``class_weight['risk']`` of a per-output spec)."""
    for rule in rules[name]:
        rule.check(name if shown is None else shown, value)
    return value


def check_params(est, incremental=False):
    """Step 1 of a fit: every parameter in :data:`RULES` (and, for
    ``partial_fit``, :data:`INCREMENTAL_RULES`), read from ``est``."""
    for name in RULES:
        check_param(name, getattr(est, name))
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
