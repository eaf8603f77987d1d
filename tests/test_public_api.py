"""The public API and the package's shape: every public name (the README's and
each public module's ``__all__``) imports, the renamed 0.2 modules warn and
still give the same objects, ``show_versions`` reports, imports run one way
(no cycle), internal modules start with ``_``, and no function body is longer
than 60 lines."""

import ast
import importlib
import io
import pathlib
import re
import sys
import warnings
from contextlib import redirect_stdout
from importlib import metadata

import pytest

import skweight
from skweight._deprecated import MOVED

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skweight"
README = (ROOT / "README.md").read_text()
# what users read besides the README: the Sphinx pages and the gallery (not the design notes)
DOCS = [*sorted((ROOT / "docs").glob("*.rst")), *sorted((ROOT / "docs" / "user_guide").glob("*.rst"))]
DOCS += sorted((ROOT / "examples").glob("*.py"))
PUBLIC_MODULES = [
    "skweight.weights",
    "skweight.losses",
    "skweight.model_selection",
    "skweight.dask",
    "skweight.classifier",
]
MAX_BODY_LINES = 60


def _resolve(dotted):
    """The object a dotted name names, importing modules on the way."""
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], 1):
        if not hasattr(obj, part):
            obj = importlib.import_module(".".join(parts[: i + 1]))
        else:
            obj = getattr(obj, part)
    return obj


# --------------------------------------------------------------------------- #
# public names
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("name", skweight.__all__)
def test_every_top_level_name_imports(name):
    assert getattr(skweight, name) is not None
    exec(f"from skweight import {name}", {})


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_name_of_each_public_module_imports(module):
    mod = importlib.import_module(module)
    assert mod.__all__, module
    for name in mod.__all__:
        assert getattr(mod, name) is not None, f"{module}.{name}"


def _named(text):
    """The dotted skweight names a text uses (``skweight.x.y``, ``from skweight.x import a, b``)."""
    dotted = set(re.findall(r"\bskweight(?:\.[A-Za-z_]\w*)+", text))
    for module, grouped, names in re.findall(r"from (skweight[\w.]*) import (?:\(([\w,\s]+)\)|([\w, ]+))", text):
        dotted.update(f"{module}.{n.strip()}" for n in (grouped or names).split(",") if n.strip())
    return sorted(dotted)


def _check_public(dotted, where):
    assert not any(part.startswith("_") for part in dotted.split(".")[1:] if part != "__version__"), (
        f"{where} names an internal name: {dotted}"
    )
    assert not any(dotted == old or dotted.startswith(old + ".") for old in MOVED), f"{where} names {dotted}"
    _resolve(dotted)


def test_the_readme_names_public_names_only_and_each_imports():
    names = _named(README)
    assert "skweight.show_versions" in names and "skweight.dask.partial_fit_blocks" in names
    for dotted in names:
        _check_public(dotted, "README.md")


@pytest.mark.parametrize("page", DOCS, ids=[p.name for p in DOCS])
def test_the_docs_and_the_gallery_name_public_names_only(page):
    for dotted in _named(page.read_text()):
        _check_public(dotted.rstrip("."), page.name)


def test_internal_modules_start_with_an_underscore():
    public = {m.split(".")[1] for m in PUBLIC_MODULES} | {old.split(".")[1] for old in MOVED}
    public |= {"__init__", "__main__"}
    for path in PACKAGE.glob("*.py"):
        assert path.stem in public or path.stem.startswith("_"), f"{path.name} looks public"


# --------------------------------------------------------------------------- #
# the deprecated aliases of 0.2's module names
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("old", sorted(MOVED))
def test_renamed_modules_warn_and_keep_their_names(old, monkeypatch):
    monkeypatch.delitem(sys.modules, old, raising=False)
    new = MOVED[old].split()[0]
    with pytest.warns(DeprecationWarning, match=rf"{re.escape(old)} is deprecated .* import from {re.escape(new)}"):
        alias = importlib.import_module(old)
    for name in alias.__all__:
        assert getattr(alias, name) is not None
    if not new.split(".")[1].startswith("_"):  # a public module: the very same objects
        target = importlib.import_module(new)
        assert all(getattr(alias, name) is getattr(target, name) for name in alias.__all__)


def test_the_deprecation_warning_points_at_the_import(monkeypatch):
    monkeypatch.delitem(sys.modules, "skweight.blocks", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(compile("from skweight.blocks import partial_fit_blocks", "user_code.py", "exec"), {})
    assert [(w.filename, w.lineno) for w in caught if w.category is DeprecationWarning] == [("user_code.py", 1)]


# --------------------------------------------------------------------------- #
# show_versions
# --------------------------------------------------------------------------- #
def test_show_versions_reports_the_versions_and_the_private_features():
    from skweight._backend import backend_name, private_features

    info = skweight.show_versions(as_dict=True)
    assert info["skweight"] == skweight.__version__
    assert info["python"].startswith(".".join(map(str, sys.version_info[:2])))
    for label in ("numpy", "scikit-learn", "scikeras", "keras"):
        assert info[label] == metadata.version(label)
    assert info["keras_backend"] == backend_name()
    assert info["private_features"] == private_features()
    assert {"tensorflow", "jax", "torch"} <= set(info)
    out = io.StringIO()
    with redirect_stdout(out):
        assert skweight.show_versions() is None
    text = out.getvalue()
    assert f"skweight: {skweight.__version__}" in text and f"keras: {info['keras']}" in text
    for feature, used in info["private_features"].items():
        assert re.search(rf"{feature}: {'used' if used else 'public fallback'}\n", text)


# --------------------------------------------------------------------------- #
# the shape of the package
# --------------------------------------------------------------------------- #
def _imports(path):
    """The skweight modules ``path`` imports (at module level or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add("skweight." + node.module)
            else:
                found.update(
                    f"skweight.{a.name}" if (PACKAGE / f"{a.name}.py").exists() else "skweight" for a in node.names
                )
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("skweight"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("skweight"))
    return found


def _graph():
    graph = {}
    for path in PACKAGE.glob("*.py"):
        name = "skweight" if path.stem == "__init__" else f"skweight.{path.stem}"
        graph[name] = _imports(path) - {name}
    return graph


def _cycle(graph):
    """One import cycle as a list of modules, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_imports_run_one_way():
    assert _cycle(_graph()) is None, " -> ".join(_cycle(_graph()))


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_dask_module_uses_leaf_modules_and_public_names_only():
    leaves = {"skweight._encoding", "skweight._kinds", "skweight._resolve", "skweight._forms", "skweight._outputs"}
    leaves |= {"skweight._errors", "skweight._params"}
    assert _imports(PACKAGE / "_dask.py") <= leaves
    for node in ast.walk(ast.parse((PACKAGE / "_dask.py").read_text())):
        if isinstance(node, ast.ImportFrom):
            assert not any(a.name.startswith("_") for a in node.names), ast.dump(node)


def _long_functions(limit):
    out = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and len(body) > 1:
                    body = body[1:]  # the docstring does not count
                lines = body[-1].end_lineno - body[0].lineno + 1
                if lines > limit:
                    out.append(f"{path.name}:{node.lineno} {node.name} ({lines} lines)")
    return out


def test_no_function_body_is_longer_than_60_lines():
    assert _long_functions(MAX_BODY_LINES) == []


def test_the_length_check_sees_long_functions():
    assert _long_functions(5), "a limit of 5 lines must find functions"
