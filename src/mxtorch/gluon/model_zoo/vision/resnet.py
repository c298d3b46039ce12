"""Residual networks (ResNet V1 and V2) with 18 to 152 layers, as in MXNet's model zoo.

V1 follows He et al., `"Deep Residual Learning for Image Recognition"
<http://arxiv.org/abs/1512.03385>`_: each unit ends with the addition and a ReLU. V2 follows
`"Identity Mappings in Deep Residual Networks" <https://arxiv.org/abs/1603.05027>`_: batch
normalization and ReLU come before each convolution and the shortcut is left untouched.

Layers are created in MXNet's order under MXNet's prefixes, so parameter files published for
MXNet's zoo load unchanged.
"""

__all__ = ['ResNetV1', 'ResNetV2',
           'BasicBlockV1', 'BasicBlockV2',
           'BottleneckV1', 'BottleneckV2',
           'resnet18_v1', 'resnet34_v1', 'resnet50_v1', 'resnet101_v1', 'resnet152_v1',
           'resnet18_v2', 'resnet34_v2', 'resnet50_v2', 'resnet101_v2', 'resnet152_v2',
           'get_resnet']

from ....context import cpu
from ... import nn
from ...block import HybridBlock
from ..model_store import _load_pretrained



def _conv3x3(channels, stride, in_channels):
    """A bias-free 3x3 convolution padded to keep the size at stride 1."""
    return nn.Conv2D(channels, kernel_size=3, strides=stride, padding=1,
                     use_bias=False, in_channels=in_channels)


def _sequential(*layers):
    """An unprefixed ``HybridSequential`` holding ``layers`` (they keep the caller's scope)."""
    seq = nn.HybridSequential(prefix='')
    for layer in layers:
        seq.add(layer)
    return seq


def _projection_v1(channels, stride, in_channels, downsample):
    """V1's shortcut: a strided 1x1 convolution and batch norm, or ``None`` for identity."""
    if not downsample:
        return None
    return _sequential(nn.Conv2D(channels, kernel_size=1, strides=stride, use_bias=False,
                                 in_channels=in_channels),
                       nn.BatchNorm())


def _projection_v2(channels, stride, in_channels, downsample):
    """V2's shortcut: a strided 1x1 convolution on the activated input, or ``None``."""
    if not downsample:
        return None
    return nn.Conv2D(channels, 1, stride, use_bias=False, in_channels=in_channels)


class _UnitV1(HybridBlock):
    """Common forward of the V1 units: body plus shortcut, then ReLU.

    The body is traced before the shortcut, and the addition's operand order is the
    unit's own (``_shortcut_first``), so that exported graphs name and wire their nodes as
    MXNet's do.
    """

    _shortcut_first = False

    def hybrid_forward(self, F, x):
        y = self.body(x)
        shortcut = self.downsample(x) if self.downsample else x
        total = shortcut + y if self._shortcut_first else y + shortcut
        return F.Activation(total, act_type='relu')


class _UnitV2(HybridBlock):
    """Common forward of the V2 units: (BN, ReLU, conv) repeated, plus the shortcut."""

    _stages = ()

    def hybrid_forward(self, F, x):
        shortcut = x
        for number, (bn_name, conv_name) in enumerate(self._stages):
            x = F.Activation(getattr(self, bn_name)(x), act_type='relu')
            if number == 0 and self.downsample:
                # the projection sees the pre-activated input, as in the V2 paper
                shortcut = self.downsample(x)
            x = getattr(self, conv_name)(x)
        return x + shortcut


class BasicBlockV1(_UnitV1):
    """Two 3x3 convolutions with a shortcut: the unit of ResNet-18/34 V1.

    Parameters
    ----------
    channels : int
        Channels the unit puts out.
    stride : int
        Stride of the unit's spatial downsampling (1 keeps the size).
    downsample : bool, default False
        Whether the shortcut gets its own 1x1 convolution, needed when the stride or the
        channel count changes.
    in_channels : int, default 0
        Channels coming in; 0 leaves them to be inferred from the first input.
    """

    _shortcut_first = True

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.body = _sequential(_conv3x3(channels, stride, in_channels), nn.BatchNorm(),
                                nn.Activation('relu'),
                                _conv3x3(channels, 1, channels), nn.BatchNorm())
        self.downsample = _projection_v1(channels, stride, in_channels, downsample)


class BottleneckV1(_UnitV1):
    """1x1 reduce, 3x3, 1x1 expand with a shortcut: the unit of ResNet-50/101/152 V1.

    The inner convolutions work on ``channels // 4`` channels; the stride sits on the first
    1x1 convolution, as in MXNet.

    Parameters
    ----------
    channels : int
        Channels the unit puts out.
    stride : int
        Stride of the unit's spatial downsampling (1 keeps the size).
    downsample : bool, default False
        Whether the shortcut gets its own 1x1 convolution, needed when the stride or the
        channel count changes.
    in_channels : int, default 0
        Channels coming in; 0 leaves them to be inferred from the first input.
    """

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        inner = channels // 4
        self.body = _sequential(nn.Conv2D(inner, kernel_size=1, strides=stride), nn.BatchNorm(),
                                nn.Activation('relu'),
                                _conv3x3(inner, 1, inner), nn.BatchNorm(),
                                nn.Activation('relu'),
                                nn.Conv2D(channels, kernel_size=1, strides=1), nn.BatchNorm())
        self.downsample = _projection_v1(channels, stride, in_channels, downsample)


