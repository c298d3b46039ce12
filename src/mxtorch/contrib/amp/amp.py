"""Automatic mixed precision (``mx.contrib.amp``) on ``torch.autocast``.

Training: :func:`init` switches torch's autocast on for the chosen low-precision type (float16 or
bfloat16), on the CPU and CUDA, for the rest of the program, as MXNet's ``amp.init`` rewrote its
operators for good. Matrix products and convolutions then run in the low-precision type; the
operators MXNet keeps in float32 (softmax and its losses, the normalisations, the output layers:
:func:`list_fp32_ops`) are run in float32 whatever autocast would do. :func:`init_trainer` gives a
Gluon Trainer a dynamic loss scaler; :func:`scale_loss` multiplies the loss by the current scale
and the Trainer divides it out of the gradients, skipping the update (and halving the scale) when
a gradient is infinite or NaN, doubling the scale after 2000 clean steps. :func:`unscale` divides
the scale out of the gradients by hand (before clipping them).

Inference: :func:`convert_symbol`, :func:`convert_model` and :func:`convert_hybrid_block` insert
``amp_cast`` operators into the graph, so that the low-precision operators read their inputs in
the target type and the float32 ones in float32, as MXNet's converted graphs do; the converted
graph runs (and exports) like any other.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Any, Iterator, Optional

import numpy as np
import torch

from ...base import MXNetError
from ...ops.amp_lists import CONDITIONAL as _CONDITIONAL
from ...ops.amp_lists import FP32 as _FP32
from ...ops.amp_lists import LOSS_OUTPUTS as _LOSS_OUTPUTS
from ...ops.amp_lists import LP16 as _LP16
from ...ops.amp_lists import WIDEST as _WIDEST
from ...ops.registry import all_ops, get_op
from .loss_scaler import LossScaler

# MXNet 1.9.1's amp.__all__, in its order.
__all__ = ["init", "init_trainer", "scale_loss", "unscale", "convert_model",
           "convert_hybrid_block", "list_lp16_ops", "list_fp32_ops",
           "list_lp16_fp32_ops", "list_conditional_fp32_ops",
           "list_widest_type_cast", "list_loss_output_functions", "list_lp16_use_fp32_params",
           "convert_symbol"]

_TARGETS = {"float16": torch.float16, "bfloat16": torch.bfloat16}

_state: dict = {"dtype": None, "scaler": None, "scaler_given": False}
log = logging.getLogger(__name__)


def _target(target_dtype: Any) -> str:
    name = "bfloat16" if target_dtype in ("bfloat16", torch.bfloat16) else None
    if name is None:
        try:
            name = np.dtype(target_dtype).name
        except TypeError:
            name = str(target_dtype)
    if name not in _TARGETS:
        raise MXNetError(f"AMP supports float16 and bfloat16 as target_dtype, got {target_dtype!r}")
    return name


def _present(names: tuple) -> list:
    table = all_ops()
    return [n for n in names if n in table]


# -- the operator lists ---------------------------------------------------------------------------
def list_lp16_ops(target_dtype: Any) -> list:
    """The operators AMP runs in the low-precision ``target_dtype``."""
    _target(target_dtype)
    return _present(_LP16)


def list_fp32_ops(target_dtype: Any) -> list:
    """The operators AMP always runs in float32."""
    _target(target_dtype)
    return _present(_FP32)


def list_lp16_fp32_ops(target_dtype: Any) -> list:
    """The operators that run in whichever type their inputs have."""
    _target(target_dtype)
    fixed = set(_LP16) | set(_FP32) | set(_WIDEST) | {c[0] for c in _CONDITIONAL}
    return sorted(n for n in all_ops() if n not in fixed)


def list_conditional_fp32_ops(target_dtype: Any) -> list:
    """``(operator, attribute, values)``: the operator runs in float32 when the attribute has one
    of the values."""
    _target(target_dtype)
    return [c for c in _CONDITIONAL if c[0] in all_ops()]


def list_widest_type_cast(target_dtype: Any) -> list:
    """The operators whose inputs are cast to the widest of their types."""
    _target(target_dtype)
    return _present(_WIDEST)


def list_loss_output_functions(target_dtype: Any) -> list:
    """The output layers whose gradient carries the loss scale."""
    _target(target_dtype)
    return _present(_LOSS_OUTPUTS)


def list_lp16_use_fp32_params(target_dtype: Any) -> dict:
    """Low-precision operators that keep some parameters in float32: operator -> parameter names."""
    _target(target_dtype)
    return {"BatchNorm": ["gamma", "beta", "moving_mean", "moving_var"]}


# -- training --------------------------------------------------------------------------------------
def _float32_op(impl: Any) -> Any:
    """``impl`` run in float32 while autocast is on for its inputs' device."""
    def run(*tensors: Any, **attrs: Any) -> Any:
        first = next((t for t in tensors if isinstance(t, torch.Tensor)), None)
        if first is None or not torch.is_autocast_enabled(first.device.type):
            return impl(*tensors, **attrs)
        with torch.autocast(first.device.type, enabled=False):
            wide = [t.float() if isinstance(t, torch.Tensor) and t.dtype in
                    (torch.float16, torch.bfloat16) else t for t in tensors]
            return impl(*wide, **attrs)
    run.__wrapped__ = impl
    run.__name__ = getattr(impl, "__name__", "op")
    return run


