"""Convolution, pooling and padding layers.

Conventions shared by the layers of this module:

- Window arguments (``kernel_size``, ``strides``, ``padding``, ``dilation``, ``output_padding``,
  ``pool_size``) are one int, used along every spatial axis, or a tuple/list of one int per
  spatial axis.
- ``padding`` is implicit: that many positions are added at both ends of each spatial axis,
  zeros for a convolution, positions that never win for max pooling.
- ``dilation`` spreads the window's taps apart (``d - 1`` skipped positions between two taps), so a
  kernel of size ``k`` covers ``d * (k - 1) + 1`` positions.
- ``groups`` splits the input and the output channels into that many equal parts; output part *i*
  is computed from input part *i* only. Both channel counts must be divisible by it.
- Layouts name the axes: ``N`` batch, ``C`` channel, ``D``, ``H``, ``W`` depth, height and width.
  Convolutions run the channel-first layouts (``NCW``, ``NCHW``, ``NCDHW``); MXNet accepted
  channel-last ones only on GPU, and mxtorch refuses them with ``MXNetError`` when the layer is
  built. Pooling takes both.
- ``in_channels=0`` (the default) leaves the weight's input-channel dimension unknown until the
  first forward pass, which completes the shape and runs the deferred initialization.
- The parameters are ``weight`` and ``bias`` under the layer's prefix (``conv0_weight``), as in
  MXNet, so that ``.params`` files load either way.

Output sizes along one spatial axis of input size ``x`` (window ``k``, stride ``s``, padding ``p``,
dilation ``d``, output padding ``a``):

- convolution: ``floor((x + 2p - d(k - 1) - 1) / s) + 1``;
- transposed convolution: ``(x - 1)s - 2p + d(k - 1) + a + 1``;
- pooling: ``floor((x + 2p - k) / s) + 1``, or ``ceil`` instead of ``floor`` with ``ceil_mode``.
"""
from __future__ import annotations

from typing import Any, Optional

from ...base import numeric_types
from ...ops.registry import get_op
from ..block import HybridBlock
from ..parameter import ParameterDict
from .activations import Activation

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
           "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
           "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D",
           "GlobalAvgPool2D", "GlobalAvgPool3D", "ReflectionPad2D"]


def _ntuple(value: Any, n: int, what: str) -> tuple:
    """``value`` as an n-tuple: a single number is repeated along every axis."""
    if isinstance(value, numeric_types):
        return (value,) * n
    value = tuple(value)
    if len(value) != n:
        raise ValueError(f"{what} must be a number or a list of {n} ints, got {value}")
    return value


def _check_layout(layout: str, allowed: tuple, what: str) -> None:
    if layout not in allowed:
        raise ValueError(f"Only supports {' and '.join(repr(a) for a in allowed)} layout for {what}"
                         f", got {layout!r}")


def _input_shapes(op_name: str, data_shape: list, attrs: dict) -> list:
    """The shapes of all of an operator's inputs (data, weight[, bias]) that its shape rule derives
    from ``data_shape``, whose unknown dimensions are 0."""
    entry = get_op(op_name)
    parsed = entry.parse_attrs(attrs)
    given = [tuple(data_shape)] + [None] * (len(entry.input_names(parsed)) - 1)
    return entry.infer_shape(parsed, given)[0]


