"""Data parallelism for Module and FeedForward: one executor per device, each on a slice of the batch.

The batch axis of every input is split by the devices' work loads, each device's executor
(all running the one lowered program of the symbol) computes its slice, and outputs and
gradients are joined back along the batch axis when asked.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Optional

from ..base import MXNetError
from ..io.io import DataDesc
from ..ndarray.ndarray import NDArray, concatenate
from ..symbol.infer import DTYPE_MX_TO_NP
from .base_module import _as_descs

__all__ = ["DataParallelExecutorGroup", "split_input_slice"]


def split_input_slice(batch_size: int, work_load_list: list) -> list:
    """Cut ``range(batch_size)`` into one contiguous slice per device, sized by the work loads.

    Shares are rounded; the last device takes what rounding left over.

    Parameters
    ----------
    batch_size : int
        Number of samples in the batch.
    work_load_list : list of float or int
        Relative work load of each device, in device order.

    Returns
    -------
    list of slice
        One slice of the batch per device.

    Raises
    ------
    ValueError
        If a device would get no samples (more devices than the batch can feed).

    Examples
    --------
    >>> split_input_slice(8, [1, 1, 2])
    [slice(0, 2, None), slice(2, 4, None), slice(4, 8, None)]
    """
    total = sum(work_load_list)
    counts = [round(w * batch_size / total) for w in work_load_list]
    if sum(counts) < batch_size:
        counts[-1] += batch_size - sum(counts)
    slices, end = [], 0
    for count in counts:
        begin = int(min(end, batch_size))
        end = int(min(begin + count, batch_size))
        if begin >= end:
            raise ValueError("Too many slices. Some splits are empty.")
        slices.append(slice(begin, end))
    return slices


def _slice_axis(array: NDArray, axis: int, piece: slice) -> NDArray:
    index = [slice(None)] * axis + [piece]
    return NDArray(array._t[tuple(index)])


def load_general(data: list, targets: list, major_axis: list) -> None:
    """Copy each source array (sliced along its batch axis) into the per-context targets."""
    for src, dsts, axis in zip(data, targets, major_axis):
        if isinstance(dsts, NDArray):
            src.copyto(dsts)
            continue
        for piece, dst in dsts:
            whole = axis < 0 or (piece.start == 0 and src.shape[axis] == piece.stop)
            (src if whole else _slice_axis(src, axis, piece)).copyto(dst)


def _merge_multi_context(outputs: list, major_axis: list) -> list:
    """Concatenate each output's per-context pieces along its batch axis."""
    merged = []
    for tensors, axis in zip(outputs, major_axis):
        if axis >= 0 and len(tensors) > 1:
            ctx = tensors[0].context
            merged.append(concatenate([t.as_in_context(ctx) for t in tensors], axis=axis))
        else:
            merged.append(tensors[0])
    return merged


