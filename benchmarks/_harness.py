"""The harness every benchmark script uses: one of each shared part.

Scripts run from the repository root as modules (``python -m benchmarks.bench_x``) and import
this one as ``from benchmarks import _harness as h``.  At module level it imports only the
standard library and NumPy: Keras and TensorFlow load lazily, so :func:`pin_threads` can run
before them.

Command line and the record of a run

* :func:`parser` -- an ``ArgumentParser`` with the shared options: ``--quick`` (the smoke mode
  the tests run), ``--out`` (folder for JSON/PNG, default :data:`RESULTS`), ``--no-plot``,
  ``--threads`` and ``--wait``; a script turns off those it does not take.
* :func:`start` -- ``--wait`` for a quiet machine, pin ``--threads``, return :func:`environment`.
* :func:`environment` -- the versions/machine record: date, Python, platform, CPU model, CPU
  count, load average, skweight / Keras / its backend / TensorFlow / scikit-learn / NumPy /
  SciKeras / ... versions, devices, thread settings (plus any ``**extra``).
* :func:`save` -- add the closing load average to the record and write the result as JSON.
* :func:`write_json` -- JSON with NumPy scalars and arrays made plain, no NaN.

Measuring

* :func:`interleaved` -- candidates (zero-argument callables) round-robin, A B C A B C ...,
  repeated; times, medians and the facts each returns.  :func:`ratios` -- medians over a named
  peer's median.
* :func:`run_child` -- call a module-level function of a benchmark in a fresh interpreter
  (thread pools and memory start clean); its keyword arguments go in and its result comes back
  as JSON.  :func:`child_env` is the environment such a child starts with; :func:`local_cluster`
  a Dask cluster of worker processes.
* :class:`Worker` -- a child interpreter that stays up and runs call after call (another
  skweight checkout first on its path, another backend's interpreter), so that its candidates
  interleave with this process's without paying an interpreter and a Keras import per call.
* :class:`PeakRSS` -- peak resident memory of this process while a block runs.
* :func:`pin_threads`, :func:`thread_env`, :func:`thread_settings`, :func:`wait_for_quiet`,
  :func:`device_info`, :func:`cpu_model`, :func:`like_for_like`.

Output

* :func:`table` -- a Markdown table, as the README's (numbers right-aligned).
* :func:`figures` -- unless ``--no-plot``, draw the PNGs under ``--out``; :func:`pyplot` and
  :func:`save_figure` -- Matplotlib without a display, a figure written and closed.

skweight beyond ``from skweight import ...``

* :func:`internal` / :func:`set_internal` read and replace the few private or moved skweight names
  the benchmarks need; :data:`INTERNALS` says where each lives (edit it there when they move).

A script, for example ``benchmarks/bench_fit_speed.py`` (run as ``python -m
benchmarks.bench_fit_speed [--quick]``; its smoke test is one more entry of ``QUICK_RUNS`` in
``tests/test_benchmarks.py``)::

    # the module docstring: what it measures and how to run it; its first paragraph is --help's
    from benchmarks import _harness as h

    def candidates(X, y):
        from skweight import WeightedKerasClassifier  # Keras loads here, after h.start pinned threads
        ...
        return {"keras": plain_keras, "skweight": skweight_fit}  # callables; a returned dict = facts

    def child(rows):  # runs in a fresh interpreter through h.run_child; returns JSON-able facts
        h.pin_threads(1)
        ...

    def main(argv=None):
        p = h.parser(__doc__)
        p.add_argument("--rows", type=int, default=100_000)
        args = p.parse_args(argv)
        env = h.start(args)  # --wait, --threads, the versions/machine record
        X, y = make_data(300 if args.quick else args.rows)
        res = h.interleaved(candidates(X, y), repeats=1 if args.quick else 5, warmup=0 if args.quick else 1)
        ratio = h.ratios(res, "keras")
        rows = [{"candidate": k, "median s": r["median"], "ratio": f"{ratio[k]:.3f}x"} for k, r in res.items()]
        print(h.table(rows))
        facts = h.run_child(child, rows=1_000)  # {"...": ...}, from the child's return value
        result = {"benchmark": "fit_speed", "environment": env, "fit": res, "child": facts}
        h.save(args.out / "fit_speed.json", result)  # benchmarks/results/fit_speed.json by default
        h.figures(args, lambda path: plot(result, path), "fit_speed.png")  # unless --no-plot
        return result

    if __name__ == "__main__":
        main()
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import importlib
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

# --------------------------------------------------------------------------- #
# skweight beyond its public API: the one place that names private or moved modules
# --------------------------------------------------------------------------- #
#: ``name: (module, attribute)`` of the skweight internals the benchmarks read or replace.
INTERNALS = {
    "gradient_registry": ("skweight._backend", "_gradient_registry"),  # bench_memory
    "gc_time_share": ("skweight._backend", "GC_TIME_SHARE"),  # bench_memory
    "released_with": ("skweight._loop", "released_with"),  # bench_memory: where fit looks it up
    "partial_fit_blocks": ("skweight.dask", "partial_fit_blocks"),  # bench_outofcore
    "backend": ("skweight._backend", None),  # pin_threads: imports TensorFlow quietly
}


def internal(name):
    """The skweight object :data:`INTERNALS` names (the module itself where it names no attribute)."""
    module, attribute = INTERNALS[name]
    mod = importlib.import_module(module)
    return mod if attribute is None else getattr(mod, attribute)


def set_internal(name, value):
    """Replace the skweight attribute :data:`INTERNALS` names (in this process only)."""
    module, attribute = INTERNALS[name]
    setattr(importlib.import_module(module), attribute, value)


# --------------------------------------------------------------------------- #
# command line, the run's record, results
# --------------------------------------------------------------------------- #
def parser(doc, *, quick="tiny sizes and few repeats (smoke test)", out=True, plot=True, machine=True):
    """An ``ArgumentParser`` described by the first paragraph of ``doc``, with ``--quick`` and,
    unless turned off, ``--out`` (folder, default :data:`RESULTS`), ``--no-plot``, and the
    machine options ``--threads`` (TensorFlow intra-op threads) and ``--wait`` (load average)."""
    p = argparse.ArgumentParser(description=doc.strip().split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help=quick)
    if out:
        p.add_argument("--out", type=pathlib.Path, default=RESULTS, help="folder for JSON/PNG results")
    if machine:
        p.add_argument("--threads", type=int, default=1, help="TensorFlow intra-op threads (inter-op: 1)")
        p.add_argument(
            "--wait",
            type=float,
            default=None,
            metavar="LOAD",
            help="before starting, wait until the 1-minute load average is below LOAD",
        )
    if plot:
        p.add_argument("--no-plot", action="store_true", help="skip the PNG")
    return p


def start(args, **extra):
    """What a run with the machine options does first: wait for ``--wait``, pin ``--threads``;
    returns the :func:`environment` record (with ``quick`` and ``extra``)."""
    if args.wait:
        wait_for_quiet(args.wait)
    pin_threads(args.threads)
    return environment(quick=args.quick, **extra)


def save(path, result, *, end_load=True, log=print):
    """Write ``result`` as JSON to ``path`` (its ``environment`` gets ``loadavg_end`` unless
    ``end_load`` is false) and say so; returns the path."""
    if end_load and isinstance(result.get("environment"), dict):
        result["environment"]["loadavg_end"] = list(os.getloadavg())
    path = write_json(path, result)
    log(f"\nwrote {path}")
    return path


def _plain(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, pathlib.Path):
        return str(o)
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def write_json(path, payload):
    """Write ``payload`` as indented JSON (NumPy scalars/arrays made plain, NaN refused)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=_plain, allow_nan=False) + "\n")
    return path


