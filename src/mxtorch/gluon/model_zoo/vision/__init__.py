"""The image classification networks of MXNet's model zoo.

The families are `AlexNet`_, `DenseNet`_, `Inception V3`_, `ResNet V1`_, `ResNet V2`_,
`SqueezeNet`_, `VGG`_, `MobileNet`_ and `MobileNetV2`_, with MXNet's class names, constructor
functions, layer order and parameter prefixes. A constructor called plainly gives a network
with fresh (uninitialised) parameters; ``pretrained=True`` downloads and loads the ImageNet
weights MXNet publishes for it (see :mod:`mxtorch.gluon.model_zoo.model_store`).

Examples
--------
>>> import mxtorch as mx
>>> from mxtorch.gluon.model_zoo import vision
>>> net = vision.get_model('resnet18_v1', classes=10)
>>> net.initialize()
>>> net(mx.nd.zeros((1, 3, 224, 224))).shape
(1, 10)

Notes
-----
The published weights were trained on RGB images in ``(N, 3, H, W)`` layout with H and W of
at least 224 (299 for Inception v3), scaled to ``[0, 1]`` and then normalized per channel
with mean ``(0.485, 0.456, 0.406)`` and standard deviation ``(0.229, 0.224, 0.225)``, for
instance with ``mx.image.color_normalize`` or ``gluon.data.vision.transforms.Normalize``.

.. _AlexNet: https://arxiv.org/abs/1404.5997
.. _DenseNet: https://arxiv.org/abs/1608.06993
.. _Inception V3: http://arxiv.org/abs/1512.00567
.. _ResNet V1: https://arxiv.org/abs/1512.03385
.. _ResNet V2: https://arxiv.org/abs/1603.05027
.. _SqueezeNet: https://arxiv.org/abs/1602.07360
.. _VGG: https://arxiv.org/abs/1409.1556
.. _MobileNet: https://arxiv.org/abs/1704.04861
.. _MobileNetV2: https://arxiv.org/abs/1801.04381
"""

from .alexnet import *
from .densenet import *
from .inception import *
from .mobilenet import *
from .resnet import *
from .squeezenet import *
from .vgg import *


def get_model(name, **kwargs):
    """Build a zoo network from its name, such as ``'resnet50_v1'`` or ``'mobilenet0.25'``.

    The name is matched case-insensitively; the names are those of the published parameter
    files (``'squeezenet1.0'``, ``'inceptionv3'``, ``'mobilenetv2_0.5'``...).

    Parameters
    ----------
    name : str
        The network's zoo name.
    pretrained : bool
        Load the ImageNet weights MXNet published for it.
    classes : int
        Size of the classifier's output.
    ctx : Context, default CPU
        Where pretrained weights are placed.
    root : str, default '$MXNET_HOME/models'
        Folder that caches the downloaded parameter files.

    Returns
    -------
    gluon.HybridBlock
        The network.

    Raises
    ------
    ValueError
        When ``name`` is not a zoo network; the message lists those that are.
    """
    models = {'resnet18_v1': resnet18_v1,
              'resnet34_v1': resnet34_v1,
              'resnet50_v1': resnet50_v1,
              'resnet101_v1': resnet101_v1,
              'resnet152_v1': resnet152_v1,
              'resnet18_v2': resnet18_v2,
              'resnet34_v2': resnet34_v2,
              'resnet50_v2': resnet50_v2,
              'resnet101_v2': resnet101_v2,
              'resnet152_v2': resnet152_v2,
              'vgg11': vgg11,
              'vgg13': vgg13,
              'vgg16': vgg16,
              'vgg19': vgg19,
              'vgg11_bn': vgg11_bn,
              'vgg13_bn': vgg13_bn,
              'vgg16_bn': vgg16_bn,
              'vgg19_bn': vgg19_bn,
              'alexnet': alexnet,
              'densenet121': densenet121,
              'densenet161': densenet161,
              'densenet169': densenet169,
              'densenet201': densenet201,
              'squeezenet1.0': squeezenet1_0,
              'squeezenet1.1': squeezenet1_1,
              'inceptionv3': inception_v3,
              'mobilenet1.0': mobilenet1_0,
              'mobilenet0.75': mobilenet0_75,
              'mobilenet0.5': mobilenet0_5,
              'mobilenet0.25': mobilenet0_25,
              'mobilenetv2_1.0': mobilenet_v2_1_0,
              'mobilenetv2_0.75': mobilenet_v2_0_75,
              'mobilenetv2_0.5': mobilenet_v2_0_5,
              'mobilenetv2_0.25': mobilenet_v2_0_25
             }
    name = name.lower()
    if name not in models:
        choices = '\n\t'.join(sorted(models))
        raise ValueError(f'Model {name} is not supported. Available options are\n\t{choices}')
    return models[name](**kwargs)
