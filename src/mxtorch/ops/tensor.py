"""Tensor operators: elementwise math, broadcast and scalar arithmetic, reductions, products,
joining, slicing, indexing, sorting and shape manipulation."""
from __future__ import annotations

import math
import re
from typing import Callable, Optional, Sequence

import torch

from ..base import MXNetError, to_torch_dtype
from ..context import Context, current_context
from .registry import Any_, Bool, DType, Enum, Float, Floats, Int, Shape, Str, op, same_shape


# -- reshape with MXNet's special codes ----------------------------------------------------------
def infer_reshape(src: Sequence[int], target: Sequence[int], reverse: bool = False) -> tuple:
    """Resolve MXNet's reshape codes against ``src``.

    0 copies the dimension, -1 infers it, -2 copies all remaining dimensions, -3 merges two
    consecutive dimensions, -4 splits one into the two values that follow (one may be -1).
    With ``reverse`` the codes are matched from the right.
    """
    src, target = list(src), list(target)
    if reverse:
        # MXNet matches the reversed codes as they stand: a -4 needs its two operands before it
        src, target = src[::-1], target[::-1]
    out: list = []
    infer_at = -1
    i = j = 0
    while i < len(target):
        code = target[i]
        if code == 0:
            out.append(src[j]); j += 1  # noqa: E702
        elif code == -1:
            if infer_at >= 0:
                raise MXNetError(f"reshape: more than one -1 in {tuple(target)}")
            infer_at = len(out)
            out.append(-1); j += 1  # noqa: E702
        elif code == -2:
            out.extend(src[j:]); j = len(src)  # noqa: E702
        elif code == -3:
            out.append(src[j] * src[j + 1]); j += 2  # noqa: E702
        elif code == -4:
            if i + 2 >= len(target):
                raise MXNetError(f"reshape: -4 must be followed by two dimensions in {tuple(target)}")
            a, b = target[i + 1], target[i + 2]
            if a == -1 and b == -1:
                raise MXNetError("reshape: split dims cannot both be -1")
            if a == -1:
                a = src[j] // b
            if b == -1:
                b = src[j] // a
            if a * b != src[j]:
                raise MXNetError(f"reshape: cannot split dimension {src[j]} into {a} x {b}")
            out += [a, b]; j += 1; i += 2  # noqa: E702
        elif code > 0:
            out.append(code); j += 1  # noqa: E702
        else:
            raise MXNetError(f"reshape: invalid shape code {code} in {tuple(target)}")
        i += 1
    total = math.prod(src)
    if infer_at >= 0:
        known = math.prod(d for k, d in enumerate(out) if k != infer_at)
        if known == 0 or total % known:
            raise MXNetError(f"reshape: cannot reshape array of shape {tuple(src)} into "
                             f"{tuple(target)}")
        out[infer_at] = total // known
    if math.prod(out) != total:
        raise MXNetError(f"reshape: target shape {tuple(target)} (resolved to {tuple(out)}) does "
                         f"not match the size of the source shape {tuple(src)}")
    return tuple(out[::-1]) if reverse else tuple(out)


@op("Reshape", attrs={"shape": Shape(()), "reverse": Bool(False),
                      "target_shape": Shape(()), "keep_highest": Bool(False)},
    aliases=("reshape",))
def reshape(data, *, shape, reverse, target_shape, keep_highest):
    """Reshapes the input array, supporting MXNet's special values 0, -1, -2, -3, -4."""
    return data.reshape(infer_reshape(tuple(data.shape), shape, reverse))


# -- binary arithmetic: broadcast_*, elemwise and *_scalar forms from one table -----------------
def _same_dtype(name: str, lhs: torch.Tensor, rhs: torch.Tensor) -> None:
    if lhs.dtype != rhs.dtype:
        raise MXNetError(f"{name}: operands must have the same dtype, got {lhs.dtype} and "
                         f"{rhs.dtype} (use astype to convert one)")


def _as_tensor_like(a: torch.Tensor, b) -> torch.Tensor:
    """A scalar operand as a 0-d tensor of ``a``'s dtype (MXNet casts scalars to the array dtype)."""
    if isinstance(b, torch.Tensor):
        return b
    return torch.tensor(b, dtype=a.dtype, device=a.device)


def _div(a: torch.Tensor, b) -> torch.Tensor:
    if a.is_floating_point():
        return torch.div(a, b)
    return torch.div(a, b, rounding_mode="trunc")


def _maximum(a: torch.Tensor, b) -> torch.Tensor:
    # MXNet routes the gradient to lhs where lhs >= rhs (ties included) and to rhs elsewhere;
    # torch.maximum would split it in halves at ties.
    return torch.where(a >= b, a, b)


def _minimum(a: torch.Tensor, b) -> torch.Tensor:
    return torch.where(a <= b, a, b)


def _hypot(a: torch.Tensor, b) -> torch.Tensor:
    b = _as_tensor_like(a, b)
    if a.is_floating_point():
        return torch.hypot(a, b)
    return torch.hypot(a.double(), b.double()).to(a.dtype)


def _as_dtype(fn: Callable) -> Callable:
    """Comparison and logical results keep the input dtype in MXNet (1 or 0), not bool."""
    def wrapped(a: torch.Tensor, b) -> torch.Tensor:
        return fn(a, _as_tensor_like(a, b)).to(a.dtype)
    return wrapped


_BINARY: dict = {
    # name: (torch function, scalar op name, reflected scalar op name)
    "add": (torch.add, "_plus_scalar", None),
    "sub": (torch.sub, "_minus_scalar", "_rminus_scalar"),
    "mul": (torch.mul, "_mul_scalar", None),
    "div": (_div, "_div_scalar", "_rdiv_scalar"),
    "mod": (torch.remainder, "_mod_scalar", "_rmod_scalar"),  # sign of the divisor, as MXNet
    "power": (torch.pow, "_power_scalar", "_rpower_scalar"),
    "maximum": (_maximum, "_maximum_scalar", None),
    "minimum": (_minimum, "_minimum_scalar", None),
    "hypot": (_hypot, "_hypot_scalar", None),
    "equal": (_as_dtype(torch.eq), "_equal_scalar", None),
    "not_equal": (_as_dtype(torch.ne), "_not_equal_scalar", None),
    "greater": (_as_dtype(torch.gt), "_greater_scalar", None),
    "greater_equal": (_as_dtype(torch.ge), "_greater_equal_scalar", None),
    "lesser": (_as_dtype(torch.lt), "_lesser_scalar", None),
    "lesser_equal": (_as_dtype(torch.le), "_lesser_equal_scalar", None),
    "logical_and": (_as_dtype(torch.logical_and), "_logical_and_scalar", None),
    "logical_or": (_as_dtype(torch.logical_or), "_logical_or_scalar", None),
    "logical_xor": (_as_dtype(torch.logical_xor), "_logical_xor_scalar", None),
}
# MXNet names the same-shape forms elemwise_add/sub/mul/div and _mod, _power, _equal... for the
# rest; the capitalised names (_Plus, _MulScalar...) are the aliases older symbol files use.
_ELEMWISE_NAMES = {"add": ("elemwise_add", ("_plus", "_add", "_Plus")),
                   "sub": ("elemwise_sub", ("_minus", "_sub", "_Minus")),
                   "mul": ("elemwise_mul", ("_mul", "_Mul")),
                   "div": ("elemwise_div", ("_div", "_Div"))}
_BROADCAST_ALIASES = {"add": ("broadcast_plus",), "sub": ("broadcast_minus",)}


