"""The public names of MXNet 1.9.1's modules that programs and test suites import, for
tests/test_exports.py to hold mxtorch's modules against.

    .ref/bin/python tests/conformance/gen_exports.py

writes ``golden/exports/exports.json``: for each module, the names kept (``names``), the rule that
chose them (``source``: the module's ``__all__``, or its public attributes) and the public
attributes left out, each with why (``excluded``).

Left out are the pieces that only make sense against MXNet's C library: ctypes types and handles,
the ``ctypes`` module, ``_LIB``-style helpers that marshal arguments for it (``check_call``,
``c_str``, ``c_array``...). Outside ``mx.test_utils`` also left out are modules and
standard-library objects a module merely imports (``os``, ``threading.Lock``, ``array.array``):
they are not part of what the module offers. ``mx.test_utils`` keeps those, since
``from mxnet.test_utils import *`` hands them to the importing test (``np``, ``mx``, ``rnd``...).
``mx.nd`` is taken from ``dir()`` rather than its ``__all__``, so that the operator functions
generated from the C library's registry are included.
"""
import ctypes
import importlib
import json
import pathlib
import sys
import types
import warnings

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "golden" / "exports" / "exports.json"

MODULES = ["mxnet.autograd", "mxnet.io", "mxnet.ndarray", "mxnet.operator", "mxnet.runtime",
           "mxnet.base", "mxnet.gluon.utils", "mxnet.gluon.data.vision.datasets",
           "mxnet.gluon.contrib.estimator", "mxnet.contrib.autograd", "mxnet.contrib.io",
           "mxnet.test_utils"]

# Modules whose __all__ is too narrow to describe what programs import from them: MXNet's
# base lists only MXNetError, yet py_str, the type tuples and the error classes are used widely;
# nd's __all__ leaves out the generated operator functions.
FROM_DIR = {"mxnet.ndarray", "mxnet.base"}

# Functions that exist to call into or convert for MXNet's C library. ctypes' own functions
# (cast, POINTER, CFUNCTYPE) are recognised by their module instead: nd.cast is an operator.
C_HELPERS = {"check_call", "c_str", "c_array", "c_array_buf", "c_handle_array", "c_str_array",
             "ctypes2buffer", "ctypes2numpy_shared", "c2pyerror", "get_last_ffi_error",
             "libinfo", "_LIB"}
# ctypes structures that are nonetheless public API: what runtime.feature_list() returns.
CTYPES_API = {"Feature"}
CTYPES_BASES = (ctypes._SimpleCData, ctypes.Structure, ctypes.Union, ctypes._Pointer,
                ctypes.Array)
STDLIB = set(sys.stdlib_module_names) - {"builtins"}


def why_excluded(modname: str, name: str, value) -> str | None:
    """Why ``modname.name`` is not part of the export list, or None when it is."""
    if name in CTYPES_API:
        return None
    if value is ctypes or name in C_HELPERS or name.endswith("Handle"):
        return "ctypes plumbing"
    if isinstance(value, type) and issubclass(value, CTYPES_BASES):
        return "ctypes plumbing"
    owner = getattr(value, "__module__", None) or ""
    if owner.split(".")[0] in ("ctypes", "_ctypes"):
        return "ctypes plumbing"
    if modname == "mxnet.test_utils":
        return None
    if isinstance(value, types.ModuleType):
        if value.__name__.startswith(modname + "."):
            return None
        return "a module it imports"
    if owner.split(".")[0] in STDLIB:
        return "a standard-library object it imports"
    return None


def exports(modname: str) -> dict:
    """The export record of one module."""
    mod = importlib.import_module(modname)
    declared = getattr(mod, "__all__", None)
    if declared is not None and modname not in FROM_DIR:
        source, candidates = "__all__", list(declared)
    else:
        source, candidates = "dir", [n for n in dir(mod) if not n.startswith("_")]
    names, excluded = [], {}
    for name in sorted(set(candidates)):
        reason = why_excluded(modname, name, getattr(mod, name, None))
        if reason is None:
            names.append(name)
        else:
            excluded[name] = reason
    return {"source": source, "names": names, "excluded": excluded}


def main() -> None:
    warnings.simplefilter("ignore")
    import mxnet as mx
    record = {"mxnet_version": mx.__version__,
              "modules": {m: exports(m) for m in MODULES}}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for m, r in record["modules"].items():
        print(f"{m}: {len(r['names'])} names ({r['source']}), {len(r['excluded'])} left out")


if __name__ == "__main__":
    main()
