"""Inception v3 for MXNet's model zoo.

Szegedy et al., `"Rethinking the Inception Architecture for Computer Vision"
<http://arxiv.org/abs/1512.00567>`_. Each Inception module runs parallel branches of
convolutions (and a pooling) and concatenates them on channels; the modules are named
``A1_`` ... ``E2_`` as in MXNet, whose order and prefixes are kept so that MXNet's published
parameter files load unchanged.
"""
__all__ = ['Inception3', 'inception_v3']


from ....context import cpu
from ... import nn
from ...block import HybridBlock
from ...contrib.nn import HybridConcurrent
from ..model_store import _load_pretrained

_CONV_FIELDS = ('channels', 'kernel_size', 'strides', 'padding')


def _make_basic_conv(**kwargs):
    """Convolution without bias, batch norm (epsilon 1e-3) and ReLU; ``kwargs`` go to Conv2D."""
    unit = nn.HybridSequential(prefix='')
    for layer in (nn.Conv2D(use_bias=False, **kwargs), nn.BatchNorm(epsilon=0.001),
                  nn.Activation('relu')):
        unit.add(layer)
    return unit


def _make_branch(use_pool, *conv_settings):
    """One branch of a module: an optional pooling (``'avg'``: 3x3/1 padded, ``'max'``:
    3x3/2), then a basic convolution per ``(channels, kernel_size, strides, padding)`` tuple
    (``None`` leaves Conv2D's default)."""
    branch = nn.HybridSequential(prefix='')
    pooling = {'avg': lambda: nn.AvgPool2D(pool_size=3, strides=1, padding=1),
               'max': lambda: nn.MaxPool2D(pool_size=3, strides=2)}.get(use_pool)
    if pooling is not None:
        branch.add(pooling())
    for setting in conv_settings:
        branch.add(_make_basic_conv(**{field: value for field, value
                                       in zip(_CONV_FIELDS, setting) if value is not None}))
    return branch

def _make_A(pool_features, prefix):
    """Module A (35x35): 1x1, 5x5, double 3x3 and pooled 1x1 branches."""
    out = HybridConcurrent(axis=1, prefix=prefix)
    with out.name_scope():
        out.add(_make_branch(None,
                             (64, 1, None, None)))
        out.add(_make_branch(None,
                             (48, 1, None, None),
                             (64, 5, None, 2)))
        out.add(_make_branch(None,
                             (64, 1, None, None),
                             (96, 3, None, 1),
                             (96, 3, None, 1)))
        out.add(_make_branch('avg',
                             (pool_features, 1, None, None)))
    return out

def _make_B(prefix):
    """Grid reduction 35x35 -> 17x17: strided 3x3, strided double 3x3 and max pooling."""
    out = HybridConcurrent(axis=1, prefix=prefix)
    with out.name_scope():
        out.add(_make_branch(None,
                             (384, 3, 2, None)))
        out.add(_make_branch(None,
                             (64, 1, None, None),
                             (96, 3, None, 1),
                             (96, 3, 2, None)))
        out.add(_make_branch('max'))
    return out

def _make_C(channels_7x7, prefix):
    """Module C (17x17): 7x7 convolutions factored into 1x7 and 7x1 pairs."""
    out = HybridConcurrent(axis=1, prefix=prefix)
    with out.name_scope():
        out.add(_make_branch(None,
                             (192, 1, None, None)))
        out.add(_make_branch(None,
                             (channels_7x7, 1, None, None),
                             (channels_7x7, (1, 7), None, (0, 3)),
                             (192, (7, 1), None, (3, 0))))
        out.add(_make_branch(None,
                             (channels_7x7, 1, None, None),
                             (channels_7x7, (7, 1), None, (3, 0)),
                             (channels_7x7, (1, 7), None, (0, 3)),
                             (channels_7x7, (7, 1), None, (3, 0)),
                             (192, (1, 7), None, (0, 3))))
        out.add(_make_branch('avg',
                             (192, 1, None, None)))
    return out

