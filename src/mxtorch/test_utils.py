"""Tools for tests and tutorials, as in MXNet's ``mx.test_utils``: MNIST as arrays, and array
comparisons that print where two arrays differ."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .context import Context, current_context
from .ndarray import NDArray

__all__ = ["get_mnist", "assert_almost_equal", "almost_equal", "same", "default_context", "get_tols"]


def default_context() -> Context:
    """The context tests run on: the current context."""
    return current_context()


def _as_numpy(a: Any) -> np.ndarray:
    return a.asnumpy() if isinstance(a, NDArray) else np.asarray(a)


# MXNet 1.9.1's default tolerances by dtype (integers and bools compare exactly)
_DEFAULT_RTOLS = {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5}
_DEFAULT_ATOLS = {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20}


def get_tols(a: Any, b: Any, rtol: Optional[float], atol: Optional[float]) -> tuple:
    """The (rtol, atol) to compare ``a`` and ``b``: the given ones, else the larger default of the
    two arrays' dtypes, as MXNet does."""
    dtypes = [_as_numpy(x).dtype for x in (a, b)]
    if rtol is None:
        rtol = max(_DEFAULT_RTOLS.get(d, 0.0) for d in dtypes)
    if atol is None:
        atol = max(_DEFAULT_ATOLS.get(d, 0.0) for d in dtypes)
    return rtol, atol


def same(a: Any, b: Any) -> bool:
    """Test if two arrays (NDArray or numpy) are exactly equal."""
    return np.array_equal(_as_numpy(a), _as_numpy(b))


def almost_equal(a: Any, b: Any, rtol: Optional[float] = None, atol: Optional[float] = None,
                 equal_nan: bool = False) -> bool:
    """Test if two arrays are equal within tolerances: ``|a - b| <= atol + rtol * |b|``
    (by default the tolerances of their dtypes, see :func:`get_tols`)."""
    rtol, atol = get_tols(a, b, rtol, atol)
    return np.allclose(_as_numpy(a), _as_numpy(b), rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_almost_equal(a: Any, b: Any, rtol: Optional[float] = None, atol: Optional[float] = None,
                        names: tuple = ("a", "b"), equal_nan: bool = False) -> None:
    """Raise an AssertionError naming the largest violation when two arrays are not almost equal
    (by default within the tolerances of their dtypes, see :func:`get_tols`)."""
    rtol, atol = get_tols(a, b, rtol, atol)
    np.testing.assert_allclose(_as_numpy(a), _as_numpy(b), rtol=rtol, atol=atol,
                               equal_nan=equal_nan, err_msg=f"{names[0]} vs {names[1]}")


def get_mnist(root: Optional[str] = None) -> dict:
    """Load the MNIST dataset as MXNet's tutorials did.

    Returns
    -------
    dict
        ``train_data``/``test_data``: float32 arrays (N, 1, 28, 28) scaled to [0, 1];
        ``train_label``/``test_label``: int8 arrays (N,). Read through
        ``gluon.data.vision.MNIST(root)`` (``$MXNET_HOME/datasets/mnist`` by default), which
        downloads and verifies the files when they are missing.
    """
    from .gluon.data.vision import MNIST

    result = {}
    for split, train in (("train", True), ("test", False)):
        dataset = MNIST(root=root, train=train)
        images = dataset._data.asnumpy()  # (N, 28, 28, 1) uint8
        result[f"{split}_data"] = images.transpose(0, 3, 1, 2).astype(np.float32) / 255
        result[f"{split}_label"] = dataset._label.astype(np.int8)
    return result
