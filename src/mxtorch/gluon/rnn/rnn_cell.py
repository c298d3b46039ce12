"""Recurrent cells: one time step of a recurrent network, and ``unroll`` to run one over a sequence.

The cells compute with the operator table (FullyConnected, SliceChannel, Activation, elementwise
arithmetic), so a cell runs imperatively, traces into a Symbol when hybridized, and gives MXNet
1.9.1's numbers with MXNet's parameter names (``i2h_weight``, ``h2h_weight``, ``i2h_bias``,
``h2h_bias`` under the cell's prefix).
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from ... import ndarray, symbol
from ...base import numeric_types, string_types
from ..block import Block, HybridBlock
from ..nn import LeakyReLU
from ..parameter import tensor_types
from ..utils import _indent

__all__ = ["RecurrentCell", "HybridRecurrentCell", "RNNCell", "LSTMCell", "GRUCell",
           "SequentialRNNCell", "HybridSequentialRNNCell", "DropoutCell", "ModifierCell",
           "ZoneoutCell", "ResidualCell", "BidirectionalCell"]


def _as_list(obj: Any) -> list:
    """A list of arrays or of single-output symbols (a grouped symbol is taken apart)."""
    if isinstance(obj, (list, tuple)):
        return list(obj)
    if isinstance(obj, symbol.Symbol) and len(obj.list_outputs()) > 1:
        return list(obj)
    return [obj]


def _stacked_state_info(cells: Sequence, batch_size: int) -> list:
    return sum([c.state_info(batch_size) for c in cells], [])


def _stacked_begin_state(cells: Sequence, **kwargs: Any) -> list:
    return sum([c.begin_state(**kwargs) for c in cells], [])


def starting_states(cell: "RecurrentCell", F: Any, begin_state: Optional[list], inputs: Any,
                    batch_size: int, layout: str = "NTC") -> list:
    """The states ``unroll`` starts from: the given ones, else zeros on the inputs' context.

    In a graph the batch size is not known when the states are made: a (batch, size) state is
    then zeros shaped after the inputs' batch axis (``layout``'s N when ``inputs`` is one symbol),
    so the graph runs for any batch without shape inference having to reach back into it.
    """
    if begin_state is not None:
        return begin_state
    if F is ndarray:
        first = inputs if isinstance(inputs, tensor_types) else inputs[0]
        ctx = first.context
        with ctx:
            return cell.begin_state(func=F.zeros, batch_size=batch_size)
    states = cell.begin_state(func=F.zeros, batch_size=batch_size)
    whole = isinstance(inputs, symbol.Symbol)
    first, axis = (inputs, layout.find("N")) if whole else (inputs[0], 0)
    batch = F.sum(F.zeros_like(first), axis=axis, exclude=True)  # (N,) zeros
    shaped = []
    for state, info in zip(states, cell.state_info(batch_size)):
        shape = tuple(info["shape"])
        if shape[0] or not all(shape[1:]):  # a known batch, or sizes only inference can tell
            shaped.append(state)
            continue
        column = F.reshape(batch, shape=(-1,) + (1,) * (len(shape) - 1))
        shaped.append(F.broadcast_axis(column, axis=tuple(range(1, len(shape))),
                                       size=shape[1:]))
    return shaped


def arrange_sequence(length: Optional[int], inputs: Any, layout: str, merge: Optional[bool],
                     in_layout: Optional[str] = None) -> tuple:
    """Brings a sequence to the form a loop or a fused step wants: a list of per-step arrays
    (``merge=False``), one array with time on ``layout``'s T axis (``merge=True``), or as given
    (``merge=None``). Returns (inputs, time axis, F, batch size; 0 for symbols)."""
    if inputs is None:
        raise AssertionError("unroll(inputs=None) is not supported: create the input variables "
                             "before calling unroll")
    axis, batch_axis = layout.find("T"), layout.find("N")
    in_axis = in_layout.find("T") if in_layout is not None else axis
    batch_size = 0
    if isinstance(inputs, symbol.Symbol):
        F = symbol
        if merge is False:
            if len(inputs.list_outputs()) != 1:
                raise AssertionError("unroll takes one symbol (or a list of per-step symbols), "
                                     "not a grouped symbol: pass list(inputs)")
            inputs = list(symbol.split(inputs, axis=in_axis, num_outputs=length, squeeze_axis=1))
    elif isinstance(inputs, ndarray.NDArray):
        F = ndarray
        batch_size = inputs.shape[batch_axis]
        if merge is False:
            if length is not None and length != inputs.shape[in_axis]:
                raise AssertionError(f"unroll: length {length} differs from the inputs' "
                                     f"{inputs.shape[in_axis]} steps")
            inputs = _as_list(ndarray.split(inputs, axis=in_axis,
                                            num_outputs=inputs.shape[in_axis], squeeze_axis=1))
    else:
        if length is not None and len(inputs) != length:
            raise AssertionError(f"unroll: length {length} differs from the {len(inputs)} "
                                 "inputs given")
        if isinstance(inputs[0], symbol.Symbol):
            F = symbol
        else:
            F = ndarray
            batch_size = inputs[0].shape[0]
        if merge is True:
            inputs = F.stack(*inputs, axis=axis)
            in_axis = axis
    if isinstance(inputs, tensor_types + (symbol.Symbol,)) and axis != in_axis:
        inputs = F.swapaxes(inputs, dim1=axis, dim2=in_axis)
    return inputs, axis, F, batch_size


# -- variable lengths, with the table's broadcast operators (nd and sym alike) ----------------------
def sequence_ndim(cell: "RecurrentCell") -> int:
    """Dimensions of a stacked sequence of the cell's outputs (time, batch, features...): one
    more than its first state's; 3 for a cell without states."""
    infos = cell.state_info()
    return 1 + len(infos[0]["shape"]) if infos else 3


