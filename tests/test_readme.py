"""Every ```python block of the README runs (with fewer epochs, to stay fast)."""

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index, capsys):
    # same code, smaller budget: fewer epochs and folds
    code = BLOCKS[index].replace("epochs=10", "epochs=2").replace("cv=5", "cv=2")
    code = code.replace("StratifiedKFold(3", "StratifiedKFold(2")
    namespace = {"__name__": f"readme_block_{index}"}
    exec(compile(code, f"README.md block {index}", "exec"), namespace)
    # blocks that define a fitted estimator must leave it usable
    clf = namespace.get("clf")
    if clf is not None and hasattr(clf, "predict"):
        assert clf.predict(namespace["X"][:5]).shape[0] == 5
