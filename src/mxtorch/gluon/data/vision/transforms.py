"""Image transforms for datasets: resizing, cropping, flipping, colour jitter, conversion.

Transforms are Blocks, as in MXNet: hybrid ones call the ``F.image.*`` operators of the operator
table, the others (crops with random or image-dependent geometry) call ``mx.image``.

ToTensor, Normalize and Cast also accept a batch, and say so through ``_batch_transform``: a
DataLoader over ``dataset.transform_first(transform)`` then applies them once per batch to the
gathered samples instead of once per sample (the result is the same).
"""
from __future__ import annotations

import itertools
import random
from typing import Any, Optional, Sequence

from .... import image
from ....base import numeric_types
from ....ndarray.ndarray import NDArray
from ...block import Block, HybridBlock
from ...nn import HybridSequential, Sequential

__all__ = ["Compose", "HybridCompose", "Cast", "ToTensor", "Normalize", "RandomResizedCrop",
           "CropResize", "CenterCrop", "Resize", "RandomFlipLeftRight", "RandomFlipTopBottom",
           "RandomBrightness", "RandomContrast", "RandomSaturation", "RandomHue",
           "RandomColorJitter", "RandomLighting", "RandomApply"]


def _batch_chain(blocks: Sequence[Any], x: NDArray) -> Optional[NDArray]:
    """Apply each block to a whole batch, or None when one of them cannot take batches."""
    for block in blocks:
        batch_transform = getattr(block, "_batch_transform", None)
        if batch_transform is None:
            return None
        x = batch_transform(x)
        if x is None:
            return None
    return x


class Compose(Sequential):
    """Chain transforms into one: each receives what the previous one returned.

    Runs of two or more consecutive HybridBlocks are gathered into one hybridized
    ``HybridSequential``, so they run as one graph; other transforms run one at a time.

    Parameters
    ----------
    transforms : list of Block
        The transforms, in the order they apply.

    Examples
    --------
    >>> import mxtorch as mx
    >>> import numpy as np
    >>> from mxtorch.gluon.data.vision import transforms
    >>> chain = transforms.Compose([transforms.Resize(300), transforms.CenterCrop(256),
    ...                             transforms.ToTensor()])
    >>> img = mx.nd.random.uniform(0, 255, (224, 224, 3)).astype(np.uint8)
    >>> chain(img).shape
    (3, 256, 256)
    """

    def __init__(self, transforms: Sequence[Block]):
        super().__init__()
        # consecutive hybrid transforms are grouped into one hybridized HybridSequential
        for is_hybrid, run in itertools.groupby(transforms, lambda b: isinstance(b, HybridBlock)):
            run = list(run)
            if not is_hybrid or len(run) == 1:
                self.add(*run)
                continue
            hblock = HybridSequential()
            hblock.add(*run)
            hblock.hybridize()
            self.add(hblock)

    def _batch_transform(self, x: NDArray) -> Optional[NDArray]:
        return _batch_chain(_leaves(self), x)


class HybridCompose(HybridSequential):
    """A :class:`Compose` made only of HybridBlocks, hybridized as a whole.

    This is MXNet 2.x's class, offered for code written against it; in MXNet 1.9.1 one
    composes with :class:`Compose`, which hybridizes runs of HybridBlocks by itself.

    Parameters
    ----------
    transforms : list of Block
        The transforms, in the order they apply; each must be a HybridBlock.

    Raises
    ------
    ValueError
        When one of ``transforms`` is not a HybridBlock.
    """

    def __init__(self, transforms: Sequence[HybridBlock]):
        super().__init__()
        for block in transforms:
            if not isinstance(block, HybridBlock):
                raise ValueError(f"{block} is not a HybridBlock, try use `Compose` instead")
            self.add(block)
        self.hybridize()

    def _batch_transform(self, x: NDArray) -> Optional[NDArray]:
        return _batch_chain(_leaves(self), x)


def _leaves(block: Block) -> list:
    """The transforms of a composition, with nested HybridSequentials flattened."""
    out = []
    for child in block._children.values():
        if type(child) in (HybridSequential, Sequential):
            out += _leaves(child)
        else:
            out.append(child)
    return out


