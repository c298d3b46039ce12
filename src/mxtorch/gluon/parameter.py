"""Parameters of Gluon blocks: :class:`Parameter`, :class:`Constant` and :class:`ParameterDict`."""
from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any, Iterator, Optional, Sequence

import numpy as np
import torch

from .. import autograd, initializer, ndarray
from ..base import MXNetAssertionError, MXNetError, MXNetValueError
from ..context import Context, cpu, current_context
from ..ndarray import NDArray
from .utils import _brief_print_list, _indent, shape_is_known

__all__ = ["DeferredInitializationError", "Parameter", "Constant", "ParameterDict", "tensor_types"]

tensor_types = (NDArray,)

_NAMING_URL = "https://mxnet.io/api/python/docs/tutorials/packages/gluon/blocks/naming.html"


class DeferredInitializationError(MXNetError):
    """Raised when a parameter's value is asked for before its deferred initialization has run."""


def _as_ctx_list(ctx: Any) -> list:
    if ctx is None:
        return [current_context()]
    if isinstance(ctx, Context):
        return [ctx]
    return list(ctx)


def _assign(arr: NDArray, value: Any) -> None:
    """Write ``value`` into a parameter array in place, outside any recorded graph."""
    src = value._t if isinstance(value, NDArray) else torch.as_tensor(np.asarray(value))
    with torch.no_grad():
        arr._t.copy_(src.to(device=arr._t.device, dtype=arr._t.dtype).expand_as(arr._t))


