"""Object detection augmenters and ImageDetIter (MXNet's ``mx.image.detection``).

A detection label is a float array laid out as MXNet's ``.lst``/RecordIO headers store it:
``[header_width, object_width, (extra header values...), obj0, obj1, ...]`` where every object is
``object_width`` numbers ``[class_id, xmin, ymin, xmax, ymax, (extra...)]`` with coordinates
relative to the image (0 to 1). The augmenters work on the parsed form: an array of
(objects, object_width).
"""
from __future__ import annotations

import json
import logging
import random
import warnings
from math import sqrt
from typing import Any, Iterator, Optional

import numpy as np

from .. import ndarray as nd
from ..base import numeric_types
from ..ndarray.ndarray import NDArray
from .image import (Augmenter, CastAug, ColorNormalizeAug, ForceResizeAug, ImageIter, ResizeAug,
                    _color_augmenters, _mean_std, _plain, copyMakeBorder, fixed_crop)

__all__ = ["DetAugmenter", "DetBorrowAug", "DetRandomSelectAug", "DetHorizontalFlipAug",
           "DetRandomCropAug", "DetRandomPadAug", "CreateMultiRandCropAugmenter",
           "CreateDetAugmenter", "ImageDetIter"]


class DetAugmenter:
    """Base class of the detection augmenters: called with an image (height, width, channels) and
    its objects (an array of (objects, object_width)), returns both, augmented together.

    Parameters
    ----------
    **kwargs
        The settings that describe the augmenter; :meth:`dumps` writes them out.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = {key: _plain(value) for key, value in kwargs.items()}

    def dumps(self) -> Any:
        """Describe the augmenter as a JSON string: ``[class name in lower case, settings]``."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple:
        raise NotImplementedError("Must override implementation.")


class DetBorrowAug(DetAugmenter):
    """Use a classification :class:`~mxtorch.image.Augmenter` that leaves the objects' relative
    coordinates unchanged (colour, cast, normalise, resizes of the whole image).

    Parameters
    ----------
    augmenter : mx.image.Augmenter
        The augmenter to apply to the image.
    """

    def __init__(self, augmenter: Augmenter) -> None:
        if not isinstance(augmenter, Augmenter):
            raise TypeError("Borrowing from invalid Augmenter")
        super().__init__(augmenter=augmenter.dumps())
        self.augmenter = augmenter

    def dumps(self) -> Any:
        """Describe this augmenter by the borrowed one."""
        return [self.__class__.__name__.lower(), self.augmenter.dumps()]

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple:
        return self.augmenter(src), label


class DetRandomSelectAug(DetAugmenter):
    """Apply one augmenter picked at random from a list, or, with probability ``skip_prob``,
    none.

    Parameters
    ----------
    aug_list : list of DetAugmenter
        The augmenters to choose from.
    skip_prob : float
        Probability of returning the input unchanged.
    """

    def __init__(self, aug_list: Any, skip_prob: float = 0) -> None:
        super().__init__(skip_prob=skip_prob)
        if not isinstance(aug_list, (list, tuple)):
            aug_list = [aug_list]
        for aug in aug_list:
            if not isinstance(aug, DetAugmenter):
                raise ValueError("Allow DetAugmenter in list only")
        if not aug_list:
            skip_prob = 1   # nothing to choose from
        self.aug_list = aug_list
        self.skip_prob = skip_prob

    def dumps(self) -> Any:
        """Describe this augmenter and, in a nested list, its choices."""
        return [self.__class__.__name__.lower(), [aug.dumps() for aug in self.aug_list]]

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple:
        if random.random() < self.skip_prob:
            return src, label
        random.shuffle(self.aug_list)
        return self.aug_list[0](src, label)


