"""Symbolic configuration API of MXNet: ``Symbol``, ``Variable``, ``Group``, and operator symbols.

Every operator of the table is a symbol function here (``mx.sym.Convolution``...), made by
:func:`make_symbol_function`: it names the node with MXNet's automatic naming
(``convolution0``), creates the implicit ``<name>_weight``/``_bias``/``_moving_mean``/``_label``
variables, and validates the attributes with the table's parser.
"""
from __future__ import annotations

from numbers import Number
from typing import Any, Callable, Optional, Sequence

import numpy as np

from .. import attribute, name as _name
from ..base import MXNetError
from ..context import Context, current_context
from ..ops.registry import OpDef, get_op
from . import infer
from .graph import HIDDEN_KEYS, Node, copy_graph, is_hidden, topo_order

__all__ = ["Symbol", "var", "Variable", "Group", "load", "load_json", "pow", "power", "maximum",
           "minimum", "hypot", "zeros", "ones", "full", "arange", "eye", "make_symbol_function",
           "create"]

# MXNet's FSetInputVarAttrOnCompose: initializers its operators attach to their input variables.
_STORAGE_TYPES = {"default": 0, "row_sparse": 1, "csr": 2}


class Symbol:
    """A node of a symbolic computation graph, or a group of outputs; an executor runs it."""

    __slots__ = ("_outputs", "_program")
    # Make numpy defer to Symbol's reflected operators.
    __array_priority__ = 1000.0

    def __init__(self, outputs: list):
        self._outputs = list(outputs)   # [(Node, output index)]
        self._program = None            # the lowered graph, built once by the executor

    # -- naming and printing --------------------------------------------------------------------
    @property
    def name(self) -> Optional[str]:
        """The symbol's name; None for a group of several outputs.

        Returns
        -------
        value : str
            The name, or None.
        """
        # the outputs of one node (split, syevd...) are that node, named, as in MXNet's GetAttr
        node = self._outputs[0][0] if self._outputs else None
        return node.name if node is not None and all(n is node for n, _ in self._outputs) else None

    def __repr__(self) -> str:
        name = self.name
        if name is None:
            return f"<{type(self).__name__} group [{', '.join(s.name for s in self)}]>"
        return f"<{type(self).__name__} {name}>"

    def __iter__(self):
        """Iterate over this symbol's outputs, each as a single-output symbol."""
        return (self[i] for i in range(len(self)))

    def __len__(self) -> int:
        """How many outputs this symbol has."""
        return len(self._outputs)

    def __getitem__(self, index: Any) -> "Symbol":
        """x.__getitem__(i) <=> x[i]: the i-th output, an output by name, or a slice of outputs."""
        if isinstance(index, slice):
            return Group([self[i] for i in range(*index.indices(len(self)))])
        if isinstance(index, str):
            matches = [i for i, n in enumerate(self.list_outputs()) if n == index]
            if len(matches) > 1:
                raise ValueError(f'There are multiple outputs with name "{index}"')
            if not matches:
                raise ValueError(f'Cannot find output that matches name "{index}"')
            index = matches[0]
        if not isinstance(index, (int, np.integer)):
            raise TypeError("Symbol only support integer index to fetch i-th output")
        if index >= len(self) or index < -len(self):
            raise IndexError(index)
        return Symbol([self._outputs[index]])

    def __bool__(self) -> bool:
        raise NotImplementedError("Symbol does not support truth value (bool); use it in a graph")

    __hash__ = object.__hash__

    def __copy__(self) -> "Symbol":
        return Symbol(copy_graph(self._outputs))

    def __deepcopy__(self, memo: Any) -> "Symbol":
        return Symbol(copy_graph(self._outputs))

    def __getstate__(self) -> dict:
        return {"handle": self.tojson()}

    def __setstate__(self, state: dict) -> None:
        from .json_format import from_json
        self._outputs = from_json(state["handle"])._outputs
        self._program = None

    # -- composition ----------------------------------------------------------------------------
    def __call__(self, *args: "Symbol", **kwargs: "Symbol") -> "Symbol":
        """Composes symbol using inputs: ``net(data=other)`` replaces the free variable ``data``.

        Returns
        -------
            The resulting symbol.
        """
        s = self.__copy__()
        s._compose(*args, **kwargs)
        return s

    def _compose(self, *args: "Symbol", **kwargs: "Symbol") -> None:
        """Composes symbol using inputs, in place (arguments by position or by name)."""
        name = kwargs.pop("name", None)
        if args and kwargs:
            raise TypeError("compose only accept input Symbols either as positional or keyword "
                            "arguments, not both")
        for value in list(args) + list(kwargs.values()):
            if not isinstance(value, Symbol):
                raise TypeError("Compose expect `Symbol` as arguments")
        arg_names = self.list_arguments()
        if args:
            if len(args) > len(arg_names):
                raise MXNetError(f"compose: {len(args)} positional inputs given but the symbol has "
                                 f"only {len(arg_names)} arguments {arg_names}")
            kwargs = dict(zip(arg_names, args))
        inputs = set(self.list_inputs())
        unknown = [k for k in kwargs if k not in inputs]
        if unknown:
            raise MXNetError(f"compose: keyword argument(s) {unknown} not found; the symbol's "
                             f"inputs are {sorted(inputs)}")
        replace = {k: v._single_output(f"compose input '{k}'") for k, v in kwargs.items()}
        self._outputs = copy_graph(self._outputs, replace)
        if name and len(self._outputs) == 1 and not self._outputs[0][0].is_variable:
            self._outputs[0][0].name = name
        self._program = None

    def _single_output(self, what: str) -> tuple:
        if len(self._outputs) != 1:
            raise MXNetError(f"{what} must be a single-output symbol, got a group of "
                             f"{len(self._outputs)} outputs {self.list_outputs()}")
        return self._outputs[0]

    # -- attributes -----------------------------------------------------------------------------
    def attr(self, key: str) -> Optional[str]:
        """Look one attribute up on this (single-output) symbol.

        Parameters
        ----------
        key : str
            The attribute's name.

        Returns
        -------
        value : str
            Its value as a string, or None when the symbol does not have it.
        """
        if len(self._outputs) != 1:
            return None
        attrs = self._outputs[0][0].attrs
        return attrs.get(key, attrs.get(f"__{key}__"))

    def list_attr(self, recursive: bool = False) -> dict:
        """The attributes set on this symbol's own node.

        Returns
        -------
        ret : Dict of str to str
            Attribute name to value. ``recursive=True`` is refused as in MXNet (use ``attr_dict``).
        """
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been deprecated. "
                                     "Please use attr_dict instead.")
        return _visible_attrs(self._outputs[0][0].attrs)

    def attr_dict(self) -> dict:
        """The attributes of every node of the graph that has any, by node name.

        Returns
        -------
        ret : Dict of str to dict
            Node name to that node's ``{attribute: value}`` dictionary; nodes without attributes
            are left out.
        """
        return {n.name: _visible_attrs(n.attrs) for n in topo_order(self._outputs) if n.attrs}

    def _set_attr(self, **kwargs: str) -> None:
        """Add or change string attributes of this symbol's node: ``s._set_attr(foo="bar")``."""
        for key, value in kwargs.items():
            if not isinstance(value, str):
                raise ValueError("Set Attr only accepts string values")
            for node, _ in self._outputs:
                node.set_attr(_hidden_key(key), value)
        self._program = None

    # -- structure ------------------------------------------------------------------------------
    def get_internals(self) -> "Symbol":
        """Every node output of the graph, inputs included, as one grouped symbol.

        Returns
        -------
        sgroup : Symbol
            A group whose outputs are named ``<node>_output`` (variables keep their own name), so
            that ``internals['fc1_output']`` picks an intermediate result.
        """
        return Symbol([(n, i) for n in topo_order(self._outputs) for i in range(n.num_outputs)])

    def get_children(self) -> Optional["Symbol"]:
        """The inputs of this symbol's head node, grouped.

        Returns
        -------
        sgroup : Symbol or None
            A group of the head node's inputs, or None for a variable (which has none).
        """
        # Once per head node: a node's several outputs share its inputs
        nodes = {id(node): node for node, _ in self._outputs}.values()
        entries = [e for node in nodes for e in node.inputs]
        return Symbol(entries) if entries else None

    def _variables(self) -> tuple:
        """(argument nodes, auxiliary-state nodes), each in MXNet's order."""
        nodes = topo_order(self._outputs)
        aux_ids = {id(node.inputs[p][0]) for node in nodes for p in node.aux_positions()}
        variables = [n for n in nodes if n.is_variable]
        return ([n for n in variables if id(n) not in aux_ids],
                [n for n in variables if id(n) in aux_ids])

    def list_arguments(self) -> list:
        """Names of the graph's input variables, auxiliary states excepted.

        Returns
        -------
        args : list of string
            The names, in the order ``bind`` expects a list of arguments in.
        """
        return [n.name for n in self._variables()[0]]

    def list_outputs(self) -> list:
        """Names of this symbol's outputs.

        Returns
        -------
        list of str
            ``<node>_output`` for an operator's (single) output, one name per output of a group or
            a multi-output operator.
        """
        return [node.output_names()[i] for node, i in self._outputs]

    def list_auxiliary_states(self) -> list:
        """Names of the graph's auxiliary states.

        Returns
        -------
        aux_states : list of str
            The names, in the order ``bind`` expects them.

        Notes
        -----
        An auxiliary state is an operator input that the operator maintains itself rather than
        receiving a gradient update, such as BatchNorm's ``moving_mean`` and ``moving_var``. Few
        operators have any.
        """
        return [n.name for n in self._variables()[1]]

    def list_inputs(self) -> list:
        """Names of every input variable, arguments and auxiliary states together.

        Returns
        -------
        inputs : list of str
            The names, in graph order.
        """
        return [n.name for n in topo_order(self._outputs) if n.is_variable]

    # -- inference ------------------------------------------------------------------------------
    def infer_shape(self, *args: Any, **kwargs: Any) -> tuple:
        """Work out the shapes of every argument, output and auxiliary state from some known ones.

        Known shapes are given by position (in ``list_arguments`` order, None for unknown) or by
        name. When the known shapes do not settle everything, the result is ``(None, None, None)``.

        Parameters
        ----------
        *args :
            Argument shapes by position (None where unknown).

        **kwargs :
            Argument shapes by name.

        Returns
        -------
        arg_shapes : list of tuple or None
            One shape per ``list_arguments()`` entry.
        out_shapes : list of tuple or None
            One shape per ``list_outputs()`` entry.
        aux_shapes : list of tuple or None
            One shape per ``list_auxiliary_states()`` entry.
        """
        arg_shapes, out_shapes, aux_shapes = self._infer_shape_impl(args, kwargs)
        if all(infer.known(s) for s in arg_shapes + out_shapes + aux_shapes):
            return arg_shapes, out_shapes, aux_shapes
        return None, None, None

    def infer_shape_partial(self, *args: Any, **kwargs: Any) -> tuple:
        """``infer_shape`` that returns what it could work out instead of giving up.

        Shapes it could not determine come back as ``()`` and unknown dimensions as 0.
        """
        return self._infer_shape_impl(args, kwargs)

    def _infer_shape_impl(self, args: tuple, kwargs: dict) -> tuple:
        given = _named_inputs("shapes", self.list_arguments(), args, kwargs, _check_shape)
        shapes = infer.infer_shapes(self._outputs, given)
        arg_nodes, aux_nodes = self._variables()

        def get(node: Node, i: int = 0) -> tuple:
            s = shapes.get((id(node), i))
            return () if s is None else s

        return ([get(n) for n in arg_nodes], [get(n, i) for n, i in self._outputs],
                [get(n) for n in aux_nodes])

    def infer_type(self, *args: Any, **kwargs: Any) -> tuple:
        """Work out the dtypes of every argument, output and auxiliary state from some known ones.

        Known dtypes are given by position (in ``list_arguments`` order, None for unknown) or by
        name. When they do not settle everything, the result is ``(None, None, None)``.

        Returns
        -------
        arg_types : list of numpy.dtype or None
            One dtype per ``list_arguments()`` entry.
        out_types : list of numpy.dtype or None
            One dtype per ``list_outputs()`` entry.
        aux_types : list of numpy.dtype or None
            One dtype per ``list_auxiliary_states()`` entry.
        """
        res = self.infer_type_partial(*args, **kwargs)
        if any(t is None for t in res[0] + res[1] + res[2]):
            return None, None, None
        return res

    def infer_type_partial(self, *args: Any, **kwargs: Any) -> tuple:
        """Infers the type partially: like `infer_type`, with None where a type is unknown."""
        given = _named_inputs("types", self.list_arguments(), args, kwargs, _check_dtype)
        types = infer.infer_types(self._outputs, given)
        arg_nodes, aux_nodes = self._variables()
        return ([types.get((id(n), 0)) for n in arg_nodes],
                [types.get((id(n), i)) for n, i in self._outputs],
                [types.get((id(n), 0)) for n in aux_nodes])

    # -- serialization --------------------------------------------------------------------------
    def tojson(self, remove_amp_cast: bool = True) -> str:
        """The graph as MXNet's symbol JSON text.

        See Also
        --------
        symbol.load_json : The inverse.
        """
        from .json_format import to_json
        return to_json(self._outputs)

    def save(self, fname: str, remove_amp_cast: bool = True) -> None:
        """Write the graph to ``fname`` as MXNet's symbol JSON.

        Parameters
        ----------
        fname : str
            Path of the file to write.

        See Also
        --------
        symbol.load : Reads such a file back.
        """
        if not isinstance(fname, str):
            raise TypeError("fname need to be string")
        from .json_format import save
        save(fname, self._outputs)

    def debug_str(self) -> str:
        """A readable listing of the graph: outputs, variables, and operators with inputs and attributes."""
        lines = ["Symbol Outputs:"]
        lines += [f"\toutput[{k}]={n.name}({i})" for k, (n, i) in enumerate(self._outputs)]
        for node in topo_order(self._outputs):
            if node.is_variable:
                lines.append(f"Variable:{node.name}")
                continue
            lines += ["--------------------", f"Op:{node.op}, Name={node.name}", "Inputs:"]
            for k, (n, i) in enumerate(node.inputs):
                lines.append(f"\targ[{k}]={n.name}({i})" + (" version=0" if n.is_variable else ""))
            if node.attrs:
                lines.append("Attrs:")
                lines += [f"\t{k}={v}" for k, v in sorted(node.attrs.items())]
        return "\n".join(lines) + "\n"

    # -- execution ------------------------------------------------------------------------------
    def bind(self, ctx: Context, args: Any, args_grad: Any = None, grad_req: Any = "write",
             aux_states: Any = None, group2ctx: Optional[dict] = None,
             shared_exec: Any = None) -> "Executor":  # noqa: F821
        """Make an executor that runs this graph on given arrays.

        Parameters
        ----------
        ctx : Context
            The device the executor runs on.
        args : list of NDArray or dict of str to NDArray
            A value for every argument, in ``list_arguments()`` order or by name.
        args_grad : list of NDArray or dict of str to `NDArray`, optional
            Buffers that ``backward`` writes gradients into. With a dict, only the named arguments
            get gradients.
        grad_req : {'write', 'add', 'null'}, or list of str or dict of str to str, optional
            Whether each gradient buffer is overwritten, accumulated into, or left alone.
        aux_states : list of `NDArray`, or dict of str to `NDArray`, optional
            Values of the auxiliary states.
        group2ctx : Dict of string to mx.Context
            Accepted for compatibility; all nodes run on `ctx`.
        shared_exec : mx.executor.Executor
            Accepted for compatibility (memory is managed by torch).

        Returns
        -------
        executor : Executor
            The executor.
        """
        from .executor import bind
        return bind(self, ctx, args, args_grad, grad_req, aux_states)

    def simple_bind(self, ctx: Context, grad_req: Any = "write", type_dict: Optional[dict] = None,
                    stype_dict: Optional[dict] = None, group2ctx: Optional[dict] = None,
                    shared_arg_names: Optional[list] = None, shared_exec: Any = None,
                    shared_buffer: Optional[dict] = None, **kwargs: Any) -> "Executor":  # noqa: F821
        """Make an executor from input shapes alone, allocating every array it needs.

        Shapes (and optionally dtypes) of some inputs are given; the others are inferred, and
        arguments, gradient buffers and auxiliary states are created zero-filled.

        Parameters
        ----------
        ctx : Context
            The device the executor runs on.
        grad_req: string
            {'write', 'add', 'null'}, or list of str or dict of str to str, optional: what
            ``backward`` does with each argument's gradient buffer.
        type_dict  : Dict of str->numpy.dtype
            dtypes of inputs, by name.
        shared_arg_names : List of string
            Arguments whose arrays are taken from ``shared_exec`` instead of being allocated.
        shared_exec : Executor
            An executor whose argument, gradient and auxiliary arrays may be reused.
        shared_buffer : Dict of string to `NDArray`
            Arrays to reuse for the arguments not shared with `shared_exec`; newly allocated
            arrays are added to it.
        kwargs : Dict of str->shape
            Shapes of inputs, by name.

        Returns
        -------
        executor : mxnet.Executor
            The executor.
        """
        from .executor import simple_bind
        return simple_bind(self, ctx, grad_req, type_dict, shared_arg_names, shared_exec,
                           shared_buffer, kwargs)

    def eval(self, ctx: Optional[Context] = None, **kwargs: Any) -> list:
        """Run the graph once on the given arrays: ``bind`` followed by ``forward``.

        Parameters
        ----------
        ctx : Context
            The device to run on.
        kwargs : Keyword arguments of type `NDArray`
            A value for every argument, by name.

        Returns
        -------
        list of NDArray
            The outputs, one per ``list_outputs()`` entry (a list even for a single output).
        """
        return self.bind(current_context() if ctx is None else ctx, kwargs).forward()

    def gradient(self, wrt: Sequence[str]) -> "Symbol":
        """Not available, as in MXNet 1.9.1: raises NotImplementedError (use Executor.backward)."""
        raise NotImplementedError("Symbol.gradient is not implemented (as in MXNet 1.x); use "
                                  "bind/simple_bind and Executor.backward")

    # -- arithmetic -----------------------------------------------------------------------------
    def _binary(self, other: Any, op_name: str, hint: str, scalar_op: str, scalar_hint: str,
                reflected: bool = False) -> "Symbol":
        if isinstance(other, Symbol):
            lhs, rhs = (other, self) if reflected else (self, other)
            return create(op_name, [lhs, rhs], {}, hint=hint)
        if isinstance(other, Number):
            return create(scalar_op, [self], {"scalar": other}, hint=scalar_hint)
        raise TypeError(f"type {type(other).__name__} not supported")

    def __add__(self, o): return self._binary(o, "elemwise_add", "_plus", "_plus_scalar", "_plusscalar")  # noqa: E704,E501
    def __radd__(self, o): return self.__add__(o)  # noqa: E704
    def __sub__(self, o): return self._binary(o, "elemwise_sub", "_minus", "_minus_scalar", "_minusscalar")  # noqa: E704,E501
    def __rsub__(self, o): return self._binary(o, "elemwise_sub", "_minus", "_rminus_scalar", "_rminusscalar", True)  # noqa: E704,E501
    def __mul__(self, o): return self._binary(o, "elemwise_mul", "_mul", "_mul_scalar", "_mulscalar")  # noqa: E704,E501
    def __rmul__(self, o): return self.__mul__(o)  # noqa: E704
    def __truediv__(self, o): return self._binary(o, "elemwise_div", "_div", "_div_scalar", "_divscalar")  # noqa: E704,E501
    def __rtruediv__(self, o): return self._binary(o, "elemwise_div", "_div", "_rdiv_scalar", "_rdivscalar", True)  # noqa: E704,E501
    def __mod__(self, o): return self._binary(o, "_mod", "_mod", "_mod_scalar", "_modscalar")  # noqa: E704
    def __rmod__(self, o): return self._binary(o, "_mod", "_mod", "_rmod_scalar", "_rmodscalar", True)  # noqa: E704,E501
    def __pow__(self, o): return self._binary(o, "_power", "_power", "_power_scalar", "_powerscalar")  # noqa: E704,E501
    def __rpow__(self, o): return self._binary(o, "_power", "_power", "_rpower_scalar", "_rpower_scalar", True)  # noqa: E704,E501
    def __eq__(self, o): return self._binary(o, "_equal", "_equal", "_equal_scalar", "_equal_scalar")  # noqa: E704,E501
    def __ne__(self, o): return self._binary(o, "_not_equal", "_not_equal", "_not_equal_scalar", "_not_equal_scalar")  # noqa: E704,E501
    def __gt__(self, o): return self._binary(o, "_greater", "_greater", "_greater_scalar", "_greater_scalar")  # noqa: E704,E501
    def __ge__(self, o): return self._binary(o, "_greater_equal", "_greater_equal", "_greater_equal_scalar", "_greater_equal_scalar")  # noqa: E704,E501
    def __lt__(self, o): return self._binary(o, "_lesser", "_lesser", "_lesser_scalar", "_lesser_scalar")  # noqa: E704,E501
    def __le__(self, o): return self._binary(o, "_lesser_equal", "_lesser_equal", "_lesser_equal_scalar", "_lesser_equal_scalar")  # noqa: E704,E501

    __div__ = __truediv__
    __rdiv__ = __rtruediv__

    def __neg__(self) -> "Symbol":
        return self.__mul__(-1.0)

    def __abs__(self) -> "Symbol":
        return create("abs", [self], {}, hint="abs")

    def _not_for_symbol(self, *args: Any) -> None:
        raise NotImplementedError("in-place operators are not supported for Symbol")

    __iadd__ = __isub__ = __imul__ = __idiv__ = __itruediv__ = _not_for_symbol

    # -- NDArray-only API -----------------------------------------------------------------------
    def as_nd_ndarray(self) -> "Symbol":
        """This symbol itself: it already is a legacy (non-numpy) symbol."""
        return self

    def _ndarray_only(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("this method is for NDArray; a Symbol holds no values "
                                  "(bind it to an executor and run forward)")

    wait_to_read = asnumpy = asscalar = copy = as_in_context = detach = backward = _ndarray_only


def _visible_attrs(attrs: dict) -> dict:
    """Attributes as MXNet lists them: a hidden key also appears without its underscores."""
    out = dict(attrs)
    for key, value in attrs.items():
        if is_hidden(key) and key[2:-2] in HIDDEN_KEYS:
            out[key[2:-2]] = value
    return out


def _hidden_key(key: str) -> str:
    return f"__{key}__" if key in HIDDEN_KEYS else key


def _check_shape(name: str, value: Any) -> tuple:
    if not isinstance(value, tuple):
        raise TypeError(f"Arguments need to be shapes (tuple), but '{name}' is {type(value)}.")
    return value


def _check_dtype(name: str, value: Any) -> Any:
    dtype = np.dtype(value).type
    if dtype not in infer.DTYPE_NP_TO_MX:
        raise TypeError(f"Argument need to be one of {sorted(t.__name__ for t in infer.DTYPE_NP_TO_MX)},"
                        f" got {value!r} for '{name}'")
    return dtype


def _named_inputs(what: str, names: list, args: tuple, kwargs: dict, check: Callable) -> dict:
    if args and kwargs:
        raise ValueError(f"Can only specify known argument {what} either by positional or kwargs way.")
    if args:
        if len(args) > len(names):
            raise ValueError(f"{len(args)} positional {what} given for {len(names)} arguments {names}")
        return {n: check(n, a) for n, a in zip(names, args) if a is not None}
    return {k: check(k, v) for k, v in kwargs.items() if v is not None}


# -- creating symbols ---------------------------------------------------------------------------
def var(name: str, attr: Optional[dict] = None, shape: Optional[tuple] = None,
        lr_mult: Optional[float] = None, wd_mult: Optional[float] = None, dtype: Any = None,
        init: Any = None, stype: Optional[str] = None, **kwargs: Any) -> Symbol:
    """A placeholder symbol: a named input of the graph, bound to data when the graph runs.

    Parameters
    ----------
    name : str
        The variable's name, which is the argument name in ``list_arguments``.
    attr : Dict of strings
        Extra string attributes stored on the variable.
    shape : tuple
        A shape hint used by ``infer_shape``; a shape passed to ``infer_shape`` for this name
        takes precedence over it.
    lr_mult : float
        Factor applied to the learning rate of this input (stored as ``__lr_mult__``).
    wd_mult : float
        Factor applied to the weight decay of this input (stored as ``__wd_mult__``).
    dtype : str or numpy.dtype
        A dtype hint for ``infer_type``; inferred when absent.
    init : initializer (mxnet.init.*)
        An initializer that replaces the default one for this variable.
    stype : str
        Storage type hint (``'default'``, ``'row_sparse'``, ``'csr'``).
    kwargs : Additional attribute variables
        More attributes, each named with double underscores on both sides (``__foo__``).

    Returns
    -------
    variable : Symbol
        The variable symbol.
    """
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    attrs = attribute.current().get(attr)
    if shape is not None:
        attrs["__shape__"] = str(shape)
    if lr_mult is not None:
        attrs["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        attrs["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        attrs["__dtype__"] = str(infer.DTYPE_NP_TO_MX[_check_dtype(name, dtype)])
    if init is not None:
        attrs["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None:
        if stype not in _STORAGE_TYPES:
            raise MXNetError(f"unknown storage type {stype!r}; expected one of {list(_STORAGE_TYPES)}")
        attrs["__storage_type__"] = str(_STORAGE_TYPES[stype])
    for key, value in kwargs.items():
        if not is_hidden(key):
            raise ValueError(f"Attribute name={key} is not supported. Additional attributes must "
                             "start and end with double underscores, e.g, __yourattr__")
        attrs[key] = str(value)
    for key, value in attrs.items():
        if not isinstance(value, str):
            raise ValueError(f"Set Attr only accepts string values, got {key}={value!r}")
    return Symbol([(Node(None, name, {_hidden_key(k): v for k, v in attrs.items()}), 0)])


Variable = var


def Group(symbols: Sequence[Symbol], create_fn: Any = None) -> Symbol:
    """Bundle several symbols into one whose outputs are all of theirs, in order.

    Parameters
    ----------
    symbols : list
        The symbols to bundle.

    Returns
    -------
    sym : Symbol
        The grouped symbol.
    """
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    return Symbol([e for s in symbols for e in s._outputs])


def load(fname: str) -> Symbol:
    """Loads symbol from a JSON file written by `Symbol.save` (or by MXNet).

    Parameters
    ----------
    fname : str
        The name of the file.

    Returns
    -------
    sym : Symbol
        The loaded symbol.
    """
    if not isinstance(fname, str):
        raise TypeError("fname need to be string")
    from .json_format import from_json
    try:
        with open(fname, "rb") as f:
            data = f.read()
    except OSError as err:
        raise MXNetError(f"cannot read symbol file {fname!r}: {err}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise MXNetError(f"{fname}: a symbol file must be UTF-8 text; byte {err.start} "
                         f"({data[err.start:err.start + 1]!r}) is not ({err.reason})") from None
    try:
        return from_json(text)
    except MXNetError as err:
        raise MXNetError(f"{fname}: {err}") from None


def load_json(json_str: str) -> Symbol:
    """Rebuild a symbol from the JSON text ``tojson`` (or MXNet) produced.

    Parameters
    ----------
    json_str : str
        The symbol JSON.

    Returns
    -------
    sym : Symbol
        The graph it describes.
    """
    if not isinstance(json_str, str):
        raise TypeError("fname required to be string")
    from .json_format import from_json
    return from_json(json_str)


def _attr_string(key: str, value: Any) -> str:
    if key == "dtype" and value is not None and not isinstance(value, str):
        return np.dtype(value).name
    return str(value)


def create(op_name: str, args: Sequence[Any], kwargs: dict, *, hint: Optional[str] = None,
           name: Optional[str] = None, attr: Optional[dict] = None) -> Symbol:
    """Create an operator node. This is what every ``mx.sym.<op>`` function calls.

    As in MXNet's generated functions, positional arguments are the operator's inputs in declared
    order and then its attributes in declared order (a variadic operator takes only inputs);
    ``kwargs`` hold inputs by name and attributes. An input given as None is not given.
    """
    entry = get_op(op_name)
    inputs, attrs = entry.bind(args, {**kwargs, **attribute.current().get(attr)})
    if entry.variadic is not None:
        inputs = {f"arg{i}": a for i, a in enumerate(inputs)}
    for key in [k for k, v in attrs.items() if isinstance(v, Symbol)]:
        inputs[key] = attrs.pop(key)  # a symbol is an input: _connect names it if unknown
    node = Node(entry.name, "", {_hidden_key(k): _attr_string(k, v) for k, v in attrs.items()}, [],
                entry)
    node.name = _name.current().get(name, hint or op_name.lower())
    node.parsed  # noqa: B018  (validate the attributes before building anything)
    node.inputs = _connect(node, {k: v for k, v in inputs.items() if v is not None})
    return Symbol([(node, i) for i in range(node.num_outputs)])


def _connect(node: Node, given: dict) -> list:
    """The node's input entries: the given symbols, and implicit variables for the rest."""
    for key, value in given.items():
        if not isinstance(value, Symbol):
            raise TypeError(f"{node.op}: input '{key}' must be a Symbol, but got {type(value).__name__}")
    names = node.entry.input_names(node.parsed)
    unknown = [k for k in given if k not in names]
    if unknown:
        raise MXNetError(f"{node.op}: unknown or inactive input(s) {unknown}; the operator takes "
                         f"{names}, in operator {node.op}(name=\"{node.name}\")")
    inputs = []
    for input_name in names:
        if input_name in given:
            entry = given[input_name]._single_output(f"{node.op} input '{input_name}'")
        else:  # MXNet creates the missing input as a variable carrying the operator's attributes
            entry = (Node(None, f"{node.name}_{input_name}", node.attrs), 0)
        init = node.entry.input_init.get(input_name)
        if init is not None and entry[0].is_variable and "__init__" not in entry[0].attrs:
            entry[0].attrs["__init__"] = init
        inputs.append(entry)
    return inputs


def make_symbol_function(entry: OpDef, public_name: str) -> Callable:
    """The ``mx.sym.<public_name>`` function of an operator entry. The node is named after the
    public name (``to_tensor0`` for ``sym.image.to_tensor``); the JSON keeps the table's name."""
    hint = public_name.lower()

    def fn(*args: Any, **kwargs: Any) -> Symbol:
        name = kwargs.pop("name", None)
        attr = kwargs.pop("attr", None)
        kwargs.pop("out", None)
        return create(entry.name, args, kwargs, hint=hint, name=name, attr=attr)

    fn.__name__ = fn.__qualname__ = public_name
    fn.__doc__ = entry.docstring("Symbol")
    fn.__signature__ = entry.signature("Symbol")
    return fn


# -- functions on symbols and scalars -------------------------------------------------------------
def _symbol_or_scalar(lhs: Any, rhs: Any, op: str, hint: str, scalar_op: str, scalar_hint: str,
                      rscalar_op: Optional[str] = None, rscalar_hint: Optional[str] = None) -> Any:
    if isinstance(lhs, Symbol) and isinstance(rhs, Symbol):
        return create(op, [lhs, rhs], {}, hint=hint)
    if isinstance(lhs, Symbol) and isinstance(rhs, Number):
        return create(scalar_op, [lhs], {"scalar": rhs}, hint=scalar_hint)
    if isinstance(lhs, Number) and isinstance(rhs, Symbol):
        return create(rscalar_op or scalar_op, [rhs], {"scalar": lhs}, hint=rscalar_hint or scalar_hint)
    if isinstance(lhs, Number) and isinstance(rhs, Number):
        return None
    raise TypeError(f"types ({type(lhs).__name__}, {type(rhs).__name__}) not supported")


def pow(base: Any, exp: Any) -> Any:  # noqa: A001 - MXNet's name
    """``base ** exp`` element by element, for symbols and numbers in any combination.

    Two symbols must have the same shape: this function does not broadcast.
    """
    out = _symbol_or_scalar(base, exp, "_power", "_power", "_power_scalar", "_powerscalar",
                            "_rpower_scalar", "_rpowerscalar")
    return base ** exp if out is None else out


power = pow


def maximum(left: Any, right: Any) -> Any:
    """The larger of ``left`` and ``right`` element by element; either may be a Symbol or a number."""
    out = _symbol_or_scalar(left, right, "_maximum", "_maximum", "_maximum_scalar", "_maximumscalar")
    return (left if left > right else right) if out is None else out


def minimum(left: Any, right: Any) -> Any:
    """The smaller of ``left`` and ``right`` element by element; either may be a Symbol or a number."""
    out = _symbol_or_scalar(left, right, "_minimum", "_minimum", "_minimum_scalar", "_minimumscalar")
    return (left if left < right else right) if out is None else out


def hypot(left: Any, right: Any) -> Any:
    """``sqrt(left**2 + right**2)`` element by element; either may be a Symbol or a number."""
    out = _symbol_or_scalar(left, right, "_hypot", "_hypot", "_hypot_scalar", "_hypotscalar")
    return float(np.hypot(left, right)) if out is None else out


# -- creation functions -----------------------------------------------------------------------------
def _creation(op_name: str, name: Optional[str], **attrs: Any) -> Symbol:
    if attrs.get("dtype") is None:
        attrs["dtype"] = np.float32
    return create(op_name, [], attrs, hint=op_name, name=name, attr=attrs.pop("attr", None))


def zeros(shape: Any, dtype: Any = None, **kwargs: Any) -> Symbol:
    """A symbol whose output is an array of ``shape`` full of zeros.

    Parameters
    ----------
    shape :  int or sequence of ints
        Shape of the output.
    dtype : str or numpy.dtype, optional
        Its element type; ``np.float32`` when None.

    Returns
    -------
    out : Symbol
        The symbol.
    """
    return _creation("_zeros", kwargs.pop("name", None), shape=shape, dtype=dtype, **kwargs)


def ones(shape: Any, dtype: Any = None, **kwargs: Any) -> Symbol:
    """A symbol whose output is an array of ``shape`` full of ones.

    Parameters
    ----------
    shape :  int or sequence of ints
        Shape of the output.
    dtype : str or numpy.dtype, optional
        Its element type; ``np.float32`` when None.

    Returns
    -------
    out : Symbol
        The symbol.
    """
    return _creation("_ones", kwargs.pop("name", None), shape=shape, dtype=dtype, **kwargs)


def full(shape: Any, val: Any, dtype: Any = None, **kwargs: Any) -> Symbol:
    """A symbol whose output is an array of ``shape`` with every element ``val``.

    Parameters
    ----------
    shape :  int or sequence of ints
        Shape of the output.
    val : scalar
        The fill value.
    dtype : str or numpy.dtype, optional
        Its element type; ``np.float32`` when None.

    Returns
    -------
    out : Symbol
        The symbol.
    """
    return _creation("_full", kwargs.pop("name", None), shape=shape, dtype=dtype, value=float(val),
                     **kwargs)


def arange(start: float, stop: Optional[float] = None, step: float = 1.0, repeat: int = 1,
           infer_range: bool = False, name: Optional[str] = None, dtype: Any = None) -> Symbol:
    """Returns evenly spaced values within a given interval.

    The symbol's output is ``start, start + step, ...`` up to but excluding ``stop``, as
    ``mx.nd.arange`` computes it.

    Parameters
    ----------
    start : number
        First value (0 when only one bound is given, which is then ``stop``).
    stop : number, optional
        The excluded bound.
    step : number, optional
        Distance between consecutive values.
    repeat : int, optional
        How many times each value appears in a row (``repeat=2`` gives ``a, a, b, b, ...``).
    infer_range : boolean, optional
        Work ``stop`` out from ``start``, ``step``, ``repeat`` and the output size the graph
        asks for.
    dtype : str or numpy.dtype, optional
        Element type; ``np.float32`` when None.

    Returns
    -------
    out : Symbol
        The symbol.
    """
    return _creation("_arange", name, start=start, stop=stop, step=step, repeat=repeat,
                     infer_range=infer_range, dtype=dtype)


def eye(N: int, M: int = 0, k: int = 0, dtype: Any = None, **kwargs: Any) -> Symbol:
    """A symbol whose output is a 2-D array with ones on one diagonal and zeros elsewhere.

    Parameters
    ----------
    N: int
        Row count.
    M: int, optional
        Column count; 0 means ``N``.
    k: int, optional
        Which diagonal holds the ones: 0 the main one, ``k > 0`` above it, ``k < 0`` below it.
    dtype : str or numpy.dtype, optional
        Element type; ``np.float32`` when None.

    Returns
    -------
    out : Symbol
        The symbol.
    """
    return _creation("_eye", kwargs.pop("name", None), N=N, M=M, k=k, dtype=dtype, **kwargs)