class BasicBlockV2(_UnitV2):
    """Pre-activation unit of two 3x3 convolutions: ResNet-18/34 V2.

    Parameters
    ----------
    channels : int
        Channels the unit puts out.
    stride : int
        Stride of the unit's spatial downsampling (1 keeps the size).
    downsample : bool, default False
        Whether the shortcut gets its own 1x1 convolution, needed when the stride or the
        channel count changes.
    in_channels : int, default 0
        Channels coming in; 0 leaves them to be inferred from the first input.
    """

    _stages = (('bn1', 'conv1'), ('bn2', 'conv2'))

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self.bn1 = nn.BatchNorm()
        self.conv1 = _conv3x3(channels, stride, in_channels)
        self.bn2 = nn.BatchNorm()
        self.conv2 = _conv3x3(channels, 1, channels)
        self.downsample = _projection_v2(channels, stride, in_channels, downsample)


class BottleneckV2(_UnitV2):
    """Pre-activation bottleneck unit (1x1, 3x3, 1x1): ResNet-50/101/152 V2.

    The stride sits on the 3x3 convolution; the inner width is ``channels // 4``.

    Parameters
    ----------
    channels : int
        Channels the unit puts out.
    stride : int
        Stride of the unit's spatial downsampling (1 keeps the size).
    downsample : bool, default False
        Whether the shortcut gets its own 1x1 convolution, needed when the stride or the
        channel count changes.
    in_channels : int, default 0
        Channels coming in; 0 leaves them to be inferred from the first input.
    """

    _stages = (('bn1', 'conv1'), ('bn2', 'conv2'), ('bn3', 'conv3'))

    def __init__(self, channels, stride, downsample=False, in_channels=0, **kwargs):
        super().__init__(**kwargs)
        inner = channels // 4
        self.bn1 = nn.BatchNorm()
        self.conv1 = nn.Conv2D(inner, kernel_size=1, strides=1, use_bias=False)
        self.bn2 = nn.BatchNorm()
        self.conv2 = _conv3x3(inner, stride, inner)
        self.bn3 = nn.BatchNorm()
        self.conv3 = nn.Conv2D(channels, kernel_size=1, strides=1, use_bias=False)
        self.downsample = _projection_v2(channels, stride, in_channels, downsample)




class _ResNet(HybridBlock):
    """What both versions share: the stem, the stages and the forward pass."""

    def _add_stem(self, channels, thumbnail):
        if thumbnail:
            self.features.add(_conv3x3(channels, 1, 0))
            return
        for layer in (nn.Conv2D(channels, 7, 2, 3, use_bias=False), nn.BatchNorm(),
                      nn.Activation('relu'), nn.MaxPool2D(3, 2, 1)):
            self.features.add(layer)

    def _make_layer(self, block, layers, channels, stride, stage_index, in_channels=0):
        stage = nn.HybridSequential(prefix=f'stage{stage_index}_')
        with stage.name_scope():
            stage.add(block(channels, stride, channels != in_channels,
                            in_channels=in_channels, prefix=''))
            for _ in range(1, layers):
                stage.add(block(channels, 1, False, in_channels=channels, prefix=''))
        return stage

    def _add_stages(self, block, layers, channels):
        for index, units in enumerate(layers):
            self.features.add(self._make_layer(block, units, channels[index + 1],
                                               2 if index else 1, index + 1,
                                               in_channels=channels[index]))

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


class ResNetV1(_ResNet):
    """ResNet V1: post-activation residual units, from He et al. (2015).

    Parameters
    ----------
    block : gluon.HybridBlock
        The unit class the stages are built from (``BasicBlockV{n}`` or ``BottleneckV{n}``).
    layers : list of int
        How many units each stage holds.
    channels : list of int
        The stem's width followed by each stage's width, so one entry more than ``layers``.
    classes : int, default 1000
        Size of the classifier's output.
    thumbnail : bool, default False
        Replace the 7x7/2 convolution and max pooling of the stem with one 3x3 convolution,
        for small images such as CIFAR's.
    """

    def __init__(self, block, layers, channels, classes=1000, thumbnail=False, **kwargs):
        super().__init__(**kwargs)
        assert len(layers) == len(channels) - 1, \
            "channels needs one entry more than layers (the stem's width comes first)"
        with self.name_scope():
            self.features = nn.HybridSequential(prefix='')
            self._add_stem(channels[0], thumbnail)
            self._add_stages(block, layers, channels)
            self.features.add(nn.GlobalAvgPool2D())
            self.output = nn.Dense(classes, in_units=channels[-1])


