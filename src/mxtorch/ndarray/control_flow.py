"""Control flow of MXNet's NDArray API: ``nd.contrib.foreach``, ``while_loop`` and ``cond``.

Imperatively these are plain Python loops and branches over the user's functions: every step runs
the NDArray operators the function calls, so ``autograd.record()`` sees them and gradients flow
through the iterations as through any other code. Inputs and outputs are NDArrays or nested lists
of them; the outputs keep the nesting the function gave.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import torch

from .._nesting import flatten, regroup
from ..base import MXNetError
from .ndarray import NDArray

__all__ = ["foreach", "while_loop", "cond"]


def _flatten(value: Any, what: str) -> tuple:
    return flatten(value, NDArray, what, "an NDArray")


_regroup = regroup


def _stack(items: list) -> NDArray:
    """The step outputs ``items`` stacked on a new first axis (MXNet's ``stack``)."""
    from . import stack
    return stack(*items)


def foreach(body: Callable, data: Any, init_states: Any) -> tuple:
    """Run ``body`` on each slice of ``data`` along axis 0, carrying states from step to step.

    ``body(slice, states)`` returns ``(outputs, new_states)``; the step outputs are stacked along
    a new first axis. ``data`` is an NDArray or a list of NDArrays of one length (then ``slice`` is
    the list of their slices); states and outputs may be NDArrays or nested lists.

    Parameters
    ----------
    body : callable
        ``body(data_slice, states) -> (outputs, states)``, one iteration.
    data : NDArray or list of NDArray
        The sequence(s) iterated over along axis 0.
    init_states : NDArray or nested list of NDArray
        The states of the first iteration.

    Returns
    -------
    (outputs, states)
        The stacked outputs, nested as ``body`` gave them, and the final states.
    """
    arrays, _ = _flatten(data, "foreach input")
    _flatten(init_states, "foreach states")
    single = isinstance(data, NDArray)
    lengths = {a.shape[0] if a.ndim else None for a in arrays}
    if len(lengths) != 1 or None in lengths:
        raise MXNetError(f"foreach: the data arrays must share a first dimension, got shapes "
                         f"{[a.shape for a in arrays]}")
    steps = lengths.pop()
    states = init_states
    collected: list = []
    out_fmt: Any = []
    for i in range(steps):
        piece = data[i] if single else [d[i] for d in data]
        outs, states = body(piece, states)
        flat, out_fmt = _flatten(outs, "foreach output")
        collected.append(flat)
    stacked = [_stack(list(items)) for items in zip(*collected)]
    outputs, _ = _regroup(stacked, out_fmt) if collected else ([], [])
    return outputs, states


def _as_scalar(value: Any, kind: type, what: str) -> Any:
    if hasattr(value, "asscalar"):
        value = value.asscalar()
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise MXNetError(f"cannot convert {what} to a Python {kind.__name__}, got {value!r}") from None


def while_loop(cond: Callable, func: Callable, loop_vars: Any, max_iterations: Optional[int] = None
               ) -> tuple:
    """Run ``func`` while ``cond`` holds, at most ``max_iterations`` times.

    ``cond(*loop_vars)`` answers whether to go on (an NDArray of one element, or a bool);
    ``func(*loop_vars)`` returns ``(step_output, new_loop_vars)`` (either may be None or a list).
    The step outputs are stacked along a new first axis of length ``max_iterations``; the rows past
    the last iteration are zeros (MXNet leaves them uninitialised).

    Parameters
    ----------
    cond : callable
        ``cond(*loop_vars) -> NDArray or bool``, the loop condition.
    func : callable
        ``func(*loop_vars) -> (step_output, new_loop_vars)``, one iteration.
    loop_vars : NDArray or list of NDArray
        The loop variables of the first iteration.
    max_iterations : int
        The most iterations run; required.

    Returns
    -------
    (outputs, loop_vars)
        The stacked step outputs (nested as ``func`` gave them) and the final loop variables.
    """
    if max_iterations is None:
        raise MXNetError("while_loop: max_iterations should be specified")
    max_iterations = _as_scalar(max_iterations, int, "max_iterations")
    single = isinstance(loop_vars, NDArray)
    variables = [loop_vars] if single else list(loop_vars)
    if not variables:
        raise MXNetError("while_loop: loop_vars should contain at least one element")
    steps = 0
    collected: list = []
    out_fmt: Any = None
    while steps < max_iterations and _as_scalar(cond(*variables), bool, "the value of cond"):
        step_output, new_vars = func(*variables)
        step_output = [] if step_output is None else step_output
        new_vars = [] if new_vars is None else new_vars
        new_vars = [new_vars] if isinstance(new_vars, NDArray) else list(new_vars)
        if len(new_vars) != len(variables):
            raise MXNetError(f"while_loop: func returned {len(new_vars)} loop variables, expected "
                             f"{len(variables)}")
        variables = new_vars
        flat, out_fmt = _flatten(list(step_output) if isinstance(step_output, tuple) else step_output,
                                 "while_loop output")
        if collected and len(flat) != len(collected[0]):
            raise MXNetError("while_loop: every step must give the same number of outputs")
        collected.append(flat)
        steps += 1
    stacked = []
    for k, items in enumerate(zip(*collected)):
        shapes = {x.shape for x in items}
        if len(shapes) != 1:
            raise MXNetError(f"while_loop: the shapes of step output {k} differ between steps: "
                             f"{[x.shape for x in items]}")
        out = _stack(list(items))
        if steps < max_iterations:
            pad = NDArray(torch.zeros((max_iterations - steps,) + tuple(out.shape[1:]),
                                      dtype=out._t.dtype, device=out._t.device), out.context)
            from . import concat
            out = concat(out, pad, dim=0)
        stacked.append(out)
    outputs = _regroup(stacked, out_fmt)[0] if out_fmt is not None else []
    return outputs, variables[0] if single else variables


def cond(pred: Any, then_func: Callable, else_func: Callable) -> Any:
    """``then_func()`` when ``pred`` (an NDArray of one element) is non-zero, else ``else_func()``.

    Parameters
    ----------
    pred : NDArray
        The branch condition, one element.
    then_func, else_func : callable
        Functions of no arguments returning an NDArray or a nested list of NDArrays.

    Returns
    -------
    NDArray or nested list of NDArray
        What the chosen branch returned.
    """
    return then_func() if _as_scalar(pred, bool, "pred") else else_func()
