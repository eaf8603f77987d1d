"""The weighting forms: ``"balanced"``, :class:`Balanced` and
:class:`EffectiveNumber`, small immutable specs that compute one weight per
class from the class counts (NumPy only, a leaf module).

``"balanced"`` is read as ``Balanced(1.0)`` (:func:`as_form`), so everything
downstream sees a form object, never the string.
"""

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ACCEPTED",
    "BALANCED",
    "Balanced",
    "EffectiveNumber",
    "WeightForm",
    "as_form",
    "given_once",
    "has_balanced",
    "is_spec",
]


class WeightForm:
    """Base of the weighting specs: one weight per class from the class counts."""

    __slots__ = ()

    def from_counts(self, counts, n_classes=None):  # pragma: no cover - abstract
        raise NotImplementedError


def _check_strength(owner, name, value, upper_open):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"{owner}({name}={value!r}): {name} must be a real number, not {type(value).__name__}.")
    v = float(value)
    ok = 0.0 <= v < 1.0 if upper_open else 0.0 <= v <= 1.0
    if not ok:
        interval = "[0, 1)" if upper_open else "[0, 1]"
        raise ValueError(f"{owner}({name}={value!r}): {name} must lie in {interval}.")
    return v


@dataclass(frozen=True)
class Balanced(WeightForm):
    """Tempered balancing: ``class_weight=Balanced(power)``.

    Class ``c`` weighs ``(n_samples / (n_classes * count(c))) ** power``:
    ``power=1`` is exactly scikit-learn's ``"balanced"``, ``power=0`` weighs
    every class 1, and values in between soften inverse-frequency weighting
    (full balancing is often too strong for ranking metrics such as average
    precision).  Accepted wherever ``"balanced"`` is, for every target kind;
    multi-label targets get ``(n / (2 * count)) ** power`` per label and side.

    Parameters
    ----------
    power : float in [0, 1], default 1.0

    Examples
    --------
    >>> from skweight import Balanced, class_weights
    >>> class_weights([0, 0, 0, 1], Balanced(power=0.5))
    {0: 0.816496580927726, 1: 1.4142135623730951}
    >>> class_weights([0, 0, 0, 1], Balanced(1.0)) == class_weights([0, 0, 0, 1], "balanced")
    True
    """

    power: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "power", _check_strength("Balanced", "power", self.power, upper_open=False))

    def from_counts(self, counts, n_classes=None):
        """One weight per class from ``counts`` (only classes present); ``n_classes``
        defaults to ``len(counts)``."""
        k = len(counts) if n_classes is None else n_classes
        base = counts.sum() / (k * counts)
        return base if self.power == 1.0 else base**self.power


@dataclass(frozen=True)
class EffectiveNumber(WeightForm):
    """Effective-number weighting (Cui et al., CVPR 2019): ``class_weight=EffectiveNumber(beta)``.

    Class ``c`` weighs ``(1 - beta) / (1 - beta ** count(c))``, the inverse of
    its "effective number" of samples, rescaled so that the weights average
    to 1 over the samples, as ``"balanced"`` weights do (the paper rescales
    so that they average to 1 over the classes instead; the ratio between
    classes is the same).  ``beta=0`` weighs every class 1; as ``beta``
    approaches 1 the weights approach ``"balanced"``.  Useful values sit near
    1 and depend on the class sizes (``0.9``, ``0.99``, ``0.999``, ...).
    Multi-label targets are weighed per label (its 1s and 0s).

    Parameters
    ----------
    beta : float in [0, 1), default 0.999

    Examples
    --------
    >>> from skweight import EffectiveNumber, class_weights
    >>> w = class_weights([0] * 90 + [1] * 10, EffectiveNumber(beta=0.99))
    >>> round(w[0], 3), round(w[1], 3)
    (0.657, 4.089)
    >>> class_weights([0, 0, 1], EffectiveNumber(0.0))
    {0: 1.0, 1: 1.0}
    """

    beta: float = 0.999

    def __post_init__(self):
        object.__setattr__(self, "beta", _check_strength("EffectiveNumber", "beta", self.beta, upper_open=True))

    def from_counts(self, counts, n_classes=None):
        """One weight per class from ``counts`` (only classes present), averaging
        1 over the samples; ``n_classes`` is not used."""
        if self.beta == 0.0:
            return np.ones(len(counts))
        # (1 - beta) cancels in the rescaling; 1 - beta**count computed stably
        raw = 1.0 / -np.expm1(counts * np.log(self.beta))
        return raw * (counts.sum() / np.dot(counts, raw))


#: What ``class_weight`` accepts, for error messages.
ACCEPTED = (
    "None, 'balanced', Balanced(power), EffectiveNumber(beta), a dict {label: weight}, or (multi-label) a list of "
    "{0: w_neg, 1: w_pos} dicts, or (multi-output) a list/dict with one of these per output"
)

#: ``"balanced"``, as every part of skweight past :func:`as_form` sees it.
BALANCED = Balanced(1.0)


def as_form(spec):
    """``"balanced"`` as :data:`BALANCED`; every other spec as it is (other
    strings are refused before, by the ``class_weight`` rule of
    :mod:`skweight._params`)."""
    return BALANCED if isinstance(spec, str) and spec == "balanced" else spec


def is_spec(value):
    """True for a value of the form ``class_weight`` takes: the whole spec, or
    one output's entry of a per-output spec."""
    return value is None or isinstance(value, (str, WeightForm, Mapping, list, tuple))


def given_once(spec):
    """True for a spec that weighs every class at once: ``"balanced"`` or a form."""
    return isinstance(spec, (str, WeightForm))


def has_balanced(spec):
    """True when ``class_weight`` computes weights from class counts anywhere
    (``"balanced"``, :class:`Balanced`, :class:`EffectiveNumber`; also per output)."""
    if isinstance(spec, str):
        return spec == "balanced"
    if isinstance(spec, WeightForm):
        return True
    if isinstance(spec, Mapping):
        spec = list(spec.values())
    if isinstance(spec, (list, tuple)):
        return any(isinstance(v, (list, tuple, Mapping, str, WeightForm)) and has_balanced(v) for v in spec)
    return False
