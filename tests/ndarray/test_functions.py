"""MXNet's Python-level ``nd`` functions (add ... logical_xor, split_v2, onehot_encode, from_numpy,
DLPack) and NDArray's fluent methods against what MXNet 1.9.1 did for the same cases (goldens written
by tests/conformance/gen_nd_functions.py from tests/ndarray/function_cases.py)."""
import functools
import json
import operator
import warnings

import numpy as np
import pytest
import torch

from mxtorch import MXNetError, nd
from mxtorch.ndarray import ndarray as nd_module
from tests.conformance.conftest import GOLDEN
from tests.ndarray import function_cases as cases

GOLDEN_FN = GOLDEN / "nd_functions"
_EXCEPTIONS = {"ValueError": ValueError, "MXNetError": MXNetError, "TypeError": TypeError,
               "AssertionError": MXNetError}  # MXNet's asserts are MXNetErrors here


@functools.lru_cache(maxsize=None)
def _golden(name: str) -> dict:
    return json.loads((GOLDEN_FN / f"{name}.json").read_text())


def _check(expected, run) -> None:
    """``run()`` gives what MXNet gave: the same exception type, or equal encoded results."""
    if isinstance(expected, dict) and "error" in expected:
        with pytest.raises(_EXCEPTIONS[expected["error"]]):
            run()
        return
    _compare(cases.encode(run()), expected)


def _compare(got, expected) -> None:
    if isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected)
        for g, e in zip(got, expected):
            _compare(g, e)
        return
    if "py" in expected:  # both operands numbers: a Python number, as MXNet returns
        assert got["py"] == expected["py"]
        assert got["value"] == pytest.approx(expected["value"])
        return
    assert (got["dtype"], got["shape"]) == (expected["dtype"], expected["shape"])
    rtol = 1e-3 if expected["dtype"] == "float16" else 1e-5  # float32 as the op goldens
    np.testing.assert_allclose(np.array(got["values"], dtype=np.float64),
                               np.array(expected["values"], dtype=np.float64), rtol=rtol, atol=1e-6)


# -- element-wise functions ---------------------------------------------------------------------
_UFUNC_CASES = cases.ufunc_cases()


@pytest.mark.parametrize("key,name,lhs,rhs", _UFUNC_CASES, ids=[c[0] for c in _UFUNC_CASES])
def test_ufunc_matches_mxnet(key, name, lhs, rhs):
    fn = getattr(nd, name)
    _check(_golden("ufuncs")[key], lambda: fn(cases.build(lhs, nd), cases.build(rhs, nd)))


_OPERATORS = {"add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
              "divide": operator.truediv, "modulo": operator.mod, "power": operator.pow,
              "equal": operator.eq, "not_equal": operator.ne, "greater": operator.gt,
              "greater_equal": operator.ge, "lesser": operator.lt, "lesser_equal": operator.le}


@pytest.mark.parametrize("name", sorted(_OPERATORS))
def test_ndarray_operators_are_the_functions(name):
    """``x + y`` is ``nd.add(x, y)``: the operators go through the same helper as the functions,
    with the scalar on either side (``2 - x`` is ``nd.subtract(2, x)``)."""
    lhs, rhs = (a.make(nd) for a in cases.ufunc_operands("float32"))
    op, fn = _OPERATORS[name], getattr(nd, name)
    for a, b in [(lhs, rhs), (lhs, 2.5), (2.5, rhs)]:
        np.testing.assert_array_equal(op(a, b).asnumpy(), fn(a, b).asnumpy())


@pytest.mark.parametrize("make", [lambda x: np.ones(2) + x, lambda x: [1, 2] * x, lambda x: x + "a",
                                  lambda x: None == x])  # noqa: E711 - the comparison is the case
def test_operators_reject_what_is_neither_array_nor_number_as_mxnet_does(make):
    with pytest.raises(TypeError, match="not supported"):
        make(nd.ones(2))


def test_ufunc_helper_dispatch_counts_numpy_scalars_as_numbers():
    x = nd.array([1.0, 2.0])
    np.testing.assert_array_equal(nd.add(np.float32(2), x).asnumpy(), [3.0, 4.0])
    assert nd.add(np.float32(2), 3) == 5.0


# -- fluent methods -----------------------------------------------------------------------------
def test_ndarray_has_mxnets_public_attributes_and_no_other_operator_methods():
    """MXNet's NDArray has a fixed list of fluent methods: ``x.uniform`` or ``x.broadcast_add``
    do not exist, every MXNet attribute does (but the mx.np converters)."""
    mxnet = set(_golden("names")["ndarray_attributes"]) - {"as_np_ndarray", "as_nd_ndarray"}
    ours = {n for n in dir(nd.NDArray) if not n.startswith("_")}
    assert mxnet <= ours, sorted(mxnet - ours)
    assert ours - mxnet == {"as_in_ctx", "grad_req"}
    x = nd.ones((2, 2))
    for name in ("uniform", "random_uniform", "broadcast_add", "elemwise_add", "dot", "cast"):
        assert not hasattr(x, name), name


@pytest.mark.parametrize("key,method,x,args,kwargs", cases.FLUENT, ids=[c[0] for c in cases.FLUENT])
def test_fluent_method_matches_mxnet(key, method, x, args, kwargs):
    expected = _golden("fluent")[key]
    arr = x.make(nd)
    _check(expected["out"], lambda: getattr(arr, method)(*cases.build(args, nd), **kwargs))
    _compare(cases.encode(arr), expected["self"])


