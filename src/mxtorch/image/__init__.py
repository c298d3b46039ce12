"""Image decoding, augmentation and the image iterators: ``mx.image`` (also ``mx.img``)."""
from . import detection, image
from . import detection as det
from .detection import *  # noqa: F403
from .image import *  # noqa: F403
from .image import __all__ as _image_all
from .detection import __all__ as _detection_all

__all__ = ["image", "detection", "det"] + list(_image_all) + list(_detection_all)
