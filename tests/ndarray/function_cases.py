"""Cases for MXNet's Python-level ``nd`` functions and NDArray's fluent methods, run through MXNet 1.9.1
(``tests/conformance/gen_nd_functions.py``) and mxtorch (``tests/ndarray/test_functions.py``).

Pure Python + numpy on purpose: the reference venv imports this same file. An argument written
``A(values, dtype)`` becomes ``nd.array(values, dtype=dtype)`` of the framework under test; results are
stored under the case's key by ``encode``.
"""
from __future__ import annotations

import numpy as np


class A:
    """An NDArray argument, built by the framework under test."""

    def __init__(self, values, dtype: str = "float32"):
        self.values = np.asarray(values, dtype=np.float64)
        self.dtype = dtype

    def make(self, nd):
        return nd.array(self.values, dtype=self.dtype)

    def __repr__(self) -> str:
        return f"A{self.values.shape}:{self.dtype}"


def build(value, nd):
    """``value`` with every ``A`` (also inside tuples and lists) made an NDArray of ``nd``."""
    if isinstance(value, A):
        return value.make(nd)
    if isinstance(value, (tuple, list)):
        return type(value)(build(v, nd) for v in value)
    return value


def encode(result) -> object:
    """A JSON-able record of a result: NDArrays as dtype, shape and values; lists element-wise;
    numbers with their Python type."""
    if isinstance(result, (list, tuple)):
        return [encode(r) for r in result]
    if hasattr(result, "asnumpy"):
        a = result.asnumpy()
        return {"dtype": np.dtype(a.dtype).name, "shape": list(a.shape),
                "values": a.astype(np.float64).ravel().tolist()}
    return {"py": type(result).__name__, "value": result}


def run(fn) -> object:
    """``encode(fn())``, or the name of the exception it raised."""
    try:
        return encode(fn())
    except Exception as err:  # noqa: BLE001 - the exception's type is the recorded result
        return {"error": type(err).__name__}


# -- element-wise functions (MXNet's _ufunc_helper) ----------------------------------------------
UFUNCS = ["add", "subtract", "multiply", "divide", "true_divide", "modulo", "power", "maximum",
          "minimum", "equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal",
          "logical_and", "logical_or", "logical_xor"]
UFUNC_DTYPES = ["float32", "float64", "int32", "uint8"]
# no zero on the right (integer division by zero kills MXNet), no negative integers (uint8)
_LHS = {"float": [[0.0, 2.0, 3.0], [-4.0, 5.0, 6.5]], "int": [[0, 2, 3], [4, 5, 6]]}
_RHS = [[2.0, 2.0, 5.0]]
SCALARS = [2, 2.5]
SCALAR_PAIRS = [(2, 3), (2.5, 2), (3, 3), (0, 1.5)]


def ufunc_operands(dtype: str) -> tuple:
    """The (2, 3) left and the broadcast (1, 3) right array of ``dtype``."""
    kind = "float" if dtype.startswith("float") else "int"
    return A(_LHS[kind], dtype), A(_RHS, dtype)


def ufunc_cases() -> list:
    """``(key, lhs, rhs)``: array op array, array op scalar, scalar op array, number op number,
    and the operands MXNet rejects."""
    found = []
    for name in UFUNCS:
        for dtype in UFUNC_DTYPES:
            lhs, rhs = ufunc_operands(dtype)
            found.append((f"{name}_{dtype}_aa", name, lhs, rhs))
            for j, s in enumerate(SCALARS):
                found.append((f"{name}_{dtype}_as{j}", name, lhs, s))
                found.append((f"{name}_{dtype}_sa{j}", name, s, rhs))
        for j, (a, b) in enumerate(SCALAR_PAIRS):
            found.append((f"{name}_ss{j}", name, a, b))
        found.append((f"{name}_bad_dtype", name, A([1, 2]), A([1, 2], "int32")))
        found.append((f"{name}_bad_shape", name, A([[1, 2, 3]]), A([[1, 2], [3, 4]])))
        found.append((f"{name}_bad_type", name, A([1, 2]), "a"))
    return found


# -- fluent methods: (key, method, input, args, kwargs) -------------------------------------------
X = A([[0.1, -0.5, 0.3], [0.7, -0.25, 0.9]])
POS = A([[0.2, 0.5, 1.5], [2.0, 3.3, 0.7]])
BIG = A([[1.5, 2.0, 3.0], [1.1, 4.0, 2.5]])
HALVES = A([[-2.5, -1.5, -0.5], [0.5, 1.5, 2.6]])
NANS = A([[1.0, np.nan, 2.0], [np.nan, 3.0, 4.0]])
X3 = A(np.arange(12).reshape(2, 3, 2))
SQ = A(np.arange(9).reshape(3, 3))
DEPTH = A(np.arange(16).reshape(1, 4, 2, 2))
SPACE = A(np.arange(16).reshape(1, 1, 4, 4))
IMG = A(np.arange(4).reshape(1, 1, 2, 2))
ROW = A([[1.0, 2.0, 3.0]])
COL = A([[1.0], [2.0]])
ONES_X = A(np.ones((2, 1, 3)))
CUBE = A(np.ones((2, 2, 2)))
_NO = (None, None, None)

