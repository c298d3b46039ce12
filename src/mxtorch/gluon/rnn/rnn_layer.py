"""Recurrent layers: RNN, LSTM and GRU over whole sequences, on the fused ``RNN`` operator.

A layer holds MXNet's parameters (``l0_i2h_weight``, ``l0_h2h_bias``, ``r0_...`` for the reverse
direction, ``l0_h2r_weight`` with a projection), packs them into one vector with
``_rnn_param_concat`` (weights first, then biases, layer by layer, direction by direction) and
calls ``F.RNN``, so it runs imperatively, hybridizes into one graph node, and exports as MXNet's
own layers do.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Optional

from ... import ndarray, symbol
from ..block import HybridBlock
from ..parameter import tensor_types
from . import rnn_cell

__all__ = ["RNN", "LSTM", "GRU"]

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
_PARAM_KEY = re.compile(r"(l|r)(\d+)_(i2h|h2h|h2r)_(weight|bias)\Z")


class _RNNLayer(HybridBlock):
    """What the three layers share: their parameters, states and the call of the operator."""

    def __init__(self, hidden_size: int, num_layers: int, layout: str, dropout: float,
                 bidirectional: bool, input_size: int, i2h_weight_initializer: Any,
                 h2h_weight_initializer: Any, i2h_bias_initializer: Any,
                 h2h_bias_initializer: Any, mode: str, projection_size: Optional[int],
                 h2r_weight_initializer: Any, lstm_state_clip_min: Optional[float],
                 lstm_state_clip_max: Optional[float], lstm_state_clip_nan: bool, dtype: Any,
                 use_sequence_length: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if layout not in ("TNC", "NTC"):
            raise AssertionError(f"Invalid layout {layout}; must be one of ['TNC' or 'NTC']")
        self._hidden_size = hidden_size
        self._projection_size = projection_size or None
        self._num_layers = num_layers
        self._mode = mode
        self._layout = layout
        self._dropout = dropout
        self._dir = 2 if bidirectional else 1
        self._input_size = input_size
        # what _unfuse gives its cells
        self._cell_inits = {"i2h_weight_initializer": i2h_weight_initializer,
                            "h2h_weight_initializer": h2h_weight_initializer,
                            "i2h_bias_initializer": i2h_bias_initializer,
                            "h2h_bias_initializer": h2h_bias_initializer}
        self._lstm_state_clip_min = lstm_state_clip_min
        self._lstm_state_clip_max = lstm_state_clip_max
        self._lstm_state_clip_nan = lstm_state_clip_nan
        self._dtype = dtype
        self._use_sequence_length = use_sequence_length
        self.skip_states = None
        self._gates = _GATES[mode]

        rows, size, proj = self._gates * hidden_size, input_size, self._projection_size
        for i in range(num_layers):
            for d in ["l", "r"][:self._dir]:
                self._register_param(f"{d}{i}_i2h_weight", (rows, size), i2h_weight_initializer,
                                     dtype)
                self._register_param(f"{d}{i}_h2h_weight", (rows, proj or hidden_size),
                                     h2h_weight_initializer, dtype)
                self._register_param(f"{d}{i}_i2h_bias", (rows,), i2h_bias_initializer, dtype)
                self._register_param(f"{d}{i}_h2h_bias", (rows,), h2h_bias_initializer, dtype)
                if proj:
                    self._register_param(f"{d}{i}_h2r_weight", (proj, hidden_size),
                                         h2r_weight_initializer, dtype)
            size = (proj or hidden_size) * self._dir

    def _register_param(self, name: str, shape: tuple, init: Any, dtype: Any) -> Any:
        param = self.params.get(name, shape=shape, init=init, allow_deferred_init=True,
                                dtype=dtype)
        setattr(self, name, param)
        return param

    def __repr__(self) -> str:
        shape = self.l0_i2h_weight.shape
        text = (f"{self.__class__.__name__}({shape[1] if shape[1] else None} -> "
                f"{shape[0] // self._gates}, {self._layout}")
        if self._num_layers != 1:
            text += f", num_layers={self._num_layers}"
        if self._dropout != 0:
            text += f", dropout={self._dropout}"
        if self._dir == 2:
            text += ", bidirectional"
        return text + ")"

    def _collect_params_with_prefix(self, prefix: str = "") -> dict:
        """The structural names ``save_parameters`` writes: MXNet 1.9.1 keeps those of the
        unfused cell stack it once used (``_unfused.0.l_cell.i2h_weight`` when bidirectional,
        ``_unfused.0.i2h_weight`` otherwise), so its files and ours load into each other."""
        if prefix:
            prefix += "."
        bidirectional = any(_PARAM_KEY.match(k).group(1) == "r" for k in self._reg_params)

        def convert(key: str) -> str:
            d, layer, g, t = _PARAM_KEY.match(key).groups()
            if bidirectional:
                return f"_unfused.{layer}.{d}_cell.{g}_{t}"
            return f"_unfused.{layer}.{g}_{t}"

        found = {prefix + convert(key): val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            found.update(child._collect_params_with_prefix(prefix + name))
        return found

    def state_info(self, batch_size: int = 0) -> list:
        raise NotImplementedError

    def _unfuse(self) -> rnn_cell.HybridSequentialRNNCell:
        """The same network as a stack of cells sharing this layer's parameters."""
        if self._projection_size:
            raise AssertionError("_unfuse does not support a projection")
        if self._lstm_state_clip_min or self._lstm_state_clip_max:
            raise AssertionError("_unfuse does not support state clipping")

        def get_cell(**kwargs: Any) -> rnn_cell.HybridRecurrentCell:
            if self._mode == "lstm":
                return rnn_cell.LSTMCell(self._hidden_size, **kwargs)
            if self._mode == "gru":
                return rnn_cell.GRUCell(self._hidden_size, **kwargs)
            return rnn_cell.RNNCell(self._hidden_size, activation=self._mode[4:], **kwargs)

        stack = rnn_cell.HybridSequentialRNNCell(prefix=self.prefix, params=self.params)
        with stack.name_scope():
            size = self._input_size
            for i in range(self._num_layers):
                kwargs = dict(self._cell_inits, input_size=size)
                if self._dir == 2:
                    stack.add(rnn_cell.BidirectionalCell(get_cell(prefix=f"l{i}_", **kwargs),
                                                         get_cell(prefix=f"r{i}_", **kwargs)))
                else:
                    stack.add(get_cell(prefix=f"l{i}_", **kwargs))
                if self._dropout > 0 and i < self._num_layers - 1:
                    stack.add(rnn_cell.DropoutCell(self._dropout))
                size = self._hidden_size * self._dir
        return stack

    def cast(self, dtype: Any) -> None:
        super().cast(dtype)
        self._dtype = dtype

    def begin_state(self, batch_size: int = 0, func: Callable = ndarray.zeros,
                    **kwargs: Any) -> list:
        """The states a sequence starts from.

        Parameters
        ----------
        batch_size : int
            The batch size ('N' of the layout); needed for NDArrays.
        func : callable, default ``ndarray.zeros``
            Makes each state from ``name``, ``shape``, ``dtype`` and ``kwargs``: ``nd.zeros``,
            ``nd.ones``, ``sym.zeros``, ``sym.var`` (to feed the states as inputs)...
        **kwargs
            Passed on to ``func`` (``ctx``, ``dtype``...).

        Returns
        -------
        list of NDArray or Symbol, each (num_layers * directions, batch_size, size)
        """
        states = []
        for i, info in enumerate(self.state_info(batch_size)):
            spec = dict(info or {}, **kwargs)
            states.append(func(name=f"{self.prefix}h0_{i}", **spec))
        return states

    def __call__(self, inputs: Any, states: Any = None, sequence_length: Any = None,
                 **kwargs: Any) -> Any:
        self.skip_states = states is None
        if states is None:
            if isinstance(inputs, ndarray.NDArray):
                states = self.begin_state(inputs.shape[self._layout.find("N")],
                                          ctx=inputs.context, dtype=inputs.dtype)
            else:
                states = self._graph_zero_states(inputs)
        if isinstance(states, tensor_types + (symbol.Symbol,)):
            states = [states]
        if self._use_sequence_length:
            return super().__call__(inputs, states, sequence_length, **kwargs)
        return super().__call__(inputs, states, **kwargs)

    def _graph_zero_states(self, inputs: Any) -> list:
        """Zero states in a graph, shaped after the inputs' batch axis (the batch is unknown when
        the graph is built, and mxtorch's executor does not infer a zeros node's shape from the
        nodes that read it, as MXNet's did for ``sym.zeros`` with a 0 dimension)."""
        batch_axis = self._layout.find("N")
        batch = symbol.sum(symbol.zeros_like(inputs),
                           axis=tuple(a for a in range(3) if a != batch_axis))
        column = symbol.reshape(batch, shape=(1, -1, 1))
        return [symbol.broadcast_axis(column, axis=(0, 2), size=(info["shape"][0],
                                                                 info["shape"][2]))
                for info in self.state_info(0)]

    def infer_shape(self, inputs: Any, *args: Any) -> None:
        """Completes the input size of the first layer's weights from the inputs' feature axis
        (the rest of every parameter's shape follows from the layer's own sizes)."""
        size = inputs.shape[self._layout.find("C")]
        for d in ["l", "r"][:self._dir]:
            param = getattr(self, f"{d}0_i2h_weight")
            param.shape = (param.shape[0], size)

    def hybrid_forward(self, F: Any, inputs: Any, states: list, sequence_length: Any = None,
                       **kwargs: Any) -> Any:
        if F is ndarray:
            batch_size = inputs.shape[self._layout.find("N")]
            for state, info in zip(states, self.state_info(batch_size)):
                if tuple(state.shape) != tuple(info["shape"]):
                    raise ValueError(f"Invalid recurrent state shape. Expecting {info['shape']}, "
                                     f"got {state.shape}.")
        outputs, new_states = self._forward_kernel(F, inputs, states, sequence_length, **kwargs)
        return outputs if self.skip_states else (outputs, new_states)

    def _forward_kernel(self, F: Any, inputs: Any, states: list, sequence_length: Any,
                        **kwargs: Any) -> tuple:
        """One ``RNN`` call on the packed parameters."""
        if self._layout == "NTC":
            inputs = F.swapaxes(inputs, dim1=0, dim2=1)
        groups = ("i2h", "h2h", "h2r") if self._projection_size else ("i2h", "h2h")
        params = [kwargs[f"{d}{layer}_{g}_{t}"].reshape(-1)
                  for t in ("weight", "bias")
                  for layer in range(self._num_layers)
                  for d in ["l", "r"][:self._dir]
                  for g in groups if not (g == "h2r" and t == "bias")]
        params = F._rnn_param_concat(*params, dim=0)
        # by name: the inputs a mode leaves out (state_cell) must not shift the ones after them
        rnn_inputs = {"state": states[0]}
        if self._mode == "lstm":
            rnn_inputs["state_cell"] = states[1]
        if self._use_sequence_length:
            rnn_inputs["sequence_length"] = sequence_length
        rnn = F.RNN(inputs, params, **rnn_inputs, use_sequence_length=self._use_sequence_length,
                    state_size=self._hidden_size, projection_size=self._projection_size,
                    num_layers=self._num_layers, bidirectional=self._dir == 2, p=self._dropout,
                    state_outputs=True, mode=self._mode,
                    lstm_state_clip_min=self._lstm_state_clip_min,
                    lstm_state_clip_max=self._lstm_state_clip_max,
                    lstm_state_clip_nan=self._lstm_state_clip_nan)
        outputs, states = rnn[0], ([rnn[1], rnn[2]] if self._mode == "lstm" else [rnn[1]])
        if self._layout == "NTC":
            outputs = F.swapaxes(outputs, dim1=0, dim2=1)
        return outputs, states


