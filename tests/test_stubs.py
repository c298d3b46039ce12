"""The typing stubs of nd and sym match the operator table (regenerate: python -m mxtorch._stubs)."""
import ast

import pytest

from mxtorch import _stubs


@pytest.mark.parametrize("module_name", sorted(_stubs.TARGETS))
def test_stub_is_current(module_name):
    path = _stubs.PACKAGE / _stubs.TARGETS[module_name][0]
    assert path.exists(), f"{path} is missing: run python -m mxtorch._stubs"
    assert path.read_text(encoding="utf-8") == _stubs.stub_text(module_name), \
        f"{path} is stale: run python -m mxtorch._stubs"


def _function(path, name):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)


def test_editors_see_real_parameters():
    nd_stub = _stubs.PACKAGE / "ndarray" / "__init__.pyi"
    conv = _function(nd_stub, "Convolution")
    assert [a.arg for a in conv.args.args][:5] == ["data", "weight", "bias", "kernel", "stride"]
    concat = _function(nd_stub, "concat")
    assert concat.args.vararg.arg == "data" and "dim" in [a.arg for a in concat.args.kwonlyargs]
    sym_stub = _stubs.PACKAGE / "symbol" / "__init__.pyi"
    assert "attr" in [a.arg for a in _function(sym_stub, "FullyConnected").args.args]
    assert (_stubs.PACKAGE / "py.typed").exists()