class _Conv(HybridBlock):
    """What the six convolution layers share: their parameters, created from the operator's shape
    rule (so a deferred ``in_channels`` is completed the same way as in a symbol), and a forward
    that calls ``Convolution`` or ``Deconvolution`` and then the optional activation."""

    def __init__(self, channels: int, kernel_size: tuple, strides: Any, padding: Any,
                 dilation: Any, groups: int, layout: str, in_channels: int = 0,
                 activation: Optional[str] = None, use_bias: bool = True,
                 weight_initializer: Any = None, bias_initializer: Any = "zeros",
                 op_name: str = "Convolution", adj: Optional[tuple] = None,
                 prefix: Optional[str] = None, params: Optional[ParameterDict] = None):
        super().__init__(prefix=prefix, params=params)
        ndim = len(kernel_size)
        self._channels = channels
        self._in_channels = in_channels
        self._op_name = op_name
        self._kwargs = {"kernel": kernel_size, "stride": _ntuple(strides, ndim, "strides"),
                        "dilate": _ntuple(dilation, ndim, "dilation"),
                        "pad": _ntuple(padding, ndim, "padding"), "num_filter": channels,
                        "num_group": groups, "no_bias": not use_bias, "layout": layout}
        if adj is not None:
            self._kwargs["adj"] = adj
        # batch 1 and unknown (0) spatial sizes: only the channel axes matter for the parameters
        data_shape = [0] * (ndim + 2)
        data_shape[layout.find("N")] = 1
        data_shape[layout.find("C")] = in_channels
        shapes = _input_shapes(op_name, data_shape, self._kwargs)
        with self.name_scope():
            self.weight = self.params.get("weight", shape=shapes[1], init=weight_initializer,
                                          allow_deferred_init=True)
            self.bias = (self.params.get("bias", shape=shapes[2], init=bias_initializer,
                                         allow_deferred_init=True) if use_bias else None)
            self.act = (Activation(activation, prefix=f"{activation}_")
                        if activation is not None else None)

    def hybrid_forward(self, F: Any, x: Any, weight: Any, bias: Any = None) -> Any:
        inputs = (x, weight) if bias is None else (x, weight, bias)
        out = getattr(F, self._op_name)(*inputs, name="fwd", **self._kwargs)
        return out if self.act is None else self.act(out)

    def _alias(self) -> str:
        return "conv"

    def __repr__(self) -> str:
        kw = self._kwargs
        ndim = len(kw["kernel"])
        parts = [f"kernel_size={kw['kernel']}", f"stride={kw['stride']}"]
        if kw["pad"] != (0,) * ndim:
            parts.append(f"padding={kw['pad']}")
        if kw["dilate"] != (1,) * ndim:
            parts.append(f"dilation={kw['dilate']}")
        # MXNet checks an attribute named out_pad that its layers never set (they set outpad), so
        # output_padding never shows in its repr; mxtorch keeps that
        out_pad = getattr(self, "out_pad", None)
        if out_pad is not None and out_pad != (0,) * ndim:
            parts.append(f"output_padding={out_pad}")
        if kw["num_group"] != 1:
            parts.append(f"groups={kw['num_group']}")
        if self.bias is None:
            parts.append("bias=False")
        if self.act:
            parts.append(str(self.act))
        shape = self.weight.shape
        mapping = f"{shape[1] if shape[1] else None} -> {shape[0]}"
        return f"{type(self).__name__}({mapping}, {', '.join(parts)})"


class Conv1D(_Conv):
    """1-D convolution layer (e.g. over time): learned filters slide along the width.

    A bias per output channel is added when ``use_bias``, then ``activation`` is applied if
    given.

    Parameters
    ----------
    channels : int
        Number of output channels (filters).
    kernel_size : int or tuple/list of 1 int
        Size of the window.
    strides : int or tuple/list of 1 int, default 1
        Step of the window along each spatial axis.
    padding : int or tuple/list of 1 int, default 0
        Implicit zeros added at both ends of each spatial axis.
    dilation : int or tuple/list of 1 int, default 1
        Spacing of the window's taps; ``d`` leaves ``d - 1`` positions between two taps.
    groups : int, default 1
        Number of channel groups: output group *i* is computed from input group *i* only.
    layout : str, default 'NCW'
        Axis order of input and output; 'NCW' is the only one.
    activation : str, optional
        Name of an ``Activation`` (e.g. 'relu') applied to the output; none by default.
    use_bias : bool, default True
        Whether to add a learned bias per output channel.
    weight_initializer : str or Initializer, optional
        Initializer of ``weight``; by default the one given to ``initialize``.
    bias_initializer : str or Initializer, default 'zeros'
        Initializer of ``bias``.
    in_channels : int, default 0
        Number of input channels; 0 leaves it to the first forward pass to infer, and
        defers the parameters' initialization until then.

    Notes
    -----
    Input ``(N, C, W)`` and output ``(N, channels, W')``. Along each spatial axis a size
    ``x`` becomes ``floor((x + 2p - d(k - 1) - 1) / s) + 1``, with stride ``s``, padding ``p``,
    dilation ``d`` and kernel size ``k``. ``weight`` has shape
    ``(channels, in_channels // groups, *kernel_size)``, ``bias`` ``(channels,)``.
    """

    def __init__(self, channels: int, kernel_size: Any, strides: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, layout: str = "NCW",
                 activation: Optional[str] = None, use_bias: bool = True,
                 weight_initializer: Any = None, bias_initializer: Any = "zeros",
                 in_channels: int = 0, **kwargs: Any):
        _check_layout(layout, ("NCW",), "Conv1D")
        super().__init__(channels, _ntuple(kernel_size, 1, "kernel_size"), strides, padding,
                         dilation, groups, layout, in_channels=in_channels, activation=activation,
                         use_bias=use_bias, weight_initializer=weight_initializer,
                         bias_initializer=bias_initializer, **kwargs)