_LAYER_PARAMS = """
    layout : str, default 'TNC'
        Layout of the input and output sequences: T the time steps, N the batch, C the features.
    dropout : float, default 0
        Dropout on the outputs of every layer but the last, in training.
    bidirectional : bool, default False
        Also run each layer from the last step to the first and join both directions' outputs.
    input_size : int, default 0
        Number of input features; 0 infers it from the first input.
    i2h_weight_initializer, h2h_weight_initializer : str or Initializer, optional
        Initializers of the input-to-hidden and hidden-to-hidden weights.
    i2h_bias_initializer, h2h_bias_initializer : str or Initializer, default 'zeros'
        Initializers of the biases."""


class RNN(_RNNLayer):
    __doc__ = r"""A multi-layer Elman RNN: each layer computes
    :math:`h_t = act(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})`, its input being the previous
    layer's output (the sequence itself for the first).

    Parameters
    ----------
    hidden_size : int
        Number of features of the hidden state.
    num_layers : int, default 1
        Number of stacked layers.
    activation : {'relu', 'tanh'}, default 'relu'
        The nonlinearity.""" + _LAYER_PARAMS + """
    dtype : str, default 'float32'
        Type of the parameters and of the default states.
    prefix : str, optional
        Prefix of the names of the layer and of its parameters (a keyword argument).
    params : ParameterDict, optional
        Parameters to share instead of creating new ones (a keyword argument).

    Inputs
    ------
    - **data**: (sequence_length, batch_size, input_size) for layout 'TNC',
      (batch_size, sequence_length, input_size) for 'NTC'.
    - **states**: optional, a list of one (num_layers * directions, batch_size, hidden_size)
      array; zeros when left out.

    Outputs
    -------
    - **out**: (sequence_length, batch_size, directions * hidden_size) for 'TNC' (batch first
      for 'NTC').
    - **out_states**: the final states, as the input states; returned only when states were
      given.
    """

    def __init__(self, hidden_size: int, num_layers: int = 1, activation: str = "relu",
                 layout: str = "TNC", dropout: float = 0, bidirectional: bool = False,
                 i2h_weight_initializer: Any = None, h2h_weight_initializer: Any = None,
                 i2h_bias_initializer: Any = "zeros", h2h_bias_initializer: Any = "zeros",
                 input_size: int = 0, dtype: Any = "float32", **kwargs: Any):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "rnn_" + activation, None, None, None, None, False,
                         dtype, **kwargs)

    def state_info(self, batch_size: int = 0) -> list:
        return [{"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC", "dtype": self._dtype}]


