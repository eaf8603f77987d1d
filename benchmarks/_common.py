"""Small helpers shared by the benchmark scripts.

* :func:`pin_threads` — same thread settings for every candidate (call first).
* :func:`wait_for_quiet` — poll the 1-minute load average before a run.
* :func:`environment` — date, versions, CPU, cores, device and load, for the JSON.
* :func:`interleaved` — time candidates A B C A B C ..., return medians.
* :func:`ratios`, :func:`table`, :func:`write_json`, :func:`parser`.

Only the standard library and NumPy are imported at module level; Keras and
TensorFlow are imported lazily so that :func:`pin_threads` can run before them.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import pathlib
import platform
import statistics
import sys
import time

import numpy as np

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def parser(description, default_out=RESULTS):
    """An ``ArgumentParser`` with the options every script takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="tiny sizes and few repeats (smoke test)")
    p.add_argument("--out", type=pathlib.Path, default=default_out, help="folder for JSON/PNG results")
    p.add_argument("--threads", type=int, default=1, help="TensorFlow intra-op threads (inter-op: 1)")
    p.add_argument(
        "--wait",
        type=float,
        default=None,
        metavar="LOAD",
        help="before starting, wait until the 1-minute load average is below LOAD",
    )
    p.add_argument("--no-plot", action="store_true", help="skip the PNG")
    return p


def pin_threads(n=1):
    """Pin math-library and TensorFlow threads; must run before TF starts."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        os.environ[var] = str(n)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        import tensorflow as tf

        import skweight._backend  # noqa: F401  (quiet TensorFlow import)

        try:
            tf.config.threading.set_intra_op_parallelism_threads(n)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # TF already initialised: keep what it has, but say so
            pass
    return thread_settings()


def thread_settings():
    out = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        out["tf_intra_op"] = tf.config.threading.get_intra_op_parallelism_threads()
        out["tf_inter_op"] = tf.config.threading.get_inter_op_parallelism_threads()
    return out


def load1():
    return os.getloadavg()[0]


def wait_for_quiet(max_load, polls=20, interval=60, log=print):
    """Sleep in ``interval``-second steps (at most ``polls``) until the 1-minute
    load average is below ``max_load``; returns the load seen last."""
    load = load1()
    for _ in range(polls):
        if load < max_load:
            break
        log(f"load average {load:.2f} >= {max_load}; waiting {interval} s")
        time.sleep(interval)
        load = load1()
    return load


def _cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module):
    try:
        mod = __import__(module)
        return getattr(mod, "__version__", "?")
    except Exception:  # not installed, or fails to import
        return None


def environment(**extra):
    """Everything a reader needs to place the figures: date, versions, machine, load."""
    env = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "loadavg_start": list(os.getloadavg()),
        "versions": {m: _version(m) for m in ("numpy", "sklearn", "scikeras", "keras", "tensorflow", "skweight")},
        "keras_backend": None,
        "devices": None,
        "threads": thread_settings(),
    }
    if "keras" in sys.modules:
        import keras

        env["keras_backend"] = keras.backend.backend()
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        env["devices"] = [d.device_type for d in tf.config.list_physical_devices()]
    env.update(extra)
    return env


def interleaved(candidates, repeats, warmup=1, before_each=None, log=None):
    """Time each zero-argument callable in ``candidates`` (``{name: fn}``)
    ``repeats`` times, interleaved: A B C A B C ...  ``warmup`` untimed rounds
    run first.  ``before_each`` (untimed) runs before every call, e.g. to clear
    the Keras session.  A callable may return a dict of facts (steps trained,
    ...), kept from its last run.

    Returns ``{name: {"times": [...], "median": s, "min": s, "max": s, "facts": {...}}}``.
    """
    times = {name: [] for name in candidates}
    facts = {}
    for r in range(warmup + repeats):
        for name, fn in candidates.items():
            if before_each is not None:
                before_each()
            gc.collect()
            t0 = time.perf_counter()
            out = fn()
            dt = time.perf_counter() - t0
            if isinstance(out, dict):
                facts[name] = out
            if r >= warmup:
                times[name].append(dt)
            if log:
                log(f"  {'warmup' if r < warmup else f'round {r - warmup + 1}/{repeats}'}  {name:<32} {dt:8.3f} s")
    return {
        name: {"times": t, "median": statistics.median(t), "min": min(t), "max": max(t), "facts": facts.get(name, {})}
        for name, t in times.items()
    }


def ratios(results, baseline):
    """Median of each candidate divided by the baseline's median."""
    base = results[baseline]["median"]
    return {name: r["median"] / base for name, r in results.items()}


def table(rows, columns, floatfmt="{:.3f}"):
    """Plain-text table of ``rows`` (list of dicts) with the given ``columns``."""

    def cell(v):
        if isinstance(v, float):
            return floatfmt.format(v)
        return str(v)

    body = [[cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(b[i]) for b in body)) if body else len(c) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(b, widths)) for b in body]
    return "\n".join(lines)


def _plain(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, pathlib.Path):
        return str(o)
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def write_json(path, payload):
    """Write ``payload`` as indented JSON (NumPy scalars/arrays made plain)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=_plain, allow_nan=False) + "\n")
    return path
