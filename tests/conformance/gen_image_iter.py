"""Write the image iterator goldens with MXNet 1.9.1.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_image_iter.py

The reference venv has no image encoder (neither cv2 nor Pillow), so twelve small pictures
(smooth gradients with a block, sizes 30 to 64 pixels) are encoded as JPEG (quality 90) by Pillow
in the project venv (a subprocess); everything else is MXNet's. Written under
tests/conformance/golden/image_iter/:

- ``images.rec``/``images.idx``: ``MXIndexedRecordIO.write_idx(i, recordio.pack(IRHeader(0, label,
  i, 0), jpeg))`` with labels ``i % 4``;
- ``det.rec``: four of the JPEGs with detection labels in MXNet's header layout
  (``[2, 5, class, xmin, ymin, xmax, ymax, ...]``, one to three objects);
- ``batches.npz``: what MXNet's iterators give on them, deterministic settings only:
  ``rec_*``: ``mx.io.ImageRecordIter(batch_size=5, data_shape=(3, 16, 16), resize=20, mean_r/g/b,
  std_r/g/b, preprocess_threads=2)``, two epochs (the first ends with a padded batch, the second
  starts after the images that batch borrowed); ``u8_*``: ``mx.io.ImageRecordUInt8Iter`` with a
  centre crop only (pure decoding); ``affine_*``: its fixed rotations (30 and 90 degrees) and a
  fixed rescale with a fixed aspect ratio (first batch); ``imageiter_*``: ``mx.image.ImageIter``
  with ``path_imgidx``, ``resize=20``, ``mean``/``std`` arrays; ``det_*``:
  ``mx.image.ImageDetIter`` with its default augmenters (force resize, cast). Image data is
  stored as float16 to keep the file small;
- ``augmenters.npz``: each ``mx.image`` augmenter (and detection augmenter) applied to one small
  image after ``random.seed(k)``/``np.random.seed(k)``: MXNet draws from Python's and NumPy's
  global generators, so the same seeds must give the same output; and ``imrotate``/``random_rotate``.
"""
import json
import pathlib
import random
import subprocess
import tempfile

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "golden" / "image_iter"
SIZES = [(40, 52), (52, 40), (36, 36), (45, 60), (64, 48), (30, 44),
         (48, 48), (33, 57), (60, 38), (42, 42), (50, 35), (38, 61)]
MEAN = (123.68, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)
DET_LABELS = [[0, 0.1, 0.1, 0.6, 0.7],
              [1, 0.2, 0.3, 0.9, 0.8, 2, 0.0, 0.0, 0.4, 0.5],
              [3, 0.5, 0.1, 0.95, 0.45],
              [0, 0.05, 0.5, 0.5, 0.95, 1, 0.3, 0.2, 0.7, 0.6, 2, 0.6, 0.6, 0.9, 0.9]]

ENCODER = """
import io, json, sys
import numpy as np
from PIL import Image
spec = json.loads(sys.argv[1])
for path, npy in spec:
    Image.fromarray(np.load(npy)).save(path, format="JPEG", quality=90)
"""


