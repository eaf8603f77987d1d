"""The order of the gallery: the five questions users ask most first, then the rest.

sphinx-gallery takes it by name (``within_subsection_order``); an example not listed here goes
last, in file-name order.
"""

ORDER = [
    "plot_digit_detector.py",
    "plot_validation_and_sequence_weights.py",
    "plot_ordinal_thermometer.py",
    "plot_multilabel_weights.py",
    "plot_multioutput_weights.py",
    "plot_pr_curves.py",
    "plot_weighting_strength.py",
    "plot_calibration.py",
    "plot_real_table_attrition.py",
    "plot_dask_search.py",
]


class GalleryOrder:
    """Sort key of sphinx-gallery's ``within_subsection_order``."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        return (ORDER.index(filename), "") if filename in ORDER else (len(ORDER), filename)

    def __repr__(self):
        return f"<{type(self).__name__}>"
