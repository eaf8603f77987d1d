"""The main job: ``python -m skweight``."""

import io
import json
import subprocess
import sys

import numpy as np
import pytest

from skweight.__main__ import SCORING, main, run


@pytest.mark.lanes
def test_run_prints_progress_and_table_and_returns_scores():
    out = io.StringIO()
    summary = run(folds=2, out=out)  # the defaults: early stopping
    text = out.getvalue()
    assert "stratified 2-fold CV, early stopping" in text
    assert set(summary) == {"None", "balanced"}
    for per in summary.values():
        assert set(per) == set(SCORING)
        for mean, std in per.values():
            assert 0.0 <= mean <= 1.0 and std >= 0.0
    # one progress line per fold and setting, then the table
    assert text.count("fold 1/2") == 2 and text.count("fold 2/2") == 2
    assert "class_weight" in text and "average_precision" in text
    # "balanced" is what recovers the rare digit
    assert summary["balanced"]["minority_recall"][0] > summary["None"]["minority_recall"][0]


def test_cli_writes_json(tmp_path, capsys):
    path = tmp_path / "scores.json"
    assert main(["--folds", "2", "--epochs", "1", "--json", str(path)]) == 0
    assert "1 epochs per fit" in capsys.readouterr().out
    data = json.loads(path.read_text())
    assert set(data) == {"None", "balanced"}
    assert np.isfinite(data["balanced"]["roc_auc"][0])


def test_module_help_runs():
    res = subprocess.run([sys.executable, "-m", "skweight", "--help"], capture_output=True, text=True, check=True)
    assert "--digit" in res.stdout and "--folds" in res.stdout
