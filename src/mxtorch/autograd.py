"""Autograd: record computation on NDArrays and compute gradients, with torch's engine underneath.

As in MXNet, operations build a graph only inside ``autograd.record()``; outside it they run with
torch's gradient tracking off. ``is_training`` (what Dropout and BatchNorm consult) is a separate
flag that ``record()`` turns on by default.
"""
from __future__ import annotations

import threading
from typing import Any, Optional

import torch

from .base import MXNetError, string_types  # noqa: F401 - MXNet's module offers string_types

__all__ = ["record", "pause", "train_mode", "predict_mode", "is_recording", "is_training",
           "set_recording", "set_training", "mark_variables", "backward", "grad", "get_symbol",
           "Function"]


class _State(threading.local):
    def __init__(self) -> None:
        self.recording = False
        self.training = False


_state = _State()


def is_recording() -> bool:
    """Whether operations on arrays are being taped for autograd right now."""
    return _state.recording


def is_training() -> bool:
    """Whether operators currently run in training mode (as opposed to predicting)."""
    return _state.training


def set_recording(is_recording: bool) -> bool:  # noqa: A002 - MXNet's name
    """Turn autograd taping on or off and return the state it had before."""
    prev = _state.recording
    _state.recording = bool(is_recording)
    # recording needs torch's grad mode; not recording leaves it alone (operators run without
    # building a graph anyway), so turning recording off never disables grad for torch code
    if _state.recording:
        torch.set_grad_enabled(True)
    return prev


def set_training(train_mode: bool) -> bool:
    """Switch operators between training and predicting mode and return the previous mode."""
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
    """A ``with`` scope inside which operations on arrays are taped for a later ``backward``.

    Parameters
    ----------
    train_mode: bool, default True
        Run operators in their training behaviour (dropout active, BatchNorm using batch
        statistics) inside the scope; False records them in inference behaviour.

    Examples
    --------
    >>> x = mx.nd.array([1.0, 2.0])
    >>> x.attach_grad()
    >>> with mx.autograd.record():
    ...     y = (x * x).sum()
    >>> y.backward()
    >>> x.grad.asnumpy()
    array([2., 4.], dtype=float32)
    """
    return _RecordingStateScope(True, train_mode)


def pause(train_mode: bool = False) -> _RecordingStateScope:
    """A ``with`` scope inside ``record()`` whose operations are not taped (predicting mode by default)."""
    return _RecordingStateScope(False, train_mode)


def train_mode() -> _RecordingStateScope:
    """Returns a scope in which forward passes run in training mode (recording unchanged)."""
    return _RecordingStateScope(None, True)


def predict_mode() -> _RecordingStateScope:
    """Returns a scope in which forward passes run in predicting mode (recording unchanged)."""
    return _RecordingStateScope(None, False)


def mark_variables(variables: Any, gradients: Any, grad_reqs: Any = "write") -> None:
    """Make arrays autograd variables whose gradients land in the given buffers.

    ``x.attach_grad()`` does the same with a zero buffer it allocates itself; here the caller
    supplies the buffers.

    Parameters
    ----------
    variables: NDArray or list of NDArray
        The arrays to differentiate with respect to.
    gradients: NDArray or list of NDArray
        One buffer per variable, of the variable's shape.
    grad_reqs: str or list of str
        ``'write'``, ``'add'`` or ``'null'``, for all variables or one per variable.
    """
    from .ndarray.ndarray import NDArray

    if isinstance(variables, NDArray):
        variables, gradients = [variables], [gradients]
    if isinstance(grad_reqs, str):
        grad_reqs = [grad_reqs] * len(variables)
    if not len(variables) == len(gradients) == len(grad_reqs):
        raise MXNetError(f"mark_variables: got {len(variables)} variables, {len(gradients)} "
                         f"gradients and {len(grad_reqs)} grad_reqs; the counts must be equal")
    for var, gbuf, req in zip(variables, gradients, grad_reqs):
        var._mark_variable(gbuf, req)