class Parameter:
    """A named weight of a block, with one array per context and optional gradient buffers.

    Nothing is allocated at construction. :meth:`initialize` creates one copy of the
    value on every context it is given and, unless ``grad_req`` is ``'null'``, a
    gradient buffer of the same shape next to each copy. When the shape still
    has unknown (0) dimensions and ``allow_deferred_init`` is set, the work waits
    until a forward pass has told the block the missing sizes.

    In mxtorch every copy is an :class:`~mxtorch.ndarray.NDArray` backed by a
    ``torch.Tensor``, and gradients are attached through :mod:`mxtorch.autograd`.

    Parameters
    ----------
    name : str
        Full name of the parameter; saved files and symbols use it as the key.
    grad_req : {'write', 'add', 'null'}, default 'write'
        What a backward pass does with this parameter's gradient buffer:
        ``'write'`` overwrites it, ``'add'`` accumulates into it (so the caller
        clears it with :meth:`zero_grad` between iterations) and ``'null'``
        keeps no buffer at all.
    shape : int or tuple of int, default None
        Shape of the value. A 0 marks a dimension that is not known yet.
    dtype : numpy.dtype or str, default 'float32'
        Element type of the value and of its gradient.
    lr_mult : float, default 1.0
        Factor the optimizer applies to its learning rate for this parameter.
    wd_mult : float, default 1.0
        Factor the optimizer applies to its weight decay for this parameter.
    init : Initializer, default None
        Initializer used for this parameter; when None, the one passed to
        :meth:`initialize` as ``default_init`` is used.
    allow_deferred_init : bool, default False
        Allow :meth:`initialize` to wait for the shape to become known.
    differentiable : bool, default True
        When False, ``grad_req`` is always ``'null'``.
    stype : {'default'}, default 'default'
        Storage type of the value. mxtorch stores parameters densely only, so
        anything else raises :class:`~mxtorch.base.MXNetError`.
    grad_stype : {'default', 'row_sparse', 'csr'}, default 'default'
        Storage type MXNet would use for the gradient. mxtorch accepts the
        sparse kinds and keeps the gradient dense; dense optimizers compute the
        same update either way.

    Attributes
    ----------
    grad_req : {'write', 'add', 'null'}
        May be changed at any time; switching to ``'null'`` drops the gradient
        buffers, switching away from it allocates them.
    lr_mult : float
        Learning-rate factor, read by the optimizer at every update.
    wd_mult : float
        Weight-decay factor, read by the optimizer at every update.

    Examples
    --------
    >>> w = mx.gluon.Parameter('weight', shape=(2, 3), init=mx.init.One())
    >>> w.initialize(ctx=mx.cpu(0))
    >>> w.data()
    <BLANKLINE>
    [[1. 1. 1.]
     [1. 1. 1.]]
    <NDArray 2x3 @cpu(0)>
    """

    def __init__(self, name: str, grad_req: str = "write", shape: Any = None,
                 dtype: Any = np.float32, lr_mult: float = 1.0, wd_mult: float = 1.0,
                 init: Any = None, allow_deferred_init: bool = False, differentiable: bool = True,
                 stype: str = "default", grad_stype: str = "default"):
        self._var = None
        self._data: Optional[list] = None
        self._grad: Optional[list] = None
        self._ctx_list: Optional[list] = None
        self._ctx_map: Optional[list] = None
        self._by_ctx: dict = {}  # Context -> NDArray: the per-call lookup of Block.forward
        self._trainer = None
        self._deferred_init: tuple = ()
        self._differentiable = differentiable
        self._allow_deferred_init = allow_deferred_init
        self._grad_req: Optional[str] = None
        if isinstance(shape, int):
            shape = (shape,)
        self._shape = None if shape is None else tuple(shape)
        self.name = name
        self._dtype = dtype
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.grad_req = grad_req
        self.init = init
        if stype != "default":
            raise MXNetError(f"Parameter '{name}': storage type {stype!r} is not supported; "
                             "mxtorch parameters are dense ('default')")
        if grad_stype not in ("default", "row_sparse", "csr"):
            raise ValueError(f"grad_stype for Parameter '{name}' must be one of 'default', "
                             f"'row_sparse', or 'csr', but got '{grad_stype}'")
        # sparse gradients are computed and kept dense: the update is the same for dense optimizers
        self._grad_stype = "default"
        self._stype = stype

    def __repr__(self) -> str:
        return f"Parameter {self.name} (shape={self.shape}, dtype={self.dtype})"

    # -- attributes ---------------------------------------------------------------------------
    @property
    def grad_req(self) -> str:
        """How backward passes treat the gradient: ``'write'``, ``'add'`` or ``'null'``."""
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req: str) -> None:
        if req not in ("write", "add", "null"):
            raise ValueError(f"grad_req must be one of 'write', 'add', or 'null', but got '{req}'")
        if not self._differentiable:
            req = "null"
        if self._grad_req == req:
            return
        self._grad_req = req
        if self._data is not None:
            self._init_grad()

    @property
    def dtype(self) -> Any:
        """Element type of the parameter.

        Assigning a new type converts the stored value and its gradient, as :meth:`cast` does.
        """
        return self._dtype

    @dtype.setter
    def dtype(self, dtype: Any) -> None:
        self.cast(dtype)

    @property
    def shape(self) -> Optional[tuple]:
        """Shape of the parameter, with 0 for each dimension not known yet."""
        return self._shape

    @shape.setter
    def shape(self, new_shape: Sequence[int]) -> None:
        new_shape = tuple(new_shape)
        if self._shape is None:
            self._shape = new_shape
            return
        if len(self._shape) != len(new_shape) or \
                not all(j in (0, i) for i, j in zip(new_shape, self._shape)):
            raise AssertionError(f"Parameter '{self.name}': expected shape {new_shape} is "
                                 f"incompatible with given shape {self._shape}.")
        self._shape = new_shape

    def _set_trainer(self, trainer: Any) -> None:
        """Remember the :class:`~mxtorch.gluon.Trainer` that updates this parameter."""
        self._trainer = trainer

    # -- access ---------------------------------------------------------------------------------
    def _check_and_get(self, arr_list: Optional[list], ctx: Any) -> Any:
        """Pick the array for ``ctx`` out of ``arr_list`` (all of them when ``ctx`` is ``list``),
        with an error that says why when there is none.
        """
        if arr_list is not None:
            if ctx is list:
                return arr_list
            if ctx is None:
                if len(arr_list) == 1:
                    return arr_list[0]
                ctx = current_context()
            ctx_list = self._ctx_map[ctx.device_typeid & 1]
            if ctx.device_id < len(ctx_list):
                idx = ctx_list[ctx.device_id]
                if idx is not None:
                    return arr_list[idx]
            raise RuntimeError(f"Parameter '{self.name}' was not initialized on context {ctx}. "
                               f"It was only initialized on {self._ctx_list}.")
        if self._deferred_init:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because initialization was "
                "deferred. Actual initialization happens during the first forward pass. Please "
                "pass one batch of data through the network before accessing Parameters. You can "
                "also avoid deferred initialization by specifying in_units, num_features, etc., "
                "for network layers.")
        raise RuntimeError(
            f"Parameter '{self.name}' has not been initialized. Note that you should initialize "
            "parameters and create Trainer with Block.collect_params() instead of Block.params "
            "because the later does not include Parameters of nested child Blocks")

    def _data_for(self, ctx: Context) -> NDArray:
        """This parameter's copy on ``ctx`` for a forward pass (the per-call fast path); raises
        :class:`DeferredInitializationError` while its initialization waits for a shape."""
        arr = self._by_ctx.get(ctx)
        if arr is not None:
            return arr
        return self._check_and_get(self._data, ctx)

    def data(self, ctx: Optional[Context] = None) -> NDArray:
        """The value of this parameter on one context.

        Parameters
        ----------
        ctx : Context, optional
            Context whose copy is wanted. May be left out when the parameter lives
            on a single context; otherwise the current context is used.

        Returns
        -------
        NDArray
            The copy held on ``ctx`` (the array itself, not a duplicate).

        Raises
        ------
        DeferredInitializationError
            When initialization is still waiting for the shape.
        RuntimeError
            When the parameter was never initialized, or not on ``ctx``.
        """
        data = self._data
        if ctx is None and data is not None and len(data) == 1:
            return data[0]
        return self._check_and_get(data, ctx)

    def list_data(self) -> list:
        """The values held on every context, in the order the contexts were given.

        Returns
        -------
        list of NDArray
        """
        return self._check_and_get(self._data, list)

    def grad(self, ctx: Optional[Context] = None) -> NDArray:
        """The gradient buffer of this parameter on one context.

        Parameters
        ----------
        ctx : Context, optional
            Context whose buffer is wanted; chosen as in :meth:`data` when left out.

        Returns
        -------
        NDArray

        Raises
        ------
        RuntimeError
            When ``grad_req`` is ``'null'`` or the parameter is not initialized on ``ctx``.
        """
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because "
                               "grad_req='null'")
        return self._check_and_get(self._grad, ctx)

    def list_grad(self) -> list:
        """The gradient buffers on every context, matching :meth:`list_data` one for one.

        Returns
        -------
        list of NDArray
        """
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because "
                               "grad_req='null'")
        return self._check_and_get(self._grad, list)

    def list_ctx(self) -> list:
        """The contexts this parameter lives on (or will live on, while initialization is deferred).

        Returns
        -------
        list of Context
        """
        if self._data is None:
            if self._deferred_init:
                return self._deferred_init[1]
            raise RuntimeError(f"Parameter '{self.name}' has not been initialized")
        return self._ctx_list

    # -- initialization -------------------------------------------------------------------------
    def initialize(self, init: Any = None, ctx: Any = None,
                   default_init: Any = initializer.Uniform(), force_reinit: bool = False) -> None:
        """Allocate the value (and the gradient buffers) on the given contexts.

        An already initialized parameter is left alone, with a warning, unless
        ``force_reinit`` is set. While the shape has unknown dimensions and deferred
        initialization is allowed, the request is recorded and carried out later.

        Parameters
        ----------
        init : Initializer, optional
            Initializer for this call; takes precedence over :attr:`init` and ``default_init``.
        ctx : Context or list of Context, optional
            Where to place copies; the current context when None. Each context gets
            an independent copy; keeping them equal during training is the
            :class:`~mxtorch.gluon.Trainer`'s job.
        default_init : Initializer, default Uniform()
            Fallback used when neither ``init`` nor :attr:`init` is set.
        force_reinit : bool, default False
            Initialize again even if values already exist.

        Raises
        ------
        ValueError
            When the shape is not fully known and deferred initialization is not allowed.

        Examples
        --------
        >>> w = mx.gluon.Parameter('weight', shape=(2, 2), init=mx.init.Zero())
        >>> w.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
        >>> [a.context for a in w.list_data()]
        [cpu(0), cpu(1)]
        """
        if self._data is not None and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. Set "
                          "force_reinit=True to re-initialize.", stacklevel=2)
            return
        self._set_arrays(None, None)
        chosen = next((i for i in (init, self.init) if i is not None), default_init)
        ready = shape_is_known(self.shape)
        if not (ready or self._allow_deferred_init):
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has invalid "
                             f"shape: {self.shape}.")
        # the request is recorded either way; with a known shape it is carried out at once
        self._deferred_init = (chosen, _as_ctx_list(ctx), default_init, None)
        if ready:
            self._finish_deferred_init()

    def _finish_deferred_init(self) -> None:
        """Carry out an initialization that waited for the shape, now that it is known."""
        if not self._deferred_init:
            return
        chosen, contexts, fallback, data = self._deferred_init
        self._deferred_init = ()
        if not shape_is_known(self.shape):
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has invalid "
                             f"shape: {self.shape}. Please specify in_units, in_channels, etc for "
                             "`Block`s.")
        with autograd.pause():
            if data is None:
                data = ndarray.zeros(self.shape, ctx=cpu(), dtype=self.dtype)
                desc = initializer.InitDesc(self.name, {"__init__": chosen})
                initializer.create(fallback)(desc, data)
            self._init_impl(data, contexts)

    def _init_impl(self, data: NDArray, ctx_list: Sequence[Context]) -> None:
        """Place copies of ``data`` on ``ctx_list``, index them by context and create the gradient buffers."""
        ctx_list = list(ctx_list)
        ctx_map: list = [[], []]
        for i, ctx in enumerate(ctx_list):
            dev_list = ctx_map[ctx.device_typeid & 1]
            while len(dev_list) <= ctx.device_id:
                dev_list.append(None)
            dev_list[ctx.device_id] = i
        self._ctx_list, self._ctx_map = ctx_list, ctx_map
        self._set_arrays([data.copyto(ctx) for ctx in ctx_list], None)
        self._init_grad()

    def _set_arrays(self, data: Optional[list], grad: Optional[list]) -> None:
        """The one place data/grad lists change, so the context lookup stays in step."""
        self._data, self._grad = data, grad
        # keyed by Context, not torch device: cpu(0) and cpu(1) share torch's one CPU device but
        # hold separate copies, as MXNet's simulated multi-device training expects
        self._by_ctx = {d.context: d for d in data or ()}

    def _init_grad(self) -> None:
        """Allocate zeroed gradient buffers and attach them via autograd (detach for ``'null'``)."""
        if self.grad_req == "null":
            for d in self._data:
                d._mark_variable(None, "null")
            self._grad = None
            return
        buffers = [NDArray(torch.zeros_like(d._t, memory_format=torch.contiguous_format), d._ctx)
                   for d in self._data]
        self._grad = buffers
        autograd.mark_variables(self._data, buffers, self._grad_req)

    def _reduce(self) -> NDArray:
        """The value averaged over all contexts, as one array on the CPU (used for saving)."""
        block = self.list_data()
        if len(block) == 1:
            return block[0].copyto(cpu())
        with torch.no_grad():
            mean = torch.stack([w._t.detach().cpu() for w in block]).mean(0)
        return NDArray(mean.to(block[0]._t.dtype))

    def _load_init(self, data: NDArray, ctx: Any, cast_dtype: bool = False,
                   dtype_source: str = "current") -> None:
        """Take the value from loaded ``data``, initializing the parameter if needed.

        Parameters
        ----------
        data : NDArray
            Loaded value; its shape must fit the known dimensions of :attr:`shape`.
        ctx : Context or list of Context
            Where the parameter should live; must agree with any earlier placement.
        cast_dtype : bool, default False
            Allow the loaded element type to differ from :attr:`dtype`.
        dtype_source : {'current', 'saved'}, default 'current'
            With ``cast_dtype``, whether the loaded value is converted to this
            parameter's type (``'current'``) or the parameter adopts the file's type
            (``'saved'``).
        """
        if cast_dtype and dtype_source not in ("current", "saved"):
            raise ValueError(f"dtype_source must be 'current' or 'saved', got {dtype_source!r}")
        if self.shape:
            compatible = len(self.shape) == len(data.shape) and all(
                s in (0, d) for s, d in zip(self.shape, data.shape))
            if not compatible:
                raise MXNetAssertionError(f"Failed loading Parameter '{self.name}' from saved params: "
                                     f"shape incompatible expected {self.shape} vs saved "
                                     f"{data.shape}")
            self.shape = tuple(d if s == 0 else s for s, d in zip(self.shape, data.shape))
        if self.dtype and np.dtype(self.dtype).type != data.dtype:
            if cast_dtype and dtype_source == "current":
                data = data.astype(self.dtype, copy=False)
            elif cast_dtype:
                self.dtype = data.dtype
            else:
                raise MXNetAssertionError(f"Failed loading Parameter '{self.name}' from saved params: "
                                     f"dtype incompatible expected {np.dtype(self.dtype)} vs "
                                     f"saved {np.dtype(data.dtype)}. Set cast_dtype=True to cast "
                                     "the dtype of saved params.")
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is None:
            if self._deferred_init:
                if ctx is not None and set(ctx) != set(self._deferred_init[1]):
                    raise AssertionError(f"Failed to load Parameter '{self.name}' on {ctx} "
                                         "because it was previous initialized on "
                                         f"{self.list_ctx()}.")
                ctx = self._deferred_init[1]
            elif ctx is None:
                ctx = [cpu()]
            self._init_impl(data, ctx)
        else:
            if ctx is not None and set(ctx) != set(self.list_ctx()):
                raise AssertionError(f"Failed to load Parameter '{self.name}' on {ctx} because it "
                                     f"was previous initialized on {self.list_ctx()}.")
            self.set_data(data)
        self._deferred_init = ()

    def reset_ctx(self, ctx: Any) -> None:
        """Move the parameter to other contexts, keeping its value.

        With several existing copies, their average is what moves.

        Parameters
        ----------
        ctx : Context or list of Context
            New placement; the current context when None.

        Raises
        ------
        ValueError
            When the parameter has neither been initialized nor had its initialization deferred.
        """
        ctx = _as_ctx_list(ctx)
        if self._data:
            data = self._reduce()
            with autograd.pause():
                self._init_impl(data, ctx)
        elif self._deferred_init:
            pending = list(self._deferred_init)
            pending[1] = ctx
            self._deferred_init = tuple(pending)
        else:
            raise ValueError(f"Cannot reset context for Parameter '{self.name}' because it has "
                             "not been initialized.")

    def set_data(self, data: NDArray) -> None:
        """Overwrite the value on every context with ``data``.

        Called while initialization is deferred, it stores ``data`` to be used in
        place of the initializer. A trainer that keeps its own copy in a kvstore is
        told to refresh it.

        Parameters
        ----------
        data : NDArray
            New value, broadcast to :attr:`shape`.
        """
        self.shape = data.shape
        if self._data is None:
            if not self._deferred_init:
                raise AssertionError(f"Parameter '{self.name}' has not been initialized")
            *request, _ = self._deferred_init
            self._deferred_init = (*request, data)
            return
        trainer = self._trainer
        # with update_on_kvstore the kvstore holds its own copy, which must be refreshed
        if trainer is not None and getattr(trainer, "_kv_initialized", False) and \
                getattr(trainer, "_update_on_kvstore", False) and \
                self not in getattr(trainer, "_params_to_init", ()):
            trainer._reset_kvstore()
        for arr in self._check_and_get(self._data, list):
            _assign(arr, data)

    def zero_grad(self) -> None:
        """Fill every gradient buffer with zeros; does nothing when there are none."""
        if self._grad is None:
            return
        with torch.no_grad():
            torch._foreach_zero_([g._t for g in self._grad])

    def var(self) -> Any:
        """The symbol variable that stands for this parameter in a symbolic graph.

        Created on the first call with the parameter's name, shape, type,
        multipliers and initializer, then reused.

        Returns
        -------
        Symbol
        """
        if self._var is None:
            from .. import symbol  # symbol builds on gluon's siblings; imported when first needed
            attrs = {"shape": self.shape, "dtype": self.dtype, "lr_mult": self.lr_mult,
                     "wd_mult": self.wd_mult, "init": self.init, "stype": self._stype}
            self._var = symbol.var(self.name, **attrs)
        return self._var

    def cast(self, dtype: Any) -> None:
        """Convert the value and gradient buffers to another element type.

        Parameters
        ----------
        dtype : str or numpy.dtype
            Target type, e.g. ``'float16'``.
        """
        self._dtype = dtype
        if self._data is None:
            return
        with autograd.pause():
            self._set_arrays([d.detach().astype(dtype) for d in self._data], None)
            self._init_grad()


