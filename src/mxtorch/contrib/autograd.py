"""MXNet's first autograd API (``mx.contrib.autograd``), kept for programs written against it.

Each function is a thin shape over :mod:`mxtorch.autograd`: the legacy API ties recording and
training together (``train_section`` records in training mode, ``test_section`` neither records
nor trains), and ``grad_and_loss`` marks fresh zero gradient buffers on the arguments.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional, Union

from .. import autograd as _ag
from ..base import MXNetError, string_types  # noqa: F401 - MXNet's module offers string_types
from ..ndarray import NDArray, zeros_like

__all__ = ["TrainingStateScope", "set_is_training", "train_section", "test_section",
           "mark_variables", "backward", "compute_gradient", "grad_and_loss", "grad"]


def set_is_training(is_train: bool) -> bool:
    """Turn training mode and recording on or off together.

    Parameters
    ----------
    is_train : bool
        True to record operations for differentiation and run layers such as Dropout in
        training mode; False for neither.

    Returns
    -------
    bool
        The previous state (of recording, which this API keeps equal to training).
    """
    _ag.set_training(is_train)
    return _ag.set_recording(is_train)


class TrainingStateScope:
    """A ``with`` scope that switches training and recording together to ``enter_state`` and, on
    leaving, puts back what was there before if that differed.

    Parameters
    ----------
    enter_state : bool
        The state inside the scope (as :func:`set_is_training` takes it).
    """

    def __init__(self, enter_state: bool):
        self._enter_state = enter_state
        self._prev: Optional[bool] = None

    def __enter__(self) -> None:
        self._prev = set_is_training(self._enter_state)

    def __exit__(self, *exc: object) -> None:
        if self._prev != self._enter_state:
            set_is_training(self._prev)


def train_section() -> Any:
    """A ``with`` scope that records operations in training mode (``autograd.record()``)."""
    return _ag.record(train_mode=True)


def test_section() -> Any:
    """A ``with`` scope that neither records nor trains, e.g. for evaluation inside a
    :func:`train_section` (``autograd.pause(train_mode=False)``)."""
    return _ag.pause(train_mode=False)


def mark_variables(variables: list, gradients: list, grad_reqs: Union[str, list] = "write") -> None:
    """Make NDArrays variables of autograd, their gradients written into ``gradients``.

    Parameters
    ----------
    variables : list of NDArray
    gradients : list of NDArray
        One buffer per variable, of its shape.
    grad_reqs : str or list of str, default 'write'
        'write', 'add' or 'null', for all variables or one per variable.
    """
    _ag.mark_variables(variables, gradients, grad_reqs)


def backward(outputs: Union[list, tuple], out_grads: Optional[list] = None,
             retain_graph: bool = False) -> None:
    """Compute the gradients of ``outputs`` with respect to the marked variables.

    Parameters
    ----------
    outputs : list or tuple of NDArray
    out_grads : list of NDArray or None, optional
        The head gradient of each output; None (for all, or for one) means ones.
    retain_graph : bool, default False
        Whether to keep the recorded graph for another backward pass.
    """
    if not isinstance(outputs, (list, tuple)):
        raise MXNetError("outputs must be a list or tuple of NDArrays, got "
                         f"{type(outputs).__name__}")
    if out_grads is not None and len(out_grads) != len(outputs):
        raise MXNetError(f"outputs and out_grads must have the same length, got {len(outputs)} "
                         f"and {len(out_grads)}")
    _ag.backward(list(outputs), None if out_grads is None else list(out_grads),
                 retain_graph=retain_graph)


def compute_gradient(outputs: Union[list, tuple]) -> None:
    """Deprecated name of :func:`backward` (without head gradients)."""
    backward(outputs)


def grad_and_loss(func: Callable, argnum: Optional[Union[int, list]] = None) -> Callable:
    """Wrap ``func`` so that a call returns ``(gradients, loss)``.

    Parameters
    ----------
    func : callable
        The forward (loss) function, taking NDArrays.
    argnum : int or list of int, optional
        Positions of the arguments to differentiate; all of them when None.

    Returns
    -------
    callable
        Called with ``func``'s arguments, it runs ``func`` recording in training mode, computes
        the gradients and returns the list of gradients (one per chosen argument) and ``func``'s
        output.
    """
    @functools.wraps(func)
    def wrapped(*args: Any) -> tuple:
        variables = args
        if argnum is not None:
            positions = argnum if isinstance(argnum, list) else [argnum]
            variables = [args[i] for i in positions]
        for i, x in enumerate(variables):
            if not isinstance(x, NDArray):
                raise MXNetError(f"autograd input {i} must be an NDArray, got {type(x).__name__}")
        grads = [zeros_like(x) for x in variables]
        mark_variables(list(variables), grads)
        with train_section():
            outputs = func(*args)
        compute_gradient([outputs] if isinstance(outputs, NDArray) else outputs)
        return grads, outputs
    return wrapped


def grad(func: Callable, argnum: Optional[Union[int, list]] = None) -> Callable:
    """Wrap ``func`` so that a call returns the gradients of its output with respect to its
    arguments (see :func:`grad_and_loss`, whose first result this is).

    Parameters
    ----------
    func : callable
        The forward (loss) function, taking NDArrays.
    argnum : int or list of int, optional
        Positions of the arguments to differentiate; all of them when None.
    """
    with_loss = grad_and_loss(func, argnum)

    @functools.wraps(with_loss)
    def wrapped(*args: Any) -> list:
        return with_loss(*args)[0]
    return wrapped
