"""``mx.io.ImageRecordIter``: images from a RecordIO file, decoded and augmented on a pool of
threads while the consumer trains, as MXNet 1.9.1's C++ iterator did.

The pipeline: one reader thread takes records from the ``.rec`` file in epoch order and hands
each to a pool of ``preprocess_threads`` workers; a worker decodes the image (``mx.image.imdecode``),
augments it with torch operations, normalises it and writes it into its row of a preallocated
batch. Decoding and torch both release the GIL, so the threads run in parallel. Finished batches
wait in a queue of ``prefetch_buffer`` batches, so decoding overlaps training.

The decoder is libjpeg-turbo through simplejpeg for plain JPEGs (the same pixels as Pillow, which
bundles the same library, and as the libjpeg-turbo build of OpenCV that MXNet used, at about half
the time per 500x375 image: no Pillow image object, no extra copy), Pillow for everything else
(other formats, EXIF-oriented JPEGs).

Random augmentation draws from a generator seeded by ``(seed, epoch, sample)``: the same seed
gives the same batches whatever the number of threads (MXNet's own sequence of random numbers
is not reproduced).
"""
from __future__ import annotations

import atexit
import math
import queue
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

import numpy as np
import torch

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from ..ops.image import resize_hwc
from .file_iters import ignore_unknown
from .io import DataBatch, DataDesc, DataIter

__all__ = ["ImageRecordIter", "ImageRecordUInt8Iter", "ImageRecordInt8Iter", "ImageRecordIter_v1",
           "ImageRecordUInt8Iter_v1"]

_PCA_EIGVAL = np.array([55.46, 4.794, 1.148])   # ImageNet RGB covariance, as MXNet uses it
_PCA_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009],
                        [-0.5808, -0.0045, -0.8140],
                        [-0.5836, -0.6948, 0.4203]])
_LUMA = np.array([0.299, 0.587, 0.114])
_INTER_METHODS = (0, 1, 2, 3, 4, 9, 10)
_DTYPES = {None: torch.float32, "float32": torch.float32, "uint8": torch.uint8, "int8": torch.int8}
# accepted for MXNet compatibility; they tune MXNet's own engine and change no output here
_IGNORED = ("verbose", "device_id", "ctx", "shuffle_chunk_size", "shuffle_chunk_seed", "aug_seq")


class _Settings:
    """The augmentation settings of one iterator, checked once."""

    def __init__(self, kw: dict) -> None:
        self.data_shape = tuple(int(v) for v in kw["data_shape"])
        if len(self.data_shape) != 3 or self.data_shape[0] not in (1, 3, 4):
            raise MXNetError(f"ImageRecordIter: data_shape must be (channels, height, width) with "
                             f"1, 3 or 4 channels, got {kw['data_shape']}")
        for name in ("resize", "inter_method", "pad", "fill_value", "max_crop_size",
                     "min_crop_size", "random_h", "random_s", "random_l", "max_rotate_angle",
                     "rotate"):
            setattr(self, name, int(kw[name]))
        for name in ("max_random_contrast", "max_random_illumination", "max_shear_ratio",
                     "max_aspect_ratio", "max_random_scale", "min_random_scale",
                     "max_random_area", "min_random_area", "max_img_size", "min_img_size",
                     "brightness", "contrast", "saturation", "pca_noise", "scale"):
            setattr(self, name, float(kw[name]))
        self.min_aspect_ratio = None if kw["min_aspect_ratio"] is None else float(kw["min_aspect_ratio"])
        for name in ("rand_crop", "random_resized_crop", "mirror", "rand_mirror"):
            setattr(self, name, bool(kw[name]))
        low, high = self.ratio_range
        if self.max_aspect_ratio != 0.0 and not 0 < low <= high:
            raise MXNetError(f"ImageRecordIter: the aspect ratio range [{low}, {high}] is empty or not "
                             "positive (with min_aspect_ratio set, max_aspect_ratio is the upper end)")
        if self.inter_method not in _INTER_METHODS:
            raise MXNetError(f"ImageRecordIter: inter_method must be one of {_INTER_METHODS}, "
                             f"got {self.inter_method}")
        channels = self.data_shape[0]
        mean = [float(kw[f"mean_{c}"]) for c in "rgba"][:max(channels, 1)]
        std = [float(kw[f"std_{c}"]) for c in "rgba"][:max(channels, 1)]
        if channels == 1:
            mean, std = mean[:1], std[:1]
        self.mean = torch.tensor(mean, dtype=torch.float32).reshape(-1, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).reshape(-1, 1, 1)
        if any(s == 0 for s in std):
            raise MXNetError(f"ImageRecordIter: std_r/g/b/a must not be 0, got {std}")
        factor = self.scale / self.std
        self.factor: Optional[torch.Tensor] = None if bool((factor == 1).all()) else factor
        self.mean_img: Optional[torch.Tensor] = None
        if kw["mean_img"]:
            self.mean_img = _load_mean_img(kw["mean_img"], self.data_shape)

    @property
    def ratio_range(self) -> tuple:
        """Aspect ratio (width / height) range of the random crops and rescales."""
        if self.min_aspect_ratio is None:
            return (1.0 - self.max_aspect_ratio, 1.0 + self.max_aspect_ratio)
        return (self.min_aspect_ratio, self.max_aspect_ratio)