def _steps_and_lengths(F: Any, length: int, valid_length: Any, time_axis: int,
                       ndim: int = 3) -> tuple:
    """The step numbers 0..length-1 and the lengths, shaped to broadcast against an ``ndim``-D
    sequence with time on axis 0 and batch on axis 1 (``time_axis`` 0), or the other way round."""
    steps = F.arange(length)
    lengths = F.Cast(valid_length, dtype="float32")
    rest = (1,) * (ndim - 2)
    if time_axis == 0:
        return F.reshape(steps, shape=(-1, 1) + rest), F.reshape(lengths, shape=(1, -1) + rest)
    return F.reshape(steps, shape=(1, -1) + rest), F.reshape(lengths, shape=(-1, 1) + rest)


def zero_past_lengths(F: Any, data: Any, length: int, valid_length: Any, time_axis: int,
                      merge: bool, ndim: int = 3) -> Any:
    """Zeroes every step at or past each sequence's valid length (``ndim``: the dimensions of
    the stacked sequence, read from the data when it is an NDArray)."""
    if not isinstance(data, tensor_types + (symbol.Symbol,)):
        data = F.stack(*data, axis=time_axis)
    if isinstance(data, tensor_types):
        ndim = data.ndim
    steps, lengths = _steps_and_lengths(F, length, valid_length, time_axis, ndim)
    mask = F.Cast(F.broadcast_lesser(steps, lengths), dtype="float32")
    outputs = F.broadcast_mul(data, mask)
    if not merge:
        outputs = _as_list(F.split(outputs, num_outputs=length, axis=time_axis, squeeze_axis=True))
    return outputs


def _last_valid_states(F: Any, per_step: list, length: int, valid_length: Any,
                       ndims: list) -> list:
    """Each state at its sequence's last valid step (per_step: one list of states per step;
    ndims: each stacked state's dimensions)."""
    states = []
    for ele_list, ndim in zip(zip(*per_step), ndims):
        stacked = F.stack(*ele_list, axis=0)  # (T, N, ...)
        steps, lengths = _steps_and_lengths(F, length, valid_length, 0, ndim)
        last = F.broadcast_equal(steps, lengths - 1)
        states.append(F.sum(F.broadcast_mul(stacked, last), axis=0))
    return states


def _reversed_steps(sequences: list, unroll_step: int, valid_length: Any = None,
                    ndim: int = 3) -> list:
    """The per-step arrays in reverse order; with ``valid_length``, each sequence is reversed
    within its own length and its padding stays in place (``ndim``: the dimensions of the
    stacked sequence, read from the data when it is an NDArray)."""
    F = symbol if isinstance(sequences[0], symbol.Symbol) else ndarray
    if valid_length is None:
        return list(reversed(sequences))
    stacked = F.stack(*sequences, axis=0)  # (T, N, ...)
    if isinstance(stacked, tensor_types):
        ndim = stacked.ndim
    steps, lengths = _steps_and_lengths(F, unroll_step, valid_length, 0, ndim)
    inside = F.broadcast_lesser(steps, lengths)
    # the step each output step reads: length-1-t inside the sequence, t in its padding
    source = F.broadcast_add(steps, F.broadcast_mul(inside, F.broadcast_sub(lengths - 1, 2 * steps)))
    candidates = F.reshape(F.arange(unroll_step), shape=(1, -1) + (1,) * (ndim - 1))
    select = F.broadcast_equal(F.expand_dims(source, axis=1), candidates)  # (T, T, N, 1...)
    reversed_ = F.sum(F.broadcast_mul(select, F.expand_dims(stacked, axis=0)), axis=1)
    return _as_list(F.split(reversed_, axis=0, num_outputs=unroll_step, squeeze_axis=True))