class Conv2D(_Conv):
    """2-D convolution layer (e.g. over images): learned filters slide over height and width.

    A bias per output channel is added when ``use_bias``, then ``activation`` is applied if
    given.

    Parameters
    ----------
    channels : int
        Number of output channels (filters).
    kernel_size : int or tuple/list of 2 ints
        Size of the window.
    strides : int or tuple/list of 2 ints, default (1, 1)
        Step of the window along each spatial axis.
    padding : int or tuple/list of 2 ints, default (0, 0)
        Implicit zeros added at both ends of each spatial axis.
    dilation : int or tuple/list of 2 ints, default (1, 1)
        Spacing of the window's taps; ``d`` leaves ``d - 1`` positions between two taps.
    groups : int, default 1
        Number of channel groups: output group *i* is computed from input group *i* only.
    layout : str, default 'NCHW'
        Axis order of input and output. 'NHWC' is accepted by name but refused with
        ``MXNetError``: MXNet ran channel-last convolutions on GPU only.
    activation : str, optional
        Name of an ``Activation`` (e.g. 'relu') applied to the output; none by default.
    use_bias : bool, default True
        Whether to add a learned bias per output channel.
    weight_initializer : str or Initializer, optional
        Initializer of ``weight``; by default the one given to ``initialize``.
    bias_initializer : str or Initializer, default 'zeros'
        Initializer of ``bias``.
    in_channels : int, default 0
        Number of input channels; 0 leaves it to the first forward pass to infer, and
        defers the parameters' initialization until then.

    Notes
    -----
    Input ``(N, C, H, W)`` and output ``(N, channels, H', W')``. Along each spatial axis a size
    ``x`` becomes ``floor((x + 2p - d(k - 1) - 1) / s) + 1``, with stride ``s``, padding ``p``,
    dilation ``d`` and kernel size ``k``. ``weight`` has shape
    ``(channels, in_channels // groups, *kernel_size)``, ``bias`` ``(channels,)``.

    Examples
    --------
    >>> conv = nn.Conv2D(16, kernel_size=3, padding=1, activation='relu')
    >>> conv.initialize()
    >>> conv(mx.nd.ones((2, 3, 28, 28))).shape
    (2, 16, 28, 28)
    >>> conv.weight.shape
    (16, 3, 3, 3)
    """

    def __init__(self, channels: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: Any = (0, 0), dilation: Any = (1, 1), groups: int = 1,
                 layout: str = "NCHW", activation: Optional[str] = None, use_bias: bool = True,
                 weight_initializer: Any = None, bias_initializer: Any = "zeros",
                 in_channels: int = 0, **kwargs: Any):
        _check_layout(layout, ("NCHW", "NHWC"), "Conv2D")
        super().__init__(channels, _ntuple(kernel_size, 2, "kernel_size"), strides, padding,
                         dilation, groups, layout, in_channels=in_channels, activation=activation,
                         use_bias=use_bias, weight_initializer=weight_initializer,
                         bias_initializer=bias_initializer, **kwargs)


class Conv3D(_Conv):
    """3-D convolution layer (e.g. over volumes): filters slide over depth, height and width.

    A bias per output channel is added when ``use_bias``, then ``activation`` is applied if
    given.

    Parameters
    ----------
    channels : int
        Number of output channels (filters).
    kernel_size : int or tuple/list of 3 ints
        Size of the window.
    strides : int or tuple/list of 3 ints, default (1, 1, 1)
        Step of the window along each spatial axis.
    padding : int or tuple/list of 3 ints, default (0, 0, 0)
        Implicit zeros added at both ends of each spatial axis.
    dilation : int or tuple/list of 3 ints, default (1, 1, 1)
        Spacing of the window's taps; ``d`` leaves ``d - 1`` positions between two taps.
    groups : int, default 1
        Number of channel groups: output group *i* is computed from input group *i* only.
    layout : str, default 'NCDHW'
        Axis order of input and output. 'NDHWC' is accepted by name but refused with
        ``MXNetError``: MXNet ran channel-last convolutions on GPU only.
    activation : str, optional
        Name of an ``Activation`` (e.g. 'relu') applied to the output; none by default.
    use_bias : bool, default True
        Whether to add a learned bias per output channel.
    weight_initializer : str or Initializer, optional
        Initializer of ``weight``; by default the one given to ``initialize``.
    bias_initializer : str or Initializer, default 'zeros'
        Initializer of ``bias``.
    in_channels : int, default 0
        Number of input channels; 0 leaves it to the first forward pass to infer, and
        defers the parameters' initialization until then.

    Notes
    -----
    Input ``(N, C, D, H, W)`` and output ``(N, channels, D', H', W')``. Along each spatial axis a size
    ``x`` becomes ``floor((x + 2p - d(k - 1) - 1) / s) + 1``, with stride ``s``, padding ``p``,
    dilation ``d`` and kernel size ``k``. ``weight`` has shape
    ``(channels, in_channels // groups, *kernel_size)``, ``bias`` ``(channels,)``.
    """

    def __init__(self, channels: int, kernel_size: Any, strides: Any = (1, 1, 1),
                 padding: Any = (0, 0, 0), dilation: Any = (1, 1, 1), groups: int = 1,
                 layout: str = "NCDHW", activation: Optional[str] = None, use_bias: bool = True,
                 weight_initializer: Any = None, bias_initializer: Any = "zeros",
                 in_channels: int = 0, **kwargs: Any):
        _check_layout(layout, ("NCDHW", "NDHWC"), "Conv3D")
        super().__init__(channels, _ntuple(kernel_size, 3, "kernel_size"), strides, padding,
                         dilation, groups, layout, in_channels=in_channels, activation=activation,
                         use_bias=use_bias, weight_initializer=weight_initializer,
                         bias_initializer=bias_initializer, **kwargs)


