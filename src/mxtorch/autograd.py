"""Autograd: record computation on NDArrays and compute gradients, with torch's engine underneath.

As in MXNet, operations build a graph only inside ``autograd.record()``; outside it they run with
torch's gradient tracking off. ``is_training`` (what Dropout and BatchNorm consult) is a separate
flag that ``record()`` turns on by default.
"""
from __future__ import annotations

import threading
from typing import Any, Optional

import torch

from .base import MXNetError

__all__ = ["record", "pause", "train_mode", "predict_mode", "is_recording", "is_training",
           "set_recording", "set_training", "mark_variables", "backward", "grad", "Function"]


class _State(threading.local):
    def __init__(self) -> None:
        self.recording = False
        self.training = False


_state = _State()


def is_recording() -> bool:
    """Get status on recording/not recording."""
    return _state.recording


def is_training() -> bool:
    """Get status on training/predicting."""
    return _state.training


def set_recording(is_recording: bool) -> bool:  # noqa: A002 - MXNet's name
    """Set status to recording/not recording. Returns the previous status."""
    prev = _state.recording
    _state.recording = bool(is_recording)
    torch.set_grad_enabled(_state.recording)
    return prev


def set_training(train_mode: bool) -> bool:
    """Set status to training/predicting. Returns the previous status."""
    prev = _state.training
    _state.training = bool(train_mode)
    return prev


class _RecordingStateScope:
    """Scope that sets recording and/or training and restores both (and torch's grad mode) on exit."""

    def __init__(self, is_record: Optional[bool], train_mode: Optional[bool]):
        self._enter_record = is_record
        self._enter_train = train_mode
        self._prev: tuple = ()

    def __enter__(self) -> None:
        self._prev = (_state.recording, _state.training, torch.is_grad_enabled())
        if self._enter_record is not None:
            _state.recording = self._enter_record
            torch.set_grad_enabled(self._enter_record)
        if self._enter_train is not None:
            _state.training = self._enter_train

    def __exit__(self, *exc: object) -> None:
        _state.recording, _state.training, grad_enabled = self._prev
        torch.set_grad_enabled(grad_enabled)


def record(train_mode: bool = True) -> _RecordingStateScope:
    """Returns an autograd recording scope context to be used in 'with' statement
    and captures code that needs gradients to be calculated.

    Parameters
    ----------
    train_mode: bool, default True
        Whether the forward pass is in training or predicting mode.

    Example::

        with autograd.record():
            y = model(x)
            backward([y])
    """
    return _RecordingStateScope(True, train_mode)


def pause(train_mode: bool = False) -> _RecordingStateScope:
    """Returns a scope context for code that does not need gradients to be calculated."""
    return _RecordingStateScope(False, train_mode)


def train_mode() -> _RecordingStateScope:
    """Returns a scope in which forward passes run in training mode (recording unchanged)."""
    return _RecordingStateScope(None, True)


def predict_mode() -> _RecordingStateScope:
    """Returns a scope in which forward passes run in predicting mode (recording unchanged)."""
    return _RecordingStateScope(None, False)


def mark_variables(variables: Any, gradients: Any, grad_reqs: Any = "write") -> None:
    """Mark NDArrays as variables to compute gradient for autograd.

    Parameters
    ----------
    variables: NDArray or list of NDArray
    gradients: NDArray or list of NDArray
        The buffers the gradients are written (or added) to.
    grad_reqs: str or list of str
        'write', 'add' or 'null'.
    """
    from .ndarray.ndarray import NDArray

    if isinstance(variables, NDArray):
        variables, gradients = [variables], [gradients]
    if isinstance(grad_reqs, str):
        grad_reqs = [grad_reqs] * len(variables)
    for var, gbuf, req in zip(variables, gradients, grad_reqs):
        var._mark_variable(gbuf, req)