# --------------------------------------------------------------------------- #
# threads, load, machine, versions
# --------------------------------------------------------------------------- #
def thread_env(n=1):
    """Environment variables that size the math-library and TensorFlow thread pools
    (TensorFlow inter-op: 1); read when a process starts them."""
    n = str(n)
    return {
        "TF_NUM_INTRAOP_THREADS": n,
        "TF_NUM_INTEROP_THREADS": "1",
        "OMP_NUM_THREADS": n,
        "OPENBLAS_NUM_THREADS": n,
        "MKL_NUM_THREADS": n,
    }


def pin_threads(n=1):
    """Pin math-library and TensorFlow threads; must run before TF starts."""
    os.environ.update(thread_env(n))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules or keras_backend() == "tensorflow":
        import tensorflow as tf

        internal("backend")  # TensorFlow's import, quiet

        try:
            tf.config.threading.set_intra_op_parallelism_threads(n)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # TF already initialised: keep what it has (thread_settings says what)
            pass
    return thread_settings()


def thread_settings():
    out = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        out["tf_intra_op"] = tf.config.threading.get_intra_op_parallelism_threads()
        out["tf_inter_op"] = tf.config.threading.get_inter_op_parallelism_threads()
    return out


def wait_for_quiet(max_load, polls=20, interval=60, log=print):
    """Sleep in ``interval``-second steps (at most ``polls``) until the 1-minute
    load average is below ``max_load``; returns the load seen last."""
    load = os.getloadavg()[0]
    for _ in range(polls):
        if load < max_load:
            break
        log(f"load average {load:.2f} >= {max_load}; waiting {interval} s")
        time.sleep(interval)
        load = os.getloadavg()[0]
    return load


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def keras_backend():
    """The Keras backend of this process: Keras's own answer once it is imported, else what it
    will pick (``KERAS_BACKEND``, then ``~/.keras/keras.json``, then TensorFlow)."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    config = pathlib.Path(os.environ.get("KERAS_HOME", pathlib.Path.home() / ".keras")) / "keras.json"
    try:
        return json.loads(config.read_text()).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


def device_info():
    """The accelerators the Keras backend trains on, or the CPU model (imports Keras)."""
    import keras

    backend = keras.backend.backend()
    info = {"keras_backend": backend, "cpu_model": cpu_model(), "accelerators": []}
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            for gpu in tf.config.list_physical_devices("GPU"):
                details = tf.config.experimental.get_device_details(gpu)
                info["accelerators"].append(details.get("device_name", gpu.name))
        elif backend == "jax":
            import jax

            info["accelerators"] = [d.device_kind for d in jax.devices() if d.platform != "cpu"]
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                info["accelerators"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception as exc:  # a broken driver must not lose the timings
        info["accelerator_error"] = repr(exc)
    info["device"] = info["accelerators"][0] if info["accelerators"] else "CPU: " + info["cpu_model"]
    return info


#: the versions in every record: import name -> distributions that provide it
PACKAGES = {
    "skweight": ("skweight",),
    "numpy": ("numpy",),
    "sklearn": ("scikit-learn",),
    "scikeras": ("scikeras",),
    "keras": ("keras",),
    "tensorflow": ("tensorflow", "tensorflow-cpu"),
    "jax": ("jax",),
    "torch": ("torch",),
    "dask": ("dask",),
    "distributed": ("distributed",),
    "joblib": ("joblib",),
}


def _version(module):
    """The version of ``module``: what this process imported, else what is installed (None: neither)."""
    from importlib import metadata

    if module in sys.modules:
        return getattr(sys.modules[module], "__version__", "?")
    for dist in PACKAGES[module]:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return None


def environment(**extra):
    """The versions/machine record every result carries: date, versions, machine, load (and ``extra``)."""
    import skweight  # NumPy only; its own version, not the installed metadata's

    env = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "loadavg_start": list(os.getloadavg()),
        "versions": {m: skweight.__version__ if m == "skweight" else _version(m) for m in PACKAGES},
        "keras_backend": keras_backend(),
        "devices": None,
        "threads": thread_settings(),
    }
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        env["devices"] = [d.device_type for d in tf.config.list_physical_devices()]
    env.update(extra)
    return env


def like_for_like(est):
    """Turn off what skweight's default model may add (input normalisation, early stopping:
    parameters of skweight 0.2), so it trains the network plain Keras trains, the same number
    of steps; works before and after they exist."""
    params = est.get_params()
    off = {k: False for k in ("standardize", "early_stopping") if k in params}
    return est.set_params(**off) if off else est


# --------------------------------------------------------------------------- #
# measuring: interleaved candidates, child processes, peak memory
# --------------------------------------------------------------------------- #
def interleaved(candidates, repeats, warmup=1, before_each=None, log=None, note=None, rotate=False, collect=True):
    """Time each zero-argument callable in ``candidates`` (``{name: fn}``)
    ``repeats`` times, interleaved: A B C A B C ... (``rotate``: A B C, B C A, C A B, ...).
    ``warmup`` untimed rounds run first.  ``before_each`` (untimed) runs before every call,
    e.g. to clear the Keras session, and so does ``gc.collect()`` unless ``collect`` is false.
    A callable may return a dict of facts (steps trained, ...).  ``log`` gets a line per call,
    ending in ``note(returned value)`` if given.

    Returns ``{name: {"times": [...], "median": s, "min": s, "max": s, "facts": {...},
    "all_facts": [...]}}``: the facts of the last call, and of every timed one.
    """
    names = list(candidates)
    times = {name: [] for name in names}
    facts = {name: [] for name in names}
    for r in range(warmup + repeats):
        shift = r % len(names) if rotate else 0
        for name in names[shift:] + names[:shift]:
            if before_each is not None:
                before_each()
            if collect:
                gc.collect()
            t0 = time.perf_counter()
            out = candidates[name]()
            dt = time.perf_counter() - t0
            if r >= warmup:
                times[name].append(dt)
                facts[name].append(out if isinstance(out, dict) else None)
            if log:
                label = "warmup" if r < warmup else f"round {r - warmup + 1}/{repeats}"
                log(f"  {label}  {name:<32} {dt:8.3f} s" + (f"  {note(out)}" if note else ""))
    return {
        name: {
            "times": t,
            "median": statistics.median(t),
            "min": min(t),
            "max": max(t),
            "facts": facts[name][-1] or {},
            "all_facts": facts[name],
        }
        for name, t in times.items()
    }


def ratios(results, baseline):
    """Median of each candidate (of :func:`interleaved`'s results) over the ``baseline``'s median."""
    base = results[baseline]["median"]
    return {name: r["median"] / base for name, r in results.items()}


def child_env(env=None):
    """This process's environment for a child process: the repository root on ``PYTHONPATH``
    (for ``benchmarks`` and a source-tree ``skweight``), TensorFlow's log quiet, then ``env``
    (a variable set to None is removed)."""
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    out.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for key, value in (env or {}).items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = str(value)
    return out


_CHILD = "import sys; from benchmarks._harness import _child_main; _child_main(*sys.argv[1:])"


def _child_main(target, kwargs, path):
    module, _, name = target.partition(":")
    write_json(path, getattr(importlib.import_module(module), name)(**json.loads(kwargs)))


def _target(fn):
    """``module:name`` of a module-level function (of the script run with ``python -m`` too)."""
    mod = sys.modules[fn.__module__]
    spec = getattr(mod, "__spec__", None)
    module = spec.name if spec is not None else fn.__module__  # a script run as __main__ by python -m
    return f"{module}:{fn.__qualname__}"


def run_child(fn, /, *, env=None, python=None, **kwargs):
    """``fn(**kwargs)`` in a fresh Python interpreter started in the repository root, with
    :func:`child_env` ``(env)``; returns its result, which travels back as JSON.  ``fn`` is a
    module-level function of a ``benchmarks`` module (of the script run with ``python -m``
    too); ``kwargs`` must be JSON values; ``python`` is the interpreter (default: this one).
    A failed child raises ``RuntimeError`` with the end of its standard error."""
    target = _target(fn)
    with tempfile.TemporaryDirectory() as tmp:
        result = pathlib.Path(tmp) / "result.json"
        cmd = [python or sys.executable, "-c", _CHILD, target, json.dumps(kwargs), str(result)]
        proc = subprocess.run(cmd, cwd=ROOT, env=child_env(env), capture_output=True, text=True)
        if proc.returncode != 0 or not result.is_file():
            raise RuntimeError(f"{target}(**{kwargs}) failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
        return json.loads(result.read_text())


_WORKER = "import sys; from benchmarks._harness import _worker_main; _worker_main(sys.argv[1])"


def _worker_main(first_on_path):
    """The loop of a :class:`Worker`: one JSON request a line on standard input, one JSON answer
    a line on the original standard output (whatever the calls print goes to standard error)."""
    import traceback

    for path in reversed(json.loads(first_on_path)):
        sys.path.insert(0, path)
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        request = json.loads(line)
        module, _, name = request["target"].partition(":")
        try:
            answer = {"result": getattr(importlib.import_module(module), name)(**request["kwargs"])}
        except Exception:  # noqa: BLE001 - travels back to the caller, who raises it
            answer = {"error": traceback.format_exc()}
        answers.write(json.dumps(answer, default=_plain) + "\n")
        answers.flush()


class Worker:
    """A child interpreter started in the repository root that runs module-level functions of
    ``benchmarks`` modules one call at a time, and stays up between calls (its imports, traced
    functions and caches too), so its candidates can interleave with this process's.

    ``first_on_path``: folders put before everything on the child's ``sys.path`` (e.g. an
    earlier skweight checkout, whose ``skweight`` then is the one imported); ``env``: as for
    :func:`child_env`; ``python``: the interpreter (default: this one).  ``worker.call(fn,
    **kwargs)`` returns ``fn(**kwargs)``'s JSON result, or raises ``RuntimeError`` with the
    child's traceback; ``close()`` (or the ``with`` block's end) stops it.
    """

    def __init__(self, first_on_path=(), env=None, python=None):
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [python or sys.executable, "-c", _WORKER, json.dumps([str(p) for p in first_on_path])],
            cwd=ROOT,
            env=child_env(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )

    def call(self, fn, /, **kwargs):
        self.proc.stdin.write(json.dumps({"target": _target(fn), "kwargs": kwargs}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self._stderr.seek(0)
            raise RuntimeError(f"worker exited (code {self.proc.wait()}):\n{self._stderr.read()[-4000:]}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{_target(fn)}(**{kwargs}) failed in the worker:\n{answer['error']}")
        return answer["result"]

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
        self._stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def local_cluster(n_workers, env=None, **kwargs):
    """A Dask ``LocalCluster`` of ``n_workers`` worker processes with one thread each, on
    127.0.0.1, quiet, without dashboards; the workers start with ``env`` and the repository root
    on ``PYTHONPATH`` (functions of ``benchmarks`` modules sent to them import there)."""
    import logging

    import distributed

    return distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
        env={**(env or {}), "PYTHONPATH": child_env()["PYTHONPATH"]},
        **kwargs,
    )


class PeakRSS:
    """``with PeakRSS(interval) as peak: ...``: ``peak.peak`` is the highest resident memory of
    this process (bytes), sampled every ``interval`` seconds and at both ends of the block."""

    def __init__(self, interval=0.05):
        self.interval = interval

    def __enter__(self):
        import psutil

        self.proc, self.stop = psutil.Process(), threading.Event()
        self.peak = self.proc.memory_info().rss

        def poll():
            while not self.stop.wait(self.interval):
                self.peak = max(self.peak, self.proc.memory_info().rss)

        self.thread = threading.Thread(target=poll, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)
        return False


# --------------------------------------------------------------------------- #
# output: Markdown tables, figures
# --------------------------------------------------------------------------- #
_NUMBER = re.compile(r"[-+]?\d[\d,]*(\.\d*)?(e[-+]?\d+)?x?")
_MISSING = ("-", "n/a", "")


def _cell(value, fmt):
    if value is None:
        text = "-"
    elif callable(fmt):
        text = fmt(value)
    elif fmt is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        text = fmt.format(value)
    else:
        text = str(value)
    return text.replace("|", "\\|")


def table(rows, columns=None, floatfmt="{:.3f}", formats=None):
    """A Markdown table, as the README's, of ``rows`` (dicts) under ``columns`` (default: every
    key, in order of appearance).  A cell is formatted by ``formats[column]`` (a format string
    or a callable) if given, else floats by ``floatfmt``; None shows as ``-``.  Columns of
    numbers (or of ratios such as ``1.03x``; ``-`` and ``n/a`` aside) are right-aligned."""
    columns = list(columns or dict.fromkeys(k for r in rows for k in r))
    formats = formats or {}
    body = [
        [_cell(r.get(c, ""), formats.get(c, floatfmt if isinstance(r.get(c), float) else None)) for c in columns]
        for r in rows
    ]
    right = [bool(body) and all(b[i] in _MISSING or _NUMBER.fullmatch(b[i]) for b in body) for i in range(len(columns))]
    widths = [max(3, len(c), *(len(b[i]) for b in body)) for i, c in enumerate(columns)]

    def line(cells):
        return "| " + " | ".join(v.rjust(w) if r else v.ljust(w) for v, w, r in zip(cells, widths, right)) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if r else "-" * (w + 2) for w, r in zip(widths, right)) + "|"
    return "\n".join([line(columns), rule] + [line(b) for b in body])


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figures(args, draw, *names, log=print):
    """Unless ``--no-plot``: ``draw(*paths)`` for the PNGs ``names`` under ``--out``, and say so."""
    if args.no_plot:
        return []
    paths = [args.out / name for name in names]
    draw(*paths)
    log(f"wrote {' and '.join(str(p) for p in paths)}")
    return paths


def save_figure(fig, path, dpi=110, rect=None):
    """Lay out, write and close ``fig``."""
    fig.tight_layout(**({} if rect is None else {"rect": rect}))
    fig.savefig(path, dpi=dpi)
    pyplot().close(fig)
