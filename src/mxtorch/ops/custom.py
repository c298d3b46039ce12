"""``Custom``: an operator written in Python (``mx.operator``) as one entry of the table.

A call names its Python operator with ``op_type``; every other attribute is free-form and reaches
the prop registered under that name (``mx.operator.register``) as a string, as MXNet hands them
over. The entry's inputs (the prop's ``list_arguments`` then ``list_auxiliary_states``), outputs,
auxiliary states, shape rule and type rule all ask that prop, so ``nd.Custom``, ``sym.Custom``, the
``F.Custom`` of ``hybrid_forward``, symbol JSON and the executor treat a Python operator as they
treat any other entry.

Running one call: the prop's ``infer_shape``/``infer_type`` size the outputs, ``create_operator``
makes the operator (once per call, as MXNet's imperative calls do), and its ``forward`` fills the
outputs through NDArrays. A ``torch.autograd.Function`` around it hands torch's output gradients
to the operator's ``backward``, so gradients reach the inputs under ``autograd.record()`` and in a
bound executor alike.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import torch

from ..base import MXNetError, short_repr, to_numpy_dtype, to_torch_dtype
from ..context import context_of
from .registry import Str, op

__all__ = ["register_prop", "registered_prop", "prop_of"]

_PROPS: dict = {}       # op_type -> the CustomOpProp subclass registered under it
_INSTANCES: dict = {}   # (prop class, keyword items) -> the prop made with those keywords
_MAX_INSTANCES = 4096   # distinct keyword sets kept; beyond that a prop is made per call


def register_prop(reg_name: str, prop_cls: type) -> None:
    """Make ``prop_cls`` the prop of ``op_type=reg_name`` (a later registration replaces it)."""
    if not isinstance(reg_name, str) or not reg_name:
        raise MXNetError(f"a custom operator's name must be a non-empty string, got "
                         f"{short_repr(reg_name)}")
    if not isinstance(prop_cls, type):
        raise MXNetError(f"register('{reg_name}') decorates a CustomOpProp subclass, got "
                         f"{short_repr(prop_cls)}")
    _PROPS[reg_name] = prop_cls
    for key in [k for k in _INSTANCES if k[0] is not prop_cls and k[1] == reg_name]:
        del _INSTANCES[key]


def registered_prop(reg_name: str) -> Optional[type]:
    """The prop class registered as ``reg_name``, or None."""
    return _PROPS.get(reg_name)


def prop_of(attrs: dict) -> Any:
    """The prop of a call with parsed attributes ``attrs`` (``op_type`` and the prop's keywords).

    Props are made once per distinct keyword set: each asks the same questions of it
    (``list_outputs``, ``infer_shape``...), which MXNet answers from one prop per node too.
    """
    op_type = attrs["op_type"]
    cls = _PROPS.get(op_type)
    if cls is None:
        raise MXNetError(f"Custom: cannot find custom operator {op_type!r}; register its "
                         f"CustomOpProp first with @mx.operator.register({op_type!r})")
    kwargs = {k: v for k, v in attrs.items() if k != "op_type"}
    key = (cls, op_type, tuple(sorted(kwargs.items())))
    prop = _INSTANCES.get(key)
    if prop is None:
        try:
            prop = cls(**kwargs)
        except Exception as err:  # the user's __init__: any failure is reported as MXNet's
            raise MXNetError(f"Custom: creating {cls.__name__} for op_type {op_type!r} with the "
                             f"keywords {kwargs} failed (every keyword reaches the prop as a "
                             f"string): {type(err).__name__}: {err}") from err
        _check_dense(prop, op_type)
        if len(_INSTANCES) < _MAX_INSTANCES:
            _INSTANCES[key] = prop
    return prop


def _names(prop: Any, method: str, op_type: str) -> list:
    """The names a prop's ``list_arguments``/``list_outputs``/``list_auxiliary_states`` answers."""
    names = _ask(prop, method, op_type)
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise MXNetError(f"Custom {op_type!r}: {method} must return a list of strings, got "
                         f"{short_repr(names)}")
    return list(names)


def _ask(prop: Any, method: str, op_type: str, *args: Any) -> Any:
    """Call one of the prop's methods, reporting its failure as an MXNetError."""
    try:
        return getattr(prop, method)(*args)
    except MXNetError:
        raise
    except Exception as err:
        raise MXNetError(f"Custom {op_type!r}: {type(prop).__name__}.{method} failed: "
                         f"{type(err).__name__}: {err}") from err


def _check_dense(prop: Any, op_type: str) -> None:
    """mxtorch keeps every array dense: a prop that asks for sparse outputs is refused now."""
    n_args = len(_names(prop, "list_arguments", op_type))
    answer = _ask(prop, "infer_storage_type", op_type, ["default"] * n_args)
    stypes = [s for part in answer for s in part]
    if any(s != "default" for s in stypes):
        raise MXNetError(f"Custom {op_type!r}: infer_storage_type answers {short_repr(answer)}, "
                         f"but sparse storage ('row_sparse', 'csr') is not supported in mxtorch; "
                         f"declare dense ('default') inputs and outputs")


def _arguments(attrs: dict) -> list:
    return _names(prop_of(attrs), "list_arguments", attrs["op_type"])


def _aux_states(attrs: dict) -> list:
    return _names(prop_of(attrs), "list_auxiliary_states", attrs["op_type"])


def _outputs(attrs: dict) -> list:
    return _names(prop_of(attrs), "list_outputs", attrs["op_type"])


def _inputs(attrs: dict) -> list:
    # MXNet's order: the arguments, then the auxiliary states
    return _arguments(attrs) + _aux_states(attrs)


def _split(answer: Any, counts: Sequence[int], what: str, op_type: str) -> list:
    """A prop's ``infer_shape``/``infer_type`` answer as (inputs, outputs, aux), each checked for
    its length as MXNet checks them; the aux list may be left out."""
    if not isinstance(answer, (list, tuple)) or len(answer) not in (2, 3):
        raise MXNetError(f"Custom {op_type!r}: {what} must return 2 or 3 lists, got "
                         f"{short_repr(answer)}")
    parts = list(answer) + ([[]] if len(answer) == 2 else [])
    for part, count, name in zip(parts, counts, ("input", "output", "aux state")):
        if not isinstance(part, (list, tuple)) or len(part) != count:
            raise MXNetError(f"Custom {op_type!r}: {what} must return {count} {name} entries, got "
                             f"{short_repr(part)}")
    return [list(p) for p in parts]


def _shape(value: Any, op_type: str) -> Optional[tuple]:
    """A shape from a prop: None where it is unknown (MXNet's empty shape)."""
    if value is None or len(value) == 0:
        return None
    try:
        return tuple(int(d) for d in value)
    except (TypeError, ValueError):
        raise MXNetError(f"Custom {op_type!r}: infer_shape returned {short_repr(value)}, which is "
                         f"not a shape") from None


def _custom_shape(attrs: dict, *shapes: Any) -> tuple:
    op_type = attrs["op_type"]
    prop = prop_of(attrs)
    n_args, n_out, n_aux = len(_arguments(attrs)), len(_outputs(attrs)), len(_aux_states(attrs))
    # MXNet hands the prop the argument shapes as lists, an unknown one as []
    given = [[] if s is None else list(s) for s in shapes[:n_args]]
    try:
        answer = prop.infer_shape(given)
    except Exception as err:
        if any(s is None for s in shapes[:n_args]):
            return list(shapes), [None] * n_out  # not enough known yet: ask again later
        raise MXNetError(f"Custom {op_type!r}: {type(prop).__name__}.infer_shape failed on "
                         f"{given}: {type(err).__name__}: {err}") from err
    ins, outs, aux = _split(answer, (n_args, n_out, n_aux), "infer_shape", op_type)
    return ([_shape(s, op_type) for s in ins + aux], [_shape(s, op_type) for s in outs])


def _numpy_type(value: Any, op_type: str) -> Optional[type]:
    if value is None:
        return None
    try:
        return np.dtype(value).type
    except TypeError:
        raise MXNetError(f"Custom {op_type!r}: infer_type returned {short_repr(value)}, which is "
                         f"not a dtype") from None


def _custom_types(attrs: dict, names: list, in_types: list, out_types: list) -> tuple:
    op_type = attrs["op_type"]
    n_args, n_out, n_aux = len(_arguments(attrs)), len(_outputs(attrs)), len(_aux_states(attrs))
    answer = _ask(prop_of(attrs), "infer_type", op_type, list(in_types[:n_args]))
    ins, outs, aux = _split(answer, (n_args, n_out, n_aux), "infer_type", op_type)
    return ([_numpy_type(t, op_type) for t in ins + aux], [_numpy_type(t, op_type) for t in outs])


class _Call:
    """One call of a Python operator: the operator ``create_operator`` made, what it runs on, and
    its ``forward`` and ``backward`` on NDArrays."""

    def __init__(self, operator: Any, aux: Sequence[torch.Tensor], is_train: bool,
                 out_shapes: list, out_types: list, device: torch.device):
        self.operator, self.aux, self.is_train = operator, list(aux), is_train
        self.out_shapes, self.out_types, self.device = out_shapes, out_types, device

    def _arrays(self, tensors: Sequence[torch.Tensor]) -> list:
        from ..ndarray.ndarray import NDArray  # the ndarray package imports the table
        ctx = context_of(self.device)
        return [NDArray(t, ctx) for t in tensors]

    def forward(self, args: Sequence[torch.Tensor]) -> list:
        from .. import autograd
        outs = [torch.zeros(s, dtype=to_torch_dtype(t), device=self.device)
                for s, t in zip(self.out_shapes, self.out_types)]
        # the user's NDArray code runs as MXNet runs it: outside recording, in the call's mode
        with autograd.pause(train_mode=self.is_train), context_of(self.device):
            self.operator.forward(is_train=self.is_train, req=["write"] * len(outs),
                                  in_data=self._arrays(args), out_data=self._arrays(outs),
                                  aux=self._arrays(self.aux))
        return outs

    def backward(self, out_grads: Sequence[torch.Tensor], args: Sequence[torch.Tensor],
                 outs: Sequence[torch.Tensor], needed: Sequence[bool]) -> list:
        from .. import autograd
        in_grads = [torch.zeros_like(a) for a in args]
        # 'write' into fresh buffers: the executor and autograd add them up for grad_req='add'
        reqs = ["write" if n else "null" for n in needed]
        with autograd.pause(train_mode=self.is_train), context_of(self.device):
            self.operator.backward(req=reqs, out_grad=self._arrays(out_grads),
                                   in_data=self._arrays(args), out_data=self._arrays(outs),
                                   in_grad=self._arrays(in_grads), aux=self._arrays(self.aux))
        return [g if n else None for g, n in zip(in_grads, needed)]


class _CustomFunction(torch.autograd.Function):
    """The Python operator to torch autograd: its ``backward`` is the operator's ``backward``."""

    @staticmethod
    def forward(ctx: Any, call: _Call, *args: torch.Tensor) -> tuple:
        outs = call.forward(args)
        ctx.call, ctx.n_args = call, len(args)
        ctx.save_for_backward(*args, *outs)
        return tuple(outs)

    @staticmethod
    def backward(ctx: Any, *out_grads: torch.Tensor) -> tuple:
        saved = ctx.saved_tensors
        args, outs = saved[:ctx.n_args], saved[ctx.n_args:]
        grads = ctx.call.backward(out_grads, args, outs, ctx.needs_input_grad[1:])
        return (None, *grads)


def _mx_type_id(dtype: torch.dtype) -> int:
    """The type code MXNet gives ``create_operator`` for a dtype (0 float32, 1 float64...)."""
    from ..symbol.infer import DTYPE_NP_TO_MX  # the symbol package imports the table
    if dtype == torch.bfloat16:
        return 12
    return DTYPE_NP_TO_MX.get(to_numpy_dtype(dtype), -1)


@op("Custom", inputs=(), attrs={"op_type": Str()}, extra_attrs=True, active_inputs=_inputs,
    aux=_aux_states, num_outputs=lambda attrs: len(_outputs(attrs)), output_names=_outputs,
    train_aware=True, fresh_outputs=True)
def custom(*tensors: torch.Tensor, is_train: bool = False, op_type: str, **kwargs: str) -> Any:
    """Apply a custom operator written in Python: the CustomOpProp registered with
    ``mx.operator.register(op_type)`` gives its inputs, outputs and shapes, and the CustomOp its
    ``create_operator`` returns computes the outputs and the gradients. Keywords other than
    ``op_type`` reach the prop's ``__init__`` as strings."""
    attrs = {"op_type": op_type, **kwargs}
    prop = prop_of(attrs)
    n_args = len(_arguments(attrs))
    if len(tensors) != n_args + len(_aux_states(attrs)):
        raise MXNetError(f"Custom {op_type!r}: got {len(tensors)} inputs, but it takes "
                         f"{_inputs(attrs)}")
    _, out_shapes = _custom_shape(attrs, *[tuple(t.shape) for t in tensors])
    in_types = [to_numpy_dtype(t.dtype) for t in tensors]
    _, out_types = _custom_types(attrs, _inputs(attrs), in_types, [None] * len(out_shapes))
    if any(s is None for s in out_shapes):
        raise MXNetError(f"Custom {op_type!r}: infer_shape left output shapes unknown "
                         f"({out_shapes}) for input shapes {[tuple(t.shape) for t in tensors]}")
    # an output type the prop leaves open follows the first input, as MXNet's default rule does
    out_types = [t if t is not None else in_types[0] for t in out_types]
    device = tensors[0].device if tensors else torch.device("cpu")
    operator = _ask(prop, "create_operator", op_type, context_of(device),
                    [list(t.shape) for t in tensors], [_mx_type_id(t.dtype) for t in tensors])
    call = _Call(operator, tensors[n_args:], is_train, out_shapes, out_types, device)
    outs = _CustomFunction.apply(call, *tensors[:n_args])
    return outs if len(outs) > 1 else outs[0]


custom.shape(_custom_shape)
custom.types(_custom_types)