def _make_D(prefix):
    """Grid reduction 17x17 -> 8x8."""
    out = HybridConcurrent(axis=1, prefix=prefix)
    with out.name_scope():
        out.add(_make_branch(None,
                             (192, 1, None, None),
                             (320, 3, 2, None)))
        out.add(_make_branch(None,
                             (192, 1, None, None),
                             (192, (1, 7), None, (0, 3)),
                             (192, (7, 1), None, (3, 0)),
                             (192, 3, 2, None)))
        out.add(_make_branch('max'))
    return out

def _make_E(prefix):
    """Module E (8x8): branches that split into parallel 1x3 and 3x1 convolutions."""
    out = HybridConcurrent(axis=1, prefix=prefix)
    with out.name_scope():
        out.add(_make_branch(None,
                             (320, 1, None, None)))

        branch_3x3 = nn.HybridSequential(prefix='')
        out.add(branch_3x3)
        branch_3x3.add(_make_branch(None,
                                    (384, 1, None, None)))
        branch_3x3_split = HybridConcurrent(axis=1, prefix='')
        branch_3x3_split.add(_make_branch(None,
                                          (384, (1, 3), None, (0, 1))))
        branch_3x3_split.add(_make_branch(None,
                                          (384, (3, 1), None, (1, 0))))
        branch_3x3.add(branch_3x3_split)

        branch_3x3dbl = nn.HybridSequential(prefix='')
        out.add(branch_3x3dbl)
        branch_3x3dbl.add(_make_branch(None,
                                       (448, 1, None, None),
                                       (384, 3, None, 1)))
        branch_3x3dbl_split = HybridConcurrent(axis=1, prefix='')
        branch_3x3dbl.add(branch_3x3dbl_split)
        branch_3x3dbl_split.add(_make_branch(None,
                                             (384, (1, 3), None, (0, 1))))
        branch_3x3dbl_split.add(_make_branch(None,
                                             (384, (3, 1), None, (1, 0))))

        out.add(_make_branch('avg',
                             (192, 1, None, None)))
    return out

def make_aux(classes):
    """The auxiliary classifier head of the paper (MXNet's Inception3 does not attach it)."""
    head = nn.HybridSequential(prefix='')
    for layer in (nn.AvgPool2D(pool_size=5, strides=3),
                  _make_basic_conv(channels=128, kernel_size=1),
                  _make_basic_conv(channels=768, kernel_size=5),
                  nn.Flatten(), nn.Dense(classes)):
        head.add(layer)
    return head


class Inception3(HybridBlock):
    """Inception v3: a convolutional stem, modules A1-A3, B, C1-C4, D, E1-E2, 8x8 average
    pooling, dropout 0.5 and a fully connected classifier.

    It expects 299x299 inputs; there is no auxiliary classifier.

    Parameters
    ----------
    classes : int, default 1000
        Size of the classifier's output.
    """

    def __init__(self, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix='')
            self.features.add(_make_basic_conv(channels=32, kernel_size=3, strides=2))
            self.features.add(_make_basic_conv(channels=32, kernel_size=3))
            self.features.add(_make_basic_conv(channels=64, kernel_size=3, padding=1))
            self.features.add(nn.MaxPool2D(pool_size=3, strides=2))
            self.features.add(_make_basic_conv(channels=80, kernel_size=1))
            self.features.add(_make_basic_conv(channels=192, kernel_size=3))
            self.features.add(nn.MaxPool2D(pool_size=3, strides=2))
            self.features.add(_make_A(32, 'A1_'))
            self.features.add(_make_A(64, 'A2_'))
            self.features.add(_make_A(64, 'A3_'))
            self.features.add(_make_B('B_'))
            self.features.add(_make_C(128, 'C1_'))
            self.features.add(_make_C(160, 'C2_'))
            self.features.add(_make_C(160, 'C3_'))
            self.features.add(_make_C(192, 'C4_'))
            self.features.add(_make_D('D_'))
            self.features.add(_make_E('E1_'))
            self.features.add(_make_E('E2_'))
            self.features.add(nn.AvgPool2D(pool_size=8))
            self.features.add(nn.Dropout(0.5))

            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def inception_v3(pretrained=False, ctx=cpu(),
                 root=None, **kwargs):
    """Build Inception v3.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default $MXNET_HOME/models
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`Inception3` (``classes``, ``prefix``...).
    """
    net = Inception3(**kwargs)
    if pretrained:
        _load_pretrained(net, 'inceptionv3', ctx, root)
    return net
