"""skweight: scikit-learn class weights for Keras classifiers."""

from .outputs import Outputs, StratifiedOn, per_output_scorer
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

__version__ = "0.2.0"

__all__ = [
    "KINDS",
    "Balanced",
    "EffectiveNumber",
    "Outputs",
    "StratifiedOn",
    "WeightedKerasClassifier",
    "apply_class_weights",
    "class_weights",
    "per_output_scorer",
    "sample_weights",
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