class LSTM(_RNNLayer):
    __doc__ = r"""A multi-layer Long Short-Term Memory network (Hochreiter and Schmidhuber, 1997), with an
    optional projection of the hidden state (Sak et al., 2014).

    Parameters
    ----------
    hidden_size : int
        Number of features of the hidden and cell states.
    num_layers : int, default 1
        Number of stacked layers.""" + _LAYER_PARAMS + """
    projection_size : int, optional
        Size the hidden state is projected to (``h2r_weight``); the cell state keeps hidden_size.
    h2r_weight_initializer : str or Initializer, optional
        Initializer of the projection weights.
    state_clip_min, state_clip_max : float, optional
        Bounds the cell state is clipped to after every step (both or neither).
    state_clip_nan : bool, default False
        Turn a NaN cell state into the lower bound instead of propagating it.
    dtype : str, default 'float32'
        Type of the parameters and of the default states.
    prefix : str, optional
        Prefix of the names of the layer and of its parameters (a keyword argument).
    params : ParameterDict, optional
        Parameters to share instead of creating new ones (a keyword argument).

    Inputs
    ------
    - **data**: (sequence_length, batch_size, input_size) for layout 'TNC',
      (batch_size, sequence_length, input_size) for 'NTC'.
    - **states**: optional, [hidden (num_layers * directions, batch_size, projection_size or
      hidden_size), cell (num_layers * directions, batch_size, hidden_size)]; zeros when left
      out.

    Outputs
    -------
    - **out**: (sequence_length, batch_size, directions * (projection_size or hidden_size))
      for 'TNC' (batch first for 'NTC').
    - **out_states**: [hidden, cell] after the last step; returned only when states were
      given.
    """

    def __init__(self, hidden_size: int, num_layers: int = 1, layout: str = "TNC",
                 dropout: float = 0, bidirectional: bool = False, input_size: int = 0,
                 i2h_weight_initializer: Any = None, h2h_weight_initializer: Any = None,
                 i2h_bias_initializer: Any = "zeros", h2h_bias_initializer: Any = "zeros",
                 projection_size: Optional[int] = None, h2r_weight_initializer: Any = None,
                 state_clip_min: Optional[float] = None, state_clip_max: Optional[float] = None,
                 state_clip_nan: bool = False, dtype: Any = "float32", **kwargs: Any):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "lstm", projection_size, h2r_weight_initializer,
                         state_clip_min, state_clip_max, state_clip_nan, dtype, **kwargs)

    def state_info(self, batch_size: int = 0) -> list:
        size = self._projection_size or self._hidden_size
        return [{"shape": (self._num_layers * self._dir, batch_size, size),
                 "__layout__": "LNC", "dtype": self._dtype},
                {"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC", "dtype": self._dtype}]


