"""
One weight spec per output of a multi-output model
==================================================

A network with several heads predicts several things at once, each with its own imbalance: here a
rare binary *churn* flag, an imbalanced three-way *plan* choice and a numeric *spend* (a regression
head, which class weights do not touch). ``y`` is a dict keyed by output name, as Keras takes it, and
``class_weight`` is a dict keyed the same way: one spec per output.
"""

# %%
# Three targets for the same customers
# ------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import recall_score

from skweight import Balanced, Outputs, StratifiedOn, WeightedKerasClassifier, per_output_scorer

rng = np.random.default_rng(0)
n = 1500
X = rng.normal(size=(n, 6)).astype("float32")
y = {
    "churn": np.where(X[:, 0] + 0.5 * rng.normal(size=n) > 1.7, "yes", "no"),  # about 6 % "yes"
    "plan": np.digitize(X[:, 1] + 0.3 * X[:, 2] + 0.4 * rng.normal(size=n), [0.6, 1.6]),  # 0, 1, 2: ~ 73 / 20 / 7 %
    "spend": 3.0 * X[:, 3] - X[:, 4] + 0.2 * rng.normal(size=n),
}
print({k: np.unique(v, return_counts=True)[1] for k, v in y.items() if k != "spend"})

# %%
# One spec per output
# -------------------
# ``"balanced"`` for the churn flag, a softer ``Balanced(0.5)`` for the plan, nothing for spend. The
# default network gets one head per output, named after it, on shared hidden layers.
train, test = np.arange(1000), np.arange(1000, n)
part = {k: v[train] for k, v in y.items()}
models = {}
for name, spec in [("None", None), ("per output", {"churn": "balanced", "plan": Balanced(0.5)})]:
    models[name] = WeightedKerasClassifier(
        class_weight=spec,
        hidden_layer_sizes=(32,),
        epochs=12,
        batch_size=100,
        optimizer__learning_rate=0.01,
        random_state=0,
    ).fit(X[train], part)
weighted = models["per output"]
print(weighted.target_kind_)
print({k: v if v is None else {c: round(w, 2) for c, w in v.items()} for k, v in weighted.class_weight_.items()})

# %%
# What the weights changed, output by output
# ------------------------------------------
# ``predict`` returns a dict like ``y``. The churn flag's recall and the rare plan's recall rise; the
# regression head is trained the same way in both models.
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
recalls = {}
for name, model in models.items():
    pred = model.predict(X[test])
    recalls[name] = [
        recall_score(y["churn"][test], pred["churn"], pos_label="yes"),
        *recall_score(y["plan"][test], pred["plan"], average=None),
    ]
    axes[2].scatter(y["spend"][test], pred["spend"], s=5, alpha=0.5, label=f"class_weight={name}")
bars = ["churn = yes", "plan 0", "plan 1", "plan 2"]
for offset, (name, rec) in zip([-0.2, 0.2], recalls.items()):
    axes[0].bar(np.arange(1) + offset, rec[:1], width=0.4, label=name)
    axes[1].bar(np.arange(3) + offset, rec[1:], width=0.4, label=name)
axes[0].set_xticks([0], bars[:1])
axes[1].set_xticks(range(3), bars[1:])
axes[0].set_title("churn: recall of the rare class")
axes[1].set_title("plan: recall per class")
axes[2].set_title("spend (regression): predicted vs true")
axes[2].set_xlabel("true spend")
axes[0].set_ylabel("recall on the test rows")
axes[0].legend(title="class_weight", fontsize=8)
axes[2].legend(fontsize=8, markerscale=3)
fig.tight_layout()

# %%
# Cross-validation of a dict target
# ---------------------------------
# scikit-learn cannot index the rows of a dict. ``Outputs(y)`` lets it; ``StratifiedOn`` stratifies
# the folds on one output, and ``per_output_scorer`` scores one output with any metric.
from sklearn.model_selection import cross_validate  # noqa: E402

scores = cross_validate(
    weighted,
    X,
    Outputs(y),
    cv=StratifiedOn("churn", cv=3),
    scoring={
        "churn_recall": per_output_scorer("churn", recall_score, pos_label="yes"),
        "plan_balanced_accuracy": per_output_scorer("plan", "balanced_accuracy"),
        "spend_r2": per_output_scorer("spend", "r2"),
    },
)
print({k: v.round(3) for k, v in scores.items() if k.startswith("test_")})
plt.show()