FLUENT = [
    ("abs", "abs", X, (), {}), ("arccos", "arccos", X, (), {}), ("arccosh", "arccosh", BIG, (), {}),
    ("arcsin", "arcsin", X, (), {}), ("arcsinh", "arcsinh", X, (), {}),
    ("arctan", "arctan", X, (), {}), ("arctanh", "arctanh", X, (), {}),
    ("argmax", "argmax", X, (), {"axis": 1}), ("argmax_channel", "argmax_channel", X, (), {}),
    ("argmin", "argmin", X, (), {"axis": 0}), ("argsort", "argsort", X, (), {"axis": 1}),
    ("broadcast_axes", "broadcast_axes", ROW, (), {"axis": 0, "size": 2}),
    ("broadcast_like", "broadcast_like", COL, (A(np.zeros((2, 3))),), {}),
    ("broadcast_like_fewer_dims", "broadcast_like", A([1, 2, 3]), (A(np.zeros((2, 3))),), {}),
    ("broadcast_to", "broadcast_to", COL, ((2, 3),), {}),
    ("broadcast_to_fewer_dims", "broadcast_to", A([1, 2, 3]), ((2, 3),), {}),
    ("broadcast_to_bad", "broadcast_to", A([1, 2, 3]), ((2, 2),), {}),
    ("cbrt", "cbrt", X, (), {}), ("ceil", "ceil", X, (), {}), ("clip", "clip", X, (-0.3, 0.5), {}),
    ("cos", "cos", X, (), {}), ("cosh", "cosh", X, (), {}), ("degrees", "degrees", X, (), {}),
    ("depth_to_space", "depth_to_space", DEPTH, (2,), {}), ("diag", "diag", SQ, (), {}),
    ("diag_k", "diag", SQ, (1,), {}), ("exp", "exp", X, (), {}),
    ("expand_dims", "expand_dims", X, (1,), {}),
    ("expand_dims_inplace", "expand_dims", X, (-1,), {"inplace": True}),
    ("expm1", "expm1", X, (), {}), ("fix", "fix", HALVES, (), {}), ("flatten", "flatten", X3, (), {}),
    ("flatten_inplace", "flatten", X3, (), {"inplace": True}), ("flip", "flip", X, (), {"axis": 1}),
    ("floor", "floor", X, (), {}), ("log", "log", POS, (), {}), ("log10", "log10", POS, (), {}),
    ("log1p", "log1p", POS, (), {}), ("log2", "log2", POS, (), {}),
    ("log_softmax", "log_softmax", X, (), {}), ("max", "max", X, (), {"axis": 1}),
    ("mean", "mean", X, (), {}), ("min", "min", X, (), {"axis": 0, "keepdims": True}),
    ("nanprod", "nanprod", NANS, (), {"axis": 1}), ("nansum", "nansum", NANS, (), {}),
    ("norm", "norm", X, (), {}), ("one_hot", "one_hot", A([0, 2, 1]), (4,), {}),
    ("ones_like", "ones_like", X, (), {}),
    ("pad", "pad", IMG, (), {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 1, 1, 1),
                             "constant_value": 2}),
    ("pick", "pick", X, (A([0, 2]),), {"axis": 1}), ("prod", "prod", X, (), {}),
    ("radians", "radians", X, (), {}), ("rcbrt", "rcbrt", POS, (), {}),
    ("reciprocal", "reciprocal", POS, (), {}), ("relu", "relu", X, (), {}),
    ("repeat", "repeat", X, (), {"repeats": 2, "axis": 0}),
    ("reshape_like", "reshape_like", X, (A(np.zeros((3, 2))),), {}),
    ("rint", "rint", HALVES, (), {}), ("round", "round", HALVES, (), {}),
    ("rsqrt", "rsqrt", POS, (), {}), ("shape_array", "shape_array", X, (), {}),
    ("sigmoid", "sigmoid", X, (), {}), ("sign", "sign", X, (), {}), ("sin", "sin", X, (), {}),
    ("sinh", "sinh", X, (), {}), ("size_array", "size_array", X, (), {}),
    ("slice", "slice", X, (), {"begin": (0, 1), "end": (2, 3)}),
    ("slice_assign", "slice_assign", CUBE, (A(np.zeros((1, 1, 2))), (0, 0, None), (1, 1, None), _NO),
     {}),
    ("slice_assign_scalar", "slice_assign_scalar", CUBE, (3.0, (0, 0, None), (1, 1, None), _NO), {}),
    ("slice_axis", "slice_axis", X, (), {"axis": 1, "begin": 0, "end": 2}),
    ("slice_like", "slice_like", X, (A(np.zeros((1, 2))),), {}),
    ("softmax", "softmax", X, (), {}), ("softmin", "softmin", X, (), {"axis": 0}),
    ("softmin_temperature", "softmin", X, (), {"temperature": 0.5}),
    ("sort", "sort", X, (), {"axis": 1, "is_ascend": False}),
    ("space_to_depth", "space_to_depth", SPACE, (2,), {}),
    ("split", "split", X, (), {"num_outputs": 3, "axis": 1}),
    ("split_v2", "split_v2", X, (3,), {"axis": 1}), ("split_v2_indices", "split_v2", X, ((1,),), {}),
    ("sqrt", "sqrt", POS, (), {}), ("square", "square", X, (), {}),
    ("squeeze", "squeeze", ONES_X, (), {}),
    ("squeeze_inplace", "squeeze", ONES_X, (), {"axis": 1, "inplace": True}),
    ("squeeze_inplace_all", "squeeze", A(np.ones((1, 1))), (), {"inplace": True}),
    ("squeeze_inplace_bad", "squeeze", ONES_X, (), {"axis": 0, "inplace": True}),
    ("sum", "sum", X, (), {"axis": 0}), ("swapaxes", "swapaxes", X, (), {"dim1": 0, "dim2": 1}),
    ("take", "take", X, (A([1, 0]),), {}), ("tan", "tan", X, (), {}), ("tanh", "tanh", X, (), {}),
    ("tile", "tile", X, ((2, 1),), {}), ("topk", "topk", X, (), {"k": 2, "ret_typ": "both"}),
    ("transpose", "transpose", X, (), {}), ("trunc", "trunc", HALVES, (), {}),
    ("zeros_like", "zeros_like", X, (), {}),
]