def _legacy_name(name: str, reflected: bool = False) -> str:
    """The capitalised alias: ``greater_equal`` -> ``_Greater_Equal``,
    ``_not_equal_scalar`` -> ``_NotEqualScalar``, reflected ``_rminus_scalar`` -> ``_RMinusScalar``."""
    if name.endswith("_scalar"):
        base = name[2 if reflected else 1:-len("_scalar")]
        return "_" + ("R" if reflected else "") + "".join(w.capitalize() for w in base.split("_")) \
            + "Scalar"
    return "_" + "_".join(w.capitalize() for w in name.split("_"))


def _scalar_for(data: torch.Tensor, scalar: float):
    # MXNet casts the scalar to the array's dtype first: an int32 array times 2.7 multiplies by 2.
    return scalar if data.is_floating_point() else int(scalar)


def _declare_binary(name: str, fn: Callable, scalar_name: str, rscalar_name) -> None:
    bname = f"broadcast_{name}"
    ename, ealiases = _ELEMWISE_NAMES.get(name, (f"_{name}", (_legacy_name(name),)))

    def broadcast(lhs, rhs):
        _same_dtype(bname, lhs, rhs)
        return fn(lhs, rhs)

    def elemwise(lhs, rhs):
        _same_dtype(ename, lhs, rhs)
        if lhs.shape != rhs.shape:
            raise MXNetError(f"{ename}: shapes must be equal, got {tuple(lhs.shape)} and "
                             f"{tuple(rhs.shape)} (use broadcast_{name} to broadcast)")
        return fn(lhs, rhs)

    def scalar_op(data, *, scalar, is_int):
        return fn(data, _scalar_for(data, scalar))

    def rscalar_op(data, *, scalar, is_int):
        return fn(_as_tensor_like(data, _scalar_for(data, scalar)), data)

    broadcast.__doc__ = f"Returns element-wise {name} of the input arrays with broadcasting."
    elemwise.__doc__ = f"Returns element-wise {name} of the input arrays (same shape)."
    scalar_op.__doc__ = f"Element-wise {name} of an array and a scalar."
    scalar_attrs = {"scalar": Float(1.0), "is_int": Bool(True)}
    op(bname, inputs=("lhs", "rhs"), aliases=_BROADCAST_ALIASES.get(name, ()),
       fresh_outputs=True)(broadcast)
    op(ename, inputs=("lhs", "rhs"), aliases=ealiases, fresh_outputs=True)(elemwise).shape(same_shape)
    op(scalar_name, attrs=scalar_attrs, aliases=(_legacy_name(scalar_name),),
       fresh_outputs=True)(scalar_op).shape(same_shape)
    if rscalar_name:
        rscalar_op.__doc__ = f"Element-wise {name} of a scalar and an array (reflected)."
        op(rscalar_name, attrs=scalar_attrs, aliases=(_legacy_name(rscalar_name, True),),
           fresh_outputs=True)(rscalar_op).shape(same_shape)


for _name, (_fn, _scalar, _rscalar) in _BINARY.items():
    _declare_binary(_name, _fn, _scalar, _rscalar)


# -- unary elementwise ---------------------------------------------------------------------------
class _Cbrt(torch.autograd.Function):
    """Cube root with MXNet's derivative 1 / (3 cbrt(x)^2), infinite (not NaN) at zero."""

    @staticmethod
    def forward(ctx, x):
        y = torch.sign(x) * x.abs().double().pow(1.0 / 3.0).to(x.dtype)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad / (3 * y * y)


def _cbrt(x: torch.Tensor) -> torch.Tensor:
    return _Cbrt.apply(x)


def _round_half_away(x: torch.Tensor) -> torch.Tensor:
    # MXNet's round() rounds halves away from zero (torch.round rounds them to even).
    t = torch.trunc(x)
    return torch.where((x - t).abs() >= 0.5, t + torch.sign(x), t)


def _rint(x: torch.Tensor) -> torch.Tensor:
    # MXNet's rint picks the floor on ties: rint(2.5) = 2, rint(-2.5) = -3.
    lo, hi = torch.floor(x), torch.ceil(x)
    return torch.where(x - lo <= hi - x, lo, hi)


def _gamma(x: torch.Tensor) -> torch.Tensor:
    # Gamma(x) = sign * exp(lgamma(x)); negative non-integers alternate in sign.
    x64 = x.double()
    negative = (x64 < 0) & (torch.floor(x64).remainder(2) == 1)
    sign = 1.0 - 2.0 * negative.to(x64.dtype)
    return (sign * torch.exp(torch.lgamma(x64))).to(x.dtype)


def _softsign(x: torch.Tensor) -> torch.Tensor:
    return x / (1 + x.abs())


def _logical_not(x: torch.Tensor) -> torch.Tensor:
    return (x == 0).to(x.dtype)


# name: (torch function, exact on integer arrays, aliases). Functions that are not exact on
# integers run in float64 and cast back, truncating as MXNet does (sqrt of int 5 is 2).
_UNARY: dict = {
    "abs": (torch.abs, True, ()), "negative": (torch.neg, True, ()),
    "sign": (torch.sign, True, ()), "square": (torch.square, True, ()),
    "relu": (torch.relu, True, ()), "floor": (torch.floor, True, ()),
    "ceil": (torch.ceil, True, ()), "trunc": (torch.trunc, True, ()),
    "fix": (torch.trunc, True, ()), "round": (_round_half_away, True, ()),
    "rint": (_rint, True, ()), "logical_not": (_logical_not, True, ()),
    "exp": (torch.exp, False, ()), "expm1": (torch.expm1, False, ()),
    "log": (torch.log, False, ()), "log1p": (torch.log1p, False, ()),
    "log2": (torch.log2, False, ()), "log10": (torch.log10, False, ()),
    "sqrt": (torch.sqrt, False, ()), "rsqrt": (torch.rsqrt, False, ()),
    "cbrt": (_cbrt, False, ()), "rcbrt": (lambda x: 1 / _cbrt(x), False, ()),
    "reciprocal": (torch.reciprocal, False, ()),
    "sigmoid": (torch.sigmoid, False, ()), "tanh": (torch.tanh, False, ()),
    "softsign": (_softsign, False, ()),
    "sin": (torch.sin, False, ()), "cos": (torch.cos, False, ()), "tan": (torch.tan, False, ()),
    "arcsin": (torch.asin, False, ()), "arccos": (torch.acos, False, ()),
    "arctan": (torch.atan, False, ()), "sinh": (torch.sinh, False, ()),
    "cosh": (torch.cosh, False, ()), "arcsinh": (torch.asinh, False, ()),
    "arccosh": (torch.acosh, False, ()), "arctanh": (torch.atanh, False, ()),
    "degrees": (torch.rad2deg, False, ()), "radians": (torch.deg2rad, False, ()),
    "gamma": (_gamma, False, ()), "gammaln": (torch.lgamma, False, ()),
    "erf": (torch.erf, False, ()), "erfinv": (torch.erfinv, False, ()),
}


def _declare_unary(name: str, fn: Callable, exact_int: bool, aliases: tuple) -> None:
    def unary(data):
        if data.is_floating_point() or exact_int:
            return fn(data)
        return fn(data.double()).to(data.dtype)

    unary.__doc__ = f"Returns element-wise {name} of the input."
    op(name, aliases=aliases, fresh_outputs=True)(unary).shape(same_shape)


for _name, (_fn, _exact, _aliases) in _UNARY.items():
    _declare_unary(_name, _fn, _exact, _aliases)


@op("_copy", aliases=("identity",))
def copy(data):
    """Returns a copy of the input."""
    return data.clone()


@op("zeros_like")
def zeros_like(data):
    """Returns an array of zeros with the same shape and type as the input."""
    return torch.zeros_like(data, memory_format=torch.contiguous_format)


@op("ones_like")
def ones_like(data):
    """Returns an array of ones with the same shape and type as the input."""
    return torch.ones_like(data, memory_format=torch.contiguous_format)


