"""Data larger than memory: class weights of a Dask target in one pass, then
``partial_fit`` block by block, next to an in-memory ``fit`` of the same model.

The Dask array (default 20 million rows x 20 float32 features, 1.6 GB) is
generated lazily, block by block, from a per-block seed; a ``LocalCluster`` of
worker processes with a memory limit well below the data size (default
2 x 400 MB) generates the blocks.  Steps, each timed once:

1. ``skweight.class_weights(y)`` on the Dask labels: one distributed pass,
   only per-block counts travel (rows/s);
2. ``skweight.blocks.partial_fit_blocks``: one Keras epoch over every block,
   the next block computed while one trains (rows/s, peak RSS of this process);
3. for reference, the same model ``fit`` in memory on a smaller array (one
   epoch, same batch size), and ``class_weights`` on its NumPy labels.

The table gives rows/s and the out-of-core / in-memory ratio.

    python -m benchmarks.bench_outofcore            # 20M rows (a few minutes on 2 cores)
    python -m benchmarks.bench_outofcore --quick    # 40k rows: a smoke run (seconds)

Writes ``outofcore.json`` into ``--out`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks import _harness as h

N_FEATURES = 20
# class 0 / 1 / 2 where a standard-normal score is below 0.84, below 1.64, above: about 80 / 15 / 5 %
THRESHOLDS = (0.8416, 1.6449)
_W = np.linspace(1.0, -1.0, N_FEATURES) / np.linalg.norm(np.linspace(1.0, -1.0, N_FEATURES))


def _block(block_id, rows, seed):
    """Rows of one block, with their labels in the last column (float32)."""
    rng = np.random.default_rng([seed, block_id])
    X = rng.standard_normal((rows, N_FEATURES), dtype=np.float32)
    score = 0.9 * (X @ _W.astype(np.float32)) + np.float32(0.436) * rng.standard_normal(rows, dtype=np.float32)
    y = np.searchsorted(np.asarray(THRESHOLDS, np.float32), score).astype(np.float32)
    return np.concatenate([X, y[:, None]], axis=1)


def lazy_data(n_rows, block_rows, seed=0):
    """``(X, y)`` as Dask arrays generated block by block, never held whole."""
    import dask
    import dask.array as da

    n_blocks = -(-n_rows // block_rows)
    sizes = [min(block_rows, n_rows - i * block_rows) for i in range(n_blocks)]
    both = da.concatenate(
        [
            da.from_delayed(dask.delayed(_block)(i, rows, seed), (rows, N_FEATURES + 1), dtype=np.float32)
            for i, rows in enumerate(sizes)
        ]
    )
    return both[:, :N_FEATURES], both[:, N_FEATURES].astype(np.int64)


def in_memory_data(n_rows, block_rows, seed=1):
    parts = [_block(i, min(block_rows, n_rows - i * block_rows), seed) for i in range(-(-n_rows // block_rows))]
    both = np.concatenate(parts)
    return both[:, :N_FEATURES].copy(), both[:, N_FEATURES].astype(np.int64)


def _estimator(batch_size, seed=0, **extra):
    from skweight import WeightedKerasClassifier

    est = WeightedKerasClassifier(hidden_layer_sizes=(64,), epochs=1, batch_size=batch_size, random_state=seed, **extra)
    return h.like_for_like(est)  # like for like whatever the defaults: no input normalisation, no early stopping


def run(args):
    import distributed

    from skweight import class_weights

    partial_fit_blocks = h.internal("partial_fit_blocks")

    n, block, n_mem = args.rows, args.block_rows, args.in_memory_rows
    if args.quick:
        n, block, n_mem = 40_000, 10_000, 20_000
    data_mb = n * (N_FEATURES + 1) * 4 / 2**20
    out = {
        "rows": n,
        "block_rows": block,
        "features": N_FEATURES,
        "data_mb": data_mb,
        "workers": args.workers,
        "worker_memory_limit": args.memory_limit,
        "batch_size": args.batch_size,
    }
    print(
        f"{n:,} rows x {N_FEATURES} float32 (+ labels) = {data_mb:,.0f} MB lazily generated in blocks of "
        f"{block:,}; {args.workers} workers x {args.memory_limit}"
    )
    with (
        h.local_cluster(args.workers, env=h.thread_env(1), memory_limit=args.memory_limit) as cluster,
        distributed.Client(cluster) as client,
    ):
        X, y = lazy_data(n, block)
        t0 = time.perf_counter()
        weights = class_weights(y, "balanced")
        t_weights = time.perf_counter() - t0
        print(f"class weights (one pass): {t_weights:.1f} s  {weights}")
        est = _estimator(args.batch_size)
        with h.PeakRSS() as peak:
            t0 = time.perf_counter()
            partial_fit_blocks(est.set_params(class_weight=weights), X, y, classes=sorted(weights))
            t_fit = time.perf_counter() - t0
        worker_mem = {w["id"]: w["metrics"]["memory"] / 2**20 for w in client.scheduler_info()["workers"].values()}
    steps = int(est.model_.optimizer.iterations.numpy())
    print(
        f"partial_fit over {-(-n // block)} blocks: {t_fit:.1f} s, {steps} steps, "
        f"client peak RSS {peak.peak / 2**20:.0f} MB"
    )

    Xm, ym = in_memory_data(n_mem, block)
    t0 = time.perf_counter()
    wm = class_weights(ym, "balanced")
    t_wm = time.perf_counter() - t0
    mem = _estimator(args.batch_size).set_params(class_weight=wm)
    t0 = time.perf_counter()
    mem.fit(Xm, ym)
    t_mem = time.perf_counter() - t0
    out.update(
        {
            "class_weights": weights,
            "class_weights_s": t_weights,
            "class_weights_rows_per_s": n / t_weights,
            "partial_fit_s": t_fit,
            "partial_fit_rows_per_s": n / t_fit,
            "partial_fit_steps": steps,
            "client_peak_rss_mb": peak.peak / 2**20,
            "worker_rss_mb_end": worker_mem,
            "in_memory_rows": n_mem,
            "in_memory_class_weights_s": t_wm,
            "in_memory_class_weights_rows_per_s": n_mem / t_wm,
            "in_memory_fit_s": t_mem,
            "in_memory_fit_rows_per_s": n_mem / t_mem,
            "fit_rows_per_s_ratio": (n / t_fit) / (n_mem / t_mem),
        }
    )
    rows = [
        {
            "step": "class weights",
            "out-of-core rows/s": out["class_weights_rows_per_s"],
            "in-memory rows/s": out["in_memory_class_weights_rows_per_s"],
            "ratio": out["class_weights_rows_per_s"] / out["in_memory_class_weights_rows_per_s"],
        },
        {
            "step": "1 epoch of training",
            "out-of-core rows/s": out["partial_fit_rows_per_s"],
            "in-memory rows/s": out["in_memory_fit_rows_per_s"],
            "ratio": out["fit_rows_per_s_ratio"],
        },
    ]
    print(h.table(rows, ["step", "out-of-core rows/s", "in-memory rows/s", "ratio"], "{:,.2f}"))
    return out


def main(argv=None):
    p = h.parser(__doc__)
    p.add_argument("--rows", type=int, default=20_000_000)
    p.add_argument("--block-rows", type=int, default=500_000)
    p.add_argument("--in-memory-rows", type=int, default=2_000_000)
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory-limit", default="400MB", help="per worker process")
    args = p.parse_args(argv)
    env = h.start(args)
    result = {"benchmark": "outofcore", "environment": env, **run(args)}
    h.save(args.out / "outofcore.json", result)
    return result


if __name__ == "__main__":
    main()