_NOT_IN_GRAPH = ("Cannot differentiate node because it is not in a computational graph. You need "
                 "to set is_recording to true or use autograd.record() to save computational "
                 "graphs for backward. If you want to differentiate the same graph twice, you "
                 "need to pass retain_graph=True to backward.")


def _heads_and_grads(heads: Any, head_grads: Any) -> tuple:
    """Torch tensors of the heads and of their head gradients (ones where None)."""
    from .ndarray.ndarray import NDArray

    if isinstance(heads, NDArray):
        heads = [heads]
        head_grads = None if head_grads is None else [head_grads]
    if head_grads is None:
        head_grads = [None] * len(heads)
    elif isinstance(head_grads, NDArray):
        head_grads = [head_grads]
    if len(head_grads) != len(heads):
        raise MXNetError(f"backward: got {len(heads)} heads but {len(head_grads)} head gradients")
    tensors, grads = [], []
    for i, (head, hgrad) in enumerate(zip(heads, head_grads)):
        t = head._t
        if not t.requires_grad and not head._graph_inputs:
            raise MXNetError(f"head {i} (shape {tuple(t.shape)}): {_NOT_IN_GRAPH}")
        if hgrad is not None and hgrad.shape != head.shape:
            raise MXNetError(f"head gradient {i} has shape {hgrad.shape}, but its head has "
                             f"shape {head.shape}")
        if not t.requires_grad:
            # recorded but not differentiable (argmax, topk's indices): as in MXNet it passes a
            # zero gradient, so the variables it depends on are written (with zeros) all the same
            tensors.extend(head._graph_inputs)
            grads.extend(torch.zeros_like(s) for s in head._graph_inputs)
            continue
        tensors.append(t)
        grads.append(torch.ones_like(t) if hgrad is None else hgrad._t.to(t.dtype))
    return tensors, grads


