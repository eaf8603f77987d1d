"""Tolerances for numbers computed in float32, and why (imported by the tests)."""

import numpy as np

# --------------------------------------------------------------------------- #
# comparing numbers computed in float32
# --------------------------------------------------------------------------- #
#: float32's machine epsilon, 2**-23 (about 1.19e-7): the spacing of float32
#: numbers in [1, 2); one rounding is off by at most half of it, relative.
FLOAT32_EPS = float(np.finfo(np.float32).eps)

#: Two fits that run the same steps on the same numbers but through kernels
#: that sum in another order (another thread count, TensorFlow's op
#: determinism on or off, another batch partition) start one float32 unit
#: apart in a gradient.  Adam scales each update by the gradient's running
#: RMS, so a relative change of ``k`` units in a gradient moves the update by
#: about ``k`` units too; over the few dozen steps of a test's fit these add up
#: to tens of units, never more than ``TRAINED_ULPS`` (64 units, 7.6e-6
#: relative; the differences seen are 1 to 4 units).  A real change of the
#: training (another split, weight, seed or epoch) moves a loss by 1e-3 or more.
TRAINED_ULPS = 64
TRAINED_RTOL = TRAINED_ULPS * FLOAT32_EPS


def assert_float32_close(actual, desired, ulps=TRAINED_ULPS, err_msg=""):
    """``actual`` and ``desired`` (arrays, lists or numbers computed in float32,
    maybe returned as float64) agree within ``ulps`` float32 units: relative
    to their size, and absolutely for values near 0 (probabilities)."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64),
        np.asarray(desired, dtype=np.float64),
        rtol=ulps * FLOAT32_EPS,
        atol=ulps * FLOAT32_EPS,
        err_msg=err_msg,
    )
