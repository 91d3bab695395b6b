"""The house rules of the code, checked (docs/ARCHITECTURE.md): every package ships in the wheel, every docstring
example runs, no import cycle (visible or hidden in a function), no function over 80 lines without a reason.

Each check reads the source (``ast``) or runs it; none times anything.
"""
from __future__ import annotations

import ast
import doctest
import functools
import glob
import importlib
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib" / "chitieu"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MAX_LINES = 80
#: a function longer than MAX_LINES says why on the line just above its ``def`` (or its decorators)
REASON_MARK = "# long function:"


def _module_name(path: Path) -> str:
    parts = path.relative_to(LIB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    """Every module of lib/chitieu: dotted name -> file."""
    return {_module_name(p): p for p in sorted(LIB.rglob("*.py")) if "__pycache__" not in p.parts}


MODULES = _sources()


# --------------------------------------------------------------------------------------------------------------
# Packaging: a regular (non-editable) install must hold every module and every file the program reads
# --------------------------------------------------------------------------------------------------------------

def _package_dirs() -> dict[str, Path]:
    """Listed package -> its folder in the checkout, as setuptools maps it ([tool.setuptools.package-dir])."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    mapping = setuptools.get("package-dir", {})
    out = {}
    for pkg in setuptools["packages"]:
        parts = pkg.split(".")
        for i in range(len(parts), -1, -1):  # the longest mapped prefix decides
            prefix = ".".join(parts[:i])
            if prefix in mapping:
                out[pkg] = ROOT / mapping[prefix] / Path(*parts[i:]) if parts[i:] else ROOT / mapping[prefix]
                break
    return out


def _project_files(*folders: str) -> list[Path]:
    """Files of the checkout under ``folders``, as git sees them (tracked, or new and not ignored)."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *folders],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
        return [ROOT / f for f in listed if (ROOT / f).is_file()]
    return [p for f in folders for p in (ROOT / f).rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def test_every_folder_of_the_library_is_a_listed_package():
    packages = set(PYPROJECT["tool"]["setuptools"]["packages"])
    folders = {_module_name(d / "__init__.py") for d in [LIB, *LIB.rglob("*")]
               if d.is_dir() and d.name != "__pycache__" and any(d.iterdir())}
    missing = sorted(folders - packages)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml (else not in the wheel): {missing}"
    dirs = _package_dirs()
    absent = sorted(p for p in packages if p not in dirs or not dirs[p].is_dir())
    assert not absent, f"listed packages without a folder: {absent}"


def test_the_sample_project_and_notebooks_ship_inside_the_package():
    dirs = _package_dirs()
    assert dirs["chitieu._bundled.data"] == ROOT / "data"
    assert dirs["chitieu._bundled.params"] == ROOT / "params"
    assert dirs["chitieu._bundled.notebooks"] == ROOT / "notebooks"
    assert (LIB / "_bundled" / "__init__.py").is_file()  # a regular package: resources.files() gives a folder


def test_every_file_the_program_reads_is_package_data():
    """Each non-Python file under lib/chitieu, data/, params/ and notebooks/ matches a package-data glob of the
    package holding it (setuptools globs each pattern inside the package's folder)."""
    dirs = _package_dirs()
    globs = PYPROJECT["tool"]["setuptools"].get("package-data", {})
    shipped: set[Path] = set()
    for pkg, patterns in globs.items():
        for pattern in patterns:
            shipped |= {Path(p).resolve() for p in glob.glob(str(dirs[pkg] / pattern), recursive=True)}
    files = [p for p in _project_files("lib/chitieu", "data", "params", "notebooks")
             if p.suffix not in (".py", ".pyc")]
    assert files, "no data files found"
    missing = sorted(str(p.relative_to(ROOT)) for p in files if p.resolve() not in shipped)
    assert not missing, f"not in the wheel: add a [tool.setuptools.package-data] pattern for {missing}"


# --------------------------------------------------------------------------------------------------------------
# Claims kept true: every example in a docstring runs and prints what it says
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(MODULES))
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # examples speak of data/ and data/sources/ as a user in the checkout would
    for var in ("CHITIEU_DATA", "CHITIEU_PARAMS", "CHITIEU_OUTPUTS"):
        monkeypatch.delenv(var, raising=False)
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in finder.find(module, name):
        if test.filename and Path(test.filename).resolve() != MODULES[name].resolve():
            continue  # an object imported from another module is checked there
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


# --------------------------------------------------------------------------------------------------------------
# No import cycle, visible or hidden
# --------------------------------------------------------------------------------------------------------------

def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path) -> list[tuple[str, bool]]:
    """(module imported, at module level?) for every import of a module: ``import``/``from`` statements anywhere
    (module level or inside a function), and ``importlib.import_module`` with a literal name or an f-string whose
    literal prefix names a package (every module under that prefix). Imports under ``if TYPE_CHECKING`` never run
    and are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, bool]] = []
    dynamic = False
    literals: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        nonlocal dynamic
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child, top)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            top = False
        if isinstance(node, ast.Import):
            found.extend((alias.name, top) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub if sub in MODULES else base, top))
        elif isinstance(node, ast.Attribute) and node.attr == "import_module":
            dynamic = True
        elif isinstance(node, ast.Name) and node.id == "import_module":
            dynamic = True
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in MODULES:
            literals.append((node.value, top))
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            prefix = str(node.values[0].value)
            if prefix.startswith("chitieu.") and prefix.endswith("."):
                literals.extend((m, top) for m in MODULES if m.startswith(prefix))
        for child in ast.iter_child_nodes(node):
            visit(child, top)

    visit(tree, True)
    if dynamic:  # strings naming modules, in a module that imports by name: count them as imports (not at load)
        found.extend((m, False) for m, _ in literals)
    return [(m, top) for m, top in found if m in MODULES and m != name]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def test_no_import_cycle_among_all_imports():
    """Every import written anywhere in a module, run at load or later in a function: no module reaches itself."""
    graph = {name: {m for m, _ in imported} for name, imported in IMPORTS.items()}
    cycles = _cycles(graph)
    assert not cycles, "import cycles (an arrow goes from the lower layer back up): " + \
        "; ".join(" <-> ".join(c) for c in cycles)


def test_no_import_cycle_at_load_time():
    """What runs when a module is loaded: its module-level imports, and the ``__init__`` of every package above
    each module it imports (Python runs those first)."""
    graph: dict[str, set[str]] = {}
    for name, imported in IMPORTS.items():
        edges = set()
        for m, top in imported:
            if top:
                edges.add(m)
                edges.update(p for p in _parents(m) if p in MODULES and p != name and not name.startswith(p + "."))
        graph[name] = edges
    cycles = _cycles(graph)
    assert not cycles, "import cycles at load time: " + "; ".join(" <-> ".join(c) for c in cycles)


#: the layers of docs/ARCHITECTURE.md, lowest first: a module imports only from its own layer or lower ones
LAYERS = ("chitieu.errors", "chitieu.config", "chitieu.core", "chitieu.io", "chitieu.analysis", "chitieu.report",
          "chitieu.cli")
#: imports that go up a layer today, each with the work that removes it (an entry no longer needed must go)
PENDING_UPWARD: dict[tuple[str, str], str] = {
    ("chitieu.analysis.compare", "chitieu.report"): "compare's display and writing half belongs in report/ "
                                                    "(helper P splits analysis/compare.py)",
    ("chitieu.analysis.whatif", "chitieu.report"): "the what-if page (ipywidgets) is presentation "
                                                   "(owner of analysis/whatif.py)",
}


def _layer(name: str) -> int:
    found = [i for i, top in enumerate(LAYERS) if name == top or name.startswith(top + ".")]
    return found[-1] if found else -1


def _upward() -> set[tuple[str, str]]:
    """(module, layer it reaches up to) for every import that goes to a higher layer."""
    out = set()
    for name, imported in IMPORTS.items():
        for m, _ in imported:
            if _layer(m) > _layer(name) >= 0:
                out.add((name, LAYERS[_layer(m)]))
    return out


def test_imports_go_down_the_layers():
    up = sorted(_upward() - set(PENDING_UPWARD))
    assert not up, f"imports up a layer (order: {' < '.join(LAYERS)}): {up}"


def test_pending_upward_imports_still_exist():
    gone = sorted(set(PENDING_UPWARD) - _upward())
    assert not gone, f"no longer imported upward: remove from PENDING_UPWARD: {gone}"


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    probe = tmp_path / "probe.py"
    probe.write_text("import os\n\ndef f():\n    from chitieu.io import data\n    from . import safe\n"
                     "    return importlib.import_module(f'chitieu.cli.{name}')\n", encoding="utf-8")
    found = _imports("chitieu.io.probe", probe)
    assert ("chitieu.io.data", False) in found and ("chitieu.io.safe", False) in found
    assert ("chitieu.cli.run", False) in found and not any(top for _, top in found)


# --------------------------------------------------------------------------------------------------------------
# No function over 80 lines without a reason written beside it
# --------------------------------------------------------------------------------------------------------------

#: long functions not split yet: each to be split, or explained with '# long function: …' above its def; an entry
#: that becomes short (or explained) must go. Empty since the end of issue 15 (2026-12-06): bullet_chart,
#: trend_fan, _docx_bytes, _import_locked, read_table and compare's write_xlsx were split, run_batch explained.
PENDING: dict[str, str] = {}


def _long_functions(modules: dict[str, Path] = MODULES) -> list[tuple[str, int, str, bool]]:
    """(qualified name, lines, where, has a reason) of every function or method over MAX_LINES."""
    out = []
    for name, path in modules.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))

        def visit(node: ast.AST, prefix: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    qual = f"{prefix}.{child.name}"
                    if not isinstance(child, ast.ClassDef):
                        length = child.end_lineno - child.lineno + 1
                        if length > MAX_LINES:
                            first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                            above = lines[first - 2].strip() if first >= 2 else ""
                            reason = above.startswith(REASON_MARK) and len(above) > len(REASON_MARK) + 10
                            out.append((qual, length, f"{path.name}:{child.lineno}", reason))
                    visit(child, qual)
                else:
                    visit(child, prefix)

        visit(tree, name)
    return out


@functools.lru_cache(maxsize=None)
def _library_long_functions() -> tuple[tuple[str, int, str, bool], ...]:
    return tuple(_long_functions())


def test_no_function_over_80_lines_without_a_reason():
    unexplained = [f"{q} ({n} lines, {where})" for q, n, where, reason in _library_long_functions()
                   if not reason and q not in PENDING]
    assert not unexplained, (f"functions over {MAX_LINES} lines: split them, or write '{REASON_MARK} <why>' on the "
                             "line above the def: " + "; ".join(unexplained))


def test_pending_long_functions_are_still_long():
    still = {q for q, _, _, reason in _library_long_functions() if not reason}
    done = sorted(set(PENDING) - still)
    assert not done, f"no longer over {MAX_LINES} lines (or explained): remove from PENDING: {done}"


def test_the_length_check_sees_methods_and_nested_functions(tmp_path):
    body = "".join(f"        x{i} = {i}\n" for i in range(MAX_LINES))
    src = f"class K:\n    def m(self):\n{body}\n\ndef outer():\n    def inner():\n{body}"
    probe = tmp_path / "probe.py"
    probe.write_text(src, encoding="utf-8")
    long = {q: reason for q, _, _, reason in _long_functions({"probe": probe})}
    assert long == {"probe.K.m": False, "probe.outer": False, "probe.outer.inner": False}
    probe.write_text(src.replace("    def m", f"    {REASON_MARK} one table of cases, read top to bottom\n    def m"),
                     encoding="utf-8")
    long = {q: reason for q, _, _, reason in _long_functions({"probe": probe})}
    assert long == {"probe.K.m": True, "probe.outer": False, "probe.outer.inner": False}