def _run_engine(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run torch's autograd engine; its errors become MXNetError in MXNet's words."""
    try:
        with torch.enable_grad():
            return fn(*args, **kwargs)
    except MXNetError:
        raise
    except RuntimeError as err:
        if "backward through the graph a second time" in str(err):
            raise MXNetError(_NOT_IN_GRAPH) from None
        raise MXNetError(f"autograd: {err}") from err


def backward(heads: Any, head_grads: Any = None, retain_graph: bool = False,
             train_mode: bool = True) -> None:
    """Backpropagate from ``heads`` into the gradient buffers of the variables they depend on.

    Parameters
    ----------
    heads: NDArray or list of NDArray
        The recorded outputs to start from.
    head_grads: NDArray or list of NDArray or None
        Their gradients; ones where None.
    retain_graph: bool
        Keep the tape so that another backward pass can run through it.
    train_mode: bool, optional
        Whether to do backward for training or predicting (the mode of the forward pass
        decides in mxtorch).
    """
    tensors, grads = _heads_and_grads(heads, head_grads)
    _run_engine(torch.autograd.backward, tensors, grads, retain_graph=retain_graph)


def grad(heads: Any, variables: Any, head_grads: Any = None, retain_graph: Optional[bool] = None,
         create_graph: bool = False, train_mode: bool = True) -> list:
    """Gradients of ``heads`` with respect to ``variables``, returned as new arrays.

    Unlike ``backward``, the variables' ``.grad`` buffers are left untouched. With
    ``create_graph=True`` the gradient computation is itself recorded, so the results can be
    differentiated again (higher-order gradients).

    Parameters
    ----------
    heads: NDArray or list of NDArray
        The recorded outputs.
    variables: NDArray or list of NDArray
        The arrays to differentiate with respect to.
    head_grads: NDArray or list of NDArray or None
        Gradients of the heads; ones where None.
    retain_graph: bool
        Keep the tape for another pass; by default it follows ``create_graph``.
    create_graph: bool
        Record the gradient computation for further differentiation.
    train_mode: bool, optional
        Whether operators run their training behaviour during the pass.

    Returns
    -------
    NDArray or list of NDArray:
        One gradient per variable (a list when ``variables`` is a list).

    Examples
    --------
    >>> x = mx.nd.array([2.0])
    >>> x.attach_grad()
    >>> with mx.autograd.record():
    ...     y = x * x * x
    >>> dx = mx.autograd.grad(y, [x], create_graph=True)
    >>> dx[0].asnumpy()
    array([12.], dtype=float32)
    """
    from .ndarray.ndarray import NDArray

    if isinstance(variables, NDArray):
        variables = [variables]
    for i, var in enumerate(variables):
        if not var._t.requires_grad:
            raise MXNetError(f"Cannot differentiate with respect to the {i + 1}-th variable because "
                             "it does not require gradient (call attach_grad() on it first).")
    tensors, grads = _heads_and_grads(heads, head_grads)
    if retain_graph is None:
        retain_graph = create_graph
    outs = _run_engine(torch.autograd.grad, tensors, [v._t for v in variables], grads,
                       retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)
    for i, g in enumerate(outs):
        if g is None:
            raise MXNetError(f"Cannot differentiate with respect to the {i + 1}-th variable because "
                             "it is unreachable from the outputs.")
    return [NDArray(g, v._ctx) for v, g in zip(variables, outs)]


class Function:
    """Base class for an operation whose gradient you write yourself.

    Subclass it with a ``forward`` that computes outputs from NDArrays (it may go through
    numpy) and a ``backward`` that maps the outputs' gradients to the inputs' gradients; calling
    an instance inside ``record()`` tapes it as one node whose gradient is your ``backward``.
    ``save_for_backward`` keeps arrays for ``backward`` (read as ``self.saved_tensors``).

    Examples
    --------
    A sigmoid whose backward reuses the forward's result:

    >>> class Sigmoid(mx.autograd.Function):
    ...     def forward(self, x):
    ...         y = 1 / (1 + mx.nd.exp(-x))
    ...         self.save_for_backward(y)
    ...         return y
    ...     def backward(self, dy):
    ...         y, = self.saved_tensors
    ...         return dy * y * (1 - y)
    >>> x = mx.nd.zeros((2,))
    >>> x.attach_grad()
    >>> with mx.autograd.record():
    ...     out = Sigmoid()(x)
    >>> out.backward()
    >>> x.grad.asnumpy()
    array([0.25, 0.25], dtype=float32)
    """

    def __init__(self) -> None:
        self._used = False
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *args: Any) -> None:
        self.saved_tensors = args

    def forward(self, *inputs: Any) -> Any:
        """The outputs from the inputs, as NDArrays; override it."""
        raise NotImplementedError

    def backward(self, *output_grads: Any) -> Any:
        """The gradients of the inputs from those of the outputs; override it.

        It receives one gradient per output of ``forward`` and returns one per input.
        """
        raise NotImplementedError

    def __call__(self, *inputs: Any) -> Any:
        from .ndarray.ndarray import NDArray

        if self._used:
            raise MXNetError("Each Function instance can only be called once. Please create "
                             "another instance.")
        self._used = True
        owner = self
        n_inputs = len(inputs)
        contexts = [x._ctx for x in inputs]

        class _Bridge(torch.autograd.Function):
            @staticmethod
            def forward(ctx: Any, *tensors: torch.Tensor) -> Any:
                with pause(train_mode=is_training()):
                    outs = owner.forward(*[NDArray(t, c) for t, c in zip(tensors, contexts)])
                ctx.multi = isinstance(outs, (list, tuple))
                outs = outs if ctx.multi else (outs,)
                if not all(isinstance(o, NDArray) for o in outs):
                    raise MXNetError("Function.forward must return an NDArray or a list of "
                                     "NDArrays")
                results = tuple(o._t for o in outs)
                return results if ctx.multi else results[0]

            @staticmethod
            def backward(ctx: Any, *grads: torch.Tensor) -> Any:
                with pause():
                    res = owner.backward(*[NDArray(g) for g in grads])
                res = res if isinstance(res, (list, tuple)) else (res,)
                if len(res) != n_inputs:
                    raise MXNetError(f"Function.backward returned {len(res)} gradients; it must "
                                     f"return one per input of forward ({n_inputs})")
                return tuple(r._t if isinstance(r, NDArray) else r for r in res)

        out = _Bridge.apply(*[x._t for x in inputs])
        if isinstance(out, tuple):
            return [NDArray(o, contexts[0] if contexts else None) for o in out]
        return NDArray(out, contexts[0] if contexts else None)


def get_symbol(x: Any) -> Any:
    """The Symbol of the recorded computation that produced ``x``.

    Every operator called while :func:`record` was on noted its inputs and attributes on its
    outputs; this walks those notes back from ``x`` and builds the same graph with ``mx.sym``. As
    in MXNet, the arrays the computation started from become variables named ``var<i>`` (those
    with an attached gradient) or ``null<i>`` (the others), ``i`` being the node's position in the
    graph, and the operators become nodes ``node_0``, ``node_1``, ... (MXNet continues both counts
    across the graphs a process records; mxtorch starts each graph at 0).

    Parameters
    ----------
    x : NDArray
        An array computed while recording.

    Returns
    -------
    Symbol
        The graph with ``x`` as its output.

    Raises
    ------
    MXNetError
        When ``x`` was not computed while recording.
    """
    from .symbol import symbol as sym

    if getattr(x, "_history", None) is None:
        raise MXNetError("get_symbol: the array is not part of a recorded computation; compute it "
                         "inside autograd.record()")
    order = _recorded_order(x)
    made: dict = {}
    operators = 0
    for index, (kind, item) in enumerate(order):
        if kind == "array":
            prefix = "var" if item._grad is not None else "null"
            made[id(item)] = sym.var(f"{prefix}{index}")
            continue
        entry, raw_attrs, arrays = item
        inputs = [_recorded_symbol(a, made) for a in arrays]
        if entry.variadic is not None:
            made[id(item)] = sym.create(entry.name, inputs, dict(raw_attrs), name=f"node_{operators}")
        else:
            names = entry.input_names(entry.parse_attrs(raw_attrs))
            made[id(item)] = sym.create(entry.name, [], {**dict(zip(names, inputs)), **raw_attrs},
                                        name=f"node_{operators}")
        operators += 1
    return _recorded_symbol(x, made)


def _recorded_symbol(array: Any, made: dict) -> Any:
    history = getattr(array, "_history", None)
    if history is None:
        return made[id(array)]
    record, index = history
    symbol = made[id(record)]
    return symbol[index] if len(symbol.list_outputs()) > 1 else symbol


def _recorded_order(x: Any) -> list:
    """The arrays and operator records behind ``x``, each after its inputs (depth first, inputs
    in order, as MXNet numbers its graph), without recursion: graphs can be long."""
    order, done = [], set()
    stack = [(x, False)]
    while stack:
        array, expanded = stack.pop()
        history = getattr(array, "_history", None)
        key = id(history[0]) if history is not None else id(array)
        if key in done:
            continue
        if history is None:
            done.add(key)
            order.append(("array", array))
        elif expanded:
            done.add(key)
            order.append(("record", history[0]))
        else:
            stack.append((array, True))
            stack.extend((a, False) for a in reversed(history[0][2]))
    return order


def __getattr__(name: str) -> Any:
    """``autograd.NDArray`` and ``autograd.Symbol``: MXNet's module re-exports both classes.

    Looked up on first use, since the array and symbol modules import this one."""
    if name == "NDArray":
        from .ndarray import NDArray
        return NDArray
    if name == "Symbol":
        from .symbol import Symbol
        return Symbol
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