class Cast(HybridBlock):
    """Convert the input to another data type, whatever its shape.

    Parameters
    ----------
    dtype : str, default 'float32'
        The type to convert to, as a name or a ``numpy.dtype``.
    """

    def __init__(self, dtype: Any = "float32"):
        super().__init__()
        self._dtype = dtype

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.cast(x, dtype=self._dtype)

    def _batch_transform(self, x: NDArray) -> Optional[NDArray]:
        return self(x)


class ToTensor(HybridBlock):
    """Turn uint8 images in ``HWC`` layout into float32 tensors in ``CHW`` layout, in ``[0, 1]``.

    Each value is divided by 255 and the channel axis moves to the front: ``(H, W, C)``
    becomes ``(C, H, W)`` and a batch ``(N, H, W, C)`` becomes ``(N, C, H, W)``.

    Examples
    --------
    >>> import mxtorch as mx
    >>> import numpy as np
    >>> from mxtorch.gluon.data.vision import transforms
    >>> img = mx.nd.random.uniform(0, 255, (4, 2, 3)).astype(np.uint8)
    >>> transforms.ToTensor()(img).shape
    (3, 4, 2)
    """

    def __init__(self):
        super().__init__()

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.image.to_tensor(x)

    def _batch_transform(self, x: NDArray) -> Optional[NDArray]:
        # samples are (H, W, C) exactly when their batch is 4-D
        return self(x) if x.ndim == 4 else None


class Normalize(HybridBlock):
    """Subtract a per-channel mean and divide by a per-channel standard deviation.

    Channel ``c`` of a ``(C, H, W)`` tensor (or of every image in an ``(N, C, H, W)`` batch)
    becomes ``(x[c] - mean[c]) / std[c]``; a scalar ``mean`` or ``std`` serves every channel.
    The output has the input's shape. Apply it after :class:`ToTensor`.

    Parameters
    ----------
    mean : float or tuple of floats
        One value per channel, or one for all.
    std : float or tuple of floats
        One value per channel, or one for all.
    """

    def __init__(self, mean: Any = 0.0, std: Any = 1.0):
        super().__init__()
        self._mean = mean
        self._std = std

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.image.normalize(x, mean=self._mean, std=self._std)

    def _batch_transform(self, x: NDArray) -> Optional[NDArray]:
        return self(x) if x.ndim == 4 else None


class RandomResizedCrop(Block):
    """Cut a random region out of an ``(H, W, C)`` image and resize it to ``size``.

    The region's area is drawn as a fraction of the image's area from ``scale`` and its
    aspect ratio from ``ratio`` (see :func:`mxtorch.image.random_size_crop`, which falls back
    to a centre crop when no drawn region fits); the result is ``size[1] x size[0] x C``.

    Parameters
    ----------
    size : int or tuple of (W, H)
        Output width and height; an int gives a square.
    scale : tuple of two floats
        Smallest and largest fraction of the image's area the region may cover.
    ratio : tuple of two floats
        Smallest and largest width/height ratio of the region.
    interpolation : int
        Resampling method, numbered as in OpenCV (1, bilinear, by default).
    """

    def __init__(self, size: Any, scale: tuple = (0.08, 1.0),
                 ratio: tuple = (3.0 / 4.0, 4.0 / 3.0), interpolation: int = 1):
        super().__init__()
        if isinstance(size, numeric_types):
            size = (size, size)
        self._args = (size, scale, ratio, interpolation)

    def forward(self, x: NDArray) -> NDArray:
        return image.random_size_crop(x, *self._args)[0]


