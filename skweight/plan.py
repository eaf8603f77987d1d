"""Deprecated alias of the internal :mod:`skweight._plan` (``skweight.plan``
until 0.2; removed in 0.4)."""

from ._deprecated import warn_moved

warn_moved(__name__)

from ._forms import has_balanced  # noqa: E402
from ._plan import WeightPlan  # noqa: E402

__all__ = ["WeightPlan", "has_balanced"]
