"""``mx.io.ImageDetRecordIter``: object detection images and their boxes from a RecordIO file,
through the threaded pipeline of :class:`~mxtorch.io.ImageRecordIter` with MXNet 1.9.1's
default detection augmentation (``det_aug_default``) in place of the classification one.

A record's label is a detection label as MXNet packs it: ``[header_width, object_width, extra
header values..., (class, xmin, ymin, xmax, ymax, extra...) per object]``, coordinates relative
to the image. The augmentation moves the boxes with the pixels (mirror, pad, crop), drops the
boxes a crop leaves out, and each batch row of the label is ``[channels, height, width,
label_length, label..., label_pad_value...]``: the size of the image written into the row (it is
smaller than ``data_shape`` in the ``shrink`` and ``fit`` resize modes, the rest of the row being
zero before normalisation) and the augmented label.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np
import torch

from ..base import MXNetError, parse_literal
from .file_iters import ignore_unknown
from .image_record import (_DTYPES, ImageRecordIter, _check_part, _hsl_shift, _load_mean_img,
                           _read_label_map, _RecordStream, _resize, _resize_short)

__all__ = ["ImageDetRecordIter"]

# accepted for MXNet compatibility; they tune MXNet's own engine and change no output here
_IGNORED = ("verbose", "ctx", "device_id", "shuffle_chunk_size", "shuffle_chunk_seed")
_SAMPLER_FIELDS = ("min_crop_scales", "max_crop_scales", "min_crop_aspect_ratios",
                   "max_crop_aspect_ratios", "min_crop_overlaps", "max_crop_overlaps",
                   "min_crop_sample_coverages", "max_crop_sample_coverages",
                   "min_crop_object_coverages", "max_crop_object_coverages", "max_crop_trials")
_RESIZE_MODES = ("force", "shrink", "fit")
_EMIT_MODES = ("center", "overlap")


class _DetSettings:
    """The detection augmentation and normalisation settings of one iterator, checked once."""

    def __init__(self, kw: dict) -> None:
        try:
            self.data_shape = tuple(int(v) for v in parse_literal(kw["data_shape"]))
        except (TypeError, ValueError):
            self.data_shape = ()
        if len(self.data_shape) != 3 or self.data_shape[0] not in (1, 3, 4) \
                or min(self.data_shape) <= 0:
            raise MXNetError(f"ImageDetRecordIter: data_shape must be (channels, height, width) "
                             f"with 1, 3 or 4 channels, got {kw['data_shape']}")
        for name in ("resize", "inter_method", "num_crop_sampler", "max_random_hue",
                     "max_random_saturation", "max_random_illumination", "fill_value"):
            setattr(self, name, int(kw[name]))
        for name in ("rand_crop_prob", "emit_overlap_thresh", "rand_pad_prob", "max_pad_scale",
                     "random_hue_prob", "random_saturation_prob", "random_illumination_prob",
                     "max_random_contrast", "random_contrast_prob", "rand_mirror_prob", "scale"):
            setattr(self, name, float(kw[name]))
        if not (1 <= self.inter_method <= 4 or self.inter_method in (9, 10)):
            raise MXNetError(f"ImageDetRecordIter: inter_method must be 1, 2, 3, 4, 9 or 10, got "
                             f"{self.inter_method}")
        for name, choices in (("resize_mode", _RESIZE_MODES), ("crop_emit_mode", _EMIT_MODES)):
            if kw[name] not in choices:
                raise MXNetError(f"ImageDetRecordIter: {name} must be one of {choices}, got "
                                 f"{kw[name]!r}")
            setattr(self, name, kw[name])
        if self.emit_overlap_thresh < 0:
            raise MXNetError(f"ImageDetRecordIter: emit_overlap_thresh must not be negative, got "
                             f"{self.emit_overlap_thresh}")
        self.samplers = self._samplers(kw)
        channels = self.data_shape[0]
        mean = [float(kw[f"mean_{c}"]) for c in "rgba"]
        std = [float(kw[f"std_{c}"]) for c in "rgba"]
        mean, std = (mean[:1], std[:1]) if channels == 1 else (mean[:channels], std[:channels])
        # as MXNet: the means count when one of them is positive, a std only when positive
        self.mean: Optional[torch.Tensor] = None
        if any(v > 0 for v in mean):
            self.mean = torch.tensor(mean, dtype=torch.float32).reshape(-1, 1, 1)
        elif kw["mean_img"]:
            self.mean = _load_mean_img(kw["mean_img"], self.data_shape)
        self.std = torch.tensor([v if v > 0 else 1.0 for v in std],
                                dtype=torch.float32).reshape(-1, 1, 1)

    def _samplers(self, kw: dict) -> list:
        """One dict of crop constraints per crop sampler (a single value serves them all)."""
        count = self.num_crop_sampler
        if count <= 0:
            return []
        values = {}
        for name in _SAMPLER_FIELDS:
            given = parse_literal(kw[name])
            seq = [given] if np.isscalar(given) else list(given)
            if len(seq) == 1:
                seq = seq * count
            if len(seq) != count:
                raise MXNetError(f"ImageDetRecordIter: {name} has {len(seq)} values for "
                                 f"num_crop_sampler={count} samplers (give one or {count})")
            try:
                values[name] = [int(v) if name == "max_crop_trials" else float(v) for v in seq]
            except (TypeError, ValueError):
                raise MXNetError(f"ImageDetRecordIter: {name} must be a number or a tuple of "
                                 f"numbers, got {kw[name]!r}") from None
        samplers = [{name[:-1]: values[name][i] for name in _SAMPLER_FIELDS} for i in range(count)]
        for i, smp in enumerate(samplers):
            bad = []
            if smp["min_crop_scale"] < 0 or smp["max_crop_scale"] > 1 \
                    or smp["max_crop_scale"] <= smp["min_crop_scale"]:
                bad.append("0 <= min_crop_scales < max_crop_scales <= 1")
            if smp["min_crop_aspect_ratio"] < 0 \
                    or smp["max_crop_aspect_ratio"] < smp["min_crop_aspect_ratio"]:
                bad.append("0 <= min_crop_aspect_ratios <= max_crop_aspect_ratios")
            for what in ("overlap", "sample_coverage", "object_coverage"):
                if smp[f"max_crop_{what}"] < smp[f"min_crop_{what}"]:
                    bad.append(f"min_crop_{what}s <= max_crop_{what}s")
            if bad:
                raise MXNetError(f"ImageDetRecordIter: crop sampler {i} needs " + ", ".join(bad) +
                                 f"; got {smp}")
        return samplers


def _parse_label(raw: np.ndarray, record_id: int) -> tuple:
    """Split a raw detection label into its header and its valid objects (boxes with
    xmax > xmin and ymax > ymin; MXNet's parser drops the others)."""
    def fail(why: str) -> MXNetError:
        return MXNetError(f"ImageDetRecordIter: the label of record {record_id} is not a detection "
                          f"label ({why}); expected [header_width, object_width, header..., "
                          f"(class, xmin, ymin, xmax, ymax, ...) per object], got "
                          f"{raw[:12].tolist()}{'...' if raw.size > 12 else ''}")

    if raw.size < 7:
        raise fail(f"{raw.size} values, at least 7 needed for one object")
    if not np.isfinite(raw[:2]).all():
        raise fail("the header and object widths are not numbers")
    header_width, object_width = int(raw[0]), int(raw[1])
    if header_width < 2 or object_width < 5 or header_width > raw.size:
        raise fail(f"header width {header_width} (at least 2) and object width {object_width} "
                   "(at least 5)")
    if (raw.size - header_width) % object_width:
        raise fail(f"{raw.size - header_width} object values are not a multiple of the object "
                   f"width {object_width}")
    objects = raw[header_width:].reshape(-1, object_width)
    keep = (objects[:, 3] > objects[:, 1]) & (objects[:, 4] > objects[:, 2])
    return raw[:header_width], objects[keep].copy()


def _project(objects: np.ndarray, box: tuple) -> np.ndarray:
    """The objects in the coordinates of ``box`` (x, y, width, height), clipped to [0, 1]."""
    x, y, w, h = (np.float32(v) for v in box)
    out = objects.copy()
    out[:, 1] = np.maximum(np.float32(0), (objects[:, 1] - x) / w)
    out[:, 2] = np.maximum(np.float32(0), (objects[:, 2] - y) / h)
    out[:, 3] = np.minimum(np.float32(1), (objects[:, 3] - x) / w)
    out[:, 4] = np.minimum(np.float32(1), (objects[:, 4] - y) / h)
    return out


def _intersections(objects: np.ndarray, box: tuple) -> np.ndarray:
    x, y, w, h = box
    iw = np.minimum(objects[:, 3], x + w) - np.maximum(objects[:, 1], x)
    ih = np.minimum(objects[:, 4], y + h) - np.maximum(objects[:, 2], y)
    return np.where((iw > 0) & (ih > 0), iw * ih, 0.0)


def _try_crop(objects: np.ndarray, box: tuple, smp: dict, s: _DetSettings) -> Optional[np.ndarray]:
    """The objects after cropping to ``box``, or None when the crop is refused: MXNet checks the
    sampler's constraints only when all six of them are set (some object must meet them all),
    then keeps the objects whose centre lies in the crop (``center``) or whose covered share
    exceeds ``emit_overlap_thresh`` (``overlap``); a crop that keeps none is refused."""
    if len(objects) == 0:
        return objects
    inter = _intersections(objects, box)
    gt_area = (objects[:, 3] - objects[:, 1]) * (objects[:, 4] - objects[:, 2])
    crop_area = box[2] * box[3]
    lows = [smp[f"min_crop_{w}"] for w in ("overlap", "sample_coverage", "object_coverage")]
    highs = [smp[f"max_crop_{w}"] for w in ("overlap", "sample_coverage", "object_coverage")]
    if all(v > 0 for v in lows) and all(v < 1 for v in highs):
        iou = np.where(inter > 0, inter / np.maximum(crop_area + gt_area - inter, 1e-12), 0.0)
        ok = np.ones(len(objects), dtype=bool)
        for value, low, high in zip((iou, inter / crop_area, inter / gt_area), lows, highs):
            ok &= (value >= low) & (value <= high)
        if not ok.any():
            return None
    x, y, w, h = box
    if s.crop_emit_mode == "center":
        cx = (objects[:, 1] + objects[:, 3]) * 0.5
        cy = (objects[:, 2] + objects[:, 4]) * 0.5
        keep = (cx >= x) & (cx < x + w) & (cy >= y) & (cy < y + h)
    else:
        keep = inter / gt_area > s.emit_overlap_thresh
    if not keep.any():
        return None
    return _project(objects[keep], box)


def _crop_box(smp: dict, image_ratio: float, rng: np.random.Generator) -> tuple:
    """A random crop box (x, y, width, height), relative to the image: a scale and an aspect
    ratio drawn within the sampler's ranges (MXNet's rule, including its upper ratio bound of 1
    from the image's side), placed at random inside the image."""
    def between(low: float, high: float) -> float:   # either end may be the larger
        return low + (high - low) * rng.random()

    scale = between(smp["min_crop_scale"], smp["max_crop_scale"]) + 1e-12
    ratio = np.sqrt(between(max(smp["min_crop_aspect_ratio"] / image_ratio, scale * scale),
                            min(smp["max_crop_aspect_ratio"] / image_ratio, 1.0)))
    w, h = min(1.0, scale * ratio), min(1.0, scale / ratio)
    return (between(0.0, 1.0 - w), between(0.0, 1.0 - h), w, h)


def _det_augment(img: torch.Tensor, objects: np.ndarray, s: _DetSettings,
                 rng: np.random.Generator) -> tuple:
    """MXNet's ``det_aug_default`` on one (height, width, channels) uint8 image and its objects:
    shorter-edge resize, colour (HSL and contrast), mirror, pad, crop, then the resize to the data
    shape by ``resize_mode``. Returns the image and the objects."""
    if s.resize > 0:
        img = _resize_short(img, s.resize, s.inter_method, rng)
    if s.random_hue_prob > 0 or s.random_saturation_prob > 0 \
            or s.random_illumination_prob > 0 or s.random_contrast_prob > 0:
        draws = rng.uniform(-1.0, 1.0, size=4)
        h, sat, light = (int(draws[i] * m) for i, m in enumerate(
            (s.max_random_hue, s.max_random_saturation, s.max_random_illumination)))
        c = float(draws[3] * s.max_random_contrast)
        coins = rng.uniform(0.0, 1.0, size=4)
        h = h if coins[0] < s.random_hue_prob else 0
        sat = sat if coins[1] < s.random_saturation_prob else 0
        light = light if coins[2] < s.random_illumination_prob else 0
        c = c if coins[3] < s.random_contrast_prob else 0.0
        if (h or sat or light) and img.shape[2] >= 3:
            img = _hsl_shift(img.to(torch.float32), h, sat, light).to(torch.uint8)
        if abs(c) > 1e-3:
            img = (img.to(torch.float32) * (1.0 + c)).round().clamp(0, 255).to(torch.uint8)

    if s.rand_mirror_prob > 0 and rng.uniform() < s.rand_mirror_prob:
        img = img.flip(1)
        left = objects[:, 1].copy()
        objects[:, 1] = np.float32(1) - objects[:, 3]
        objects[:, 3] = np.float32(1) - left

    if s.rand_pad_prob > 0 and s.max_pad_scale > 1 and rng.uniform() < s.rand_pad_prob:
        scale = rng.uniform(1.0, s.max_pad_scale)
        if scale >= 1.05:
            x0, y0 = rng.uniform(0.0, scale - 1), rng.uniform(0.0, scale - 1)
            objects = _project(objects, (-x0, -y0, scale, scale))
            rows, cols = img.shape[0], img.shape[1]
            left, top = int(x0 * cols), int(y0 * rows)
            right, bottom = int((scale - x0 - 1) * cols), int((scale - y0 - 1) * rows)
            canvas = torch.full((rows + top + bottom, cols + left + right, img.shape[2]),
                                s.fill_value, dtype=img.dtype)
            canvas[top:top + rows, left:left + cols] = img
            img = canvas

    if s.rand_crop_prob > 0 and s.samplers and rng.uniform() < s.rand_crop_prob:
        rows, cols = img.shape[0], img.shape[1]
        for idx in rng.permutation(len(s.samplers)):
            smp = s.samplers[idx]
            cropped = None
            for _ in range(smp["max_crop_trial"]):
                box = _crop_box(smp, cols / rows, rng)
                cropped = _try_crop(objects, box, smp, s)
                if cropped is not None:
                    x, y = int(box[0] * cols), int(box[1] * rows)
                    w, h = max(1, int(box[2] * cols)), max(1, int(box[3] * rows))
                    img, objects = img[y:y + h, x:x + w], cropped
                    break
            if cropped is not None:
                break

    _, out_h, out_w = s.data_shape
    rows, cols = img.shape[0], img.shape[1]
    if s.resize_mode == "force":
        img = _resize(img, out_w, out_h, s.inter_method, rng)
    elif s.resize_mode == "fit" or rows > out_h or cols > out_w:
        ratio = min(np.float32(out_h) / np.float32(rows), np.float32(out_w) / np.float32(cols))
        img = _resize(img, min(out_w, max(1, int(ratio * np.float32(cols)))),
                      min(out_h, max(1, int(ratio * np.float32(rows)))), s.inter_method, rng)
    return img, objects


class ImageDetRecordIter(ImageRecordIter):
    """Read object detection images and their boxes from a RecordIO file (``.rec``), augment both
    together on ``preprocess_threads`` threads, and batch them (MXNet's ``ImageDetRecordIter``).

    Each record's label is a detection label (``[header_width, object_width, header...,
    (class, xmin, ymin, xmax, ymax, ...) per object]``, relative coordinates). A batch's label has
    shape ``(batch_size, label_pad_width + 4)``; a row is ``[channels, height, width, n, the n
    values of the augmented label, label_pad_value...]``, height and width being the size of the
    image written at the top left of the data row. Arguments are keywords only, as in MXNet.

    Parameters
    ----------
    path_imgrec : str
        The RecordIO file (no index is needed: parts and shuffling walk its record headers).
    path_imglist : str
        An image list (``.lst``) to take the labels from, by record id, instead of the records.
    label_width : int, default -1
        Values per label; -1 for labels of any length (a record must otherwise have exactly this
        many).
    data_shape : tuple of int
        (channels, height, width) of the data rows: 3 for RGB, 1 for grey, 4 for RGBA.
    batch_size : int
        Images per batch.
    label_pad_width : int, default 0
        Width the labels are padded to; 0 or -1 use the longest label of the data (a positive
        width shorter than that is refused). ``label_pad_value`` (default -1) fills the rest.
    shuffle : bool, default False
        Shuffle the records at every epoch; ``seed`` seeds the shuffle and the augmentation.
    num_parts, part_index : int
        Read part ``part_index`` of ``num_parts`` (MXNet's equal byte ranges of the file).
    round_batch : bool, default True
        Complete the last batch with the next epoch's first images (``pad`` counts them).
    preprocess_threads, prefetch_buffer : int
        Decoding threads, and batches prepared ahead.
    dtype : {None, 'float32', 'uint8', 'int8'}
        Data type of the images (None: float32; integer types are the pixels, not normalised).
    resize : int, default -1
        Resize the shorter edge to this length first.
    resize_mode : {'force', 'shrink', 'fit'}, default 'force'
        How the image meets ``data_shape`` at the end: stretched to it, shrunk (keeping the
        aspect ratio) only if larger, or scaled (keeping the ratio) to fit it.
    inter_method : int, default 1
        1 bilinear, 2 cubic, 3 area, 4 Lanczos, 9 by direction, 10 random.
    rand_mirror_prob : float, default 0
        Probability of mirroring the image and its boxes left to right.
    rand_pad_prob, max_pad_scale : float
        Probability of placing the image on a larger canvas (side up to ``max_pad_scale`` times,
        at random; scales under 1.05 are skipped) filled with ``fill_value`` (default 127).
    rand_crop_prob : float, default 0
        Probability of a random crop, by one of ``num_crop_sampler`` samplers tried in random
        order, each up to ``max_crop_trials`` times. A sampler draws a scale in
        ``[min_crop_scales, max_crop_scales]`` and an aspect ratio in
        ``[min_crop_aspect_ratios, max_crop_aspect_ratios]``; when all of ``min/max_crop_overlaps``
        (IoU), ``min/max_crop_sample_coverages`` (share of the crop) and
        ``min/max_crop_object_coverages`` (share of the box) are set, some object must meet them.
        Each of these takes one value per sampler, or one for all.
    crop_emit_mode : {'center', 'overlap'}, default 'center'
        Which boxes a crop keeps: those whose centre it contains, or those it covers by more than
        ``emit_overlap_thresh``.
    max_random_hue, max_random_saturation, max_random_illumination : int
        HSL jitter bounds (OpenCV's 8-bit units), each applied with its ``random_*_prob``.
    max_random_contrast, random_contrast_prob : float
        Contrast jitter: pixels times ``1 + c``, ``c`` random within the bound.
    mean_r, mean_g, mean_b, mean_a, std_r, std_g, std_b, std_a, scale : float
        Normalisation of the whole data row: the means are subtracted when one of them is
        positive (else ``mean_img``, a mean image saved with ``nd.save``), each channel is divided
        by its std when that is positive, then everything is multiplied by ``scale``.
    data_name, label_name : str
        Names in ``provide_data`` and ``provide_label``.

    Notes
    -----
    ``aug_seq`` must be MXNet's only detection augmenter, ``'det_aug_default'``. MXNet shuffled
    within each chunk of records it read; here the whole part is shuffled. The random draws are
    this iterator's own, from ``(seed, epoch, sample)``: the same seed gives the same batches with
    any number of threads, but not MXNet's random crops. The HSL jitter works in floating point
    rather than in OpenCV's 8-bit HLS, so its pixels differ slightly from MXNet's. Tuple
    settings may also be given as MXNet's strings, e.g. ``min_crop_scales='(0.1, 0.3)'``.
    """

    def __init__(self, *, path_imgrec: str = "", data_shape: Any = None, batch_size: int = 0,
                 path_imglist: str = "", aug_seq: str = "det_aug_default", label_width: int = -1,
                 preprocess_threads: int = 4, num_parts: int = 1, part_index: int = 0,
                 label_pad_width: int = 0, label_pad_value: float = -1.0, shuffle: bool = False,
                 seed: int = 0, round_batch: bool = True, prefetch_buffer: int = 4,
                 dtype: Optional[str] = None, resize: int = -1, rand_crop_prob: float = 0.0,
                 min_crop_scales: Any = (0.0,), max_crop_scales: Any = (1.0,),
                 min_crop_aspect_ratios: Any = (1.0,), max_crop_aspect_ratios: Any = (1.0,),
                 min_crop_overlaps: Any = (0.0,), max_crop_overlaps: Any = (1.0,),
                 min_crop_sample_coverages: Any = (0.0,), max_crop_sample_coverages: Any = (1.0,),
                 min_crop_object_coverages: Any = (0.0,), max_crop_object_coverages: Any = (1.0,),
                 num_crop_sampler: int = 1, crop_emit_mode: str = "center",
                 emit_overlap_thresh: float = 0.3, max_crop_trials: Any = (25,),
                 rand_pad_prob: float = 0.0, max_pad_scale: float = 1.0, max_random_hue: int = 0,
                 random_hue_prob: float = 0.0, max_random_saturation: int = 0,
                 random_saturation_prob: float = 0.0, max_random_illumination: int = 0,
                 random_illumination_prob: float = 0.0, max_random_contrast: float = 0.0,
                 random_contrast_prob: float = 0.0, rand_mirror_prob: float = 0.0,
                 fill_value: int = 127, inter_method: int = 1, resize_mode: str = "force",
                 mean_img: str = "", mean_r: float = 0.0, mean_g: float = 0.0,
                 mean_b: float = 0.0, mean_a: float = 0.0, std_r: float = 0.0,
                 std_g: float = 0.0, std_b: float = 0.0, std_a: float = 0.0, scale: float = 1.0,
                 data_name: str = "data", label_name: str = "softmax_label",
                 **kwargs: Any) -> None:
        super(ImageRecordIter, self).__init__(int(batch_size))
        ignore_unknown("ImageDetRecordIter",
                       {k: v for k, v in kwargs.items() if k not in _IGNORED})
        if data_shape is None or not path_imgrec or int(batch_size) <= 0:
            raise MXNetError("ImageDetRecordIter: path_imgrec, data_shape and a positive "
                             "batch_size are required")
        if aug_seq != "det_aug_default":
            raise MXNetError(f"ImageDetRecordIter: aug_seq must be 'det_aug_default' (MXNet's "
                             f"detection augmenter), got {aug_seq!r}")
        if dtype not in _DTYPES:
            raise MXNetError(f"ImageDetRecordIter: dtype must be one of None, 'float32', 'uint8', "
                             f"'int8', got {dtype!r}")
        _check_part("ImageDetRecordIter", num_parts, part_index)
        settings = _DetSettings(dict(locals()))
        self._label_width_given = int(label_width)
        self._label_map = _read_label_map(path_imglist, int(label_width), "ImageDetRecordIter") \
            if path_imglist else None
        stream = _RecordStream(path_imgrec, "", bool(shuffle), int(seed), int(num_parts),
                               int(part_index), peek=4)
        try:
            longest = self._longest_label(stream)
            if int(label_pad_width) > 0 and longest > int(label_pad_width):
                raise MXNetError(f"ImageDetRecordIter: label_pad_width={label_pad_width} is "
                                 f"shorter than the longest label of the data ({longest} values)")
        except MXNetError:
            stream.close()
            raise
        self.label_pad_width = max(int(label_pad_width), longest)
        self._label_pad_value = float(label_pad_value)
        self._open(settings, dtype, "NCHW", self.label_pad_width + 4, stream,
                   round_batch=round_batch, seed_aug=int(seed), threads=preprocess_threads,
                   prefetch=prefetch_buffer, data_name=data_name, label_name=label_name)

    def _longest_label(self, stream: _RecordStream) -> int:
        """The most label values of any image: from the image list, or from the label counts in
        the headers of this part's records (each checked against a positive label_width)."""
        if self._label_map is not None:
            return max((len(v) for v in self._label_map.values()), default=0)
        longest = 0
        ends = list(stream.keys[1:]) + [stream.rec._size]   # the part's records are contiguous
        for offset, end, head in zip(stream.keys, ends, stream.heads):
            count = int(np.frombuffer(head, dtype="<u4")[0]) if len(head) == 4 else 0
            room = (int(end) - int(offset) - 8 - 24) // 4    # part header, image record header
            if count > room:
                raise MXNetError(f"ImageDetRecordIter: the record at byte {offset} of "
                                 f"{stream.rec.uri!r} declares {count} label values, more than "
                                 f"its {max(room, 0) * 4 + 24} bytes can hold")
            if self._label_width_given > 0 and count != self._label_width_given:
                raise MXNetError(f"ImageDetRecordIter: the record at byte {offset} has {count} "
                                 f"label values, label_width is {self._label_width_given}")
            longest = max(longest, count)
        return longest

    def _process(self, record: bytes, data: torch.Tensor, label: torch.Tensor, row: int,
                 epoch: int, sample: int) -> None:
        """Decode one record, augment the image with its boxes, and write both into row ``row``."""
        from .. import image, recordio

        header, payload = recordio.unpack(record)
        if self._label_map is not None:
            raw = self._record_label(header)
        elif int(header.flag) > 0:
            raw = np.asarray(header.label, dtype=np.float32).ravel()
        else:
            raise MXNetError(f"ImageDetRecordIter: record {header.id} holds no detection label "
                             "(its header's flag is 0) and no path_imglist is given")
        if self._label_width_given > 0 and raw.size != self._label_width_given:
            raise MXNetError(f"ImageDetRecordIter: record {header.id} has {raw.size} label values, "
                             f"label_width is {self._label_width_given}")
        head, objects = _parse_label(raw, header.id)
        s = self._settings
        channels = s.data_shape[0]
        if channels == 4:
            bgra = recordio._imdecode_cv(payload, -1)
            if bgra.ndim != 3 or bgra.shape[2] != 4:
                raise MXNetError(f"ImageDetRecordIter: record {header.id}'s image has no alpha "
                                 "channel; data_shape asks for 4 channels")
            decoded = torch.from_numpy(np.ascontiguousarray(bgra[:, :, [2, 1, 0, 3]]))
        else:
            decoded = image.imdecode(payload, flag=0 if channels == 1 else 1)._t
        rng = np.random.default_rng([self._seed_aug, epoch, sample])
        img, objects = _det_augment(decoded, objects, s, rng)
        rows, cols = img.shape[0], img.shape[1]
        dst = data[row]
        if self._dtype == torch.float32:
            dst[:, :rows, :cols] = img.permute(2, 0, 1)
            if s.mean is not None:
                dst.sub_(s.mean)
            dst.div_(s.std).mul_(s.scale)
        else:
            dst[:, :rows, :cols] = img.permute(2, 0, 1).to(self._dtype)
        out = np.concatenate([head, objects.ravel()]).astype(np.float32)
        label[row] = self._label_pad_value
        label[row, :4] = torch.tensor([channels, rows, cols, out.size], dtype=torch.float32)
        label[row, 4:4 + out.size] = torch.from_numpy(out)
