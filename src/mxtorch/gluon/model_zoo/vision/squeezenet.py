"""SqueezeNet 1.0 and 1.1 for MXNet's model zoo.

Iandola et al., `"SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB
model size" <https://arxiv.org/abs/1602.07360>`_, built from "fire" modules: a 1x1 squeeze
convolution feeding parallel 1x1 and 3x3 expand convolutions whose outputs are concatenated.
Version 1.1 (from the `authors' repository
<https://github.com/DeepScale/SqueezeNet/tree/master/SqueezeNet_v1.1>`_) uses a smaller stem
and pools earlier, for roughly 2.4 times less computation at the same accuracy.

Layers are created in MXNet's order under MXNet's prefixes, so MXNet's published parameter
files load unchanged.
"""
__all__ = ['SqueezeNet', 'squeezenet1_0', 'squeezenet1_1']

from ....context import cpu
from ... import nn
from ...block import HybridBlock
from ...contrib.nn import HybridConcurrent
from ..model_store import _load_pretrained


def _make_fire(squeeze_channels, expand1x1_channels, expand3x3_channels):
    """A fire module: squeeze, then the two expand paths concatenated on channels."""
    fire = nn.HybridSequential(prefix='')
    fire.add(_make_fire_conv(squeeze_channels, 1))
    expand = HybridConcurrent(axis=1, prefix='')
    expand.add(_make_fire_conv(expand1x1_channels, 1))
    expand.add(_make_fire_conv(expand3x3_channels, 3, 1))
    fire.add(expand)
    return fire


def _make_fire_conv(channels, kernel_size, padding=0):
    """A convolution followed by ReLU."""
    conv = nn.HybridSequential(prefix='')
    conv.add(nn.Conv2D(channels, kernel_size, padding=padding))
    conv.add(nn.Activation('relu'))
    return conv


# Each version: stem convolution (channels, kernel), then a sequence of 'pool' or fire modules
# given as squeeze width (the expand paths are four times as wide each).
_LAYOUTS = {
    '1.0': ((96, 7), ['pool', 16, 16, 32, 'pool', 32, 48, 48, 64, 'pool', 64]),
    '1.1': ((64, 3), ['pool', 16, 16, 'pool', 32, 32, 'pool', 48, 48, 64, 64]),
}


class SqueezeNet(HybridBlock):
    """SqueezeNet: a strided stem, fire modules between 3x3/2 max poolings (ceil mode), and
    a convolutional classifier (1x1 conv, ReLU, 13x13 average pooling, flatten).

    Dropout 0.5 ends the features. The classifier's pooling window fits 224x224 inputs.

    Parameters
    ----------
    version : str
        '1.0' or '1.1'.
    classes : int, default 1000
        Size of the classifier's output.
    """

    def __init__(self, version, classes=1000, **kwargs):
        super().__init__(**kwargs)
        assert version in ['1.0', '1.1'], \
            f"SqueezeNet version {version} does not exist; choose '1.0' or '1.1'"
        (stem_channels, stem_kernel), body = _LAYOUTS[version]
        with self.name_scope():
            self.features = nn.HybridSequential(prefix='')
            self.features.add(nn.Conv2D(stem_channels, kernel_size=stem_kernel, strides=2))
            self.features.add(nn.Activation('relu'))
            for item in body:
                if item == 'pool':
                    self.features.add(nn.MaxPool2D(pool_size=3, strides=2, ceil_mode=True))
                else:
                    self.features.add(_make_fire(item, 4 * item, 4 * item))
            self.features.add(nn.Dropout(0.5))

            self.output = nn.HybridSequential(prefix='')
            for layer in (nn.Conv2D(classes, kernel_size=1), nn.Activation('relu'),
                          nn.AvgPool2D(13), nn.Flatten()):
                self.output.add(layer)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def get_squeezenet(version, pretrained=False, ctx=cpu(),
                   root=None, **kwargs):
    """Build a SqueezeNet of the given version.

    Parameters
    ----------
    version : str
        '1.0' or '1.1'.
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this version (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default $MXNET_HOME/models
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`SqueezeNet` (``classes``, ``prefix``...).
    """
    net = SqueezeNet(version, **kwargs)
    if pretrained:
        _load_pretrained(net, f'squeezenet{version}', ctx, root)
    return net


def squeezenet1_0(**kwargs):
    """SqueezeNet 1.0; see :func:`get_squeezenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`SqueezeNet` (``classes``, ``prefix``...).
    """
    return get_squeezenet('1.0', **kwargs)


def squeezenet1_1(**kwargs):
    """SqueezeNet 1.1; see :func:`get_squeezenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`SqueezeNet` (``classes``, ``prefix``...).
    """
    return get_squeezenet('1.1', **kwargs)