@pytest.mark.parametrize("method,args", [("flatten", ()), ("expand_dims", (0,)), ("squeeze", ())])
def test_inplace_methods_return_views(method, args):
    x = nd.ones((2, 1, 3))
    view = getattr(x, method)(*args, inplace=True)
    view[:] = 5
    assert (x.asnumpy() == 5).all()
    copy = getattr(x, method)(*args)
    copy[:] = 0
    assert (x.asnumpy() == 5).all()


def test_slice_assign_writes_into_the_array_and_returns_it():
    x = nd.ones((2, 2))
    assert x.slice_assign(nd.zeros((1, 2)), (0, None), (1, None), (None, None)) is x
    assert x.slice_assign_scalar(7, (1, 1), (2, 2), (None, None)) is x
    np.testing.assert_array_equal(x.asnumpy(), [[0, 0], [1, 7]])


# -- other module functions ---------------------------------------------------------------------
def test_nd_has_mxnets_ndarray_module_functions():
    # MXNet internals (imdecode is tested in test_nd_imdecode.py)
    missing = {"get_indexing_dispatch_code", "get_oshape_of_gather_nd_op",
               "indexing_key_expand_implicit_axes"}
    expected = set(_golden("names")["module_functions"]) - missing
    assert {n for n in expected if not hasattr(nd, n)} == set()


@pytest.mark.parametrize("key,name,args,kwargs", cases.FUNCTIONS, ids=[c[0] for c in cases.FUNCTIONS])
def test_function_matches_mxnet(key, name, args, kwargs):
    fn = getattr(nd, name)
    _check(_golden("functions")[key], lambda: fn(*cases.build(args, nd), **kwargs))


def test_histogram_without_range_warns_and_follows_numpy():
    data = np.array([0.5, 1.2, 3.0, -1.0, 2.2, 4.0], np.float32)
    with pytest.warns(UserWarning, match="range is not specified"):
        counts, edges = nd.histogram(nd.array(data), bins=3)
    expected_counts, expected_edges = np.histogram(data, bins=3)
    np.testing.assert_array_equal(counts.asnumpy(), expected_counts)
    np.testing.assert_allclose(edges.asnumpy(), expected_edges, rtol=1e-6)


def test_onehot_encode_writes_into_out():
    out = nd.zeros((2, 3))
    assert nd.onehot_encode(nd.array([2, 0]), out) is out
    np.testing.assert_array_equal(out.asnumpy(), [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "int64", "uint8", "int8",
                                   "bool"])
def test_from_numpy_matches_mxnet(dtype):
    expected = _golden("from_numpy")[dtype]
    a = np.arange(4).astype(dtype)
    _check(expected["out"], lambda: nd.from_numpy(a))
    if "error" not in expected["out"]:
        assert a.flags.writeable == expected["writeable"]


def test_from_numpy_shares_memory_unless_asked_to_copy():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = nd.from_numpy(a)
    x[:] = 1  # the array is consumed: mxnet owns the buffer now
    assert (a == 1).all()
    b = np.arange(3, dtype=np.int32)
    y = nd.from_numpy(b, zero_copy=False)
    y[:] = 0
    assert y.dtype == np.int32 and b.flags.writeable and (b == [0, 1, 2]).all()
    with pytest.raises(ValueError, match="c-contiguous"):
        nd.from_numpy(a.T)


def test_from_numpy_copies_a_read_only_array():
    a = np.arange(3, dtype=np.float32)
    a.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = nd.from_numpy(a)
    x[:] = 7
    assert (a == [0, 1, 2]).all()


def test_dlpack_round_trip_shares_memory_and_consumes_the_capsule_once():
    x = nd.ones((2, 3))
    capsule = nd.to_dlpack_for_read(x)
    y = nd.from_dlpack(capsule)
    with pytest.raises(ValueError, match="consumed only once"):
        nd.from_dlpack(capsule)
    z = nd.from_dlpack(nd.to_dlpack_for_write(x))
    z += 1
    assert isinstance(y, nd.NDArray) and (y.asnumpy() == 2).all() and (x.asnumpy() == 2).all()


# -- nd.array of read-only numpy input -------------------------------------------------------------
def test_array_copies_read_only_numpy_input_without_a_warning(monkeypatch):
    """np.asarray(PIL_image) is read-only; torch warns (once per process) when asked to share it.
    The check on torch.from_numpy catches the sharing even after torch has stopped warning."""
    real_from_numpy = torch.from_numpy

    def strict_from_numpy(a):
        assert a.flags.writeable, "torch.from_numpy given a read-only array"
        return real_from_numpy(a)

    monkeypatch.setattr(torch, "from_numpy", strict_from_numpy)
    src = np.arange(6, dtype=np.uint8).reshape(2, 3)
    src.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = nd.array(src)
        y = nd.array(src, dtype=src.dtype)
    x[:] = 9
    y[:] = 9
    assert (src == np.arange(6).reshape(2, 3)).all()
    assert (x.dtype, y.dtype) == (np.float32, np.uint8)


def test_writable_is_true_for_ordinary_arrays():
    assert nd.ones((2,)).writable and nd.array([1, 2])[0].writable


def test_ufunc_helper_is_the_one_dispatch():
    # the NDArray operators hold no dispatch of their own
    assert not hasattr(nd.NDArray, "_binary")
    assert nd_module.NDArray.__add__(nd.ones((1,)), 1).asscalar() == 2
