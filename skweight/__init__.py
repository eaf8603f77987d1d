"""skweight: scikit-learn class weights for Keras classifiers.

The public API is the names below and the modules :mod:`skweight.weights`,
:mod:`skweight.losses`, :mod:`skweight.model_selection`, :mod:`skweight.dask`
and :mod:`skweight.classifier`; modules whose names start with ``_`` are
internal and may change in any release.
"""

from ._errors import BackendNotInstalledError
from ._versions import __version__ as __version__
from ._versions import show_versions
from .model_selection import Outputs, StratifiedOn, per_output_scorer
from .weights import (
    KINDS,
    Balanced,
    EffectiveNumber,
    apply_class_weights,
    class_weights,
    sample_weights,
    target_kind,
    unweight_proba,
)

BackendNotInstalledError.__module__ = __name__  # shown (and pickled) as skweight.BackendNotInstalledError

__all__ = [
    "KINDS",
    "BackendNotInstalledError",
    "Balanced",
    "EffectiveNumber",
    "Outputs",
    "StratifiedOn",
    "WeightedKerasClassifier",
    "apply_class_weights",
    "class_weights",
    "per_output_scorer",
    "sample_weights",
    "show_versions",
    "target_kind",
    "unweight_proba",
]


def __getattr__(name):
    # The estimator imports Keras; load it only when it is asked for so that the
    # NumPy-only weight engine stays cheap to import.
    if name == "WeightedKerasClassifier":
        # _backend first, whatever order classifier.py's imports are sorted in: it imports Keras
        # quietly and turns a missing backend into a one-line BackendNotInstalledError.
        from . import _backend  # noqa: F401
        from .classifier import WeightedKerasClassifier

        return WeightedKerasClassifier
    raise AttributeError(f"module 'skweight' has no attribute {name!r}")