class _ConvTranspose(_Conv):
    """What the transposed convolutions share: ``output_padding`` becomes the ``Deconvolution``
    operator's ``adj``."""

    def __init__(self, ndim: int, channels: int, kernel_size: Any, strides: Any, padding: Any,
                 output_padding: Any, dilation: Any, groups: int, layout: str,
                 activation: Optional[str], use_bias: bool, weight_initializer: Any,
                 bias_initializer: Any, in_channels: int, **kwargs: Any):
        kernel_size = _ntuple(kernel_size, ndim, "kernel_size")
        output_padding = _ntuple(output_padding, ndim, "output_padding")
        kwargs.setdefault("op_name", "Deconvolution")
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, layout,
                         in_channels=in_channels, activation=activation, use_bias=use_bias,
                         weight_initializer=weight_initializer, bias_initializer=bias_initializer,
                         adj=output_padding, **kwargs)
        self.outpad = output_padding


class Conv1DTranspose(_ConvTranspose):
    """Transposed 1-D convolution layer (sometimes called deconvolution).

    It runs ``Conv1D``'s data flow backwards: each input position scatters a window of
    weighted copies into the output, so a stride greater than one upsamples (as in
    decoders and segmentation heads). A bias per output channel is added when
    ``use_bias``, then ``activation`` is applied if given.

    Parameters
    ----------
    channels : int
        Number of output channels (filters).
    kernel_size : int or tuple/list of 1 int
        Size of the window.
    strides : int or tuple/list of 1 int, default 1
        Step of the window along each spatial axis.
    padding : int or tuple/list of 1 int, default 0
        Implicit zeros the matching convolution would have added at both ends of each axis:
        the output is cropped by that much at both ends.
    output_padding : int or tuple/list of 1 int, default 0
        Extra length at the end of each output axis, smaller than ``strides``: it picks
        one of the input sizes that a strided convolution maps to the same output size.
    dilation : int or tuple/list of 1 int, default 1
        Spacing of the window's taps; ``d`` leaves ``d - 1`` positions between two taps.
    groups : int, default 1
        Number of channel groups: output group *i* is computed from input group *i* only.
    layout : str, default 'NCW'
        Axis order of input and output; 'NCW' is the only one.
    activation : str, optional
        Name of an ``Activation`` (e.g. 'relu') applied to the output; none by default.
    use_bias : bool, default True
        Whether to add a learned bias per output channel.
    weight_initializer : str or Initializer, optional
        Initializer of ``weight``; by default the one given to ``initialize``.
    bias_initializer : str or Initializer, default 'zeros'
        Initializer of ``bias``.
    in_channels : int, default 0
        Number of input channels; 0 leaves it to the first forward pass to infer, and
        defers the parameters' initialization until then.

    Notes
    -----
    Input ``(N, C, W)`` and output ``(N, channels, W')``. Along each spatial axis a size
    ``x`` becomes ``(x - 1)s - 2p + d(k - 1) + output_padding + 1``, with stride ``s``, padding ``p``,
    dilation ``d`` and kernel size ``k``. ``weight`` has shape
    ``(in_channels, channels // groups, *kernel_size)``, ``bias`` ``(channels,)``.
    """

    def __init__(self, channels: int, kernel_size: Any, strides: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, dilation: Any = 1, groups: int = 1, layout: str = "NCW",
                 activation: Optional[str] = None, use_bias: bool = True,
                 weight_initializer: Any = None, bias_initializer: Any = "zeros",
                 in_channels: int = 0, **kwargs: Any):
        _check_layout(layout, ("NCW",), "Conv1DTranspose")
        super().__init__(1, channels, kernel_size, strides, padding, output_padding, dilation,
                         groups, layout, activation, use_bias, weight_initializer,
                         bias_initializer, in_channels, **kwargs)


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution layer (sometimes called deconvolution).

    It runs ``Conv2D``'s data flow backwards: each input position scatters a window of
    weighted copies into the output, so a stride greater than one upsamples (as in
    decoders and segmentation heads). A bias per output channel is added when
    ``use_bias``, then ``activation`` is applied if given.

    Parameters
    ----------
    channels : int
        Number of output channels (filters).
    kernel_size : int or tuple/list of 2 ints
        Size of the window.
    strides : int or tuple/list of 2 ints, default (1, 1)
        Step of the window along each spatial axis.
    padding : int or tuple/list of 2 ints, default (0, 0)
        Implicit zeros the matching convolution would have added at both ends of each axis:
        the output is cropped by that much at both ends.
    output_padding : int or tuple/list of 2 ints, default (0, 0)
        Extra length at the end of each output axis, smaller than ``strides``: it picks
        one of the input sizes that a strided convolution maps to the same output size.
    dilation : int or tuple/list of 2 ints, default (1, 1)
        Spacing of the window's taps; ``d`` leaves ``d - 1`` positions between two taps.
    groups : int, default 1
        Number of channel groups: output group *i* is computed from input group *i* only.
    layout : str, default 'NCHW'
        Axis order of input and output. 'NHWC' is accepted by name but refused with
        ``MXNetError``: MXNet ran channel-last convolutions on GPU only.
    activation : str, optional
        Name of an ``Activation`` (e.g. 'relu') applied to the output; none by default.
    use_bias : bool, default True
        Whether to add a learned bias per output channel.
    weight_initializer : str or Initializer, optional
        Initializer of ``weight``; by default the one given to ``initialize``.
    bias_initializer : str or Initializer, default 'zeros'
        Initializer of ``bias``.
    in_channels : int, default 0
        Number of input channels; 0 leaves it to the first forward pass to infer, and
        defers the parameters' initialization until then.

    Notes
    -----
    Input ``(N, C, H, W)`` and output ``(N, channels, H', W')``. Along each spatial axis a size
    ``x`` becomes ``(x - 1)s - 2p + d(k - 1) + output_padding + 1``, with stride ``s``, padding ``p``,
    dilation ``d`` and kernel size ``k``. ``weight`` has shape
    ``(in_channels, channels // groups, *kernel_size)``, ``bias`` ``(channels,)``.
    """

    def __init__(self, channels: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: Any = (0, 0), output_padding: Any = (0, 0), dilation: Any = (1, 1),
                 groups: int = 1, layout: str = "NCHW", activation: Optional[str] = None,
                 use_bias: bool = True, weight_initializer: Any = None,
                 bias_initializer: Any = "zeros", in_channels: int = 0, **kwargs: Any):
        _check_layout(layout, ("NCHW", "NHWC"), "Conv2DTranspose")
        super().__init__(2, channels, kernel_size, strides, padding, output_padding, dilation,
                         groups, layout, activation, use_bias, weight_initializer,
                         bias_initializer, in_channels, **kwargs)


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution layer (sometimes called deconvolution).

    It runs ``Conv3D``'s data flow backwards: each input position scatters a window of
    weighted copies into the output, so a stride greater than one upsamples (as in
    decoders and segmentation heads). A bias per output channel is added when
    ``use_bias``, then ``activation`` is applied if given.

    Parameters
    ----------
    channels : int
        Number of output channels (filters).
    kernel_size : int or tuple/list of 3 ints
        Size of the window.
    strides : int or tuple/list of 3 ints, default (1, 1, 1)
        Step of the window along each spatial axis.
    padding : int or tuple/list of 3 ints, default (0, 0, 0)
        Implicit zeros the matching convolution would have added at both ends of each axis:
        the output is cropped by that much at both ends.
    output_padding : int or tuple/list of 3 ints, default (0, 0, 0)
        Extra length at the end of each output axis, smaller than ``strides``: it picks
        one of the input sizes that a strided convolution maps to the same output size.
    dilation : int or tuple/list of 3 ints, default (1, 1, 1)
        Spacing of the window's taps; ``d`` leaves ``d - 1`` positions between two taps.
    groups : int, default 1
        Number of channel groups: output group *i* is computed from input group *i* only.
    layout : str, default 'NCDHW'
        Axis order of input and output. 'NDHWC' is accepted by name but refused with
        ``MXNetError``: MXNet ran channel-last convolutions on GPU only.
    activation : str, optional
        Name of an ``Activation`` (e.g. 'relu') applied to the output; none by default.
    use_bias : bool, default True
        Whether to add a learned bias per output channel.
    weight_initializer : str or Initializer, optional
        Initializer of ``weight``; by default the one given to ``initialize``.
    bias_initializer : str or Initializer, default 'zeros'
        Initializer of ``bias``.
    in_channels : int, default 0
        Number of input channels; 0 leaves it to the first forward pass to infer, and
        defers the parameters' initialization until then.

    Notes
    -----
    Input ``(N, C, D, H, W)`` and output ``(N, channels, D', H', W')``. Along each spatial axis a size
    ``x`` becomes ``(x - 1)s - 2p + d(k - 1) + output_padding + 1``, with stride ``s``, padding ``p``,
    dilation ``d`` and kernel size ``k``. ``weight`` has shape
    ``(in_channels, channels // groups, *kernel_size)``, ``bias`` ``(channels,)``.
    """

    def __init__(self, channels: int, kernel_size: Any, strides: Any = (1, 1, 1),
                 padding: Any = (0, 0, 0), output_padding: Any = (0, 0, 0),
                 dilation: Any = (1, 1, 1), groups: int = 1, layout: str = "NCDHW",
                 activation: Optional[str] = None, use_bias: bool = True,
                 weight_initializer: Any = None, bias_initializer: Any = "zeros",
                 in_channels: int = 0, **kwargs: Any):
        _check_layout(layout, ("NCDHW", "NDHWC"), "Conv3DTranspose")
        super().__init__(3, channels, kernel_size, strides, padding, output_padding, dilation,
                         groups, layout, activation, use_bias, weight_initializer,
                         bias_initializer, in_channels, **kwargs)


class _Pooling(HybridBlock):
    """What the pooling layers share: their arguments become the ``Pooling`` operator's, with
    ``ceil_mode`` as its ``pooling_convention`` ('full' or 'valid')."""

    def __init__(self, pool_size: tuple, strides: Any, padding: Any, ceil_mode: bool,
                 global_pool: bool, pool_type: str, layout: str,
                 count_include_pad: Optional[bool] = None, **kwargs: Any):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        n = len(pool_size)
        self._kwargs = {"kernel": pool_size, "stride": _ntuple(strides, n, "strides"),
                        "pad": _ntuple(padding, n, "padding"), "global_pool": global_pool,
                        "pool_type": pool_type, "layout": layout,
                        "pooling_convention": "full" if ceil_mode else "valid"}
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self) -> str:
        return "pool"

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.Pooling(x, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        s = "{name}(size={kernel}, stride={stride}, padding={pad}, ceil_mode={ceil_mode}"
        s += ", global_pool={global_pool}, pool_type={pool_type}, layout={layout})"
        return s.format(name=self.__class__.__name__,
                        ceil_mode=self._kwargs["pooling_convention"] == "full", **self._kwargs)


_LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


def _pool_args(pool_size: Any, layout: str, n: int) -> tuple:
    """The ``n``-d pooling window, once ``layout`` is checked to be one of ``n``-d pooling's."""
    _check_layout(layout, _LAYOUTS[n], f"{n}D Pooling")
    return _ntuple(pool_size, n, "pool_size")


class MaxPool1D(_Pooling):
    """Max pooling of 1-D (e.g. temporal) data: the largest value in each window.

    Parameters
    ----------
    pool_size : int or tuple/list of 1 int, default 2
        Size of the window.
    strides : int or tuple/list of 1 int, optional
        Step of the window; by default ``pool_size`` (windows side by side).
    padding : int or tuple/list of 1 int, default 0
        Implicit padding at both ends of each spatial axis; it never wins the maximum.
    layout : str, default 'NCW'
        Axis order of input and output: 'NCW' or 'NWC'.
    ceil_mode : bool, default False
        Round the output size up instead of down, so that a last, partial window
        is kept (MXNet's ``pooling_convention='full'``).

    Notes
    -----
    Input ``(N, C, W)`` and output ``(N, C, W')`` in layout 'NCW'. Along each
    spatial axis a size ``x`` becomes ``floor((x + 2p - k) / s) + 1`` (``ceil`` when
    ``ceil_mode``), with window ``k``, stride ``s`` and padding ``p``.
    """

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: Any = 0,
                 layout: str = "NCW", ceil_mode: bool = False, **kwargs: Any):
        super().__init__(_pool_args(pool_size, layout, 1), strides, padding, ceil_mode, False,
                         "max", layout, **kwargs)