class DataParallelExecutorGroup:
    """The executors of a module, one per device, that together run a batch split along its batch axis.

    Parameters of all executors are kept equal by the module (it pushes the same update to each);
    outputs and input gradients can be read per device or joined. Used by :class:`Module` and
    :class:`~mxtorch.model.FeedForward`.

    Parameters
    ----------
    symbol : Symbol
        The graph every executor runs.
    contexts : list of Context
        The devices, one executor each.
    workload : list of number
        Relative share of the batch per device.
    data_shapes : list of DataDesc or list of (str, tuple)
        Names and shapes of the data inputs (whole batch).
    label_shapes : list of DataDesc or list of (str, tuple), or None
        Names and shapes of the labels; ``None`` when there are none.
    param_names : list of str
        The symbol's arguments that are learnable parameters.
    for_training : bool
        Allocate gradients so that ``backward`` can run.
    inputs_need_grad : bool
        Also compute gradients with respect to the data inputs.
    shared_group : DataParallelExecutorGroup, default None
        A group (another bucket's) whose parameter arrays and buffers these executors use.
    logger : Logger, default logging
        Where warnings are written.
    fixed_param_names : list of str, default None
        Parameters that get no gradient.
    grad_req : str, list of str or dict of str to str, default 'write'
        ``'write'``, ``'add'`` or ``'null'``, for all arguments or per argument.
    state_names : list of str, default None
        Inputs that are neither data, label nor parameter (RNN states).
    group2ctxs : dict, default None
        Accepted for compatibility; every node runs on its executor's device.
    """

    def __init__(self, symbol: Any, contexts: list, workload: list, data_shapes: list,
                 label_shapes: Optional[list], param_names: list, for_training: bool,
                 inputs_need_grad: bool, shared_group: Optional["DataParallelExecutorGroup"] = None,
                 logger: Any = logging, fixed_param_names: Optional[list] = None,
                 grad_req: Any = "write", state_names: Optional[list] = None,
                 group2ctxs: Any = None):
        self.param_names = param_names
        self.arg_names = symbol.list_arguments()
        self.aux_names = symbol.list_auxiliary_states()
        self.symbol = symbol
        self.contexts = contexts
        self.workload = workload
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.logger = logger
        self.fixed_param_names = fixed_param_names or []
        self.state_names = state_names or []
        data_shapes = _as_descs(data_shapes)
        label_shapes = None if label_shapes is None else _as_descs(label_shapes)
        self.grad_req = self._grad_reqs(grad_req if for_training else "null",
                                        [x.name for x in data_shapes])
        self.shared_data_arrays = (shared_group.shared_data_arrays if shared_group is not None
                                   else [{} for _ in contexts])
        self.batch_size: Optional[int] = None
        self.slices: Optional[list] = None
        self.execs: list = []
        self._default_execs: Optional[list] = None
        self.data_shapes = self.label_shapes = None
        self.output_names = symbol.list_outputs()
        self.num_outputs = len(self.output_names)
        self.output_layouts = [DataDesc.get_batch_axis(symbol[i].attr("__layout__"))
                               for i in range(self.num_outputs)]
        self.bind_exec(data_shapes, label_shapes, shared_group)

    def _grad_reqs(self, grad_req: Any, data_names: list) -> dict:
        def default(name: str, req: str) -> str:
            if name in self.param_names:
                return "null" if name in self.fixed_param_names else req
            if name in data_names:
                return req if self.inputs_need_grad else "null"
            return "null"

        if isinstance(grad_req, str):
            return {k: default(k, grad_req) for k in self.arg_names}
        if isinstance(grad_req, (list, tuple)):
            if len(grad_req) != len(self.arg_names):
                raise ValueError(f"grad_req has {len(grad_req)} entries for {len(self.arg_names)} "
                                 "arguments")
            return dict(zip(self.arg_names, grad_req))
        if isinstance(grad_req, dict):
            reqs = {k: default(k, "write") for k in self.arg_names}
            reqs.update(grad_req)
            return reqs
        raise ValueError("grad_req must be one of str, list, tuple, or dict.")

    # -- binding ------------------------------------------------------------------------------
    def decide_slices(self, data_shapes: list) -> list:
        """Find each input's batch axis, check that all inputs agree on the batch size and, the first
        time a batch size is seen, split it across the devices. Returns the batch axes.
        """
        if not data_shapes:
            raise ValueError("data_shapes must not be empty")
        axes = [DataDesc.get_batch_axis(desc.layout) for desc in data_shapes]
        for desc, axis in zip(data_shapes, axes):
            if axis < 0:  # no batch axis: the input goes whole to every device
                continue
            size = desc.shape[axis]
            if self.batch_size is None:
                self.batch_size = size
                self.slices = split_input_slice(size, self.workload)
            elif size != self.batch_size:
                raise MXNetError(f"all data must have the same batch size: batch_size = "
                                 f"{self.batch_size}, but {desc.name} has shape {desc.shape}")
        return axes

    def bind_exec(self, data_shapes: list, label_shapes: Optional[list],
                  shared_group: Optional["DataParallelExecutorGroup"] = None,
                  reshape: bool = False) -> None:
        """Create (or, with ``reshape``, reshape) every device's executor for the given input shapes."""
        self.batch_size = None
        self.data_layouts = self.decide_slices(data_shapes)
        self.label_layouts = self.decide_slices(label_shapes) if label_shapes is not None else None
        for i in range(len(self.contexts)):
            data_i = self._sliced_shape(data_shapes, i, self.data_layouts)
            label_i = ([] if label_shapes is None else
                       self._sliced_shape(label_shapes, i, self.label_layouts))
            if reshape:
                self.execs[i] = self._default_execs[i].reshape(
                    allow_up_sizing=True, **{d.name: d.shape for d in data_i + label_i})
            else:
                self.execs.append(self._bind_ith_exec(i, data_i, label_i, shared_group))
        self.data_shapes = data_shapes
        self.label_shapes = label_shapes
        self.data_names = [d.name for d in data_shapes]
        self.label_names = [d.name for d in label_shapes] if label_shapes is not None else None
        self._collect_arrays()

    def _bind_ith_exec(self, i: int, data_shapes: list, label_shapes: list, shared_group: Any) -> Any:
        shared_exec = shared_group.execs[i] if shared_group is not None else None
        types = {d.name: d.dtype for d in data_shapes}
        attrs = self.symbol.attr_dict()
        for name in types:  # a data variable declared with a dtype keeps it
            code = attrs.get(name, {}).get("__dtype__")
            if code not in (None, "-1"):
                types[name] = DTYPE_MX_TO_NP[int(code)]
        types.update({d.name: d.dtype for d in label_shapes})
        return self.symbol.simple_bind(ctx=self.contexts[i], grad_req=self.grad_req,
                                       type_dict=types, shared_arg_names=self.param_names,
                                       shared_exec=shared_exec,
                                       shared_buffer=self.shared_data_arrays[i],
                                       **{d.name: d.shape for d in data_shapes + label_shapes})

    def _sliced_shape(self, shapes: list, i: int, major_axis: list) -> list:
        out = []
        for desc, axis in zip(shapes, major_axis):
            shape = list(desc.shape)
            if axis >= 0:
                piece = self.slices[i]
                shape[axis] = piece.stop - piece.start
            out.append(DataDesc(desc.name, tuple(shape), desc.dtype, desc.layout))
        return out

    def _collect_arrays(self) -> None:
        def sliced_inputs(descs: list) -> list:
            # per input, what load_general fills: (the device's slice, its argument array)
            return [list(zip(self.slices, (e.arg_dict[desc[0]] for e in self.execs)))
                    for desc in descs]

        self.data_arrays = sliced_inputs(self.data_shapes)
        self.state_arrays = [[e.arg_dict[name] for e in self.execs] for name in self.state_names]
        self.label_arrays = None if self.label_shapes is None else sliced_inputs(self.label_shapes)
        self.param_arrays = [[e.arg_arrays[i] for e in self.execs]
                             for i, name in enumerate(self.arg_names) if name in self.param_names]
        self.grad_arrays = None if not self.for_training else [
            [e.grad_arrays[i] for e in self.execs]
            for i, name in enumerate(self.arg_names) if name in self.param_names]
        self.input_grad_arrays = None if not self.inputs_need_grad else [
            [e.grad_arrays[self.arg_names.index(name)] for e in self.execs]
            for name, _ in self.data_shapes if name in self.arg_names]
        self.aux_arrays = [[e.aux_arrays[i] for e in self.execs] for i in range(len(self.aux_names))]

    def reshape(self, data_shapes: list, label_shapes: Optional[list]) -> None:
        """Reshape the executors for new input shapes; nothing happens if the shapes are unchanged."""
        if data_shapes == self.data_shapes and label_shapes == self.label_shapes:
            return
        if self._default_execs is None:
            self._default_execs = list(self.execs)
        self.bind_exec(data_shapes, label_shapes, reshape=True)

    # -- parameters ---------------------------------------------------------------------------
    def set_params(self, arg_params: dict, aux_params: dict, allow_extra: bool = False) -> None:
        """Copy the given parameters and auxiliary states into every executor."""
        for exec_ in self.execs:
            exec_.copy_params_from(arg_params, aux_params, allow_extra_params=allow_extra)

    def get_params(self, arg_params: dict, aux_params: dict) -> None:
        """Write the executors' parameters into ``arg_params`` and ``aux_params``, averaging over the
        devices when there are several.
        """
        for names, blocks, target in ((self.param_names, self.param_arrays, arg_params),
                                      (self.aux_names, self.aux_arrays, aux_params)):
            for name, block in zip(names, blocks):
                dst = target[name]
                total = block[0]._t.to(dst._t.device, dst._t.dtype, copy=True)
                for w in block[1:]:
                    total += w._t.to(dst._t.device, dst._t.dtype)
                dst._t.copy_(total / len(block) if len(block) > 1 else total)

    # -- running ------------------------------------------------------------------------------
    def forward(self, data_batch: Any, is_train: Optional[bool] = None) -> None:
        """Copy each device's slice of ``data_batch`` into its executor and run them forward;
        ``is_train=None`` means the group's ``for_training``.
        """
        load_general(data_batch.data, self.data_arrays, self.data_layouts)
        if is_train is None:
            is_train = self.for_training
        if self.label_arrays is not None and data_batch.label:
            load_general(data_batch.label, self.label_arrays, self.label_layouts)
        for exec_ in self.execs:
            exec_.forward(is_train=is_train)

    def backward(self, out_grads: Optional[list] = None) -> None:
        """Run every executor backward, giving each its slice of ``out_grads`` (needed for outputs that
        are not loss layers). Raises ``MXNetError`` for a group bound without ``for_training``.
        """
        if not self.for_training:
            raise MXNetError("re-bind with for_training=True to run backward")
        out_grads = out_grads or []
        for i, (exec_, piece) in enumerate(zip(self.execs, self.slices)):
            sliced = []
            for grad, axis in zip(out_grads, self.output_layouts):
                part = _slice_axis(grad, axis, piece) if axis >= 0 else grad
                sliced.append(part.as_in_context(self.contexts[i]))
            exec_.backward(out_grads=sliced)

    def get_output_shapes(self) -> list:
        """Names and whole-batch shapes of the outputs, as ``(name, shape)`` pairs."""
        shapes = []
        for key, out, axis in zip(self.output_names, self.execs[0].outputs, self.output_layouts):
            shape = list(out.shape)
            if axis >= 0:
                shape[axis] = self.batch_size
            shapes.append((key, tuple(shape)))
        return shapes

    def get_outputs(self, merge_multi_context: bool = True, begin: int = 0,
                    end: Optional[int] = None) -> list:
        """Outputs ``begin`` to ``end`` of the last forward: joined along the batch axis, or per output
        the list of per-device arrays when ``merge_multi_context`` is False.
        """
        end = self.num_outputs if end is None else end
        outputs = [[e.outputs[i] for e in self.execs] for i in range(begin, end)]
        return _merge_multi_context(outputs, self.output_layouts) if merge_multi_context else outputs

    def get_states(self, merge_multi_context: bool = True) -> list:
        """The state arrays, per state one per device (merging is not supported)."""
        if merge_multi_context:
            raise MXNetError("merge_multi_context=True is not supported for get_states yet.")
        return self.state_arrays

    def set_states(self, states: Optional[list] = None, value: Any = None) -> None:
        """Set the states from per-device arrays, or every element to ``value``; give exactly one."""
        if (states is None) == (value is None):
            raise ValueError("Only one of states & value can be specified.")
        if states is not None:
            load_general(states, self.state_arrays, (0,) * len(states))
        else:
            for dsts in self.state_arrays:
                for dst in dsts:
                    dst[:] = value

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """Gradients with respect to the data inputs, joined over the devices unless
        ``merge_multi_context`` is False."""
        if not self.inputs_need_grad:
            raise MXNetError("bind with inputs_need_grad=True to get input gradients")
        if merge_multi_context:
            return _merge_multi_context(self.input_grad_arrays, self.data_layouts)
        return self.input_grad_arrays

    def update_metric(self, eval_metric: Any, labels: list, pre_sliced: bool = False) -> None:
        """Update ``eval_metric`` with each device's outputs against its slice of ``labels`` (or the
        slices given per device when ``pre_sliced``).
        """
        for k, (texec, piece) in enumerate(zip(self.execs, self.slices)):
            if pre_sliced:
                sliced = labels[k]
            else:
                sliced = [_slice_axis(lab, axis, piece) if axis >= 0 and len(self.execs) > 1
                          else lab for lab, axis in zip(labels, self.label_layouts or [])]
            eval_metric.update_dict(OrderedDict(zip(self.label_names or [], sliced)),
                                    OrderedDict(zip(self.output_names, texec.outputs)))

    def install_monitor(self, mon: Any) -> None:
        """Let ``mon`` watch every executor."""
        for exe in self.execs:
            mon.install(exe)
