"""Calling an operator-table entry on NDArrays: the whole of ``nd.X``."""
from __future__ import annotations

from typing import Any, Callable

import torch

from .. import autograd, profiler
from ..base import MXNetError
from ..ops.registry import OpDef, get_op
from .ndarray import NDArray, owned

_state = autograd._state
_profiling = profiler._state  # .imperative: whether mx.profiler records imperative operators


def _unwrap(entry: OpDef, name: str, value: Any) -> torch.Tensor:
    """The tensor of input ``name``, which must be an NDArray."""
    if isinstance(value, NDArray):
        return value._t
    raise MXNetError(f"{entry.name}: input '{name}' must be an NDArray, got {type(value).__name__}")


def _input_ctx(args: tuple, kwargs: dict) -> Any:
    """The context outputs inherit: that of the first NDArray input (cpu(1) stays cpu(1))."""
    for value in args:
        if isinstance(value, NDArray):
            return value._ctx
        if isinstance(value, (list, tuple)):
            for v in value:
                if isinstance(v, NDArray):
                    return v._ctx
    for value in kwargs.values():
        if isinstance(value, NDArray):
            return value._ctx
    return None


def _note_non_differentiable(outputs: list, tensors: list) -> None:
    """Outputs that autograd recorded but torch cannot differentiate (argmax, topk's indices,
    comparisons) remember the inputs they came from: MXNet accepts them as heads of ``backward``
    and gives them a zero gradient, which reaches the variables through those inputs."""
    sources = tuple(t for t in tensors if t.requires_grad)
    if not sources:
        return
    for o in outputs:
        if not o._t.requires_grad:
            o._graph_inputs = sources


def _remember(entry: OpDef, inputs: Any, raw_attrs: dict, attrs: dict, outputs: list) -> None:
    """Note on each recorded output the operator call that made it, for ``autograd.get_symbol``
    (only while recording: the arrays of a training step are kept alive by autograd anyway)."""
    arrays = list(inputs) if entry.variadic is not None else \
        [inputs[n] for n in entry.input_names(attrs)]
    record = (entry, raw_attrs, arrays)
    for index, output in enumerate(outputs):
        output._history = (record, index)


def _run(entry: OpDef, tensors: list, attrs: dict) -> Any:
    """The torch implementation on ``tensors``, with torch's gradient tracking on only while
    autograd records (MXNet builds no graph outside ``autograd.record()``).

    Train-aware operators go through ``OpDef.__call__``, which hands them ``is_train``; the others
    are called directly, sparing a frame that costs a tenth of a small operator's time."""
    if entry.train_aware:
        run, attrs = entry, {**attrs, "is_train": _state.training}
    else:
        run = entry.impl
    if _state.recording or not torch.is_grad_enabled():
        return run(*tensors, **attrs)
    # torch.no_grad() as a context manager costs more than many operators themselves
    torch._C._set_grad_enabled(False)
    try:
        return run(*tensors, **attrs)
    finally:
        torch._C._set_grad_enabled(True)


def _run_profiled(entry: OpDef, tensors: list, attrs: dict) -> Any:
    """``_run`` inside a profiler range named after the MXNet operator."""
    with torch.profiler.record_function(entry.name):
        return _run(entry, tensors, attrs)


def _input_tensors(entry: OpDef, inputs: Any, attrs: dict) -> list:
    """The torch tensors of the active inputs, in declaration order."""
    if entry.variadic is not None:
        return [_unwrap(entry, f"arg{i}", v) for i, v in enumerate(inputs)]
    active = entry.input_names(attrs)
    missing = [n for n in active if inputs.get(n) is None]
    if missing:
        raise MXNetError(f"{entry.name}: missing input(s) {missing}; expected inputs {active}")
    return [_unwrap(entry, n, inputs[n]) for n in active]


def _out_tensors(out: Any) -> Any:
    """The tensor(s) of an ``out=`` argument, for the operators that read it (``reads_out``)."""
    if isinstance(out, (list, tuple)):
        return [o._t for o in out]
    return None if out is None else out._t


def invoke(entry: OpDef, args: tuple, kwargs: dict) -> Any:
    """Run ``entry`` on NDArrays ``args``/``kwargs``; returns an NDArray or a list of them."""
    out = None
    if kwargs:
        out = kwargs.pop("out", None)
        kwargs.pop("name", None)
    ctx = _input_ctx(args, kwargs)
    inputs, raw_attrs = entry.bind(args, kwargs)
    attrs = entry.parse_attrs(raw_attrs)
    tensors = _input_tensors(entry, inputs, attrs)
    if entry.reads_out:
        attrs = {**attrs, "out": _out_tensors(out)}
    try:
        if _profiling.imperative:
            result = _run_profiled(entry, tensors, attrs)
        else:
            result = _run(entry, tensors, attrs)
    except MXNetError:
        raise
    except (RuntimeError, IndexError) as err:
        raise entry.failure(err, tensors, attrs) from err
    fresh = entry.fresh_outputs
    if isinstance(result, (tuple, list)):
        wrapped = [NDArray(owned(r, tensors, fresh), ctx) for r in result]
        if _state.recording:
            _note_non_differentiable(wrapped, tensors)
            _remember(entry, inputs, raw_attrs, attrs, wrapped)
        if out is not None:
            for o, w in zip(out if isinstance(out, (list, tuple)) else [out], wrapped):
                o[:] = w
            return out
        return wrapped
    result = NDArray(owned(result, tensors, fresh), ctx)
    if _state.recording:
        _note_non_differentiable([result], tensors)
        _remember(entry, inputs, raw_attrs, attrs, [result])
    if out is not None:
        out[:] = result
        return out
    return result


def call(name: str, args: tuple, kwargs: dict) -> Any:
    """Run the operator registered as ``name`` (see ``invoke``)."""
    return invoke(get_op(name), args, kwargs)


def make_function(entry: OpDef, public_name: str) -> Callable:
    """The ``nd.<public_name>`` function of an operator entry."""

    def fn(*args: Any, **kwargs: Any) -> Any:
        return invoke(entry, args, kwargs)

    fn.__name__ = public_name
    fn.__qualname__ = public_name
    fn.__doc__ = entry.docstring("NDArray")
    fn.__signature__ = entry.signature("NDArray")
    return fn