@op("clip", attrs={"a_min": Float(), "a_max": Float()})
def clip(data, *, a_min, a_max):
    """Clips (limits) the values in an array: values below ``a_min`` become ``a_min``, values
    above ``a_max`` become ``a_max``. The gradient passes where ``a_min <= x <= a_max``."""
    if not data.is_floating_point():
        a_min, a_max = int(a_min), int(a_max)
    return torch.clamp(data, a_min, a_max)


@op("smooth_l1", attrs={"scalar": Float(1.0)})
def smooth_l1(data, *, scalar):
    """Calculate Smooth L1 Loss(lhs, scalar) elementwise:
    ``0.5 (sigma x)^2`` where ``|x| < 1 / sigma^2``, ``|x| - 0.5 / sigma^2`` elsewhere."""
    s2 = scalar * scalar
    absx = data.abs()
    return torch.where(absx < 1.0 / s2, 0.5 * s2 * data * data, absx - 0.5 / s2)


@op("hard_sigmoid", attrs={"alpha": Float(0.2), "beta": Float(0.5)})
def hard_sigmoid(data, *, alpha, beta):
    """Computes hard sigmoid: ``max(0, min(1, alpha * x + beta))`` element-wise; the gradient
    passes only strictly inside (0, 1), as in MXNet."""
    z = alpha * data + beta
    return torch.where((z > 0) & (z < 1), z, torch.clamp(z.detach(), 0.0, 1.0))


@op("Cast", attrs={"dtype": DType()}, aliases=("cast",))
def cast(data, *, dtype):
    """Casts all elements of the input to a new type (floats truncate toward zero)."""
    return data.to(to_torch_dtype(dtype), copy=True)


@op("shape_array")
def shape_array(data):
    """Returns a 1-D int64 array holding the shape of the input."""
    return torch.tensor(tuple(data.shape), dtype=torch.int64, device=data.device)


@op("size_array")
def size_array(data):
    """Returns a 1-D int64 array holding the number of elements of the input."""
    return torch.tensor([data.numel()], dtype=torch.int64, device=data.device)


# -- reductions --------------------------------------------------------------------------------
def reduce_axes(ndim: int, axis, exclude: bool) -> tuple:
    """Axes to reduce for MXNet's ``axis``/``exclude``: all axes when axis is None or empty
    (whatever ``exclude`` says), else the given axes or, with ``exclude``, all the others."""
    if axis is None or axis == ():
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if not -ndim <= a < ndim:
            raise MXNetError(f"axis {a} is out of bounds for an array of dimension {ndim}")
    axes = tuple(sorted({a % ndim for a in axes}))
    if exclude:
        axes = tuple(a for a in range(ndim) if a not in axes)
    return axes


def _flatten_axes(data: torch.Tensor, axes: tuple) -> torch.Tensor:
    """Move ``axes`` to the end and merge them into one (torch.prod reduces one axis at a time)."""
    keep = [d for d in range(data.dim()) if d not in axes]
    moved = data.permute(*keep, *axes)
    return moved.reshape(*[data.shape[d] for d in keep], -1)


def _keep_shape(data: torch.Tensor, axes: tuple) -> tuple:
    return tuple(1 if d in axes else n for d, n in enumerate(data.shape))


_REDUCE_ATTRS = {"axis": Shape(None, optional=True), "keepdims": Bool(False),
                 "exclude": Bool(False)}


def _declare_reduce(name: str, reduce: Callable, aliases: tuple = ()) -> None:
    """A reduction ``reduce(data, axes, keepdims)`` with MXNet's axis/keepdims/exclude handling:
    when no axis is left to reduce the output is a copy of the input."""

    def reduction(data, *, axis, keepdims, exclude):
        axes = reduce_axes(data.dim(), axis, exclude)
        if not axes:
            return data.clone()
        return reduce(data, axes, keepdims)

    reduction.__doc__ = f"Computes the {name} of array elements over given axes."
    op(name, attrs=_REDUCE_ATTRS, aliases=aliases, fresh_outputs=True)(reduction)