def _conditional_op(impl: Any, attr: str, values: list) -> Any:
    wide = _float32_op(impl)

    def run(*tensors: Any, **attrs: Any) -> Any:
        return (wide if attrs.get(attr) in values else impl)(*tensors, **attrs)
    run.__wrapped__ = impl
    return run


def init(target_dtype: Any = "float16", target_precision_ops: Optional[list] = None,
         conditional_fp32_ops: Optional[list] = None, fp32_ops: Optional[list] = None,
         layout_optimization: bool = False) -> None:
    """Turn automatic mixed precision on for the rest of the program.

    Parameters
    ----------
    target_dtype : {'float16', 'bfloat16'}
        The low-precision type matrix products and convolutions run in.
    target_precision_ops : list of str, optional
        Not used: which operators run in ``target_dtype`` is torch autocast's choice (its list
        holds the convolutions, matrix products and recurrent layers).
    conditional_fp32_ops : list of (str, str, list of str), optional
        Operators run in float32 when an attribute has one of the values (default
        :func:`list_conditional_fp32_ops`).
    fp32_ops : list of str, optional
        Operators always run in float32 (default :func:`list_fp32_ops`).
    layout_optimization : bool
        Not used (MXNet's optional layout pass for its own kernels).
    """
    name = _target(target_dtype)
    if _state["dtype"] is not None:
        return   # as in MXNet, a second init keeps the first
    dtype = _TARGETS[name]
    table = all_ops()
    for op_name in (fp32_ops if fp32_ops is not None else list_fp32_ops(name)):
        entry = table.get(op_name)
        if entry is None:
            raise MXNetError(f"amp.init: fp32_ops names an unknown operator {op_name!r}")
        entry.impl = _float32_op(entry.impl)
    for op_name, attr, values in (conditional_fp32_ops if conditional_fp32_ops is not None
                                  else list_conditional_fp32_ops(name)):
        entry = get_op(op_name)
        entry.impl = _conditional_op(entry.impl, attr, list(values))
    for device in ("cpu", "cuda"):
        torch.set_autocast_dtype(device, dtype)
        torch.set_autocast_enabled(device, True)
    # cached casts of a weight would go stale when the optimizer updates it in place
    torch.set_autocast_cache_enabled(False)
    _state["dtype"] = name
    _state["scaler"] = LossScaler()


def _trainer_class() -> type:
    from ...gluon.trainer import Trainer
    return Trainer


def _check_trainer(optimizer_or_trainer: Any) -> None:
    from ...optimizer import Optimizer
    if isinstance(optimizer_or_trainer, _trainer_class()):
        return
    if isinstance(optimizer_or_trainer, Optimizer):
        raise TypeError("AMP is currently only compatible with Gluon Trainer")
    raise TypeError("optimizer_or_trainer should be a Gluon Trainer or an optimizer, instead is "
                    f"{type(optimizer_or_trainer)}")