class GRU(_RNNLayer):
    __doc__ = r"""A multi-layer Gated Recurrent Unit network (Cho et al., 2014) as cuDNN computes it: the
    reset gate scales the hidden-to-hidden projection after its bias.

    Parameters
    ----------
    hidden_size : int
        Number of features of the hidden state.
    num_layers : int, default 1
        Number of stacked layers.""" + _LAYER_PARAMS + """
    dtype : str, default 'float32'
        Type of the parameters and of the default states.
    prefix : str, optional
        Prefix of the names of the layer and of its parameters (a keyword argument).
    params : ParameterDict, optional
        Parameters to share instead of creating new ones (a keyword argument).

    Inputs
    ------
    - **data**: (sequence_length, batch_size, input_size) for layout 'TNC',
      (batch_size, sequence_length, input_size) for 'NTC'.
    - **states**: optional, a list of one (num_layers * directions, batch_size, hidden_size)
      array; zeros when left out.

    Outputs
    -------
    - **out**: (sequence_length, batch_size, directions * hidden_size) for 'TNC' (batch first
      for 'NTC').
    - **out_states**: the final states, as the input states; returned only when states were
      given.
    """

    def __init__(self, hidden_size: int, num_layers: int = 1, layout: str = "TNC",
                 dropout: float = 0, bidirectional: bool = False, input_size: int = 0,
                 i2h_weight_initializer: Any = None, h2h_weight_initializer: Any = None,
                 i2h_bias_initializer: Any = "zeros", h2h_bias_initializer: Any = "zeros",
                 dtype: Any = "float32", **kwargs: Any):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "gru", None, None, None, None, False, dtype,
                         **kwargs)

    def state_info(self, batch_size: int = 0) -> list:
        return [{"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC", "dtype": self._dtype}]