class DetHorizontalFlipAug(DetAugmenter):
    """Mirror image and boxes left to right with probability ``p``.

    Parameters
    ----------
    p : float
        Probability of flipping.
    """

    def __init__(self, p: float) -> None:
        super().__init__(p=p)
        self.p = p

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple:
        if random.random() < self.p:
            src = nd.flip(src, axis=1)
            self._flip_label(label)
        return src, label

    def _flip_label(self, label: np.ndarray) -> None:
        """Mirror the boxes in place: new xmin = 1 - old xmax, new xmax = 1 - old xmin."""
        old_xmin = label[:, 1].copy()
        label[:, 1] = 1.0 - label[:, 3]
        label[:, 3] = 1.0 - old_xmin


def _box_areas(boxes: np.ndarray) -> np.ndarray:
    """Areas of boxes given as columns (xmin, ymin, xmax, ymax, ...); inverted boxes count 0."""
    return np.maximum(0, boxes[:, 3] - boxes[:, 1]) * np.maximum(0, boxes[:, 2] - boxes[:, 0])


def _as_range(value: Any, what: str, owner: str) -> tuple:
    """A (low, high) pair from a pair or a single number (which fixes both ends)."""
    if isinstance(value, (tuple, list)):
        return tuple(value)
    assert isinstance(value, numeric_types)
    logging.info("Using fixed %s: %s in %s", what, value, owner)
    return (value, value)


def _proposal_shapes(aug: Any, min_area: float, max_area: float) -> Iterator[tuple]:
    """The random draws a crop or pad proposal starts from, one per attempt of
    ``aug.max_attempts``: ``(ratio, h, max_h)``, an aspect ratio from ``aug.aspect_ratio_range``
    and the heights at that ratio whose areas are ``min_area`` and ``max_area``. An attempt that
    draws a ratio of zero or less is spent without a proposal."""
    for _ in range(aug.max_attempts):
        ratio = random.uniform(*aug.aspect_ratio_range)
        if ratio > 0:
            yield ratio, int(round(sqrt(min_area / ratio))), int(round(sqrt(max_area / ratio)))


