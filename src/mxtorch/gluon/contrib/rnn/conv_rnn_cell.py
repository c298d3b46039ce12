"""Convolutional recurrent cells (Shi et al., 2015): RNN, LSTM and GRU steps whose input-to-hidden
and hidden-to-hidden transforms are convolutions over 1, 2 or 3 spatial dimensions."""
from __future__ import annotations

from typing import Any, Optional

from ....base import numeric_types
from ...rnn import HybridRecurrentCell

__all__ = ["Conv1DRNNCell", "Conv2DRNNCell", "Conv3DRNNCell",
           "Conv1DLSTMCell", "Conv2DLSTMCell", "Conv3DLSTMCell",
           "Conv1DGRUCell", "Conv2DGRUCell", "Conv3DGRUCell"]

_LAYOUTS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


def _per_dim(value: Any, dims: int, what: str) -> tuple:
    if isinstance(value, numeric_types):
        return (value,) * dims
    if len(value) != dims:
        raise AssertionError(f"for a {dims}D convolution, {what} is an int or a tuple of {dims} "
                             f"ints, got {value}")
    return tuple(value)


class _ConvCell(HybridRecurrentCell):
    """What the convolutional cells share: parameter and state shapes from the input shape (per
    sample, without the batch axis) and the two convolutions of a step. ``_gates`` is the number
    of stacked gates; the subclasses write the step."""

    _gates = 1

    def __init__(self, input_shape: tuple, hidden_channels: int, i2h_kernel: Any, h2h_kernel: Any,
                 i2h_pad: Any, i2h_dilate: Any, h2h_dilate: Any, i2h_weight_initializer: Any,
                 h2h_weight_initializer: Any, i2h_bias_initializer: Any,
                 h2h_bias_initializer: Any, dims: int, conv_layout: str, activation: Any,
                 prefix: Optional[str], params: Any):
        super().__init__(prefix=prefix, params=params)
        self._hidden_channels = hidden_channels
        self._input_shape = input_shape
        self._conv_layout = conv_layout
        self._activation = activation
        self._i2h_kernel = _per_dim(i2h_kernel, dims, "i2h_kernel")
        self._h2h_kernel = _per_dim(h2h_kernel, dims, "h2h_kernel")
        self._i2h_pad = _per_dim(i2h_pad, dims, "i2h_pad")
        self._i2h_dilate = _per_dim(i2h_dilate, dims, "i2h_dilate")
        self._h2h_dilate = _per_dim(h2h_dilate, dims, "h2h_dilate")
        self._stride = (1,) * dims
        if any(k % 2 == 0 for k in self._h2h_kernel):
            raise AssertionError(f"h2h_kernel must be odd in every dimension (the state keeps its "
                                 f"size), got {h2h_kernel}")
        # the hidden-to-hidden convolution keeps the state's spatial size
        self._h2h_pad = tuple(d * (k - 1) // 2 for d, k in zip(self._h2h_dilate, self._h2h_kernel))
        self._channel_axis = conv_layout.find("C")
        first = self._channel_axis == 1
        in_channels = input_shape[self._channel_axis - 1]
        spatial = tuple(input_shape[1:]) if first else tuple(input_shape[:-1])
        out_size = tuple((x + 2 * p - d * (k - 1) - 1) + 1 if x else 0 for x, k, p, d in
                         zip(spatial, self._i2h_kernel, self._i2h_pad, self._i2h_dilate))
        rows = hidden_channels * self._gates
        if first:
            i2h_shape = (rows, in_channels) + self._i2h_kernel
            h2h_shape = (rows, hidden_channels) + self._h2h_kernel
            self._state_shape = (hidden_channels,) + out_size
        else:
            i2h_shape = (rows,) + self._i2h_kernel + (in_channels,)
            h2h_shape = (rows,) + self._h2h_kernel + (hidden_channels,)
            self._state_shape = out_size + (hidden_channels,)
        self.i2h_weight = self.params.get("i2h_weight", shape=i2h_shape,
                                          init=i2h_weight_initializer, allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=h2h_shape,
                                          init=h2h_weight_initializer, allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(rows,), init=i2h_bias_initializer,
                                        allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(rows,), init=h2h_bias_initializer,
                                        allow_deferred_init=True)

    def __repr__(self) -> str:
        shape = self.i2h_weight.shape
        in_channels = shape[1 if self._channel_axis == 1 else -1]
        return (f"{self.__class__.__name__}({in_channels if in_channels else None} -> {shape[0]}, "
                f"{self._activation}, {self._conv_layout})")

    def state_info(self, batch_size: int = 0) -> list:
        info = {"shape": (batch_size,) + self._state_shape, "__layout__": self._conv_layout}
        return [dict(info) for _ in range(self._num_states)]

    _num_states = 1

    def hybrid_forward(self, F: Any, inputs: Any, states: list, i2h_weight: Any, h2h_weight: Any,
                       i2h_bias: Any, h2h_bias: Any) -> tuple:
        prefix = f"t{self._counter}_"
        rows = self._hidden_channels * self._gates
        i2h = F.Convolution(data=inputs, num_filter=rows, kernel=self._i2h_kernel,
                            stride=self._stride, pad=self._i2h_pad, dilate=self._i2h_dilate,
                            weight=i2h_weight, bias=i2h_bias, layout=self._conv_layout,
                            name=prefix + "i2h")
        h2h = F.Convolution(data=states[0], num_filter=rows, kernel=self._h2h_kernel,
                            dilate=self._h2h_dilate, pad=self._h2h_pad, stride=self._stride,
                            weight=h2h_weight, bias=h2h_bias, layout=self._conv_layout,
                            name=prefix + "h2h")
        return self._step(F, i2h, h2h, states, prefix)

    def _step(self, F: Any, i2h: Any, h2h: Any, states: list, prefix: str) -> tuple:
        """The cell's output and next states from the two convolutions (``i2h`` of the input,
        ``h2h`` of the first state); ``prefix`` starts the names of the nodes it makes."""
        raise NotImplementedError


class _ConvRNN(_ConvCell):
    def _alias(self) -> str:
        return "conv_rnn"

    def _step(self, F: Any, i2h: Any, h2h: Any, states: list, prefix: str) -> tuple:
        output = self._get_activation(F, i2h + h2h, self._activation, name=prefix + "out")
        return output, [output]


class _ConvLSTM(_ConvCell):
    _gates = 4
    _num_states = 2

    def _alias(self) -> str:
        return "conv_lstm"

    def _step(self, F: Any, i2h: Any, h2h: Any, states: list, prefix: str) -> tuple:
        gates = F.SliceChannel(i2h + h2h, num_outputs=4, name=prefix + "slice",
                               axis=self._channel_axis)
        in_gate = F.Activation(gates[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(gates[1], act_type="sigmoid", name=prefix + "f")
        candidate = self._get_activation(F, gates[2], self._activation, name=prefix + "c")
        out_gate = F.Activation(gates[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * candidate,
                                name=prefix + "state")
        next_h = F.elemwise_mul(out_gate, self._get_activation(F, next_c, self._activation),
                                name=prefix + "out")
        return next_h, [next_h, next_c]


class _ConvGRU(_ConvCell):
    _gates = 3

    def _alias(self) -> str:
        return "conv_gru"

    def _step(self, F: Any, i2h: Any, h2h: Any, states: list, prefix: str) -> tuple:
        i2h_r, i2h_z, i2h_n = F.SliceChannel(i2h, num_outputs=3, name=prefix + "i2h_slice",
                                             axis=self._channel_axis)
        h2h_r, h2h_z, h2h_n = F.SliceChannel(h2h, num_outputs=3, name=prefix + "h2h_slice",
                                             axis=self._channel_axis)
        reset = F.Activation(i2h_r + h2h_r, act_type="sigmoid", name=prefix + "r_act")
        update = F.Activation(i2h_z + h2h_z, act_type="sigmoid", name=prefix + "z_act")
        candidate = self._get_activation(F, i2h_n + reset * h2h_n, self._activation,
                                         name=prefix + "h_act")
        next_h = F.elemwise_add((1. - update) * candidate, update * states[0],
                                name=prefix + "out")
        return next_h, [next_h]


def _cell_class(base: type, dims: int, name: str, summary: str) -> type:
    """One public cell: ``base``'s step over ``dims`` spatial dimensions, with MXNet's defaults."""
    zeros, ones = (0,) * dims, (1,) * dims

    def __init__(self, input_shape: tuple, hidden_channels: int, i2h_kernel: Any,
                 h2h_kernel: Any, i2h_pad: Any = zeros, i2h_dilate: Any = ones,
                 h2h_dilate: Any = ones, i2h_weight_initializer: Any = None,
                 h2h_weight_initializer: Any = None, i2h_bias_initializer: Any = "zeros",
                 h2h_bias_initializer: Any = "zeros", conv_layout: str = _LAYOUTS[dims],
                 activation: Any = "tanh", prefix: Optional[str] = None,
                 params: Any = None) -> None:
        base.__init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad,
                      i2h_dilate, h2h_dilate, i2h_weight_initializer, h2h_weight_initializer,
                      i2h_bias_initializer, h2h_bias_initializer, dims, conv_layout, activation,
                      prefix, params)

    doc = f"""{summary}

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one step's input without the batch axis, in ``conv_layout`` (channels first for
        '{_LAYOUTS[dims]}').
    hidden_channels : int
        Number of channels of the state.
    i2h_kernel, h2h_kernel : int or tuple of int
        Kernels of the input-to-state and state-to-state convolutions (h2h_kernel odd).
    i2h_pad : int or tuple of int, default {zeros}
        Padding of the input-to-state convolution (the state-to-state one keeps the state size).
    i2h_dilate, h2h_dilate : int or tuple of int, default {ones}
        Dilations of the two convolutions.
    i2h_weight_initializer, h2h_weight_initializer : str or Initializer, optional
        Initializers of the two convolution weights.
    i2h_bias_initializer, h2h_bias_initializer : str or Initializer, default 'zeros'
        Initializers of the two biases.
    conv_layout : str, default '{_LAYOUTS[dims]}'
        Layout of the input, state and output.
    activation : str or Block, default 'tanh'
        Activation of the step (an Activation act_type, a LeakyReLU block or a callable).
    prefix, params
        As for any Block.
    """
    __init__.__doc__ = None
    return type(name, (base,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


Conv1DRNNCell = _cell_class(_ConvRNN, 1, "Conv1DRNNCell", "A 1D convolutional RNN step.")
Conv2DRNNCell = _cell_class(_ConvRNN, 2, "Conv2DRNNCell", "A 2D convolutional RNN step.")
Conv3DRNNCell = _cell_class(_ConvRNN, 3, "Conv3DRNNCell", "A 3D convolutional RNN step.")
Conv1DLSTMCell = _cell_class(_ConvLSTM, 1, "Conv1DLSTMCell", "A 1D convolutional LSTM step.")
Conv2DLSTMCell = _cell_class(_ConvLSTM, 2, "Conv2DLSTMCell", "A 2D convolutional LSTM step.")
Conv3DLSTMCell = _cell_class(_ConvLSTM, 3, "Conv3DLSTMCell", "A 3D convolutional LSTM step.")
Conv1DGRUCell = _cell_class(_ConvGRU, 1, "Conv1DGRUCell", "A 1D convolutional GRU step.")
Conv2DGRUCell = _cell_class(_ConvGRU, 2, "Conv2DGRUCell", "A 2D convolutional GRU step.")
Conv3DGRUCell = _cell_class(_ConvGRU, 3, "Conv3DGRUCell", "A 3D convolutional GRU step.")
