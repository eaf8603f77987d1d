"""Sphinx configuration of the skweight site.

Build (warnings are errors; the gallery's examples run):

    python -m sphinx -W -b html docs docs/_build/html

Set ``SKWEIGHT_DOCS_NO_GALLERY=1`` to skip running the examples while editing text pages.
"""

import os
import pathlib
import sys
import warnings

# Keras and TensorFlow quiet before the examples import them
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")
# one OpenMP thread for scikit-learn's models in the examples: the build runs one example at a time,
# and on a small shared machine OpenMP's spinning threads slow gradient boosting down many times
os.environ.setdefault("OMP_NUM_THREADS", "1")

import skweight  # noqa: E402

DOCS = pathlib.Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))  # gallery_order

project = "skweight"
author = "skweight developers"
copyright = "skweight developers"
release = skweight.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "sg_execution_times.rst",
    # developer notes, kept beside the site rather than in it (linked from developers.rst)
    "design-0.2.md",
    "design-0.3.md",
    "options-integration.md",
    "fast-loop.md",
    "maintainers-reliability.md",
    "README.md",
]
# no network here: nothing that fetches inventories (intersphinx) or scripts at build time
default_role = "literal"
pygments_style = "sphinx"

# --- API reference: autosummary stubs from numpydoc docstrings ---
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"
numpydoc_show_class_members = True  # a table of the methods above their full entries
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- gallery: examples/plot_*.py run at build time, their figures captured ---
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "plot_gallery": "False" if os.environ.get("SKWEIGHT_DOCS_NO_GALLERY") else "True",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "gallery_order.GalleryOrder",
    "reset_modules": ("matplotlib",),
    "min_reported_time": 0,
    "show_memory": False,
    "doc_module": ("skweight",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skweight": None},
    "capture_repr": ("_repr_html_", "__repr__"),
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
}

# --- pages ---
html_theme = "pydata_sphinx_theme"
html_title = f"skweight {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"index": [], "whats_new": [], "benchmarks": []}
html_show_sourcelink = False
html_copy_source = False

# Markdown (CHANGELOG.md, included by whats_new.rst under its own title: its releases are "##")
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently using agg")