class MaxPool2D(_Pooling):
    """Max pooling of 2-D (e.g. image) data: the largest value in each window.

    Parameters
    ----------
    pool_size : int or tuple/list of 2 ints, default (2, 2)
        Size of the window.
    strides : int or tuple/list of 2 ints, optional
        Step of the window; by default ``pool_size`` (windows side by side).
    padding : int or tuple/list of 2 ints, default 0
        Implicit padding at both ends of each spatial axis; it never wins the maximum.
    layout : str, default 'NCHW'
        Axis order of input and output: 'NCHW' or 'NHWC'.
    ceil_mode : bool, default False
        Round the output size up instead of down, so that a last, partial window
        is kept (MXNet's ``pooling_convention='full'``).

    Notes
    -----
    Input ``(N, C, H, W)`` and output ``(N, C, H', W')`` in layout 'NCHW'. Along each
    spatial axis a size ``x`` becomes ``floor((x + 2p - k) / s) + 1`` (``ceil`` when
    ``ceil_mode``), with window ``k``, stride ``s`` and padding ``p``.
    """

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: Any = 0,
                 layout: str = "NCHW", ceil_mode: bool = False, **kwargs: Any):
        super().__init__(_pool_args(pool_size, layout, 2), strides, padding, ceil_mode, False,
                         "max", layout, **kwargs)