class Constant(Parameter):
    """A parameter whose value training leaves as it is.

    Its ``grad_req`` is always ``'null'``, so autograd records no gradient for
    it and a :class:`~mxtorch.gluon.Trainer` never changes it. :meth:`set_data`
    still replaces the value by hand. Blocks usually create one with
    :meth:`ParameterDict.get_constant`.

    Parameters
    ----------
    name : str
        Name of the constant.
    value : array-like
        Its value; the shape and element type are taken from it.

    Examples
    --------
    >>> c = mx.gluon.Constant('c', [[1, 2], [3, 4]])
    >>> c.grad_req
    'null'
    """

    def __init__(self, name: str, value: Any):
        if not isinstance(value, NDArray):
            value = ndarray.array(value)
        self.value = value

        class Init(initializer.Initializer):
            def _init_weight(self, _: str, arr: NDArray) -> None:
                value.copyto(arr)

        init_name = f"Constant_{name}_{id(self)}"
        initializer.alias(init_name)(Init)
        super().__init__(name, grad_req="null", shape=value.shape, dtype=value.dtype,
                         init=init_name)

    def __repr__(self) -> str:
        return f"Constant {self.name} (shape={self.shape}, dtype={self.dtype})"

    @property
    def grad_req(self) -> str:
        """Always ``'null'``; setting anything else warns and is ignored."""
        return "null"

    @grad_req.setter
    def grad_req(self, req: str) -> None:
        if req != "null":
            warnings.warn(f'Constant parameter "{self.name}" does not support grad_req other than '
                          f'"null", and new value "{req}" is ignored.')


