"""Operators written in Python: ``CustomOp``, ``CustomOpProp`` and ``register`` (``mx.operator``).

A custom operator is two classes. Its prop (a ``CustomOpProp`` subclass, registered under a name
with ``@mx.operator.register("name")``) describes it: argument, output and auxiliary-state names,
shape and type inference, and ``create_operator``, which returns the ``CustomOp`` that computes
``forward`` and ``backward`` on NDArrays. ``nd.Custom(*inputs, op_type="name", **kwargs)``,
``sym.Custom(...)`` and ``F.Custom`` in ``hybrid_forward`` call it; the keywords reach the prop's
``__init__`` as strings, as in MXNet. The operator itself is one entry of the operator table
(``ops/custom.py``), so symbols, JSON, executors, Module and hybridized blocks run it like any
other.

Differences from MXNet 1.9.1, all invisible to an operator that follows the ``req`` it is given:
``create_operator`` is called for every run (MXNet calls it once per bound executor), and
``backward`` always gets ``'write'`` (or ``'null'`` for an input without a gradient): with
``grad_req='add'`` the executor and autograd add its result to the gradient buffer.
``declare_backward_dependency`` is kept for programs that call it, but every array stays
available to ``backward`` (torch's autograd keeps what it saved). Arrays are dense only.
"""
from __future__ import annotations

import collections
from typing import Any, Callable

from .base import MXNetError, py_str, short_repr  # noqa: F401 - MXNet's module offers py_str
from .ops import all_ops, get_op
from .ops import custom as _custom_entry
from .ops.registry import REQUIRED
from .util import is_np_array  # noqa: F401 - MXNet's module offers is_np_array

__all__ = ["CustomOp", "CustomOpProp", "register", "get_all_registered_operators",
           "get_operator_arguments", "OperatorArguments", "PythonOp", "NumpyOp", "NDArrayOp"]

_REQS = ("null", "write", "inplace", "add")


class CustomOp:
    """Base class of the operators a ``CustomOpProp.create_operator`` returns.

    Override ``forward`` and ``backward``; both receive lists of NDArrays and write their results
    into the arrays they are given (``out_data``, ``in_grad``), best through ``assign``.
    """

    def __init__(self) -> None:
        pass

    def forward(self, is_train: bool, req: list, in_data: list, out_data: list, aux: list) -> None:
        """Compute the outputs.

        Parameters
        ----------
        is_train : bool
            Whether the call is for training (under ``autograd.record()``, ``forward(is_train=True)``).
        req : list of str
            How to write each output: ``'null'``, ``'write'``, ``'inplace'`` or ``'add'``
            (``assign`` follows it).
        in_data : list of NDArray
            The arguments, in ``list_arguments`` order.
        out_data : list of NDArray
            The outputs to fill, in ``list_outputs`` order.
        aux : list of NDArray
            The auxiliary states, in ``list_auxiliary_states`` order; write into them to update.
        """

    def backward(self, req: list, out_grad: list, in_data: list, out_data: list, in_grad: list,
                 aux: list) -> None:
        """Compute the gradients of the arguments.

        Parameters
        ----------
        req : list of str
            How to write each gradient in ``in_grad`` (``'null'`` for an argument that needs none).
        out_grad : list of NDArray
            The gradients of the outputs (zeros for an output that did not reach the loss).
        in_data, out_data, aux : list of NDArray
            The arguments, outputs and auxiliary states of the forward call.
        in_grad : list of NDArray
            The gradients to fill, one per argument.
        """

    def assign(self, dst: Any, req: str, src: Any) -> None:
        """Write ``src`` into ``dst`` as ``req`` says: nothing for ``'null'``, a copy for
        ``'write'`` and ``'inplace'``, a sum for ``'add'``."""
        if req == "null":
            return
        if req in ("write", "inplace"):
            dst[:] = src
        elif req == "add":
            dst[:] += src
        else:
            raise MXNetError(f"CustomOp.assign: req must be one of {list(_REQS)}, got "
                             f"{short_repr(req)}")


