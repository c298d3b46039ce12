"""Contributed recurrent cells: variational dropout around a cell, and the projected LSTM step."""
from __future__ import annotations

from typing import Any, Optional

from ... import rnn
from ...parameter import tensor_types
from ...rnn.rnn_cell import arrange_sequence, sequence_ndim, starting_states, zero_past_lengths
from .... import symbol

__all__ = ["VariationalDropoutCell", "LSTMPCell"]


class VariationalDropoutCell(rnn.ModifierCell):
    """Variational dropout (Gal and Ghahramani, 2016) around a cell: in training, one dropout mask
    per sequence for the inputs, one for the first state and one for the outputs, each reused at
    every step.

    Parameters
    ----------
    base_cell : RecurrentCell
        The cell to wrap.
    drop_inputs : float, default 0
        Dropout rate of the inputs.
    drop_states : float, default 0
        Dropout rate of the first state (the hidden state); not for bidirectional cells.
    drop_outputs : float, default 0
        Dropout rate of the outputs.
    """

    def __init__(self, base_cell: Any, drop_inputs: float = 0., drop_states: float = 0.,
                 drop_outputs: float = 0.):
        bidirectional = isinstance(base_cell, rnn.BidirectionalCell) or (
            isinstance(base_cell, rnn.SequentialRNNCell)
            and getattr(base_cell, "_bidirectional", False))
        if drop_states and bidirectional:
            raise AssertionError("a bidirectional cell takes no variational state dropout: wrap "
                                 "the cells inside it instead")
        super().__init__(base_cell)
        self.drop_inputs = drop_inputs
        self.drop_states = drop_states
        self.drop_outputs = drop_outputs
        self.drop_inputs_mask = None
        self.drop_states_mask = None
        self.drop_outputs_mask = None

    def _alias(self) -> str:
        return "vardrop"

    def reset(self) -> None:
        super().reset()
        self.drop_inputs_mask = None
        self.drop_states_mask = None
        self.drop_outputs_mask = None

    def _mask(self, F: Any, like: Any, rate: float) -> Any:
        return F.Dropout(F.ones_like(like), p=rate)

    def hybrid_forward(self, F: Any, inputs: Any, states: list) -> tuple:
        if self.drop_states and self.drop_states_mask is None:
            self.drop_states_mask = self._mask(F, states[0], self.drop_states)
        if self.drop_inputs and self.drop_inputs_mask is None:
            self.drop_inputs_mask = self._mask(F, inputs, self.drop_inputs)
        if self.drop_states:
            states = [states[0] * self.drop_states_mask] + list(states[1:])
        if self.drop_inputs:
            inputs = inputs * self.drop_inputs_mask
        output, next_states = self.base_cell(inputs, states)
        if self.drop_outputs and self.drop_outputs_mask is None:
            self.drop_outputs_mask = self._mask(F, output, self.drop_outputs)
        if self.drop_outputs:
            output = output * self.drop_outputs_mask
        return output, next_states

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(p_out = {self.drop_outputs}, "
                f"p_state = {self.drop_states})")

    def unroll(self, length: int, inputs: Any, begin_state: Optional[list] = None,
               layout: str = "NTC", merge_outputs: Optional[bool] = None,
               valid_length: Any = None) -> tuple:
        """As ``RecurrentCell.unroll``; without state dropout the input and output masks are
        applied to the whole sequence at once (Dropout sharing its mask along the time axis)
        around the wrapped cell's own unroll."""
        if self.drop_states:
            return super().unroll(length, inputs, begin_state, layout, merge_outputs,
                                  valid_length=valid_length)
        self.reset()
        inputs, axis, F, batch_size = arrange_sequence(length, inputs, layout, True)
        states = starting_states(self, F, begin_state, inputs, batch_size, layout)
        if self.drop_inputs:
            inputs = F.Dropout(inputs, p=self.drop_inputs, axes=(axis,))
        outputs, states = self.base_cell.unroll(length, inputs, states, layout, merge_outputs=True,
                                                valid_length=valid_length)
        if self.drop_outputs:
            outputs = F.Dropout(outputs, p=self.drop_outputs, axes=(axis,))
        if merge_outputs is None:
            merge_outputs = isinstance(outputs, tensor_types + (symbol.Symbol,))
        outputs, _, _, _ = arrange_sequence(length, outputs, layout, merge_outputs)
        if valid_length is not None:
            outputs = zero_past_lengths(F, outputs, length, valid_length, axis, merge_outputs,
                                        sequence_ndim(self.base_cell))
        return outputs, states


