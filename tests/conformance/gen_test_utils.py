"""Write the goldens of ``mx.test_utils`` with MXNet 1.9.1 (run with the reference venv).

    .ref/bin/python tests/conformance/gen_test_utils.py

Writes ``golden/test_utils/exports.json`` (what ``from mxnet.test_utils import *`` brings, and
what kind of object each name is) and ``golden/test_utils/values.json`` (tolerance rules, seeded
random helpers, comparison verdicts and messages, finite differences, and MNIST as get_mnist
reads it from ``../shared/data/mnist``).
"""
import json
import os
import statistics
import sys
import types

import numpy as np

import mxnet as mx
import mxnet.test_utils as tu

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "golden", "test_utils")
MNIST = os.path.join(HERE, "..", "..", "..", "shared", "data", "mnist")

# names of MXNet's star-import that mxtorch does not provide, and why
EXCLUDED = {
    "requests": "third-party HTTP client MXNet's download used; mxtorch downloads through "
                "gluon.utils.download (urllib) and does not depend on requests",
}


def kind(obj):
    if obj is None:
        return "none"
    if isinstance(obj, types.ModuleType):
        return "module:" + obj.__name__
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "function"
    return type(obj).__name__


def exports():
    ns = {}
    exec("from mxnet.test_utils import *", ns)  # noqa: S102  (the behaviour under test)
    names = sorted(k for k in ns if k != "__builtins__")
    return {"count": len(names), "names": names, "kinds": {n: kind(ns[n]) for n in names},
            "excluded": EXCLUDED}


def message(f, *args, **kwargs):
    try:
        f(*args, **kwargs)
    except AssertionError as e:
        return str(e)
    return None


