"""Deprecated alias of the internal :mod:`skweight._compose` (``skweight.compose``
until 0.2; removed in 0.4)."""

from ._deprecated import warn_moved

warn_moved(__name__)

from ._compose import (  # noqa: E402
    ComposedFeatureEncoder,
    ComposedTargetEncoder,
    build_from_class,
    compose_subclass_encoders,
    dense,
    weights_for_encoded,
)
from ._metrics import copy_metrics  # noqa: E402

__all__ = [
    "ComposedFeatureEncoder",
    "ComposedTargetEncoder",
    "build_from_class",
    "compose_subclass_encoders",
    "copy_metrics",
    "dense",
    "weights_for_encoded",
]
