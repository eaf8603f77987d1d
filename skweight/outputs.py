"""Deprecated alias of :mod:`skweight.model_selection` (``skweight.outputs``
until 0.2; removed in 0.4)."""

from ._deprecated import warn_moved

warn_moved(__name__)

from ._outputs import (  # noqa: E402, F401
    OUTPUT_KINDS,
    REGRESSION,
    accuracy_per_output,
    is_per_output,
    join_outputs,
    output_label,
    per_output,
    shared_kind,
    shared_kind_error,
    split_outputs,
)
from .model_selection import Outputs, StratifiedOn, per_output_scorer  # noqa: E402

__all__ = ["Outputs", "StratifiedOn", "per_output_scorer"]
