"""The executor: a symbol's graph lowered once into a torch callable, and bound to arrays.

:class:`Program` is the lowering: a flat list of steps ``(operator, parsed attributes, input
slots, output slot)`` in topological order, built once per symbol and cached on it. Running it is a
loop over that list on torch tensors; no graph walking or attribute parsing happens per call, and
the callable can be handed to ``torch.compile``. ``bind``/``simple_bind``, Module, FeedForward and
hybridized Gluon blocks all run graphs through it. Gradients come from torch autograd; the
output-layer operators (SoftmaxOutput, *RegressionOutput, MakeLoss, BlockGrad) implement MXNet's
gradient semantics in their table entries.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import torch

from .. import profiler
from ..base import MXNetError, to_torch_dtype
from ..context import Context
from ..ndarray.ndarray import NDArray, owned
from . import infer
from .compiled import compiled, default_setting
from .graph import topo_order

__all__ = ["Program", "Executor", "lower", "bind", "simple_bind"]

_GRAD_REQS = ("write", "add", "null")
_profiling = profiler._state  # .symbolic: whether mx.profiler records graph operators


class Program:
    """A symbol's graph as a straight-line torch program.

    ``program(inputs, is_train)`` takes one tensor per graph input, in the order
    ``arg_names + aux_names``, and returns the list of output tensors.
    """

    def __init__(self, symbol: "Symbol"):  # noqa: F821
        arg_nodes, aux_nodes = symbol._variables()
        self.arg_names = [n.name for n in arg_nodes]
        self.aux_names = [n.name for n in aux_nodes]
        slot = {(id(n), 0): k for k, n in enumerate(arg_nodes + aux_nodes)}
        n_slots = len(slot)
        steps = []
        self._nodes: list = []   # (operator, node name) of each step, for error messages
        self._graph_nodes: list = []   # the node of each step, for monitor names
        for node in topo_order(symbol._outputs):
            if node.is_variable:
                continue
            ins = tuple(slot[(id(n), i)] for n, i in node.inputs)
            n_out = node.num_outputs
            for i in range(n_out):
                slot[(id(node), i)] = n_slots + i
            steps.append([node.entry, node.parsed, ins, n_slots, n_out])
            self._nodes.append((node.entry, node.name))
            self._graph_nodes.append(node)
            n_slots += n_out
        self.outputs = [slot[(id(n), i)] for n, i in symbol._outputs]
        self._n_slots = n_slots
        self._steps = self._with_frees(steps)
        self._compiled: dict = {}   # compile setting -> CompiledProgram (symbol/compiled.py)

    def _with_frees(self, steps: list) -> list:
        """Attach to each step the slots no later step reads, so intermediates die early."""
        last_use: dict = {}
        for k, step in enumerate(steps):
            for s in step[2]:
                last_use[s] = k
        keep = set(self.outputs)
        n_inputs = len(self.arg_names) + len(self.aux_names)
        frees: list = [[] for _ in steps]
        for s, k in last_use.items():
            if s >= n_inputs and s not in keep:
                frees[k].append(s)
        return [tuple(step) + (tuple(f),) for step, f in zip(steps, frees)]

    def __call__(self, inputs: Sequence[torch.Tensor], is_train: bool = False,
                 monitor: Any = None) -> list:
        env: list = list(inputs) + [None] * (self._n_slots - len(inputs))
        # one check per call: the plain loop pays nothing for the profiler or a monitor
        watched = monitor is not None or _profiling.symbolic
        k = 0
        try:
            for k, (entry, attrs, ins, out, n_out, frees) in enumerate(self._steps):
                if watched:
                    result = self._watched_step(k, env, is_train, monitor)
                else:
                    result = entry(*[env[i] for i in ins], is_train=is_train, **attrs)
                if isinstance(result, (tuple, list)):
                    for i in range(n_out):
                        r = result[i]
                        env[out + i] = r.reshape(1) if r.dim() == 0 else r
                else:
                    env[out] = result.reshape(1) if result.dim() == 0 else result
                if monitor is not None:
                    for name, i in zip(self._graph_nodes[k].output_names(), range(out, out + n_out)):
                        monitor(name, env[i])
                for s in frees:
                    env[s] = None
        except MXNetError:
            raise
        except (RuntimeError, IndexError) as err:   # as the eager dispatcher reports them
            entry, name = self._nodes[k]
            _, attrs, ins = self._steps[k][:3]
            raise entry.failure(err, [env[i] for i in ins], attrs, node=name) from err
        return [env[i] for i in self.outputs]

    def _watched_step(self, k: int, env: list, is_train: bool, monitor: Any) -> Any:
        """Step ``k`` inside a profiler range named after its operator while the profiler records
        graphs; a monitor that wants inputs (``monitor.inputs``) sees them first, each variable
        under its own name and then as ``<node>_<input>`` (MXNet's ``monitor_all`` order)."""
        entry, attrs, ins = self._steps[k][:3]
        tensors = [env[i] for i in ins]
        if monitor is not None and getattr(monitor, "inputs", False):
            node = self._graph_nodes[k]
            for (src, _), in_name, t in zip(node.inputs, node.input_names(), tensors):
                if src.is_variable:
                    monitor(src.name, t)
                monitor(f"{node.name}_{in_name}", t)
        if _profiling.symbolic:
            with torch.profiler.record_function(entry.name):
                return entry(*tensors, is_train=is_train, **attrs)
        return entry(*tensors, is_train=is_train, **attrs)


def lower(symbol: "Symbol") -> Program:  # noqa: F821
    """The symbol's Program, built on first use and cached on the symbol."""
    if symbol._program is None:
        symbol._program = Program(symbol)
    return symbol._program


# -- executor -------------------------------------------------------------------------------------
class Executor:
    """A symbol bound to concrete argument, gradient and auxiliary arrays, ready to run.

    Obtained from :meth:`Symbol.bind` (arrays supplied by the caller, used in
    place) or :meth:`Symbol.simple_bind` (arrays allocated from inferred shapes).
    The graph is lowered once into a straight-line torch program; when
    ``MXTORCH_COMPILE`` asks for it, that program is run through
    ``torch.compile``. :meth:`forward` writes :attr:`outputs`, and
    :meth:`backward` fills the gradient arrays according to each argument's
    ``grad_req``.

    Examples
    --------
    >>> a = mx.sym.Variable('a')
    >>> b = mx.sym.Variable('b')
    >>> ex = (2 * a + b).bind(mx.cpu(), {'a': mx.nd.array([1, 2]), 'b': mx.nd.array([2, 3])})
    >>> ex.forward()[0].asnumpy()
    array([4., 7.], dtype=float32)
    """

    def __init__(self, symbol: "Symbol", ctx: Context, arg_arrays: list, grad_arrays: list,  # noqa: F821
                 grad_reqs: list, aux_arrays: list, out_shapes: Optional[list] = None,
                 out_types: Optional[list] = None):
        self._symbol = symbol
        self._ctx = ctx
        self._program = lower(symbol)
        # the program as the compile setting (MXTORCH_COMPILE) runs it: compiled or the program
        self._runner = compiled(self._program, default_setting(), device=ctx.torch_device)
        self.arg_arrays = arg_arrays
        self.grad_arrays = grad_arrays
        self.aux_arrays = aux_arrays
        self._grad_reqs = grad_reqs
        self._arg_dict: Optional[dict] = None
        self._grad_dict: Optional[dict] = None
        self._aux_dict: Optional[dict] = None
        self._heads: Optional[list] = None
        self._leaves: Optional[list] = None
        self._monitor: Optional[_MonitorHook] = None
        # MXNet allocates the outputs at bind time; zeros until the first forward replaces them
        out_shapes = out_shapes or []
        out_types = out_types or [None] * len(out_shapes)
        device = ctx.torch_device
        self.outputs = [NDArray(torch.zeros(s, dtype=to_torch_dtype(t or np.float32), device=device))
                        for s, t in zip(out_shapes, out_types)]

    # -- dictionaries -------------------------------------------------------------------------
    @staticmethod
    def _get_dict(names: list, ndarrays: list) -> dict:
        if len(set(names)) != len(names):
            raise ValueError(f"Duplicate names detected, {names}")
        return dict(zip(names, ndarrays))

    @property
    def arg_dict(self) -> dict:
        """The bound argument arrays, keyed by argument name.

        Returns
        -------
        dict of str to NDArray
            The arrays themselves: writing into one changes the next :meth:`forward`.
        """
        if self._arg_dict is None:
            self._arg_dict = self._get_dict(self._program.arg_names, self.arg_arrays)
        return self._arg_dict

    @property
    def grad_dict(self) -> dict:
        """The gradient arrays, keyed by argument name.

        Returns
        -------
        dict of str to NDArray
            None for arguments bound without a gradient.
        """
        if self._grad_dict is None:
            self._grad_dict = self._get_dict(self._program.arg_names, self.grad_arrays)
        return self._grad_dict

    @property
    def aux_dict(self) -> dict:
        """The auxiliary state arrays (such as BatchNorm's running statistics), keyed by name.

        Returns
        -------
        dict of str to NDArray
        """
        if self._aux_dict is None:
            self._aux_dict = self._get_dict(self._program.aux_names, self.aux_arrays)
        return self._aux_dict

    @property
    def output_dict(self) -> dict:
        """The arrays of the last :meth:`forward`, keyed by the symbol's output names.

        Returns
        -------
        dict of str to NDArray
        """
        return self._get_dict(self._symbol.list_outputs(), self.outputs)

    # -- running ------------------------------------------------------------------------------
    def forward(self, is_train: bool = False, **kwargs: Any) -> list:
        """Run the graph on the bound arrays and return its outputs.

        Parameters
        ----------
        is_train : bool, default False
            Run in training mode (Dropout active, BatchNorm using batch
            statistics) and keep the graph so that :meth:`backward` can follow.
        **kwargs : NDArray or numpy.ndarray
            New values for arguments, by name; each is copied into the bound
            array of that name, whose shape it must have.

        Returns
        -------
        list of NDArray
            The outputs, also kept in :attr:`outputs`.

        Raises
        ------
        TypeError
            When a keyword names no argument of the symbol.
        ValueError
            When a keyword value is not an array or has the wrong shape.

        Examples
        --------
        >>> x = mx.sym.Variable('x')
        >>> ex = (x * x).simple_bind(mx.cpu(), x=(2,))
        >>> ex.forward(x=mx.nd.array([3, 4]))[0].asnumpy()
        array([ 9., 16.], dtype=float32)
        """
        if kwargs:
            self._copy_inputs(kwargs)
        self._heads = self._leaves = None  # free the previous graph before building the next
        aux = [a._t for a in self.aux_arrays]
        trainable = [req != "null" and g is not None and a._t.is_floating_point()
                     for a, g, req in zip(self.arg_arrays, self.grad_arrays, self._grad_reqs)]
        if is_train and any(trainable):
            leaves = [a._t.detach().requires_grad_(True) if t else a._t
                      for a, t in zip(self.arg_arrays, trainable)]
            with torch.enable_grad():
                outs = self._runner(leaves + aux, True, self._monitor)
            self._heads, self._leaves = outs, [(k, leaves[k]) for k, t in enumerate(trainable) if t]
        else:
            with torch.no_grad():
                outs = self._runner([a._t for a in self.arg_arrays] + aux, is_train,
                                    self._monitor)
            self._heads = self._leaves = None
        # an output may be a view of a bound array (Reshape, Flatten, a variable in a Group)
        bound = [a._t for a in self.arg_arrays + self.aux_arrays]
        self.outputs = [NDArray(owned(o.detach(), bound)) for o in outs]
        return self.outputs

    def _copy_inputs(self, kwargs: dict) -> None:
        arg_dict = self.arg_dict
        for name, array in kwargs.items():
            if not isinstance(array, (NDArray, np.ndarray)):
                raise ValueError("only accept keyword argument of NDArrays and numpy.ndarray")
            if name not in arg_dict:
                raise TypeError(f"Unknown argument {name}")
            if arg_dict[name].shape != tuple(array.shape):
                raise ValueError(f"Shape not match! Argument {name}, need: {arg_dict[name].shape}, "
                                 f"received: {tuple(array.shape)}")
            arg_dict[name][:] = array

    def backward(self, out_grads: Any = None, is_train: bool = True) -> None:
        """Propagate gradients from the outputs of the last training :meth:`forward` to the arguments.

        Each gradient array is overwritten (``grad_req='write'``) or added to
        (``'add'``); arguments with ``'null'`` are left alone. One backward pass
        is allowed per forward pass.

        Parameters
        ----------
        out_grads : NDArray, list of NDArray or dict of str to NDArray, optional
            Gradients of the outputs. Outputs given none (including all of them
            when left out) start from ones, which is what loss outputs need.
        is_train : bool, default True
            Accepted for MXNet compatibility; the pass always computes gradients.

        Raises
        ------
        MXNetError
            When gradients are requested but no training forward pass precedes this call.
        """
        if self._leaves is None:
            if any(req != "null" and g is not None for g, req in zip(self.grad_arrays, self._grad_reqs)):
                raise MXNetError("backward requires a preceding forward(is_train=True) (one backward "
                                 "per forward)")
            return
        heads, grads = [], []
        for head, grad in zip(self._heads, self._head_grads(out_grads)):
            if head.requires_grad:
                heads.append(head)
                grads.append(torch.ones_like(head) if grad is None else grad)
        if not heads:
            return
        slots = self._leaves
        self._heads = self._leaves = None  # the graph is consumed: one backward per forward
        results = torch.autograd.grad(heads, [t for _, t in slots], grads, allow_unused=True)
        with torch.no_grad():
            for (k, _), g in zip(slots, results):
                buf = self.grad_arrays[k]._t
                if self._grad_reqs[k] == "add":
                    if g is not None:
                        buf.add_(g)
                elif g is None:
                    buf.zero_()
                else:
                    buf.copy_(g)

    def _head_grads(self, out_grads: Any) -> list:
        n = len(self._heads)
        if out_grads is None:
            return [None] * n
        if isinstance(out_grads, NDArray):
            out_grads = [out_grads]
        elif isinstance(out_grads, dict):
            out_grads = [out_grads.get(k) for k in self._symbol.list_outputs()]
        for g in out_grads:
            if g is not None and not isinstance(g, NDArray):
                raise TypeError("inputs must be NDArray")
        out_grads = list(out_grads) + [None] * (n - len(out_grads))
        return [None if g is None else g._t.to(h.device, h.dtype) for g, h in zip(out_grads, self._heads)]

    # -- parameters and reshaping ---------------------------------------------------------------
    def copy_params_from(self, arg_params: dict, aux_params: Optional[dict] = None,
                         allow_extra_params: bool = False) -> None:
        """Copy parameter values into the bound argument and auxiliary arrays.

        Each value is converted to the bound array's dtype on the way.

        Parameters
        ----------
        arg_params : dict of str to NDArray
            Values for arguments, by name.
        aux_params : dict of str to NDArray, optional
            Values for auxiliary states, by name.
        allow_extra_params : bool, default False
            Ignore names the executor does not have instead of raising.

        Raises
        ------
        ValueError
            When a name is unknown and ``allow_extra_params`` is False.
        """
        # MXNet's two messages differ in quoting; kept as they are
        _copy_into(self.arg_dict, arg_params, allow_extra_params,
                   'Find name "{}" that is not in the arguments')
        _copy_into(self.aux_dict, aux_params or {}, allow_extra_params,
                   "Find name {} that is not in the auxiliary states")

    def reshape(self, partial_shaping: bool = False, allow_up_sizing: bool = False,
                **kwargs: Any) -> "Executor":
        """A new executor for other input shapes, sharing arrays with this one where it can.

        Shapes are inferred from the keywords; an array whose shape does not
        change is shared, others are allocated anew.

        Parameters
        ----------
        partial_shaping : bool, default False
            Allow arguments not named in ``kwargs`` to change shape as well.
        allow_up_sizing : bool, default False
            Allow an array to grow beyond its current number of elements.
        **kwargs : tuple of int
            New shapes of arguments, by name.

        Returns
        -------
        Executor

        Raises
        ------
        MXNetError
            When shapes cannot be inferred, or a change is not allowed by the two flags.
        """
        arg_shapes, out_shapes, aux_shapes = self._symbol.infer_shape(**kwargs)
        if arg_shapes is None:
            raise MXNetError(f"Executor.reshape: cannot infer all shapes from {kwargs}")
        new_args = self._reshaped(self.arg_arrays, self._program.arg_names, arg_shapes, kwargs,
                                  partial_shaping, allow_up_sizing)
        new_grads = [None if g is None else (g if a is old else _zeros_like(a))
                     for g, a, old in zip(self.grad_arrays, new_args, self.arg_arrays)]
        new_aux = self._reshaped(self.aux_arrays, self._program.aux_names, aux_shapes, kwargs,
                                 partial_shaping, allow_up_sizing)
        _, out_types, _ = self._symbol.infer_type_partial()
        return Executor(self._symbol, self._ctx, new_args, new_grads, self._grad_reqs, new_aux,
                        out_shapes, out_types)

    @staticmethod
    def _reshaped(arrays: list, names: list, shapes: list, given: dict, partial_shaping: bool,
                  allow_up_sizing: bool) -> list:
        out = []
        for array, name, shape in zip(arrays, names, shapes):
            if array.shape == tuple(shape):
                out.append(array)
                continue
            if name not in given and not partial_shaping:
                raise MXNetError(f"Shape of unspecified array arg:{name} changed. This can cause the "
                                 "new executor to not share parameters with the old one. Please "
                                 "check for error in network. If this is intended, set "
                                 "partial_shaping=True to suppress this warning.")
            if int(np.prod(shape)) > array.size and not allow_up_sizing:
                raise MXNetError(f"New shape of arg:{name} larger than original. First making a big "
                                 "executor and then down sizing it is more efficient than the "
                                 "reverse. If you really want to up size, set allow_up_sizing=True "
                                 "to enable allocation of new arrays.")
            out.append(NDArray(torch.zeros(shape, dtype=array._t.dtype, device=array._t.device)))
        return out

    def set_monitor_callback(self, callback: Any, monitor_all: bool = False) -> None:
        """Install a callback that sees every operator's outputs during ``forward``.

        Parameters
        ----------
        callback : callable or None
            Called as ``callback(name, array)`` after each operator of the graph runs, once per
            output (``fc1_output``, ``bn_output``...), with the output as a read-only NDArray.
            None removes the callback.
        monitor_all : bool, default False
            Whether the callback also sees each operator's inputs before it runs: a variable under
            its own name, then every input as ``<operator name>_<input name>`` (``fc1_weight``).

        Notes
        -----
        The backward pass runs as one torch autograd call, so no ``*_backward_*`` entries are
        reported as MXNet's op-by-op backward did.
        """
        if callback is not None and not callable(callback):
            raise MXNetError(f"set_monitor_callback: callback must be callable, got "
                             f"{type(callback).__name__}")
        self._monitor = None if callback is None else _MonitorHook(callback, bool(monitor_all))

    def debug_str(self) -> str:
        """A text description of the bound symbol's graph (that of :meth:`Symbol.debug_str`)."""
        return self._symbol.debug_str()


class _MonitorHook:
    """What a Program calls for each tensor a monitor watches: the tensor as an NDArray that
    shares its memory but not its autograd history."""

    __slots__ = ("callback", "inputs")

    def __init__(self, callback: Any, inputs: bool):
        self.callback = callback
        self.inputs = inputs

    def __call__(self, name: str, tensor: torch.Tensor) -> None:
        self.callback(name, NDArray(tensor.detach()))


def _copy_into(bound: dict, params: dict, allow_extra: bool, unknown_message: str) -> None:
    """Copy each of ``params`` into the bound array of that name, cast to its dtype; a name not
    bound raises ValueError(``unknown_message`` formatted with it) unless ``allow_extra``."""
    for name, array in params.items():
        if name in bound:
            array.astype(bound[name].dtype).copyto(bound[name])
        elif not allow_extra:
            raise ValueError(unknown_message.format(name))


def _zeros_like(array: NDArray) -> NDArray:
    return NDArray(torch.zeros_like(array._t))


# -- binding ------------------------------------------------------------------------------------
def _arrays(what: str, given: Any, names: list, allow_missing: bool) -> list:
    if isinstance(given, (list, tuple)):
        if len(given) != len(names):
            raise ValueError(f"Length of {what} does not match the number of arguments: got "
                             f"{len(given)}, expected {len(names)} {names}")
        arrays = list(given)
    elif isinstance(given, dict):
        missing = [n for n in names if n not in given]
        if missing and not allow_missing:
            raise ValueError(f"key `{missing[0]}` is missing in `{what}`")
        arrays = [given.get(n) for n in names]
    else:
        raise TypeError("Only accept list of NDArrays or dict of str to NDArray")
    for a in arrays:
        if a is not None and not isinstance(a, NDArray):
            raise TypeError("Only accept list of NDArrays or dict of str to NDArray")
        if a is None and not allow_missing:
            raise ValueError(f"{what} contains None")
    return arrays


def _grad_reqs(grad_req: Any, names: list, default: str = "null") -> list:
    if isinstance(grad_req, str):
        reqs = [grad_req] * len(names)
    elif isinstance(grad_req, (list, tuple)):
        if len(grad_req) != len(names):
            raise ValueError(f"grad_req list has {len(grad_req)} entries for {len(names)} arguments")
        reqs = list(grad_req)
    elif isinstance(grad_req, dict):
        reqs = [grad_req.get(n, default) for n in names]
    else:
        raise TypeError(f"grad_req must be a str, list or dict, got {type(grad_req).__name__}")
    for r in reqs:
        if r not in _GRAD_REQS:
            raise ValueError(f"grad_req must be in {_GRAD_REQS}, got {r!r}")
    return reqs


def bind(symbol: "Symbol", ctx: Context, args: Any, args_grad: Any, grad_req: Any,  # noqa: F821
         aux_states: Any) -> Executor:
    """Symbol.bind: an executor over the given arrays (used as they are, not copied)."""
    if not isinstance(ctx, Context):
        raise TypeError("Context type error")
    arg_names, aux_names = symbol.list_arguments(), symbol.list_auxiliary_states()
    arg_arrays = _arrays("args", args, arg_names, False)
    grads = [None] * len(arg_names) if args_grad is None else _arrays("args_grad", args_grad,
                                                                        arg_names, True)
    aux_arrays = _arrays("aux_states", [] if aux_states is None else aux_states, aux_names, False)
    reqs = _grad_reqs(grad_req, arg_names)
    shapes = {n: a.shape for n, a in zip(arg_names + aux_names, arg_arrays + aux_arrays)}
    _, out_shapes, _ = symbol.infer_shape_partial(**{n: shapes[n] for n in arg_names})
    types = {n: a.dtype for n, a in zip(arg_names, arg_arrays)}
    _, out_types, _ = symbol.infer_type_partial(**types)
    out_shapes = out_shapes if all(infer.known(s) for s in out_shapes) else []
    return Executor(symbol, ctx, arg_arrays, grads, reqs, aux_arrays, out_shapes, out_types)


def simple_bind(symbol: "Symbol", ctx: Context, grad_req: Any, type_dict: Optional[dict],  # noqa: F821
                shared_arg_names: Optional[list], shared_exec: Optional[Executor],
                shared_buffer: Optional[dict], shapes: dict) -> Executor:
    """Symbol.simple_bind: infer shapes and types, allocate zero arrays, and bind."""
    arg_shapes, out_shapes, aux_shapes = symbol.infer_shape(**shapes)
    if arg_shapes is None:
        partial = symbol.infer_shape_partial(**shapes)[0]
        unknown = [f"{n}: {s}" for n, s in zip(symbol.list_arguments(), partial) if not infer.known(s)]
        raise MXNetError("simple_bind error. Arguments:\n" +
                         "".join(f"{k}: {v}\n" for k, v in shapes.items()) +
                         "Cannot decide shape for the following arguments (0s in shape means "
                         "unknown dimensions). Consider providing them as input:\n\t" +
                         "\n\t".join(unknown))
    arg_types, out_types, aux_types = symbol.infer_type_partial(**(type_dict or {}))
    arg_names, aux_names = symbol.list_arguments(), symbol.list_auxiliary_states()
    reqs = _grad_reqs(grad_req, arg_names, default="null")
    shared = set(shared_arg_names or []) if shared_exec is not None else set()
    device = ctx.torch_device

    def alloc(shape: tuple, dtype: Any) -> NDArray:
        return NDArray(torch.zeros(shape, dtype=to_torch_dtype(dtype or np.float32), device=device))

    args, grads = [], []
    for name, shape, dtype, req in zip(arg_names, arg_shapes, arg_types, reqs):
        reuse = _reusable(shared_exec.arg_dict.get(name) if name in shared else None, shape)
        if reuse is None and shared_buffer is not None:
            reuse = _reusable(shared_buffer.get(name), shape)
        array = reuse if reuse is not None else alloc(shape, dtype)
        if shared_buffer is not None and name not in shared:
            shared_buffer[name] = array
        args.append(array)
        grad = None
        if req != "null":
            grad = _reusable(shared_exec.grad_dict.get(name) if name in shared else None, shape)
            grad = grad if grad is not None else alloc(shape, dtype)
        grads.append(grad)
    aux = []
    for name, shape, dtype in zip(aux_names, aux_shapes, aux_types):
        reuse = _reusable(shared_exec.aux_dict.get(name), shape) if shared_exec is not None else None
        aux.append(reuse if reuse is not None else alloc(shape, dtype))
    return Executor(symbol, ctx, args, grads, reqs, aux, out_shapes, out_types)


def _reusable(array: Optional[NDArray], shape: tuple) -> Optional[NDArray]:
    return array if array is not None and array.shape == tuple(shape) else None
