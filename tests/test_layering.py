"""Layering: every fact about an operator lives in its table entry (``src/mxtorch/ops/``), and no
package reaches into another's private names.

Outside ``ops/`` no module may special-case an operator by name (``node.op == "BatchNorm"``,
``entry.name in (...)``), keep a table keyed by operator names, or read an operator's attribute by
name (``node.parsed["kernel"]``, ``attrs["num_filter"]``). Calling an operator through the table by
its name (``_call("_plus_scalar", ...)``) is using the table, not special-casing it, and is not
looked for. A name with a leading underscore belongs to the package that defines it (and that
package's subpackages); importing it from elsewhere is a reach-in.

The scan looks for the obvious spellings in the syntax tree, not for every possible one. What it
still finds in files being reworked elsewhere is listed in ALLOWED with the reason; an entry that
no longer matches anything fails the test, so the list only shrinks.
"""
import ast
import pathlib

from mxtorch.ops import all_ops

ROOT = pathlib.Path(__file__).resolve().parents[1] / "src"
PACKAGE = ROOT / "mxtorch"
OPERATOR_NAMES = frozenset(all_ops())

# (path relative to src/mxtorch, check, the offending source text) -> why it is still there
ALLOWED = {
    ("symbol/symbol.py", "attribute by name", "dtype"):
        "sym.zeros/ones/full/arange/eye default the creation operators' dtype attribute to float32 "
        "(MXNet's symbol functions do the same) before calling them",
    ("symbol/json_format.py", "attribute by name", "num_args"):
        "the JSON format's rule for every control-flow node (MXNet counts a node's subgraphs among "
        "its num_args), not a fact of one operator",
}

# A string comparison against these is about variables (JSON's "null" operator), not an operator.
_NOT_OPERATORS = frozenset({"null"})


def _sources() -> list:
    return sorted(p for p in PACKAGE.rglob("*.py") if "ops" not in p.relative_to(PACKAGE).parts[:1])


def _strings(node: ast.AST) -> list:
    """The string constants ``node`` is, or holds as a tuple/list/set literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for e in node.elts for s in _strings(e)]
    return []


def _names_an_operator(node: ast.AST) -> bool:
    """``x.op``, ``x["op"]``, ``entry.name``, ``op`` or ``op_name``: an expression holding an
    operator's name."""
    if isinstance(node, ast.Attribute):
        return node.attr == "op" or (node.attr == "name" and isinstance(node.value, ast.Name)
                                     and node.value.id == "entry")
    if isinstance(node, ast.Subscript):
        return _strings(node.slice) == ["op"]
    return isinstance(node, ast.Name) and node.id in ("op", "op_name")


def _holds_attributes(node: ast.AST) -> bool:
    """``node.parsed``, ``attrs``, ``x.attrs``, ``x["attrs"]`` or ``node.params()``: an operator
    call's attributes."""
    if isinstance(node, ast.Attribute):
        return node.attr in ("parsed", "attrs")
    if isinstance(node, ast.Name):
        return node.id == "attrs"
    if isinstance(node, ast.Subscript):
        return _strings(node.slice) == ["attrs"]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "params" or (node.func.attr == "get" and _strings(node.args[0])
                                              == ["attrs"] if node.args else False)
    return False


def _is_operator_attribute(key: str) -> bool:
    # ``__shape__``, ``__init__``...: hidden attributes of the graph, not of an operator
    return not (key.startswith("__") and key.endswith("__"))


def _findings(path: pathlib.Path) -> list:
    """``(check, source text, line)`` for each special case of an operator in one file."""
    text = path.read_text(encoding="utf-8")
    tree, lines = ast.parse(text, str(path)), text.splitlines()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_names_an_operator(s) for s in sides):
                names = [s for side in sides for s in _strings(side)]
                if set(names) - _NOT_OPERATORS:
                    found.append(("operator by name", ast.unparse(node), node.lineno))
        elif isinstance(node, ast.Dict):
            keyed = [k for k in node.keys if k is not None and _strings(k)
                     and _strings(k)[0] in OPERATOR_NAMES]
            if len(keyed) >= 2:  # a table keyed by operators (one key may be an attribute: "pad")
                found.append(("operator table", lines[node.lineno - 1].strip(), node.lineno))
        elif isinstance(node, ast.Subscript) and _holds_attributes(node.value):
            keys = _strings(node.slice)
            if keys and _is_operator_attribute(keys[0]):
                found.append(("attribute by name", ast.unparse(node), node.lineno))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "get" and _holds_attributes(node.func.value) and node.args):
            keys = _strings(node.args[0])
            if keys and _is_operator_attribute(keys[0]):
                found.append(("attribute by name", ast.unparse(node), node.lineno))
    return found


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(module: str) -> str:
    """The package a module's private names belong to: the module itself when it is a package."""
    path = ROOT.joinpath(*module.split("."))
    return module if path.is_dir() else module.rpartition(".")[0]


