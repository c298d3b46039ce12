"""NDArray behaviour cases run through MXNet 1.9.1 (``tests/conformance/gen_ndarray.py``) and mxtorch
(``tests/ndarray/test_ndarray_golden.py``).

Pure Python + numpy on purpose: the reference venv imports this same file. Each case is a plain value;
the result of case ``i`` is stored under its index in ``golden/ndarray/*.npz``.
"""
from __future__ import annotations

import numpy as np

SOURCE_SHAPE = (2, 3, 4)


def source() -> np.ndarray:
    """The array every indexing case reads or writes."""
    return np.arange(24, dtype=np.float32).reshape(SOURCE_SHAPE)


_ = slice(None)
E = Ellipsis

GET_KEYS = [
    0, -1, 1, _, slice(1, None), slice(None, None, -1), slice(0, 3, 2), slice(5, 10), slice(-10, 10),
    slice(None, None, -2), slice(1, 0, -1), slice(0, 0), (0, 1), (0, 1, 2), (-1, -2, -3), (_, 1),
    (E, 1), (0, E), (None,), (0, None), (_, None, 1), (E, None), (None, E, None), [0, 1], [1, 0, 1],
    np.array([1, 0]), (_, [0, 2]), ([0, 1], [1, 2]), ([0, 1], [1, 2], [3, 0]), (0, [0, 2]),
    (0, _, [1, 3]), ([1], _, [1, 3]), (slice(0, 1), [0, 2], _), np.array([[0, 1], [1, 0]]),
    (_, np.array([[0, 1], [1, 2]])), (1, 2, slice(None, None, -2)), (E,), (0, 0, slice(1, 2)),
    ([True, False],), (_, [2, 0], [1, 1]), (np.int64(1),), (np.int32(1), 2), (-1, slice(None, None, -3)),
    (slice(None, None, -1), 1, slice(None, None, -1)), (_, slice(2, None, -1), [0, 3]), ([-1, 0],),
    (_, _, [-1]), (1, slice(1, 3), slice(None, None, 2)), (E, slice(None, None, -1)), (_, 0, 0),
    (slice(1, 2), slice(1, 2), slice(1, 2)), ([[1]], [[2]], [[3]]), (0, [[0, 1], [2, 2]], 1),
    # errors
    2, (0, 0, 0, 0), "a", 1.0, (E, 0, E), [5], (_, 3),
]

# (key, value); a value given as a shape tuple in a 1-tuple means np.arange(size).reshape(shape) + 100
SET_CASES = [
    (0, 1.0), (_, ((4,),)), (_, ((2, 3, 4),)), ((0, 1), np.arange(4, dtype=np.float64)),
    ((0, 1), [1, 2, 3, 4]), (([0, 1], [1, 2]), 5.0), (([0, 1], [1, 2]), ((4,),)),
    ((0, 0, slice(None, None, -1)), ((4,),)), ((0, 0, slice(0, 4, 2)), ((2,),)), ((0, 0, 0), 7.0),
    ((None, 0), 7.0), ((E, 1), 7.0), ((0, 0, np.array([True, False, True, False])), 7.0),
    ((_, slice(None, None, -2)), ((2, 2, 4),)), ((slice(None, None, -1), 0, [1, 3]), ((2, 2),)),
    ((1, _, 2), ((3,),)), ([1, 0], ((1, 3, 4),)), ((_, [0, 2], slice(1, 3)), -1.0), (_, ((3, 1),)),
    ((1, slice(2, None, -1), slice(None, None, -1)), ((3, 4),)), (-1, ((1, 4),)),
    # errors
    (_, ((2, 3),)), (5, 7.0), ((0, 0, 0, 0), 1.0),
]

# (source shape, target shape codes, reverse)
RESHAPE_CASES = [
    ((2, 3, 4), (4, 0, 2), False), ((2, 3, 4), (2, 0, 0), False), ((2, 3, 4), (6, 1, -1), False),
    ((2, 3, 4), (3, -1, 8), False), ((2, 3, 4), (-1,), False), ((2, 3, 4), (-2,), False),
    ((2, 3, 4), (2, -2), False), ((2, 3, 4), (-2, 1, 1), False), ((2, 3, 4), (-3, 4), False),
    ((2, 3, 4, 5), (-3, -3), False), ((2, 3, 4), (0, -3), False), ((2, 3, 4, 5), (-3, -2), False),
    ((2, 3, 4), (-4, 1, 2, -2), False), ((2, 3, 4), (2, -4, -1, 3, -2), False),
    ((2, 3, 4), (-4, -1, 1, 0, 0), False), ((10, 5, 4), (-1, 0), False), ((10, 5, 4), (-1, 0), True),
    ((2, 3, 4), (0, -1), True), ((2, 3, 4, 5), (-1, 0, 0), True), ((2, 3, 4), (-4, 1, 2, -2), True),
    ((2, 3, 4), (-2, -4, 2, -1), True), ((2, 3, 4), (-3, -1), True), ((2, 3, 4), (0, 0, 0), True),
    ((6,), (-4, 2, 3), False), ((6,), (-4, -1, 2), False), ((1, 6), (0, -4, 3, -1), False),
    ((2, 3, 4), (4, -1, 0), False), ((2, 3, 4), (24,), False), ((2, 0, 3), (0, -1), False),
    # errors
    ((2, 3, 4), (5, -1), False), ((2, 3, 4), (-1, -1), False), ((2, 3, 4), (-4, 5, -1, -2), False),
    ((2, 3, 4), (7,), False), ((2, 3, 4), (-4, -1, -1, -2), False),
]

BINARY_DTYPES = ["float32", "float64", "float16", "int32", "uint8", "int8", "int64"]
# operator name as Python spells it; MXNet's NDArray dispatches each to broadcast_* or a *_scalar op
BINARY_OPS = ["add", "sub", "mul", "truediv", "mod", "pow", "eq", "ne", "gt", "ge", "lt", "le"]
# the ones also tried with the scalar on the left (Python's reflected operators)
REFLECTED_OPS = ["add", "sub", "mul", "truediv", "mod", "pow"]
SCALARS = [2.7, -3, 0.5]


def binary_operands(dtype: str) -> tuple:
    """Two arrays of ``dtype`` whose results fit the dtype (no overflow, no division by zero)."""
    if dtype == "uint8":
        return np.array([3, 7, 4, 1], dtype), np.array([2, 3, 5, 1], dtype)
    return np.array([3, -2, 4, 1], dtype), np.array([2, 3, -3, 1], dtype)


def binary_skipped(dtype: str, op: str, scalar, reverse: bool) -> bool:
    """Cases outside what MXNet defines: integer division by a scalar that casts to 0 (MXNet dies of
    SIGFPE) and integers raised to negative powers."""
    if np.dtype(dtype).kind not in "iu":
        return False
    if scalar is not None and int(scalar) == 0 and op in ("truediv", "mod") and not reverse:
        return True
    return op == "pow"


def value_of(spec, dtype=np.float32):
    """The value a SET_CASES entry assigns (see the comment above SET_CASES)."""
    if isinstance(spec, tuple) and len(spec) == 1 and isinstance(spec[0], tuple):
        shape = spec[0]
        return (np.arange(int(np.prod(shape)), dtype=np.float32) + 100).reshape(shape)
    return spec
