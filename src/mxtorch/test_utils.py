"""Tools for testing, as MXNet 1.9.1's ``mx.test_utils``.

Tolerance rules by dtype, array comparisons that report where two arrays differ, random shapes
and arrays, finite-difference and expected-value checks of symbols, statistical checks of random
generators, context helpers, environment-variable scopes, and the MNIST/CIFAR-10 fetchers of
MXNet's tutorials.

MXNet's module defines no ``__all__``, so ``from mxnet.test_utils import *`` brings every public
name of the module, the modules it imports (``np``, ``mx``, ``rnd``, ``npt``, ``os``...) among
them; test files rely on that. This module imports the same names so the star-import brings
the same set (``requests`` aside: downloads go through :func:`mxtorch.gluon.utils.download`).

Sparse storage (``csr``, ``row_sparse``) and the NumPy-compatible ``mx.np`` arrays do not exist
in mxtorch: the helpers about them are here and refuse with an :class:`~mxtorch.MXNetError`.
"""
# The star-import surface below follows MXNet's module: these imports are exports, not leftovers.
# ruff: noqa: F401, E402
from __future__ import annotations

import bz2
import errno
import gzip
import io as _io
import json
import logging
import numbers
import os
import platform
import struct
import sys
import time
import traceback
import zipfile
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np
import numpy.random as rnd
import numpy.testing as npt

try:  # as MXNet: scipy is optional, and chi_square_check needs it
    import scipy.stats as ss
except ImportError:
    ss = None

import mxtorch as mx

from ._fileio.idx import MAX_IDX_BYTES, check_mnist_images, decompress_idx, read_idx
from .base import MXNetError
from .context import Context, current_context, num_gpus
from .ndarray import NDArray, array
from .symbol import Symbol


# What `from mxnet.test_utils import *` brings in MXNet 1.9.1 (its module has no __all__, so
# every public name, the modules it imports included), but `requests`: listed so that helpers
# imported for this module's own use (typing names, MXNetError...) do not leak into test files.
__all__ = [
    'Context', 'DummyIter', 'Features', 'OrderedDict', 'Symbol', 'almost_equal', 'array',
    'assert_allclose', 'assert_almost_equal', 'assert_almost_equal_ignore_nan',
    'assert_almost_equal_with_err', 'assert_exception', 'assign_each', 'assign_each2', 'bz2',
    'checkShapes', 'check_consistency', 'check_gluon_hybridize_consistency',
    'check_numeric_gradient', 'check_speed', 'check_symbolic_backward', 'check_symbolic_forward',
    'chi_square_check', 'collapse_sum_like', 'compare_ndarray_tuple', 'compare_optimizer',
    'contextmanager', 'create_2d_tensor', 'create_sparse_array', 'create_sparse_array_zd',
    'create_vector', 'current_context', 'default_atols', 'default_context', 'default_dtype',
    'default_numeric_eps', 'default_rtols', 'discard_stderr', 'download', 'download_model',
    'effective_dtype', 'environment', 'errno', 'gen_buckets_probs_with_ppf', 'get_atol',
    'get_bz2_data', 'get_cifar10', 'get_cuda_compute_capability', 'get_etol', 'get_identity_mat',
    'get_identity_mat_batch', 'get_im2rec_path', 'get_mnist', 'get_mnist_iterator',
    'get_mnist_pkl', 'get_mnist_ubyte', 'get_rtol', 'get_tolerance', 'get_tols', 'get_zip_data',
    'getenv', 'gzip', 'has_tvm_ops', 'is_aarch64_run', 'is_cd_run', 'is_op_runnable', 'json',
    'list_gpus', 'locationError', 'logging', 'mean_check', 'mx',
    'new_matrix_with_real_eigvals_2d', 'new_matrix_with_real_eigvals_nd',
    'new_orthonormal_matrix_2d', 'new_sym_matrix_with_real_eigvals_2d',
    'new_sym_matrix_with_real_eigvals_nd', 'np', 'np_reduce', 'np_symbol', 'npt', 'numbers',
    'numeric_grad', 'os', 'platform', 'rand_coord_2d', 'rand_ndarray', 'rand_shape_2d',
    'rand_shape_3d', 'rand_shape_nd', 'rand_sparse_ndarray', 'random_arrays', 'random_sample',
    'random_uniform_arrays', 'retry', 'rnd', 'same', 'same_array', 'same_symbol_structure',
    'set_default_context', 'setenv', 'shuffle_csr_column_indices', 'simple_forward', 'ss',
    'struct', 'sys', 'time', 'traceback', 'use_np', 'var_check', 'verify_generator', 'zipfile'
]

# --- names MXNet takes from modules mxtorch has (or will have) elsewhere ---------------------

def _unsupported(what: str, instead: str) -> MXNetError:
    return MXNetError(f"{what} is not supported in mxtorch; {instead}")


try:  # mx.util, when this build has it, is the one source of these
    from .util import getenv, setenv, use_np
except ImportError:
    def getenv(name: str) -> Optional[str]:
        """The value of environment variable ``name`` as the backend sees it (``None`` if unset).

        mxtorch's backend is this process, so that is ``os.environ``."""
        return os.environ.get(name)

    def setenv(name: str, value: Optional[str]) -> None:
        """Set (or, with ``None``, unset) environment variable ``name`` for the backend."""
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value

    def use_np(func: Any) -> Any:
        """MXNet's switch to NumPy semantics (``mx.np`` arrays); refused here, since mxtorch has
        no ``mx.np``."""
        raise _unsupported("use_np (NumPy-compatible arrays, mx.np/mx.npx)",
                           "use the legacy mx.nd arrays")

try:
    from .runtime import Features
except ImportError:
    class Features:  # type: ignore[no-redef]
        """Placeholder for ``mx.runtime.Features`` while this build lacks ``mx.runtime``."""

        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            raise MXNetError("mx.runtime.Features is not available in this build of mxtorch")


def get_cuda_compute_capability(ctx: Context) -> int:
    """The CUDA compute capability of the GPU of ``ctx`` as an int (8.0 gives 80).

    Raises ``ValueError`` for a context that is not a GPU, as MXNet does."""
    if not isinstance(ctx, Context) or ctx.device_type != "gpu":
        raise ValueError(f"Expecting a gpu context to get cuda compute capability, while "
                         f"received ctx {ctx}")
    import torch

    major, minor = torch.cuda.get_device_capability(ctx.device_id)
    return major * 10 + minor


