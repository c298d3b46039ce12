"""MXNet 1.9.1's identity, runtime features, ``mx.util``, ``mx.library`` and ``mx.base`` answers.

    .ref/bin/python tests/conformance/gen_runtime.py

Writes golden/runtime/runtime.json:
  version          mx.__version__
  feature_names    mx.runtime.feature_list()'s names, in order
  names            per module (runtime, util, library, base), the public names it defines itself
                   (what it imports from elsewhere left out), and the NumPy-mode names the top
                   level exports
  behaviour        answers of the pure-Python helpers: the legacy-shape switches in their
                   off positions, NotImplementedForSymbol's and NotSupportedForSparseNDArray's
                   messages, py_str, build_param_doc, the type tuples, np_ufunc_legal_option,
                   the ufunc wrappers' refusals, Features' error for an unknown name, a Feature's
                   repr, get_cuda_compute_capability on a CPU context
tests/test_runtime.py and tests/test_identity.py check mxtorch against it.
"""
import inspect
import json
import pathlib
import types

import mxnet as mx
import mxnet.base
import mxnet.library
import mxnet.runtime
import mxnet.util
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "runtime" / "runtime.json"
CONSTANTS = {"base": ["integer_types", "numeric_types", "string_types", "mx_real_t", "error_types",
                      "__version__"]}


def own_names(module: types.ModuleType, key: str) -> list:
    """Public functions and classes ``module`` defines, and its listed constants."""
    names = [n for n, v in vars(module).items() if not n.startswith("_")
             and (inspect.isfunction(v) or inspect.isclass(v))
             and getattr(v, "__module__", None) == module.__name__]
    names += [n for n in CONSTANTS.get(key, []) if hasattr(module, n)]
    if key == "base":
        names.append("py_str")   # a lambda there, defined in the module
    return sorted(set(names))


def outcome(fn) -> dict:
    try:
        return {"value": repr(fn())}
    except Exception as err:  # noqa: BLE001 - the golden records which error
        return {"error": type(err).__name__, "message": str(err)}


def behaviour() -> dict:
    util, base = mx.util, mx.base

    def scope(active):
        with mx.np_shape(active):
            return "ran"

    def unary(**kwargs):
        return util.wrap_np_unary_func(lambda x, out=None: "ran")(1, **kwargs)

    def binary(**kwargs):
        return util.wrap_np_binary_func(lambda a, b, out=None: "ran")(1, 2, **kwargs)

    fake_fn = types.FunctionType((lambda: None).__code__, {}, "dot")
    return {
        "is_np_shape": outcome(mx.is_np_shape),
        "is_np_array": outcome(mx.is_np_array),
        "set_np_shape_false": outcome(lambda: mx.set_np_shape(False)),
        "np_shape_false": outcome(lambda: scope(False)),
        "np_shape_none": outcome(lambda: scope(None)),
        "set_np_false_false": outcome(lambda: util.set_np(shape=False, array=False)),
        "set_np_array_without_shape": outcome(lambda: util.set_np(shape=False, array=True)),
        "reset_np": outcome(util.reset_np),
        "use_np_shape_non_callable": outcome(lambda: mx.use_np_shape(3)),
        "set_module": outcome(lambda: util.set_module("mxnet.numpy")(fake_fn).__module__),
        "ufunc_legal": {f"{k}={v!r}": util.np_ufunc_legal_option(k, v) for k, v in [
            ("where", False), ("casting", "safe"), ("casting", "x"), ("order", "C"), ("order", 1),
            ("dtype", "float32"), ("dtype", np.int8), ("dtype", "bool"), ("subok", False),
            ("subok", 1), ("out", None)]},
        "unary_default": outcome(lambda: unary(casting="same_kind")),
        "unary_legal": outcome(lambda: unary(casting="safe")),
        "unary_illegal": outcome(lambda: unary(casting="nope")),
        "unary_unknown": outcome(lambda: unary(foo=1)),
        "binary_default": outcome(lambda: binary(where=True)),
        "binary_legal": outcome(lambda: binary(dtype="int8")),
        "binary_illegal": outcome(lambda: binary(order=3)),
        "binary_unknown": outcome(lambda: binary(bar=1)),
        "not_for_symbol": str(base.NotImplementedForSymbol(fake_fn, "_dot", 1, "a")),
        "not_for_symbol_bare": str(base.NotImplementedForSymbol(fake_fn, None)),
        "not_for_sparse": str(base.NotSupportedForSparseNDArray(fake_fn, "dot", 2.0)),
        "py_str": base.py_str("é".encode("utf-8")),
        "build_param_doc": base.build_param_doc(["a", "b", "num_args", "a"], ["int", "str", "x", "y"],
                                                ["the a", "", "", "again"]),
        "build_param_doc_dup": base.build_param_doc(["a", "a"], ["int", "y"], ["", ""],
                                                    remove_dup=False),
        "integer_types": [t.__name__ for t in base.integer_types],
        "numeric_types": [t.__name__ for t in base.numeric_types],
        "string_types": [t.__name__ for t in base.string_types],
        "mx_real_t": base.mx_real_t.__name__,
        "is_enabled_unknown": outcome(lambda: mx.runtime.Features().is_enabled("NOPE")),
        "is_enabled_lower": outcome(lambda: isinstance(mx.runtime.Features().is_enabled("cuda"),
                                                       bool)),
        "features_singleton": mx.runtime.Features() is mx.runtime.Features(),
        "feature_repr_cuda": repr(mx.runtime.Features()["CUDA"]),
        "compute_capability_cpu": outcome(lambda: util.get_cuda_compute_capability(mx.cpu())),
        "getenv_unset": outcome(lambda: util.getenv("MXTORCH_GOLDEN_SURELY_UNSET")),
    }


def main() -> None:
    modules = {"runtime": mx.runtime, "util": mx.util, "library": mx.library, "base": mx.base}
    golden = {
        "version": mx.__version__,
        "feature_names": [f.name for f in mx.runtime.feature_list()],
        "names": {key: own_names(m, key) for key, m in modules.items()},
        "top_level": sorted(n for n in ("is_np_shape", "set_np_shape", "np_shape", "use_np_shape",
                                        "is_np_array", "np_array", "use_np_array", "use_np",
                                        "set_np", "reset_np") if hasattr(mx, n)),
        "behaviour": behaviour(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(golden, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
