"""Deprecated alias of the internal :mod:`skweight._splits` (``skweight.splits``
until 0.2; removed in 0.4)."""

from ._deprecated import warn_moved

warn_moved(__name__)

from ._splits import misses_a_class, multilabel_split, per_output_split, split_rows, stratified_split  # noqa: E402

__all__ = ["stratified_split", "multilabel_split", "split_rows", "per_output_split", "misses_a_class"]