class np_symbol:
    """Stands for MXNet's ``mx.np`` symbol type: nothing is an instance of it (mxtorch has no
    ``mx.np``), and making one is refused."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        raise _unsupported("The mx.np symbol type (_Symbol)", "use mx.sym symbols")


# --- contexts and dtypes ----------------------------------------------------------------------

def default_context() -> Context:
    """The context tests run on: the current context."""
    return current_context()


def set_default_context(ctx: Context) -> None:
    """Make ``ctx`` the default (current) context."""
    Context._default_ctx.value = ctx


def default_dtype() -> type:
    """The data type tests use by default: float32."""
    return np.float32


def default_rtols() -> dict:
    """The default relative tolerance of each dtype (integers and bools compare exactly)."""
    return {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5,
            np.dtype(np.bool_): 0, np.dtype(np.int8): 0, np.dtype(np.uint8): 0,
            np.dtype(np.int32): 0, np.dtype(np.uint32): 0, np.dtype(np.int64): 0,
            np.dtype(np.uint64): 0}


def default_atols() -> dict:
    """The default absolute tolerance of each dtype (integers and bools compare exactly)."""
    return {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20,
            np.dtype(np.bool_): 0, np.dtype(np.int8): 0, np.dtype(np.uint8): 0,
            np.dtype(np.int32): 0, np.dtype(np.uint32): 0, np.dtype(np.int64): 0,
            np.dtype(np.uint64): 0}


def default_numeric_eps() -> dict:
    """The finite-difference step of each float dtype (powers of two, exact as input deltas)."""
    return {np.dtype(np.float16): 1.0 / 2**6, np.dtype(np.float32): 1.0 / 2**9,
            np.dtype(np.float64): 1.0 / 2**14}


def _tf32_in_use(ctx: Any) -> bool:
    """Whether float32 math on ``ctx`` may run in TF32 (about float16's mantissa): an Ampere or
    newer GPU, ``NVIDIA_TF32_OVERRIDE`` not ``0``, and torch allowing TF32 for matmul or cuDNN."""
    try:
        if ctx is None or ctx.device_type != "gpu" or get_cuda_compute_capability(ctx) < 80:
            return False
    except Exception:  # noqa: BLE001  (no usable GPU means no TF32, as MXNet answers)
        return False
    if os.environ.get("NVIDIA_TF32_OVERRIDE") == "0":
        return False
    import torch

    return bool(torch.backends.cuda.matmul.allow_tf32 or torch.backends.cudnn.allow_tf32)


def effective_dtype(dat: Any) -> np.dtype:
    """The dtype whose tolerances suit comparisons of ``dat``: its own dtype, except float32
    data on a GPU computing in TF32, which is compared as float16.

    Parameters
    ----------
    dat : numpy.ndarray or NDArray
    """
    ctx = dat.ctx if hasattr(dat, "ctx") else None
    dtype = np.dtype(dat.dtype)
    if dtype == np.dtype(np.float32) and _tf32_in_use(ctx):
        return np.dtype(np.float16)
    return dtype


def get_tolerance(dat: Any, tol: Any, default_tol: dict) -> float:
    """The tolerance for comparing ``dat``: ``tol`` when it is a number, else the entry of
    ``tol`` (a dict dtype -> float) or of ``default_tol`` for ``dat``'s effective dtype."""
    if isinstance(tol, numbers.Number):
        return tol
    dtype = effective_dtype(dat)
    tol = {} if tol is None else tol
    return tol.get(dtype, default_tol[dtype])


def get_tols(x: Any, y: Any, rtol: Any, atol: Any) -> tuple:
    """The (rtol, atol) to compare ``x`` with ``y``: for each, the larger of the two arrays'
    tolerances (see :func:`get_tolerance`). Python numbers count as numpy scalars."""
    if isinstance(x, numbers.Number):
        x = np.array(x)
    if isinstance(y, numbers.Number):
        y = np.array(y)
    rtol = max(get_tolerance(x, rtol, default_rtols()), get_tolerance(y, rtol, default_rtols()))
    atol = max(get_tolerance(x, atol, default_atols()), get_tolerance(y, atol, default_atols()))
    return rtol, atol


def _given_or_table(value: Optional[float], table: dict, dtype: Any) -> float:
    """``value`` when given, else ``table``'s entry for ``dtype``."""
    if value is not None:
        return value
    return table[dtype]


def get_atol(atol: Optional[float] = None, dtype: Any = np.dtype(np.float64)) -> float:
    """``atol``, or the default absolute tolerance of ``dtype`` (float64's by default)."""
    return _given_or_table(atol, default_atols(), dtype)


def get_rtol(rtol: Optional[float] = None, dtype: Any = np.dtype(np.float64)) -> float:
    """``rtol``, or the default relative tolerance of ``dtype`` (float64's by default)."""
    return _given_or_table(rtol, default_rtols(), dtype)


def get_etol(etol: Optional[float] = None) -> float:
    """``etol``, or the default tolerated error rate (0)."""
    return 0 if etol is None else etol


# --- random data ------------------------------------------------------------------------------

def random_arrays(*shapes: Sequence[int]) -> Any:
    """Standard-normal numpy arrays of the default dtype, one per shape (the array itself when
    only one shape is given)."""
    arrays = [np.array(np.random.randn(), dtype=default_dtype()) if len(s) == 0
              else np.random.randn(*s).astype(default_dtype()) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def random_uniform_arrays(*shapes: Sequence[int], **kwargs: Any) -> list:
    """Uniform numpy arrays, one per shape; keywords ``low`` (0), ``high`` (1) and ``dtype``
    (the default dtype)."""
    low = kwargs.pop("low", 0.0)
    high = kwargs.pop("high", 1.0)
    dtype = kwargs.pop("dtype", default_dtype())
    if kwargs:
        raise TypeError("Got unexpected argument/s : " + str(kwargs.keys()))
    return [np.random.uniform(low, high, size=s).astype(dtype) for s in shapes]


def random_sample(population: Sequence, k: int) -> Sequence:
    """``k`` elements of ``population`` in random order (a shuffled copy's first ``k``)."""
    assert 0 <= k <= len(population)
    population_copy = population[:]
    np.random.shuffle(population_copy)
    return population_copy[0:k]


def _sorted_items(d: dict) -> list:
    # sorted so that random inputs are assigned in the same order on every run
    return sorted(d.items(), key=lambda t: t[0])


def _sorted_dict(d: dict) -> OrderedDict:
    return OrderedDict(_sorted_items(d))


def _sparse_refusal(stype: Any) -> MXNetError:
    return _unsupported(f"Storage type {stype!r} (sparse storage)",
                        "mxtorch arrays are dense: use stype='default'")


def shuffle_csr_column_indices(csr: Any) -> None:
    """Shuffle the column indices within each row of a CSR matrix in place (the matrix stays
    valid; its indices become unordered).

    Works on objects holding numpy ``indptr`` and ``indices`` (a ``scipy.sparse`` CSR matrix);
    mxtorch has no CSR arrays of its own."""
    if not (hasattr(csr, "indptr") and hasattr(csr, "indices")):
        raise _sparse_refusal("csr")
    for i in range(len(csr.indptr) - 1):
        start, end = csr.indptr[i], csr.indptr[i + 1]
        sublist = np.array(csr.indices[start:end])
        np.random.shuffle(sublist)
        csr.indices[start:end] = sublist


def assign_each(the_input: np.ndarray, function: Optional[Callable]) -> np.ndarray:
    """``function`` applied to each element of ``the_input`` (a float64 array of its shape), or
    a copy of it when ``function`` is None."""
    if function is None:
        return np.array(the_input)
    flat = np.asarray(the_input).ravel()
    return np.array([function(v) for v in flat], dtype=np.float64).reshape(the_input.shape)


def assign_each2(input1: np.ndarray, input2: np.ndarray,
                 function: Optional[Callable]) -> np.ndarray:
    """``function`` applied to each pair of elements of two arrays of one shape (a float64
    array), or a copy of ``input1`` when ``function`` is None."""
    if function is None:
        return np.array(input1)
    assert input1.shape == input2.shape
    pairs = zip(np.asarray(input1).ravel(), np.asarray(input2).ravel())
    return np.array([function(a, b) for a, b in pairs], dtype=np.float64).reshape(input1.shape)


def create_2d_tensor(rows: int, columns: int, dtype: Any = np.int64) -> NDArray:
    """A (rows, columns) NDArray whose row ``i`` holds ``i`` (for large-tensor tests)."""
    row_numbers = mx.nd.arange(rows, dtype=dtype).reshape((rows, 1))
    return mx.nd.broadcast_to(row_numbers, shape=(rows, columns))


def create_vector(size: int, dtype: Any = np.int64) -> NDArray:
    """The NDArray ``0, 1, ..., size - 1`` (for large-vector tests)."""
    return mx.nd.arange(0, size, dtype=dtype)


def get_identity_mat(size: int) -> NDArray:
    """The float32 identity matrix of ``size`` rows, as an NDArray."""
    a = mx.nd.zeros((size, size))
    a[:] = np.eye(size, dtype=np.float32)
    return a


def get_identity_mat_batch(size: int) -> NDArray:
    """Two stacked identity matrices of ``size`` rows, shape (2, size, size)."""
    a_np = get_identity_mat(size).asnumpy()
    return mx.nd.array([a_np, a_np])


def rand_sparse_ndarray(shape: Sequence[int], stype: str, density: Optional[float] = None,
                        dtype: Any = None, distribution: Optional[str] = None,
                        data_init: Any = None, rsp_indices: Any = None,
                        modifier_func: Optional[Callable] = None,
                        shuffle_csr_indices: bool = False, ctx: Optional[Context] = None) -> Any:
    """MXNet's random sparse array; refused, since mxtorch has no sparse storage."""
    raise _sparse_refusal(stype)


def rand_ndarray(shape: Sequence[int], stype: str = "default", density: Optional[float] = None,
                 dtype: Any = None, modifier_func: Optional[Callable] = None,
                 shuffle_csr_indices: bool = False, distribution: Optional[str] = None,
                 ctx: Optional[Context] = None) -> NDArray:
    """A standard-normal NDArray of ``shape`` on ``ctx`` (the default context).

    Only dense storage (``stype='default'``) exists in mxtorch; ``csr`` and ``row_sparse``
    are refused with an MXNetError."""
    ctx = ctx if ctx else default_context()
    if stype != "default":
        raise _sparse_refusal(stype)
    return mx.nd.array(random_arrays(shape), dtype=dtype, ctx=ctx)


def create_sparse_array(shape: Sequence[int], stype: str, data_init: Any = None,
                        rsp_indices: Any = None, dtype: Any = None,
                        modifier_func: Optional[Callable] = None, density: float = .5,
                        shuffle_csr_indices: bool = False) -> Any:
    """MXNet's sparse-array builder; refused, since mxtorch has no sparse storage."""
    raise _sparse_refusal(stype)


def create_sparse_array_zd(shape: Sequence[int], stype: str, density: float,
                           data_init: Any = None, rsp_indices: Any = None, dtype: Any = None,
                           modifier_func: Optional[Callable] = None,
                           shuffle_csr_indices: bool = False) -> Any:
    """MXNet's sparse-array builder; refused, since mxtorch has no sparse storage."""
    raise _sparse_refusal(stype)


def _rand_sizes(bounds: Sequence[int], allow_zero_size: bool) -> tuple:
    """One random size per bound, drawn in order, each in ``[1, bound]`` (from 0 with
    ``allow_zero_size``)."""
    smallest = 0 if allow_zero_size else 1
    return tuple(rnd.randint(smallest, bound + 1) for bound in bounds)


def rand_shape_2d(dim0: int = 10, dim1: int = 10, allow_zero_size: bool = False) -> tuple:
    """A random 2-d shape, each size in ``[1, dim]`` (``[0, dim]`` with ``allow_zero_size``)."""
    return _rand_sizes((dim0, dim1), allow_zero_size)


def rand_shape_3d(dim0: int = 10, dim1: int = 10, dim2: int = 10,
                  allow_zero_size: bool = False) -> tuple:
    """A random 3-d shape, each size in ``[1, dim]`` (``[0, dim]`` with ``allow_zero_size``)."""
    return _rand_sizes((dim0, dim1, dim2), allow_zero_size)


def rand_shape_nd(num_dim: int, dim: int = 10, allow_zero_size: bool = False) -> tuple:
    """A random shape of ``num_dim`` sizes in ``[1, dim]`` (``[0, dim]`` with
    ``allow_zero_size``)."""
    low = 0 if allow_zero_size else 1
    return tuple(rnd.randint(low, dim + 1, size=num_dim))


def rand_coord_2d(x_low: int, x_high: int, y_low: int, y_high: int) -> tuple:
    """A random int64 point with ``x`` in ``[x_low, x_high)`` and ``y`` in ``[y_low, y_high)``."""
    return tuple(np.random.randint(low, high, dtype=np.int64)
                 for low, high in ((x_low, x_high), (y_low, y_high)))


def np_reduce(dat: np.ndarray, axis: Any, keepdims: bool,
              numpy_reduce_func: Callable) -> np.ndarray:
    """Reduce ``dat`` over ``axis`` (None, an int or several) one axis at a time with a numpy
    reduction such as ``np.sum``, keeping reduced axes as size 1 when ``keepdims``."""
    if axis is None:
        axes = list(range(dat.ndim))
    elif isinstance(axis, int):
        axes = [axis]
    else:
        axes = list(axis)
    out = dat
    for ax in sorted(axes, reverse=True):   # the highest first: lower axes keep their numbers
        out = numpy_reduce_func(out, axis=ax)
    if not keepdims:
        return out
    kept = list(dat.shape)
    for ax in axes:
        kept[ax] = 1
    return out.reshape(tuple(kept))


# --- comparisons ------------------------------------------------------------------------------

def _find_max_violation(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> tuple:
    """(index, size) of the largest ``|a - b| / (atol + rtol * |b|)``; equal infinities count
    as no difference, as in ``np.allclose``."""
    absdiff = np.where(np.equal(a, b), 0, np.abs(a - b))
    tol = atol + rtol * np.abs(b)
    violation = absdiff / (tol + 1e-20)
    loc = np.argmax(violation)
    idx = tuple(int(i) for i in np.unravel_index(loc, violation.shape))
    return idx, np.max(violation)


def same(a: Any, b: Any) -> bool:
    """Whether two arrays (numpy or NDArray) are exactly equal."""
    return np.array_equal(_as_numpy(a), _as_numpy(b))


def checkShapes(a: Any, b: Any) -> None:
    """Raise an AssertionError when ``a`` and ``b`` differ in shape."""
    if a.shape != b.shape:
        msg = npt.build_err_msg([a, b], err_msg=f"a.shape = {a.shape} and b.shape = {b.shape} "
                                                "are not equal")
        raise AssertionError(msg)


def _as_numpy(a: Any) -> Any:
    # NDArrays compare through numpy; MXNet's own helper fails on them in several places
    return a.asnumpy() if isinstance(a, NDArray) else a


def almost_equal(a: Any, b: Any, rtol: Optional[float] = None, atol: Optional[float] = None,
                 equal_nan: bool = False, use_broadcast: bool = True) -> bool:
    """Whether ``|a - b| <= atol + rtol * |b|`` everywhere. Unlike
    :func:`assert_almost_equal`, missing tolerances are float64's whatever the dtypes (as in
    MXNet): rtol 1e-5, atol 1e-20."""
    a, b = _as_numpy(a), _as_numpy(b)
    if not use_broadcast:
        checkShapes(a, b)
    return bool(np.allclose(a, b, rtol=get_rtol(rtol), atol=get_atol(atol), equal_nan=equal_nan))


def locationError(a: np.ndarray, b: np.ndarray, index: tuple, names: Sequence[str],
                  maxError: bool = False) -> str:
    """The line naming where ``a`` and ``b`` differ (at ``index``) and their values there."""
    maximum = "maximum " if maxError else ""
    return "Location of %serror: %s, %s=%.8f, %s=%.8f" % (
        maximum, str(index), names[0], a[index], names[1], b[index])


def _mismatch_message(a: np.ndarray, b: np.ndarray, rtol: float, atol: float,
                      names: Sequence[str], equal_nan: bool, mismatches: tuple) -> str:
    """Print the largest violations (up to ``mismatches[0]``) and return the assertion text,
    as MXNet words it."""
    a, b = np.broadcast_arrays(a, b)
    worst = _find_max_violation(a, b, rtol, atol)
    index, rel = worst
    if index == ():
        return "Error %f exceeds tolerance rtol=%e, atol=%e.\n" % (rel, rtol, atol)
    index_err, rel_err = worst
    print("\n*** Maximum errors for vector of size {}:  rtol={}, atol={}\n".format(
        a.size, rtol, atol))
    # Count the violations by removing the worst one at a time (zeroing it in both copies)
    # until the rest pass: the first `shown` are printed, and the search gives up after
    # `searched` of them (0: never), which makes the share a lower bound.
    shown, searched = mismatches
    a_left, b_left = a.copy(), b.copy()
    count = 1
    while count <= a.size:
        if count <= shown:
            print("%3d: Error %f  %s" % (count, rel, locationError(a, b, index, names)))
        a_left[index] = b_left[index] = 0
        if almost_equal(a_left, b_left, rtol, atol, equal_nan=equal_nan):
            break
        count += 1
        if 0 < searched < count:
            break
        index, rel = _find_max_violation(a_left, b_left, rtol, atol)
    degree = "at least " if 0 < searched < count else ""
    return "Error %f exceeds tolerance rtol=%e, atol=%e (mismatch %s%f%%).\n%s" % (
        rel_err, rtol, atol, degree, 100 * count / a.size,
        locationError(a, b, index_err, names, maxError=True))


def _raise_mismatch(a: np.ndarray, b: np.ndarray, err_msg: str) -> None:
    # numpy's own layout of the two arrays, shortened; MXNet sets these options globally
    with np.printoptions(threshold=4, suppress=True):
        msg = npt.build_err_msg([a, b], err_msg=err_msg)
    raise AssertionError(msg)


def assert_almost_equal(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                        names: Sequence[str] = ("a", "b"), equal_nan: bool = False,
                        use_broadcast: bool = True, mismatches: tuple = (10, 10)) -> None:
    """Raise an AssertionError unless ``|a - b| <= atol + rtol * |b|`` everywhere.

    Parameters
    ----------
    a, b : numpy.ndarray or NDArray
    rtol, atol : None, float, or dict dtype -> float
        The tolerances; by default those of the arrays' dtypes, the larger of the two
        (see :func:`get_tols`).
    names : tuple of str
        What to call ``a`` and ``b`` in the message.
    equal_nan : bool
        Whether NaNs in the same places count as equal.
    use_broadcast : bool
        When False, the shapes must be equal.
    mismatches : tuple of int
        How many violations to print, and how many to look for.

    Boolean arrays must be exactly equal. The message names the largest violation, its place,
    and the share of elements that violate the tolerance.
    """
    if not use_broadcast:
        checkShapes(a, b)
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = np.asarray(_as_numpy(a)), np.asarray(_as_numpy(b))
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        np.testing.assert_equal(a, b)
    elif not almost_equal(a, b, rtol, atol, equal_nan=equal_nan):
        _raise_mismatch(a, b, _mismatch_message(a, b, rtol, atol, names, equal_nan, mismatches))


def assert_allclose(a: Any, b: Any, rtol: float = 1e-07, atol: float = 0,
                    equal_nan: bool = True) -> None:
    """:func:`assert_almost_equal` with numpy's ``assert_allclose`` defaults (rtol 1e-7, atol 0,
    NaNs equal)."""
    assert_almost_equal(a, b, rtol, atol, equal_nan=equal_nan)


def assert_almost_equal_with_err(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                                 etol: Optional[float] = None, names: Sequence[str] = ("a", "b"),
                                 equal_nan: bool = False, mismatches: tuple = (10, 10)) -> None:
    """:func:`assert_almost_equal` that tolerates a share ``etol`` of elements out of
    tolerance (none by default)."""
    etol = get_etol(etol)
    if etol <= 0:   # no error rate allowed: the plain check (its default names and counts)
        assert_almost_equal(a, b, rtol, atol, equal_nan=equal_nan)
        return
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = np.asarray(_as_numpy(a)), np.asarray(_as_numpy(b))
    equals = np.isclose(a, b, rtol=rtol, atol=atol)
    err = 1 - np.count_nonzero(equals) / equals.size
    if err > etol:
        _raise_mismatch(a, b, _mismatch_message(a, b, rtol, atol, names, equal_nan, mismatches))


def assert_almost_equal_ignore_nan(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                                   names: Sequence[str] = ("a", "b")) -> None:
    """:func:`assert_almost_equal` where a NaN in either array matches anything."""
    a = np.copy(_as_numpy(a))
    b = np.copy(_as_numpy(b))
    either_nan = np.isnan(a) | np.isnan(b)
    a[either_nan] = b[either_nan] = 0
    assert_almost_equal(a, b, rtol, atol, names)


def assert_exception(f: Callable, exception_type: Any, *args: Any, **kwargs: Any) -> None:
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise {exception_type}")


def retry(n: int) -> Callable:
    """Decorator running a stochastic test up to ``n`` times until it passes (an
    AssertionError counts as failing; the last one is raised)."""
    assert n > 0

    def decorate(f: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> None:
            for i in range(n):
                try:
                    f(*args, **kwargs)
                    return
                except AssertionError:
                    if i == n - 1:
                        raise
                    mx.nd.waitall()
        return wrapper
    return decorate


def compare_ndarray_tuple(t1: Any, t2: Any, rtol: Any = None, atol: Any = None) -> None:
    """Assert two arrays, or two nested tuples of arrays, almost equal (None matches all)."""
    if t1 is None or t2 is None:
        return
    if isinstance(t1, tuple):
        for s1, s2 in zip(t1, t2):
            compare_ndarray_tuple(s1, s2, rtol, atol)
    else:
        assert_almost_equal(t1, t2, rtol=rtol, atol=atol)


# --- symbols: forward, backward, finite differences --------------------------------------------

def simple_forward(sym: Symbol, ctx: Optional[Context] = None, is_train: bool = False,
                   **inputs: Any) -> Any:
    """Run ``sym`` forward on numpy ``inputs`` (by argument name) and return numpy output(s):
    one array, or a list of them when the symbol has several outputs."""
    ctx = ctx or default_context()
    inputs = {k: array(v) for k, v in inputs.items()}
    exe = sym.bind(ctx, args=inputs)
    exe.forward(is_train=is_train)
    outputs = [x.asnumpy() for x in exe.outputs]
    return outputs[0] if len(outputs) == 1 else outputs


def _check_float_dtype(dtype: Any, allow_asnumpy: bool = True) -> None:
    if not ((allow_asnumpy and isinstance(dtype, str) and dtype == "asnumpy") or
            dtype in (np.float16, np.float32, np.float64)):
        raise MXNetError(f"dtype={dtype!r} is not one of 'asnumpy', np.float16, np.float32, "
                         "np.float64")


def _to_nd(v: Any, ctx: Context, dtype: Any) -> Any:
    if not isinstance(v, np.ndarray):
        return v
    return mx.nd.array(v, ctx=ctx, dtype=v.dtype if isinstance(dtype, str) else dtype)


def _parse_location(sym: Symbol, location: Any, ctx: Context, dtype: Any = np.float32) -> dict:
    """The symbol's arguments by name, as NDArrays on ``ctx`` (``location`` lists them in
    ``list_arguments()`` order or maps names to arrays); ``dtype='asnumpy'`` keeps the numpy
    arrays' dtypes."""
    assert isinstance(location, (dict, list, tuple))
    _check_float_dtype(dtype)
    if isinstance(location, dict):
        wanted, given = set(sym.list_arguments()), set(location)
        if given != wanted:
            raise ValueError(f"Symbol arguments and keys of the given location do not match."
                             f"symbol args:{wanted}, location.keys():{given}")
    else:
        location = dict(zip(sym.list_arguments(), location))
    return _sorted_dict({k: _to_nd(v, ctx, dtype) for k, v in location.items()})


def _parse_aux_states(sym: Symbol, aux_states: Any, ctx: Context,
                      dtype: Any = np.float32) -> Optional[dict]:
    """The symbol's auxiliary states by name as NDArrays (as :func:`_parse_location`)."""
    _check_float_dtype(dtype)
    if aux_states is None:
        return None
    if isinstance(aux_states, dict):
        wanted, given = set(sym.list_auxiliary_states()), set(aux_states)
        if given != wanted:
            raise ValueError(f"Symbol aux_states names and given aux_states do not match."
                             f"symbol aux_names:{wanted}, aux_states.keys:{given}")
    elif isinstance(aux_states, (list, tuple)):
        aux_states = dict(zip(sym.list_auxiliary_states(), aux_states))
    return {k: mx.nd.array(v, ctx=ctx, dtype=v.dtype if isinstance(dtype, str) else dtype)
            for k, v in aux_states.items()}


def _refuse_sparse_grads(stypes: Optional[dict]) -> None:
    for name, stype in (stypes or {}).items():
        if stype not in (None, "default"):
            raise _sparse_refusal(f"{stype}' for the gradient of '{name}")


def numeric_grad(executor: Any, location: dict, aux_states: Optional[dict] = None,
                 eps: float = 1e-4, use_forward_train: bool = True,
                 dtype: Any = np.float32) -> dict:
    """Central finite differences of the sum of ``executor``'s first output with respect to
    each float argument in ``location`` (a dict name -> numpy array), one element at a time.

    Returns
    -------
    dict
        name -> numpy array of the approximate gradient.
    """
    _check_float_dtype(dtype, allow_asnumpy=False)
    approx_grads = {name: np.zeros(value.shape, dtype=dtype) for name, value in location.items()}
    for name, value in location.items():
        executor.arg_dict[name][:] = mx.nd.array(value, dtype=dtype)
    for name in location:
        location[name] = np.asarray(location[name], order="C")   # ravel() gives views

    def output_at(name: str, value: np.ndarray, cast_aux: bool) -> np.ndarray:
        # the auxiliary states are reset before each run (a forward in training mode moves
        # them); MXNet casts them to dtype only before the second run of each pair
        executor.arg_dict[name][:] = mx.nd.array(value, dtype=dtype)
        for key, val in (aux_states or {}).items():
            executor.aux_dict[key][:] = mx.nd.array(val, dtype=dtype) if cast_aux else val
        executor.forward(is_train=use_forward_train)
        return executor.outputs[0].asnumpy()

    for name, value in location.items():
        if value.dtype.kind != "f":
            continue   # integer inputs (indices, labels) have no gradient
        original = value.copy()
        elements, grads = value.ravel(), approx_grads[name].ravel()
        for i in range(elements.size):
            # the same float steps as MXNet's, x + eps/2 and then (x + eps/2) - eps, so the
            # differences agree with its bit for bit
            elements[i] += eps / 2.0
            above = output_at(name, value, cast_aux=False)
            elements[i] -= eps
            below = output_at(name, value, cast_aux=True)
            grads[i] = (above - below).sum() / eps
            elements[i] = original.ravel()[i]
        executor.arg_dict[name][:] = mx.nd.array(original, dtype=dtype)
    return approx_grads


def check_numeric_gradient(sym: Symbol, location: Any, aux_states: Any = None,
                           numeric_eps: Any = None, rtol: Any = None, atol: Any = None,
                           grad_nodes: Any = None, use_forward_train: bool = True,
                           ctx: Optional[Context] = None, grad_stype_dict: Optional[dict] = None,
                           dtype: Any = np.float32) -> None:
    """Check ``sym``'s backward pass against finite differences.

    The symbol's output is multiplied by a random projection and made a loss; the gradient of
    each argument in ``grad_nodes`` found by backward must match the central difference
    (:func:`numeric_grad`) within the tolerances, else an AssertionError names the argument.

    Parameters
    ----------
    sym : Symbol
        One output.
    location : list or dict of numpy arrays
        Every argument's value, in ``list_arguments()`` order or by name.
    aux_states : list or dict of numpy arrays, optional
    numeric_eps : float or dict dtype -> float, optional
        The finite-difference step (by default :func:`default_numeric_eps` of the output dtype).
    rtol, atol : float or dict, optional
    grad_nodes : list, or dict name -> grad_req, optional
        The arguments to check (all by default, with ``'write'``).
    use_forward_train : bool
        Run the finite-difference forwards in training mode.
    ctx : Context, optional
    grad_stype_dict : dict, optional
        Gradient storage types; only ``'default'`` exists in mxtorch.
    dtype : np.float16, np.float32 or np.float64
    """
    _check_float_dtype(dtype, allow_asnumpy=False)
    _refuse_sparse_grads(grad_stype_dict)
    if ctx is None:
        ctx = default_context()

    location = _parse_location(sym, location, ctx, dtype)
    location_npy = {k: v.asnumpy() for k, v in location.items()}
    aux_states = _parse_aux_states(sym, aux_states, ctx, dtype)
    aux_states_npy = None if aux_states is None else {k: v.asnumpy()
                                                      for k, v in aux_states.items()}
    if grad_nodes is None:
        grad_nodes = sym.list_arguments()
        grad_req = {k: "write" for k in grad_nodes}
    elif isinstance(grad_nodes, (list, tuple)):
        grad_nodes = list(grad_nodes)
        grad_req = {k: "write" for k in grad_nodes}
    elif isinstance(grad_nodes, dict):
        grad_req = grad_nodes.copy()
        grad_nodes = list(grad_nodes.keys())
    else:
        raise ValueError(f"grad_nodes must be None, a list or a dict, not {type(grad_nodes)}")

    _, out_shape, _ = sym.infer_shape(**{name: arr.shape for name, arr in location.items()})
    # projecting the output on random weights (not too small, or precision is lost) makes one
    # scalar whose gradient involves every output element
    proj = mx.sym.Variable("__random_proj")
    out = mx.sym.make_loss(sym * proj)
    # the draws keep MXNet's order (projection, then each starting gradient), so a seeded
    # check sees the numbers MXNet's would
    projection = np.random.rand(*out_shape[0]) + 0.1
    location = {**location, "__random_proj": mx.nd.array(projection, ctx=ctx, dtype=dtype)}
    args_grad_npy = {name: np.random.normal(0, 0.01, size=location[name].shape)
                     for name in grad_nodes}
    args_grad_npy["__random_proj"] = np.random.normal(0, 0.01, size=out_shape[0])
    args_grad = {name: mx.nd.array(start, ctx=ctx, dtype=dtype)
                 for name, start in args_grad_npy.items()}

    executor = out.bind(ctx, grad_req=grad_req, args=location, args_grad=args_grad,
                        aux_states=aux_states)
    bound = len(executor.arg_arrays)
    if bound != len(location):
        raise ValueError(f"Executor arg_arrays and and location len do not match."
                         f"Got {bound} inputs and {len(location)} locations")
    assert len(executor.outputs) == 1

    executor.forward(is_train=True)
    loss = executor.outputs[0]
    eps = get_tolerance(loss, numeric_eps, default_numeric_eps())
    # finite differences with a tiny step are noise unless computed in float64
    if dtype in (np.float32, np.float16):
        assert eps >= 1e-5
    executor.backward()
    symbolic_grads = executor.grad_dict

    numeric_gradients = numeric_grad(executor, location_npy, aux_states_npy, eps=eps,
                                     use_forward_train=use_forward_train, dtype=dtype)
    for name in grad_nodes:
        fd_grad = numeric_gradients[name]
        orig_grad = args_grad_npy[name]
        sym_grad = symbolic_grads.get(name)
        labels = ("NUMERICAL_%s" % name, "BACKWARD_%s" % name)
        if grad_req[name] == "write":
            assert_almost_equal(fd_grad, sym_grad, rtol, atol, labels)
        elif grad_req[name] == "add":
            assert_almost_equal(fd_grad, _as_numpy(sym_grad) - orig_grad, rtol, atol, labels)
        elif grad_req[name] == "null":
            # a gradient that is not requested must stay as it was
            held = args_grad[name] if sym_grad is None else sym_grad
            assert_almost_equal(orig_grad, held, rtol, atol, labels)
        else:
            raise ValueError("Invalid grad_req %s for argument %s" % (grad_req[name], name))


def check_symbolic_forward(sym: Symbol, location: Any, expected: Any, rtol: Any = None,
                           atol: Any = None, aux_states: Any = None,
                           ctx: Optional[Context] = None, equal_nan: bool = False,
                           dtype: Any = np.float32) -> list:
    """Assert that ``sym``'s forward outputs at ``location`` are almost ``expected``.

    Parameters
    ----------
    sym : Symbol
    location : list or dict of numpy arrays
        Every argument's value, in ``list_arguments()`` order or by name.
    expected : list, or dict output name -> numpy array
    rtol, atol : float or dict, optional
    aux_states : list or dict of numpy arrays, optional
    ctx : Context, optional
    equal_nan : bool
        Whether NaNs in the same places count as equal.
    dtype : 'asnumpy', np.float16, np.float32 or np.float64
        The arrays' dtype ('asnumpy': each numpy array's own).

    Returns
    -------
    list of NDArray
        The outputs.
    """
    _check_float_dtype(dtype)
    if ctx is None:
        ctx = default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux_states = _parse_aux_states(sym, aux_states, ctx, dtype)
    output_names = sym.list_outputs()
    if isinstance(expected, dict):
        expected = [expected[name] for name in output_names]
    zero_grads = {name: mx.nd.zeros(arr.shape, ctx=ctx,
                                    dtype=arr.dtype if isinstance(dtype, str) else dtype)
                  for name, arr in location.items()}
    executor = sym.bind(ctx, location, args_grad=zero_grads, aux_states=aux_states)
    executor.forward(is_train=False)
    for output_name, expect, output in zip(output_names, expected, executor.outputs):
        assert_almost_equal(expect, output, rtol, atol,
                            ("EXPECTED_%s" % output_name, "FORWARD_%s" % output_name),
                            equal_nan=equal_nan)
    return executor.outputs


def _out_grads_as_nd(out_grads: Any, ctx: Context, dtype: Any) -> Any:
    if isinstance(out_grads, (tuple, list)):
        return [_to_nd(arr, ctx, dtype) for arr in out_grads]
    if isinstance(out_grads, dict):
        return {k: _to_nd(v, ctx, dtype) for k, v in out_grads.items()}
    assert out_grads is None
    return None


def check_symbolic_backward(sym: Symbol, location: Any, out_grads: Any, expected: Any,
                            rtol: Any = None, atol: Any = None, aux_states: Any = None,
                            grad_req: Any = "write", ctx: Optional[Context] = None,
                            grad_stypes: Optional[dict] = None, equal_nan: bool = False,
                            dtype: Any = np.float32) -> dict:
    """Assert that ``sym``'s argument gradients, for head gradients ``out_grads``, are almost
    ``expected``.

    Parameters
    ----------
    sym : Symbol
    location : list or dict of numpy arrays
        Every argument's value, in ``list_arguments()`` order or by name.
    out_grads : None, list, or dict output name -> numpy array
        The gradients arriving at the outputs.
    expected : list, or dict argument name -> numpy array
        The expected gradients (only these arguments are checked).
    rtol, atol : float or dict, optional
    aux_states : list or dict of numpy arrays, optional
    grad_req : str, list, or dict name -> str
        ``'write'``, ``'add'`` (checked as the change to a random starting gradient) or
        ``'null'`` (the starting gradient must stay as it was).
    ctx : Context, optional
    grad_stypes : dict, optional
        Gradient storage types; only ``'default'`` exists in mxtorch.
    equal_nan : bool
    dtype : 'asnumpy', np.float16, np.float32 or np.float64

    Returns
    -------
    dict
        name -> NDArray of the gradient buffers.
    """
    _check_float_dtype(dtype)
    _refuse_sparse_grads(grad_stypes)
    if ctx is None:
        ctx = default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux_states = _parse_aux_states(sym, aux_states, ctx, dtype)
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(sym.list_arguments(), expected))

    # the gradient buffers start from seeded noise, so 'add' and 'null' are really checked
    args_grad_npy = {k: np.random.normal(size=v.shape) for k, v in _sorted_items(expected)}
    args_grad_data = {k: mx.nd.array(v, ctx=ctx, dtype=expected[k].dtype
                                     if isinstance(dtype, str) else dtype)
                      for k, v in args_grad_npy.items()}
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in sym.list_arguments()}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(sym.list_arguments(), grad_req))

    executor = sym.bind(ctx, location, args_grad=args_grad_data, grad_req=grad_req,
                        aux_states=aux_states)
    executor.forward(is_train=True)
    executor.backward(_out_grads_as_nd(out_grads, ctx, dtype))

    grads = args_grad_data
    for name in expected:
        labels = ("EXPECTED_%s" % name, "BACKWARD_%s" % name)
        if grad_req[name] == "write":
            assert_almost_equal(expected[name], grads[name], rtol, atol, labels,
                                equal_nan=equal_nan)
        elif grad_req[name] == "add":
            assert_almost_equal(expected[name], grads[name].asnumpy() - args_grad_npy[name],
                                rtol, atol, labels, equal_nan=equal_nan)
        elif grad_req[name] == "null":
            assert_almost_equal(args_grad_npy[name], grads[name], rtol, atol, labels,
                                equal_nan=equal_nan)
        else:
            raise ValueError("Invalid grad_req %s for argument %s" % (grad_req[name], name))
    return args_grad_data


def check_speed(sym: Symbol, location: Optional[dict] = None, ctx: Optional[Context] = None,
                N: int = 20, grad_req: Any = None, typ: str = "whole", **kwargs: Any) -> float:
    """Seconds per run of ``sym``: forward and backward (``typ='whole'``) or forward only
    (``'forward'``), averaged over ``N`` runs after one warm-up.

    ``location`` maps argument names to numpy arrays; without it, shapes come from ``kwargs``
    and the inputs are standard-normal."""
    if ctx is None:
        ctx = default_context()
    if grad_req is None:
        grad_req = "write"
    if location is None:
        exe = sym.simple_bind(ctx, grad_req=grad_req, **kwargs)
        location = {name: np.random.normal(size=buf.shape, scale=1.0)
                    for name, buf in exe.arg_dict.items()}
    else:
        assert isinstance(location, dict), f'Expect dict, get "location"={location}'
        exe = sym.simple_bind(ctx, grad_req=grad_req,
                              **{name: value.shape for name, value in location.items()})
    for name, value in location.items():
        buf = exe.arg_dict[name]
        buf[:] = value.astype(buf.dtype)
    if typ not in ("whole", "forward"):
        raise ValueError('typ can only be "whole" or "forward".')

    training = typ == "whole"

    def run_once() -> None:
        exe.forward(is_train=training)
        if training:
            exe.backward(out_grads=exe.outputs)

    run_once()   # warm-up, not timed
    for output in exe.outputs:
        output.wait_to_read()
    start = time.time()
    for _ in range(N):
        run_once()
    mx.nd.waitall()
    return (time.time() - start) / N


def check_consistency(sym: Any, ctx_list: list, scale: float = 1.0, grad_req: Any = "write",
                      arg_params: Optional[dict] = None, aux_params: Optional[dict] = None,
                      rtol: Any = None, atol: Any = None, raise_on_err: bool = True,
                      ground_truth: Optional[dict] = None, equal_nan: bool = False,
                      use_uniform: bool = False, rand_type: Any = np.float64) -> dict:
    """Check that ``sym`` gives the same outputs and gradients in several settings.

    Each entry of ``ctx_list`` is the keyword arguments of one ``simple_bind``: ``ctx`` (here
    ``mx.cpu()``, and ``mx.gpu(i)`` when torch sees CUDA devices), the input shapes by name,
    and optionally ``type_dict``. All executors get the same random inputs; the one with the
    most precise output dtype (or ``ground_truth``) is the reference, and the others are
    compared with it in inference, then after a backward pass with the same head gradients.

    Parameters
    ----------
    sym : Symbol or list of Symbol
        One symbol for all, or one per entry.
    ctx_list : list of dict
    scale : float
        Spread of the random inputs.
    grad_req : str
    arg_params, aux_params : dict, optional
        Inputs to use instead of random ones.
    rtol, atol : float or dict, optional
    raise_on_err : bool
        Raise on a mismatch (else print it).
    ground_truth : dict, optional
        name -> the reference array.
    equal_nan : bool
    use_uniform : bool
        Draw inputs uniformly in ``[-0.92 scale, 0.92 scale]`` instead of normally.
    rand_type : numpy dtype
        The dtype the random inputs are drawn in.

    Returns
    -------
    dict
        The reference outputs and gradients by name.
    """
    assert len(ctx_list) > 1
    if isinstance(sym, Symbol):
        sym = [sym] * len(ctx_list)
    else:
        assert len(sym) == len(ctx_list)

    output_names = sym[0].list_outputs()
    arg_names = sym[0].list_arguments()
    for s in sym:
        assert s.list_arguments() == arg_names
        assert s.list_outputs() == output_names
    exe_list = [s.simple_bind(grad_req=grad_req, **bind_args)
                for s, bind_args in zip(sym, ctx_list)]

    # the caller's dicts are filled in, as MXNet's are, so they show the inputs used
    if arg_params is None:
        arg_params = {}
    if aux_params is None:
        aux_params = {}

    def smaller_dtype(dt1: Any, dt2: Any) -> Any:
        """The less precise of two dtypes (``dt2`` on a tie, ``dt1`` when ``dt2`` is None)."""
        if dt2 is None:
            return dt1
        return dt1 if np.dtype(dt1).itemsize < np.dtype(dt2).itemsize else dt2

    bound = 0.92 * scale
    for name, buf in _sorted_items(exe_list[0].arg_dict):   # sorted: a seed gives fixed inputs
        if name in arg_params:
            continue
        if use_uniform:
            drawn = np.random.uniform(low=-bound, high=bound, size=buf.shape)
        else:
            drawn = np.random.normal(size=buf.shape, scale=scale)
        arg_params[name] = drawn.astype(rand_type)
    for name in exe_list[0].aux_dict:
        aux_params.setdefault(name, 0)
    for exe in exe_list:
        for name, arr in exe.arg_dict.items():
            arr[:] = arg_params[name]
        for name, arr in exe.aux_dict.items():
            arr[:] = aux_params[name]
        if grad_req == "add":
            for arr in exe.grad_arrays:
                if arr is not None:
                    arr[:] = np.zeros(arr.shape, dtype=arr.dtype)

    # the reference is the first executor with the most precise output
    out_dtypes = [np.dtype(executor.outputs[0].dtype) for executor in exe_list]
    gt_idx = int(np.argmax([d.itemsize for d in out_dtypes]))

    def reference() -> dict:
        # MXNet's output and gradient buffers are updated in place, so its reference dict
        # follows each run; here outputs are new arrays per run, so it is read after each
        if ground_truth is not None:
            return ground_truth
        ref = dict(exe_list[gt_idx].output_dict)
        if grad_req != "null":
            ref.update(exe_list[gt_idx].grad_dict)
        return ref

    others = [(i, exe) for i, exe in enumerate(exe_list) if i != gt_idx]

    def mismatch(failure: AssertionError, heading: str) -> None:
        # called while `failure` is being handled, so print_exc shows it
        print(heading)
        traceback.print_exc()
        if raise_on_err:
            raise failure
        print(str(failure))

    for exe in exe_list:
        exe.forward(is_train=False)
    gt = reference()
    for i, exe in others:
        for name, arr in zip(output_names, exe.outputs):
            try:
                assert_almost_equal(arr, gt[name], rtol, atol, equal_nan=equal_nan)
            except AssertionError as e:
                mismatch(e, "Predict Err: ctx %d vs ctx %d at %s" % (i, gt_idx, name))

    if grad_req != "null":
        for exe in exe_list:
            exe.forward(is_train=True)
        # every executor gets the same head gradients: the first one's outputs, cast to the
        # least precise dtype among the executors
        least_precise = [out.dtype for out in exe_list[0].outputs]
        for exe in exe_list:
            least_precise = [smaller_dtype(out.dtype, dt)
                             for out, dt in zip(exe.outputs, least_precise)]
        golden_np = [out.astype(dt).asnumpy() for out, dt in zip(exe_list[0].outputs,
                                                                 least_precise)]
        for exe in exe_list:
            exe.backward([mx.nd.array(g, ctx=exe._ctx, dtype=out.dtype)
                          for g, out in zip(golden_np, exe.outputs)])
        gt = reference()

        for i, exe in others:
            grads = [exe.grad_dict.get(name) for name in arg_names]
            for name, arr in zip(output_names + arg_names, list(exe.outputs) + grads):
                gtarr = gt.get(name)
                if gtarr is None:   # no reference gradient: none may exist here either
                    assert arr is None
                    continue
                try:
                    rt, at = rtol, atol
                    # a float32 gradient next to float16 data is held to float16's tolerance
                    smaller_arr = smaller_dtype(arr.dtype, out_dtypes[i])
                    smaller_gt = smaller_dtype(gtarr.dtype, out_dtypes[gt_idx])
                    if smaller_arr != arr.dtype or smaller_gt != gtarr.dtype:
                        rt, at = get_tols(arr.astype(smaller_arr), gtarr.astype(smaller_gt),
                                          rtol, atol)
                    assert_almost_equal(arr, gtarr, rt, at, equal_nan=equal_nan)
                except AssertionError as e:
                    mismatch(e, "Train Err: {} {} ctx {} vs {} {} ctx {} at {}".format(
                        np.dtype(arr.dtype).name, arr.ctx, i, np.dtype(gtarr.dtype).name,
                        gtarr.ctx, gt_idx, name))
    return gt


def same_symbol_structure(sym1: Symbol, sym2: Symbol) -> bool:
    """Whether two symbols' graphs have the same operator at each node position."""
    nodes = json.loads(sym1.tojson())["nodes"]
    nodes2 = json.loads(sym2.tojson())["nodes"]
    return all(n1["op"] == n2["op"] for n1, n2 in zip(nodes, nodes2))


def check_gluon_hybridize_consistency(net_builder: Callable, data_l: list,
                                      numpy_func: Optional[Callable] = None,
                                      test_grad: bool = True, rtol: float = 1E-4,
                                      atol: float = 1E-4) -> None:
    """Check that a HybridBlock gives the same outputs (and input gradients) hybridized and
    not, from the same parameters.

    Parameters
    ----------
    net_builder : callable
        ``net_builder(prefix='net_')`` makes the block (which must not draw random numbers).
    data_l : list of NDArray
        The inputs. MXNet 1.9.1 takes ``mx.np`` arrays here; mxtorch's are ``mx.nd`` arrays.
    numpy_func : callable, optional
        A numpy version of the block to compare the output with.
    test_grad : bool
        Compare the input gradients too.
    rtol, atol : float
    """
    class _NumpyParamDictInit(mx.init.Initializer):
        """Sets each parameter from a dict of numpy arrays (the first net's values)."""

        def __init__(self, np_params: dict):
            super().__init__()
            self._np_params = np_params

        def _init_weight(self, name: Any, arr: NDArray) -> None:
            arr[:] = self._np_params[str(name)]

    saved_out_np = None
    saved_grad_np_l = None
    params_init = None
    for hybridize in (False, True):
        for use_autograd in ((False, True) if test_grad else (False,)):
            net = net_builder(prefix="net_")
            if params_init is None:
                net.initialize()
            else:
                net.initialize(params_init)
            if hybridize:
                net.hybridize()
            in_data_l = [ele.copy() for ele in data_l]
            if use_autograd:
                for ele in in_data_l:
                    ele.attach_grad()
                with mx.autograd.record():
                    out = net(*in_data_l)
                out.backward(out)
            else:
                out = net(*in_data_l)
            if params_init is None:
                params_init = _NumpyParamDictInit(
                    {k: v.data().asnumpy() for k, v in net.collect_params().items()})
            # the first run (imperative, no autograd) is the reference for all the others
            out_np = out.asnumpy()
            if saved_out_np is None:
                saved_out_np = out_np
            else:
                assert_almost_equal(out_np, saved_out_np, rtol, atol)
            if use_autograd:
                grads_np = [x.grad.asnumpy() for x in in_data_l]
                if saved_grad_np_l is None:
                    saved_grad_np_l = grads_np
                else:
                    for got, saved in zip(grads_np, saved_grad_np_l):
                        assert_almost_equal(got, saved, rtol, atol)
    if numpy_func is not None:
        reference = numpy_func(*(x.asnumpy() for x in data_l))
        assert_almost_equal(saved_out_np, reference, rtol, atol)


def compare_optimizer(opt1: Any, opt2: Any, shape: Any, dtype: Any, w_stype: str = "default",
                      g_stype: str = "default", rtol: float = 1e-4, atol: float = 1e-5,
                      compare_states: bool = True, ntensors: int = 1) -> None:
    """Check that two optimizers make the same state and the same update from the same
    uniform-random weight and gradient.

    With ``shape`` a list of shapes, ``opt1`` updates each tensor alone and ``opt2`` updates
    ``ntensors`` of them in one call (a multi-tensor optimizer). Only dense storage exists in
    mxtorch (``w_stype``/``g_stype`` ``'default'``)."""
    for stype in (w_stype, g_stype):
        if stype in ("row_sparse", "csr"):
            raise _sparse_refusal(stype)
        if stype != "default":
            raise MXNetError(f"storage type {stype!r} is not supported")
    ctx = default_context()
    if not isinstance(shape, list):
        assert ntensors == 1
        w2 = mx.random.uniform(shape=shape, ctx=ctx, dtype=dtype)
        w1 = w2.copyto(ctx)
        g2 = mx.random.uniform(shape=shape, ctx=ctx, dtype=dtype)
        g1 = g2.copyto(ctx)
        state1 = opt1.create_state_multi_precision(0, w1)
        state2 = opt2.create_state_multi_precision(0, w2)
        if compare_states:
            compare_ndarray_tuple(state1, state2)
        opt1.update_multi_precision(0, w1, g1, state1)
        opt2.update_multi_precision(0, w2, g2, state2)
        if compare_states:
            compare_ndarray_tuple(state1, state2, rtol, atol)
        assert_almost_equal(w1, w2, rtol, atol)
        return
    w1 = tuple(mx.random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    g1 = tuple(mx.random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    w2 = tuple(w.copy() for w in w1)
    g2 = tuple(g.copy() for g in g1)
    # opt2 updates the first ntensors in one multi-tensor call; opt1 then does them one by one
    indices = list(range(ntensors))
    states2 = [opt2.create_state_multi_precision(0, w2[i]) for i in indices]
    opt2.update_multi_precision(indices, w2, g2, states2)
    for i, (weight, grad, state2) in enumerate(zip(w1, g1, states2)):
        state1 = opt1.create_state_multi_precision(i, weight)
        opt1.update_multi_precision(i, weight, grad, state1)
        if compare_states:
            compare_ndarray_tuple(state1, state2, rtol, atol)
        compare_ndarray_tuple(weight, w2[i], rtol, atol)


def same_array(array1: NDArray, array2: NDArray) -> bool:
    """Whether two NDArrays share memory (adding 1 to one shows in the other)."""
    array1[:] += 1
    moved_together = same(array1.asnumpy(), array2.asnumpy())
    array1[:] -= 1   # array1 gets its values back either way
    return moved_together and same(array1.asnumpy(), array2.asnumpy())


def collapse_sum_like(a: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Sum ``a`` over the axes that ``shape`` (broadcastable to ``a``) lacks or has as 1, giving
    an array of ``shape``: the gradient of a broadcast."""
    assert len(a.shape) >= len(shape)
    if np.prod(shape) == 0 or a.size == 0:
        return np.zeros(shape, dtype=a.dtype)
    lead = a.ndim - len(shape)
    axes = list(range(lead))   # the leading axes that shape lacks altogether
    for axis, (wanted, actual) in enumerate(zip(shape, a.shape[lead:]), start=lead):
        if wanted != actual:
            assert wanted == 1   # anything else would not broadcast
            axes.append(axis)
    return np.sum(a, axis=tuple(axes)).reshape(shape)


# --- random-generator statistics --------------------------------------------------------------

def gen_buckets_probs_with_ppf(ppf: Callable, nbuckets: int) -> tuple:
    """``nbuckets`` equally likely buckets ``(ppf(i/n), ppf((i+1)/n))`` and their
    probabilities, for :func:`chi_square_check` of a distribution with quantile function
    ``ppf``."""
    assert nbuckets > 0
    probs = [1.0 / nbuckets for _ in range(nbuckets)]
    buckets = [(ppf(i / float(nbuckets)), ppf((i + 1) / float(nbuckets)))
               for i in range(nbuckets)]
    return buckets, probs


def mean_check(generator: Callable, mu: float, sigma: float, nsamples: int = 1000000) -> bool:
    """Whether the mean of ``generator(nsamples)`` lies within ``mu +- 3 sigma / sqrt(n)``."""
    samples = np.array(generator(nsamples))
    sample_mean = samples.mean()
    return bool((sample_mean > mu - 3 * sigma / np.sqrt(nsamples)) and
                (sample_mean < mu + 3 * sigma / np.sqrt(nsamples)))


def var_check(generator: Callable, sigma: float, nsamples: int = 1000000) -> bool:
    """Whether the sample variance of ``generator(nsamples)`` lies within
    ``sigma**2 +- 3 sqrt(2 sigma**4 / (n - 1))``."""
    samples = np.array(generator(nsamples))
    sample_var = samples.var(ddof=1)
    bound = 3 * np.sqrt(2 * sigma ** 4 / (nsamples - 1))
    return bool((sample_var > sigma ** 2 - bound) and (sample_var < sigma ** 2 + bound))


def _chisquare_p(obs_freq: np.ndarray, expected_freq: np.ndarray) -> float:
    """Pearson's chi-square p-value, with scipy's ``chisquare`` when scipy is present, else
    the chi-square survival function computed with torch (same statistic, k - 1 degrees of
    freedom)."""
    if ss is not None:
        return float(ss.chisquare(f_obs=obs_freq, f_exp=expected_freq)[1])
    import torch

    obs = np.asarray(obs_freq, dtype=np.float64)
    exp = np.asarray(expected_freq, dtype=np.float64)
    stat = float(((obs - exp) ** 2 / exp).sum())
    dof = len(obs) - 1
    # P(X > stat) for X ~ chi2(dof) is the regularized upper incomplete gamma Q(dof/2, stat/2)
    return float(torch.special.gammaincc(torch.tensor(dof / 2.0, dtype=torch.float64),
                                         torch.tensor(stat / 2.0, dtype=torch.float64)))


def chi_square_check(generator: Callable, buckets: list, probs: Sequence[float],
                     nsamples: int = 1000000) -> tuple:
    """Pearson's chi-square test of ``generator(nsamples)`` against bucket probabilities.

    Parameters
    ----------
    generator : callable
        ``generator(n)`` returns ``n`` i.i.d. samples.
    buckets : list
        For a continuous distribution, ascending non-overlapping ``(low, high)`` ranges that
        cover it; for a discrete one, every possible value.
    probs : sequence of float
        The probability of each bucket.
    nsamples : int

    Returns
    -------
    p : float
        The p-value (a small one means the samples do not follow ``probs``).
    obs_freq : numpy.ndarray
        The count in each bucket.
    expected_freq : numpy.ndarray
        The expected count in each bucket.
    """
    assert isinstance(buckets, list)
    samples = generator(nsamples)
    assert len(probs) == len(buckets)
    continuous_dist = isinstance(buckets[0], (list, tuple))
    expected_freq = (np.asarray(probs, dtype=np.float32) * nsamples).astype(np.int32)
    if continuous_dist:
        for bucket, following in zip(buckets, buckets[1:]):
            assert bucket[1] <= following[0]   # ascending, not overlapping
        assert all(bucket[0] <= bucket[1] for bucket in buckets)
        edges = np.array([edge for bucket in buckets for edge in (bucket[0], bucket[1])],
                         dtype=np.float32)
        # a sample inside bucket k lands between edges 2k and 2k + 1 of the flattened list
        sample_bucket_ids = np.searchsorted(edges, samples, side="right") // 2
        targets: Sequence = range(len(buckets))
    else:
        sample_bucket_ids = np.array(samples)
        targets = buckets
    obs_freq = np.array([(sample_bucket_ids == target).sum() for target in targets],
                        dtype=np.int64)
    return _chisquare_p(obs_freq, expected_freq), obs_freq, expected_freq


def verify_generator(generator: Callable, buckets: list, probs: Sequence[float],
                     nsamples: int = 1000000, nrepeat: int = 5, success_rate: float = 0.2,
                     alpha: float = 0.05) -> list:
    """Run :func:`chi_square_check` ``nrepeat`` times; raise an AssertionError unless at least
    ``success_rate`` of the runs have p > ``alpha``. Returns the p-values."""
    runs = [chi_square_check(generator, buckets, probs, nsamples) for _ in range(nrepeat)]
    p_values = [run[0] for run in runs]
    passed = (np.array(p_values) > alpha).sum()
    if passed < nrepeat * success_rate:
        observed = [run[1] for run in runs]
        expected = [run[2] for run in runs]
        raise AssertionError(f"Generator test fails, Chi-square p={p_values}, "
                             f"obs_freq={observed}, expected_freq={expected}.\n"
                             f"buckets={buckets}, probs={probs}")
    return p_values


# --- matrices for linear-algebra tests --------------------------------------------------------

def new_matrix_with_real_eigvals_2d(n: int) -> np.ndarray:
    """A random ``n x n`` matrix ``q^-1 D q`` with real eigenvalues (diagonal ``D`` in
    [-10, 10]) and a well-conditioned ``q`` (condition number below 3)."""
    while True:   # draw until q is well conditioned
        d = np.diag(np.random.uniform(-1.0, 1.0, n))
        v = np.random.uniform(-1.0, 1.0, n).reshape(n, 1)
        v = v / np.linalg.norm(v, axis=0, keepdims=True)
        householder = np.eye(n) - 2 * np.matmul(v, v.T)
        q = np.matmul(householder, d)
        if np.linalg.cond(q, 2) < 3:
            break
    d = np.diag(np.random.uniform(-10.0, 10.0, n))
    return np.matmul(np.matmul(np.linalg.inv(q), d), q)


def _stacked(make_2d: Callable, shape: Sequence[int]) -> np.ndarray:
    """Square matrices ``make_2d(n)``, made one after another, stacked into ``shape``
    (..., n, n)."""
    count = int(np.prod(shape[:-2]))   # the empty product, 1, for a single matrix
    return np.array([make_2d(shape[-1]) for _ in range(count)]).reshape(shape)


def new_matrix_with_real_eigvals_nd(shape: Sequence[int]) -> np.ndarray:
    """A batch of :func:`new_matrix_with_real_eigvals_2d` matrices of ``shape`` (..., n, n)."""
    return _stacked(new_matrix_with_real_eigvals_2d, shape)


def new_orthonormal_matrix_2d(n: int) -> np.ndarray:
    """A random ``n x n`` orthonormal matrix (the Q of a QR factorisation)."""
    x = np.random.randn(n, n)
    return np.linalg.qr(np.matmul(x.T, x))[0]


def new_sym_matrix_with_real_eigvals_2d(n: int) -> np.ndarray:
    """A random symmetric ``n x n`` matrix ``q^T D q`` with eigenvalues in [-10, 10]."""
    q = new_orthonormal_matrix_2d(n)
    d = np.diag(np.random.uniform(-10.0, 10.0, n))
    return np.matmul(np.matmul(q.T, d), q)


def new_sym_matrix_with_real_eigvals_nd(shape: Sequence[int]) -> np.ndarray:
    """A batch of :func:`new_sym_matrix_with_real_eigvals_2d` matrices of ``shape``."""
    return _stacked(new_sym_matrix_with_real_eigvals_2d, shape)


# --- environment, processes, platform ---------------------------------------------------------

def list_gpus() -> range:
    """The GPUs torch sees: ``range(n)`` for ``n`` CUDA devices (empty without CUDA)."""
    return range(num_gpus())


@contextmanager
def environment(*args: Any) -> Iterator[None]:
    """Set environment variables for the body of a ``with`` statement (or a decorated
    function) and restore them afterwards, exceptions included.

    Parameters
    ----------
    *args
        ``name, value`` for one variable, or one dict name -> value. A value of ``None``
        unsets the variable.
    """
    if len(args) == 1 and isinstance(args[0], dict):
        env_vars = args[0]
    else:
        assert len(args) == 2, "Expecting one dict arg or two args: env var name and value"
        env_vars = {args[0]: args[1]}

    def set_environ(values: dict) -> None:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
            if getenv(name) != value:  # the backend must see what os.environ says
                setenv(name, value)

    snapshot = {name: os.environ.get(name) for name in env_vars}
    set_environ(env_vars)
    try:
        yield
    finally:
        # queued work may still read the changed values
        mx.nd.waitall()
        set_environ(snapshot)


@contextmanager
def discard_stderr() -> Iterator[None]:
    """Send everything written to the process's stderr (file descriptor 2, so C libraries'
    output too) to the null device within a ``with`` statement."""
    with open(os.devnull, "w") as bit_bucket:
        try:
            stderr_fileno = sys.stderr.fileno()
        except (AttributeError, _io.UnsupportedOperation):
            # sys.stderr replaced by an object without a descriptor (a capture, a notebook):
            # the process's own stderr, where C libraries write, is still descriptor 2
            stderr_fileno = 2
        old_stderr = os.dup(stderr_fileno)
        try:
            os.dup2(bit_bucket.fileno(), stderr_fileno)
            yield
        finally:
            os.dup2(old_stderr, stderr_fileno)
            os.close(old_stderr)


def is_cd_run() -> bool:
    """Whether this runs as part of a continuous-delivery job (``CD_JOB=1``)."""
    return os.environ.get("CD_JOB", 0) == "1"


def is_aarch64_run() -> bool:
    """Whether this runs on an aarch64 machine."""
    return platform.machine() == "aarch64"


def has_tvm_ops() -> bool:
    """Whether operators generated by TVM are built in: never in mxtorch (torch runs them)."""
    return False


def is_op_runnable() -> bool:
    """Whether the operators under test can run on the current context: always, since mxtorch
    has no TVM operators that need a recent GPU."""
    return True


def get_im2rec_path(home_env: str = "MXNET_HOME") -> str:
    """The path of MXNet's ``tools/im2rec.py``, looked for under ``$home_env`` or beside the
    package; mxtorch ships no such tool, so this finds one only in an MXNet tree."""
    base = os.environ.get(home_env, os.path.dirname(mx.__file__))
    for candidate in (os.path.join(base, "tools", "im2rec.py"),
                      os.path.join(base, "..", "..", "tools", "im2rec.py")):
        if os.path.isfile(candidate):
            return candidate
    raise IOError("Could not find path to tools/im2rec.py (mxtorch does not ship it; point "
                  f"${home_env} at an MXNet source tree)")


class DummyIter(mx.io.DataIter):
    """A data iterator that returns the first batch of ``real_iter`` for ever (for speed tests).

    Parameters
    ----------
    real_iter : DataIter
        The iterator whose first batch is repeated.
    """

    def __init__(self, real_iter: Any):
        super().__init__()
        self.real_iter = real_iter
        self.provide_data = real_iter.provide_data
        self.provide_label = real_iter.provide_label
        self.batch_size = real_iter.batch_size
        self.the_batch = next(real_iter)

    def __iter__(self) -> "DummyIter":
        return self

    def next(self) -> Any:
        """The first batch of the real iterator; never raises StopIteration."""
        return self.the_batch


# --- downloads and datasets -------------------------------------------------------------------

# The largest archive content extracted (all members together); CIFAR-10's zip holds ~0.2 GB.
_MAX_EXTRACT_BYTES = 8 << 30
_MAX_ZIP_MEMBERS = 100000


def download(url: str, fname: Optional[str] = None, dirname: Optional[str] = None,
             overwrite: bool = False, retries: int = 5) -> str:
    """Download ``url`` to ``fname`` (by default the URL's last part) in ``dirname`` (by
    default the current directory, or ``fname``'s own), unless the file exists and not
    ``overwrite``; ``retries`` more attempts on failure.

    The transfer goes through :func:`mxtorch.gluon.utils.download` (size and time limits,
    no partial files left behind).

    Returns
    -------
    str
        The file's path.
    """
    from .gluon.utils import download as _gluon_download

    assert retries >= 0, "Number of retries should be at least 0"
    if fname is None:
        fname = url.split("/")[-1]
    if dirname is None:
        dirname = os.path.dirname(fname)
    else:
        fname = os.path.join(dirname, fname)
    if dirname != "":
        try:
            os.makedirs(dirname, exist_ok=True)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise OSError("failed to create " + dirname) from exc
    if not overwrite and os.path.exists(fname):
        logging.info("%s exists, skipping download", fname)
        return fname
    _gluon_download(url, path=fname, overwrite=True, retries=retries)
    logging.info("downloaded %s into %s successfully", url, fname)
    return fname


_MODEL_URL = "http://data.mxnet.io/models/"
_MODEL_FILES = {
    "imagenet1k-inception-bn": "imagenet/inception-bn/Inception-BN-symbol.json",
    "imagenet1k-resnet-18": "imagenet/resnet/18-layers/resnet-18-symbol.json",
    "imagenet1k-resnet-34": "imagenet/resnet/34-layers/resnet-34-symbol.json",
    "imagenet1k-resnet-50": "imagenet/resnet/50-layers/resnet-50-symbol.json",
    "imagenet1k-resnet-101": "imagenet/resnet/101-layers/resnet-101-symbol.json",
    "imagenet1k-resnet-152": "imagenet/resnet/152-layers/resnet-152-symbol.json",
    "imagenet1k-resnext-50": "imagenet/resnext/50-layers/resnext-50-symbol.json",
    "imagenet1k-resnext-101": "imagenet/resnext/101-layers/resnext-101-symbol.json",
    "imagenet1k-resnext-101-64x4d": "imagenet/resnext/101-layers/resnext-101-64x4d-symbol.json",
    "imagenet11k-resnet-152": "imagenet-11k/resnet-152/resnet-152-symbol.json",
    "imagenet11k-place365ch-resnet-152": "imagenet-11k-place365-ch/resnet-152-symbol.json",
    "imagenet11k-place365ch-resnet-50": "imagenet-11k-place365-ch/resnet-50-symbol.json",
}


def _default_model_info() -> dict:
    """MXNet's published checkpoints: symbol and parameter URLs by model name (the parameters
    sit beside the symbol file, epoch 126 for Inception-BN and 0 for the others)."""
    info = {}
    for name, symbol_path in _MODEL_FILES.items():
        epoch = "0126" if name == "imagenet1k-inception-bn" else "0000"
        params_path = symbol_path.replace("-symbol.json", f"-{epoch}.params")
        info[name] = {"symbol": _MODEL_URL + symbol_path, "params": _MODEL_URL + params_path}
    return info


def download_model(model_name: str, dst_dir: str = "./",
                   meta_info: Optional[dict] = None) -> tuple:
    """Download a published checkpoint (symbol and parameters) into ``dst_dir``.

    Parameters
    ----------
    model_name : str
    dst_dir : str
    meta_info : dict, optional
        model name -> ``{'symbol': url, 'params': url}`` (MXNet's published models by default).

    Returns
    -------
    tuple
        ``(prefix, 0)`` to load the checkpoint with, or ``(None, 0)`` for an unknown name.
    """
    meta_info = dict(_default_model_info() if meta_info is None else meta_info)
    if model_name not in meta_info:
        return (None, 0)
    if not os.path.isdir(dst_dir):
        os.mkdir(dst_dir)
    meta = dict(meta_info[model_name])
    assert "symbol" in meta, "missing symbol url"
    prefix = os.path.join(dst_dir, model_name)
    download(meta["symbol"], prefix + "-symbol.json")
    assert "params" in meta, "mssing parameter file url"
    download(meta["params"], prefix + "-0000.params")
    return (prefix, 0)


_MNIST_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _mnist_gz(dirname: str, name: str) -> str:
    """The path of MNIST's ``name`` (a ``.gz`` file) in ``dirname``, downloaded there from the
    Gluon dataset repository when absent."""
    from .gluon.utils import _get_repo_file_url

    path = os.path.join(dirname, name)
    if not os.path.exists(path):
        download(_get_repo_file_url("gluon/dataset/mnist", name), fname=name,
                 dirname=dirname or None)
    return path


def _read_bounded(path: str) -> bytes:
    size = os.path.getsize(path)
    if size > MAX_IDX_BYTES:
        raise MXNetError(f"{path} is {size} bytes, more than the {MAX_IDX_BYTES} an IDX file "
                         "may hold")
    with open(path, "rb") as f:
        return f.read()


def get_mnist(root: Optional[str] = None) -> dict:
    """Load MNIST as numpy arrays, as MXNet's tutorials do.

    The four ``.gz`` IDX files (``train-images-idx3-ubyte.gz``...) are read from ``root`` (the
    current directory by default, as MXNet's), each downloaded there first when absent.

    Parameters
    ----------
    root : str, optional
        The folder holding the files.

    Returns
    -------
    dict
        ``train_data``/``test_data``: float32 arrays (N, 1, 28, 28) holding pixel / 255;
        ``train_label``/``test_label``: int8 arrays (N,).
    """
    dirname = "" if root is None else os.path.expanduser(root)
    result = {}
    for split, (images_name, labels_name) in _MNIST_FILES.items():
        labels_path = _mnist_gz(dirname, labels_name + ".gz")
        images_path = _mnist_gz(dirname, images_name + ".gz")
        try:
            label = read_idx(_read_bounded(labels_path), 1).astype(np.int8)
            image = check_mnist_images(read_idx(_read_bounded(images_path), 3), images_path)
        except MXNetError as err:
            raise MXNetError(f"get_mnist: {err}") from None
        if len(image) != len(label):
            raise MXNetError(f"get_mnist: {images_path} holds {len(image)} images but "
                             f"{labels_path} holds {len(label)} labels")
        result[f"{split}_data"] = image.reshape(len(label), 1, 28, 28).astype(np.float32) / 255
        result[f"{split}_label"] = label
    return {k: result[k] for k in ("train_data", "train_label", "test_data", "test_label")}


def get_mnist_pkl() -> None:
    """MXNet's fetcher of ``mnist.pkl.gz``; refused, since mxtorch never unpickles downloaded
    files. :func:`get_mnist` gives the same arrays from the IDX files."""
    raise _unsupported("get_mnist_pkl (MNIST as a pickle, data/mnist.pkl.gz)",
                       "files are data, never code: use get_mnist(), which reads the IDX files")


def get_mnist_ubyte() -> None:
    """Make sure the four uncompressed MNIST IDX files are in ``data/`` under the current
    directory (``data/train-images-idx3-ubyte``...).

    A missing file is decompressed from its ``.gz`` in ``data/``, which is downloaded first
    when it is absent too."""
    os.makedirs("data", exist_ok=True)
    from ._fileio.atomic import write_atomically

    for images_name, labels_name in _MNIST_FILES.values():
        for name, ndim in ((images_name, 3), (labels_name, 1)):
            raw = os.path.join("data", name)
            if os.path.exists(raw):
                continue
            gz_path = _mnist_gz("data", name + ".gz")
            try:
                content = decompress_idx(_read_bounded(gz_path), ndim)
                read_idx(content, ndim)  # the structure must hold before the file is written
            except MXNetError as err:
                raise MXNetError(f"get_mnist_ubyte: {gz_path}: {err}") from None
            write_atomically(raw, content)


def get_mnist_iterator(batch_size: int, input_shape: Sequence[int], num_parts: int = 1,
                       part_index: int = 0) -> tuple:
    """Training and validation ``MNISTIter``s over ``data/`` (see :func:`get_mnist_ubyte`).

    Images are flat vectors unless ``input_shape`` has three dimensions; the training iterator
    shuffles; ``num_parts``/``part_index`` select one part of each set.

    Returns
    -------
    tuple
        ``(train_iter, val_iter)``.
    """
    get_mnist_ubyte()
    flat = len(input_shape) != 3
    # MXNet hands input_shape to MNISTIter too, which ignores it: the shape comes from `flat`
    train_dataiter = mx.io.MNISTIter(image="data/train-images-idx3-ubyte",
                                     label="data/train-labels-idx1-ubyte",
                                     batch_size=batch_size, shuffle=True, flat=flat,
                                     num_parts=num_parts, part_index=part_index)
    val_dataiter = mx.io.MNISTIter(image="data/t10k-images-idx3-ubyte",
                                   label="data/t10k-labels-idx1-ubyte",
                                   batch_size=batch_size, flat=flat,
                                   num_parts=num_parts, part_index=part_index)
    return (train_dataiter, val_dataiter)


def _extract_zip(zip_path: str, dest: str) -> None:
    """Extract ``zip_path`` into ``dest`` after checking, from its directory, the member count,
    the total uncompressed size and that no member leaves ``dest``."""
    try:
        with zipfile.ZipFile(zip_path) as zf:
            infos = zf.infolist()
            if len(infos) > _MAX_ZIP_MEMBERS:
                raise MXNetError(f"{zip_path} holds {len(infos)} members, more than "
                                 f"{_MAX_ZIP_MEMBERS}")
            total = sum(info.file_size for info in infos)
            if total > _MAX_EXTRACT_BYTES:
                raise MXNetError(f"{zip_path} unpacks to {total} bytes, more than "
                                 f"{_MAX_EXTRACT_BYTES}")
            root = os.path.realpath(dest)
            for info in infos:
                target = os.path.realpath(os.path.join(root, info.filename))
                if os.path.commonpath([root, target]) != root:
                    raise MXNetError(f"{zip_path}: member {info.filename!r} would be written "
                                     f"outside {dest}")
            zf.extractall(dest)
    except zipfile.BadZipFile as err:
        raise MXNetError(f"{zip_path} is not a valid zip file ({err})") from None


def get_cifar10() -> None:
    """Make sure CIFAR-10 as RecordIO files is in ``data/cifar/`` under the current directory
    (``train.rec``, ``test.rec``, ``train.lst``, ``test.lst``), downloading MXNet's
    ``cifar10.zip`` into ``data/`` and extracting it when one is missing."""
    os.makedirs("data", exist_ok=True)
    needed = ("train.rec", "test.rec", "train.lst", "test.lst")
    if all(os.path.exists(os.path.join("data", "cifar", n)) for n in needed):
        return
    zip_file_path = download("http://data.mxnet.io/mxnet/data/cifar10.zip", dirname="data")
    _extract_zip(zip_file_path, "data")


def get_zip_data(data_dir: str, url: str, data_origin_name: str) -> None:
    """Download the zip file at ``url`` into ``data_dir`` as ``data_origin_name`` and extract it
    there, unless that file is already there."""
    archive = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(archive):
        download(url, dirname=data_dir, overwrite=False)
        _extract_zip(archive, data_dir)


def get_bz2_data(data_dir: str, data_name: str, url: str, data_origin_name: str) -> None:
    """Download the bz2 file at ``url`` into ``data_dir`` as ``data_origin_name``, decompress it
    to ``data_name`` there and remove the compressed file, unless ``data_name`` exists."""
    target = os.path.join(data_dir, data_name)
    archive = os.path.join(data_dir, data_origin_name)
    if os.path.exists(target):
        return
    # the name alone: MXNet's call joined data_dir twice, which only worked for absolute paths
    download(url, fname=os.path.basename(archive), dirname=data_dir, overwrite=False)
    from ._fileio.atomic import atomic_output

    written = 0
    with bz2.BZ2File(archive, "rb") as bz_file, atomic_output(target) as tmp, \
            open(tmp, "wb") as fout:
        for chunk in iter(lambda: bz_file.read(1 << 20), b""):
            written += len(chunk)
            if written > _MAX_EXTRACT_BYTES:
                raise MXNetError(f"{archive} decompresses to more than "
                                 f"{_MAX_EXTRACT_BYTES} bytes")
            fout.write(chunk)
    os.remove(archive)