def init_trainer(optimizer_or_trainer: Any) -> None:
    """Give a Gluon Trainer a dynamic loss scaler (the first Trainer shares the one
    :func:`init` made, each later one gets its own).

    Parameters
    ----------
    optimizer_or_trainer : Trainer
        The Gluon Trainer (MXNet's AMP does not work with a bare Optimizer).
    """
    if _state["dtype"] is None:
        raise MXNetError("AMP not initialized, did you forget to call amp.init()?")
    _check_trainer(optimizer_or_trainer)
    if _state["scaler_given"]:
        scaler = LossScaler()
    else:
        scaler = _state["scaler"]
        _state["scaler_given"] = True
    optimizer_or_trainer._amp_loss_scaler = scaler
    optimizer_or_trainer._amp_original_scale = optimizer_or_trainer._scale


@contextlib.contextmanager
def scale_loss(loss: Any, optimizer_or_trainer: Any) -> Iterator[Any]:
    """Scale the loss (or each of a list of losses) by the Trainer's current loss scale; the
    Trainer's next ``step`` divides the scale out of the gradients.

    Examples
    --------
    >>> with amp.scale_loss(loss, trainer) as scaled_loss:
    ...     autograd.backward(scaled_loss)
    """
    scaler = getattr(optimizer_or_trainer, "_amp_loss_scaler", None)
    if scaler is None:
        raise MXNetError("scale_loss: the trainer has no loss scaler; call amp.init_trainer(trainer) "
                         "first")
    optimizer_or_trainer._scale = optimizer_or_trainer._amp_original_scale / scaler.loss_scale
    if isinstance(loss, (list, tuple)):
        yield [x * scaler.loss_scale for x in loss]
    else:
        yield loss * scaler.loss_scale


def unscale(optimizer_or_trainer: Any) -> None:
    """Divide the loss scale out of the Trainer's gradients now (to clip or inspect them); its
    next ``step`` then leaves them as they are."""
    _check_trainer(optimizer_or_trainer)
    scale = optimizer_or_trainer._scale
    with torch.no_grad():
        for param in optimizer_or_trainer._params:
            if param.grad_req == "null" or param._grad is None:
                continue
            for grad in param.list_grad():
                grad._t.mul_(scale)
    optimizer_or_trainer._scale = 1.0


# -- inference: casts in the graph -----------------------------------------------------------------
def convert_symbol(sym: Any, target_dtype: str = "float16", target_dtype_ops: Optional[list] = None,
                   fp32_ops: Optional[list] = None, conditional_fp32_ops: Optional[list] = None,
                   excluded_sym_names: Optional[list] = None, data_names: Optional[list] = None,
                   cast_optional_params: bool = False) -> Any:
    """A copy of the float32 graph ``sym`` with ``amp_cast`` operators inserted: the inputs of the
    low-precision operators cast to ``target_dtype``, those of the float32 operators to float32,
    those of the operators that need one type to the widest of theirs (``amp_multicast``).

    Parameters
    ----------
    sym : Symbol
        The float32 graph.
    target_dtype : {'float16', 'bfloat16'}
    target_dtype_ops, fp32_ops, conditional_fp32_ops : lists, optional
        Replace :func:`list_lp16_ops`, :func:`list_fp32_ops`, :func:`list_conditional_fp32_ops`.
    excluded_sym_names : list of str, optional
        Operator nodes left as they are.
    data_names : list of str, optional
        The graph's data inputs (not used to place casts; kept for MXNet's signature).
    cast_optional_params : bool
        Not used: parameters stay float32 and are cast in the graph.
    """
    from ...symbol.graph import Node, copy_graph, topo_order
    from ...symbol.symbol import Symbol

    name = _target(target_dtype)
    lp16 = set(target_dtype_ops if target_dtype_ops is not None else list_lp16_ops(name))
    fp32 = set(fp32_ops if fp32_ops is not None else list_fp32_ops(name))
    conditional = {op: (attr, set(values)) for op, attr, values in
                   (conditional_fp32_ops if conditional_fp32_ops is not None
                    else list_conditional_fp32_ops(name))}
    common = lp16 & (fp32 | set(conditional))
    if common:
        raise MXNetError(f"convert_symbol: operators both low precision and float32: {sorted(common)}")
    widest = set(list_widest_type_cast(name))
    excluded = set(excluded_sym_names or [])
    if not isinstance(excluded_sym_names, (list, type(None))):
        raise ValueError("excluded_sym_names must be a list of strings representing the names of "
                         "the symbols that should not be casted")
    heads = copy_graph(sym._outputs)
    cast_entry, multi_entry = get_op("amp_cast"), get_op("amp_multicast")
    casts: dict = {}

    def cast(src: Any, index: int, dtype: str) -> tuple:
        key = (id(src), index, dtype)
        if key not in casts:
            label = src.name if src.is_variable else src.output_names()[index]
            casts[key] = (Node("amp_cast", f"{label}_amp_cast_{dtype}", {"dtype": dtype},
                               [(src, index)], cast_entry), 0)
        return casts[key]

    for node in topo_order(heads):
        if node.is_variable or node.name in excluded or node.entry in (cast_entry, multi_entry):
            continue
        aux = set(node.aux_positions())
        op = node.op if node.op in all_ops() else node.entry.name
        rule = conditional.get(op)
        if op in lp16:
            dtype = name
        elif op in fp32 or (rule is not None and node.params().get(rule[0]) in rule[1]):
            dtype = "float32"
        elif op in widest and len(node.inputs) > 1:
            multi = Node("amp_multicast", f"{node.name}_amp_multicast",
                         {"num_outputs": str(len(node.inputs))}, list(node.inputs), multi_entry)
            node.inputs = [(multi, i) for i in range(len(node.inputs))]
            continue
        else:
            continue
        node.inputs = [entry if i in aux else cast(entry[0], entry[1], dtype)
                       for i, entry in enumerate(node.inputs)]
    return Symbol(heads)