class ParameterDict:
    """An ordered mapping from full names to :class:`Parameter` objects, as a block keeps them.

    Parameters
    ----------
    prefix : str, default ''
        Added in front of every name given to :meth:`get` and :meth:`get_constant`.
    shared : ParameterDict or None, default None
        A dictionary looked up before a new parameter is created, so that
        two blocks can use the same weights.

    Examples
    --------
    >>> params = mx.gluon.ParameterDict('net_')
    >>> w = params.get('w', shape=(0, 4))
    >>> params.get('w', shape=(3, 0)) is w, w.shape
    (True, (3, 4))
    """

    def __init__(self, prefix: str = "", shared: Optional["ParameterDict"] = None):
        self._prefix = prefix
        self._params: OrderedDict = OrderedDict()
        self._shared = shared

    def __repr__(self) -> str:
        name = self._prefix + " " if self._prefix else ""
        content = "\n".join([_indent(f"  {v}", 2) for v in self.values()])
        return f"{name}(\n{content}\n)"

    def __getitem__(self, key: str) -> Parameter:
        return self._params[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __contains__(self, key: object) -> bool:
        return key in self._params

    def items(self) -> Any:
        """``(name, Parameter)`` pairs, in the order the parameters were added."""
        return self._params.items()

    def keys(self) -> Any:
        """The full parameter names, in the order the parameters were added."""
        return self._params.keys()

    def values(self) -> Any:
        """The :class:`Parameter` objects, in the order they were added."""
        return self._params.values()

    @property
    def prefix(self) -> str:
        """The string put in front of names passed to :meth:`get`."""
        return self._prefix

    def _get_impl(self, name: str) -> Optional[Parameter]:
        """The parameter called ``name`` here or, failing that, in the shared dictionary (adopting it)."""
        found = self._params.get(name)
        if found is None and self._shared is not None:
            found = self._shared._params.get(name)
            if found is not None:
                self._params[name] = found
        return found

    def get(self, name: str, **kwargs: Any) -> Parameter:
        """Find the parameter ``prefix + name``, creating it when it does not exist.

        The lookup tries this dictionary, then the shared one. A parameter that is
        found must agree with the given keyword arguments: unknown (0) dimensions
        of a shape are filled in from the other, attributes still None are set, and
        any real disagreement raises.

        Parameters
        ----------
        name : str
            Name without this dictionary's prefix.
        **kwargs : dict
            Arguments of :class:`Parameter` for a new one, or expectations for a found one.

        Returns
        -------
        Parameter

        Raises
        ------
        AssertionError
            When a found parameter contradicts ``kwargs``.
        """
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        for attr, wanted in kwargs.items():
            stored = getattr(param, attr, None)
            if stored is None:
                setattr(param, attr, wanted)
                continue
            if attr == "shape" and len(wanted) == len(stored):
                merged = _merge_shapes(tuple(wanted), stored)
                if merged is not None:
                    param._shape = merged
                    continue
            elif attr == "dtype" and np.dtype(wanted) == np.dtype(stored):
                continue
            if wanted is not None and wanted != stored:
                raise AssertionError(
                    f"Cannot retrieve Parameter '{name}' because desired attribute does not "
                    f"match with stored for attribute '{attr}': desired '{wanted}' vs stored "
                    f"'{stored}'.")
        return param

    def get_constant(self, name: str, value: Any = None) -> Constant:
        """Find the constant ``prefix + name``, creating it from ``value`` when it does not exist.

        Parameters
        ----------
        name : str
            Name without this dictionary's prefix.
        value : array-like, optional
            Value of a new constant; for an existing one it must equal the stored value.

        Returns
        -------
        Constant

        Raises
        ------
        KeyError
            When no such constant exists and ``value`` is None.
        AssertionError
            When the name belongs to a non-constant parameter or ``value`` differs from the stored one.
        """
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named '{name}'. Please specify value if you want to "
                               "create a new constant.")
            param = Constant(name, value)
            self._params[name] = param
        elif value is not None:
            if not isinstance(param, Constant):
                raise AssertionError(f"Parameter '{name}' already exists but it is not a constant.")
            value = value.asnumpy() if isinstance(value, NDArray) else np.asarray(value)
            if param.shape != value.shape or not (param.value.asnumpy() == value).all():
                raise AssertionError(f"Constant '{name}' already exists but it's value doesn't "
                                     "match new value")
        return param

    def update(self, other: Any) -> None:
        """Add the parameters of ``other`` to this dictionary.

        Raises
        ------
        AssertionError
            When a name is already taken by a different parameter object.
        """
        for k, v in other.items():
            if k in self._params and self._params[k] is not v:
                raise AssertionError("Cannot update self with other because they have different "
                                     f"Parameters with the same name '{k}'")
        for k, v in other.items():
            self._params[k] = v

    def initialize(self, init: Any = initializer.Uniform(), ctx: Any = None, verbose: bool = False,
                   force_reinit: bool = False) -> None:
        """Initialize every parameter in the dictionary for imperative use.

        Each parameter's own :attr:`Parameter.init` wins; ``init`` serves those that have none.

        Parameters
        ----------
        init : Initializer, default Uniform()
            Fallback initializer.
        ctx : Context or list of Context, optional
            Where to place copies; the current context when None.
        verbose : bool, default False
            Have the initializer log what it does to each parameter.
        force_reinit : bool, default False
            Initialize again parameters that already hold values.
        """
        if verbose:
            init.set_verbosity(verbose=verbose)
        for param in self.values():
            param.initialize(ctx=ctx, default_init=init, force_reinit=force_reinit)

    def zero_grad(self) -> None:
        """Fill the gradient buffers of every parameter with zeros."""
        grads = [g._t for p in self.values() if p.grad_req != "null" and p._grad is not None
                 for g in p._grad]
        if grads:
            with torch.no_grad():
                torch._foreach_zero_(grads)

    def reset_ctx(self, ctx: Any) -> None:
        """Move every parameter to other contexts, keeping the values.

        Parameters
        ----------
        ctx : Context or list of Context
            New placement; the current context when None.
        """
        for i in self.values():
            i.reset_ctx(ctx)

    def list_ctx(self) -> list:
        """Every context on which at least one of the parameters lives.

        Returns
        -------
        list of Context
        """
        s: set = set()
        for i in self.values():
            s.update(i.list_ctx())
        return list(s)

    def setattr(self, name: str, value: Any) -> None:
        """Give one attribute the same value on every parameter.

        Parameters
        ----------
        name : str
            Attribute to set, such as ``'grad_req'`` or ``'lr_mult'``.
        value : object
            Value to assign.

        Examples
        --------
        Freeze a network's weights:

        >>> net = mx.gluon.nn.Dense(2, in_units=3)
        >>> net.collect_params().setattr('grad_req', 'null')
        """
        for i in self.values():
            setattr(i, name, value)

    def save(self, filename: str, strip_prefix: str = "") -> None:
        """Write the parameters to an MXNet ``.params`` file.

        Values on several contexts are averaged first.

        Parameters
        ----------
        filename : str
            Destination path.
        strip_prefix : str, default ''
            Removed from the front of every name before it is written; every name must start with it.

        Raises
        ------
        ValueError
            When a name does not start with ``strip_prefix``.
        """
        arg_dict = {}
        for param in self.values():
            weight = param._reduce()
            if not param.name.startswith(strip_prefix):
                raise ValueError(
                    f"Prefix '{strip_prefix}' is to be striped before saving, but Parameter's name "
                    f"'{param.name}' does not start with '{strip_prefix}'. this may be due to "
                    "your Block shares parameters from other Blocks or you forgot to use 'with "
                    "name_scope()' when creating child blocks. For more info on naming, please "
                    f"see {_NAMING_URL}")
            arg_dict[param.name[len(strip_prefix):]] = weight
        ndarray.save(filename, arg_dict)

    def load(self, filename: str, ctx: Any = None, allow_missing: bool = False,
             ignore_extra: bool = False, restore_prefix: str = "", cast_dtype: bool = False,
             dtype_source: str = "current") -> None:
        """Read parameter values from an MXNet ``.params`` file.

        Parameters
        ----------
        filename : str
            File written by :meth:`save`, ``Block.save_parameters`` or MXNet.
        ctx : Context or list of Context, optional
            Where to place parameters that are not initialized yet.
        allow_missing : bool, default False
            Leave parameters that the file lacks untouched instead of raising.
        ignore_extra : bool, default False
            Skip names in the file that this dictionary lacks instead of raising.
        restore_prefix : str, default ''
            Put in front of every name read from the file; every name here must start with it.
        cast_dtype : bool, default False
            Allow element types in the file to differ from the parameters' types.
        dtype_source : {'current', 'saved'}, default 'current'
            With ``cast_dtype``, which of the two types the result has.

        Raises
        ------
        MXNetValueError
            When the file holds arrays without names.
        """
        if restore_prefix:
            for name in self.keys():
                if not name.startswith(restore_prefix):
                    raise MXNetAssertionError(
                        f"restore_prefix is '{restore_prefix}' but Parameters name '{name}' does "
                        f"not start with '{restore_prefix}'. For more info on naming, please see "
                        f"{_NAMING_URL}")
        loaded = ndarray.load(filename)
        if not isinstance(loaded, dict):
            raise MXNetValueError(f"ParameterDict.load: '{filename}' holds {len(loaded)} arrays "
                                  "without names; it needs a file of named parameters")
        self.load_dict(loaded, ctx, allow_missing, ignore_extra, restore_prefix,
                       filename, cast_dtype, dtype_source)

    def load_dict(self, param_dict: Any, ctx: Any = None, allow_missing: bool = False,
                  ignore_extra: bool = False, restore_prefix: str = "",
                  filename: Optional[str] = None, cast_dtype: bool = False,
                  dtype_source: str = "current") -> None:
        """Set parameter values from a mapping of names to arrays.

        Keys may carry the ``arg:``/``aux:`` prefixes of a Module checkpoint; they
        are dropped before matching.

        Parameters
        ----------
        param_dict : dict
            Name to NDArray (or an iterable of such pairs).
        ctx : Context or list of Context, optional
            Where to place parameters that are not initialized yet.
        allow_missing : bool, default False
            Leave parameters missing from ``param_dict`` untouched instead of raising.
        ignore_extra : bool, default False
            Skip names this dictionary lacks instead of raising.
        restore_prefix : str, default ''
            Put in front of every loaded name before matching.
        filename : str, optional
            Source file, only used to make error messages name it.
        cast_dtype : bool, default False
            Allow loaded element types to differ from the parameters' types.
        dtype_source : {'current', 'saved'}, default 'current'
            With ``cast_dtype``, which of the two types the result has.
        """
        lprefix = len(restore_prefix)
        items = param_dict.items() if isinstance(param_dict, dict) else param_dict
        loaded = [(k[4:] if k.startswith(("arg:", "aux:")) else k, v) for k, v in items]
        arg_dict = {restore_prefix + k: v for k, v in loaded}
        error_str = f"file: {filename}" if filename else "param_dict"
        if not allow_missing:
            for name in self.keys():
                if name not in arg_dict:
                    raise MXNetAssertionError(
                        f"Parameter '{name[lprefix:]}' is missing in {error_str}, which contains "
                        f"parameters: {_brief_print_list(arg_dict.keys())}. Please make sure "
                        "source and target networks have the same prefix.For more info on naming, "
                        f"please see {_NAMING_URL}")
        for name, value in arg_dict.items():
            target = self._params.get(name)
            if target is None:
                if not ignore_extra:
                    raise MXNetAssertionError(
                        f"Parameter '{name[lprefix:]}' loaded from {error_str} is not present in "
                        f"ParameterDict, choices are: {_brief_print_list(self._params.keys())}. "
                        "Set ignore_extra to True to ignore. Please make sure source and target "
                        "networks have the same prefix.For more info on naming, please see "
                        f"{_NAMING_URL}")
                continue
            target._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)


def _merge_shapes(wanted: tuple, existing: tuple) -> Optional[tuple]:
    """Combine two shapes where 0 is unknown; None when they conflict."""
    merged = []
    for dim1, dim2 in zip(wanted, existing):
        if dim1 != dim2 and dim1 > 0 and dim2 > 0:
            return None
        merged.append(dim2 if dim1 == 0 else dim1)
    return tuple(merged)
