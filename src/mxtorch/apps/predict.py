"""Classify photos with a pretrained ImageNet network from the model zoo (the talk's second demo).

A client of the public API only: ``gluon.model_zoo.vision.get_model`` and
``gluon.data.vision.transforms``, with the evaluation transform MXNet's Gluon tutorials used:
``Resize(256, keep_ratio=True)`` (the shorter side to 256, bilinear), ``CenterCrop(224)``,
``ToTensor()``, ``Normalize`` with the ImageNet mean and std.
"""
from __future__ import annotations

import io
import pathlib
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence, Union

import numpy as np
from PIL import Image, ImageOps

import mxtorch as mx
from mxtorch import gluon, nd
from mxtorch.gluon.data.vision import transforms

from .imaging import to_8_bit

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_CLASSES_FILE = pathlib.Path(__file__).with_name("imagenet_classes.txt")

ImageSource = Union[str, pathlib.Path, bytes, Image.Image]


@dataclass
class Prediction:
    """The top-k classes for one image, or the reason it could not be classified."""

    image: str
    # (class id, label, probability), best first
    classes: list[tuple[int, str, float]] = field(default_factory=list)
    error: Optional[str] = None

    def to_dict(self) -> dict:
        """The JSON form ``mxtorch predict --json`` prints: ``predictions`` ranked from 1, or ``error``."""
        if self.error is not None:
            return {"image": self.image, "error": self.error}
        return {"image": self.image,
                "predictions": [{"rank": r, "class_id": c, "label": label, "probability": p}
                                for r, (c, label, p) in enumerate(self.classes, 1)]}


def imagenet_classes() -> list[str]:
    """The 1000 ImageNet class names, in the order of the model zoo's outputs."""
    return _CLASSES_FILE.read_text(encoding="utf-8").splitlines()


def load_image(source: ImageSource) -> Image.Image:
    """Decode an image as RGB with its EXIF orientation applied.

    Grayscale (8- or 16-bit) becomes three equal channels; a transparent background (an alpha
    channel, or a palette or grayscale image's transparent colour) becomes white.
    """
    if isinstance(source, Image.Image):
        img = source
    elif isinstance(source, bytes):
        img = Image.open(io.BytesIO(source))
    else:
        img = Image.open(source)
    img = to_8_bit(ImageOps.exif_transpose(img))
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return img.convert("RGB")


def evaluation_transform() -> transforms.Compose:
    """The ImageNet evaluation transform of MXNet's tutorials, from an (H, W, 3) uint8 image to a
    (3, 224, 224) float32 array: shorter side resized to 256 (bilinear, as ``transforms.Resize``
    and OpenCV's ``INTER_LINEAR``), centre crop 224x224, ToTensor, Normalize."""
    return transforms.Compose([transforms.Resize(256, keep_ratio=True), transforms.CenterCrop(224),
                               transforms.ToTensor(), transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD)])


def preprocess(img: Image.Image, transform: Optional[transforms.Compose] = None) -> nd.NDArray:
    """An RGB image as the network's (3, 224, 224) input, through :func:`evaluation_transform`."""
    hwc = nd.array(np.asarray(img, dtype=np.uint8), dtype="uint8")
    return (transform or evaluation_transform())(hwc)


def load_model(model: Union[str, gluon.Block] = "resnet50_v1", params: Optional[str] = None,
               ctx: Optional[mx.Context] = None) -> gluon.Block:
    """A model-zoo network by name: pretrained weights from the model store, or ``params``."""
    if isinstance(model, gluon.Block):
        return model
    ctx = ctx or mx.cpu()
    if params is None:
        return gluon.model_zoo.vision.get_model(model, pretrained=True, ctx=ctx)
    net = gluon.model_zoo.vision.get_model(model)
    net.load_parameters(str(params), ctx=ctx)
    return net


def _name(source: ImageSource, index: int) -> str:
    return str(source) if isinstance(source, (str, pathlib.Path)) else f"<image {index}>"


def unreadable(source: ImageSource) -> Optional[str]:
    """Why ``source`` cannot be an image (a missing file, an unknown format), or None.

    Reads only the header, so that every input is checked before a network is downloaded or
    loaded; a file whose body is damaged is still caught when it is decoded.
    """
    if isinstance(source, Image.Image):
        return None
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source):
            return None
    except Exception as err:  # Pillow raises many kinds: OSError, SyntaxError, DecompressionBombError
        return f"not a readable image: {err}"


def classify(images: Iterable[ImageSource], model: Union[str, gluon.Block] = "resnet50_v1",
             topk: int = 5, params: Optional[str] = None, ctx: Optional[mx.Context] = None,
             batch_size: int = 32, labels: Optional[Sequence[str]] = None) -> list[Prediction]:
    """Classify images; returns one :class:`Prediction` per image, in order.

    Every input is checked (header only) first: when none is readable, no network is loaded (nor
    downloaded). Images that cannot be decoded get a Prediction with ``error`` set; the rest are
    still classified.

    Parameters
    ----------
    images : iterable of path, bytes or PIL image
    model : str or Block, default 'resnet50_v1'
        A model-zoo name or a ready network.
    topk : int, default 5
    params : str, optional
        A parameter file to load instead of the pretrained weights.
    ctx : Context, default cpu()
    batch_size : int, default 32
        Images per forward pass.
    labels : list of str, optional
        Class names (default: the ImageNet classes).

    Returns
    -------
    list of Prediction
        One per image, in the order given.
    """
    sources = list(images)
    results = [Prediction(_name(source, index), error=unreadable(source))
               for index, source in enumerate(sources)]
    if all(pred.error for pred in results):  # nothing to classify: no model download or load
        return results
    ctx = ctx or mx.cpu()
    net = load_model(model, params, ctx)
    labels = list(labels) if labels is not None else imagenet_classes()
    transform = evaluation_transform()
    pending: list[tuple[Prediction, nd.NDArray]] = []  # waiting for a full batch

    def flush() -> None:
        batch = nd.stack(*[x for _, x in pending]).as_in_context(ctx)
        probs = nd.softmax(net(batch)).asnumpy()
        for (pred, _), row in zip(pending, probs):
            best = np.argsort(-row, kind="stable")[:topk]
            pred.classes = [(int(c), labels[c] if c < len(labels) else str(c), float(row[c]))
                            for c in best]
        pending.clear()

    for pred, source in zip(results, sources):
        if pred.error:
            continue
        try:
            img = load_image(source)
        except Exception as err:  # Pillow raises many kinds: OSError, SyntaxError, DecompressionBombError
            pred.error = f"not a readable image: {err}"
            continue
        pending.append((pred, preprocess(img, transform)))
        if len(pending) == batch_size:
            flush()
    if pending:
        flush()
    return results


def format_predictions(predictions: Sequence[Prediction]) -> str:
    """The text ``mxtorch predict`` prints: per image, the ranked classes with probabilities."""
    lines = []
    for pred in predictions:
        lines.append(pred.image)
        if pred.error is not None:
            lines.append(f"  error: {pred.error}")
            continue
        for rank, (class_id, label, prob) in enumerate(pred.classes, 1):
            lines.append(f"  {rank}. {label:<40s} {prob:.4f}  (class {class_id})")
    return "\n".join(lines)
