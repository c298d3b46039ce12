"""Gluon's building blocks: :class:`Block`, :class:`HybridBlock` and :class:`SymbolBlock`.

A model is a tree of blocks. :class:`Block` runs imperatively on NDArrays; :class:`HybridBlock`
writes its computation once as ``hybrid_forward(F, ...)`` so that it can also be traced into a
Symbol graph, which mxtorch lowers to a torch program (optionally compiled by ``torch.compile``);
:class:`SymbolBlock` wraps an existing Symbol graph, such as one written by
:meth:`HybridBlock.export`, as a block.
"""
from __future__ import annotations

import copy
import itertools
import json
import os
import re
import threading
import warnings
from collections import OrderedDict
from typing import Any, Callable, Optional

import numpy as np
import torch

from .. import autograd, initializer, ndarray, symbol
from .. import name as _name
from ..base import MXNetAssertionError, MXNetError, MXNetValueError
from ..context import Context, context_of
from .._fileio.atomic import write_atomically
from ..ndarray import NDArray
from ..ndarray.ndarray import owned
from ..symbol.compiled import compiled, default_setting, setting_from
from ..symbol.executor import lower
from .parameter import DeferredInitializationError, Parameter, ParameterDict
from .utils import HookHandle, _brief_print_list, _indent, shape_is_known

__all__ = ["Block", "HybridBlock", "SymbolBlock"]


class _OpenScope(threading.local):
    """The innermost ``name_scope()`` entered on this thread (None outside any)."""

    scope: Optional["_BlockScope"] = None


class _BlockScope:
    """What ``with block.name_scope():`` enters: blocks created inside are named after ``block``.

    While it is open, a new block without an explicit prefix gets ``<hint><n>_`` (counted per
    class-name hint within this scope) after the enclosing block's prefix, and its parameters
    live under that prefix, sharing the enclosing block's shared parameters. Symbols created in
    the scope are prefixed too (through :class:`mxtorch.name.Prefix`).
    """

    _open = _OpenScope()

    def __init__(self, block: "Block"):
        self._block = block
        self._counter: dict = {}
        self._old_scope: Optional[_BlockScope] = None
        self._name_scope: Optional[_name.Prefix] = None

    @staticmethod
    def create(prefix: Optional[str], params: Optional[ParameterDict], hint: str) -> tuple:
        """The ``(prefix, ParameterDict)`` of a block being constructed, given what its
        constructor received and the hint (lower-cased class name) for a generated prefix."""
        current = _BlockScope._open.scope
        if current is None:   # a top-level block: the global name manager numbers it
            if prefix is None:
                prefix = _name.current().get(None, hint) + "_"
            full_prefix, param_prefix, shared = prefix, prefix, None
        else:                 # a child: numbered within its parent's scope, named under it
            if prefix is None:
                number = current._counter.get(hint, 0)
                current._counter[hint] = number + 1
                prefix = f"{hint}{number}_"
            parent = current._block
            full_prefix = parent.prefix + prefix
            param_prefix, shared = parent.params.prefix + prefix, parent.params._shared
        if params is not None:   # given parameters are looked up under their own prefix
            param_prefix, shared = params.prefix, params
        return full_prefix, ParameterDict(param_prefix, shared)

    def __enter__(self) -> "_BlockScope":
        if self._block._empty_prefix:  # prefix='' blocks name nothing: the scope is a no-op
            return self
        self._old_scope, _BlockScope._open.scope = _BlockScope._open.scope, self
        symbol_names = _name.Prefix(self._block.prefix)
        symbol_names.__enter__()
        self._name_scope = symbol_names
        return self

    def __exit__(self, *exc: object) -> None:
        if self._block._empty_prefix:
            return
        self._name_scope.__exit__(*exc)
        self._name_scope = None
        _BlockScope._open.scope = self._old_scope


def _flatten(args: Any, inout_str: str) -> tuple:
    """Flatten nested lists/tuples of NDArrays or Symbols into ``(leaves, format)``.

    ``format`` describes the nesting so that :func:`_regroup` can rebuild it: ``0`` for a single
    array or single-output Symbol, ``-1`` for None, the output count for a multi-output Symbol,
    and a list of such codes for a list or tuple. ``inout_str`` ("input" or "output") names the
    side in the error raised for anything else.
    """
    if isinstance(args, NDArray):
        return [args], 0
    if args is None:
        return [None], -1
    if _is_symbol(args):
        length = len(args.list_outputs())
        return [args], length if length > 1 else 0
    if not isinstance(args, (list, tuple)):
        raise ValueError(f"When hybridized, the input of HybridBlock {inout_str} must be (nested) "
                         f"list of Symbol or NDArray, but got {args} of type {type(args)}")
    flat, fmts = [], []
    for i in args:
        arg, fmt = _flatten(i, inout_str)
        flat.extend(arg)
        fmts.append(fmt)
    return flat, fmts


def _regroup(args: list, fmt: Any) -> Any:
    """Rebuild the nesting that :func:`_flatten` recorded as ``fmt`` around the flat ``args``
    (tuples come back as lists)."""
    if not isinstance(fmt, int) and not isinstance(args, (list, tuple)):
        raise ValueError("When hybridized, the output of HybridBlock must be (nested) list of "
                         f"Symbol or NDArray, but got {args} of type {type(args)}")
    taken = 0   # how many of args the codes read so far have consumed

    def build(code: Any) -> Any:
        nonlocal taken
        if not isinstance(code, int):
            return [build(inner) for inner in code]
        if code < -1:
            raise ValueError(f"Unsupported encoded format {code}.")
        start = taken
        taken += 1 if code <= 0 else code
        if code > 0:   # a multi-output Symbol's outputs, kept together
            return args[start:taken]
        if code == -1 and args[start] is not None:
            raise ValueError("We do not support passing types that are not None when the "
                             "initial HybridBlock has received NoneType and has been "
                             f"hybridized. Received arg = {args[start]}, fmt = {code}.")
        return args[start]
    return build(fmt)


def _is_symbol(x: Any) -> bool:
    return isinstance(x, symbol.Symbol)


def _leaves(args: Any) -> Any:
    """The non-list, non-tuple items of a nested structure, depth first."""
    if isinstance(args, (list, tuple)):
        for item in args:
            yield from _leaves(item)
    else:
        yield args


def _input_kinds(args: Any) -> tuple:
    """What a nested input holds: ``(any Symbol, any NDArray, their contexts, the first one)``."""
    any_symbol = False
    contexts: list = []
    for leaf in _leaves(args):
        if isinstance(leaf, NDArray):
            contexts.append(leaf.context)
        elif _is_symbol(leaf):
            any_symbol = True
    return any_symbol, bool(contexts), set(contexts), (contexts[0] if contexts else None)


_CONTEXTS: dict = {}  # torch.device -> Context (re-entrant), so a forward does not build one per call


def _ctx_of(x: NDArray) -> Context:
    """``x.context``, without building a new Context per call for an array that carries none."""
    if x._ctx is not None:
        return x._ctx
    ctx = _CONTEXTS.get(x._t.device)
    if ctx is None:
        ctx = _CONTEXTS[x._t.device] = context_of(x._t.device)
    return ctx


def _annotate(err: Exception, block: "Block", args: tuple) -> None:
    """Add the failing layer, its input shapes and its parameter shapes to an operator error.

    Only the innermost block annotates; the exception keeps its type and traceback.
    """
    if getattr(err, "_gluon_block", None) is not None or not err.args:
        return
    shapes = [a.shape if isinstance(a, NDArray) else type(a).__name__ for a in args]
    params = ", ".join(f"{p.name} {p.shape}" for p in block._reg_params.values()
                       if p is not None)
    note = f"\n  in {type(block).__name__} '{block.name}' with input shape(s) " \
           f"{', '.join(str(s) for s in shapes)}"
    if params:
        note += f"; parameters: {params}"
    err.args = (f"{err.args[0]}{note}",) + tuple(err.args[1:])
    err._gluon_block = block.name