class ResNetV2(_ResNet):
    """ResNet V2: pre-activation residual units, from He et al. (2016).

    The input first passes a batch norm without scale and shift (a learned input
    normalization); the features end with batch norm, ReLU, global pooling and flattening.

    Parameters
    ----------
    block : gluon.HybridBlock
        The unit class the stages are built from (``BasicBlockV{n}`` or ``BottleneckV{n}``).
    layers : list of int
        How many units each stage holds.
    channels : list of int
        The stem's width followed by each stage's width, so one entry more than ``layers``.
    classes : int, default 1000
        Size of the classifier's output.
    thumbnail : bool, default False
        Replace the 7x7/2 convolution and max pooling of the stem with one 3x3 convolution,
        for small images such as CIFAR's.
    """

    def __init__(self, block, layers, channels, classes=1000, thumbnail=False, **kwargs):
        super().__init__(**kwargs)
        assert len(layers) == len(channels) - 1, \
            "channels needs one entry more than layers (the stem's width comes first)"
        with self.name_scope():
            self.features = nn.HybridSequential(prefix='')
            self.features.add(nn.BatchNorm(scale=False, center=False))
            self._add_stem(channels[0], thumbnail)
            self._add_stages(block, layers, channels)
            for layer in (nn.BatchNorm(), nn.Activation('relu'), nn.GlobalAvgPool2D(),
                          nn.Flatten()):
                self.features.add(layer)
            self.output = nn.Dense(classes, in_units=channels[-1])


# depth -> (unit kind, units per stage, stem width then stage widths)
resnet_spec = {18: ('basic_block', [2, 2, 2, 2], [64, 64, 128, 256, 512]),
               34: ('basic_block', [3, 4, 6, 3], [64, 64, 128, 256, 512]),
               50: ('bottle_neck', [3, 4, 6, 3], [64, 256, 512, 1024, 2048]),
               101: ('bottle_neck', [3, 4, 23, 3], [64, 256, 512, 1024, 2048]),
               152: ('bottle_neck', [3, 8, 36, 3], [64, 256, 512, 1024, 2048])}

resnet_net_versions = [ResNetV1, ResNetV2]
resnet_block_versions = [{'basic_block': BasicBlockV1, 'bottle_neck': BottleneckV1},
                         {'basic_block': BasicBlockV2, 'bottle_neck': BottleneckV2}]



def get_resnet(version, num_layers, pretrained=False, ctx=cpu(),
               root=None, **kwargs):
    """Build a ResNet of the given version (1 or 2) and depth (18, 34, 50, 101 or 152).

    Parameters
    ----------
    version : int
        1 for post-activation units (He et al. 2015), 2 for pre-activation units (2016).
    num_layers : int
        Depth: 18, 34, 50, 101 or 152.
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default $MXNET_HOME/models
        Folder that caches the downloaded parameter files.
    """
    assert num_layers in resnet_spec, \
        f"num_layers {num_layers} has no ResNet; choose one of {list(resnet_spec)}"
    assert 1 <= version <= 2, f"ResNet version {version} does not exist; choose 1 or 2"
    kind, layers, channels = resnet_spec[num_layers]
    block = resnet_block_versions[version - 1][kind]
    net = resnet_net_versions[version - 1](block, layers, channels, **kwargs)
    if pretrained:
        _load_pretrained(net, f'resnet{num_layers}_v{version}', ctx, root)
    return net


def resnet18_v1(**kwargs):
    """ResNet-18 V1 (post-activation units, He et al. 2015); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(1, 18, **kwargs)


def resnet34_v1(**kwargs):
    """ResNet-34 V1 (post-activation units, He et al. 2015); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(1, 34, **kwargs)


def resnet50_v1(**kwargs):
    """ResNet-50 V1 (post-activation units, He et al. 2015); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(1, 50, **kwargs)


def resnet101_v1(**kwargs):
    """ResNet-101 V1 (post-activation units, He et al. 2015); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(1, 101, **kwargs)


def resnet152_v1(**kwargs):
    """ResNet-152 V1 (post-activation units, He et al. 2015); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(1, 152, **kwargs)


def resnet18_v2(**kwargs):
    """ResNet-18 V2 (pre-activation units, He et al. 2016); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(2, 18, **kwargs)


def resnet34_v2(**kwargs):
    """ResNet-34 V2 (pre-activation units, He et al. 2016); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(2, 34, **kwargs)


def resnet50_v2(**kwargs):
    """ResNet-50 V2 (pre-activation units, He et al. 2016); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(2, 50, **kwargs)


def resnet101_v2(**kwargs):
    """ResNet-101 V2 (pre-activation units, He et al. 2016); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(2, 101, **kwargs)


def resnet152_v2(**kwargs):
    """ResNet-152 V2 (pre-activation units, He et al. 2016); see :func:`get_resnet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to the network's constructor (``classes``, ``thumbnail``, ``prefix``...).
    """
    return get_resnet(2, 152, **kwargs)