class MaxPool3D(_Pooling):
    """Max pooling of 3-D (e.g. volume or video) data: the largest value in each window.

    Parameters
    ----------
    pool_size : int or tuple/list of 3 ints, default (2, 2, 2)
        Size of the window.
    strides : int or tuple/list of 3 ints, optional
        Step of the window; by default ``pool_size`` (windows side by side).
    padding : int or tuple/list of 3 ints, default 0
        Implicit padding at both ends of each spatial axis; it never wins the maximum.
    ceil_mode : bool, default False
        Round the output size up instead of down, so that a last, partial window
        is kept (MXNet's ``pooling_convention='full'``).
    layout : str, default 'NCDHW'
        Axis order of input and output: 'NCDHW' or 'NDHWC'.

    Notes
    -----
    Input ``(N, C, D, H, W)`` and output ``(N, C, D', H', W')`` in layout 'NCDHW'. Along each
    spatial axis a size ``x`` becomes ``floor((x + 2p - k) / s) + 1`` (``ceil`` when
    ``ceil_mode``), with window ``k``, stride ``s`` and padding ``p``.
    """

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, layout: str = "NCDHW", **kwargs: Any):
        super().__init__(_pool_args(pool_size, layout, 3), strides, padding, ceil_mode, False,
                         "max", layout, **kwargs)