def _private_imports(path: pathlib.Path) -> list:
    """``(imported name, line)`` for each private name the file imports from outside its package."""
    module = _module_name(path)
    return _reach_ins(module, _package_of(module), path.read_text(encoding="utf-8"))


def _reach_ins(module: str, importer: str, source: str) -> list:
    """``(imported name, line)`` for each private name ``source`` (module ``module`` of package
    ``importer``) imports from a package it is not part of."""
    found = []

    def check(target: str, names: list, line: int) -> None:
        parts = target.split(".")
        for i, part in enumerate(parts):  # a private module on the way is owned by its parent
            if part.startswith("_") and not _within(importer, ".".join(parts[:i])):
                found.append((".".join(parts[:i + 1]), line))
                return
        owner = _package_of(target)
        for name in names:
            if name.startswith("_") and not name.startswith("__") and not _within(importer, owner):
                found.append((f"{target}.{name}", line))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = importer.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("mxtorch"):
                continue
            names = [a.name for a in node.names]
            # ``from . import _x`` names a module of that package: judged as a path component
            folder = ROOT.joinpath(*target.split("."))
            submodules = [n for n in names if (folder / n).is_dir() or (folder / f"{n}.py").exists()]
            for sub in submodules:
                check(f"{target}.{sub}", [], node.lineno)
            check(target, [n for n in names if n not in submodules], node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mxtorch"):
                    check(alias.name, [], node.lineno)
    return found


def _within(package: str, owner: str) -> bool:
    return package == owner or package.startswith(owner + ".")


def test_the_scan_finds_the_spellings_it_looks_for(tmp_path):
    """The checks themselves, on code that breaks each rule once."""
    bad = tmp_path / "bad.py"
    bad.write_text('if node.op == "BatchNorm": pass\n'
                   'if entry.name in ("Dropout", "LRN"): pass\n'
                   'if node["op"] == "null": pass\n'
                   'k = node.parsed["kernel"]\n'
                   's = node["attrs"].get("stride")\n'
                   'h = node.attrs["__shape__"]\n'
                   'T = {"take": ("indices",), "pick": ("index",)}\n')
    assert sorted((line, check) for check, _, line in _findings(bad)) == [
        (1, "operator by name"), (2, "operator by name"), (4, "attribute by name"),
        (5, "attribute by name"), (7, "operator table")]


def _unallowed(findings, allowed: dict, matches) -> list:
    """The findings no allow-list entry covers; fails on entries that cover nothing any more.
    ``findings`` are ``(rel path, line, finding)``; ``matches(key, rel, finding)`` says whether
    an allow-list key covers one."""
    seen, problems = set(), []
    for rel, line, finding in findings:
        key = next((k for k in allowed if matches(k, rel, finding)), None)
        if key is not None:
            seen.add(key)
        else:
            problems.append(f"{rel}:{line}: {finding}")
    stale = set(allowed) - seen
    assert not stale, f"allowed findings that are gone (remove them from the list): {sorted(stale)}"
    return problems


def test_no_module_outside_ops_special_cases_an_operator():
    findings = [(path.relative_to(PACKAGE).as_posix(), line, (check, text[:120]))
                for path in _sources() for check, text, line in _findings(path)]
    problems = _unallowed(findings, ALLOWED,
                          lambda k, rel, f: k[:2] == (rel, f[0]) and k[2] in f[1])
    assert not problems, "operator facts outside the table:\n" + "\n".join(problems)


# (importing module relative to src/mxtorch, private name) -> why it is still there
ALLOWED_PRIVATE = {
    ("test_utils.py", "mxtorch.gluon.utils._get_repo_file_url"):
        "get_mnist fetches from the Gluon dataset repository as the MNIST dataset class does; the "
        "helper keeps MXNet's private name (gluon.utils exports what MXNet's exports)",
}


def test_the_private_import_check():
    source = ("from ..ndarray._dispatch import owned\n"    # a private module of another package
              "from ..ndarray.utils import _helper\n"      # a private name of another package
              "from .._fileio import atomic_write\n"       # private to mxtorch, which gluon is in
              "from .parameter import _Private\n"          # its own package's
              "import mxtorch.ops.tensor._common\n")
    assert _reach_ins("mxtorch.gluon.block", "mxtorch.gluon", source) == [
        ("mxtorch.ndarray._dispatch", 1), ("mxtorch.ndarray.utils._helper", 2),
        ("mxtorch.ops.tensor._common", 5)]


def test_no_package_imports_another_packages_private_names():
    findings = [(path.relative_to(PACKAGE).as_posix(), line, name)
                for path in sorted(PACKAGE.rglob("*.py")) for name, line in _private_imports(path)]
    problems = _unallowed(findings, ALLOWED_PRIVATE,
                          lambda k, rel, name: k[0] == rel and name.startswith(k[1]))
    assert not problems, "private names imported across packages:\n" + "\n".join(problems)