# -- the bases ---------------------------------------------------------------------------------------
class RecurrentCell(Block):
    """Base of the recurrent cells: one step with ``cell(inputs, states)``, a sequence with
    ``unroll``.

    Parameters
    ----------
    prefix : str, optional
        Prefix of the cell's parameter and child names.
    params : ParameterDict, optional
        Parameters to share (another cell's ``params``).
    """

    def __init__(self, prefix: Optional[str] = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        self._modified = False
        self.reset()

    def reset(self) -> None:
        """Forgets the steps taken: ``unroll`` calls this before running a sequence."""
        self._init_counter = -1
        self._counter = -1
        for cell in self._children.values():
            cell.reset()

    def state_info(self, batch_size: int = 0) -> list:
        """The shape (and layout) of each state for a batch of ``batch_size``."""
        raise NotImplementedError()

    def begin_state(self, batch_size: int = 0, func: Callable = ndarray.zeros, **kwargs: Any) -> list:
        """The states a sequence starts from.

        Parameters
        ----------
        batch_size : int
            The batch size ('N' of the layout); needed for NDArrays.
        func : callable, default ``ndarray.zeros``
            Makes each state from ``name``, ``shape`` and ``kwargs``: ``nd.zeros``, ``nd.ones``,
            ``sym.zeros``, ``sym.var`` (to feed states as inputs)...
        **kwargs
            Passed on to ``func`` (``ctx``, ``dtype``...).

        Returns
        -------
        list of NDArray or Symbol
        """
        if self._modified:
            raise AssertionError("this cell is wrapped by a modifier cell (ZoneoutCell, "
                                 "ResidualCell...): call the modifier cell instead")
        states = []
        for info in self.state_info(batch_size):
            self._init_counter += 1
            info = dict(info, **kwargs) if info is not None else kwargs
            states.append(func(name=f"{self._prefix}begin_state_{self._init_counter}", **info))
        return states

    def unroll(self, length: int, inputs: Any, begin_state: Optional[list] = None,
               layout: str = "NTC", merge_outputs: Optional[bool] = None,
               valid_length: Any = None) -> tuple:
        """Runs the cell over ``length`` steps.

        Parameters
        ----------
        length : int
            Number of steps.
        inputs : Symbol, NDArray, or list of them
            The sequence: one array in ``layout`` (T, N, C axes) or one (N, C) array per step.
        begin_state : list, optional
            The starting states (default: ``begin_state()``, zeros).
        layout : str, default 'NTC'
            Layout of ``inputs`` as one array, and of the merged outputs.
        merge_outputs : bool, optional
            True: the outputs as one array in ``layout``; False: a list per step; None: whichever
            form ``inputs`` came in.
        valid_length : Symbol or NDArray, optional
            The length of each sequence of the batch, shape (N,): outputs past it are zero and
            the returned states are those of its last valid step.

        Returns
        -------
        outputs : list of (N, C) arrays, or one array in ``layout``
        states : list of the final states
        """
        self.reset()
        inputs, axis, F, batch_size = arrange_sequence(length, inputs, layout, False)
        states = starting_states(self, F, begin_state, inputs, batch_size)
        outputs, all_states = [], []
        for i in range(length):
            output, states = self(inputs[i], states)
            outputs.append(output)
            if valid_length is not None:
                all_states.append(states)
        if valid_length is not None:
            ndims = [1 + len(info["shape"]) for info in self.state_info()]
            states = _last_valid_states(F, all_states, length, valid_length, ndims)
            outputs = zero_past_lengths(F, outputs, length, valid_length, axis, True,
                                        sequence_ndim(self))
        outputs, _, _, _ = arrange_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def _get_activation(self, F: Any, inputs: Any, activation: Any, **kwargs: Any) -> Any:
        """``activation`` applied to ``inputs``: an Activation act_type ('tanh', 'relu',
        'sigmoid', 'softrelu', 'softsign'), a LeakyReLU block, or any callable."""
        if isinstance(activation, string_types):
            return F.Activation(inputs, act_type=activation, **kwargs)
        if isinstance(activation, LeakyReLU):
            return F.LeakyReLU(inputs, act_type="leaky", slope=activation._alpha, **kwargs)
        return activation(inputs, **kwargs)

    def forward(self, inputs: Any, states: Any) -> Any:
        """One step: (output, new states) from the step's input and the previous states."""
        self._counter += 1
        return super().forward(inputs, states)


class HybridRecurrentCell(RecurrentCell, HybridBlock):
    """Base of the hybridizable recurrent cells: subclasses write ``hybrid_forward``."""

    def __init__(self, prefix: Optional[str] = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


class _GatedCell(HybridRecurrentCell):
    """The four parameters every cell here has, ``gates`` blocks of ``hidden_size`` rows."""

    _gates = 1

    def __init__(self, hidden_size: int, i2h_weight_initializer: Any, h2h_weight_initializer: Any,
                 i2h_bias_initializer: Any, h2h_bias_initializer: Any, input_size: int,
                 prefix: Optional[str], params: Any):
        super().__init__(prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        rows = self._gates * hidden_size
        self.i2h_weight = self.params.get("i2h_weight", shape=(rows, input_size),
                                          init=i2h_weight_initializer, allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=(rows, hidden_size),
                                          init=h2h_weight_initializer, allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(rows,), init=i2h_bias_initializer,
                                        allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(rows,), init=h2h_bias_initializer,
                                        allow_deferred_init=True)

    def state_info(self, batch_size: int = 0) -> list:
        return [{"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _mapping(self) -> str:
        shape = self.i2h_weight.shape
        return f"{shape[1] if shape[1] else None} -> {shape[0]}"

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._mapping()})"

    def hybrid_forward(self, F: Any, inputs: Any, states: Any, i2h_weight: Any, h2h_weight: Any,
                       i2h_bias: Any, h2h_bias: Any) -> tuple:
        prefix = f"t{self._counter}_"
        rows = self._gates * self._hidden_size
        i2h = F.FullyConnected(data=inputs, weight=i2h_weight, bias=i2h_bias, num_hidden=rows,
                               name=prefix + "i2h")
        h2h = F.FullyConnected(data=states[0], weight=h2h_weight, bias=h2h_bias, num_hidden=rows,
                               name=prefix + "h2h")
        return self._step(F, i2h, h2h, states, prefix)

    def _step(self, F: Any, i2h: Any, h2h: Any, states: Any, prefix: str) -> tuple:
        """The cell's output and next states from the two projections (``i2h`` of the input,
        ``h2h`` of the first state); ``prefix`` starts the names of the nodes it makes."""
        raise NotImplementedError


class RNNCell(_GatedCell):
    r"""An Elman RNN step: :math:`h_t = act(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})`.

    Parameters
    ----------
    hidden_size : int
        Size of the hidden state.
    activation : str or Block, default 'tanh'
        The nonlinearity: an Activation act_type, 'softsign', a LeakyReLU block or a callable.
    i2h_weight_initializer, h2h_weight_initializer : str or Initializer, optional
        Initializers of the input-to-hidden and hidden-to-hidden weights.
    i2h_bias_initializer, h2h_bias_initializer : str or Initializer, default 'zeros'
        Initializers of the two biases.
    input_size : int, default 0
        Size of the input; 0 infers it from the first input.
    prefix, params
        As for any Block.

    Inputs
    ------
    - **data**: (batch_size, input_size).
    - **states**: a list of one (batch_size, hidden_size) array.

    Outputs
    -------
    - **out**: (batch_size, hidden_size).
    - **next_states**: a list of one (batch_size, hidden_size) array, the output itself.
    """

    def __init__(self, hidden_size: int, activation: Any = "tanh",
                 i2h_weight_initializer: Any = None, h2h_weight_initializer: Any = None,
                 i2h_bias_initializer: Any = "zeros", h2h_bias_initializer: Any = "zeros",
                 input_size: int = 0, prefix: Optional[str] = None, params: Any = None):
        super().__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                         i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params)
        self._activation = activation

    def _alias(self) -> str:
        return "rnn"

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._mapping()}, {self._activation})"

    def _step(self, F: Any, i2h: Any, h2h: Any, states: Any, prefix: str) -> tuple:
        total = F.elemwise_add(i2h, h2h, name=prefix + "plus0")
        output = self._get_activation(F, total, self._activation, name=prefix + "out")
        return output, [output]


