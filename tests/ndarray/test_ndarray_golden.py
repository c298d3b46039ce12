"""NDArray indexing, slice assignment, reshape codes and operator dtype rules against what MXNet 1.9.1
did for the same cases (goldens written by tests/conformance/gen_ndarray.py)."""
import functools
import json
import operator

import numpy as np
import pytest

from mxtorch import MXNetError, nd
from tests.conformance.conftest import GOLDEN
from tests.ndarray import cases

GOLDEN_ND = GOLDEN / "ndarray"
_EXCEPTIONS = {"IndexError": IndexError, "ValueError": ValueError, "MXNetError": MXNetError,
               "TypeError": TypeError}


@functools.lru_cache(maxsize=None)
def _golden(name: str):
    path = GOLDEN_ND / name
    return json.loads(path.read_text()) if name.endswith(".json") else dict(np.load(path))


def _check(golden, i: int, run) -> None:
    if f"e{i}" in golden:
        with pytest.raises(_EXCEPTIONS[str(golden[f"e{i}"])]):
            run()
        return
    expected = golden[f"r{i}"]
    out = run()
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.asnumpy(), expected)


@pytest.mark.parametrize("i", range(len(cases.GET_KEYS)), ids=[repr(k)[:40] for k in cases.GET_KEYS])
def test_getitem(i):
    golden = _golden("getitem.npz")
    _check(golden, i, lambda: nd.array(cases.source())[cases.GET_KEYS[i]])


@pytest.mark.parametrize("i", range(len(cases.SET_CASES)), ids=[repr(c)[:50] for c in cases.SET_CASES])
def test_setitem(i):
    golden = _golden("setitem.npz")
    key, spec = cases.SET_CASES[i]

    def run():
        x = nd.array(cases.source())
        value = cases.value_of(spec)
        x[key] = nd.array(value) if isinstance(value, np.ndarray) and value.dtype == np.float32 \
            else value
        return x

    _check(golden, i, run)


@pytest.mark.parametrize("i", range(len(cases.RESHAPE_CASES)),
                         ids=[repr(c) for c in cases.RESHAPE_CASES])
def test_reshape_codes(i):
    expected = _golden("reshape.json")[i]
    shape, target, reverse = cases.RESHAPE_CASES[i]
    x = nd.array(np.arange(int(np.prod(shape))).reshape(shape))
    if isinstance(expected, str):
        # MXNet raises ValueError for a size mismatch, MXNetError for malformed codes
        with pytest.raises((ValueError, MXNetError)):
            x.reshape(target, reverse=reverse)
        return
    out = x.reshape(target, reverse=reverse)
    assert list(out.shape) == expected
    np.testing.assert_array_equal(out.asnumpy().ravel(), x.asnumpy().ravel())


def _binary_cases() -> list:
    found = []
    for dtype in cases.BINARY_DTYPES:
        for name in cases.BINARY_OPS:
            found.append((dtype, name, None, False))
            for j in range(len(cases.SCALARS)):
                found.append((dtype, name, j, False))
                if name in cases.REFLECTED_OPS:
                    found.append((dtype, name, j, True))
    return found


@pytest.mark.parametrize("dtype,name,j,reverse", _binary_cases())
def test_operator_dtype_rules(dtype, name, j, reverse):
    golden = _golden("binary.json")
    form = "arr" if j is None else (f"rs{j}" if reverse else f"s{j}")
    key = f"{dtype}_{name}_{form}"
    if key not in golden:
        pytest.skip("not a case MXNet defines (see cases.binary_skipped)")
    a_np, b_np = cases.binary_operands(dtype)
    a, b = nd.array(a_np, dtype=dtype), nd.array(b_np, dtype=dtype)
    fn = getattr(operator, name)
    if j is None:
        out = fn(a, b)
    else:
        out = fn(cases.SCALARS[j], b) if reverse else fn(a, cases.SCALARS[j])
    expected_dtype, values = golden[key]
    assert np.dtype(out.dtype).name == expected_dtype
    rtol = 1e-3 if dtype == "float16" else 1e-6
    np.testing.assert_allclose(out.asnumpy().astype(np.float64), values, rtol=rtol)