class CropResize(HybridBlock):
    """Cut a fixed rectangle out of an image or a batch, optionally resizing it.

    Works on ``(H, W, C)`` images and ``(N, H, W, C)`` batches; without ``size`` the output
    is ``height x width``.

    Parameters
    ----------
    x : int
        Column of the rectangle's left edge.
    y : int
        Row of the rectangle's top edge.
    width : int
        Width of the rectangle.
    height : int
        Height of the rectangle.
    size : int or tuple of (w, h)
        If given, the size the cut is resized to (an int gives a square).
    interpolation : int, optional
        Resampling method for that resize, numbered as in OpenCV; bilinear when left out.

    Examples
    --------
    >>> import mxtorch as mx
    >>> import numpy as np
    >>> from mxtorch.gluon.data.vision import transforms
    >>> img = mx.nd.random.uniform(0, 255, (224, 224, 3)).astype(np.uint8)
    >>> transforms.CropResize(x=0, y=0, width=100, height=100)(img).shape
    (100, 100, 3)
    """

    def __init__(self, x: int, y: int, width: int, height: int, size: Any = None,
                 interpolation: Optional[int] = None):
        super().__init__()
        self._x = x
        self._y = y
        self._width = width
        self._height = height
        self._size = size
        self._interpolation = interpolation

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        out = F.image.crop(x, x=self._x, y=self._y, width=self._width, height=self._height)
        if self._size:
            interp = {} if self._interpolation is None else {"interp": self._interpolation}
            out = F.image.resize(out, size=self._size, keep_ratio=False, **interp)
        return out


class CenterCrop(Block):
    """Keep the central ``size`` region of an ``(H, W, C)`` image.

    An image smaller than ``size`` is scaled up first (see :func:`mxtorch.image.center_crop`).

    Parameters
    ----------
    size : int or tuple of (W, H)
        Output width and height; an int gives a square.
    interpolation : int
        Resampling method when scaling is needed, numbered as in OpenCV (1, bilinear).

    Examples
    --------
    >>> import mxtorch as mx
    >>> import numpy as np
    >>> from mxtorch.gluon.data.vision import transforms
    >>> img = mx.nd.random.uniform(0, 255, (600, 1200, 3)).astype(np.uint8)
    >>> transforms.CenterCrop(size=(1000, 500))(img).shape
    (500, 1000, 3)
    """

    def __init__(self, size: Any, interpolation: int = 1):
        super().__init__()
        if isinstance(size, numeric_types):
            size = (size, size)
        self._args = (size, interpolation)

    def forward(self, x: NDArray) -> NDArray:
        return image.center_crop(x, *self._args)[0]


class Resize(HybridBlock):
    """Scale an ``(H, W, C)`` image or an ``(N, H, W, C)`` batch to a new size.

    It works on ``HWC`` data, so it goes before :class:`ToTensor` in a chain.

    Parameters
    ----------
    size : int or tuple of (W, H)
        Output width and height. An int gives a square, unless ``keep_ratio`` is set.
    keep_ratio : bool
        With an int ``size``: scale the shorter edge to ``size`` and the other in proportion,
        instead of making both edges ``size``.
    interpolation : int
        Resampling method, numbered as in OpenCV (1, bilinear, by default).

    Examples
    --------
    >>> import mxtorch as mx
    >>> import numpy as np
    >>> from mxtorch.gluon.data.vision import transforms
    >>> img = mx.nd.random.uniform(0, 255, (224, 224, 3)).astype(np.uint8)
    >>> transforms.Resize(size=(1000, 500))(img).shape
    (500, 1000, 3)
    """

    def __init__(self, size: Any, keep_ratio: bool = False, interpolation: int = 1):
        super().__init__()
        self._keep = keep_ratio
        self._size = size
        self._interpolation = interpolation

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.image.resize(x, size=self._size, keep_ratio=self._keep,
                              interp=self._interpolation)


class RandomFlipLeftRight(HybridBlock):
    """Mirror an ``(H, W, C)`` image horizontally, half of the time."""

    def __init__(self):
        super().__init__()

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.image.random_flip_left_right(x)


class RandomFlipTopBottom(HybridBlock):
    """Mirror an ``(H, W, C)`` image vertically, half of the time."""

    def __init__(self):
        super().__init__()

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.image.random_flip_top_bottom(x)