class DetRandomCropAug(DetAugmenter):
    """Crop a random region that keeps enough of the objects (SSD-style sampling).

    Parameters
    ----------
    min_object_covered : float, default=0.1
        Every object the crop overlaps must have more than this share of its area inside it.
    aspect_ratio_range : tuple of floats, default=(0.75, 1.33)
        Range of the crop's aspect ratio (width / height).
    area_range : tuple of floats, default=(0.05, 1.0)
        Range of the crop's share of the image area.
    min_eject_coverage : float, default=0.3
        Objects keeping this share of their area or less are dropped from the label.
    max_attempts : int, default=50
        Proposals tried before giving up and returning the input unchanged.
    """

    def __init__(self, min_object_covered: float = 0.1, aspect_ratio_range: Any = (0.75, 1.33),
                 area_range: Any = (0.05, 1.0), min_eject_coverage: float = 0.3,
                 max_attempts: int = 50) -> None:
        aspect_ratio_range = _as_range(aspect_ratio_range, "aspect ratio", "DetRandomCropAug")
        area_range = _as_range(area_range, "area range", "DetRandomCropAug")
        super().__init__(min_object_covered=min_object_covered,
                         aspect_ratio_range=aspect_ratio_range, area_range=area_range,
                         min_eject_coverage=min_eject_coverage, max_attempts=max_attempts)
        self.min_object_covered = min_object_covered
        self.min_eject_coverage = min_eject_coverage
        self.max_attempts = max_attempts
        self.aspect_ratio_range = aspect_ratio_range
        self.area_range = area_range
        self.enabled = False
        if area_range[1] <= 0 or area_range[0] > area_range[1]:
            warnings.warn(f"Skip DetRandomCropAug due to invalid area_range: {area_range}")
        elif aspect_ratio_range[0] > aspect_ratio_range[1] or aspect_ratio_range[0] <= 0:
            warnings.warn("Skip DetRandomCropAug due to invalid aspect_ratio_range: "
                          f"{aspect_ratio_range}")
        else:
            self.enabled = True

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple:
        crop = self._random_crop_proposal(label, src.shape[0], src.shape[1])
        if crop:
            x, y, w, h, label = crop
            src = fixed_crop(src, x, y, w, h, None)
        return src, label

    def _satisfies(self, label: np.ndarray, xmin: int, ymin: int, xmax: int, ymax: int,
                   width: int, height: int) -> bool:
        """Whether the crop box (in pixels) covers enough of every object it touches."""
        if (xmax - xmin) * (ymax - ymin) < 2:
            return False
        boxes = label[:, 1:]
        areas = _box_areas(boxes)
        valid = np.where(areas * width * height > 2)[0]
        if valid.size < 1:
            return False
        kept = boxes[valid]
        left = np.maximum(kept[:, 0], xmin / width)
        right = np.minimum(kept[:, 2], xmax / width)
        top = np.maximum(kept[:, 1], ymin / height)
        bottom = np.minimum(kept[:, 3], ymax / height)
        inter = np.where((left >= right) | (top >= bottom), 0.0, (right - left) * (bottom - top))
        coverages = inter / areas[valid]
        coverages = coverages[coverages > 0]
        return coverages.size > 0 and np.amin(coverages) > self.min_object_covered

    def _update_labels(self, label: np.ndarray, crop_box: tuple, height: int,
                       width: int) -> Optional[np.ndarray]:
        """The objects in the crop's coordinates, without those mostly cut away (None if none
        is left)."""
        xmin, ymin = crop_box[0] / width, crop_box[1] / height
        w, h = crop_box[2] / width, crop_box[3] / height
        out = label.copy()
        out[:, (1, 3)] = (out[:, (1, 3)] - xmin) / w
        out[:, (2, 4)] = (out[:, (2, 4)] - ymin) / h
        out[:, 1:5] = np.clip(out[:, 1:5], 0, 1)
        coverage = _box_areas(out[:, 1:]) * w * h / _box_areas(label[:, 1:])
        valid = (out[:, 3] > out[:, 1]) & (out[:, 4] > out[:, 2]) & (coverage > self.min_eject_coverage)
        if not valid.any():
            return None
        return out[valid]

    def _random_crop_proposal(self, label: np.ndarray, height: int, width: int) -> tuple:
        """Try up to ``max_attempts`` crops; returns (x, y, w, h, new label) or ()."""
        if not self.enabled or height <= 0 or width <= 0:
            return ()
        min_area, max_area = (bound * height * width for bound in self.area_range)
        for ratio, h, max_h in _proposal_shapes(self, min_area, max_area):
            if round(max_h * ratio) > width:
                max_h = int((width + 0.4999999) / ratio)   # the tallest crop that fits the width
            max_h = min(max_h, height)
            h = min(h, max_h)
            if h < max_h:
                h = random.randint(h, max_h)
            w = int(round(h * ratio))
            area = w * h
            if area < min_area:
                h += 1
                w = int(round(h * ratio))
                area = w * h
            if area > max_area:
                h -= 1
                w = int(round(h * ratio))
                area = w * h
            if not (min_area <= area <= max_area and 0 <= w <= width and 0 <= h <= height):
                continue
            y = random.randint(0, max(0, height - h))
            x = random.randint(0, max(0, width - w))
            if self._satisfies(label, x, y, x + w, y + h, width, height):
                new_label = self._update_labels(label, (x, y, w, h), height, width)
                if new_label is not None:
                    return (x, y, w, h, new_label)
        return ()


