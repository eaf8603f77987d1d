"""pytest configuration for the whole checkout.

The deprecated aliases of 0.2's module names (skweight/plan.py, ...) warn when
imported; ``--doctest-modules`` would import them while collecting.  They hold
no doctests, so collection leaves them out (tests/test_public_api.py imports
them on purpose and checks the warning).
"""

from skweight._deprecated import MOVED

collect_ignore = [f"skweight/{old.split('.')[1]}.py" for old in MOVED]