class LSTMCell(_GatedCell):
    r"""A Long Short-Term Memory step (Hochreiter and Schmidhuber, 1997), gates stacked in the
    order input, forget, cell, output.

    Parameters
    ----------
    hidden_size : int
        Size of the hidden and cell states.
    i2h_weight_initializer, h2h_weight_initializer : str or Initializer, optional
        Initializers of the input-to-hidden and hidden-to-hidden weights.
    i2h_bias_initializer, h2h_bias_initializer : str or Initializer, default 'zeros'
        Initializers of the two biases.
    input_size : int, default 0
        Size of the input; 0 infers it from the first input.
    prefix, params
        As for any Block.
    activation : str, default 'tanh'
        Activation of the cell candidate and of the cell state on its way out.
    recurrent_activation : str, default 'sigmoid'
        Activation of the three gates.

    Inputs
    ------
    - **data**: (batch_size, input_size).
    - **states**: [hidden (batch_size, hidden_size), cell (batch_size, hidden_size)].

    Outputs
    -------
    - **out**: (batch_size, hidden_size).
    - **next_states**: [hidden, cell], as the inputs.
    """

    _gates = 4

    def __init__(self, hidden_size: int, i2h_weight_initializer: Any = None,
                 h2h_weight_initializer: Any = None, i2h_bias_initializer: Any = "zeros",
                 h2h_bias_initializer: Any = "zeros", input_size: int = 0,
                 prefix: Optional[str] = None, params: Any = None, activation: str = "tanh",
                 recurrent_activation: str = "sigmoid"):
        super().__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                         i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params)
        self._activation = activation
        self._recurrent_activation = recurrent_activation

    def state_info(self, batch_size: int = 0) -> list:
        return [{"shape": (batch_size, self._hidden_size), "__layout__": "NC"},
                {"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self) -> str:
        return "lstm"

    def _step(self, F: Any, i2h: Any, h2h: Any, states: Any, prefix: str) -> tuple:
        gates = F.SliceChannel(F.elemwise_add(i2h, h2h, name=prefix + "plus0"), num_outputs=4,
                               name=prefix + "slice")
        act, rec = self._activation, self._recurrent_activation
        in_gate = self._get_activation(F, gates[0], rec, name=prefix + "i")
        forget_gate = self._get_activation(F, gates[1], rec, name=prefix + "f")
        candidate = self._get_activation(F, gates[2], act, name=prefix + "c")
        out_gate = self._get_activation(F, gates[3], rec, name=prefix + "o")
        next_c = F.elemwise_add(F.elemwise_mul(forget_gate, states[1], name=prefix + "mul0"),
                                F.elemwise_mul(in_gate, candidate, name=prefix + "mul1"),
                                name=prefix + "state")
        next_h = F.elemwise_mul(out_gate, F.Activation(next_c, act_type=act,
                                                       name=prefix + "activation0"),
                                name=prefix + "out")
        return next_h, [next_h, next_c]


class GRUCell(_GatedCell):
    r"""A Gated Recurrent Unit step (Cho et al., 2014) as cuDNN computes it: the reset gate scales
    the hidden-to-hidden projection after its bias. Gates are stacked reset, update, new.

    Parameters
    ----------
    hidden_size : int
        Size of the hidden state.
    i2h_weight_initializer, h2h_weight_initializer : str or Initializer, optional
        Initializers of the input-to-hidden and hidden-to-hidden weights.
    i2h_bias_initializer, h2h_bias_initializer : str or Initializer, default 'zeros'
        Initializers of the two biases.
    input_size : int, default 0
        Size of the input; 0 infers it from the first input.
    prefix, params
        As for any Block.

    Inputs
    ------
    - **data**: (batch_size, input_size).
    - **states**: a list of one (batch_size, hidden_size) array.

    Outputs
    -------
    - **out**: (batch_size, hidden_size).
    - **next_states**: a list of one (batch_size, hidden_size) array, the output itself.
    """

    _gates = 3

    def __init__(self, hidden_size: int, i2h_weight_initializer: Any = None,
                 h2h_weight_initializer: Any = None, i2h_bias_initializer: Any = "zeros",
                 h2h_bias_initializer: Any = "zeros", input_size: int = 0,
                 prefix: Optional[str] = None, params: Any = None):
        super().__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                         i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params)

    def _alias(self) -> str:
        return "gru"

    def _step(self, F: Any, i2h: Any, h2h: Any, states: Any, prefix: str) -> tuple:
        prev = states[0]
        i2h_r, i2h_z, i2h_n = F.SliceChannel(i2h, num_outputs=3, name=prefix + "i2h_slice")
        h2h_r, h2h_z, h2h_n = F.SliceChannel(h2h, num_outputs=3, name=prefix + "h2h_slice")
        reset = F.Activation(F.elemwise_add(i2h_r, h2h_r, name=prefix + "plus0"),
                             act_type="sigmoid", name=prefix + "r_act")
        update = F.Activation(F.elemwise_add(i2h_z, h2h_z, name=prefix + "plus1"),
                              act_type="sigmoid", name=prefix + "z_act")
        candidate = F.Activation(F.elemwise_add(i2h_n, F.elemwise_mul(reset, h2h_n,
                                                                      name=prefix + "mul0"),
                                                name=prefix + "plus2"),
                                 act_type="tanh", name=prefix + "h_act")
        keep = F.elemwise_sub(F.ones_like(update, name=prefix + "ones_like0"), update,
                              name=prefix + "minus0")
        next_h = F.elemwise_add(F.elemwise_mul(keep, candidate, name=prefix + "mul1"),
                                F.elemwise_mul(update, prev, name=prefix + "mul20"),
                                name=prefix + "out")
        return next_h, [next_h]


# -- containers ---------------------------------------------------------------------------------------
class _StackedCells:
    """What SequentialRNNCell and HybridSequentialRNNCell share: cells run one after another, each
    reading the previous one's output and its own slice of the states."""

    def __repr__(self) -> str:
        body = "\n".join(f"({i}): {_indent(repr(m), 2)}" for i, m in self._children.items())
        return f"{self.__class__.__name__}(\n{body}\n)"

    def add(self, cell: RecurrentCell) -> None:
        """Appends a cell to the stack."""
        self.register_child(cell)

    def state_info(self, batch_size: int = 0) -> list:
        return _stacked_state_info(self._children.values(), batch_size)

    def begin_state(self, **kwargs: Any) -> list:
        if self._modified:
            raise AssertionError("this cell is wrapped by a modifier cell: call the modifier "
                                 "cell instead")
        return _stacked_begin_state(self._children.values(), **kwargs)

    def __call__(self, inputs: Any, states: list) -> tuple:
        self._counter += 1
        next_states, at = [], 0
        for cell in self._children.values():
            if isinstance(cell, BidirectionalCell):
                raise AssertionError("a BidirectionalCell cannot be stepped; use unroll")
            n = len(cell.state_info())
            inputs, state = cell(inputs, states[at:at + n])
            at += n
            next_states.append(state)
        return inputs, sum(next_states, [])

    def unroll(self, length: int, inputs: Any, begin_state: Optional[list] = None,
               layout: str = "NTC", merge_outputs: Optional[bool] = None,
               valid_length: Any = None) -> tuple:
        self.reset()
        inputs, _, F, batch_size = arrange_sequence(length, inputs, layout, None)
        begin_state = starting_states(self, F, begin_state, inputs, batch_size, layout)
        last = len(self._children) - 1
        at, next_states = 0, []
        for i, cell in enumerate(list(self._children.values())):
            n = len(cell.state_info())
            inputs, states = cell.unroll(length, inputs=inputs, begin_state=begin_state[at:at + n],
                                         layout=layout,
                                         merge_outputs=None if i < last else merge_outputs,
                                         valid_length=valid_length)
            at += n
            next_states.extend(states)
        return inputs, next_states

    def __getitem__(self, i: int) -> RecurrentCell:
        return self._children[str(i)]

    def __len__(self) -> int:
        return len(self._children)


class SequentialRNNCell(_StackedCells, RecurrentCell):
    """A stack of recurrent cells run one after another (not hybridizable; see
    HybridSequentialRNNCell).

    Parameters
    ----------
    prefix, params
        As for any Block.
    """

    def __init__(self, prefix: Optional[str] = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


class HybridSequentialRNNCell(_StackedCells, HybridRecurrentCell):
    """A hybridizable stack of hybridizable recurrent cells run one after another.

    Parameters
    ----------
    prefix, params
        As for any Block.
    """

    def __init__(self, prefix: Optional[str] = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F: Any, inputs: Any, states: list) -> tuple:
        return self.__call__(inputs, states)


class DropoutCell(HybridRecurrentCell):
    """Dropout on the step's input, passing the states through; usually stacked between cells.

    Parameters
    ----------
    rate : float
        Fraction of the input set to zero in training.
    axes : tuple of int, default ()
        Axes along which one dropout mask is shared (variational dropout).
    prefix, params
        As for any Block.

    Inputs
    ------
    - **data**: (batch_size, size).
    - **states**: passed through.
    """

    def __init__(self, rate: float, axes: tuple = (), prefix: Optional[str] = None,
                 params: Any = None):
        super().__init__(prefix, params)
        if not isinstance(rate, numeric_types):
            raise AssertionError("rate must be a number")
        self._rate = rate
        self._axes = axes

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(rate={self._rate}, axes={self._axes})"

    def state_info(self, batch_size: int = 0) -> list:
        return []

    def _alias(self) -> str:
        return "dropout"

    def hybrid_forward(self, F: Any, inputs: Any, states: list) -> tuple:
        if self._rate > 0:
            inputs = F.Dropout(data=inputs, p=self._rate, axes=self._axes,
                               name=f"t{self._counter}_fwd")
        return inputs, states

    def unroll(self, length: int, inputs: Any, begin_state: Optional[list] = None,
               layout: str = "NTC", merge_outputs: Optional[bool] = None,
               valid_length: Any = None) -> tuple:
        self.reset()
        inputs, _, F, _ = arrange_sequence(length, inputs, layout, merge_outputs)
        if isinstance(inputs, tensor_types + (symbol.Symbol,)):
            return self.hybrid_forward(F, inputs, begin_state if begin_state else [])
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout,
                              merge_outputs=merge_outputs, valid_length=None)


class ModifierCell(HybridRecurrentCell):
    """Base of the cells that wrap another cell and change what it computes (ZoneoutCell,
    ResidualCell). The wrapped cell's parameters stay its own; only the modifier may be called.

    Parameters
    ----------
    base_cell : RecurrentCell
        The cell to wrap (not already wrapped).
    """

    def __init__(self, base_cell: RecurrentCell):
        if base_cell._modified:
            raise AssertionError(f"Cell {base_cell.name} is already wrapped by a modifier cell; a "
                                 "cell can be wrapped once")
        base_cell._modified = True
        super().__init__(prefix=base_cell.prefix + self._alias(), params=None)
        self.base_cell = base_cell

    @property
    def params(self) -> Any:
        return self.base_cell.params

    def state_info(self, batch_size: int = 0) -> list:
        return self.base_cell.state_info(batch_size)

    def begin_state(self, func: Callable = symbol.zeros, **kwargs: Any) -> list:
        if self._modified:
            raise AssertionError("this cell is wrapped by a modifier cell: call the modifier "
                                 "cell instead")
        self.base_cell._modified = False
        try:
            return self.base_cell.begin_state(func=func, **kwargs)
        finally:
            self.base_cell._modified = True

    def hybrid_forward(self, F: Any, inputs: Any, states: list) -> tuple:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.base_cell})"