class DetRandomPadAug(DetAugmenter):
    """Place the image at a random spot of a larger canvas filled with ``pad_val`` (zoom out).

    Parameters
    ----------
    aspect_ratio_range : tuple of floats, default=(0.75, 1.33)
        Range of the canvas aspect ratio (width / height).
    area_range : tuple of floats, default=(1.0, 3.0)
        Range of the canvas area relative to the image's; the upper end must exceed 1.
    max_attempts : int, default=50
        Proposals tried before giving up and returning the input unchanged.
    pad_val : float or tuple of float, default=(128, 128, 128)
        The canvas colour.
    """

    def __init__(self, aspect_ratio_range: Any = (0.75, 1.33), area_range: Any = (1.0, 3.0),
                 max_attempts: int = 50, pad_val: Any = (128, 128, 128)) -> None:
        if not isinstance(pad_val, (list, tuple)):
            assert isinstance(pad_val, numeric_types)
        aspect_ratio_range = _as_range(aspect_ratio_range, "aspect ratio", "DetRandomPadAug")
        area_range = _as_range(area_range, "area range", "DetRandomPadAug")
        super().__init__(aspect_ratio_range=aspect_ratio_range, area_range=area_range,
                         max_attempts=max_attempts, pad_val=pad_val)
        self.pad_val = pad_val
        self.aspect_ratio_range = aspect_ratio_range
        self.area_range = area_range
        self.max_attempts = max_attempts
        self.enabled = False
        if area_range[1] <= 1.0 or area_range[0] > area_range[1]:
            warnings.warn(f"Skip DetRandomPadAug due to invalid parameters: {area_range}")
        elif aspect_ratio_range[0] <= 0 or aspect_ratio_range[0] > aspect_ratio_range[1]:
            warnings.warn("Skip DetRandomPadAug due to invalid aspect_ratio_range: "
                          f"{aspect_ratio_range}")
        else:
            self.enabled = True

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple:
        height, width, _ = src.shape
        pad = self._random_pad_proposal(label, height, width)
        if pad:
            x, y, w, h, label = pad
            fill = self.pad_val if isinstance(self.pad_val, (list, tuple)) else (self.pad_val,) * 3
            src = copyMakeBorder(src, y, h - y - height, x, w - x - width, 16, values=fill)
        return src, label

    def _update_labels(self, label: np.ndarray, pad_box: tuple, height: int,
                       width: int) -> np.ndarray:
        """The objects in the canvas's coordinates."""
        out = label.copy()
        out[:, (1, 3)] = (out[:, (1, 3)] * width + pad_box[0]) / pad_box[2]
        out[:, (2, 4)] = (out[:, (2, 4)] * height + pad_box[1]) / pad_box[3]
        return out

    def _random_pad_proposal(self, label: np.ndarray, height: int, width: int) -> tuple:
        """Try up to ``max_attempts`` canvases; returns (x, y, w, h, new label) or ()."""
        if not self.enabled or height <= 0 or width <= 0:
            return ()
        min_area, max_area = (bound * height * width for bound in self.area_range)
        for ratio, h, max_h in _proposal_shapes(self, min_area, max_area):
            if round(h * ratio) < width:
                h = int((width + 0.499999) / ratio)   # the canvas must be as wide as the image
            h = max(h, height)
            h = min(h, max_h)
            if h < max_h:
                h = random.randint(h, max_h)
            w = int(round(h * ratio))
            if (h - height) < 2 or (w - width) < 2:
                continue   # a border of a pixel or two is not worth it
            y = random.randint(0, max(0, h - height))
            x = random.randint(0, max(0, w - width))
            return (x, y, w, h, self._update_labels(label, (x, y, w, h), height, width))
        return ()