class AvgPool1D(_Pooling):
    """Average pooling of 1-D (e.g. temporal) data: the mean of each window.

    Parameters
    ----------
    pool_size : int or tuple/list of 1 int, default 2
        Size of the window.
    strides : int or tuple/list of 1 int, optional
        Step of the window; by default ``pool_size`` (windows side by side).
    padding : int or tuple/list of 1 int, default 0
        Implicit zeros added at both ends of each spatial axis.
    layout : str, default 'NCW'
        Axis order of input and output: 'NCW' or 'NWC'.
    ceil_mode : bool, default False
        Round the output size up instead of down, so that a last, partial window
        is kept (MXNet's ``pooling_convention='full'``).
    count_include_pad : bool, default True
        Whether padded positions count in a window's divisor; False averages over the
        input positions only.

    Notes
    -----
    Input ``(N, C, W)`` and output ``(N, C, W')`` in layout 'NCW'. Along each
    spatial axis a size ``x`` becomes ``floor((x + 2p - k) / s) + 1`` (``ceil`` when
    ``ceil_mode``), with window ``k``, stride ``s`` and padding ``p``.
    """

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: Any = 0,
                 layout: str = "NCW", ceil_mode: bool = False, count_include_pad: bool = True,
                 **kwargs: Any):
        super().__init__(_pool_args(pool_size, layout, 1), strides, padding, ceil_mode, False,
                         "avg", layout, count_include_pad, **kwargs)


class AvgPool2D(_Pooling):
    """Average pooling of 2-D (e.g. image) data: the mean of each window.

    Parameters
    ----------
    pool_size : int or tuple/list of 2 ints, default (2, 2)
        Size of the window.
    strides : int or tuple/list of 2 ints, optional
        Step of the window; by default ``pool_size`` (windows side by side).
    padding : int or tuple/list of 2 ints, default 0
        Implicit zeros added at both ends of each spatial axis.
    ceil_mode : bool, default False
        Round the output size up instead of down, so that a last, partial window
        is kept (MXNet's ``pooling_convention='full'``).
    layout : str, default 'NCHW'
        Axis order of input and output: 'NCHW' or 'NHWC'.
    count_include_pad : bool, default True
        Whether padded positions count in a window's divisor; False averages over the
        input positions only.

    Notes
    -----
    Input ``(N, C, H, W)`` and output ``(N, C, H', W')`` in layout 'NCHW'. Along each
    spatial axis a size ``x`` becomes ``floor((x + 2p - k) / s) + 1`` (``ceil`` when
    ``ceil_mode``), with window ``k``, stride ``s`` and padding ``p``.
    """

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, layout: str = "NCHW", count_include_pad: bool = True,
                 **kwargs: Any):
        super().__init__(_pool_args(pool_size, layout, 2), strides, padding, ceil_mode, False,
                         "avg", layout, count_include_pad, **kwargs)


class AvgPool3D(_Pooling):
    """Average pooling of 3-D (e.g. volume or video) data: the mean of each window.

    Parameters
    ----------
    pool_size : int or tuple/list of 3 ints, default (2, 2, 2)
        Size of the window.
    strides : int or tuple/list of 3 ints, optional
        Step of the window; by default ``pool_size`` (windows side by side).
    padding : int or tuple/list of 3 ints, default 0
        Implicit zeros added at both ends of each spatial axis.
    ceil_mode : bool, default False
        Round the output size up instead of down, so that a last, partial window
        is kept (MXNet's ``pooling_convention='full'``).
    layout : str, default 'NCDHW'
        Axis order of input and output: 'NCDHW' or 'NDHWC'.
    count_include_pad : bool, default True
        Whether padded positions count in a window's divisor; False averages over the
        input positions only.

    Notes
    -----
    Input ``(N, C, D, H, W)`` and output ``(N, C, D', H', W')`` in layout 'NCDHW'. Along each
    spatial axis a size ``x`` becomes ``floor((x + 2p - k) / s) + 1`` (``ceil`` when
    ``ceil_mode``), with window ``k``, stride ``s`` and padding ``p``.
    """

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, layout: str = "NCDHW", count_include_pad: bool = True,
                 **kwargs: Any):
        super().__init__(_pool_args(pool_size, layout, 3), strides, padding, ceil_mode, False,
                         "avg", layout, count_include_pad, **kwargs)


