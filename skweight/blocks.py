"""Deprecated alias of :mod:`skweight.dask` (``skweight.blocks`` until 0.2; removed in 0.4)."""

from ._deprecated import warn_moved

warn_moved(__name__)

from .dask import partial_fit_blocks  # noqa: E402

__all__ = ["partial_fit_blocks"]