def CreateMultiRandCropAugmenter(min_object_covered: Any = 0.1,  # noqa: N802
                                 aspect_ratio_range: Any = (0.75, 1.33),
                                 area_range: Any = (0.05, 1.0), min_eject_coverage: Any = 0.3,
                                 max_attempts: Any = 50, skip_prob: float = 0) -> DetRandomSelectAug:
    """Several :class:`DetRandomCropAug` with different settings, one picked at random per image.

    Every argument is a value shared by all the crops or a list with one value per crop (lists
    must have the same length, or length 1).

    Parameters
    ----------
    min_object_covered, aspect_ratio_range, area_range, min_eject_coverage, max_attempts
        As for :class:`DetRandomCropAug`.
    skip_prob : float
        Probability of applying no crop.

    Returns
    -------
    DetRandomSelectAug
    """
    columns = [p if isinstance(p, list) else [p] for p in
               (min_object_covered, aspect_ratio_range, area_range, min_eject_coverage, max_attempts)]
    count = max(len(c) for c in columns)
    for k, column in enumerate(columns):
        if len(column) != count:
            assert len(column) == 1
            columns[k] = column * count
    augs = [DetRandomCropAug(min_object_covered=moc, aspect_ratio_range=arr, area_range=ar,
                             min_eject_coverage=mec, max_attempts=ma)
            for moc, arr, ar, mec, ma in zip(*columns)]
    return DetRandomSelectAug(augs, skip_prob=skip_prob)


def CreateDetAugmenter(data_shape: tuple, resize: int = 0, rand_crop: float = 0,  # noqa: N802
                       rand_pad: float = 0, rand_gray: float = 0, rand_mirror: bool = False,
                       mean: Any = None, std: Any = None, brightness: float = 0,
                       contrast: float = 0, saturation: float = 0, pca_noise: float = 0,
                       hue: float = 0, inter_method: int = 2, min_object_covered: Any = 0.1,
                       aspect_ratio_range: Any = (0.75, 1.33), area_range: Any = (0.05, 3.0),
                       min_eject_coverage: Any = 0.3, max_attempts: Any = 50,
                       pad_val: Any = (127, 127, 127)) -> list:
    """Build the augmenter list of a detection pipeline.

    In order: resize the shorter edge (``resize > 0``), random crop with probability
    ``rand_crop``, mirror, random pad (zoom out) with probability ``rand_pad``, force-resize to
    ``data_shape``, cast to float32, colour and lighting jitter, grey, normalise.

    Parameters
    ----------
    data_shape : tuple of int
        Output shape (channels, height, width).
    resize : int
        When positive, first resize the shorter edge to this length.
    rand_crop, rand_pad, rand_gray : float
        Probabilities of a random crop, a random pad and turning grey.
    rand_mirror : bool
        Mirror with probability 0.5.
    mean, std : np.ndarray, True or None
        Per-channel normalisation (True: ImageNet's values).
    brightness, contrast, saturation, hue, pca_noise : float
        Colour and lighting jitter, as for :func:`~mxtorch.image.CreateAugmenter`.
    inter_method : int, default=2
        Interpolation method of every resize.
    min_object_covered, aspect_ratio_range, area_range, min_eject_coverage, max_attempts
        The crops' settings (see :func:`CreateMultiRandCropAugmenter`); ``aspect_ratio_range``,
        the upper end of ``area_range`` and ``max_attempts`` also set the padding.
    pad_val : float or tuple
        Canvas colour of the padding.

    Returns
    -------
    list of DetAugmenter
    """
    augs: list = []
    if resize > 0:
        augs.append(DetBorrowAug(ResizeAug(resize, inter_method)))
    if rand_crop > 0:
        augs.append(CreateMultiRandCropAugmenter(min_object_covered, aspect_ratio_range,
                                                 area_range, min_eject_coverage, max_attempts,
                                                 skip_prob=(1 - rand_crop)))
    if rand_mirror > 0:
        augs.append(DetHorizontalFlipAug(0.5))
    if rand_pad > 0:
        pad_aug = DetRandomPadAug(aspect_ratio_range, (1.0, area_range[1]), max_attempts, pad_val)
        augs.append(DetRandomSelectAug([pad_aug], 1 - rand_pad))
    augs.append(DetBorrowAug(ForceResizeAug((data_shape[2], data_shape[1]), inter_method)))
    augs.append(DetBorrowAug(CastAug()))
    augs.extend(DetBorrowAug(aug) for aug in
                _color_augmenters(brightness, contrast, saturation, hue, pca_noise, rand_gray))
    mean, std = _mean_std(mean, std, np.array)
    if mean is not None or std is not None:
        augs.append(DetBorrowAug(ColorNormalizeAug(mean, std)))
    return augs