class LSTMPCell(rnn.HybridRecurrentCell):
    r"""An LSTM step whose hidden state is projected to ``projection_size`` (``h2r_weight``, no
    bias) before it is output and fed back (Sak et al., 2014).

    Parameters
    ----------
    hidden_size : int
        Size of the cell state.
    projection_size : int
        Size of the output and hidden state.
    i2h_weight_initializer, h2h_weight_initializer, h2r_weight_initializer : optional
        Initializers of the input-to-hidden, hidden-to-hidden and projection weights.
    i2h_bias_initializer, h2h_bias_initializer : default 'zeros'
        Initializers of the biases.
    input_size : int, default 0
        Size of the input; 0 infers it from the first input.
    prefix, params
        As for any Block.

    Inputs
    ------
    - **data**: (batch_size, input_size).
    - **states**: [hidden (batch_size, projection_size), cell (batch_size, hidden_size)].

    Outputs
    -------
    - **out**: (batch_size, projection_size).
    - **next_states**: [hidden, cell], as the inputs.
    """

    def __init__(self, hidden_size: int, projection_size: int, i2h_weight_initializer: Any = None,
                 h2h_weight_initializer: Any = None, h2r_weight_initializer: Any = None,
                 i2h_bias_initializer: Any = "zeros", h2h_bias_initializer: Any = "zeros",
                 input_size: int = 0, prefix: Optional[str] = None, params: Any = None):
        super().__init__(prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        self._projection_size = projection_size
        rows = 4 * hidden_size
        get = self.params.get
        self.i2h_weight = get("i2h_weight", shape=(rows, input_size), init=i2h_weight_initializer,
                              allow_deferred_init=True)
        self.h2h_weight = get("h2h_weight", shape=(rows, projection_size),
                              init=h2h_weight_initializer, allow_deferred_init=True)
        self.h2r_weight = get("h2r_weight", shape=(projection_size, hidden_size),
                              init=h2r_weight_initializer, allow_deferred_init=True)
        self.i2h_bias = get("i2h_bias", shape=(rows,), init=i2h_bias_initializer,
                            allow_deferred_init=True)
        self.h2h_bias = get("h2h_bias", shape=(rows,), init=h2h_bias_initializer,
                            allow_deferred_init=True)

    def state_info(self, batch_size: int = 0) -> list:
        return [{"shape": (batch_size, self._projection_size), "__layout__": "NC"},
                {"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self) -> str:
        return "lstmp"

    def __repr__(self) -> str:
        rows, cols = self.i2h_weight.shape
        return (f"{self.__class__.__name__}({cols if cols else None} -> {rows} -> "
                f"{self.h2r_weight.shape[0]})")

    def hybrid_forward(self, F: Any, inputs: Any, states: list, i2h_weight: Any, h2h_weight: Any,
                       h2r_weight: Any, i2h_bias: Any, h2h_bias: Any) -> tuple:
        prefix = f"t{self._counter}_"
        rows = 4 * self._hidden_size
        i2h = F.FullyConnected(data=inputs, weight=i2h_weight, bias=i2h_bias, num_hidden=rows,
                               name=prefix + "i2h")
        h2h = F.FullyConnected(data=states[0], weight=h2h_weight, bias=h2h_bias, num_hidden=rows,
                               name=prefix + "h2h")
        gates = F.SliceChannel(i2h + h2h, num_outputs=4, name=prefix + "slice")
        in_gate = F.Activation(gates[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(gates[1], act_type="sigmoid", name=prefix + "f")
        candidate = F.Activation(gates[2], act_type="tanh", name=prefix + "c")
        out_gate = F.Activation(gates[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * candidate,
                                name=prefix + "state")
        hidden = F.elemwise_mul(out_gate, F.Activation(next_c, act_type="tanh"),
                                name=prefix + "hidden")
        next_r = F.FullyConnected(data=hidden, num_hidden=self._projection_size,
                                  weight=h2r_weight, no_bias=True, name=prefix + "out")
        return next_r, [next_r, next_c]


def dynamic_unroll(cell: Any, inputs: Any, begin_state: Any, drop_inputs: float = 0,
                   drop_outputs: float = 0, layout: str = "TNC", valid_length: Any = None) -> tuple:
    """Run ``cell`` over every step of ``inputs`` with one ``contrib.foreach`` loop rather than
    one copy of the cell per step, so that a symbolic graph stays the same size whatever the
    sequence length.

    Parameters
    ----------
    cell : RecurrentCell
        The cell applied at each step.
    inputs : NDArray or Symbol
        The sequence, shaped (length, batch, ...) for layout 'TNC' (the faster one: no transpose)
        or (batch, length, ...) for 'NTC'.
    begin_state : nested list of NDArray or Symbol
        The cell's states before the first step.
    drop_inputs, drop_outputs : float, default 0
        Dropout rates of the inputs and of the outputs, one mask shared by every step; 0 applies
        none.
    layout : str, default 'TNC'
        Where the time and batch axes of ``inputs`` lie.
    valid_length : NDArray or Symbol, optional
        The length of each sequence of the batch, shape (batch,), at most the sequence length:
        past its length a sequence's outputs are zero and its states stop changing, so the states
        returned are those of its last valid step.

    Returns
    -------
    outputs : NDArray or Symbol
        The cell's outputs at every step, in ``layout``.
    states : list of NDArray or Symbol
        The states after the last step (the last valid one with ``valid_length``), nested as
        ``begin_state``.
    """
    inputs, axis, F, _ = arrange_sequence(None, inputs, layout, True)
    axes = list(range(len(layout)))
    axes[0], axes[axis] = axes[axis], axes[0]
    if axis != 0:
        inputs = F.transpose(inputs, axes=axes)
    states = begin_state
    if drop_inputs:
        # MXNet shares the mask along ``axis`` of the time-major sequence, as written
        inputs = F.Dropout(inputs, p=drop_inputs, axes=(axis,))
    if valid_length is None:
        def loop_body(step_input: Any, step_states: Any) -> tuple:
            return cell(step_input, step_states)
    else:
        states = list(states) + [F.zeros((1,))]   # the step counter rides along as a state

        def loop_body(step_input: Any, step_states: Any) -> tuple:
            cell_states, step = step_states[:-1], step_states[-1]
            out, new_states = cell(step_input, cell_states)
            running = F.broadcast_greater(valid_length, step)
            new_states = [F.where(running, new, old) for new, old in zip(new_states, cell_states)]
            return out, new_states + [step + 1]
    outputs, states = F.contrib.foreach(loop_body, inputs, states)
    if drop_outputs:
        outputs = F.Dropout(outputs, p=drop_outputs, axes=(axis,))
    if axis != 0:
        outputs = F.transpose(outputs, axes=axes)
    if valid_length is None:
        return outputs, states
    outputs = F.SequenceMask(outputs, sequence_length=valid_length, use_sequence_length=True,
                             axis=axis)
    return outputs, states[:-1]