class ZoneoutCell(ModifierCell):
    """Zoneout (Krueger et al., 2016): in training, each unit of the output and of the states keeps
    its previous value with the given probability instead of taking the new one.

    Parameters
    ----------
    base_cell : RecurrentCell
        The cell to wrap (not a BidirectionalCell).
    zoneout_outputs : float, default 0
        Probability of keeping an output unit's previous value.
    zoneout_states : float, default 0
        Probability of keeping a state unit's previous value.
    """

    def __init__(self, base_cell: RecurrentCell, zoneout_outputs: float = 0.,
                 zoneout_states: float = 0.):
        if isinstance(base_cell, BidirectionalCell):
            raise AssertionError("a BidirectionalCell cannot be stepped, so it takes no zoneout: "
                                 "wrap the cells inside it instead")
        if isinstance(base_cell, SequentialRNNCell) and getattr(base_cell, "_bidirectional", False):
            raise AssertionError("a bidirectional SequentialRNNCell takes no zoneout: wrap the "
                                 "cells inside it instead")
        super().__init__(base_cell)
        self.zoneout_outputs = zoneout_outputs
        self.zoneout_states = zoneout_states
        self._prev_output = None

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(p_out={self.zoneout_outputs}, "
                f"p_state={self.zoneout_states}, {self.base_cell})")

    def _alias(self) -> str:
        return "zoneout"

    def reset(self) -> None:
        super().reset()
        self._prev_output = None

    def hybrid_forward(self, F: Any, inputs: Any, states: list) -> tuple:
        p_outputs, p_states = self.zoneout_outputs, self.zoneout_states
        next_output, next_states = self.base_cell(inputs, states)

        def keep_new(p: float, like: Any) -> Any:  # 1 where the new value is taken
            return F.Dropout(F.ones_like(like), p=p)

        prev_output = self._prev_output
        if prev_output is None:
            prev_output = F.zeros_like(next_output)
        output = (F.where(keep_new(p_outputs, next_output), next_output, prev_output)
                  if p_outputs != 0. else next_output)
        states = ([F.where(keep_new(p_states, new), new, old) for new, old in
                   zip(next_states, states)] if p_states != 0. else next_states)
        self._prev_output = output
        return output, states


