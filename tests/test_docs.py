"""Every Python code block of the user guide (``docs/user_guide/*.rst``) runs.

The blocks of one page run in order, in one namespace (a block may use what an earlier block of
the same page defined), each page in a fresh namespace and a temporary working folder. The pages
keep their blocks small (few rows and epochs), so they run as they are written; the only change
made here is to run the Dask page's cluster in this process instead of in worker processes.
"""

import pathlib
import re
import textwrap

import pytest

GUIDE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "user_guide"
PAGES = sorted(GUIDE.glob("*.rst"))

# ".. code-block:: python" (options allowed), a blank line, then the indented body
_BLOCK = re.compile(r"^( *)\.\. code-block:: python\n(?:\1 +:[^\n]*\n)*\n((?:\1 +[^\n]*\n|[ \t]*\n)+)", re.M)

# in-process stand-ins, so that the test starts no worker processes (which would import Keras again)
_REPLACE = {
    'LocalCluster(n_workers=2, threads_per_worker=1, env={"TF_NUM_INTRAOP_THREADS": "1"})': (
        "LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)"
    ),
}


def blocks(page):
    """The Python blocks of one page, dedented, in page order."""
    return [textwrap.dedent(body) for _, body in _BLOCK.findall(page.read_text())]


def test_the_guide_has_pages_with_code():
    assert len(PAGES) >= 10
    assert sum(len(blocks(page)) for page in PAGES) >= 20


def test_the_stand_ins_still_match_the_pages():
    text = "".join(page.read_text() for page in PAGES)
    assert all(old in text for old in _REPLACE), "a page changed: update _REPLACE"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_blocks_run_in_order(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # blocks save files (persistence)
    namespace = {"__name__": f"docs_{page.stem}"}
    for index, code in enumerate(blocks(page)):
        for old, new in _REPLACE.items():
            code = code.replace(old, new)
        exec(compile(code, f"{page.relative_to(GUIDE.parents[1])} block {index}", "exec"), namespace)