# -- other module functions: (key, function, args, kwargs) ----------------------------------------
SIX = A(np.arange(12).reshape(2, 6))
FUNCTIONS = [
    ("split_v2_sections", "split_v2", (SIX, 3), {"axis": 1}),
    ("split_v2_one", "split_v2", (SIX, 1), {}),
    ("split_v2_indices", "split_v2", (SIX, (2, 3)), {"axis": 1}),
    ("split_v2_beyond", "split_v2", (SIX, (2, 9)), {"axis": 1}),
    ("split_v2_squeeze", "split_v2", (SIX, 2), {"squeeze_axis": True}),
    ("split_v2_unequal", "split_v2", (SIX, 4), {"axis": 1}),
    ("split_v2_list", "split_v2", (SIX, [2]), {"axis": 1}),
    ("histogram_range", "histogram", (A([[0.5, 1.2, 3.0], [-1.0, 2.2, 4.0]]), 3), {"range": (0, 4)}),
    ("histogram_numpy", "histogram", (A([[0.5, 1.2, 3.0], [-1.0, 2.2, 4.0]]),), {"bins": 4}),
    ("histogram_edges", "histogram", (A([0, 1, 2.5, 4, 3.2]), A([0, 1, 2.5, 4])), {}),
    ("histogram_int", "histogram", (A([1, 2, 3, 7], "int32"), 2), {"range": (0, 4)}),
    ("histogram_list_bins", "histogram", (A([1, 2]), [0, 1, 2]), {}),
    ("histogram_reversed_range", "histogram", (A([1, 2]), 2), {"range": (3, 1)}),
    ("onehot_encode", "onehot_encode", (A([0, 2, 1, 5, -1]), A(np.zeros((5, 4)))), {}),
    ("onehot_encode_fraction", "onehot_encode", (A([0.7, 2.5]), A(np.zeros((2, 4)))), {}),
    ("onehot_encode_int", "onehot_encode", (A([0, 2], "int32"), A(np.zeros((2, 4)), "int32")), {}),
    ("onehot_encode_rows", "onehot_encode", (A([0, 2]), A(np.zeros((3, 4)))), {}),
    ("onehot_encode_2d", "onehot_encode", (A([[0, 2]]), A(np.zeros((1, 2, 4)))), {}),
    ("concatenate", "concatenate", ([A([[1, 2]]), A([[3, 4]])],), {"axis": 1}),
    ("moveaxis", "moveaxis", (X3, 0, 2), {}),
]