def convert_model(sym: Any, arg_params: dict, aux_params: dict, target_dtype: str = "float16",
                  target_dtype_ops: Optional[list] = None, fp32_ops: Optional[list] = None,
                  conditional_fp32_ops: Optional[list] = None,
                  excluded_sym_names: Optional[list] = None,
                  cast_optional_params: bool = False) -> tuple:
    """:func:`convert_symbol` for a model: returns ``(symbol, arg_params, aux_params)``, the
    parameters those of the converted graph (kept in float32, cast in the graph)."""
    if excluded_sym_names is not None and not isinstance(excluded_sym_names, list):
        raise ValueError("excluded_sym_names must be a list of strings representing the names of "
                         "the symbols that should not be casted")
    converted = convert_symbol(sym, target_dtype, target_dtype_ops, fp32_ops, conditional_fp32_ops,
                               excluded_sym_names, cast_optional_params=cast_optional_params)
    args = set(converted.list_arguments())
    aux = set(converted.list_auxiliary_states())
    return (converted, {k: v for k, v in arg_params.items() if k in args},
            {k: v for k, v in aux_params.items() if k in aux})


def convert_hybrid_block(block: Any, target_dtype: str = "float16",
                         target_dtype_ops: Optional[list] = None, fp32_ops: Optional[list] = None,
                         conditional_fp32_ops: Optional[list] = None,
                         excluded_sym_names: Optional[list] = None, ctx: Any = None,
                         cast_optional_params: bool = False) -> Any:
    """A SymbolBlock running the hybridized ``block``'s graph with AMP's casts (for inference),
    its parameters copies of the block's on ``ctx``.

    The block must have been hybridized and run once. ``ctx`` defaults to ``mx.gpu(0)`` as in
    MXNet.
    """
    from ...context import gpu
    from ...gluon import HybridBlock, SymbolBlock

    if not isinstance(block, HybridBlock):
        raise MXNetError("convert_hybrid_block: block input should be a HybridBlock")
    if not block._cached_graph:
        raise RuntimeError("Please first call block.hybridize() and then run forward with this "
                           "block at least once before calling export.")
    ctx = gpu(0) if ctx is None else ctx
    inputs, sym = block._cached_graph
    converted = convert_symbol(sym, target_dtype, target_dtype_ops, fp32_ops, conditional_fp32_ops,
                               excluded_sym_names, data_names=[i.name for i in inputs],
                               cast_optional_params=cast_optional_params)
    out = SymbolBlock(converted, inputs)
    source = block.collect_params()
    for key, param in out.collect_params().items():
        if key not in source:
            raise MXNetError(f"convert_hybrid_block: parameter {key!r} of the converted graph is not "
                             "one of the block's")
        param._load_init(source[key].data().copyto(ctx), ctx)
    return out