class ResidualCell(ModifierCell):
    """Adds the step's input to the wrapped cell's output (Wu et al., 2016): the input and output
    sizes must match.

    Parameters
    ----------
    base_cell : RecurrentCell
        The cell to wrap.
    """

    def __init__(self, base_cell: RecurrentCell):
        super().__init__(base_cell)

    def hybrid_forward(self, F: Any, inputs: Any, states: list) -> tuple:
        output, states = self.base_cell(inputs, states)
        return F.elemwise_add(output, inputs, name=f"t{self._counter}_fwd"), states

    def unroll(self, length: int, inputs: Any, begin_state: Optional[list] = None,
               layout: str = "NTC", merge_outputs: Optional[bool] = None,
               valid_length: Any = None) -> tuple:
        self.reset()
        self.base_cell._modified = False
        try:
            outputs, states = self.base_cell.unroll(length, inputs=inputs, begin_state=begin_state,
                                                    layout=layout, merge_outputs=merge_outputs,
                                                    valid_length=valid_length)
        finally:
            self.base_cell._modified = True
        if merge_outputs is None:
            merge_outputs = isinstance(outputs, tensor_types + (symbol.Symbol,))
        inputs, axis, F, _ = arrange_sequence(length, inputs, layout, merge_outputs)
        if valid_length is not None:
            inputs = zero_past_lengths(F, inputs, length, valid_length, axis, merge_outputs,
                                       sequence_ndim(self.base_cell))
        if merge_outputs:
            return F.elemwise_add(outputs, inputs), states
        return [F.elemwise_add(i, j) for i, j in zip(outputs, inputs)], states