def _heads_and_grads(heads: Any, head_grads: Any) -> tuple:
    from .ndarray.ndarray import NDArray

    if isinstance(heads, NDArray):
        heads = [heads]
        head_grads = [head_grads] if head_grads is not None else None
    tensors = [h._t for h in heads]
    for h, t in zip(heads, tensors):
        if not t.requires_grad:
            raise MXNetError(
                "cannot differentiate with respect to an array that was not computed inside "
                "autograd.record() from a variable with attach_grad() "
                f"(head of shape {tuple(t.shape)})")
    if head_grads is None:
        grads = [torch.ones_like(t) for t in tensors]
    else:
        grads = [torch.ones_like(t) if g is None else g._t for t, g in zip(tensors, head_grads)]
    return tensors, grads


def backward(heads: Any, head_grads: Any = None, retain_graph: bool = False,
             train_mode: bool = True) -> None:
    """Compute the gradients of heads w.r.t previously marked variables.

    Parameters
    ----------
    heads: NDArray or list of NDArray
        Output NDArray(s)
    head_grads: NDArray or list of NDArray or None
        Gradients with respect to heads (ones when None).
    retain_graph: bool
        Keep the graph for another backward pass.
    """
    tensors, grads = _heads_and_grads(heads, head_grads)
    with torch.enable_grad():
        torch.autograd.backward(tensors, grads, retain_graph=retain_graph)


def grad(heads: Any, variables: Any, head_grads: Any = None, retain_graph: Optional[bool] = None,
         create_graph: bool = False, train_mode: bool = True) -> list:
    """Compute the gradients of heads w.r.t variables. Gradients are returned as new NDArrays
    instead of being stored into ``variable.grad``.

    Parameters
    ----------
    heads: NDArray or list of NDArray
    variables: NDArray or list of NDArray
    head_grads: NDArray or list of NDArray or None
    retain_graph: bool, defaults to create_graph
    create_graph: bool
        Whether to record the gradient graph for computing higher order gradients.
    """
    from .ndarray.ndarray import NDArray

    single = isinstance(variables, NDArray)
    if single:
        variables = [variables]
    tensors, grads = _heads_and_grads(heads, head_grads)
    if retain_graph is None:
        retain_graph = create_graph
    with torch.enable_grad():
        outs = torch.autograd.grad(tensors, [v._t for v in variables], grads,
                                   retain_graph=retain_graph, create_graph=create_graph,
                                   allow_unused=True)
    result = [NDArray(torch.zeros_like(v._t) if g is None else g) for v, g in zip(variables, outs)]
    return result


class Function:
    """Customize differentiation in autograd.

    Subclass, implement ``forward`` and ``backward`` on NDArrays, and call the instance::

        class sigmoid(mx.autograd.Function):
            def forward(self, x):
                y = 1 / (1 + mx.nd.exp(-x))
                self.save_for_backward(y)
                return y

            def backward(self, dy):
                y, = self.saved_tensors
                return dy * y * (1 - y)
    """

    def __init__(self) -> None:
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *args: Any) -> None:
        self.saved_tensors = args

    def forward(self, *inputs: Any) -> Any:
        raise NotImplementedError

    def backward(self, *output_grads: Any) -> Any:
        raise NotImplementedError

    def __call__(self, *inputs: Any) -> Any:
        from .ndarray.ndarray import NDArray

        owner = self

        class _Bridge(torch.autograd.Function):
            @staticmethod
            def forward(ctx: Any, *tensors: torch.Tensor) -> Any:
                with pause(train_mode=is_training()):
                    outs = owner.forward(*[NDArray(t) for t in tensors])
                multi = isinstance(outs, (list, tuple))
                ctx.multi = multi
                outs = outs if multi else (outs,)
                return tuple(o._t for o in outs) if multi else outs[0]._t

            @staticmethod
            def backward(ctx: Any, *grads: torch.Tensor) -> Any:
                with pause():
                    res = owner.backward(*[NDArray(g) for g in grads])
                res = res if isinstance(res, (list, tuple)) else (res,)
                return tuple(r._t if r is not None else None for r in res)

        out = _Bridge.apply(*[x._t for x in inputs])
        if isinstance(out, tuple):
            return [NDArray(o) for o in out]
        return NDArray(out)
