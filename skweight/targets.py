"""Deprecated alias of the internal :mod:`skweight._targets` (``skweight.targets``
until 0.2; removed in 0.4)."""

from ._deprecated import warn_moved

warn_moved(__name__)

from ._targets import TargetEncoder  # noqa: E402

__all__ = ["TargetEncoder"]