class Block:
    """The base of every Gluon layer and model: subclass it and write :meth:`forward`.

    Blocks form a tree. Assigning a block (or a :class:`Parameter`) to an attribute registers
    it, so that :meth:`collect_params`, :meth:`initialize`, :meth:`save_parameters` and the
    other tree-wide methods reach it; blocks kept inside a plain list or dict are not
    registered (use :meth:`register_child` or a Sequential container). Creating children under
    ``with self.name_scope():`` names them after their parent, e.g. ``model0_dense0_``.

    A :class:`Block` runs its Python ``forward`` imperatively on every call. Derive from
    :class:`HybridBlock` instead when the computation should also be traceable into a graph
    (for :meth:`HybridBlock.hybridize` and :meth:`HybridBlock.export`).

    Parameters
    ----------
    prefix : str, default None
        The name prefix of this block and of its parameters (and of the children created in its
        :meth:`name_scope`). None generates one from the lower-cased class name and a counter,
        such as ``dense0_``. An empty string adds nothing of its own: the block's names are
        its enclosing scope's, and its :meth:`name_scope` changes no names.
    params : ParameterDict, default None
        Parameters to share: the block looks up its parameters there before creating new ones,
        so ``nn.Dense(20, params=other.collect_params())`` uses ``other``'s weights.

    Examples
    --------
    >>> from mxtorch import gluon, nd
    >>> class TwoLayers(gluon.Block):
    ...     def __init__(self, **kwargs):
    ...         super().__init__(**kwargs)
    ...         with self.name_scope():
    ...             self.hidden = gluon.nn.Dense(16, activation="relu")
    ...             self.output = gluon.nn.Dense(3)
    ...     def forward(self, x):
    ...         return self.output(self.hidden(x))
    >>> net = TwoLayers(prefix="model_")
    >>> net.initialize()
    >>> net(nd.ones((2, 5))).shape
    (2, 3)
    >>> sorted(net.collect_params().keys())[:2]
    ['model_dense0_bias', 'model_dense0_weight']
    """

    def __init__(self, prefix: Optional[str] = None, params: Optional[ParameterDict] = None):
        self._empty_prefix = prefix == ""
        prefix, params = _BlockScope.create(prefix, params, self._alias())
        self._prefix, self._params = prefix, params
        self._name = prefix[:-1] if prefix.endswith("_") else prefix
        self._scope = _BlockScope(self)
        self._children: OrderedDict = OrderedDict()
        self._reg_params: dict = {}
        self._forward_hooks: OrderedDict = OrderedDict()
        self._forward_pre_hooks: OrderedDict = OrderedDict()

    def __repr__(self) -> str:
        lines = [f"  ({attr}): {_indent(repr(value), 2)}"
                 for attr, value in vars(self).items() if isinstance(value, Block)]
        body = "\n".join(lines)
        return f"{type(self).__name__}(\n{body}\n)"

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute, registering a :class:`Block` as a child and a :class:`Parameter`
        as one of this block's own; an attribute holding either may only be replaced by a
        value of the same type."""
        existing = getattr(self, name, None)
        if isinstance(existing, (Parameter, Block)):
            if not isinstance(value, type(existing)):
                raise TypeError(f"Changing attribute type for {name} from {type(existing)} to "
                                f"{type(value)}is not allowed.")
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            if name in self._reg_params:
                raise AssertionError(
                    f"Overriding Parameter attribute {name} is not allowed. If you want to share "
                    "parameters between blocks, please set 'params' at Block construction instead.")
            self._reg_params[name] = value
        super().__setattr__(name, value)

    def _check_container_with_block(self) -> None:
        """Warn about blocks held in list/tuple/dict attributes that were never registered."""
        children = set(self._children.values())

        def _unregistered(data: Any) -> bool:
            if isinstance(data, (list, tuple)):
                return any(_unregistered(ele) for ele in data)
            if isinstance(data, dict):
                return any(_unregistered(v) for v in data.values())
            return isinstance(data, Block) and data not in children

        for k, v in self.__dict__.items():
            if isinstance(v, (list, tuple, dict)) and not (k.startswith("__") or k == "_children"):
                if _unregistered(v):
                    warnings.warn(
                        f'"{self.__class__.__name__}.{k}" is an unregistered container with '
                        "Blocks. Note that Blocks inside the list, tuple or dict will not be "
                        "registered automatically. Make sure to register them using "
                        "register_child() or switching to nn.Sequential/nn.HybridSequential "
                        "instead. ", stacklevel=3)

    def _alias(self) -> str:
        return self.__class__.__name__.lower()

    @property
    def prefix(self) -> str:
        """The prefix this block puts in front of its parameters' and children's names."""
        return self._prefix

    @property
    def name(self) -> str:
        """The block's name: its prefix less a trailing underscore (``dense0_`` gives ``dense0``)."""
        return self._name

    def name_scope(self) -> _BlockScope:
        """The context manager under which children are created so that they carry this
        block's prefix.

        Use it in a ``with`` statement in ``__init__``: blocks built inside are named
        ``<prefix><class><n>_`` and symbols built inside get the prefix too.

        Returns
        -------
        context manager
            Entering it makes this block the current scope until exit.
        """
        return self._scope

    @property
    def params(self) -> ParameterDict:
        """The :class:`ParameterDict` of this block's own parameters; see :meth:`collect_params`
        for those of the whole tree."""
        return self._params

    def collect_params(self, select: Optional[str] = None) -> ParameterDict:
        """A :class:`ParameterDict` of the parameters of this block and all its descendants.

        Parameters
        ----------
        select : str, default None
            A regular expression; when given, only parameters whose full name matches it from
            the start (``re.match``) are collected, e.g. ``'.*weight|.*bias'`` or
            ``'conv0_weight|dense0_bias'``.

        Returns
        -------
        ParameterDict
            The parameters, keyed by their full (prefixed) names, with this block's prefix.

        Examples
        --------
        >>> from mxtorch import gluon
        >>> net = gluon.nn.Dense(4, in_units=2, prefix="fc_")
        >>> list(net.collect_params(".*weight").keys())
        ['fc_weight']
        """
        self._check_container_with_block()
        ret = ParameterDict(self._params.prefix)
        if not select:
            ret.update(self.params)
        else:
            pattern = re.compile(select)
            ret.update({name: value for name, value in self.params.items() if pattern.match(name)})
        for cld in self._children.values():
            ret.update(cld.collect_params(select=select))
        return ret

    def _collect_params_with_prefix(self, prefix: str = "") -> dict:
        """Parameters by structural name: attribute names joined by dots (``0.weight``,
        ``features.conv1.bias``), the names :meth:`save_parameters` writes."""
        head = f"{prefix}." if prefix else ""
        found = {head + attr: param for attr, param in self._reg_params.items()}
        for child_name, child in self._children.items():
            found.update(child._collect_params_with_prefix(head + child_name))
        return found

    def save_parameters(self, filename: str, deduplicate: bool = False) -> None:
        """Write the parameters of this block and its descendants to an MXNet ``.params`` file.

        Each array is stored under its structural name (the attribute path, such as
        ``features.0.weight``), not its prefixed name, so :meth:`load_parameters` can read it
        into another instance of the same model whatever its prefix. Only the values are
        written; for the network structure as well use :meth:`HybridBlock.export`.

        Parameters
        ----------
        filename : str
            The file to write.
        deduplicate : bool, default False
            Write a parameter shared by several blocks once (under the last of its names)
            instead of once per block that holds it.
        """
        params = self._collect_params_with_prefix()
        if deduplicate:
            last_name: dict = {}
            for key, param in params.items():
                last_name[param] = key
            params = {key: param for param, key in last_name.items()}
        ndarray.save(filename, {key: val._reduce() for key, val in params.items()})

    def load_parameters(self, filename: str, ctx: Any = None, allow_missing: bool = False,
                        ignore_extra: bool = False, cast_dtype: bool = False,
                        dtype_source: str = "current") -> None:
        """Read values written by :meth:`save_parameters` into this block's parameters.

        Files whose names carry no dot (written by the deprecated :meth:`save_params`, or by
        :meth:`ParameterDict.save`) are read by prefixed name instead, this block's prefix
        being added back.

        Parameters
        ----------
        filename : str
            The ``.params`` file to read.
        ctx : Context or list of Context, default None
            Where to place the loaded values. None keeps the contexts a parameter was (or is
            waiting to be) initialized on, and uses ``cpu()`` for one never initialized; a
            different placement from an earlier one is an error.
        allow_missing : bool, default False
            Leave parameters the file lacks untouched instead of raising.
        ignore_extra : bool, default False
            Skip arrays in the file that match no parameter instead of raising.
        cast_dtype : bool, default False
            Convert loaded arrays to another dtype (see ``dtype_source``) instead of requiring
            them to match.
        dtype_source : str, default 'current'
            With ``cast_dtype``: ``'current'`` keeps each parameter's dtype, ``'saved'`` takes
            the file's.

        Raises
        ------
        MXNetError
            When a parameter is missing from the file, or the file holds an unknown name, and
            the corresponding flag does not allow it.
        """
        loaded = ndarray.load(filename)
        if not isinstance(loaded, dict):
            raise MXNetValueError(f"load_parameters: '{filename}' holds {len(loaded)} arrays without "
                                  "names; it needs a file of named parameters (save_parameters, export)")
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if not any("." in i for i in loaded.keys()):
            # no structural names: the file predates save_parameters and keys by prefixed name
            del loaded
            self.collect_params().load(filename, ctx, allow_missing, ignore_extra, self.prefix,
                                       cast_dtype=cast_dtype, dtype_source=dtype_source)
            return
        if not allow_missing:
            # deduplicate=True saves a shared parameter under one of its names only: a
            # parameter is there when any of its names is
            in_file = {params[key] for key in loaded if key in params}
            for name, param in params.items():
                if param not in in_file:
                    raise MXNetAssertionError(
                        f"Parameter '{name}' is missing in file '{filename}', which contains "
                        f"parameters: {_brief_print_list(loaded.keys())}. Set allow_missing=True "
                        "to ignore missing parameters.")
        for name, value in loaded.items():
            target = params.get(name)
            if target is None:
                if ignore_extra:
                    continue
                raise MXNetValueError(
                    f"Parameter '{name}' loaded from file '{filename}' is not present in "
                    f"ParameterDict, which contains parameters {_brief_print_list(params.keys())}. "
                    "Set ignore_extra=True to ignore. ")
            target._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)

    def save_params(self, filename: str) -> None:
        """Deprecated alias that writes parameters by prefixed name; use :meth:`save_parameters`.

        Kept for old scripts: the file is keyed by full names less this block's prefix, as
        :meth:`ParameterDict.save` writes them, and a warning is emitted. To reload the network
        as a :class:`SymbolBlock`, use :meth:`HybridBlock.export` instead.

        Parameters
        ----------
        filename : str
            The file to write.
        """
        warnings.warn("save_params is deprecated. Please use save_parameters. Note that if you "
                      "want load from SymbolBlock later, please use export instead.")
        everything = self.collect_params()
        try:
            everything.save(filename, strip_prefix=self.prefix)
        except ValueError as e:
            raise ValueError(f"{e}\nsave_params is deprecated. Using save_parameters may resolve "
                             "this error.") from None

    def load_params(self, filename: str, ctx: Any = None, allow_missing: bool = False,
                    ignore_extra: bool = False) -> None:
        """Deprecated alias of :meth:`load_parameters` (which also reads the files
        :meth:`save_params` wrote); emits a warning.

        Parameters
        ----------
        filename : str
            The ``.params`` file to read.
        ctx : Context or list of Context, default None
            Where to place the loaded values.
        allow_missing : bool, default False
            Leave parameters the file lacks untouched instead of raising.
        ignore_extra : bool, default False
            Skip arrays in the file that match no parameter instead of raising.
        """
        warnings.warn("load_params is deprecated. Please use load_parameters.")
        self.load_parameters(filename, ctx=ctx, allow_missing=allow_missing,
                             ignore_extra=ignore_extra)

    def register_child(self, block: "Block", name: Optional[str] = None) -> None:
        """Add ``block`` as a child, under ``name`` or, when None, under the next index
        (``'0'``, ``'1'``...). Assigning a block to an attribute does this already; call it for
        children kept elsewhere."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def register_forward_pre_hook(self, hook: Callable) -> HookHandle:
        """Call ``hook(block, inputs)`` just before each :meth:`forward` of this block.

        ``inputs`` is the tuple of positional arguments; the hook should leave it unchanged.
        A hybridized block's children run inside its graph, so hooks on them do not fire.

        Parameters
        ----------
        hook : callable
            The function to call.

        Returns
        -------
        HookHandle
            Call its ``detach()`` to remove the hook.
        """
        handle = HookHandle()
        handle.attach(self._forward_pre_hooks, hook)
        return handle

    def register_forward_hook(self, hook: Callable) -> HookHandle:
        """Call ``hook(block, inputs, outputs)`` just after each :meth:`forward` of this block.

        The hook sees the positional arguments and the result and should change neither.
        A hybridized block's children run inside its graph, so hooks on them do not fire.

        Parameters
        ----------
        hook : callable
            The function to call.

        Returns
        -------
        HookHandle
            Call its ``detach()`` to remove the hook.
        """
        handle = HookHandle()
        handle.attach(self._forward_hooks, hook)
        return handle

    def apply(self, fn: Callable) -> "Block":
        """Call ``fn(block)`` on every descendant, children before parents, and last on this
        block.

        Parameters
        ----------
        fn : callable
            Receives each block in turn; its return value is ignored.

        Returns
        -------
        Block
            This block, so that calls can be chained.
        """
        for cld in self._children.values():
            cld.apply(fn)
        fn(self)
        return self

    def initialize(self, init: Any = initializer.Uniform(), ctx: Any = None, verbose: bool = False,
                   force_reinit: bool = False) -> None:
        """Initialize the parameters of this block and its descendants; the same as
        ``self.collect_params().initialize(...)``.

        Parameters whose shape is not known yet (``in_units=0``...) are initialized at the
        first forward pass, when the input fixes it.

        Parameters
        ----------
        init : Initializer, default Uniform()
            Used for each parameter that has no initializer of its own (its ``init``).
        ctx : Context or list of Context, default None
            Device(s) to hold a copy of every parameter; None means the current context.
        verbose : bool, default False
            Have ``init`` log a statistic of every array it fills.
        force_reinit : bool, default False
            Initialize again parameters that already have values (otherwise they are skipped
            with a warning).
        """
        params = self.collect_params()
        params.initialize(init=init, ctx=ctx, verbose=verbose, force_reinit=force_reinit)

    def hybridize(self, active: bool = True, **kwargs: Any) -> None:
        """Pass :meth:`HybridBlock.hybridize`'s arguments on to every child; a plain
        :class:`Block` itself always runs imperatively."""
        for cld in self._children.values():
            cld.hybridize(active, **kwargs)

    def save(self, prefix: str) -> None:
        """Write the block tree's layout and its parameters, for :meth:`load` on a freshly
        built copy of the same model.

        ``<prefix>-model.json`` records, for every block in the tree (depth first), its class
        name, its name, its children's attribute names and, for a hybridized block that has
        run, its traced graph and input/output formats; ``<prefix>-model.params`` holds the
        parameters as :meth:`save_parameters` writes them. The Python code of the blocks is not
        saved: :meth:`load` needs the model built again first.

        Parameters
        ----------
        prefix : str
            Path prefix of the two files.
        """
        numbers = itertools.count()
        tree: dict = {}

        def describe(blk: Block, parent: dict) -> None:
            # the layout of MXNet's file: a block's record sits in its parent's under
            # "<class><preorder number>", after the parent's own keys
            record: dict = {"orig_name": blk.name}
            parent[_record_key(blk, next(numbers))] = record
            if isinstance(blk, HybridBlock):
                if blk._cached_graph:
                    inputs, graph = blk._cached_graph
                    record.update(in_format=blk._in_format, out_format=blk._out_format,
                                  inputs=[var.tojson() for var in inputs], symbol=graph.tojson())
                record["hybridized"] = bool(blk._cached_graph)
            record["children"] = {child.name: attr for attr, child in blk._children.items()}
            for child in blk._children.values():
                describe(child, record)

        describe(self, tree)
        write_atomically(prefix + "-model.json", json.dumps(tree).encode())
        self.save_parameters(prefix + "-model.params")

    def load(self, prefix: str) -> None:
        """Restore what :meth:`save` wrote into this block, which must be built the same way
        (same classes, children created in the same order).

        Each block takes back its saved name (its parameters and children are renamed to
        match), a saved traced graph is reinstated as the block's hybridized graph, and the
        parameters are then read with :meth:`load_parameters`.

        Parameters
        ----------
        prefix : str
            Path prefix of ``<prefix>-model.json`` and ``<prefix>-model.params``.
        """
        with open(prefix + "-model.json") as fp:
            tree = json.load(fp)
        numbers = itertools.count()

        def restore(blk: Block, parent: dict) -> None:
            record = parent[_record_key(blk, next(numbers))]
            blk._name = record["orig_name"]
            if isinstance(blk, HybridBlock) and record["hybridized"]:
                blk._in_format, blk._out_format = record["in_format"], record["out_format"]
                inputs = [symbol.load_json(text) for text in record["inputs"]]
                blk._cached_graph = (inputs, symbol.load_json(record["symbol"]))
                blk._active = True
            # the parameters take the saved name in place of the current prefix, in place
            own, cut, head = blk.params._params, len(blk.params._prefix), blk.name + "_"
            for key in list(own):
                own[head + key[cut:]] = own.pop(key)
            for child in blk._children.values():
                restore(child, record)
            # children go back under their saved attribute names (their names are restored)
            attr_of = record["children"]
            for key in list(blk._children):
                child = blk._children.pop(key)
                blk._children[attr_of[child.name]] = child

        restore(self, tree)
        self.load_parameters(prefix + "-model.params")

    def cast(self, dtype: Any) -> None:
        """Convert every parameter of this block and its descendants to ``dtype``.

        Parameters
        ----------
        dtype : str or numpy.dtype
            The target type, such as ``'float16'``.
        """
        for child in self._children.values():
            child.cast(dtype)
        for _, param in self.params.items():
            param.cast(dtype)

    def __call__(self, *args: Any) -> Any:
        """Run :meth:`forward` on the positional arguments, with the registered pre-hooks
        before and forward hooks after."""
        if self._forward_pre_hooks:
            for hook in list(self._forward_pre_hooks.values()):
                hook(self, args)
        out = self.forward(*args)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                hook(self, args, out)
        return out

    def forward(self, *args: Any) -> Any:
        """The computation of this block, to be written by subclasses on NDArrays.

        Parameters
        ----------
        *args : NDArray
            The inputs, as given to the call (positional only).

        Returns
        -------
        NDArray or nested list of NDArray
            Whatever the subclass computes.
        """
        raise NotImplementedError

    def summary(self, *inputs: Any) -> None:
        """Run one forward pass on ``inputs`` and print a table of every layer's output
        shape and parameter count.

        The table ends with totals of all, trainable and shared parameters. Sequential
        containers get no row of their own (their children do). The block must be initialized
        and not hybridized (its children would run inside the graph, out of sight of the
        hooks that collect the rows).

        Parameters
        ----------
        *inputs : NDArray
            Inputs for the forward pass, as the block is called with them.

        Raises
        ------
        AssertionError
            When a block of the tree is hybridized.
        """
        summary: OrderedDict = OrderedDict()
        seen: set = set()
        hooks: list = []

        def _summary_hook(block: Block, _: Any, outputs: Any) -> None:
            m_key = f"{block.__class__.__name__}-{len(summary)}"
            entry = summary[m_key] = OrderedDict()
            entry["output_shape"] = _shape_str(outputs)
            params = trainable = shared = 0
            for p in block.params.values():
                size = p.data().size
                params += size
                trainable += 0 if p.grad_req == "null" else size
                if p in seen:
                    shared += size
                else:
                    seen.add(p)
            entry.update(trainable=trainable, shared=shared, n_params=params)

        def _register_summary_hook(block: Block) -> None:
            if isinstance(block, HybridBlock) and block._active:
                raise AssertionError(f'"{block.name}" must not be hybridized to print summary.')
            from .nn.basic_layers import HybridSequential, Sequential
            if isinstance(block, (Sequential, HybridSequential)):
                return   # a container's rows are its children's
            handle = block.register_forward_hook(_summary_hook)
            hooks.append(handle)

        summary["Input"] = OrderedDict(output_shape=_shape_str(inputs), n_params=0, trainable=0,
                                       shared=0)
        try:
            self.apply(_register_summary_hook)
            self(*inputs)
            _print_summary(summary)
        finally:
            for h in hooks:
                h.detach()


def _shape_str(args: Any) -> str:
    """Shapes of a nested structure of arrays as MXNet's summary prints them."""
    def shapes(a: Any) -> Any:
        if isinstance(a, (list, tuple)):
            return [shapes(i) for i in a]
        return a.shape if isinstance(a, NDArray) else a
    result = shapes(args)
    text = str(result)[1:-1] if isinstance(result, list) else str(result)
    return text.replace("L", "")