def _load_mean_img(path: str, data_shape: tuple) -> torch.Tensor:
    """The mean image saved by ``nd.save`` (MXNet's ``mean_img`` file), (channels, height, width)."""
    from .. import ndarray as nd

    try:
        loaded = nd.load(path)
    except OSError as err:
        raise MXNetError(f"ImageRecordIter: cannot read mean_img {path!r} ({err}); mxtorch does not "
                         "compute a missing mean image, make it with nd.save first") from None
    arrays = list(loaded.values()) if isinstance(loaded, dict) else list(loaded)
    if len(arrays) != 1 or tuple(arrays[0].shape) != data_shape:
        raise MXNetError(f"ImageRecordIter: mean_img {path!r} must hold one array of shape "
                         f"{data_shape}, got {[tuple(a.shape) for a in arrays]}")
    return arrays[0]._t.to(torch.float32) if hasattr(arrays[0], "_data") else \
        torch.from_numpy(arrays[0].asnumpy().astype(np.float32))


def _check_part(owner: str, num_parts: int, part_index: int) -> None:
    if not 0 <= int(part_index) < int(num_parts):
        raise MXNetError(f"{owner}: part_index {part_index} is not in [0, {num_parts})")


def _read_label_map(path: str, label_width: int, owner: str) -> dict:
    """The labels of an image list (``.lst``) by image index: the first ``label_width`` labels of
    each line, or all of them when ``label_width`` is -1 (variable-length detection labels)."""
    from .._fileio.lst import read_lst

    labels = {}
    try:
        for index, values, _ in read_lst(path):
            if len(values) < max(label_width, 1):
                raise MXNetError(f"{owner}: image {index} of {path!r} has {len(values)} labels, "
                                 f"fewer than label_width={label_width}")
            labels[index] = np.asarray(values if label_width < 0 else values[:label_width],
                                       dtype=np.float32)
    except OSError as err:
        raise MXNetError(f"{owner}: cannot read path_imglist {path!r} ({err.strerror})") from None
    return labels


def _resize(img: torch.Tensor, w: int, h: int, interp: int, rng: np.random.Generator) -> torch.Tensor:
    """Resize an (height, width, channels) uint8 image with OpenCV's methods (as
    mx.image.imresize; bilinear through torch's faster uint8 kernel, within a grey level of
    OpenCV); 9 picks by direction, 10 at random."""
    rows, cols = img.shape[0], img.shape[1]
    if (w, h) == (cols, rows):
        return img
    if interp == 9:
        interp = 2 if (h > rows and w > cols) else 3 if (h < rows and w < cols) else 1
    elif interp == 10:
        interp = int(rng.integers(0, 5))
    return resize_hwc(img, w, h, interp, fast=True)


