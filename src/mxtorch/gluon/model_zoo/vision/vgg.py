"""VGG networks with 11, 13, 16 and 19 weight layers, with or without batch normalization.

Simonyan and Zisserman, `"Very Deep Convolutional Networks for Large-Scale Image
Recognition" <https://arxiv.org/abs/1409.1556>`_. Layers are created in MXNet's order under
MXNet's prefixes, so MXNet's published parameter files load unchanged.
"""
__all__ = ['VGG',
           'vgg11', 'vgg13', 'vgg16', 'vgg19',
           'vgg11_bn', 'vgg13_bn', 'vgg16_bn', 'vgg19_bn',
           'get_vgg']

from ....context import cpu
from ....initializer import Xavier
from ... import nn
from ...block import HybridBlock
from ..model_store import _load_pretrained


def _dense(units, **kwargs):
    """A fully connected layer initialised as in MXNet's VGG: normal weights, zero bias."""
    return nn.Dense(units, weight_initializer='normal', bias_initializer='zeros', **kwargs)


class VGG(HybridBlock):
    """VGG: five groups of 3x3 convolutions, each closed by 2x2 max pooling, then three
    fully connected layers (4096, 4096, ``classes``) with dropout 0.5 between them.

    Convolutions start from Xavier (Gaussian, fan-out, magnitude 2) weights and zero bias;
    the fully connected layers from normal weights and zero bias. The two hidden fully
    connected layers belong to ``features``; ``output`` is the classifier alone.

    Parameters
    ----------
    layers : list of int
        How many convolutions each group holds.
    filters : list of int
        Channels of each group's convolutions; as long as ``layers``.
    classes : int, default 1000
        Size of the classifier's output.
    batch_norm : bool, default False
        Put a batch norm after every convolution.
    """

    def __init__(self, layers, filters, classes=1000, batch_norm=False, **kwargs):
        super().__init__(**kwargs)
        assert len(layers) == len(filters), "layers and filters need one entry per group"
        with self.name_scope():
            self.features = self._make_features(layers, filters, batch_norm)
            for layer in (_dense(4096, activation='relu'), nn.Dropout(rate=0.5),
                          _dense(4096, activation='relu'), nn.Dropout(rate=0.5)):
                self.features.add(layer)
            self.output = _dense(classes)

    def _make_features(self, layers, filters, batch_norm):
        features = nn.HybridSequential(prefix='')
        for count, channels in zip(layers, filters):
            for _ in range(count):
                features.add(nn.Conv2D(channels, kernel_size=3, padding=1,
                                       weight_initializer=Xavier(rnd_type='gaussian', factor_type='out',
                                                                 magnitude=2),
                                       bias_initializer='zeros'))
                if batch_norm:
                    features.add(nn.BatchNorm())
                features.add(nn.Activation('relu'))
            features.add(nn.MaxPool2D(strides=2))
        return features

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


# depth -> (convolutions per group, channels per group)
vgg_spec = {11: ([1, 1, 2, 2, 2], [64, 128, 256, 512, 512]),
            13: ([2, 2, 2, 2, 2], [64, 128, 256, 512, 512]),
            16: ([2, 2, 3, 3, 3], [64, 128, 256, 512, 512]),
            19: ([2, 2, 4, 4, 4], [64, 128, 256, 512, 512])}


def get_vgg(num_layers, pretrained=False, ctx=cpu(),
            root=None, **kwargs):
    """Build a VGG network of the given depth.

    Parameters
    ----------
    num_layers : int
        Depth: 11, 13, 16 or 19.
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this depth (the ``_bn`` file when
        ``batch_norm=True`` is passed); downloaded on first use.
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default $MXNET_HOME/models
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`VGG` (``classes``, ``batch_norm``, ``prefix``...).
    """
    layers, filters = vgg_spec[num_layers]
    net = VGG(layers, filters, **kwargs)
    if pretrained:
        name = f"vgg{num_layers}{'_bn' if kwargs.get('batch_norm') else ''}"
        _load_pretrained(net, name, ctx, root)
    return net


def vgg11(**kwargs):
    """VGG-11 without batch normalization; see :func:`get_vgg`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`VGG` (``classes``, ``prefix``...).
    """
    return get_vgg(11, **kwargs)


def vgg13(**kwargs):
    """VGG-13 without batch normalization; see :func:`get_vgg`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`VGG` (``classes``, ``prefix``...).
    """
    return get_vgg(13, **kwargs)


def vgg16(**kwargs):
    """VGG-16 without batch normalization; see :func:`get_vgg`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`VGG` (``classes``, ``prefix``...).
    """
    return get_vgg(16, **kwargs)


def vgg19(**kwargs):
    """VGG-19 without batch normalization; see :func:`get_vgg`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`VGG` (``classes``, ``prefix``...).
    """
    return get_vgg(19, **kwargs)


def vgg11_bn(**kwargs):
    """VGG-11 with a batch norm after every convolution; see :func:`get_vgg`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`VGG` (``classes``, ``prefix``...).
    """
    kwargs['batch_norm'] = True
    return get_vgg(11, **kwargs)


def vgg13_bn(**kwargs):
    """VGG-13 with a batch norm after every convolution; see :func:`get_vgg`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`VGG` (``classes``, ``prefix``...).
    """
    kwargs['batch_norm'] = True
    return get_vgg(13, **kwargs)


def vgg16_bn(**kwargs):
    """VGG-16 with a batch norm after every convolution; see :func:`get_vgg`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`VGG` (``classes``, ``prefix``...).
    """
    kwargs['batch_norm'] = True
    return get_vgg(16, **kwargs)


def vgg19_bn(**kwargs):
    """VGG-19 with a batch norm after every convolution; see :func:`get_vgg`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`VGG` (``classes``, ``prefix``...).
    """
    kwargs['batch_norm'] = True
    return get_vgg(19, **kwargs)