def _record_key(blk: Block, number: int) -> str:
    """The key of a block's record in :meth:`Block.save`'s file: its lower-cased class name
    and its position in a depth-first walk of the tree (the root is 0)."""
    return f"{type(blk).__name__.lower()}{number}"


def _print_summary(summary: OrderedDict) -> None:
    """Print the rows :meth:`Block.summary` collected, in MXNet's layout, then the totals."""
    line_format = "{:>20}  {:>42} {:>15}"
    print("-" * 80)
    print(line_format.format("Layer (type)", "Output Shape", "Param #"))
    print("=" * 80)
    total = trainable = shared = 0
    for layer, entry in summary.items():
        print(line_format.format(layer, str(entry["output_shape"]), entry["n_params"]))
        total += entry["n_params"]
        trainable += entry["trainable"]
        shared += entry["shared"]
    print("=" * 80)
    print("Parameters in forward computation graph, duplicate included")
    print("   Total params: " + str(total))
    print("   Trainable params: " + str(trainable))
    print("   Non-trainable params: " + str(total - trainable))
    print("Shared params in forward computation graph: " + str(shared))
    print("Unique parameters in model: " + str(total - shared))
    print("-" * 80)


class HybridBlock(Block):
    """A block whose computation can run imperatively or as a traced graph.

    Subclasses write ``hybrid_forward(self, F, x, *args, **params)`` instead of ``forward``:
    ``F`` is :mod:`mxtorch.ndarray` or :mod:`mxtorch.symbol`, and each parameter registered on
    the block arrives as a keyword argument named after its attribute (``weight=...``), as an
    NDArray on the input's context or as a Symbol variable. Code that only uses ``F``'s
    operators on its inputs works both ways; reading values (``asnumpy()``, ``shape``),
    indexing, or branching on data ties the block to the imperative path. All children must
    be hybrid blocks too.

    Until :meth:`hybridize` is called the block behaves like a :class:`Block`. After it, the
    first call traces ``hybrid_forward`` with ``F = mx.sym`` into one Symbol graph (the graph
    :meth:`export` writes), which mxtorch's executor lowers once into a torch program; later
    calls run that program on the inputs and the parameters' current arrays, for any input
    shape, recording for autograd as the imperative path does. Where MXNet hands the graph to
    its CachedOp, mxtorch compiles the program with ``torch.compile`` as
    ``hybridize(backend=...)`` or the ``MXTORCH_COMPILE`` environment variable says, once per
    input shape (see :mod:`mxtorch.symbol.compiled`).

    Parameters
    ----------
    prefix : str, default None
        The name prefix, as for :class:`Block`.
    params : ParameterDict, default None
        Parameters to share, as for :class:`Block`.

    Examples
    --------
    >>> import mxtorch as mx
    >>> from mxtorch import gluon
    >>> class Scale(gluon.HybridBlock):
    ...     def __init__(self, **kwargs):
    ...         super().__init__(**kwargs)
    ...         with self.name_scope():
    ...             self.dense = gluon.nn.Dense(4)
    ...             self.gain = self.params.get("gain", shape=(1,), init=mx.init.One())
    ...     def hybrid_forward(self, F, x, gain):
    ...         return F.broadcast_mul(F.relu(self.dense(x)), gain)
    >>> net = Scale()
    >>> net.initialize()
    >>> net.hybridize()
    >>> net(mx.nd.ones((2, 3))).shape
    (2, 4)
    """

    def __init__(self, prefix: Optional[str] = None, params: Optional[ParameterDict] = None):
        super().__init__(prefix=prefix, params=params)
        self._cached_graph: tuple = ()
        self._cached_op = None
        self._cached_op_args: list = []
        self._out_format = None
        self._in_format = None
        self._active = False
        self._flags: list = []
        self._callback = None
        self._monitor_all = False
        self._backend = None
        self._backend_opts: dict = {}
        self._compile = None      # CompileSetting from hybridize(backend=...); None: the default
        self._cached_runner = None
        self._runner_device = None

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute as :class:`Block` does; a new hybrid child also drops the traced
        graph, which no longer describes the block."""
        super().__setattr__(name, value)
        if isinstance(value, HybridBlock):
            self._clear_cached_op()

    def _clear_cached_op(self) -> None:
        """Forget the traced graph and its lowered program: the next hybridized call traces
        again."""
        self._cached_graph = ()
        self._cached_op = None
        self._cached_runner = None
        self._cached_op_args = []

    def register_child(self, block: Block, name: Optional[str] = None) -> None:
        """Add a child as :meth:`Block.register_child` does; it must be a
        :class:`HybridBlock`, since it runs inside this block's graph."""
        if not isinstance(block, HybridBlock):
            raise ValueError(
                f"Children of HybridBlock must also be HybridBlock, but {block} has type "
                f"{type(block)}. If you are using Sequential, please try HybridSequential instead.")
        super().register_child(block, name)
        self._clear_cached_op()

    def hybridize(self, active: bool = True, backend: Optional[str] = None, clear: bool = True,
                  static_alloc: bool = False, static_shape: bool = False, inline_limit: int = 2,
                  forward_bulk_size: Optional[int] = None,
                  backward_bulk_size: Optional[int] = None, **kwargs: Any) -> None:
        """Switch graph execution on or off for this block and, recursively, its children.

        With ``active`` the next call traces the block into a Symbol graph and later calls run
        the lowered (and possibly compiled) program. Forward hooks on a block that runs inside
        a parent's graph do not fire, hence the warning for a hybridized block with hooks.

        Parameters
        ----------
        active : bool, default True
            True to run as a graph, False to go back to imperative execution.
        backend : str, default None
            How the graph is compiled: a ``torch.compile`` backend (``'inductor'``,
            ``'aot_eager'``...), an Inductor mode (``'max-autotune'``), ``'1'`` for Inductor or
            ``'0'`` for the eager executor. None leaves it to the ``MXTORCH_COMPILE``
            environment variable (unset: Inductor on CUDA, eager on the CPU). MXNet takes a
            subgraph backend name here; mxtorch has none of those.
        clear : bool, default True
            Drop the graph traced so far, so that the next call traces again.
        static_alloc : bool, default False
            Together with ``static_shape``, asks for a graph compiled by Inductor on CUDA to be
            captured as CUDA graphs (``mode='reduce-overhead'``), the closest torch has to
            MXNet's static memory planning.
        static_shape : bool, default False
            See ``static_alloc``; inputs of a new shape still work (a new capture).
        inline_limit : int, default 2
            Recorded for compatibility; MXNet's subgraph inlining has no counterpart here.
        forward_bulk_size : int, default None
            Recorded for compatibility; the torch program is not split into bulk segments.
        backward_bulk_size : int, default None
            Recorded for compatibility, as ``forward_bulk_size``.
        **kwargs
            Options for the backend: ``mode`` (an Inductor mode) and Inductor configuration
            options, passed to ``torch.compile``.
        """
        self._compile = None if backend is None else setting_from(backend, kwargs, "hybridize")
        self._cached_runner = None   # chosen again under the new setting, even with clear=False
        if kwargs:
            self._backend_opts = kwargs
        self._backend = backend
        self._active = active
        flags = {"static_alloc": static_alloc, "static_shape": static_shape,
                 "inline_limit": inline_limit}
        for key, size in (("forward_bulk_size", forward_bulk_size),
                          ("backward_bulk_size", backward_bulk_size)):
            if size is not None:   # MXNet lists a bulk size only when one is given
                flags[key] = size
        self._flags = list(flags.items())
        if clear:
            self._clear_cached_op()
        if active and (self._forward_hooks or self._forward_pre_hooks):
            warnings.warn(f'"{self}" is being hybridized while still having forward hook/pre-hook. '
                          f'If "{self}" is a child of HybridBlock, the hooks will not take effect.')
        super().hybridize(active, static_alloc=static_alloc, static_shape=static_shape,
                          inline_limit=inline_limit, forward_bulk_size=forward_bulk_size,
                          backward_bulk_size=backward_bulk_size)

    def cast(self, dtype: Any) -> None:
        """Convert the parameters as :meth:`Block.cast` does, dropping the traced graph (its
        types change)."""
        self._clear_cached_op()
        super().cast(dtype)

    def _param_vars(self) -> dict:
        """The block's own parameters as Symbol variables, keyed by attribute name."""
        return {attr: param.var() for attr, param in self._reg_params.items()}

    def forward(self, x: Any, *args: Any) -> Any:
        """Dispatch a call: the hybridized program, ``hybrid_forward`` on NDArrays, or
        ``hybrid_forward`` on Symbols (building a graph), according to the inputs.

        Parameters
        ----------
        x : NDArray or Symbol
            The first input.
        *args : NDArray, Symbol, None or nested lists of them
            Further inputs, all of the same kind as ``x`` (None allowed).

        Returns
        -------
        NDArray, Symbol or nested list of them
            What ``hybrid_forward`` returns.

        Raises
        ------
        ValueError
            When NDArrays and Symbols are mixed, when there is neither, or when a hybridized
            block gets NDArrays on more than one context.
        """
        if isinstance(x, NDArray):
            if self._active:
                return self._call_cached_op(x, *args)
            return self._forward_ndarray(_ctx_of(x), x, args)
        has_symbol, has_ndarray, ctx_set, first_ctx = _input_kinds([x, *args])
        if has_symbol and has_ndarray:
            raise ValueError("In HybridBlock, we do not support mixed NDArrays and Symbols types "
                             "for the input. Please check the type of the args.\n")
        if has_ndarray:
            if self._active:
                if len(ctx_set) > 1:
                    raise ValueError("Find multiple contexts in the input, After hybridized, the "
                                     "HybridBlock only supports one input context. You can print "
                                     "the ele.ctx in the input arguments to inspect their "
                                     f"contexts. Find all contexts = {ctx_set}")
                return self._call_cached_op(x, *args)
            return self._forward_ndarray(first_ctx, x, args)
        if not has_symbol:
            raise ValueError("In HybridBlock, there must be one NDArray or one Symbol in the input."
                             " Please check the type of the args.\n")
        with self.name_scope():
            return self.hybrid_forward(symbol, x, *args, **self._param_vars())

    def _forward_ndarray(self, ctx: Context, x: Any, args: tuple) -> Any:
        """Imperative forward: ``hybrid_forward`` with ``F = mxtorch.ndarray`` and the
        parameters' copies on ``ctx``.

        On the first call a parameter may still wait for its shape: reading it raises
        :class:`DeferredInitializationError`, and the block then infers the shapes through its
        traced graph, finishes initializing its own parameters in the order they were created
        (children finish theirs when they run) and reads them again.
        """
        try:
            arrays = {k: p._data_for(ctx) for k, p in self._reg_params.items()}
        except (DeferredInitializationError, RuntimeError) as err:
            arrays = self._params_on_first_call(ctx, err, x, args)
        # the input's context is current, so F.zeros(...) and friends inside land beside it
        with ctx:
            try:
                return self.hybrid_forward(ndarray, x, *args, **arrays)
            except (MXNetError, RuntimeError, ValueError) as err:
                if not isinstance(err, DeferredInitializationError):
                    _annotate(err, self, (x,) + args)
                raise

    def _params_on_first_call(self, ctx: Context, err: Exception, x: Any, args: tuple) -> dict:
        """The parameters' copies on ``ctx`` once deferred initialization has finished, ``err``
        being what reading them raised. Errors leave with their own message (no layer note
        added by the blocks they pass through), as MXNet reports them."""
        try:
            if not isinstance(err, DeferredInitializationError):
                raise err
            self._deferred_infer_shape(x, *args)
            for param in self.params.values():
                param._finish_deferred_init()
            return {k: p._data_for(ctx) for k, p in self._reg_params.items()}
        except Exception as failure:
            failure._gluon_block = self.name
            raise

    # -- the hybridized path: trace once into a Symbol, run it through the executor -------------
    def _get_graph(self, *args: Any) -> tuple:
        """The traced graph ``(input variables, output symbol)``, built on first use.

        ``hybrid_forward`` runs once with ``F = mx.sym``: the inputs are variables named ``data``
        (one input) or ``data0``, ``data1``... (several), the parameters their ``var()``.
        """
        if self._cached_graph:
            return self._cached_graph
        leaves, self._in_format = _flatten(args, "input")
        present = sum(leaf is not None for leaf in leaves)
        if present == 0:
            raise ValueError("All args are None and we do not support such a case. "
                             f"Received args={args}")
        variables: list = []
        stand_ins: list = []   # the leaves with each array replaced by its variable
        for leaf in leaves:
            if leaf is not None:
                variables.append(symbol.var("data" if present == 1 else f"data{len(variables)}"))
                leaf = variables[-1]
            stand_ins.append(leaf)
        with self.name_scope():
            out = self.hybrid_forward(symbol, *_regroup(stand_ins, self._in_format),
                                      **self._param_vars())
        outputs, self._out_format = _flatten(out, "output")
        self._cached_graph = variables, symbol.Group(outputs)
        return self._cached_graph

    def _graph_params(self, out: Any, data_names: dict) -> dict:
        """The Parameters the graph reads, by name in the graph's input order (the order deferred
        initialization draws their values in); warns about unused inputs and parameters."""
        params = self.collect_params()
        input_names = out.list_inputs()
        for name in input_names:
            if name not in params and name not in data_names:
                raise AssertionError(f"Unknown input to HybridBlock: {name}")
        used = set(input_names)
        unused = [f"{i}-th" for name, i in data_names.items() if name not in used]
        if unused:
            warnings.warn(f"The {', '.join(unused)} input to HybridBlock is not used by any "
                          "computation. Is this intended?", stacklevel=5)
        unused = [name for name in params.keys() if name not in used]
        if unused:
            warnings.warn(f"Parameter {', '.join(unused)} is not used by any computation. "
                          "Is this intended?", stacklevel=5)
        return {name: params[name] for name in input_names if name not in data_names}

    def _build_cache(self, *args: Any) -> None:
        """Trace the graph, finish deferred initialization through it, and lower it once.

        ``_cached_op_args`` says where each input of the lowered program comes from, in its
        order (arguments, then auxiliary states): ``(True, i)`` the i-th data input,
        ``(False, param)`` a Parameter, whose current array is read at each call.
        """
        inputs, out = self._get_graph(*args)
        data_names = {data.name: i for i, data in enumerate(inputs)}
        params = self._graph_params(out, data_names)
        try:
            try:
                for param in params.values():
                    param.list_data()
            except DeferredInitializationError:
                self._deferred_infer_shape(*args)
                for param in params.values():
                    param._finish_deferred_init()
        except Exception as err:  # reported as is, as in the imperative path
            err._gluon_block = self.name
            raise
        program = lower(out)
        self._cached_op_args = [(True, data_names[name]) if name in data_names else (False, params[name])
                                for name in program.arg_names + program.aux_names]
        self._cached_op = program
        self._cached_runner = None   # chosen per device on the call (_runner_for)

    def _deferred_infer_shape(self, *args: Any) -> None:
        try:
            self.infer_shape(*args)
        except Exception as e:  # noqa: BLE001 - MXNet reports any failure as this ValueError
            raise ValueError(f"Deferred initialization failed because shape cannot be inferred. {e}") \
                from e

    def _runner_for(self, device: torch.device) -> Any:
        """What runs the lowered graph on ``device``: its compiled form under the block's compile
        setting (``hybridize(backend=...)``, else ``MXTORCH_COMPILE``), or the program itself
        when that setting leaves the device eager (no wrapper on the eager path)."""
        flags = dict(self._flags)
        self._cached_runner = compiled(self._cached_op, self._compile or default_setting(),
                                       static=bool(flags.get("static_alloc") and
                                                   flags.get("static_shape")), device=device)
        self._runner_device = device.type
        return self._cached_runner

    def _call_cached_op(self, *args: Any) -> Any:
        """Runs the hybridized block: the traced graph, lowered once by the executor, on the
        inputs and the parameters' current arrays (no copies)."""
        if self._cached_op is None:
            self._build_cache(*args)
        flat, fmt = _flatten(args, "input")
        if fmt != self._in_format:
            _check_in_format(fmt, self._in_format)
        data = [a for a in flat if a is not None]
        for a in data:
            if not isinstance(a, NDArray):
                raise ValueError(f"When hybridized, the inputs of HybridBlock '{self.name}' must be "
                                 f"NDArrays (or None), but got {type(a).__name__}")
        ctx = _ctx_of(data[0])
        tensors = [data[src]._t if is_arg else src._data_for(ctx)._t
                   for is_arg, src in self._cached_op_args]
        runner = self._cached_runner
        if runner is None or self._runner_device != data[0]._t.device.type:
            runner = self._runner_for(data[0]._t.device)
        with ctx:
            try:
                if autograd.is_recording():
                    outs = runner(tensors, autograd.is_training())
                else:
                    with torch.no_grad():
                        outs = runner(tensors, autograd.is_training())
            except (MXNetError, RuntimeError, ValueError, IndexError) as err:
                _annotate(err, self, tuple(data))
                raise
        # an output that is an input (or a view of one) gets its own memory, as MXNet's would
        outs = [NDArray(owned(o, tensors), ctx) for o in outs]
        return _regroup(outs, self._out_format)

    def optimize_for(self, x: Any, *args: Any, backend: Optional[str] = None, clear: bool = False,
                     static_alloc: bool = False, static_shape: bool = False, inline_limit: int = 2,
                     forward_bulk_size: Optional[int] = None,
                     backward_bulk_size: Optional[int] = None, **kwargs: Any) -> None:
        """Hybridize for ``backend`` and run one forward pass on the inputs, so that the graph is
        traced and compiled for their shapes before real use.

        Parameters
        ----------
        x : NDArray
            The first input.
        *args : NDArray
            Further inputs.
        backend : str
            The compile backend, as :meth:`hybridize` takes it; required.
        clear : bool, default False
            Drop an earlier traced graph first.
        static_alloc, static_shape, inline_limit, forward_bulk_size, backward_bulk_size
            Passed on to :meth:`hybridize`.
        **kwargs
            Backend options, passed on to :meth:`hybridize`.

        Raises
        ------
        ValueError
            When no ``backend`` is given.
        """
        if not backend:
            raise ValueError('Must specify "backend" to optimize_for')
        self.hybridize(True, backend=backend, clear=clear, static_alloc=static_alloc,
                       static_shape=static_shape, inline_limit=inline_limit,
                       forward_bulk_size=forward_bulk_size, backward_bulk_size=backward_bulk_size,
                       **kwargs)
        self(x, *args)

    def _infer_attrs(self, infer_fn: str, attr: str, *args: Any) -> None:
        """Infer ``attr`` ('shape' or 'dtype') of the Parameters through the traced graph.

        Every Parameter of the block must be an input of the graph (a KeyError names one that is
        not); when the inputs do not determine them all, a ValueError lists the arguments left
        unknown with what is known of them.
        """
        inputs, out = self._get_graph(*args)
        flat = [a for a in _flatten(args, "input")[0] if a is not None]
        given = {i.name: getattr(j, attr) for i, j in zip(inputs, flat)}
        arg_attrs, _, aux_attrs = getattr(out, infer_fn)(**given)
        if arg_attrs is None:
            partial = getattr(out, infer_fn + "_partial")(**given)[0]
            if attr == "shape":
                unknown = [f"{n}: {v}" for n, v in zip(out.list_arguments(), partial)
                           if not v or not shape_is_known(v)]
                head = "Cannot decide shape for the following arguments (0s in shape means " \
                       "unknown dimensions). Consider providing them as input:"
            else:
                unknown = [f"{n}: {v}" for n, v in zip(out.list_arguments(), partial) if v is None]
                head = "Cannot decide type for the following arguments. Consider providing them " \
                       "as input:"
            if len(unknown) > 10:
                unknown = unknown[:10] + ["..."]
            raise ValueError("\n\t".join([head] + unknown))
        sdict = dict(zip(out.list_arguments(), arg_attrs))
        sdict.update(zip(out.list_auxiliary_states(), aux_attrs))
        for param in self.collect_params().values():
            if param.name not in sdict:
                raise KeyError(param.name)
            setattr(param, attr, sdict[param.name])

    def infer_shape(self, *args: Any) -> None:
        """Fill in the unknown shapes of the block's parameters from sample inputs, through
        the traced graph's shape inference.

        Parameters
        ----------
        *args : NDArray
            Inputs of the shapes the block will be called with.
        """
        self._infer_attrs("infer_shape", "shape", *args)

    def infer_type(self, *args: Any) -> None:
        """Set the dtypes of the block's parameters from sample inputs, through the traced
        graph's type inference.

        Parameters
        ----------
        *args : NDArray
            Inputs of the dtypes the block will be called with.
        """
        self._infer_attrs("infer_type", "dtype", *args)

    def export(self, path: str, epoch: int = 0, remove_amp_cast: bool = True) -> None:
        """Write the traced graph and its parameters as an MXNet checkpoint.

        Two files: ``<path>-symbol.json`` (the graph, readable by MXNet, by
        :meth:`SymbolBlock.imports` and by :func:`mxtorch.model.load_checkpoint`) and
        ``<path>-<epoch:04d>.params`` (the parameters, named ``arg:<name>`` and ``aux:<name>``
        in the graph's input order). The block must be hybridized and have run at least once.
        Its data inputs are named ``data`` when there is one and ``data0``, ``data1``... when
        there are several; those names are what ``imports`` is given.

        Parameters
        ----------
        path : str
            Path prefix of the two files.
        epoch : int, default 0
            The number written into the parameter file's name.
        remove_amp_cast : bool, default True
            Leave ``amp_cast`` / ``amp_multicast`` nodes out of the written graph.

        Raises
        ------
        RuntimeError
            When the block has no traced graph yet.

        Examples
        --------
        >>> import mxtorch as mx
        >>> net = mx.gluon.nn.Dense(2, in_units=3)
        >>> net.initialize()
        >>> net.hybridize()
        >>> _ = net(mx.nd.ones((1, 3)))
        >>> net.export("/tmp/dense")   # /tmp/dense-symbol.json, /tmp/dense-0000.params
        """
        if not self._cached_graph:
            raise RuntimeError("Please first call block.hybridize() and then run forward with "
                               "this block at least once before calling export.")
        inputs, sym = self._cached_graph
        sym.save(f"{path}-symbol.json", remove_amp_cast=remove_amp_cast)
        if self._cached_op_args:
            params = {p.name: p for is_arg, p in self._cached_op_args if not is_arg}
        else:  # a graph restored by Block.load, not run yet
            params = self._graph_params(sym, {i.name: k for k, i in enumerate(inputs)})
        aux_names = set(sym.list_auxiliary_states())
        # in the graph's input order, as MXNet writes them
        arg_dict = {f"{'aux' if name in aux_names else 'arg'}:{name}": params[name]._reduce()
                    for name in sym.list_inputs() if name in params}
        ndarray.save(f"{path}-{epoch:04d}.params", arg_dict)

    def hybrid_forward(self, F: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        """The computation of this block, written once for both execution modes by
        subclasses.

        Parameters
        ----------
        F : module
            :mod:`mxtorch.ndarray` when running imperatively, :mod:`mxtorch.symbol` while
            tracing; call operators through it (``F.FullyConnected``, ``F.relu``...).
        x : NDArray or Symbol
            The first input.
        *args : NDArray or Symbol
            Further inputs.
        **kwargs : NDArray or Symbol
            The block's own parameters, keyed by the attribute names they were assigned to.

        Returns
        -------
        NDArray, Symbol or nested list of them
            The outputs.
        """
        raise NotImplementedError


def _check_in_format(fmt: Any, stored: Any) -> None:
    """Inputs may differ from the traced ones only by trailing None (default) arguments."""
    shorter, longer = sorted((fmt, stored), key=len)
    extra = longer[len(shorter):]
    valid = bool(extra) and longer[:len(shorter)] == shorter and all(f == -1 for f in extra)
    if not valid:   # (MXNet's message calls the call's format the stored one; kept as it is)
        raise ValueError("The argument structure of HybridBlock does not match the cached version. "
                         f"Stored format = {fmt}, input format = {stored}")


def _common_prefix(names: list) -> str:
    """The longest string every one of ``names`` starts with ('' for no names)."""
    return os.path.commonprefix(names)


class SymbolBlock(HybridBlock):
    """A block that runs a given Symbol graph: a pretrained checkpoint, or a cut through
    another network's internals (to use its inner activations as features).

    Every argument and auxiliary state of ``outputs`` that is not among ``inputs`` becomes a
    parameter of the block (auxiliary states with ``grad_req='null'``), its dtype inferred from
    the graph where it can be, float32 where not; their shapes are inferred at the first call.
    The block always runs as a graph, hybridized or not. Its parameters are named as in the
    graph, with no prefix of the block's own.

    Parameters
    ----------
    outputs : Symbol or list of Symbol
        The output(s) of the block.
    inputs : Symbol or list of Symbol
        The variables of the graph that are fed from the call's arguments, in call order.
    params : ParameterDict, default None
        Existing parameters to use for graph inputs of the same name (for example another
        block's ``collect_params()``, to share its weights) instead of creating new ones.

    Examples
    --------
    >>> import mxtorch as mx
    >>> from mxtorch import gluon
    >>> data = mx.sym.var("data")
    >>> hidden = mx.sym.FullyConnected(data, num_hidden=8, name="fc1")
    >>> act = mx.sym.Activation(hidden, act_type="relu", name="relu1")
    >>> out = mx.sym.FullyConnected(act, num_hidden=2, name="fc2")
    >>> features = gluon.SymbolBlock(out.get_internals()["relu1_output"], data)
    >>> features.initialize()
    >>> features(mx.nd.ones((4, 5))).shape
    (4, 8)
    >>> sorted(features.collect_params().keys())
    ['fc1_bias', 'fc1_weight']
    """

    @staticmethod
    def imports(symbol_file: str, input_names: Any, param_file: Optional[str] = None,
                ctx: Any = None, allow_missing: bool = False,
                ignore_extra: bool = False) -> "SymbolBlock":
        """Load a checkpoint (``-symbol.json`` and optionally ``.params``) as a
        :class:`SymbolBlock`.

        Reads what :meth:`HybridBlock.export` or :meth:`Module.save_checkpoint` wrote, in
        mxtorch or in MXNet. Loaded arrays keep the file's dtypes (the parameters adopt
        them); without a parameter file the inputs are taken as float32 for type inference and
        the parameters are left for :meth:`initialize`.

        Parameters
        ----------
        symbol_file : str
            The ``-symbol.json`` file.
        input_names : str or list of str
            The names of the graph's data variables, in call order (``'data'`` for a single
            input of an exported block).
        param_file : str, default None
            The ``.params`` file, if any.
        ctx : Context or list of Context, default None
            Where to place the loaded parameters (``cpu()`` when None).
        allow_missing : bool, default False
            Leave parameters the file lacks uninitialized instead of raising.
        ignore_extra : bool, default False
            Skip arrays in the file that the graph does not use instead of raising.

        Returns
        -------
        SymbolBlock
            The block, with its parameters loaded when ``param_file`` was given.

        Raises
        ------
        MXNetError
            When a file cannot be read, or the parameter file does not match the graph in a
            way ``allow_missing`` / ``ignore_extra`` do not allow.

        Examples
        --------
        >>> import mxtorch as mx
        >>> from mxtorch import gluon
        >>> net = gluon.nn.Dense(2, in_units=3)
        >>> net.initialize()
        >>> net.hybridize()
        >>> x = mx.nd.ones((1, 3))
        >>> y = net(x)
        >>> net.export("/tmp/dense", epoch=1)
        >>> restored = gluon.SymbolBlock.imports("/tmp/dense-symbol.json", ["data"],
        ...                                      "/tmp/dense-0001.params")
        >>> float((restored(x) - y).abs().sum().asscalar())
        0.0
        """
        sym = symbol.load(symbol_file)
        if isinstance(input_names, str):
            input_names = [input_names]
        # with no file to take types from, float32 inputs give type inference somewhere to start
        dtype = np.float32 if param_file is None else None
        inputs = [symbol.var(name, dtype=dtype) for name in input_names]
        try:
            ret = SymbolBlock(sym, inputs)
        except AssertionError as err:   # a graph SymbolBlock cannot hold: the file's fault here
            raise MXNetAssertionError(f"{symbol_file}: {err}") from None
        if param_file is not None:
            params = ret.collect_params()
            params.load(param_file, ctx=ctx, allow_missing=allow_missing, ignore_extra=ignore_extra,
                        cast_dtype=True, dtype_source="saved")
        return ret

    def __repr__(self) -> str:
        """The class name, the graph and its input -> output counts."""
        inputs, out = self._cached_graph
        return f"{self.__class__.__name__}(\n{out} : {len(inputs)} -> {len(out.list_outputs())}\n)"

    def __init__(self, outputs: Any, inputs: Any, params: Optional[ParameterDict] = None):
        super().__init__(prefix=None, params=None)
        self._prefix = ""
        self._params = ParameterDict("", params)
        if _is_symbol(inputs) and len(inputs.list_outputs()) == 1:
            inputs = [inputs]   # the call's arguments come as a list, even for one input
        if isinstance(outputs, (list, tuple)):
            outputs = outputs[0] if len(outputs) == 1 else outputs
        syms, self._in_format = _flatten(inputs, "input")
        outs, self._out_format = _flatten(outputs, "output")
        input_names = set()
        for i in syms:
            if len(i.get_internals().list_outputs()) != 1:
                raise AssertionError(f"Input symbols must be variable, but {i} is an output of "
                                     "operators")
            input_names.add(i.name)
        for head in outs:
            for node in head.get_internals():
                if node.attr("__storage_type__") == "1":
                    raise AssertionError(f"SymbolBlock doesn't support Parameter '{node.name}' "
                                         "because its storage type is 'row_sparse'.")
        out = outs[0] if len(outs) == 1 else symbol.Group(outs)
        # typed from the graph, so that a float16 checkpoint gets float16 parameters
        arg_names = out.list_arguments()
        aux_names = out.list_auxiliary_states()
        arg_types, aux_types = _infer_param_types(syms, out, arg_names, aux_names)
        for names, types, extra in ((arg_names, arg_types, {}),
                                    (aux_names, aux_types, {"grad_req": "null"})):
            for name, dtype in zip(names, types):
                if name not in input_names:
                    self.params.get(name, allow_deferred_init=True, dtype=dtype, **extra)
        self._cached_graph = syms, out
        # hybrid_forward-style keys: the graph names less what they all start with
        strip = len(_common_prefix(list(self._params.keys())))
        self._reg_params = {name[strip:]: param for name, param in self._params.items()}

    def forward(self, x: Any, *args: Any) -> Any:
        """Run the graph on NDArrays, or compose it onto Symbols (returning a new graph with
        the inputs replaced by them)."""
        if isinstance(x, NDArray):
            return self._call_cached_op(x, *args)
        if not isinstance(x, symbol.Symbol):
            raise AssertionError("HybridBlock requires the first argument to forward be either "
                                 f"Symbol or NDArray, but got {type(x)}")
        flat, fmt = _flatten([x, *args], "input")
        if fmt != self._in_format:
            raise AssertionError("Invalid input format")
        variables, graph = self._cached_graph
        composed = copy.copy(graph)
        composed._compose(**{var.name: value for var, value in zip(variables, flat)})
        return _regroup(list(composed), self._out_format)

    def _clear_cached_op(self) -> None:
        """Drop the lowered program but keep the graph: it is what this block is."""
        graph = self._cached_graph
        super()._clear_cached_op()
        self._cached_graph = graph

    def cast(self, dtype: Any) -> None:
        """Casts the parameters to the types the graph's type inference gives them when its
        data inputs are ``dtype``: mostly ``dtype`` itself, but an operator's type rule may keep
        some of its inputs in another type (BatchNorm's scales and statistics stay float32 for
        float16 data)."""
        self._clear_cached_op()
        super().cast(dtype)
        inputs, out = self._cached_graph
        names = out.list_arguments() + out.list_auxiliary_states()
        data_names = {i.name for i in inputs}
        # fresh variables: a parameter's own type attribute (float32 in an exported graph) must
        # not decide its type here
        free = out(**{n: symbol.var(n) for n in names if n not in data_names})
        try:
            arg_types, _, aux_types = free.infer_type_partial(**{n: dtype for n in data_names})
        except MXNetError:  # the graph's types conflict: every parameter stays ``dtype``
            return
        params = self.params
        for name, inferred in zip(free.list_arguments() + free.list_auxiliary_states(),
                                  arg_types + aux_types):
            if inferred is not None and name in params and \
                    np.dtype(inferred) != np.dtype(params[name].dtype):
                params[name].cast(np.dtype(inferred).name)

    def hybrid_forward(self, F: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        """Not used: a SymbolBlock's computation is its graph."""
        raise NotImplementedError

    def reset_ctx(self, ctx: Any) -> None:
        """Move every parameter to ``ctx``, keeping its value.

        The lowered program reads the parameters' arrays at each call, so a hybridized block
        needs nothing rebuilt.

        Parameters
        ----------
        ctx : Context or list of Context
            The new device(s), one copy of each parameter per context; None means the current
            context.
        """
        for p in self.collect_params().values():
            p.reset_ctx(ctx)


def _infer_param_types(in_params: list, out_params: Any, arg_params: list, aux_params: list,
                       default_dtype: Any = np.float32) -> tuple:
    """The dtypes of a graph's arguments and auxiliary states, inferred from its inputs'.

    Inference runs only when every input variable carries a dtype; when it does not, fails,
    or gives a list of the wrong length, every entry of that list is ``default_dtype``.

    Parameters
    ----------
    in_params : list of Symbol
        The input variables.
    out_params : Symbol
        The graph.
    arg_params : list of str
        Its argument names (``list_arguments()``).
    aux_params : list of str
        Its auxiliary state names (``list_auxiliary_states()``).
    default_dtype : numpy dtype or str, default numpy.float32
        The type used where inference gives none.

    Returns
    -------
    tuple of (list, list)
        The argument types and the auxiliary state types, in the order of the names given.
    """
    arg_types = aux_types = None
    input_types = {}
    for in_param in in_params:
        inferred = in_param.infer_type()[0]
        if not inferred:
            break
        input_types[in_param.name] = inferred[0]
    else:
        try:
            arg_types, _, aux_types = out_params.infer_type(**input_types)
        except MXNetError:
            arg_types = aux_types = None
    def usable(types: Any, names: list) -> Any:
        return types if types is not None and len(types) == len(names) \
            else [default_dtype] * len(names)
    return usable(arg_types, arg_params), usable(aux_types, aux_params)