class GlobalMaxPool1D(_Pooling):
    """Global max pooling of 1-D (e.g. temporal) data: the largest value of each channel.

    Parameters
    ----------
    layout : str, default 'NCW'
        Axis order of input and output: 'NCW' or 'NWC'.

    Notes
    -----
    Input ``(N, C, W)`` and output ``(N, C, 1)`` in layout 'NCW': every
    spatial axis is reduced to size 1.
    """

    def __init__(self, layout: str = "NCW", **kwargs: Any):
        super().__init__(_pool_args(1, layout, 1), None, 0, True, True, "max", layout, **kwargs)


class GlobalMaxPool2D(_Pooling):
    """Global max pooling of 2-D (e.g. image) data: the largest value of each channel.

    Parameters
    ----------
    layout : str, default 'NCHW'
        Axis order of input and output: 'NCHW' or 'NHWC'.

    Notes
    -----
    Input ``(N, C, H, W)`` and output ``(N, C, 1, 1)`` in layout 'NCHW': every
    spatial axis is reduced to size 1.
    """

    def __init__(self, layout: str = "NCHW", **kwargs: Any):
        super().__init__(_pool_args(1, layout, 2), None, 0, True, True, "max", layout, **kwargs)


class GlobalMaxPool3D(_Pooling):
    """Global max pooling of 3-D (e.g. volume or video) data: the largest value of each channel.

    Parameters
    ----------
    layout : str, default 'NCDHW'
        Axis order of input and output: 'NCDHW' or 'NDHWC'.

    Notes
    -----
    Input ``(N, C, D, H, W)`` and output ``(N, C, 1, 1, 1)`` in layout 'NCDHW': every
    spatial axis is reduced to size 1.
    """

    def __init__(self, layout: str = "NCDHW", **kwargs: Any):
        super().__init__(_pool_args(1, layout, 3), None, 0, True, True, "max", layout, **kwargs)


class GlobalAvgPool1D(_Pooling):
    """Global average pooling of 1-D (e.g. temporal) data: the mean of each channel.

    Parameters
    ----------
    layout : str, default 'NCW'
        Axis order of input and output: 'NCW' or 'NWC'.

    Notes
    -----
    Input ``(N, C, W)`` and output ``(N, C, 1)`` in layout 'NCW': every
    spatial axis is reduced to size 1.
    """

    def __init__(self, layout: str = "NCW", **kwargs: Any):
        super().__init__(_pool_args(1, layout, 1), None, 0, True, True, "avg", layout, **kwargs)


class GlobalAvgPool2D(_Pooling):
    """Global average pooling of 2-D (e.g. image) data: the mean of each channel.

    Parameters
    ----------
    layout : str, default 'NCHW'
        Axis order of input and output: 'NCHW' or 'NHWC'.

    Notes
    -----
    Input ``(N, C, H, W)`` and output ``(N, C, 1, 1)`` in layout 'NCHW': every
    spatial axis is reduced to size 1.
    """

    def __init__(self, layout: str = "NCHW", **kwargs: Any):
        super().__init__(_pool_args(1, layout, 2), None, 0, True, True, "avg", layout, **kwargs)


class GlobalAvgPool3D(_Pooling):
    """Global average pooling of 3-D (e.g. volume or video) data: the mean of each channel.

    Parameters
    ----------
    layout : str, default 'NCDHW'
        Axis order of input and output: 'NCDHW' or 'NDHWC'.

    Notes
    -----
    Input ``(N, C, D, H, W)`` and output ``(N, C, 1, 1, 1)`` in layout 'NCDHW': every
    spatial axis is reduced to size 1.
    """

    def __init__(self, layout: str = "NCDHW", **kwargs: Any):
        super().__init__(_pool_args(1, layout, 3), None, 0, True, True, "avg", layout, **kwargs)


class ReflectionPad2D(HybridBlock):
    """Pads the height and width of 4-D data with their mirror image (the edge itself not repeated).

    Parameters
    ----------
    padding : int or tuple of 8 ints, default 0
        An int pads both ends of height and width by that much; 8 ints are the ``pad_width`` of
        ``nd.pad`` (before and after for each of N, C, H, W, and N and C must stay 0).

    Notes
    -----
    Input ``(N, C, H, W)``, output ``(N, C, H + 2p, W + 2p)`` for an int ``p``, which must be less
    than ``H`` and ``W``.

    Examples
    --------
    >>> x = mx.nd.arange(9).reshape((1, 1, 3, 3))
    >>> y = nn.ReflectionPad2D(1)(x)
    >>> y.shape
    (1, 1, 5, 5)
    >>> y[0, 0, 0].asnumpy()
    array([4., 3., 4., 5., 4.], dtype=float32)
    """

    def __init__(self, padding: Any = 0, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(padding, numeric_types):
            padding = (0,) * 4 + (padding,) * 4
        if len(padding) != 8:
            raise ValueError(f"ReflectionPad2D: padding must be an int or 8 ints, got {padding}")
        self._padding = padding

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.pad(x, mode="reflect", pad_width=self._padding)