def values():
    v = {}
    v["default_rtols"] = {str(k): val for k, val in tu.default_rtols().items()}
    v["default_atols"] = {str(k): val for k, val in tu.default_atols().items()}
    v["default_numeric_eps"] = {str(k): val for k, val in tu.default_numeric_eps().items()}
    v["default_dtype"] = np.dtype(tu.default_dtype()).name
    v["effective_dtype"] = {
        dt: str(tu.effective_dtype(np.zeros(2, dtype=dt)))
        for dt in ("float16", "float32", "float64", "int32", "uint8", "bool")}
    v["effective_dtype_nd"] = {
        dt: str(tu.effective_dtype(mx.nd.zeros(2, dtype=dt)))
        for dt in ("float16", "float32", "float64", "int32", "uint8")}
    pairs = [("float16", "float64"), ("float32", "float32"), ("float32", "int32"),
             ("int64", "int64"), ("float64", "bool")]
    v["get_tols"] = [[a, b, list(tu.get_tols(np.zeros(1, a), np.zeros(1, b), None, None))]
                     for a, b in pairs]
    v["get_tols_numbers"] = list(tu.get_tols(1, 2.0, None, None))
    v["get_tols_given"] = list(tu.get_tols(np.zeros(1, "float16"), np.zeros(1), 0.5, 0.25))
    v["get_tols_dict"] = list(tu.get_tols(np.zeros(1, "float32"), np.zeros(1, "float32"),
                                          {np.dtype("float32"): 0.125}, None))
    v["get_rtol_atol_etol"] = [tu.get_rtol(), tu.get_atol(), tu.get_etol(), tu.get_rtol(0.5),
                               tu.get_atol(dtype=np.dtype("float16")), tu.get_etol(0.1)]

    np.random.seed(7)
    seeded = {}
    seeded["rand_shape_2d"] = [int(x) for x in tu.rand_shape_2d()]
    seeded["rand_shape_3d"] = [int(x) for x in tu.rand_shape_3d(3, 4, 5)]
    seeded["rand_shape_nd"] = [int(x) for x in tu.rand_shape_nd(4, 5)]
    seeded["rand_shape_nd_zero"] = [int(x) for x in tu.rand_shape_nd(6, 2, allow_zero_size=True)]
    seeded["random_arrays"] = tu.random_arrays((2, 3)).tolist()
    seeded["random_arrays_two"] = [a.tolist() for a in tu.random_arrays((2,), ())]
    seeded["random_uniform_arrays"] = [a.tolist() for a in tu.random_uniform_arrays(
        (3,), low=-2, high=-1, dtype=np.float64)]
    seeded["random_sample"] = tu.random_sample(list(range(10)), 4)
    seeded["rand_coord_2d"] = [int(x) for x in tu.rand_coord_2d(0, 10, 5, 8)]
    seeded["new_matrix_with_real_eigvals_2d"] = tu.new_matrix_with_real_eigvals_2d(3).tolist()
    seeded["new_matrix_with_real_eigvals_nd"] = tu.new_matrix_with_real_eigvals_nd(
        (2, 2, 2)).tolist()
    seeded["new_orthonormal_matrix_2d"] = tu.new_orthonormal_matrix_2d(3).tolist()
    seeded["new_sym_matrix_with_real_eigvals_nd"] = tu.new_sym_matrix_with_real_eigvals_nd(
        (2, 3, 3)).tolist()
    seeded["mean_check"] = [
        bool(tu.mean_check(lambda n: np.random.normal(0, 1, size=n), 0, 1, 1000)),
        bool(tu.mean_check(lambda n: np.random.normal(1, 1, size=n), 0, 1, 1000))]
    seeded["var_check"] = [bool(tu.var_check(lambda n: np.random.normal(0, 2, size=n), 2, 1000)),
                           bool(tu.var_check(lambda n: np.random.normal(0, 1, size=n), 2, 1000))]
    v["seed7"] = seeded

    a = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    v["collapse_sum_like"] = [tu.collapse_sum_like(a, (3, 1)).tolist(),
                              tu.collapse_sum_like(a, (1, 3, 4)).tolist(),
                              tu.collapse_sum_like(a, (0, 4)).tolist()]
    v["np_reduce"] = [tu.np_reduce(a, 1, False, np.sum).tolist(),
                      tu.np_reduce(a, (0, 2), True, np.max).tolist(),
                      tu.np_reduce(a, None, False, np.sum).tolist()]
    v["assign_each"] = tu.assign_each(np.array([[1., 2.], [3., 4.]]), lambda x: x * x).tolist()
    v["assign_each2"] = tu.assign_each2(np.array([1., 2.]), np.array([3., 5.]),
                                        lambda x, y: x - y).tolist()
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda p: 4 * p - 2, 4)
    v["gen_buckets_probs_with_ppf"] = [buckets, probs]
    norm = statistics.NormalDist()
    v["normal_buckets"] = tu.gen_buckets_probs_with_ppf(
        lambda p: float("-inf") if p == 0 else float("inf") if p == 1 else norm.inv_cdf(p), 5)[0]

    x = np.array([1.0, 2.0, 3.0])
    v["almost_equal"] = [bool(r) for r in [
        tu.almost_equal(x, x + 1e-6), tu.almost_equal(x, x * (1 + 2e-5)),
        tu.almost_equal(x.astype(np.float32), x * (1 + 2e-5)),
        tu.almost_equal(x, x + 0.01, rtol=0.01), tu.almost_equal(x, x + 0.01, atol=0.011),
        tu.almost_equal(np.array([np.nan]), np.array([np.nan])),
        tu.almost_equal(np.array([np.nan]), np.array([np.nan]), equal_nan=True)]]
    v["messages"] = {
        "float64": message(tu.assert_almost_equal, x, np.array([1.0, 2.5, 3.1]),
                           names=("x", "y")),
        "float32": message(tu.assert_almost_equal, x.astype(np.float32),
                           np.array([1.0, 2.0, 3.01], dtype=np.float32)),
        "scalar": message(tu.assert_almost_equal, np.float64(1.0), np.float64(2.0)),
        "mismatches": message(tu.assert_almost_equal, np.arange(30.0), np.arange(30.0) + 1,
                              mismatches=(3, 5)),
        "allclose": message(tu.assert_allclose, x, x * (1 + 1e-6)),
        "ignore_nan": message(tu.assert_almost_equal_ignore_nan, np.array([np.nan, 1.0]),
                              np.array([5.0, 1.5])),
        "with_err": message(tu.assert_almost_equal_with_err, np.arange(10.0),
                            np.arange(10.0) + np.array([0] * 7 + [1] * 3), etol=0.2),
        "nd": message(tu.assert_almost_equal, mx.nd.array([1, 2, 3]), mx.nd.array([1, 2, 4])),
    }
    v["passes"] = {
        "with_err": message(tu.assert_almost_equal_with_err, np.arange(10.0),
                            np.arange(10.0) + np.array([0] * 8 + [1] * 2), etol=0.2),
        "ignore_nan": message(tu.assert_almost_equal_ignore_nan, np.array([np.nan, 1.0]),
                              np.array([5.0, 1.0])),
        "allclose_nan": message(tu.assert_allclose, np.array([np.nan]), np.array([np.nan])),
        "nd_equal": message(tu.assert_almost_equal, mx.nd.array([1, 2]), mx.nd.array([1, 2])),
    }

    # finite differences of sin(a) * b, float64
    a_sym, b_sym = mx.sym.Variable("a"), mx.sym.Variable("b")
    sym = mx.sym.sin(a_sym) * b_sym
    loc = {"a": np.array([[0.1, -0.7, 1.3]]), "b": np.array([[2.0, 0.5, -1.5]])}
    exe = sym.bind(mx.cpu(), args={k: mx.nd.array(val, dtype="float64") for k, val in loc.items()})
    grads = tu.numeric_grad(exe, {k: val.copy() for k, val in loc.items()}, eps=1e-3,
                            dtype=np.float64)
    v["numeric_grad"] = {"location": {k: val.tolist() for k, val in loc.items()}, "eps": 1e-3,
                         "grads": {k: g.tolist() for k, g in grads.items()}}
    v["simple_forward"] = tu.simple_forward(sym, a=loc["a"], b=loc["b"]).tolist()
    v["list_gpus"] = list(tu.list_gpus())
    v["is_cd_run"] = tu.is_cd_run()
    return v


def mnist():
    # MXNet's get_mnist downloads into the working directory; point it at the shared files
    tu.download = lambda url, *a, **k: os.path.join(MNIST, url.split("/")[-1])
    m = tu.get_mnist()
    out = {}
    for k, arr in m.items():
        out[k] = {"shape": list(arr.shape), "dtype": arr.dtype.name, "min": float(arr.min()),
                  "max": float(arr.max()), "first": arr.reshape(len(arr), -1)[0].sum().item(),
                  "sum": float(arr.astype(np.float64).sum())}
        if "label" in k:
            out[k]["head"] = arr[:10].tolist()
            out[k]["counts"] = np.bincount(arr.astype(np.int64)).tolist()
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "exports.json"), "w") as f:
        json.dump(exports(), f, indent=1, sort_keys=True)
    data = values()
    data["mnist"] = mnist() if os.path.isdir(MNIST) else None
    with open(os.path.join(OUT, "values.json"), "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
