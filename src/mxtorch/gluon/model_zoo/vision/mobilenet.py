"""MobileNet (V1) and MobileNetV2 for MXNet's model zoo.

V1 (Howard et al., `"MobileNets" <https://arxiv.org/abs/1704.04861>`_) stacks depthwise
separable convolutions; V2 (Sandler et al., `"Inverted Residuals and Linear Bottlenecks"
<https://arxiv.org/abs/1801.04381>`_) stacks inverted residual units that expand, filter
depthwise and project back without an activation. A width multiplier scales every layer.

Layers are created in MXNet's order under MXNet's prefixes, so MXNet's published parameter
files load unchanged.
"""
__all__ = ['MobileNet', 'MobileNetV2', 'mobilenet1_0', 'mobilenet_v2_1_0', 'mobilenet0_75',
           'mobilenet_v2_0_75', 'mobilenet0_5', 'mobilenet_v2_0_5', 'mobilenet0_25',
           'mobilenet_v2_0_25', 'get_mobilenet', 'get_mobilenet_v2']

from ....context import cpu
from ... import nn
from ...block import HybridBlock
from ..model_store import _load_pretrained


class RELU6(nn.HybridBlock):
    """ReLU capped at 6, ``min(max(x, 0), 6)``: MobileNetV2's activation."""

    def hybrid_forward(self, F, x):
        return F.clip(x, 0, 6, name="relu6")


def _add_conv(out, channels=1, kernel=1, stride=1, pad=0,
              num_group=1, active=True, relu6=False):
    """Append convolution (no bias), batch norm and, if ``active``, ReLU or ReLU6 to ``out``."""
    for layer in (nn.Conv2D(channels, kernel, stride, pad, groups=num_group, use_bias=False),
                  nn.BatchNorm(scale=True)):
        out.add(layer)
    if active:
        out.add(RELU6() if relu6 else nn.Activation('relu'))


def _add_conv_dw(out, dw_channels, channels, stride, relu6=False):
    """Append a depthwise separable convolution: 3x3 per channel, then a 1x1 mix."""
    _add_conv(out, channels=dw_channels, kernel=3, stride=stride, pad=1,
              num_group=dw_channels, relu6=relu6)
    _add_conv(out, channels=channels, relu6=relu6)


def _widths(multiplier, runs):
    """Channel counts from ``(width, repeats)`` runs, each scaled and truncated to an int."""
    return [int(width * multiplier) for width, repeats in runs for _ in range(repeats)]


class LinearBottleneck(nn.HybridBlock):
    """MobileNetV2's inverted residual unit.

    A 1x1 convolution widens the input ``t`` times, a 3x3 depthwise convolution filters it
    (with the stride), and a 1x1 convolution without activation projects it to ``channels``.
    The input is added back when the unit keeps both the size and the channel count.

    Parameters
    ----------
    in_channels : int
        Channels coming in.
    channels : int
        Channels going out.
    t : int
        Expansion factor of the hidden width.
    stride : int
        Stride of the depthwise convolution.
    """

    def __init__(self, in_channels, channels, t, stride, **kwargs):
        super().__init__(**kwargs)
        self.use_shortcut = stride == 1 and in_channels == channels
        hidden = in_channels * t
        with self.name_scope():
            self.out = nn.HybridSequential()
            _add_conv(self.out, hidden, relu6=True)
            _add_conv(self.out, hidden, kernel=3, stride=stride, pad=1, num_group=hidden,
                      relu6=True)
            _add_conv(self.out, channels, active=False, relu6=True)

    def hybrid_forward(self, F, x):
        y = self.out(x)
        return F.elemwise_add(y, x) if self.use_shortcut else y


class MobileNet(HybridBlock):
    """MobileNet V1: a 3x3 stem and thirteen depthwise separable convolutions.

    Parameters
    ----------
    multiplier : float, default 1.0
        Width multiplier: every layer's channel count is scaled by it (and truncated). MXNet
        publishes weights for 0.25, 0.5, 0.75 and 1.0.
    classes : int, default 1000
        Size of the classifier's output.
    """

    def __init__(self, multiplier=1.0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        depthwise = _widths(multiplier, [(32, 1), (64, 1), (128, 2), (256, 2), (512, 6),
                                         (1024, 1)])
        pointwise = _widths(multiplier, [(64, 1), (128, 2), (256, 2), (512, 6), (1024, 2)])
        strides = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]
        with self.name_scope():
            self.features = nn.HybridSequential(prefix='')
            with self.features.name_scope():
                _add_conv(self.features, channels=int(32 * multiplier), kernel=3, pad=1,
                          stride=2)
                for dw, pw, stride in zip(depthwise, pointwise, strides):
                    _add_conv_dw(self.features, dw_channels=dw, channels=pw, stride=stride)
                self.features.add(nn.GlobalAvgPool2D())
                self.features.add(nn.Flatten())
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


