"""Deprecated alias of the internal :mod:`skweight._metrics` (``skweight.metrics``
until 0.2; removed in 0.4)."""

from ._deprecated import warn_moved

warn_moved(__name__)

from ._metrics import per_output_metrics  # noqa: E402

__all__ = ["per_output_metrics"]