class CustomOpProp:
    """Base class of a custom operator's description, registered with ``register``.

    Parameters
    ----------
    need_top_grad : bool, default True
        Whether ``backward`` uses the gradients of the outputs (False for a loss, which makes its
        own): the default ``declare_backward_dependency`` lists them only then.
    """

    def __init__(self, need_top_grad: bool = True):
        self.need_top_grad_ = need_top_grad

    def infer_shape(self, in_shape: list) -> tuple:
        """Shapes of the arguments, outputs and auxiliary states from the argument shapes (each a
        list; an unknown one is ``[]``). The default gives every output and no aux state the first
        argument's shape.

        Returns
        -------
        in_shape, out_shape[, aux_shape] : lists of shapes
            In ``list_arguments``, ``list_outputs`` and ``list_auxiliary_states`` order.
        """
        return in_shape, (in_shape[0],) * len(self.list_outputs()), ()

    def infer_type(self, in_type: list) -> tuple:
        """Types of the arguments, outputs and auxiliary states from the argument types (numpy
        types, None where unknown). The default gives every output and aux state the first
        argument's type.

        Returns
        -------
        in_type, out_type[, aux_type] : lists of numpy types
        """
        return (in_type, [in_type[0]] * len(self.list_outputs()),
                [in_type[0]] * len(self.list_auxiliary_states()))

    def infer_storage_type(self, in_stype: list) -> tuple:
        """Storage types of the arguments, outputs and aux states. mxtorch keeps arrays dense:
        every one is ``'default'``, and another storage type is refused."""
        _refuse_sparse("infer_storage_type", in_stype)
        return (in_stype, ["default"] * len(self.list_outputs()),
                ["default"] * len(self.list_auxiliary_states()))

    def infer_storage_type_backward(self, ograd_stype: list, in_stype: list, out_stype: list,
                                    igrad_stype: list, aux_stype: list) -> tuple:
        """Storage types of the arrays of ``backward``: all ``'default'`` (dense) in mxtorch."""
        lists = [ograd_stype, in_stype, out_stype, igrad_stype, aux_stype]
        for stypes in lists:
            # an input gradient's type may still be open ('undefined'); it becomes dense
            _refuse_sparse("infer_storage_type_backward",
                           [s for s in stypes if s != "undefined"])
        return tuple(["default"] * len(s) for s in lists)

    def list_outputs(self) -> list:
        """Output names (default ``['output']``)."""
        return ["output"]

    def list_arguments(self) -> list:
        """Argument names (default ``['data']``)."""
        return ["data"]

    def list_auxiliary_states(self) -> list:
        """Auxiliary-state names (default none)."""
        return []

    def declare_backward_dependency(self, out_grad: list, in_data: list, out_data: list) -> list:
        """The ids among ``out_grad``, ``in_data`` and ``out_data`` that ``backward`` reads: all
        of them, the output gradients only when ``need_top_grad``. (mxtorch keeps every array
        for ``backward`` whatever this answers.)"""
        deps = list(out_grad) if self.need_top_grad_ else []
        return deps + list(in_data) + list(out_data)

    def create_operator(self, ctx: Any, in_shapes: list, in_dtypes: list) -> CustomOp:
        """The ``CustomOp`` that computes this operator, for inputs of these shapes (lists) and
        type codes (MXNet's: 0 float32, 1 float64, 2 float16, 3 uint8, 4 int32, 5 int8, 6 int64)
        on context ``ctx``."""
        return CustomOp()


def _refuse_sparse(where: str, stypes: list) -> None:
    for i, stype in enumerate(stypes):
        if stype != "default":
            raise MXNetError(f"CustomOpProp.{where}: storage type {short_repr(stype)} (entry {i}) is "
                             f"not supported in mxtorch, which keeps arrays dense ('default'); "
                             f"convert sparse data with tostype('default') first")


def register(reg_name: str) -> Callable[[type], type]:
    """Register a ``CustomOpProp`` subclass as the custom operator ``reg_name``: a decorator.

    Afterwards ``nd.Custom(..., op_type=reg_name)`` and ``sym.Custom(..., op_type=reg_name)`` run
    it. Registering a name again replaces the operator.
    """

    def do_register(prop_cls: type) -> type:
        if not (isinstance(prop_cls, type) and issubclass(prop_cls, CustomOpProp)):
            raise MXNetError(f"mx.operator.register({reg_name!r}) decorates a CustomOpProp "
                             f"subclass, got {short_repr(prop_cls)}")
        _custom_entry.register_prop(reg_name, prop_cls)
        return prop_cls

    return do_register


register("custom_op")(CustomOpProp)  # MXNet registers the base prop under this name


def get_all_registered_operators() -> list:
    """Names of every operator in the table (canonical names and aliases)."""
    return sorted(all_ops())


OperatorArguments = collections.namedtuple("OperatorArguments", ["narg", "names", "types"])


def get_operator_arguments(op_name: str) -> OperatorArguments:
    """The inputs and attributes of operator ``op_name``: their count, names and types.

    Parameters
    ----------
    op_name : str
        The operator's name (``'Convolution'``).

    Returns
    -------
    OperatorArguments
        ``narg``, ``names`` and ``types`` (``'NDArray-or-Symbol'`` for an input, the attribute's
        kind and default for an attribute).
    """
    entry = get_op(op_name)
    if entry.variadic is not None or not entry.inputs:
        inputs = [("data", "NDArray-or-Symbol[]")]
    else:
        inputs = [(name, "NDArray-or-Symbol") for name in entry.inputs]
    attrs = [(name, f"{spec.kind}, required" if spec.default is REQUIRED
              else f"{spec.kind}, optional, default={spec.default!r}")
             for name, spec in entry.attrs.items() if name != entry.variadic]
    names = [n for n, _ in inputs + attrs]
    return OperatorArguments(len(names), names, [t for _, t in inputs + attrs])


class _Legacy:
    """MXNet's deprecated operator interfaces, refused with the way forward."""

    def __init__(self, *args: Any, **kwargs: Any):
        raise MXNetError(f"mx.operator.{type(self).__name__} (deprecated in MXNet 1.x) is not "
                         f"supported in mxtorch; write a CustomOp and a CustomOpProp, register "
                         f"the prop with @mx.operator.register(name) and call nd.Custom / "
                         f"sym.Custom(..., op_type=name)")


class PythonOp(_Legacy):
    """Not supported in mxtorch (MXNet's deprecated interface): use ``CustomOp``."""


class NumpyOp(PythonOp):
    """Not supported in mxtorch (MXNet's deprecated interface): use ``CustomOp``."""


class NDArrayOp(PythonOp):
    """Not supported in mxtorch (MXNet's deprecated interface): use ``CustomOp``."""


def __getattr__(name: str) -> Any:
    """``operator.NDArray``: MXNet's module re-exports the array class (looked up on first use,
    so that importing this module does not import the array package first)."""
    if name == "NDArray":
        from .ndarray import NDArray
        return NDArray
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