def _resize_short(img: torch.Tensor, size: int, interp: int,
                  rng: np.random.Generator) -> torch.Tensor:
    """Resize so that the shorter edge is ``size`` (the longer in proportion, rounded down)."""
    rows, cols = img.shape[0], img.shape[1]
    if rows > cols:
        return _resize(img, size, size * rows // cols, interp, rng)
    return _resize(img, size * cols // rows, size, interp, rng)


def _augment(img: torch.Tensor, s: _Settings, rng: np.random.Generator) -> torch.Tensor:
    """The default augmentation of MXNet's ImageRecordIter on one (height, width, channels)
    uint8 image; returns an image of the data shape's height and width (uint8 or float32)."""
    _, out_h, out_w = s.data_shape
    if s.resize > 0:
        img = _resize_short(img, s.resize, s.inter_method, rng)

    if s.random_resized_crop:
        img = _random_resized_crop(img, s, rng)
    else:
        if s.max_rotate_angle > 0 or s.rotate > 0 or s.max_shear_ratio > 0 \
                or s.max_random_scale != 1.0 or s.min_random_scale != 1.0 \
                or s.max_aspect_ratio != 0.0 or s.max_img_size != 1e10 or s.min_img_size != 0.0:
            img = _affine(img, s, rng)
        if s.pad > 0:
            p = s.pad
            padded = torch.full((img.shape[0] + 2 * p, img.shape[1] + 2 * p, img.shape[2]),
                                s.fill_value, dtype=img.dtype)
            padded[p:p + img.shape[0], p:p + img.shape[1]] = img
            img = padded
        if s.max_crop_size > 0 or s.min_crop_size > 0:
            low = s.min_crop_size if s.min_crop_size > 0 else s.max_crop_size
            high = s.max_crop_size if s.max_crop_size > 0 else s.min_crop_size
            side = min(int(rng.integers(low, high + 1)), img.shape[0], img.shape[1])
            img = _crop(img, side, side, s.rand_crop, rng)
            img = _resize(img, out_w, out_h, s.inter_method, rng)
        else:
            rows, cols = img.shape[0], img.shape[1]
            if rows < out_h or cols < out_w:   # enlarge, keeping the aspect ratio, to cover the crop
                grow = max(out_h / rows, out_w / cols)
                img = _resize(img, max(out_w, int(round(cols * grow))),
                              max(out_h, int(round(rows * grow))), s.inter_method, rng)
            img = _crop(img, out_w, out_h, s.rand_crop, rng)

    if s.mirror or (s.rand_mirror and rng.random() < 0.5):
        img = img.flip(1)
    return _color(img, s, rng)


def _affine(img: torch.Tensor, s: _Settings, rng: np.random.Generator) -> torch.Tensor:
    """MXNet's affine step: rotate (``rotate``, or a random whole degree within
    ``max_rotate_angle``), shear, rescale and stretch the aspect ratio in one warp onto a canvas
    of the scaled size (bounded by ``min/max_img_size``), filled with ``fill_value``.

    The content is scaled by ``hs = 2 * scale / (1 + ratio)`` vertically and ``ratio * hs``
    horizontally, and the transformed image is centred on the unrounded canvas size, as MXNet
    1.9.1 does (its pixels within a grey level or, along sharp edges, a few: OpenCV's bilinear
    warp rounds sample positions to 1/32 pixel)."""
    rows, cols = img.shape[0], img.shape[1]
    if s.rotate > 0:
        angle = float(s.rotate)
    elif s.max_rotate_angle > 0:
        angle = float(rng.integers(-s.max_rotate_angle, s.max_rotate_angle + 1))
    else:
        angle = 0.0
    shear = rng.uniform(-s.max_shear_ratio, s.max_shear_ratio) if s.max_shear_ratio > 0 else 0.0
    scale = rng.uniform(s.min_random_scale, s.max_random_scale)
    ratio = rng.uniform(*s.ratio_range) if s.max_aspect_ratio != 0.0 else 1.0
    hs = 2.0 * scale / (1.0 + ratio)
    ws = ratio * hs
    # the content is centred on the unrounded canvas size; the canvas itself is whole pixels
    size_w = max(s.min_img_size, min(s.max_img_size, scale * cols))
    size_h = max(s.min_img_size, min(s.max_img_size, scale * rows))
    new_w, new_h = max(1, int(size_w)), max(1, int(size_h))
    a, b = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    forward = np.array([[hs * a - shear * b * ws, hs * b + shear * a * ws],
                        [-b * ws, a * ws]])
    centre = forward @ np.array([cols, rows], dtype=np.float64)
    shift = (np.array([size_w, size_h]) - centre) / 2.0
    # for every canvas pixel, the source position it comes from
    inverse = np.linalg.inv(forward)
    ys, xs = torch.meshgrid(torch.arange(new_h, dtype=torch.float64),
                            torch.arange(new_w, dtype=torch.float64), indexing="ij")
    inv = torch.from_numpy(inverse)
    src_x = inv[0, 0] * (xs - shift[0]) + inv[0, 1] * (ys - shift[1])
    src_y = inv[1, 0] * (xs - shift[0]) + inv[1, 1] * (ys - shift[1])
    grid = torch.stack([src_x * 2 / max(cols - 1, 1) - 1, src_y * 2 / max(rows - 1, 1) - 1], -1)
    fill = float(s.fill_value)
    source = img.to(torch.float32).permute(2, 0, 1).unsqueeze(0) - fill   # fill blends at the edges
    out = torch.nn.functional.grid_sample(source, grid.to(torch.float32).unsqueeze(0),
                                          mode="nearest" if s.inter_method == 0 else "bilinear",
                                          padding_mode="zeros", align_corners=True)
    out = out[0].permute(1, 2, 0) + fill
    return out.round().clamp(0, 255).to(img.dtype) if img.dtype == torch.uint8 else out


def _crop(img: torch.Tensor, w: int, h: int, random_place: bool, rng: np.random.Generator) -> torch.Tensor:
    rows, cols = img.shape[0], img.shape[1]
    if random_place:
        y, x = int(rng.integers(0, rows - h + 1)), int(rng.integers(0, cols - w + 1))
    else:
        y, x = (rows - h) // 2, (cols - w) // 2
    return img[y:y + h, x:x + w]


def _random_resized_crop(img: torch.Tensor, s: _Settings, rng: np.random.Generator) -> torch.Tensor:
    """Inception-style crop: a random share of the area and aspect ratio, resized to the data
    shape; after 10 misses, the largest centred crop of the output's aspect ratio."""
    _, out_h, out_w = s.data_shape
    rows, cols = img.shape[0], img.shape[1]
    for _ in range(10):
        area = rng.uniform(s.min_random_area, s.max_random_area) * rows * cols
        ratio = rng.uniform(*s.ratio_range) if s.max_aspect_ratio != 0.0 else 1.0
        if ratio <= 0:
            continue
        w, h = int(round(math.sqrt(area * ratio))), int(round(math.sqrt(area / ratio)))
        if 0 < w <= cols and 0 < h <= rows:
            y, x = int(rng.integers(0, rows - h + 1)), int(rng.integers(0, cols - w + 1))
            return _resize(img[y:y + h, x:x + w], out_w, out_h, s.inter_method, rng)
    fit = min(rows / out_h, cols / out_w)
    w, h = max(1, int(out_w * fit)), max(1, int(out_h * fit))
    return _resize(_crop(img, w, h, False, rng), out_w, out_h, s.inter_method, rng)


def _color(img: torch.Tensor, s: _Settings, rng: np.random.Generator) -> torch.Tensor:
    """Brightness, contrast and saturation jitter (random order), PCA lighting noise and HSL
    jitter; each step saturates to 0-255 as MXNet's uint8 arithmetic does."""
    jitters = [k for k, v in (("b", s.brightness), ("c", s.contrast), ("s", s.saturation)) if v > 0]
    if not jitters and s.pca_noise <= 0 and not (s.random_h or s.random_s or s.random_l):
        return img
    x = img.to(torch.float32)
    colour = x.shape[-1] >= 3    # a grey image has brightness and contrast only

    def grey(v: torch.Tensor) -> torch.Tensor:
        return v[..., :3] @ torch.tensor(_LUMA, dtype=torch.float32) if colour else v[..., 0]

    for k in rng.permutation(jitters) if jitters else ():
        if k == "b":
            x = x * (1.0 + rng.uniform(-s.brightness, s.brightness))
        elif k == "c":
            alpha = 1.0 + rng.uniform(-s.contrast, s.contrast)
            x = x * alpha + float(grey(x).mean()) * (1.0 - alpha)
        else:
            alpha = 1.0 + rng.uniform(-s.saturation, s.saturation)
            if colour:
                x = x * alpha + grey(x).unsqueeze(-1) * (1.0 - alpha)
        x = x.round().clamp(0, 255)
    if not colour:
        return x
    if s.pca_noise > 0:
        alpha = rng.normal(0, s.pca_noise, size=3)
        rgb = torch.tensor(_PCA_EIGVEC @ (alpha * _PCA_EIGVAL), dtype=torch.float32)
        x[..., :3] = (x[..., :3] + rgb).clamp(0, 255)
    if s.random_h or s.random_s or s.random_l:
        x = _hsl_jitter(x, s, rng)
    return x


def _hsl_jitter(x: torch.Tensor, s: _Settings, rng: np.random.Generator) -> torch.Tensor:
    """Shift hue, saturation and lightness by random integers in OpenCV's 8-bit HLS scale
    (hue 0-180, lightness and saturation 0-255)."""
    dh = int(rng.integers(-s.random_h, s.random_h + 1)) if s.random_h else 0
    ds = int(rng.integers(-s.random_s, s.random_s + 1)) if s.random_s else 0
    dl = int(rng.integers(-s.random_l, s.random_l + 1)) if s.random_l else 0
    return _hsl_shift(x, dh, ds, dl)


def _hsl_shift(x: torch.Tensor, dh: int, ds: int, dl: int) -> torch.Tensor:
    """Shift the hue, saturation and lightness of a float (height, width, 3+) image in 0-255 by
    ``dh`` (OpenCV's 2-degree hue steps), ``ds`` and ``dl`` (in 255ths), each saturating at the
    ends of its range as MXNet's 8-bit HLS arithmetic does."""
    rgb = x[..., :3] / 255.0
    vmax, _ = rgb.max(-1)
    vmin, _ = rgb.min(-1)
    light = (vmax + vmin) / 2
    diff = vmax - vmin
    sat = torch.where(diff == 0, torch.zeros_like(diff),
                      diff / torch.where(light < 0.5, vmax + vmin, 2 - vmax - vmin).clamp_min(1e-12))
    r, g, b = rgb.unbind(-1)
    safe = diff.clamp_min(1e-12)
    hue = torch.where(vmax == r, 60 * (g - b) / safe,
                      torch.where(vmax == g, 120 + 60 * (b - r) / safe, 240 + 60 * (r - g) / safe))
    hue = torch.where(diff == 0, torch.zeros_like(hue), hue) % 360
    # OpenCV's 8-bit hue counts 2-degree steps; MXNet saturates the shifted hue at 0 and 180
    # steps (red at both ends) rather than going round the circle
    hue = (hue + dh * 2.0).clamp(0, 360)
    light = (light + dl / 255.0).clamp(0, 1)
    sat = (sat + ds / 255.0).clamp(0, 1)
    chroma = (1 - (2 * light - 1).abs()) * sat
    hp = hue / 60.0
    second = chroma * (1 - (hp % 2 - 1).abs())
    zero = torch.zeros_like(chroma)
    sector = hp.floor().long().clamp(0, 5)
    table = torch.stack([torch.stack(v, -1) for v in (
        (chroma, second, zero), (second, chroma, zero), (zero, chroma, second),
        (zero, second, chroma), (second, zero, chroma), (chroma, zero, second))], 0)
    picked = torch.gather(table, 0, sector.unsqueeze(0).unsqueeze(-1).expand(1, *sector.shape, 3))[0]
    out = x.clone()
    out[..., :3] = ((picked + (light - chroma / 2).unsqueeze(-1)) * 255).round().clamp(0, 255)
    return out


class _RecordStream:
    """The records in epoch order as an endless, cyclic stream: the records a padded last batch
    borrows are the first of the next epoch, which then begins after them (MXNet's round_batch)."""

    def __init__(self, path_imgrec: str, path_imgidx: str, shuffle: bool, seed: int,
                 num_parts: int, part_index: int, peek: Optional[int] = None) -> None:
        from .. import recordio

        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0
        self.pos = 0
        self.by_offset = False
        self.heads: list = []
        if path_imgidx:
            self.rec: Any = recordio.MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
            keys = list(self.rec.keys)
            per_part = -(-len(keys) // num_parts)
            self.keys: Optional[list] = keys[part_index * per_part:(part_index + 1) * per_part]
            if not self.keys:
                raise MXNetError(f"ImageRecordIter: part {part_index} of {num_parts} of {path_imgrec!r} "
                                 f"holds no records (the file has {len(keys)})")
        else:
            self.rec = recordio.MXRecordIO(path_imgrec, "r")
            self.keys = None
            if peek is not None or shuffle or num_parts > 1:
                self._scan(num_parts, part_index, peek or 0)
        self.order = self._order(0)

    def _scan(self, num_parts: int, part_index: int, peek: int) -> None:
        """Without an index: find the records by walking the file's headers (8 bytes read per
        record part, payloads skipped; 8 bytes kept per record, plus ``peek`` bytes of each when
        asked). The parts are MXNet's byte ranges: the file cut into ``num_parts`` equal spans of
        whole 4-byte words, a part holding the records that start in its span."""
        starts, heads = self.rec._record_starts(peek=peek)
        self.rec._seek(0)
        offsets = np.frombuffer(starts, dtype=np.int64) if len(starts) else np.zeros(0, np.int64)
        words = -(-self.rec._size // 4)
        step = 4 * -(-words // num_parts)
        chosen = np.flatnonzero((offsets >= step * part_index) & (offsets < step * (part_index + 1)))
        if not chosen.size:
            raise MXNetError(f"ImageRecordIter: part {part_index} of {num_parts} of "
                             f"{self.rec.uri!r} holds no records (the file has {len(offsets)})")
        self.keys = offsets[chosen]
        self.heads = [heads[i] for i in chosen] if peek else []
        self.by_offset = True

    def _order(self, epoch: int) -> Optional[list]:
        if self.keys is None:
            return None
        if not self.shuffle:
            return self.keys
        perm = np.random.default_rng([self.seed, epoch]).permutation(len(self.keys))
        if isinstance(self.keys, np.ndarray):
            return self.keys[perm]
        return [self.keys[i] for i in perm]

    def next(self) -> Optional[bytes]:
        """The next record of this epoch, or None at its end."""
        if self.order is None:
            return self.rec.read()
        if self.pos >= len(self.order):
            return None
        key = self.order[self.pos]
        self.pos += 1
        if self.by_offset:
            self.rec._seek(int(key))
            return self.rec._read_record()
        return self.rec.read_idx(key)

    def next_epoch(self) -> None:
        """Go to the start of the next epoch."""
        self.epoch += 1
        self.pos = 0
        if self.order is None:
            self.rec.reset()
        else:
            self.order = self._order(self.epoch)

    def close(self) -> None:
        self.rec.close()


def _single_threaded_pool(threads: int) -> ThreadPoolExecutor:
    """A pool of ``threads`` workers whose torch operations each run on one thread.

    Each worker would otherwise start its own team of intra-op threads (as many as cores) for
    every operation: workers x cores threads fighting for the cores. A torch thread count is
    per thread once the thread has run an operation, so each worker runs one and sets itself to
    1; then the caller sets its own count again, which is also the default for threads started
    later (the workers' setting would otherwise become it).
    """
    pool = ThreadPoolExecutor(threads, thread_name_prefix="ImageRecordIter")
    own = torch.get_num_threads()
    barrier = threading.Barrier(threads)   # every task holds its thread until all threads exist

    def single() -> None:
        torch.ones(8).add_(1)
        torch.set_num_threads(1)
        barrier.wait()

    for future in [pool.submit(single) for _ in range(threads)]:
        future.result()
    torch.set_num_threads(own)
    return pool


_END = object()
_LIVE: "weakref.WeakSet[ImageRecordIter]" = weakref.WeakSet()


@atexit.register
def _close_live_iterators() -> None:
    """Stop the threads of iterators still open at exit (a thread killed inside torch aborts)."""
    for it in list(_LIVE):
        it.close()


class ImageRecordIter(DataIter):
    """Read images and labels from a RecordIO file (``.rec``, written by im2rec), decode and augment
    them on ``preprocess_threads`` threads, and batch them.

    Images come in the file's order unless ``shuffle``; with ``round_batch`` a last, incomplete
    batch is completed with the first images of the next epoch (``pad`` counts them) and that
    epoch starts after them, as in MXNet. The default augmentation follows MXNet's
    ``aug_default``: resize the shorter edge (``resize``), rotate/shear/rescale or random resized crop,
    pad, crop to ``data_shape`` (centred unless ``rand_crop``; an image smaller than the crop is
    first enlarged to cover it), mirror, colour jitter, PCA noise, HSL jitter; then each channel
    becomes ``(pixel - mean) * scale / std``.

    Parameters
    ----------
    path_imgrec : str
        The RecordIO file.
    path_imgidx : str
        Its index file (``.idx``), if any: ``shuffle`` and ``num_parts > 1`` use it rather than
        walking the file's record headers (see Notes).
    data_shape : tuple of int
        (channels, height, width) of one image: 3 for RGB, 1 for grey.
    batch_size : int
        Images per batch.
    label_width : int, default 1
        Labels per image (records packed with several labels).
    shuffle : bool, default False
        Shuffle the images at every epoch.
    seed : int, default 0
        Seed of the shuffling and the random augmentation (``seed_aug`` overrides the latter).
    preprocess_threads : int, default 4
        Threads decoding and augmenting.
    prefetch_buffer : int, default 4
        Batches prepared ahead of the consumer.
    num_parts, part_index : int
        Read only part ``part_index`` of ``num_parts`` equal parts (distributed training).
    round_batch : bool, default True
        Complete the last batch with images of the next epoch; when False, its missing rows are
        zeros and ``pad`` says how many (MXNet 1.9.1 left them uninitialised with pad 0).
    dtype : {None, 'float32', 'uint8', 'int8'}
        Data type of the images (None: float32).
    resize : int, default -1
        Resize the shorter edge to this length first.
    rand_crop, random_resized_crop, rand_mirror, mirror : bool
        Random crop position; random area (``min/max_random_area``) and aspect ratio crop resized
        to the data shape; mirror with probability 0.5; always mirror.
    max_rotate_angle : int
        Rotate by a random whole number of degrees in ``[-max, max]``; ``rotate`` (when positive)
        is a fixed angle instead. ``max_shear_ratio``: shear ``(x, y) -> (x + m y, y)`` with ``m``
        random in ``[-max, max]``. Rotation, shear, rescale and aspect ratio are one warp onto a
        canvas of the rescaled size filled with ``fill_value`` (without random_resized_crop).
    max_aspect_ratio, min_aspect_ratio : float
        Aspect ratio range (``[1 - max, 1 + max]`` when min is None).
    max_random_scale, min_random_scale : float
        Random rescale of the image (without random_resized_crop).
    max_random_area, min_random_area : float
        Area share range of random_resized_crop.
    max_img_size, min_img_size : float
        Bounds of the width and height after the random rescale.
    max_crop_size, min_crop_size : int
        Crop a random square of this size range and resize it to the data shape.
    brightness, contrast, saturation : float
        Colour jitter ranges; ``pca_noise`` the PCA lighting noise; ``random_h``, ``random_s``,
        ``random_l`` HSL jitter in OpenCV's 8-bit units.
    pad, fill_value : int
        Border added on every side before cropping, and its value.
    inter_method : int, default 1
        0 nearest, 1 bilinear, 2 cubic, 3 area, 4 Lanczos, 9 by direction, 10 random.
    mean_r, mean_g, mean_b, mean_a, std_r, std_g, std_b, std_a, scale : float
        Normalisation: ``(pixel - mean) * scale / std`` per channel.
    mean_img : str
        A mean image saved with ``nd.save``, subtracted instead of ``mean_*``.
    data_name, label_name : str
        Names in ``provide_data`` and ``provide_label``.
    layout : {'NCHW', 'NHWC'}, default 'NCHW'
        Layout of the data batches (MXNet 1.9.1 accepted and ignored it, always giving NCHW;
        NHWC is an mxtorch addition).
    max_random_contrast, max_random_illumination : float
        After the mean is subtracted, multiply by ``1 + c`` and add ``i`` (both random per image in
        ``[-max, max]``), before ``scale / std``.

    path_imglist : str
        An image list (``.lst``, as im2rec writes it): the labels of each image are taken from
        the line whose index is the record's id (the first ``label_width`` labels), not from the
        record's header.

    Notes
    -----
    Keywords MXNet's iterator did not know either are ignored, as MXNet did, with one warning
    (``io.file_iters.ignore_unknown``, shared with MNISTIter and CSVIter).

    Without ``path_imgidx``, ``shuffle`` and ``num_parts > 1`` first walk the record headers
    of the file once to find the records (MXNet shuffled within the chunk of records it had
    read; here the whole part is shuffled). The parts are then MXNet's: the file's bytes cut
    into ``num_parts`` equal spans, each part holding the records that start in its span. With
    the index, the parts are equal counts of records, as in MXNet.
    """

    _default_dtype: Optional[str] = None

    def __init__(self, path_imgrec: str = "", data_shape: Any = None, batch_size: int = 0,
                 path_imgidx: str = "", label_width: int = 1, preprocess_threads: int = 4,
                 num_parts: int = 1, part_index: int = 0, shuffle: bool = False, seed: int = 0,
                 seed_aug: Optional[int] = None, round_batch: bool = True, prefetch_buffer: int = 4,
                 dtype: Optional[str] = None, resize: int = -1, rand_crop: bool = False,
                 random_resized_crop: bool = False, max_rotate_angle: int = 0,
                 rotate: int = -1, max_shear_ratio: float = 0.0, max_aspect_ratio: float = 0.0,
                 min_aspect_ratio: Optional[float] = None, max_crop_size: int = -1,
                 min_crop_size: int = -1, max_random_scale: float = 1.0,
                 min_random_scale: float = 1.0, max_random_area: float = 1.0,
                 min_random_area: float = 1.0, max_img_size: float = 1e10,
                 min_img_size: float = 0.0, brightness: float = 0.0, contrast: float = 0.0,
                 saturation: float = 0.0, pca_noise: float = 0.0, random_h: int = 0,
                 random_s: int = 0, random_l: int = 0, fill_value: int = 255,
                 inter_method: int = 1, pad: int = 0, mirror: bool = False,
                 rand_mirror: bool = False, mean_img: str = "", mean_r: float = 0.0,
                 mean_g: float = 0.0, mean_b: float = 0.0, mean_a: float = 0.0, std_r: float = 1.0,
                 std_g: float = 1.0, std_b: float = 1.0, std_a: float = 1.0, scale: float = 1.0,
                 max_random_contrast: float = 0.0, max_random_illumination: float = 0.0,
                 data_name: str = "data", label_name: str = "softmax_label", layout: str = "NCHW",
                 path_imglist: str = "", **kwargs: Any) -> None:
        super().__init__(int(batch_size))
        ignore_unknown("ImageRecordIter", {k: v for k, v in kwargs.items() if k not in _IGNORED})
        if data_shape is None or not path_imgrec or int(batch_size) <= 0:
            raise MXNetError("ImageRecordIter: path_imgrec, data_shape and a positive batch_size "
                             "are required")
        dtype = self._default_dtype if dtype is None else dtype
        if dtype not in _DTYPES:
            raise MXNetError(f"ImageRecordIter: dtype must be one of None, 'float32', 'uint8', "
                             f"'int8', got {dtype!r}")
        if layout not in ("NCHW", "NHWC"):
            raise MXNetError(f"ImageRecordIter: layout must be 'NCHW' or 'NHWC', got {layout!r}")
        _check_part("ImageRecordIter", num_parts, part_index)
        if int(label_width) < 1:
            raise MXNetError(f"ImageRecordIter: label_width must be at least 1, got {label_width}")
        self._label_map = _read_label_map(path_imglist, int(label_width), "ImageRecordIter") \
            if path_imglist else None
        self._open(_Settings(dict(locals())), dtype, layout, int(label_width),
                   _RecordStream(path_imgrec, path_imgidx, bool(shuffle), int(seed),
                                 int(num_parts), int(part_index)),
                   round_batch=round_batch, seed_aug=int(seed if seed_aug is None else seed_aug),
                   threads=preprocess_threads, prefetch=prefetch_buffer, data_name=data_name,
                   label_name=label_name)

    def _open(self, settings: Any, dtype: Optional[str], layout: str, label_width: int,
              stream: "_RecordStream", *, round_batch: bool, seed_aug: int, threads: int,
              prefetch: int, data_name: str, label_name: str) -> None:
        """Set up the pipeline (shared with ImageDetRecordIter): batch descriptions, the worker
        pool, and the reader thread of the first epoch."""
        self._settings = settings
        self._dtype = _DTYPES[dtype]
        self._layout = layout
        self.label_width = label_width
        self._round_batch = bool(round_batch)
        self._seed_aug = seed_aug
        self._threads = max(1, int(threads))
        self._prefetch = max(1, int(prefetch))
        self._stream = stream
        c, h, w = self._settings.data_shape
        shape = (self.batch_size, c, h, w) if layout == "NCHW" else (self.batch_size, h, w, c)
        np_dtype = {torch.float32: np.float32, torch.uint8: np.uint8, torch.int8: np.int8}[self._dtype]
        self.provide_data = [DataDesc(data_name, shape, np_dtype, layout)]
        label_shape = (self.batch_size,) if self.label_width == 1 else (self.batch_size, self.label_width)
        self.provide_label = [DataDesc(label_name, label_shape, np.float32)]
        self._pool = _single_threaded_pool(self._threads)
        self._batch: Optional[DataBatch] = None
        self._queue: Optional[queue.Queue] = None
        self._stop: Optional[threading.Event] = None
        self._reader: Optional[threading.Thread] = None
        self._epoch_done = False   # the stream ended with a complete batch: next epoch restarts it
        self._exhausted = False    # the consumer has seen the end of this epoch
        self._closed = False
        _LIVE.add(self)
        self._start()

    # -- the reader thread -----------------------------------------------------------------------
    def _start(self) -> None:
        self._queue = queue.Queue(self._prefetch)
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read_epoch, args=(self._queue, self._stop),
                                        daemon=True, name="ImageRecordIter-reader")
        self._reader.start()

    def _put(self, q: queue.Queue, stop: threading.Event, item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read_epoch(self, q: queue.Queue, stop: threading.Event) -> None:
        """Read one epoch of records and queue its batches (as futures being processed)."""
        try:
            stream = self._stream
            epoch, sample = stream.epoch, stream.pos
            while not stop.is_set():
                records = []
                while len(records) < self.batch_size:
                    record = stream.next()
                    if record is None:
                        break
                    records.append(record)
                if not records:
                    self._epoch_done = True
                    break
                filled = len(records)
                if filled < self.batch_size and self._round_batch:
                    stream.next_epoch()
                    while len(records) < self.batch_size:
                        record = stream.next()
                        if record is None:   # fewer records than a batch: go round again
                            stream.next_epoch()
                            continue
                        records.append(record)
                if not self._put(q, stop, self._submit(records, epoch, sample, filled)):
                    return
                sample += len(records)
                if filled < self.batch_size:
                    self._epoch_done = not self._round_batch
                    break
        except BaseException as err:  # noqa: BLE001  (handed to the consumer, raised there)
            self._put(q, stop, err)
            return
        self._put(q, stop, _END)

    def _submit(self, records: list, epoch: int, first: int, filled: int) -> tuple:
        c, h, w = self._settings.data_shape
        data = torch.zeros((self.batch_size, c, h, w) if self._layout == "NCHW"
                           else (self.batch_size, h, w, c), dtype=self._dtype)
        label = torch.zeros((self.batch_size, self.label_width), dtype=torch.float32)
        futures = [self._pool.submit(self._process, rec, data, label, row, epoch, first + row)
                   for row, rec in enumerate(records)]
        pad = self.batch_size - filled
        return futures, data, label, pad

    def _process(self, record: bytes, data: torch.Tensor, label: torch.Tensor, row: int,
                 epoch: int, sample: int) -> None:
        """Decode, augment and normalise one record into row ``row`` of the batch."""
        from .. import image, recordio

        header, payload = recordio.unpack(record)
        values = self._record_label(header)
        if values.size < self.label_width:
            raise MXNetError(f"ImageRecordIter: record {header.id} has {values.size} labels, fewer "
                             f"than label_width={self.label_width}")
        label[row] = torch.from_numpy(values[:self.label_width].copy())
        s = self._settings
        channels = s.data_shape[0]
        decoded = image.imdecode(payload, flag=0 if channels == 1 else 1)._t
        if channels == 4:
            decoded = torch.cat([decoded, torch.full_like(decoded[..., :1], 255)], -1)
        rng = np.random.default_rng([self._seed_aug, epoch, sample])
        img = _augment(decoded, s, rng)
        chw = img.permute(2, 0, 1)
        dst = data[row] if self._layout == "NCHW" else data[row].permute(2, 0, 1)
        if self._dtype == torch.float32:
            # (pixel - mean) * scale / std, written straight into the batch
            torch.sub(chw, s.mean_img if s.mean_img is not None else s.mean, out=dst)
            if s.max_random_contrast > 0:
                dst.mul_(1.0 + rng.uniform(-s.max_random_contrast, s.max_random_contrast))
            if s.max_random_illumination > 0:
                dst.add_(rng.uniform(-s.max_random_illumination, s.max_random_illumination))
            if s.factor is not None:
                dst.mul_(s.factor)
        else:
            dst.copy_(chw.round().clamp(0, 255) if img.dtype != torch.uint8 else chw)

    def _record_label(self, header: Any) -> np.ndarray:
        """The labels of a record: from path_imglist when given (by the record's id), else from
        its header."""
        if self._label_map is None:
            return np.atleast_1d(np.asarray(header.label, dtype=np.float32))
        values = self._label_map.get(int(header.id))
        if values is None:
            raise MXNetError(f"{type(self).__name__}: record id {header.id} has no line in "
                             "path_imglist")
        return values

    # -- DataIter --------------------------------------------------------------------------------
    def _stop_reader(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._queue is not None:
            while True:   # let a reader blocked on a full queue see the stop
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, tuple):
                    for f in item[0]:
                        f.cancel()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join()
        self._reader = None

    def reset(self) -> None:
        """Start the next epoch. After an epoch read to its end it continues the record stream
        (skipping the images a padded last batch already used); midway, it restarts it."""
        self._stop_reader()
        if not self._exhausted or self._epoch_done:
            self._stream.next_epoch()
        self._epoch_done = False
        self._exhausted = False
        self._batch = None
        self._start()

    def iter_next(self) -> bool:
        if self._queue is None:
            return False
        item = self._queue.get()
        if item is _END:
            self._queue.put(_END)
            self._exhausted = True
            return False
        if isinstance(item, BaseException):
            self._queue.put(_END)
            raise item
        futures, data, label, pad = item
        for future in futures:
            future.result()
        labels = label[:, 0] if self.label_width == 1 else label
        self._batch = DataBatch([NDArray(data)], [NDArray(labels)], pad=pad,
                                provide_data=self.provide_data, provide_label=self.provide_label)
        return True

    def next(self) -> DataBatch:
        if self.iter_next():
            return self._batch
        raise StopIteration

    def getdata(self) -> list:
        return self._batch.data

    def getlabel(self) -> list:
        return self._batch.label

    def getpad(self) -> int:
        return self._batch.pad

    def getindex(self) -> Any:
        return None

    def close(self) -> None:
        """Stop the reader and the worker threads and close the file."""
        if getattr(self, "_closed", True):
            return
        self._closed = True
        self._stop_reader()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._stream.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001  (interpreter shutdown)
            pass


class ImageRecordUInt8Iter(ImageRecordIter):
    """:class:`ImageRecordIter` giving uint8 images (no normalisation): ``dtype='uint8'``."""

    _default_dtype = "uint8"


class ImageRecordInt8Iter(ImageRecordIter):
    """:class:`ImageRecordIter` giving int8 images: ``dtype='int8'``."""

    _default_dtype = "int8"


ImageRecordIter_v1 = ImageRecordIter
ImageRecordUInt8Iter_v1 = ImageRecordUInt8Iter
