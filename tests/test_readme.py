"""Every ```python block of the README runs, in order, in one namespace (a
block may use what an earlier one defined), with fewer epochs and folds."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def _smaller(code):
    code = code.replace("epochs=10", "epochs=2").replace("cv=5", "cv=2")
    # the nested search of the cross-validation block: one network size instead of two halves its 26 fits
    code = code.replace(
        '"weightedkerasclassifier__hidden_layer_sizes": [(32,), (64, 32)]',
        '"weightedkerasclassifier__hidden_layer_sizes": [(32,)]',
    )
    return code.replace("StratifiedKFold(3", "StratifiedKFold(2")


def test_readme_has_examples():
    assert len(BLOCKS) >= 8


def test_readme_blocks_run_in_order(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # blocks save files (clf.joblib, network.keras)
    namespace = {"__name__": "readme"}
    for index, block in enumerate(BLOCKS):
        exec(compile(_smaller(block), f"README.md block {index}", "exec"), namespace)
        clf = namespace.get("clf")
        if "clf = " in block and hasattr(clf, "predict"):
            assert len(clf.predict(namespace["X"][:5])) == 5, f"block {index}"
    assert (tmp_path / "network.keras").exists() and (tmp_path / "clf.joblib").exists()