class ImageDetIter(ImageIter):
    """An image iterator for object detection: like :class:`~mxtorch.image.ImageIter`, with
    labels of many objects that the augmenters move along with the image.

    Each label is parsed from MXNet's detection layout (see the module description); the batch
    label has shape (batch_size, objects, object_width), rows past an image's objects filled with
    -1. The number of object rows is the largest count in the data set, found by one pass over
    the labels at construction.

    Parameters
    ----------
    batch_size : int
        Number of images in a batch.
    data_shape : tuple
        Shape of one image (3, height, width).
    path_imgrec, path_imglist, path_root, path_imgidx, imglist, shuffle, part_index, num_parts
        As for :class:`~mxtorch.image.ImageIter`.
    aug_list : list of DetAugmenter
        The augmenters; by default ``CreateDetAugmenter(data_shape, **kwargs)``.
    data_name : str
        Name of the data in ``provide_data``.
    label_name : str
        Name of the label in ``provide_label``.
    last_batch_handle : str, optional
        'pad' (default), 'discard' or 'roll_over', as for ImageIter.
    kwargs : ...
        Arguments for :func:`CreateDetAugmenter`.
    """

    def __init__(self, batch_size: int, data_shape: tuple, path_imgrec: Optional[str] = None,
                 path_imglist: Optional[str] = None, path_root: Optional[str] = None,
                 path_imgidx: Optional[str] = None, shuffle: bool = False, part_index: int = 0,
                 num_parts: int = 1, aug_list: Optional[list] = None,
                 imglist: Optional[list] = None, data_name: str = "data",
                 label_name: str = "label", last_batch_handle: str = "pad", **kwargs: Any) -> None:
        super().__init__(batch_size=batch_size, data_shape=data_shape, path_imgrec=path_imgrec,
                         path_imglist=path_imglist, path_root=path_root, path_imgidx=path_imgidx,
                         shuffle=shuffle, part_index=part_index, num_parts=num_parts,
                         aug_list=[], imglist=imglist, data_name=data_name,
                         label_name=label_name, last_batch_handle=last_batch_handle)
        self.auglist = CreateDetAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        label_shape = self._estimate_label_shape()
        self.provide_label = [(label_name, (self.batch_size, label_shape[0], label_shape[1]))]
        self.label_shape = label_shape

    def _check_valid_label(self, label: np.ndarray) -> None:
        """Raise RuntimeError unless ``label`` is (objects, 5+) with at least one valid box."""
        if len(label.shape) != 2 or label.shape[1] < 5:
            raise RuntimeError(f"Label with shape (1+, 5+) required, {label} received.")
        valid = (label[:, 0] >= 0) & (label[:, 3] > label[:, 1]) & (label[:, 4] > label[:, 2])
        if not valid.any():
            raise RuntimeError("Invalid label occurs.")

    def _estimate_label_shape(self) -> tuple:
        """(largest object count, object width) over the whole data set."""
        max_count = 0
        width = 0
        self.reset()
        try:
            while True:
                label, _ = self.next_sample()
                label = self._parse_label(label)
                max_count = max(max_count, label.shape[0])
                width = label.shape[1]
        except StopIteration:
            pass
        self.reset()
        return (max_count, width)

    def _parse_label(self, label: Any) -> np.ndarray:
        """The valid objects of a raw label, as an array of (objects, object_width)."""
        if isinstance(label, NDArray):
            label = label.asnumpy()
        raw = np.asarray(label, dtype=np.float32).ravel()
        if raw.size < 7:
            raise RuntimeError("Label shape is invalid: " + str(raw.shape))
        header_width = int(raw[0])
        obj_width = int(raw[1])
        if header_width < 2 or obj_width < 5 or header_width > raw.size:
            raise RuntimeError(f"Label header width {header_width} and object width {obj_width} "
                               "are invalid (need at least 2 and 5, within the label)")
        if (raw.size - header_width) % obj_width != 0:
            raise RuntimeError(f"Label shape {raw.shape} inconsistent with annotation width "
                               f"{obj_width}.")
        out = raw[header_width:].reshape(-1, obj_width)
        valid = (out[:, 3] > out[:, 1]) & (out[:, 4] > out[:, 2])
        if not valid.any():
            raise RuntimeError("Encounter sample with no valid label.")
        return out[valid]

    def reshape(self, data_shape: Optional[tuple] = None,
                label_shape: Optional[tuple] = None) -> None:
        """Change the output data shape and/or label shape (objects, object_width)."""
        if data_shape is not None:
            self.check_data_shape(data_shape)
            self.provide_data = [(self.provide_data[0][0], (self.batch_size,) + tuple(data_shape))]
            self.data_shape = tuple(data_shape)
        if label_shape is not None:
            self.check_label_shape(label_shape)
            self.provide_label = [(self.provide_label[0][0],
                                   (self.batch_size,) + tuple(label_shape))]
            self.label_shape = tuple(label_shape)

    def _batchify(self, batch_data: NDArray, batch_label: NDArray, start: int = 0) -> int:
        i = start
        try:
            while i < self.batch_size:
                label, encoded = self.next_sample()
                data = self.imdecode(encoded)
                try:
                    self.check_valid_image([data])
                    label = self._parse_label(label)
                    data, label = self.augmentation_transform(data, label)
                    self._check_valid_label(label)
                except RuntimeError as err:
                    logging.debug("Invalid image, skipping:  %s", err)
                    continue
                batch_data[i] = self.postprocess_data(data)
                rows = np.full(batch_label.shape[1:], -1.0, dtype=np.float32)
                count = min(label.shape[0], rows.shape[0])
                rows[:count] = label[:count]
                batch_label[i] = nd.array(rows)
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def _empty_label(self) -> NDArray:
        """A batch label with no objects yet: every row -1."""
        return nd.full(self.provide_label[0][1], -1.0)

    def augmentation_transform(self, data: NDArray, label: np.ndarray) -> tuple:  # type: ignore[override]
        """Apply the detection augmenters in turn to image and objects."""
        for aug in self.auglist:
            data, label = aug(data, label)
        return data, label

    def check_label_shape(self, label_shape: tuple) -> None:
        """Check a new label shape: two dimensions, no fewer objects, the same object width."""
        if not len(label_shape) == 2:
            raise ValueError("label_shape should have length 2")
        if label_shape[0] < self.label_shape[0]:
            raise ValueError(f"Attempts to reduce label count from {self.label_shape[0]} to "
                             f"{label_shape[0]}, not allowed.")
        if label_shape[1] != self.provide_label[0][1][2]:
            raise ValueError("label_shape object width inconsistent: "
                             f"{self.provide_label[0][1][2]} vs {label_shape[1]}.")

    def sync_label_shape(self, it: "ImageDetIter", verbose: bool = False) -> "ImageDetIter":
        """Give this iterator and ``it`` the same label shape (the larger object count), so that
        training and validation batches have one shape. Returns ``it``."""
        assert isinstance(it, ImageDetIter), "Synchronize with invalid iterator."
        mine, theirs = self.label_shape, it.label_shape
        assert mine[1] == theirs[1], "object width mismatch."
        max_count = max(mine[0], theirs[0])
        if max_count > mine[0]:
            self.reshape(None, (max_count, mine[1]))
        if max_count > theirs[0]:
            it.reshape(None, (max_count, theirs[1]))
        if verbose and max_count > min(mine[0], theirs[0]):
            logging.info("Resized label_shape to (%d, %d).", max_count, mine[1])
        return it
