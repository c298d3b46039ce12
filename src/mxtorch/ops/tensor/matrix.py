"""Shape and layout operators (MXNet's ``matrix_op``): reshape with its special codes,
transposes, squeezes, tiling, slicing and slice assignment, depth/space rearrangement."""
from __future__ import annotations

import math
from typing import Sequence

import torch

from ...base import MXNetError
from ..registry import Any_, Bool, Float, Int, Shape, op
from ._common import _cast_scalar


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
    aliases=("reshape",), plot_color="shape")
def reshape(data, *, shape, reverse, target_shape, keep_highest):
    """Reshapes the input array, supporting MXNet's special values 0, -1, -2, -3, -4."""
    return data.reshape(infer_reshape(tuple(data.shape), shape, reverse))


@reshape.shape_from_outputs
def _reshape_input_from_output(attrs: dict, ins: list, outs: list) -> list:
    """An input with one unknown dimension takes the size the known output leaves for it."""
    data, out = ins[0], outs[0]
    if data is None or not out or 0 in out or list(data).count(0) != 1:
        return ins
    rest = math.prod(d for d in data if d)
    total = math.prod(out)
    if rest == 0 or total % rest:
        raise MXNetError(f"reshape: an input of shape {tuple(data)} cannot give the output shape "
                         f"{tuple(out)}")
    return [tuple(total // rest if d == 0 else d for d in data)] + ins[1:]


@op("shape_array")
def shape_array(data):
    """Returns a 1-D int64 array holding the shape of the input."""
    return torch.tensor(tuple(data.shape), dtype=torch.int64, device=data.device)


@op("size_array")
def size_array(data):
    """Returns a 1-D int64 array holding the number of elements of the input."""
    return torch.tensor([data.numel()], dtype=torch.int64, device=data.device)


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


@op("slice_like", inputs=("data", "shape_like"), attrs={"axes": Shape(())},
    untied_inputs=("shape_like",))
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
           "rhs_begin": Int(None, optional=True), "rhs_end": Int(None, optional=True)},
    untied_inputs=("rhs",))
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