def picture(index: int, height: int, width: int) -> np.ndarray:
    """A smooth RGB gradient with a flat block: JPEG keeps it close, so decoders agree."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    img = np.stack([xx * 255 / (width - 1), yy * 255 / (height - 1),
                    np.full_like(xx, (37 * index) % 256)], -1)
    y0, x0 = height // 4 + index % 3, width // 3 - index % 2
    img[y0:y0 + height // 3, x0:x0 + width // 4] = ((60 * index) % 256, 200, 90)
    return img.round().astype(np.uint8)


def encode_all(tmp: pathlib.Path) -> list:
    spec = []
    for i, (h, w) in enumerate(SIZES):
        npy = tmp / f"{i}.npy"
        np.save(npy, picture(i, h, w))
        spec.append((str(tmp / f"{i}.jpg"), str(npy)))
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", ENCODER, json.dumps(spec)],
                   check=True)
    return [pathlib.Path(path).read_bytes() for path, _ in spec]


def epoch(it: mx.io.DataIter) -> tuple:
    data, labels, pads = [], [], []
    for batch in it:
        data.append(batch.data[0].asnumpy())
        labels.append(batch.label[0].asnumpy())
        pads.append(batch.pad)
    return np.concatenate(data), np.concatenate(labels), np.array(pads)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        jpegs = encode_all(pathlib.Path(tmp))
    rec_path, idx_path = str(OUT / "images.rec"), str(OUT / "images.idx")
    writer = mx.recordio.MXIndexedRecordIO(idx_path, rec_path, "w")
    for i, jpeg in enumerate(jpegs):
        writer.write_idx(i, mx.recordio.pack(mx.recordio.IRHeader(0, float(i % 4), i, 0), jpeg))
    writer.close()
    det_writer = mx.recordio.MXRecordIO(str(OUT / "det.rec"), "w")
    for i, objects in enumerate(DET_LABELS):
        label = np.array([2, 5] + objects, dtype=np.float32)
        det_writer.write(mx.recordio.pack(mx.recordio.IRHeader(len(label), label, i, 0), jpegs[i]))
    det_writer.close()

    goldens = {}
    norm = dict(mean_r=MEAN[0], mean_g=MEAN[1], mean_b=MEAN[2], std_r=STD[0], std_g=STD[1], std_b=STD[2])
    it = mx.io.ImageRecordIter(path_imgrec=rec_path, data_shape=(3, 16, 16), batch_size=5, resize=20,
                               preprocess_threads=2, **norm)
    for e in range(2):
        data, labels, pads = epoch(it)
        goldens[f"rec_data_{e}"] = data.astype(np.float16)
        goldens[f"rec_label_{e}"] = labels
        goldens[f"rec_pad_{e}"] = pads
        it.reset()
    it = mx.io.ImageRecordUInt8Iter(path_imgrec=rec_path, data_shape=(3, 28, 28), batch_size=6)
    goldens["u8_data"], goldens["u8_label"], goldens["u8_pad"] = epoch(it)

    for key, kw in (("affine_rotate30", dict(rotate=30, fill_value=0)),
                    ("affine_rotate90", dict(rotate=90, fill_value=9)),
                    ("affine_scale_ratio", dict(min_random_scale=0.7, max_random_scale=0.7,
                                                min_aspect_ratio=1.25, max_aspect_ratio=1.25))):
        it = mx.io.ImageRecordUInt8Iter(path_imgrec=rec_path, data_shape=(3, 28, 28), batch_size=6,
                                        **kw)
        goldens[key] = it.next().data[0].asnumpy()

    it = mx.image.ImageIter(batch_size=5, data_shape=(3, 16, 16), path_imgrec=rec_path,
                            path_imgidx=idx_path, resize=20, mean=np.array(MEAN), std=np.array(STD))
    data, labels, pads = epoch(it)
    goldens["imageiter_data"], goldens["imageiter_label"], goldens["imageiter_pad"] = \
        data.astype(np.float16), labels, pads

    it = mx.image.ImageDetIter(batch_size=4, data_shape=(3, 16, 16), path_imgrec=str(OUT / "det.rec"))
    data, labels, pads = epoch(it)
    goldens["det_data"], goldens["det_label"], goldens["det_pad"] = data.astype(np.float16), labels, pads
    goldens["det_label_shape"] = np.array(it.label_shape)

    np.savez_compressed(OUT / "batches.npz", **goldens)
    augmenters()
    print(f"wrote {OUT}: {sorted(goldens)}")


def aug_input() -> np.ndarray:
    return picture(5, 12, 10).astype(np.float32)


DET_INPUT = np.array([[0, 0.1, 0.2, 0.5, 0.6], [1, 0.4, 0.3, 0.9, 0.95]], dtype=np.float32)


def augmenter_cases() -> dict:
    img = mx.image
    return {
        "brightness": img.BrightnessJitterAug(0.4), "contrast": img.ContrastJitterAug(0.4),
        "saturation": img.SaturationJitterAug(0.4), "hue": img.HueJitterAug(0.3),
        "colorjitter": img.ColorJitterAug(0.3, 0.3, 0.3),
        "lighting": img.LightingAug(0.5, np.array([55.46, 4.794, 1.148]),
                                    np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140],
                                              [-0.5836, -0.6948, 0.4203]])),
        "gray": img.RandomGrayAug(1.0), "flip": img.HorizontalFlipAug(1.0),
        "randomcrop": img.RandomCropAug((6, 7), 1),
        "randomsizedcrop": img.RandomSizedCropAug((6, 6), 0.3, (0.75, 1.33), 1),
        "centercrop": img.CenterCropAug((6, 5), 1), "resize": img.ResizeAug(6, 1),
        "forceresize": img.ForceResizeAug((7, 5), 1),
        "normalize": img.ColorNormalizeAug(np.array([100.0, 110.0, 120.0]), np.array([50.0, 60.0, 70.0])),
        "randomorder": img.RandomOrderAug([img.BrightnessJitterAug(0.2), img.ContrastJitterAug(0.2)]),
    }


def det_cases() -> dict:
    img = mx.image
    return {"detflip": img.DetHorizontalFlipAug(1.0),
            "detcrop": img.DetRandomCropAug(min_object_covered=0.1, area_range=(0.3, 1.0)),
            "detpad": img.DetRandomPadAug(area_range=(1.5, 3.0), pad_val=(10, 20, 30))}


def augmenters() -> None:
    out = {"input": aug_input(), "det_input": DET_INPUT}
    for k, (name, aug) in enumerate(augmenter_cases().items()):
        random.seed(k)
        np.random.seed(k)
        out[name] = aug(mx.nd.array(aug_input())).asnumpy()
        out[name + "_dumps"] = np.array(json.dumps(aug.dumps()))
    for k, (name, aug) in enumerate(det_cases().items()):
        random.seed(100 + k)
        np.random.seed(100 + k)
        src, label = aug(mx.nd.array(aug_input()), DET_INPUT.copy())
        out[name] = src.asnumpy()
        out[name + "_label"] = np.asarray(label, dtype=np.float32)
    augs = mx.image.CreateAugmenter((3, 8, 8), resize=10, rand_crop=True, rand_resize=True, rand_mirror=True,
                                    mean=True, std=True, brightness=0.1, contrast=0.1, saturation=0.1,
                                    hue=0.1, pca_noise=0.1, rand_gray=0.1)
    out["create_dumps"] = np.array(json.dumps([a.dumps() for a in augs]))
    det = mx.image.CreateDetAugmenter((3, 8, 8), resize=10, rand_crop=0.5, rand_pad=0.5,
                                      rand_mirror=True, mean=True, std=True, brightness=0.1,
                                      hue=0.1, pca_noise=0.1, rand_gray=0.1)
    out["createdet_dumps"] = np.array(json.dumps([a.dumps() for a in det]))
    chw = mx.nd.array(aug_input().transpose(2, 0, 1))
    out["rotate_plain"] = mx.image.imrotate(chw, 30).asnumpy()
    out["rotate_zoom_in"] = mx.image.imrotate(chw, -50, zoom_in=True).asnumpy()
    out["rotate_zoom_out"] = mx.image.imrotate(chw, 75, zoom_out=True).asnumpy()
    np.random.seed(7)
    out["rotate_random_batch"] = mx.image.random_rotate(mx.nd.stack(chw, chw * 0.5), (-40, 40)).asnumpy()
    np.savez_compressed(OUT / "augmenters.npz", **out)


if __name__ == "__main__":
    main()
