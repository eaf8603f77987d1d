"""Deprecated alias of the internal :mod:`skweight._model` (``skweight.model``
until 0.2; removed in 0.4)."""

from ._deprecated import warn_moved

warn_moved(__name__)

from ._model import (  # noqa: E402
    STANDARDIZE_LAYER,
    adapt_standardization,
    build_mlp,
    early_stopping_callback,
    output_heads,
)

__all__ = ["STANDARDIZE_LAYER", "adapt_standardization", "build_mlp", "early_stopping_callback", "output_heads"]