class _RandomFactor(HybridBlock):
    """Jitter one property of the image with a factor drawn from [max(0, 1 - amount), 1 + amount]."""

    _op = ""

    def __init__(self, amount: float):
        super().__init__()
        self._args = (max(0, 1 - amount), 1 + amount)

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return getattr(F.image, self._op)(x, min_factor=self._args[0], max_factor=self._args[1])


class RandomBrightness(_RandomFactor):
    """Scale the brightness of an ``(H, W, C)`` image by a random factor.

    The factor is drawn uniformly from ``[max(0, 1 - brightness), 1 + brightness]`` on each call.

    Parameters
    ----------
    brightness: float
        Half the width of the factor's range around 1.
    """

    _op = "random_brightness"

    def __init__(self, brightness: float):
        super().__init__(brightness)


class RandomContrast(_RandomFactor):
    """Scale the contrast (distance from the mean grey) of an ``(H, W, C)`` image by a random factor.

    The factor is drawn uniformly from ``[max(0, 1 - contrast), 1 + contrast]`` on each call.

    Parameters
    ----------
    contrast: float
        Half the width of the factor's range around 1.
    """

    _op = "random_contrast"

    def __init__(self, contrast: float):
        super().__init__(contrast)


class RandomSaturation(_RandomFactor):
    """Scale the saturation (distance from the grey image) of an ``(H, W, C)`` image by a random factor.

    The factor is drawn uniformly from ``[max(0, 1 - saturation), 1 + saturation]`` on each call.

    Parameters
    ----------
    saturation: float
        Half the width of the factor's range around 1.
    """

    _op = "random_saturation"

    def __init__(self, saturation: float):
        super().__init__(saturation)


class RandomHue(_RandomFactor):
    """Rotate the hue of an ``(H, W, C)`` image by a random amount.

    The rotation, in turns of the colour wheel, is drawn from ``[max(0, 1 - hue), 1 + hue]``
    on each call, as in MXNet (so ``hue=0`` is a full turn: no change).

    Parameters
    ----------
    hue: float
        Half the width of the drawn range around 1.
    """

    _op = "random_hue"

    def __init__(self, hue: float):
        super().__init__(hue)


class RandomColorJitter(HybridBlock):
    """Jitter brightness, contrast, saturation and hue of an ``(H, W, C)`` image together.

    The four changes are applied in a random order. Brightness, contrast and saturation are
    scaled by factors drawn from ``[1 - f, 1 + f]`` and the hue is rotated by a draw from
    ``[-f, f]`` turns, ``f`` being the property's amount; an amount of 0 leaves that property
    alone.

    Parameters
    ----------
    brightness : float
        Amount for the brightness factor.
    contrast : float
        Amount for the contrast factor.
    saturation : float
        Amount for the saturation factor.
    hue : float
        Amount for the hue rotation.
    """

    def __init__(self, brightness: float = 0, contrast: float = 0, saturation: float = 0,
                 hue: float = 0):
        super().__init__()
        self._amounts = {"brightness": brightness, "contrast": contrast,
                         "saturation": saturation, "hue": hue}

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.image.random_color_jitter(x, **self._amounts)


class RandomLighting(HybridBlock):
    """Add AlexNet's PCA lighting noise to an ``(H, W, C)`` image.

    A random mix of the principal components of ImageNet's RGB values, with weights drawn
    from a normal distribution of standard deviation ``alpha``, is added to every pixel.

    Parameters
    ----------
    alpha : float
        Standard deviation of the component weights.
    """

    def __init__(self, alpha: float):
        super().__init__()
        self._alpha = alpha

    def hybrid_forward(self, F: Any, x: Any) -> Any:
        return F.image.random_lighting(x, alpha_std=self._alpha)


class RandomApply(Sequential):
    """Apply ``transforms`` with probability ``p``, otherwise return the input unchanged.

    Parameters
    ----------
    transforms
        The transform (a Block, possibly a :class:`Compose`) to apply.
    p : float
        Probability of applying it on each call.
    """

    def __init__(self, transforms: Block, p: float = 0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, x: Any) -> Any:
        if self.p < random.random():
            return x
        return self.transforms(x)
