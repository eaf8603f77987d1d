"""
A grid search on Dask, and class weights of a Dask array
========================================================

A grid search is many independent fits, and joblib, which scikit-learn uses for ``n_jobs``, can
send them to a Dask cluster. Nothing in the estimator or the search changes: every fit is seeded
by ``random_state``, wherever it runs, so the search finds what it finds on one machine.

Here the "cluster" is an in-process ``LocalCluster`` (``processes=False``), so that the example runs
anywhere; on a real cluster, ``Client("tcp://scheduler:8786")`` replaces it and the rest stays.
"""

# %%
# A local cluster and a search
# ----------------------------
import joblib
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skweight import Balanced, WeightedKerasClassifier, class_weights

X, y = make_classification(n_samples=900, weights=[0.9], class_sep=1.0, random_state=0)
candidates = [None, Balanced(0.5), "balanced"]
search = GridSearchCV(
    WeightedKerasClassifier(
        hidden_layer_sizes=(16,), epochs=10, batch_size=100, optimizer__learning_rate=0.01, random_state=0
    ),
    {"class_weight": candidates},
    cv=StratifiedKFold(2, shuffle=True, random_state=0),
    scoring=["balanced_accuracy", "average_precision"],
    refit="balanced_accuracy",
)

cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
client = Client(cluster)
with joblib.parallel_backend("dask"):  # send joblib's work to the cluster's workers
    search.fit(X, y)  # the search, unchanged
print("best:", search.best_params_)

# %%
# The fits ran on the cluster's workers; the search's results are the ordinary ``cv_results_``.
res = search.cv_results_
labels = ["None", "Balanced(0.5)", '"balanced"']
fig, ax = plt.subplots(figsize=(6, 3.6))
for offset, metric in zip([-0.2, 0.2], ["balanced_accuracy", "average_precision"]):
    ax.bar(
        np.arange(3) + offset,
        res[f"mean_test_{metric}"],
        yerr=res[f"std_test_{metric}"],
        width=0.4,
        capsize=3,
        label=metric,
    )
ax.set_xticks(range(3), labels)
ax.set_xlabel("class_weight")
ax.set_ylim(0, 1)
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()

# %%
# Class weights of labels that live in Dask
# -----------------------------------------
# ``class_weights`` counts a Dask array's classes block by block on the workers: only the counts
# travel, never the labels. The result is the same as on the NumPy array.
import dask.array as da  # noqa: E402

y_big = da.from_array(np.tile(y, 20), chunks=3000)  # 18,000 labels in 6 blocks
print(class_weights(y_big, "balanced"))
print(class_weights(np.tile(y, 20), "balanced"))

client.close()
cluster.close()
plt.show()
