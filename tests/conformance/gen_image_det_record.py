"""Write the goldens of mx.io.ImageDetRecordIter, mx.nd.imdecode and the index-less
ImageRecordIter settings with MXNet 1.9.1.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_image_det_record.py

The reference venv has no image encoder, so the pictures (gen_image_iter's gradients with a
block) are encoded by Pillow in the project venv (a subprocess): JPEG (quality 90) and PNG
alternately. Written under tests/conformance/golden/image_det_record/:

- ``det.rec``: eight images with detection labels in MXNet's header layout ``[header_width,
  object_width, extra header values..., (class, xmin, ymin, xmax, ymax, extra...) per object]``,
  header widths 2 and 4, object widths 5 and 6, one to four objects, one inverted box (dropped
  by MXNet's parser); ``det.lst``: other labels for the same record ids (``path_imglist``);
- ``rec.lst``: two labels per image of ../image_iter/images.rec;
- ``batches.npz``: ``det_<case>_data``/``_label``/``_pad`` for each case of ``CASES`` (two
  epochs where the case says so; float data stored as float16), ``part_<n>_<i>`` the labels of
  part i of n of images.rec without its index, ``lst_label`` the labels ImageRecordIter takes
  from rec.lst;
- ``imdecode.npz``: three small PNGs (RGB, RGBA, grey) and MXNet's OpenCV decode of each
  (colour and grey), from which the tests build what ``mx.nd.imdecode`` gives (see
  :func:`imdecode_goldens`), and the error MXNet 1.9.1's own ``mx.nd.imdecode`` raises.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_image_iter import ROOT, picture  # noqa: E402

OUT = HERE / "golden" / "image_det_record"
SIZES = [(40, 52), (52, 40), (36, 36), (45, 60), (64, 48), (30, 44), (48, 48), (33, 57)]
# (header, object width, objects)
LABELS = [
    ([2, 5], [[0, 0.1, 0.1, 0.6, 0.7]]),
    ([2, 5], [[1, 0.2, 0.3, 0.9, 0.8], [2, 0.0, 0.0, 0.4, 0.5]]),
    ([4, 5, 7, 8], [[3, 0.5, 0.1, 0.95, 0.45]]),
    ([2, 6], [[0, 0.05, 0.5, 0.5, 0.95, 0.25], [1, 0.3, 0.2, 0.7, 0.6, 0.5],
              [2, 0.6, 0.6, 0.9, 0.9, 0.75]]),
    ([2, 5], [[4, 0.7, 0.2, 0.3, 0.6], [5, 0.1, 0.2, 0.4, 0.9]]),   # the first box is inverted
    ([2, 5], [[1, 0.0, 0.0, 1.0, 1.0]]),
    ([2, 5], [[0, 0.1, 0.1, 0.3, 0.3], [1, 0.4, 0.4, 0.6, 0.6], [2, 0.7, 0.7, 0.9, 0.9],
              [3, 0.2, 0.6, 0.5, 0.95]]),
    ([4, 5, 1, 2], [[6, 0.25, 0.25, 0.75, 0.75]]),
]
MEAN = dict(mean_r=123.68, mean_g=116.28, mean_b=103.53)
STD = dict(std_r=58.395, std_g=57.12, std_b=57.375)
# name: (keyword arguments, epochs)
CASES = {
    "force": (dict(data_shape=(3, 24, 32), batch_size=3), 2),
    "force_norm": (dict(data_shape=(3, 24, 32), batch_size=3, **MEAN, **STD, scale=0.5), 1),
    "fit": (dict(data_shape=(3, 30, 30), batch_size=4, resize_mode="fit", **MEAN), 1),
    "shrink": (dict(data_shape=(3, 50, 50), batch_size=4, resize_mode="shrink", resize=40), 1),
    "gray": (dict(data_shape=(1, 20, 20), batch_size=4), 1),
    "pad_width": (dict(data_shape=(3, 16, 16), batch_size=5, label_pad_width=40,
                       label_pad_value=-2.5, round_batch=False), 1),
    "mirror": (dict(data_shape=(3, 24, 32), batch_size=4, rand_mirror_prob=1.0), 1),
    "imglist": (dict(data_shape=(3, 16, 16), batch_size=4, path_imglist="det.lst"), 1),
    "part_1_of_2": (dict(data_shape=(3, 16, 16), batch_size=2, num_parts=2, part_index=1), 1),
}

ENCODER = """
import json, sys
import numpy as np
from PIL import Image
for path, npy, fmt in json.loads(sys.argv[1]):
    Image.fromarray(np.load(npy)).save(path, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
"""


def encode_all(tmp: pathlib.Path) -> list:
    spec = []
    for i, (h, w) in enumerate(SIZES):
        npy = tmp / f"{i}.npy"
        np.save(npy, picture(i + 3, h, w))
        fmt = "JPEG" if i % 2 == 0 else "PNG"
        spec.append((str(tmp / f"{i}.{fmt.lower()}"), str(npy), fmt))
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", ENCODER, json.dumps(spec)],
                   check=True)
    return [pathlib.Path(path).read_bytes() for path, _, _ in spec]


def raw_label(header: list, objects: list) -> np.ndarray:
    return np.array(header + [v for obj in objects for v in obj], dtype=np.float32)


def epoch(it: mx.io.DataIter) -> tuple:
    data, labels, pads = [], [], []
    for batch in it:
        data.append(batch.data[0].asnumpy())
        labels.append(batch.label[0].asnumpy())
        pads.append(batch.pad)
    return np.concatenate(data), np.concatenate(labels), np.array(pads)


def det_goldens(goldens: dict) -> None:
    rec = str(OUT / "det.rec")
    for name, (kw, epochs) in CASES.items():
        kw = dict(kw, preprocess_threads=1, verbose=False)
        if "path_imglist" in kw:
            kw["path_imglist"] = str(OUT / kw["path_imglist"])
        it = mx.io.ImageDetRecordIter(path_imgrec=rec, **kw)
        for e in range(epochs):
            data, labels, pads = epoch(it)
            if kw.get("round_batch", True) is False:   # MXNet leaves the padded rows unset
                keep = len(data) - pads[-1]
                data, labels = data[:keep], labels[:keep]
            suffix = f"_{e}" if epochs > 1 else ""
            goldens[f"det_{name}_data{suffix}"] = data.astype(np.float16)
            goldens[f"det_{name}_label{suffix}"] = labels
            goldens[f"det_{name}_pad{suffix}"] = pads
            it.reset()


def record_iter_goldens(goldens: dict) -> None:
    rec = str(HERE / "golden" / "image_iter" / "images.rec")
    for parts in (2, 3):
        for i in range(parts):
            it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 16, 16), batch_size=2,
                                       resize=20, num_parts=parts, part_index=i,
                                       verbose=False)
            labels = []
            for batch in it:   # (round_batch=False would report no pad: read the padded count)
                labels.append(batch.label[0].asnumpy()[:2 - batch.pad])
            goldens[f"part_{parts}_{i}"] = np.concatenate(labels)
    it = mx.io.ImageRecordIter(path_imgrec=rec, data_shape=(3, 16, 16), batch_size=4, resize=20,
                               path_imglist=str(OUT / "rec.lst"), label_width=2, verbose=False)
    goldens["lst_label"] = epoch(it)[1]


def imdecode_goldens(tmp: pathlib.Path) -> None:
    """MXNet 1.9.1's nd.imdecode cannot decode an image under Python 3: it hands the bytes to
    C++ as a text parameter, which is cut at the first NUL and UTF-8 encoded (the error is
    recorded). Its C++ body is plain: OpenCV's decode (channels unchanged, or grey for
    channels=1); the first ``channels`` channels in OpenCV's BGR order (for three channels of an
    RGB or RGBA image, what OpenCV's colour decode gives); laid out (channels, height, width) as
    float32 (or the mean's dtype); clipped to (x0, y0, x1, y1) when y1 > y0; minus ``mean``.
    The tests apply exactly that to the pixels of MXNet's own OpenCV decode (mx.image.imdecode
    with to_rgb=0, which passes the buffer intact)."""
    rng = np.random.default_rng(3)
    arrays = {"rgb": rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8),
              "rgba": rng.integers(0, 256, size=(5, 7, 4), dtype=np.uint8),
              "grey": rng.integers(0, 256, size=(5, 7), dtype=np.uint8)}
    spec = []
    for name, arr in arrays.items():
        np.save(tmp / f"{name}.npy", arr)
        spec.append((str(tmp / f"{name}.png"), str(tmp / f"{name}.npy"), "PNG"))
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", ENCODER, json.dumps(spec)],
                   check=True)
    out = {}
    for (name, _), (path, _, _) in zip(arrays.items(), spec):
        png = pathlib.Path(path).read_bytes()
        out[f"{name}_png"] = np.frombuffer(png, dtype=np.uint8)
        out[f"{name}_cv_colour"] = mx.image.imdecode(png, flag=1, to_rgb=0).asnumpy()
        out[f"{name}_cv_grey"] = mx.image.imdecode(png, flag=0, to_rgb=0).asnumpy()
    try:
        mx.nd.imdecode(pathlib.Path(spec[0][0]).read_bytes())
    except mx.base.MXNetError as err:
        out["mxnet_error"] = np.array(str(err).strip().splitlines()[-1])
    np.savez_compressed(OUT / "imdecode.npz", **out)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        images = encode_all(pathlib.Path(tmp))
        imdecode_goldens(pathlib.Path(tmp))
    writer = mx.recordio.MXRecordIO(str(OUT / "det.rec"), "w")
    lst = []
    for i, ((header, objects), image) in enumerate(zip(LABELS, images)):
        label = raw_label(header, objects)
        writer.write(mx.recordio.pack(mx.recordio.IRHeader(len(label), label, i, 0), image))
        other = raw_label([2, 5], [[i % 3, 0.1 * (i % 4), 0.2, 0.5 + 0.05 * i, 0.9]])
        lst.append("\t".join([str(i)] + [repr(float(v)) for v in other] + [f"img{i}.jpg"]))
    writer.close()
    (OUT / "det.lst").write_text("\n".join(lst) + "\n")
    (OUT / "rec.lst").write_text("".join(f"{i}\t{i * 1.5}\t{10 - i}\timg{i}.jpg\n"
                                         for i in range(12)))
    goldens: dict = {}
    det_goldens(goldens)
    record_iter_goldens(goldens)
    np.savez_compressed(OUT / "batches.npz", **goldens)
    print(f"wrote {OUT}: {sorted(goldens)}")


if __name__ == "__main__":
    main()