class MobileNetV2(nn.HybridBlock):
    """MobileNetV2: a 3x3 stem, seventeen inverted residual units and a 1x1 classifier.

    The last convolution keeps 1280 channels unless the multiplier is above 1; the
    classifier is a 1x1 convolution without bias (``output_pred_``) followed by flattening.

    Parameters
    ----------
    multiplier : float, default 1.0
        Width multiplier applied to every layer's channel count (truncated to an int).
    classes : int, default 1000
        Size of the classifier's output.
    """

    def __init__(self, multiplier=1.0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        stages = [(16, 1), (24, 2), (32, 3), (64, 4), (96, 3), (160, 3), (320, 1)]
        outs = _widths(multiplier, stages)
        ins = _widths(multiplier, [(32, 1)]) + outs[:-1]
        expansions = [1] + [6] * (len(outs) - 1)
        strides = [1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1]
        with self.name_scope():
            self.features = nn.HybridSequential(prefix='features_')
            with self.features.name_scope():
                _add_conv(self.features, int(32 * multiplier), kernel=3, stride=2, pad=1,
                          relu6=True)
                for in_c, out_c, t, stride in zip(ins, outs, expansions, strides):
                    self.features.add(LinearBottleneck(in_channels=in_c, channels=out_c,
                                                       t=t, stride=stride))
                _add_conv(self.features, int(1280 * multiplier) if multiplier > 1.0 else 1280,
                          relu6=True)
                self.features.add(nn.GlobalAvgPool2D())
            self.output = nn.HybridSequential(prefix='output_')
            with self.output.name_scope():
                self.output.add(nn.Conv2D(classes, 1, use_bias=False, prefix='pred_'),
                                nn.Flatten())

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def _multiplier_tag(multiplier):
    """The multiplier as the zoo's file names spell it: '1.0', '0.75', '0.5', '0.25'."""
    tag = f'{multiplier:.2f}'
    return tag[:-1] if tag in ('1.00', '0.50') else tag


def get_mobilenet(multiplier, pretrained=False, ctx=cpu(),
                  root=None, **kwargs):
    """Build a MobileNet V1 with the given width multiplier.

    Parameters
    ----------
    multiplier : float
        Width multiplier; pretrained weights exist for 0.25, 0.5, 0.75 and 1.0.
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this width (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default $MXNET_HOME/models
        Folder that caches the downloaded parameter files.
    """
    net = MobileNet(multiplier, **kwargs)
    if pretrained:
        _load_pretrained(net, 'mobilenet' + _multiplier_tag(multiplier), ctx, root)
    return net


def get_mobilenet_v2(multiplier, pretrained=False, ctx=cpu(),
                     root=None, **kwargs):
    """Build a MobileNetV2 with the given width multiplier.

    Parameters
    ----------
    multiplier : float
        Width multiplier; pretrained weights exist for 0.25, 0.5, 0.75 and 1.0.
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this width (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default $MXNET_HOME/models
        Folder that caches the downloaded parameter files.
    """
    net = MobileNetV2(multiplier, **kwargs)
    if pretrained:
        _load_pretrained(net, 'mobilenetv2_' + _multiplier_tag(multiplier), ctx, root)
    return net


def mobilenet1_0(**kwargs):
    """MobileNet V1 at width multiplier 1.0; see :func:`get_mobilenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``prefix``...).
    """
    return get_mobilenet(1.0, **kwargs)


def mobilenet_v2_1_0(**kwargs):
    """MobileNetV2 at width multiplier 1.0; see :func:`get_mobilenet_v2`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``prefix``...).
    """
    return get_mobilenet_v2(1.0, **kwargs)


def mobilenet0_75(**kwargs):
    """MobileNet V1 at width multiplier 0.75; see :func:`get_mobilenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``prefix``...).
    """
    return get_mobilenet(0.75, **kwargs)


def mobilenet_v2_0_75(**kwargs):
    """MobileNetV2 at width multiplier 0.75; see :func:`get_mobilenet_v2`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``prefix``...).
    """
    return get_mobilenet_v2(0.75, **kwargs)


def mobilenet0_5(**kwargs):
    """MobileNet V1 at width multiplier 0.5; see :func:`get_mobilenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``prefix``...).
    """
    return get_mobilenet(0.5, **kwargs)


def mobilenet_v2_0_5(**kwargs):
    """MobileNetV2 at width multiplier 0.5; see :func:`get_mobilenet_v2`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``prefix``...).
    """
    return get_mobilenet_v2(0.5, **kwargs)


def mobilenet0_25(**kwargs):
    """MobileNet V1 at width multiplier 0.25; see :func:`get_mobilenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``prefix``...).
    """
    return get_mobilenet(0.25, **kwargs)


def mobilenet_v2_0_25(**kwargs):
    """MobileNetV2 at width multiplier 0.25; see :func:`get_mobilenet_v2`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``prefix``...).
    """
    return get_mobilenet_v2(0.25, **kwargs)
