"""DenseNet-BC with 121, 161, 169 and 201 layers, as in MXNet's model zoo.

Huang et al., `"Densely Connected Convolutional Networks"
<https://arxiv.org/pdf/1608.06993.pdf>`_: inside a dense block every layer's new feature
maps are concatenated to everything before them; transitions between blocks halve the
channels and the resolution. Layers are created in MXNet's order under MXNet's prefixes, so
MXNet's published parameter files load unchanged.
"""
__all__ = ['DenseNet', 'densenet121', 'densenet161', 'densenet169', 'densenet201']

from ....context import cpu
from ... import nn
from ...block import HybridBlock
from ...contrib.nn import HybridConcurrent, Identity
from ..model_store import _load_pretrained


def _sequential(prefix, layers):
    seq = nn.HybridSequential(prefix=prefix)
    for layer in layers:
        seq.add(layer)
    return seq


def _make_dense_block(num_layers, bn_size, growth_rate, dropout, stage_index):
    """A dense block: ``num_layers`` dense layers under the prefix ``stage{stage_index}_``."""
    block = nn.HybridSequential(prefix=f'stage{stage_index}_')
    with block.name_scope():
        for _ in range(num_layers):
            block.add(_make_dense_layer(growth_rate, bn_size, dropout))
    return block


def _make_dense_layer(growth_rate, bn_size, dropout):
    """One dense layer: the input, concatenated on channels with ``growth_rate`` new maps
    from BN-ReLU-1x1 conv (``bn_size * growth_rate`` wide)-BN-ReLU-3x3 conv (and dropout)."""
    branch = [nn.BatchNorm(), nn.Activation('relu'),
              nn.Conv2D(bn_size * growth_rate, kernel_size=1, use_bias=False),
              nn.BatchNorm(), nn.Activation('relu'),
              nn.Conv2D(growth_rate, kernel_size=3, padding=1, use_bias=False)]
    if dropout:
        branch.append(nn.Dropout(dropout))
    new_maps = _sequential('', branch)
    joined = HybridConcurrent(axis=1, prefix='')
    joined.add(Identity())
    joined.add(new_maps)
    return joined


def _make_transition(num_output_features):
    """Between dense blocks: BN, ReLU, a 1x1 convolution to ``num_output_features`` and
    2x2 average pooling."""
    return _sequential('', [nn.BatchNorm(), nn.Activation('relu'),
                            nn.Conv2D(num_output_features, kernel_size=1, use_bias=False),
                            nn.AvgPool2D(pool_size=2, strides=2)])


class DenseNet(HybridBlock):
    """DenseNet-BC: a 7x7 stem, dense blocks joined by halving transitions, and a classifier.

    The features end with BN, ReLU, 7x7 average pooling and flattening, so the network
    expects 224x224 inputs.

    Parameters
    ----------
    num_init_features : int
        Channels of the stem convolution.
    growth_rate : int
        New channels each dense layer adds (the paper's ``k``).
    block_config : list of int
        How many dense layers each block holds.
    bn_size : int, default 4
        Width of each dense layer's 1x1 bottleneck, in multiples of ``growth_rate``.
    dropout : float, default 0
        Dropout rate at the end of every dense layer (0: none).
    classes : int, default 1000
        Size of the classifier's output.
    """

    def __init__(self, num_init_features, growth_rate, block_config,
                 bn_size=4, dropout=0, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = _sequential('', [
                nn.Conv2D(num_init_features, kernel_size=7, strides=2, padding=3,
                          use_bias=False),
                nn.BatchNorm(), nn.Activation('relu'),
                nn.MaxPool2D(pool_size=3, strides=2, padding=1)])
            width = num_init_features
            last = len(block_config) - 1
            for index, count in enumerate(block_config):
                self.features.add(_make_dense_block(count, bn_size, growth_rate, dropout,
                                                    index + 1))
                width += count * growth_rate
                if index < last:
                    width //= 2
                    self.features.add(_make_transition(width))
            for layer in (nn.BatchNorm(), nn.Activation('relu'), nn.AvgPool2D(pool_size=7),
                          nn.Flatten()):
                self.features.add(layer)
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


# depth -> (stem channels, growth rate, dense layers per block)
densenet_spec = {121: (64, 32, [6, 12, 24, 16]),
                 161: (96, 48, [6, 12, 36, 24]),
                 169: (64, 32, [6, 12, 32, 32]),
                 201: (64, 32, [6, 12, 48, 32])}


def get_densenet(num_layers, pretrained=False, ctx=cpu(),
                 root=None, **kwargs):
    """Build a DenseNet-BC of the given depth.

    Parameters
    ----------
    num_layers : int
        Depth: 121, 161, 169 or 201.
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this depth (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default $MXNET_HOME/models
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`DenseNet` (``bn_size``, ``dropout``, ``classes``, ``prefix``...).
    """
    stem, growth, blocks = densenet_spec[num_layers]
    net = DenseNet(stem, growth, blocks, **kwargs)
    if pretrained:
        _load_pretrained(net, f'densenet{num_layers}', ctx, root)
    return net


def densenet121(**kwargs):
    """DenseNet-BC with 121 layers; see :func:`get_densenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`DenseNet` (``classes``, ``dropout``, ``prefix``...).
    """
    return get_densenet(121, **kwargs)


def densenet161(**kwargs):
    """DenseNet-BC with 161 layers; see :func:`get_densenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`DenseNet` (``classes``, ``dropout``, ``prefix``...).
    """
    return get_densenet(161, **kwargs)


def densenet169(**kwargs):
    """DenseNet-BC with 169 layers; see :func:`get_densenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`DenseNet` (``classes``, ``dropout``, ``prefix``...).
    """
    return get_densenet(169, **kwargs)


def densenet201(**kwargs):
    """DenseNet-BC with 201 layers; see :func:`get_densenet`.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published for this network (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`DenseNet` (``classes``, ``dropout``, ``prefix``...).
    """
    return get_densenet(201, **kwargs)
