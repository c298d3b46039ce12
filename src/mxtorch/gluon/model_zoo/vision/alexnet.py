"""AlexNet for MXNet's model zoo, in the single-tower form of Krizhevsky's
`"One weird trick for parallelizing convolutional neural networks"
<https://arxiv.org/abs/1404.5997>`_.

Layers are created in MXNet's order under MXNet's prefixes, so MXNet's published parameter
file loads unchanged.
"""
__all__ = ['AlexNet', 'alexnet']

from ....context import cpu
from ... import nn
from ...block import HybridBlock
from ..model_store import _load_pretrained

# (channels, kernel, stride, padding, max pooling after it) of the five convolutions
_CONVS = ((64, 11, 4, 2, True), (192, 5, 1, 2, True), (384, 3, 1, 1, False),
          (256, 3, 1, 1, False), (256, 3, 1, 1, True))


class AlexNet(HybridBlock):
    """AlexNet: five ReLU convolutions with three 3x3/2 max poolings, then two 4096-wide
    ReLU fully connected layers with dropout 0.5 and the classifier.

    It expects 224x224 inputs. The hidden fully connected layers belong to ``features``;
    ``output`` is the classifier alone.

    Parameters
    ----------
    classes : int, default 1000
        Size of the classifier's output.
    """

    def __init__(self, classes=1000, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.features = nn.HybridSequential(prefix='')
            with self.features.name_scope():
                for channels, kernel, stride, pad, pooled in _CONVS:
                    self.features.add(nn.Conv2D(channels, kernel_size=kernel, strides=stride,
                                                padding=pad, activation='relu'))
                    if pooled:
                        self.features.add(nn.MaxPool2D(pool_size=3, strides=2))
                self.features.add(nn.Flatten())
                for _ in range(2):
                    self.features.add(nn.Dense(4096, activation='relu'))
                    self.features.add(nn.Dropout(0.5))
            self.output = nn.Dense(classes)

    def hybrid_forward(self, F, x):
        return self.output(self.features(x))


def alexnet(pretrained=False, ctx=cpu(),
            root=None, **kwargs):
    """Build AlexNet.

    Parameters
    ----------
    pretrained : bool, default False
        Load the ImageNet weights MXNet published (downloaded on first use).
    ctx : Context, default CPU
        Where the loaded weights are placed.
    root : str, default $MXNET_HOME/models
        Folder that caches the downloaded parameter files.
    **kwargs
        Passed on to :class:`AlexNet` (``classes``, ``prefix``...).
    """
    net = AlexNet(**kwargs)
    if pretrained:
        _load_pretrained(net, 'alexnet', ctx, root)
    return net
