"""Every ```python block of the README runs, in order, in one namespace (a
block may use what an earlier one defined), with fewer epochs and folds.

The README stays short (at most 200 lines); the longer walk-throughs are the
user guide's pages, whose blocks tests/test_docs.py runs."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


def _smaller(code):
    return code.replace("epochs=10", "epochs=2").replace("cv=5", "cv=2")


def test_readme_is_short_and_has_examples():
    assert len(TEXT.splitlines()) <= 200
    assert len(BLOCKS) >= 5


def test_readme_blocks_run_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # in case a block writes a file
    namespace = {"__name__": "readme"}
    for index, block in enumerate(BLOCKS):
        exec(compile(_smaller(block), f"README.md block {index}", "exec"), namespace)
        clf = namespace.get("clf")
        if "clf = " in block and hasattr(clf, "predict"):
            assert len(clf.predict(namespace["X"][:5])) == 5, f"block {index}"