def _sum(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    # keep the input dtype: MXNet accumulates int8/uint8/int32 sums in that type
    return torch.sum(data, dim=axes, keepdim=keepdims, dtype=data.dtype)


def _mean(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    if data.is_floating_point():
        return torch.mean(data, dim=axes, keepdim=keepdims)
    count = math.prod(data.shape[a] for a in axes)
    return torch.div(_sum(data, axes, keepdims), count, rounding_mode="trunc")


def _prod(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    out = torch.prod(_flatten_axes(data, axes), dim=-1, dtype=data.dtype)
    return out.reshape(_keep_shape(data, axes)) if keepdims else out


def _nansum(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    if not data.is_floating_point():
        return _sum(data, axes, keepdims)
    return torch.nansum(data, dim=axes, keepdim=keepdims)


def _nanprod(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
    if data.is_floating_point():
        data = torch.where(torch.isnan(data), torch.ones_like(data), data)
    return _prod(data, axes, keepdims)


class _Extreme(torch.autograd.Function):
    """max/min over axes whose gradient reaches every element equal to the result, as in MXNet
    (torch.amax would share it out between ties)."""

    @staticmethod
    def forward(ctx, data, axes, keepdims, find):
        ext = find(data, dim=axes, keepdim=True)
        ctx.save_for_backward(data, ext)
        ctx.keepdims = keepdims
        return ext.clone() if keepdims else ext.squeeze(axes)

    @staticmethod
    def backward(ctx, grad):
        data, ext = ctx.saved_tensors
        grad = grad.reshape(ext.shape)
        return grad * (data == ext).to(grad.dtype), None, None, None


def _extreme(find: Callable) -> Callable:
    def reduce(data: torch.Tensor, axes: tuple, keepdims: bool) -> torch.Tensor:
        if data.requires_grad:
            return _Extreme.apply(data, axes, keepdims, find)
        return find(data, dim=axes, keepdim=keepdims)
    return reduce


_declare_reduce("sum", _sum, aliases=("sum_axis",))
_declare_reduce("mean", _mean)
_declare_reduce("prod", _prod)
_declare_reduce("nansum", _nansum)
_declare_reduce("nanprod", _nanprod)
_declare_reduce("max", _extreme(torch.amax), aliases=("max_axis",))
_declare_reduce("min", _extreme(torch.amin), aliases=("min_axis",))


@op("norm", attrs={"ord": Int(2), "axis": Shape(None, optional=True),
                   "out_dtype": DType(None, optional=True), "keepdims": Bool(False)})
def norm(data, *, ord, axis, out_dtype, keepdims):  # noqa: A002 - MXNet's attribute name
    """Computes the norm of the elements over the given axes (all elements when axis is None):
    ``ord=1`` the sum of absolute values, ``ord=2`` the square root of the sum of squares."""
    if ord not in (1, 2):
        raise MXNetError(f"norm: only ord=1 and ord=2 are supported, got ord={ord}")
    axes = reduce_axes(data.dim(), axis, False)
    x = data if data.is_floating_point() else data.double()
    out = torch.linalg.vector_norm(x, ord=ord, dim=axes, keepdim=keepdims)
    return out.to(to_torch_dtype(out_dtype) if out_dtype else data.dtype)


@op("moments", attrs={"axes": Shape(None, optional=True), "keepdims": Bool(False)},
    num_outputs=2, output_names=lambda attrs: ("mean", "var"))
def moments(data, *, axes, keepdims):
    """Calculates the mean and (population) variance of the input over the given axes."""
    dims = reduce_axes(data.dim(), axes, False)
    mean = torch.mean(data, dim=dims, keepdim=True)
    var = torch.mean(torch.square(data - mean), dim=dims, keepdim=keepdims)
    return (mean if keepdims else mean.squeeze(dims)), var


def _arg_reduce(data: torch.Tensor, axis, keepdims: bool, find: Callable) -> torch.Tensor:
    # MXNet returns the indices in the input's dtype (float32 for float32 data)
    if axis is None:
        idx = find(data.reshape(-1))
        if keepdims:
            idx = idx.reshape((1,) * data.dim())
    else:
        if not -data.dim() <= axis < data.dim():
            raise MXNetError(f"axis {axis} is out of bounds for an array of dimension {data.dim()}")
        idx = find(data, dim=axis, keepdim=keepdims)
    return idx.to(data.dtype)


_ARG_ATTRS = {"axis": Int(None, optional=True), "keepdims": Bool(False)}


@op("argmax", attrs=_ARG_ATTRS)
def argmax(data, *, axis, keepdims):
    """Returns indices of the maximum values along an axis (the first of ties), in the input's
    dtype; ``axis=None`` searches the flattened array."""
    return _arg_reduce(data, axis, keepdims, torch.argmax)


@op("argmin", attrs=_ARG_ATTRS)
def argmin(data, *, axis, keepdims):
    """Returns indices of the minimum values along an axis (the first of ties), in the input's
    dtype; ``axis=None`` searches the flattened array."""
    return _arg_reduce(data, axis, keepdims, torch.argmin)


@op("argmax_channel")
def argmax_channel(data):
    """Returns argmax indices along axis 1 (the channel axis), in the input's dtype."""
    return _arg_reduce(data, 1, False, torch.argmax)


# -- products ----------------------------------------------------------------------------------
_STYPE = Enum(("csr", "default", "row_sparse"), None, optional=True)


@op("dot", inputs=("lhs", "rhs"), attrs={"transpose_a": Bool(False), "transpose_b": Bool(False),
                                         "forward_stype": _STYPE})
def dot(lhs, rhs, *, transpose_a, transpose_b, forward_stype):
    """Dot product of two arrays.

    For N-D arrays the last axis of ``lhs`` is contracted with the first axis of ``rhs``
    (``transpose_a`` contracts the first axis of ``lhs`` instead, ``transpose_b`` the last axis
    of ``rhs``): shapes (a, b, k) and (k, c, d) give (a, b, c, d).
    """
    _same_dtype("dot", lhs, rhs)
    if lhs.dim() == 1 and rhs.dim() == 1:
        if transpose_a or transpose_b:
            raise MXNetError("dot: cannot transpose vectors")
        return torch.dot(lhs, rhs)
    la = 0 if transpose_a else lhs.dim() - 1
    ra = rhs.dim() - 1 if transpose_b else 0
    if lhs.shape[la] != rhs.shape[ra]:
        raise MXNetError(f"dot: shape mismatch, lhs {tuple(lhs.shape)} (transpose_a={transpose_a}) "
                         f"and rhs {tuple(rhs.shape)} (transpose_b={transpose_b}) do not share "
                         "the contracted dimension")
    return torch.tensordot(lhs, rhs, dims=([la], [ra]))


@op("batch_dot", inputs=("lhs", "rhs"), attrs={"transpose_a": Bool(False),
                                               "transpose_b": Bool(False), "forward_stype": _STYPE})
def batch_dot(lhs, rhs, *, transpose_a, transpose_b, forward_stype):
    """Batchwise dot product: (B.., M, K) x (B.., K, N) -> (B.., M, N), the two last axes of
    each operand transposed first when ``transpose_a``/``transpose_b`` is set."""
    _same_dtype("batch_dot", lhs, rhs)
    if lhs.dim() < 3 or lhs.dim() != rhs.dim() or lhs.shape[:-2] != rhs.shape[:-2]:
        raise MXNetError(f"batch_dot: operands must be arrays of the same rank >= 3 with equal "
                         f"batch dimensions, got {tuple(lhs.shape)} and {tuple(rhs.shape)}")
    a = lhs.transpose(-1, -2) if transpose_a else lhs
    b = rhs.transpose(-1, -2) if transpose_b else rhs
    if a.shape[-1] != b.shape[-2]:
        raise MXNetError(f"batch_dot: shape mismatch, {tuple(lhs.shape)} (transpose_a="
                         f"{transpose_a}) and {tuple(rhs.shape)} (transpose_b={transpose_b})")
    return torch.matmul(a, b)


# -- joining and splitting -------------------------------------------------------------------
def _uniform_dtype(name: str, arrays: Sequence[torch.Tensor]) -> None:
    for i, a in enumerate(arrays[1:], 1):
        if a.dtype != arrays[0].dtype:
            raise MXNetError(f"{name}: non-uniform data type, expected {arrays[0].dtype}, got "
                             f"{a.dtype} for input {i}")


@op("Concat", variadic="num_args", attrs={"num_args": Int(), "dim": Int(1)},
    aliases=("concat",))
def concat(*data, num_args, dim):
    """Joins input arrays along a given axis (all other dimensions must match)."""
    _uniform_dtype("Concat", data)
    try:
        return torch.cat(data, dim=dim)
    except (RuntimeError, IndexError) as err:
        raise MXNetError(f"Concat: cannot join shapes {[tuple(d.shape) for d in data]} along "
                         f"dim={dim}: {err}") from None


@op("stack", variadic="num_args", attrs={"axis": Int(0), "num_args": Int()})
def stack(*data, axis, num_args):
    """Joins a sequence of arrays of the same shape along a new axis."""
    _uniform_dtype("stack", data)
    if any(d.shape != data[0].shape for d in data):
        raise MXNetError(f"stack: all inputs must have the same shape, got "
                         f"{[tuple(d.shape) for d in data]}")
    return torch.stack(data, dim=axis)


@op("add_n", variadic="num_args", attrs={"num_args": Int()}, aliases=("ElementWiseSum",))
def add_n(*args, num_args):
    """Adds all input arguments element-wise (all of the same shape)."""
    _uniform_dtype("add_n", args)
    if any(a.shape != args[0].shape for a in args):
        raise MXNetError(f"add_n: all inputs must have the same shape, got "
                         f"{[tuple(a.shape) for a in args]}")
    out = args[0].clone()
    for a in args[1:]:
        out = out + a
    return out


@op("SliceChannel", attrs={"num_outputs": Int(), "axis": Int(1), "squeeze_axis": Bool(False)},
    aliases=("split",), num_outputs=lambda attrs: attrs["num_outputs"])
def slice_channel(data, *, num_outputs, axis, squeeze_axis):
    """Splits an array along a particular axis into ``num_outputs`` equal parts
    (``squeeze_axis`` removes the split axis, whose parts must then have size 1)."""
    size = data.shape[axis]
    if num_outputs < 1 or size % num_outputs:
        raise MXNetError(f"split: cannot split axis {axis} of shape {tuple(data.shape)} into "
                         f"num_outputs={num_outputs} evenly sized chunks")
    if squeeze_axis and size != num_outputs:
        raise MXNetError(f"split: with squeeze_axis the size of the split axis ({size}) must "
                         f"equal num_outputs ({num_outputs})")
    parts = [p.squeeze(axis) if squeeze_axis else p
             for p in torch.split(data, size // num_outputs, dim=axis)]
    return parts[0] if num_outputs == 1 else tuple(parts)


# -- slicing and indexing --------------------------------------------------------------------
def _slice_along(data: torch.Tensor, axis: int, begin, end, step) -> torch.Tensor:
    """``data[begin:end:step]`` along ``axis`` with numpy's rules (negative steps included)."""
    n = data.shape[axis]
    start, stop, step = slice(begin, end, step).indices(n)
    if step > 0:
        return data[(slice(None),) * axis + (slice(start, stop, step),)]
    # a negative step walks the reversed axis forward
    flipped = torch.flip(data, (axis,))
    return flipped[(slice(None),) * axis + (slice(n - 1 - start, n - 1 - stop, -step),)]


def _slice_spec(name: str, ndim: int, begin, end, step) -> list:
    """MXNet's begin/end/step attributes as one (begin, end, step) per leading axis."""
    begin, end, step = (tuple(v) if isinstance(v, (tuple, list)) else (v,)
                        for v in (begin, end, step))
    if len(begin) != len(end) or (step and len(step) != len(begin)) or len(begin) > ndim:
        raise MXNetError(f"{name}: begin {begin}, end {end} and step {step} must have the same "
                         f"length, at most the number of dimensions {ndim}")
    steps = [1 if not step or step[i] is None else step[i] for i in range(len(begin))]
    if 0 in steps:
        raise MXNetError(f"{name}: step cannot be 0")
    return list(zip(begin, end, steps))


_SLICE_ATTRS = {"begin": Any_(), "end": Any_(), "step": Any_(())}


@op("slice", attrs=_SLICE_ATTRS, aliases=("crop",))
def slice_(data, *, begin, end, step):
    """Slices a region of the array: ``begin``, ``end`` and ``step`` hold one entry per leading
    axis (None takes the default, numpy's rules apply, negative steps walk backwards)."""
    out = data
    for axis, (b, e, s) in enumerate(_slice_spec("slice", data.dim(), begin, end, step)):
        out = _slice_along(out, axis, b, e, s)
    return out


@op("slice_axis", attrs={"axis": Int(), "begin": Int(), "end": Int(optional=True)})
def slice_axis(data, *, axis, begin, end):
    """Slices along a given axis: ``data[..., begin:end, ...]`` (end None slices to the end)."""
    if not -data.dim() <= axis < data.dim():
        raise MXNetError(f"slice_axis: axis {axis} is out of bounds for shape {tuple(data.shape)}")
    return _slice_along(data, axis % data.dim(), begin, end, 1)


@op("slice_like", inputs=("data", "shape_like"), attrs={"axes": Shape(())})
def slice_like(data, shape_like, *, axes):
    """Slices the leading part of ``data`` to the shape of ``shape_like`` along ``axes``
    (all axes when empty)."""
    if not axes:
        if shape_like.dim() != data.dim():
            raise MXNetError(f"slice_like: shapes {tuple(data.shape)} and "
                             f"{tuple(shape_like.shape)} must have the same number of dimensions")
        axes = tuple(range(data.dim()))
    out = data
    for a in axes:
        out = out.narrow(a, 0, min(shape_like.shape[a], data.shape[a]))
    return out


def _index_tensor(index: torch.Tensor, size: int, mode: str, name: str) -> torch.Tensor:
    """Float or int indices as int64, truncated toward zero then clipped or wrapped into range."""
    idx = index.long() if not index.is_floating_point() else index.trunc().long()
    if mode == "wrap":
        return idx.remainder(size)
    if mode == "raise":
        if bool(((idx < 0) | (idx >= size)).any()):
            raise MXNetError(f"{name}: indices out of bounds for an axis of size {size}")
        return idx
    return idx.clamp(0, size - 1)


@op("take", inputs=("a", "indices"), attrs={"axis": Int(0),
                                            "mode": Enum(("clip", "raise", "wrap"), "clip")})
def take(a, indices, *, axis, mode):
    """Takes elements from an input array along the given axis:
    the output shape is ``a.shape[:axis] + indices.shape + a.shape[axis + 1:]``."""
    axis = axis % a.dim()
    idx = _index_tensor(indices, a.shape[axis], mode, "take")
    out = torch.index_select(a, axis, idx.reshape(-1))
    return out.reshape(*a.shape[:axis], *indices.shape, *a.shape[axis + 1:])


@op("batch_take", inputs=("a", "indices"))
def batch_take(a, indices):
    """Takes one element per row: ``out[i] = a[i, indices[i]]`` (indices clipped into range)."""
    idx = _index_tensor(indices, a.shape[-1], "clip", "batch_take").reshape(-1, 1)
    return torch.gather(a.reshape(idx.shape[0], -1), 1, idx).reshape(indices.shape)


@op("pick", inputs=("data", "index"), attrs={"axis": Int(-1, optional=True),
                                             "keepdims": Bool(False),
                                             "mode": Enum(("clip", "wrap"), "clip")},
    aliases=("choose_element_0index",))
def pick(data, index, *, axis, keepdims, mode):
    """Picks elements from an input array according to the indices along the given axis."""
    if axis is None:
        raise MXNetError("pick: axis=None is not supported; specify an axis")
    axis = axis % data.dim()
    idx = _index_tensor(index, data.shape[axis], mode, "pick")
    keep_shape = data.shape[:axis] + (1,) + data.shape[axis + 1:]
    out = torch.gather(data, axis, idx.reshape(keep_shape))
    return out if keepdims else out.squeeze(axis)


@op("gather_nd", inputs=("data", "indices"))
def gather_nd(data, indices):
    """Gathers elements or slices from ``data`` into an array of shape
    ``indices.shape[1:] + data.shape[indices.shape[0]:]``."""
    idx = indices.long()
    return data[tuple(idx[i] for i in range(idx.shape[0]))]


@op("scatter_nd", inputs=("data", "indices"), attrs={"shape": Shape()})
def scatter_nd(data, indices, *, shape):
    """Scatters ``data`` into a new zero array of ``shape`` at the positions ``indices``
    (the inverse of gather_nd)."""
    idx = indices.long()
    out = torch.zeros(shape, dtype=data.dtype, device=data.device)
    return out.index_put(tuple(idx[i] for i in range(idx.shape[0])), data)


@op("one_hot", inputs=("indices",), attrs={"depth": Int(), "on_value": Float(1.0),
                                           "off_value": Float(0.0), "dtype": DType("float32")})
def one_hot(indices, *, depth, on_value, off_value, dtype):
    """Returns a one-hot array: ``out[..., i] = on_value`` where ``i == indices[...]``,
    ``off_value`` elsewhere (indices out of [0, depth) select nothing)."""
    idx = indices.trunc().long() if indices.is_floating_point() else indices.long()
    hot = (idx.unsqueeze(-1) == torch.arange(depth, device=idx.device))
    on = torch.tensor(on_value, dtype=torch.float64, device=idx.device)
    off = torch.tensor(off_value, dtype=torch.float64, device=idx.device)
    return torch.where(hot, on, off).to(to_torch_dtype(dtype))


@op("where", inputs=("condition", "x", "y"))
def where(condition, x, y):
    """Returns elements from ``x`` where ``condition`` is non-zero, from ``y`` elsewhere.
    ``condition`` has the shape of ``x``, or is 1-D and selects along the first axis."""
    _same_dtype("where", x, y)
    if x.shape != y.shape:
        raise MXNetError(f"where: x and y must have the same shape, got {tuple(x.shape)} and "
                         f"{tuple(y.shape)}")
    mask = condition != 0
    if condition.shape != x.shape:
        if condition.dim() != 1 or condition.shape[0] != x.shape[0]:
            raise MXNetError(f"where: condition of shape {tuple(condition.shape)} must have the "
                             f"shape of x {tuple(x.shape)} or be 1-D of length {x.shape[0]}")
        mask = mask.reshape(-1, *(1,) * (x.dim() - 1))
    return torch.where(mask, x, y)


# -- sorting ---------------------------------------------------------------------------------
def _sorted(data: torch.Tensor, axis, is_ascend: bool) -> tuple:
    """(values, indices, axis, array) sorted stably along ``axis`` (of the flattened array when None)."""
    if axis is None:
        data, axis = data.reshape(-1), 0
    values, idx = torch.sort(data, dim=axis, descending=not is_ascend, stable=True)
    return values, idx, axis % data.dim(), data


_SORT_DTYPES = ("float16", "float32", "float64", "int32", "int64", "uint8")


def dtype_in(name: str, dtype: str, allowed: Sequence[str]) -> torch.dtype:
    """The torch dtype of a parsed ``DType`` attribute the operator accepts (MXNet's dtype
    attributes are enumerations; ``DType`` also parses numpy types such as ``np.int32``)."""
    if dtype not in allowed:
        raise MXNetError(f"{name}: dtype {dtype!r} is not supported; expected one of "
                         f"{list(allowed)}")
    return to_torch_dtype(dtype)


@op("topk", attrs={"axis": Int(-1, optional=True), "k": Int(1),
                   "ret_typ": Enum(("both", "indices", "mask", "value"), "indices"),
                   "is_ascend": Bool(False), "dtype": DType("float32")},
    num_outputs=lambda attrs: 2 if attrs["ret_typ"] == "both" else 1,
    # MXNet numbers the outputs when it keeps hidden indices too ("value": topk0_output0)
    output_names=lambda attrs: ("output",) if attrs["ret_typ"] in ("indices", "mask")
    else ("output0", "output1")[:2 if attrs["ret_typ"] == "both" else 1])
def topk(data, *, axis, k, ret_typ, is_ascend, dtype):
    """Returns the top ``k`` elements along an axis (largest first unless ``is_ascend``; all,
    sorted, when k < 1): their values, their indices (as ``dtype``), both, or a 0/1 mask."""
    values, idx, axis, flat = _sorted(data, axis, is_ascend)
    if k >= 1:
        if k > flat.shape[axis]:
            raise MXNetError(f"topk: k={k} exceeds the size {flat.shape[axis]} of the axis")
        values, idx = values.narrow(axis, 0, k), idx.narrow(axis, 0, k)
    if ret_typ == "value":
        return values
    if ret_typ == "mask":
        return torch.zeros_like(flat).scatter(axis, idx, 1).reshape(data.shape)
    indices = idx.to(dtype_in("topk", dtype, _SORT_DTYPES))
    return (values, indices) if ret_typ == "both" else indices


@op("sort", attrs={"axis": Int(-1, optional=True), "is_ascend": Bool(True)},
    output_names=lambda attrs: ("output0",))  # MXNet's sort keeps its indices as hidden output1
def sort(data, *, axis, is_ascend):
    """Returns a sorted copy of the input along an axis (the flattened array when None)."""
    return _sorted(data, axis, is_ascend)[0]


@op("argsort", attrs={"axis": Int(-1, optional=True), "is_ascend": Bool(True),
                      "dtype": DType("float32")})
def argsort(data, *, axis, is_ascend, dtype):
    """Returns the indices that would sort the input along an axis (ties keep their order),
    as ``dtype``."""
    return _sorted(data, axis, is_ascend)[1].to(dtype_in("argsort", dtype, _SORT_DTYPES))



def _histogram_edges(data: torch.Tensor, bin_cnt: int, value_range: Optional[tuple]) -> torch.Tensor:
    if value_range is None or len(value_range) != 2:
        raise MXNetError("_histogram: bin_cnt and range must be given together (range as (lower, "
                         f"upper)), got bin_cnt={bin_cnt}, range={value_range}")
    low, high = value_range
    if low > high:
        raise MXNetError(f"_histogram: the lower end of range ({low}) must not exceed the upper end "
                         f"({high})")
    steps = torch.arange(bin_cnt + 1, dtype=torch.float64, device=data.device)
    return (low + steps * ((high - low) / bin_cnt)).to(data.dtype)


@op("_histogram", inputs=("data", "bins"),
    attrs={"bin_cnt": Int(None, optional=True), "range": Floats(None, optional=True)},
    active_inputs=lambda attrs: ("data",) if attrs["bin_cnt"] is not None else ("data", "bins"),
    num_outputs=2)
def histogram(data, bins=None, *, bin_cnt, range):  # noqa: A002 - MXNet's attribute name
    """Computes the histogram of the flattened input: the count of values in each bin (int64) and
    the bin edges. The bins are ``bin_cnt`` equal-width bins over ``range``, or the given ``bins``
    edges (increasing, the rightmost included). Values outside the edges are ignored."""
    edges = bins if bin_cnt is None else _histogram_edges(data, bin_cnt, range)
    if edges.dim() != 1 or edges.numel() < 2:
        raise MXNetError(f"_histogram: bins must be a 1-D array of at least 2 edges, got shape "
                         f"{tuple(edges.shape)}")
    n_bins = edges.numel() - 1
    values = data.reshape(-1).to(edges.dtype)
    inside = (values >= edges[0]) & (values <= edges[-1])  # NaN is never inside
    values = values[inside]
    # bin i holds edges[i] <= v < edges[i + 1]; the last bin also holds its right edge
    index = (torch.searchsorted(edges, values, right=True) - 1).clamp_(max=n_bins - 1)
    return torch.bincount(index, minlength=n_bins), edges


@histogram.shape
def _(attrs, data, bins=None):
    if attrs["bin_cnt"] is not None:
        return [data], [(attrs["bin_cnt"],), (attrs["bin_cnt"] + 1,)]
    n_edges = None if bins is None else bins[0]
    return [data, bins], [None if n_edges is None else (n_edges - 1,), bins]

# -- shape manipulation ----------------------------------------------------------------------
@op("expand_dims", attrs={"axis": Int()})
def expand_dims(data, *, axis):
    """Inserts a new axis of size 1 at position ``axis`` (in [-ndim-1, ndim])."""
    if not -data.dim() - 1 <= axis <= data.dim():
        raise MXNetError(f"expand_dims: axis {axis} is out of range for an array of "
                         f"dimension {data.dim()}")
    return data.unsqueeze(axis)


@op("squeeze", attrs={"axis": Shape(None, optional=True)})
def squeeze(data, *, axis):
    """Removes axes of size 1 (the given ones, or all); a result with no axes has shape (1,)."""
    if axis is None:
        axes = tuple(d for d, n in enumerate(data.shape) if n == 1)
    else:
        axes = tuple(a % data.dim() for a in axis)
        for a in axes:
            if data.shape[a] != 1:
                raise MXNetError(f"squeeze: cannot squeeze axis {a} of shape {tuple(data.shape)}, "
                                 "its size is not 1")
    out = data.squeeze(axes) if axes else data
    return out.reshape(1) if out.dim() == 0 else out


@op("tile", attrs={"reps": Shape()})
def tile(data, *, reps):
    """Repeats the whole array ``reps`` times along each axis (leading 1s pad the shorter one)."""
    return torch.tile(data, reps)


@op("repeat", attrs={"repeats": Int(), "axis": Int(None, optional=True)})
def repeat(data, *, repeats, axis):
    """Repeats each element ``repeats`` times along ``axis`` (of the flattened array when None)."""
    if axis is None:
        return torch.repeat_interleave(data.reshape(-1), repeats)
    return torch.repeat_interleave(data, repeats, dim=axis)


@op("reverse", attrs={"axis": Shape()}, aliases=("flip",))
def reverse(data, *, axis):
    """Reverses the order of elements along the given axes."""
    return torch.flip(data, axis)


@op("transpose", attrs={"axes": Shape(())})
def transpose(data, *, axes):
    """Permutes the dimensions of an array (reverses them when ``axes`` is empty)."""
    axes = axes or tuple(reversed(range(data.dim())))
    if sorted(a % data.dim() for a in axes) != list(range(data.dim())):
        raise MXNetError(f"transpose: axes {axes} is not a permutation of the {data.dim()} axes")
    return data.permute(*axes)


@op("SwapAxis", attrs={"dim1": Int(0), "dim2": Int(0)}, aliases=("swapaxes",))
def swap_axis(data, *, dim1, dim2):
    """Interchanges two axes of an array."""
    return data.transpose(dim1, dim2)


@op("diag", attrs={"k": Int(0), "axis1": Int(0), "axis2": Int(1)})
def diag(data, *, k, axis1, axis2):
    """Of a 1-D array: a 2-D array with it on diagonal ``k``; of an N-D array: diagonal ``k`` of
    the planes spanned by ``axis1`` and ``axis2``, as the last axis."""
    if data.dim() == 1:
        return torch.diag(data, k)
    return torch.diagonal(data, offset=k, dim1=axis1, dim2=axis2)


@op("reshape_like", inputs=("lhs", "rhs"),
    attrs={"lhs_begin": Int(None, optional=True), "lhs_end": Int(None, optional=True),
           "rhs_begin": Int(None, optional=True), "rhs_end": Int(None, optional=True)})
def reshape_like(lhs, rhs, *, lhs_begin, lhs_end, rhs_begin, rhs_end):
    """Reshapes ``lhs`` to the shape of ``rhs``, or replaces ``lhs.shape[lhs_begin:lhs_end]``
    with ``rhs.shape[rhs_begin:rhs_end]``."""
    lb, le = slice(lhs_begin, lhs_end).indices(lhs.dim())[:2]
    rb, re_ = slice(rhs_begin, rhs_end).indices(rhs.dim())[:2]
    shape = (*lhs.shape[:lb], *rhs.shape[rb:re_], *lhs.shape[le:])
    if math.prod(shape) != lhs.numel():
        raise MXNetError(f"reshape_like: cannot reshape {tuple(lhs.shape)} into {shape}")
    return lhs.reshape(shape)


@op("space_to_depth", attrs={"block_size": Int()})
def space_to_depth(data, *, block_size):
    """Rearranges blocks of spatial data into depth: (N, C, H, W) -> (N, C*b*b, H/b, W/b),
    the block offset being the outer part of the new channel index."""
    n, c, h, w = data.shape
    b = block_size
    if h % b or w % b:
        raise MXNetError(f"space_to_depth: height {h} and width {w} must be multiples of "
                         f"block_size {b}")
    x = data.reshape(n, c, h // b, b, w // b, b).permute(0, 3, 5, 1, 2, 4)
    return x.reshape(n, c * b * b, h // b, w // b)


@op("depth_to_space", attrs={"block_size": Int()})
def depth_to_space(data, *, block_size):
    """Rearranges depth into blocks of spatial data: (N, C, H, W) -> (N, C/(b*b), H*b, W*b)."""
    n, c, h, w = data.shape
    b = block_size
    if c % (b * b):
        raise MXNetError(f"depth_to_space: channels {c} must be a multiple of block_size^2 "
                         f"{b * b}")
    x = data.reshape(n, b, b, c // (b * b), h, w).permute(0, 3, 4, 1, 5, 2)
    return x.reshape(n, c // (b * b), h * b, w * b)


def _broadcast(name: str, data: torch.Tensor, shape: Sequence[int]) -> torch.Tensor:
    if len(shape) != data.dim() or any(d != 1 and d != s for d, s in zip(data.shape, shape)):
        raise MXNetError(f"{name}: cannot broadcast shape {tuple(data.shape)} to {tuple(shape)}")
    return data.expand(*shape)


@op("broadcast_to", attrs={"shape": Shape(())})
def broadcast_to(data, *, shape):
    """Broadcasts the input to a new shape (0 keeps the input's dimension)."""
    target = [d if s == 0 else s for d, s in zip(data.shape, shape)] + list(shape[data.dim():])
    return _broadcast("broadcast_to", data, target)


@op("broadcast_axis", attrs={"axis": Shape(()), "size": Shape(())}, aliases=("broadcast_axes",))
def broadcast_axis(data, *, axis, size):
    """Broadcasts the input along the given axes (of size 1) to the given sizes."""
    if len(axis) != len(size):
        raise MXNetError(f"broadcast_axis: axis {axis} and size {size} must have the same length")
    target = list(data.shape)
    for a, s in zip(axis, size):
        target[a] = s
    return _broadcast("broadcast_axis", data, target)


@op("broadcast_like", inputs=("lhs", "rhs"),
    attrs={"lhs_axes": Shape(None, optional=True), "rhs_axes": Shape(None, optional=True)})
def broadcast_like(lhs, rhs, *, lhs_axes, rhs_axes):
    """Broadcasts ``lhs`` to the shape of ``rhs`` (or only ``lhs_axes`` to the sizes of
    ``rhs_axes``)."""
    if lhs_axes is None and rhs_axes is None:
        return _broadcast("broadcast_like", lhs, rhs.shape)
    if lhs_axes is None or rhs_axes is None or len(lhs_axes) != len(rhs_axes):
        raise MXNetError(f"broadcast_like: lhs_axes {lhs_axes} and rhs_axes {rhs_axes} must be "
                         "given together with the same length")
    target = list(lhs.shape)
    for la, ra in zip(lhs_axes, rhs_axes):
        target[la] = rhs.shape[ra]
    return _broadcast("broadcast_like", lhs, target)


# -- creation (what sym.zeros, sym.ones, sym.full, sym.arange and sym.eye build on) ---------------
_CONTEXT = re.compile(r"^(cpu|gpu|cpu_pinned|cpu_shared)\((\d+)\)$")
_CREATION_DTYPES = ("bfloat16", "bool", "float16", "float32", "float64", "int32", "int64", "int8",
                    "uint8")


def device_of(ctx: str) -> torch.device:
    """The torch device of a context attribute as MXNet writes it ('cpu(0)', 'gpu(1)'; '' for the
    current context)."""
    if not ctx:
        return current_context().torch_device
    match = _CONTEXT.match(ctx.replace(" ", ""))
    if match is None:
        raise MXNetError(f"invalid context {ctx!r}; expected a form like 'cpu(0)' or 'gpu(0)'")
    return Context(match.group(1), int(match.group(2))).torch_device


def _creation(name: str, fill: Callable, extra: dict) -> None:
    def create(*, shape, ctx, dtype, **values):
        return fill(tuple(shape), device_of(ctx), dtype_in(name, dtype, _CREATION_DTYPES), **values)

    create.__doc__ = f"Returns a new array of the given shape and type, {fill.__doc__}."
    entry = op(name, inputs=(), attrs={"shape": Shape(()), "ctx": Str(""),
                                       "dtype": DType("float32"), **extra})(create)
    entry.shape(lambda attrs: ([], [tuple(attrs["shape"])]))


def _zeros_fill(shape, device, dtype):
    """filled with zeros"""
    return torch.zeros(shape, device=device, dtype=dtype)


def _ones_fill(shape, device, dtype):
    """filled with ones"""
    return torch.ones(shape, device=device, dtype=dtype)


def _value_fill(shape, device, dtype, value):
    """filled with ``value`` (cast to the dtype first: 2.7 fills an int32 array with 2)"""
    return torch.full(shape, _cast_scalar(value, dtype), device=device, dtype=dtype)


def _cast_scalar(value: float, dtype: torch.dtype):
    if dtype == torch.bool:
        return bool(value)
    return value if dtype.is_floating_point else int(value)


_creation("_zeros", _zeros_fill, {})
_creation("_ones", _ones_fill, {})
_creation("_full", _value_fill, {"value": Float()})


def _arange_size(start: float, stop, step: float, repeat: int) -> int:
    if stop is None:
        start, stop = 0.0, start
    if step == 0:
        raise MXNetError("_arange: step cannot be 0")
    return max(0, math.ceil((stop - start) / step)) * repeat


@op("_arange", inputs=(), attrs={"start": Float(), "stop": Float(None, optional=True),
                                 "step": Float(1.0), "repeat": Int(1), "infer_range": Bool(False),
                                 "ctx": Str(""), "dtype": DType("float32")})
def arange(*, start, stop, step, repeat, infer_range, ctx, dtype):
    """Returns evenly spaced values within [start, stop) (within [0, start) when stop is None),
    each repeated ``repeat`` times."""
    if infer_range:
        raise MXNetError("_arange: infer_range=True is not supported; give stop")
    out_dtype = dtype_in("_arange", dtype, _CREATION_DTYPES)
    count = _arange_size(start, stop, step, 1)
    if stop is None:
        start = 0.0
    # MXNet computes start + i * step in the output dtype (int32: int(start) + i * int(step))
    steps = torch.arange(count, device=device_of(ctx)).to(out_dtype)
    values = steps * _cast_scalar(step, out_dtype) + _cast_scalar(start, out_dtype)
    return torch.repeat_interleave(values, repeat) if repeat != 1 else values


arange.shape(lambda attrs: ([], [(_arange_size(attrs["start"], attrs["stop"], attrs["step"],
                                               attrs["repeat"]),)]))


@op("_eye", inputs=(), attrs={"N": Int(), "M": Int(0), "k": Int(0), "ctx": Str(""),
                              "dtype": DType("float32")})
def eye(*, N, M, k, ctx, dtype):  # noqa: N803 - MXNet's attribute names
    """Returns a 2-D array (N x M, M = N when 0) with ones on diagonal ``k`` and zeros elsewhere."""
    out = torch.zeros(N, M or N, device=device_of(ctx),
                      dtype=dtype_in("_eye", dtype, _CREATION_DTYPES))
    torch.diagonal(out, offset=k).fill_(1)
    return out


eye.shape(lambda attrs: ([], [(attrs["N"], attrs["M"] or attrs["N"])]))


# -- further tensor operators ------------------------------------------------------------------
def _split_v2_outputs(attrs: dict) -> int:
    return attrs["sections"] if attrs["sections"] > 0 else len(attrs["indices"])


@op("_split_v2", attrs={"indices": Shape(), "axis": Int(1), "squeeze_axis": Bool(False),
                        "sections": Int(0)}, num_outputs=_split_v2_outputs)
def split_v2(data, *, indices, axis, squeeze_axis, sections):
    """Splits an array along ``axis`` into ``sections`` equal parts, or at ``indices`` (whose
    first entry is 0): part i runs from indices[i] to indices[i + 1]."""
    size = data.shape[axis]
    if sections > 0:
        if size % sections:
            raise MXNetError(f"split_v2: axis {axis} of size {size} cannot be split into "
                             f"{sections} equal sections")
        bounds = list(range(0, size, size // sections))
    else:
        bounds = list(indices)
    parts = [data.narrow(axis, b, e - b) for b, e in zip(bounds, bounds[1:] + [size])]
    if squeeze_axis:
        parts = [p.squeeze(axis) for p in parts]
    return parts[0] if len(parts) == 1 else tuple(parts)


@op("khatri_rao", variadic="num_args", attrs={"num_args": Int()})
def khatri_rao(*args, num_args):
    """Computes the Khatri-Rao product (column-wise Kronecker product) of the input matrices,
    each (n_i, k): the result is (prod n_i, k)."""
    out = args[0]
    for m in args[1:]:
        if m.dim() != 2 or m.shape[1] != out.shape[1]:
            raise MXNetError(f"khatri_rao: inputs must be matrices with the same number of "
                             f"columns, got {[tuple(a.shape) for a in args]}")
        out = (out.unsqueeze(1) * m.unsqueeze(0)).reshape(-1, out.shape[1])
    return out


@op("_ravel_multi_index", attrs={"shape": Shape(None, optional=True)},
    aliases=("ravel_multi_index",))
def ravel_multi_index(data, *, shape):
    """Converts a batch of index arrays (ndim, N) into flat indices (N,) of an array of ``shape``."""
    strides = torch.tensor([math.prod(shape[i + 1:]) for i in range(len(shape))],
                           dtype=torch.float64, device=data.device)
    return (data.double() * strides.reshape(-1, *(1,) * (data.dim() - 1))).sum(0).to(data.dtype)


@op("_unravel_index", attrs={"shape": Shape(None, optional=True)}, aliases=("unravel_index",))
def unravel_index(data, *, shape):
    """Converts flat indices (N,) into a batch of index arrays (ndim, N) for ``shape``."""
    flat = data.long()
    coords = []
    for size in reversed(shape):
        coords.append(flat.remainder(size))
        flat = torch.div(flat, size, rounding_mode="floor")
    return torch.stack(coords[::-1]).to(data.dtype)


def _slice_index(name: str, shape: Sequence[int], begin, end, step, device) -> tuple:
    """Index tensors (an open mesh) of the region ``slice`` selects, negative steps included."""
    spec = _slice_spec(name, len(shape), begin, end, step)
    ranges = [range(*slice(*spec[axis]).indices(n)) if axis < len(spec) else range(n)
              for axis, n in enumerate(shape)]
    return torch.meshgrid(*[torch.tensor(r, dtype=torch.long, device=device) for r in ranges],
                          indexing="ij")


@op("_slice_assign", inputs=("lhs", "rhs"), attrs=_SLICE_ATTRS, aliases=("_crop_assign",))
def slice_assign(lhs, rhs, *, begin, end, step):
    """Returns a copy of ``lhs`` whose region ``slice(begin, end, step)`` holds ``rhs``."""
    return lhs.index_put(_slice_index("_slice_assign", lhs.shape, begin, end, step, lhs.device),
                         rhs)


@op("_slice_assign_scalar", attrs={"scalar": Float(0.0), **_SLICE_ATTRS},
    aliases=("_crop_assign_scalar",))
def slice_assign_scalar(data, *, scalar, begin, end, step):
    """Returns a copy of ``data`` whose region ``slice(begin, end, step)`` holds ``scalar``."""
    value = torch.tensor(_cast_scalar(scalar, data.dtype), dtype=data.dtype, device=data.device)
    index = _slice_index("_slice_assign_scalar", data.shape, begin, end, step, data.device)
    return data.index_put(index, value)


_AMP_DTYPES = ("bfloat16", "float16", "float32", "float64", "int32", "int64", "int8", "uint8")


@op("amp_cast", attrs={"dtype": DType()})
def amp_cast(data, *, dtype):
    """Casts between low-precision floats and float32 for automatic mixed precision; arrays that
    are not floating point pass unchanged."""
    if not data.is_floating_point():
        return data.clone()
    return data.to(dtype_in("amp_cast", dtype, _AMP_DTYPES))


@op("amp_multicast", variadic="num_outputs", attrs={"num_outputs": Int(), "cast_narrow": Bool(False)},
    num_outputs=lambda attrs: attrs["num_outputs"])
def amp_multicast(*data, num_outputs, cast_narrow):
    """Casts all floating-point inputs to their widest float type (the narrowest with
    ``cast_narrow``) for automatic mixed precision."""
    floats = [d.dtype for d in data if d.is_floating_point()]
    if not floats:
        return tuple(d.clone() for d in data)
    pick = min if cast_narrow else max
    target = pick(floats, key=lambda t: torch.finfo(t).bits)
    return tuple(d.to(target) if d.is_floating_point() else d.clone() for d in data)


@op("cast_storage", attrs={"stype": Enum(("csr", "default", "row_sparse"))})
def cast_storage(data, *, stype):
    """Casts the storage type of an array; mxtorch arrays are dense, so only 'default' exists."""
    if stype != "default":
        raise MXNetError(f"cast_storage: storage type {stype!r} is not supported; mxtorch arrays "
                         "are dense ('default')")
    return data.clone()