class BidirectionalCell(HybridRecurrentCell):
    """Runs one cell forward and another backward over the sequence and joins their outputs along
    the feature axis (forward first). It can only be unrolled, not stepped.

    Parameters
    ----------
    l_cell : RecurrentCell
        The cell run from the first step to the last.
    r_cell : RecurrentCell
        The cell run from the last step to the first.
    output_prefix : str, default 'bi_'
        Prefix of the joined outputs' names.
    """

    def __init__(self, l_cell: RecurrentCell, r_cell: RecurrentCell, output_prefix: str = "bi_"):
        super().__init__(prefix="", params=None)
        self.register_child(l_cell, "l_cell")
        self.register_child(r_cell, "r_cell")
        self._output_prefix = output_prefix

    def __call__(self, inputs: Any, states: list) -> tuple:
        raise NotImplementedError("a BidirectionalCell runs whole sequences only: call unroll")

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(forward={self._children['l_cell']}, "
                f"backward={self._children['r_cell']})")

    def state_info(self, batch_size: int = 0) -> list:
        return _stacked_state_info(self._children.values(), batch_size)

    def begin_state(self, **kwargs: Any) -> list:
        if self._modified:
            raise AssertionError("this cell is wrapped by a modifier cell: call the modifier "
                                 "cell instead")
        return _stacked_begin_state(self._children.values(), **kwargs)

    def unroll(self, length: int, inputs: Any, begin_state: Optional[list] = None,
               layout: str = "NTC", merge_outputs: Optional[bool] = None,
               valid_length: Any = None) -> tuple:
        self.reset()
        inputs, axis, F, batch_size = arrange_sequence(length, inputs, layout, False)
        ndim = sequence_ndim(self._children["l_cell"])
        reversed_inputs = _reversed_steps(inputs, length, valid_length, ndim)
        states = starting_states(self, F, begin_state, inputs, batch_size)
        l_cell, r_cell = self._children.values()
        n_left = len(l_cell.state_info(batch_size))
        fwd_out, fwd_states = l_cell.unroll(length, inputs=inputs, begin_state=states[:n_left],
                                            layout=layout, merge_outputs=merge_outputs,
                                            valid_length=valid_length)
        bwd_out, bwd_states = r_cell.unroll(length, inputs=reversed_inputs,
                                            begin_state=states[n_left:], layout=layout,
                                            merge_outputs=False, valid_length=valid_length)
        bwd_in_order = _reversed_steps(bwd_out, length, valid_length, ndim)
        if merge_outputs is None:
            merge_outputs = isinstance(fwd_out, tensor_types + (symbol.Symbol,))
            fwd_out, _, _, _ = arrange_sequence(None, fwd_out, layout, merge_outputs)
            bwd_in_order, _, _, _ = arrange_sequence(None, bwd_in_order, layout,
                                                           merge_outputs)
        if merge_outputs:
            if not isinstance(bwd_in_order, tensor_types + (symbol.Symbol,)):
                bwd_in_order = F.stack(*bwd_in_order, axis=axis)
            outputs = F.concat(fwd_out, bwd_in_order, dim=2,
                               name=f"{self._output_prefix}out")
        else:
            outputs = [F.concat(l_o, r_o, dim=1, name=f"{self._output_prefix}t{i}")
                       for i, (l_o, r_o) in enumerate(zip(fwd_out, bwd_in_order))]
        if valid_length is not None:
            outputs = zero_past_lengths(F, outputs, length, valid_length, axis, merge_outputs,
                                        ndim)
        return outputs, fwd_states + bwd_states
