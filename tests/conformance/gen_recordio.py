"""Write RecordIO and im2rec goldens with MXNet 1.9.1.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_recordio.py

The reference venv has neither OpenCV's Python module (cv2) nor Pillow, so the small source
images are encoded once by Pillow in the project venv (``.venv/bin/python``, a subprocess) and
committed under ``tree/``; everything else is MXNet's:

- ``raw.rec``/``raw.idx``: ``MXIndexedRecordIO.write_idx`` of the payloads in ``raw.json`` (hex),
  among them payloads holding the RecordIO magic at aligned and unaligned offsets (split records);
- ``images.rec``/``images.idx``: ``recordio.pack(header, file bytes)``, which is what ``pack_img``
  does after OpenCV's encoder, for each image of ``tree/`` with the headers in ``images.json``
  (scalar labels with flag 0, multi-label headers whose flag is the label count, nonzero id2);
- ``pixels/<image>_{color,gray}.npy``: the images as MXNet decodes them (``mx.image.imdecode``, OpenCV
  inside libmxnet), colour RGB and grayscale;
- ``im2rec.lst``/``im2rec.rec``/``im2rec.idx``: MXNet's own ``tools/im2rec.py`` functions
  (``make_list`` with ``--recursive``, default shuffle; then its ``image_encode`` with
  ``--pass-through`` and the single-process writing loop of its ``__main__``), imported with an empty
  stand-in for cv2 since those paths never call OpenCV;
- ``im2rec_split_{test,train,val}.lst``: ``make_list`` with ``--no-shuffle --train-ratio 0.5
  --test-ratio 0.25``; ``im2rec_multi.lst``/``.rec``/``.idx``: a three-label list packed with
  ``--pack-label --pass-through``.

im2rec's decoding path (cv2.imread, cv2.resize, cv2.imencode) cannot run here; mxtorch's re-encoding
im2rec is checked against ``pixels/`` and ``mx.image``-style resizing in tests/test_im2rec.py.
"""
import argparse
import json
import os
import pathlib
import queue
import shutil
import subprocess
import sys
import types

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "golden" / "recordio"
TREE = OUT / "tree"

MAGIC = (0xCED7230A).to_bytes(4, "little")
RAW_PAYLOADS = [b"", b"a", b"abcd", b"abcde" * 3, MAGIC, b"xx" + MAGIC + b"yy",
                b"abcd" + MAGIC + b"ef" + MAGIC + MAGIC + b"z", b"qqqq" + MAGIC, MAGIC * 3,
                bytes(range(256)) * 3]

# (relative path, height, width, mode) of the source images; a .txt file that im2rec must skip
IMAGES = [("ant/a0.png", 6, 9, "RGB"), ("ant/a1.png", 8, 5, "L"), ("ant/a2.jpg", 12, 16, "RGB"),
          ("bee/b0.jpg", 16, 10, "RGB"), ("bee/b1.png", 7, 7, "RGBA"), ("bee/sub/b2.jpeg", 9, 13, "RGB"),
          ("top.png", 5, 6, "RGB")]

ENCODER = r"""
import sys, json
import numpy as np
from PIL import Image
for path, h, w, mode in json.loads(sys.argv[1]):
    rng = np.random.RandomState(h * 100 + w)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1), (xx + yy) * 127 // (h + w)], -1)
    arr = np.clip(base + rng.randint(-20, 21, base.shape), 0, 255).astype(np.uint8)
    if mode == "L":
        img = Image.fromarray(arr[:, :, 0], "L")
    elif mode == "RGBA":
        alpha = (rng.randint(0, 256, (h, w)) | 1).astype(np.uint8)
        img = Image.fromarray(np.dstack([arr, alpha]), "RGBA")
    else:
        img = Image.fromarray(arr, "RGB")
    if path.endswith((".jpg", ".jpeg")):
        img.save(path, quality=90)
    else:
        img.save(path)
"""


def _make_tree() -> None:
    if TREE.exists():
        shutil.rmtree(TREE)
    for rel, *_ in IMAGES:
        (TREE / rel).parent.mkdir(parents=True, exist_ok=True)
    (TREE / "bee" / "notes.txt").write_text("not an image\n")
    spec = [[str(TREE / rel), h, w, mode] for rel, h, w, mode in IMAGES]
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", ENCODER, json.dumps(spec)], check=True)


def _raw() -> None:
    rec = mx.recordio.MXIndexedRecordIO(str(OUT / "raw.idx"), str(OUT / "raw.rec"), "w")
    for i, payload in enumerate(RAW_PAYLOADS):
        rec.write_idx(i * 3 + 1, payload)
    rec.close()
    (OUT / "raw.json").write_text(json.dumps({"keys": [i * 3 + 1 for i in range(len(RAW_PAYLOADS))],
                                              "payloads": [p.hex() for p in RAW_PAYLOADS]}, indent=1))


def _images() -> None:
    headers = []
    rec = mx.recordio.MXIndexedRecordIO(str(OUT / "images.idx"), str(OUT / "images.rec"), "w")
    (OUT / "pixels").mkdir(exist_ok=True)
    for i, (rel, *_rest) in enumerate(IMAGES):
        if i % 3 == 0:
            label = float(i) + 0.5
        elif i % 3 == 1:
            label = [float(i), -1.25, 3.0]
        else:
            label = [7.0 + i]
        header = mx.recordio.IRHeader(99, label, 1000 + i, i % 2)
        buf = (TREE / rel).read_bytes()
        rec.write_idx(i, mx.recordio.pack(header, buf))
        headers.append({"path": rel, "label": label, "id": 1000 + i, "id2": i % 2})
        stem = rel.replace("/", "_").rsplit(".", 1)[0]
        np.save(OUT / "pixels" / f"{stem}_color.npy", mx.image.imdecode(buf, flag=1).asnumpy())
        np.save(OUT / "pixels" / f"{stem}_gray.npy", mx.image.imdecode(buf, flag=0).asnumpy())
    rec.close()
    (OUT / "images.json").write_text(json.dumps(headers, indent=1))


def _mxnet_im2rec() -> types.ModuleType:
    sys.modules.setdefault("cv2", types.ModuleType("cv2"))   # never called on these paths
    path = pathlib.Path(mx.__file__).parent / "tools" / "im2rec.py"
    module = types.ModuleType("mxnet_im2rec")
    module.__file__ = str(path)
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    return module


def _args(**kw) -> argparse.Namespace:
    args = dict(root=str(TREE), list=True, exts=[".jpeg", ".jpg", ".png"], chunks=1, train_ratio=1.0,
                test_ratio=0, recursive=True, shuffle=True, pass_through=True, resize=0, center_crop=False,
                quality=95, num_thread=1, color=1, encoding=".jpg", pack_label=False)
    args.update(kw)
    return argparse.Namespace(**args)


def _pack_list(im2rec: types.ModuleType, args: argparse.Namespace, name: str) -> None:
    """The single-process loop of im2rec's __main__ for OUT/<name>.lst."""
    record = mx.recordio.MXIndexedRecordIO(str(OUT / f"{name}.idx"), str(OUT / f"{name}.rec"), "w")
    q_out = queue.Queue()
    for i, item in enumerate(im2rec.read_list(str(OUT / f"{name}.lst"))):
        im2rec.image_encode(args, i, item, q_out)
        _, s, _ = q_out.get()
        record.write_idx(item[0], s)
    record.close()


def _im2rec() -> None:
    im2rec = _mxnet_im2rec()
    cwd = os.getcwd()
    os.chdir(OUT)    # the .lst paths are relative to root either way; keep printed paths short
    try:
        im2rec.make_list(_args(prefix=str(OUT / "im2rec")))
        im2rec.make_list(_args(prefix=str(OUT / "im2rec_split"), shuffle=False, train_ratio=0.5,
                               test_ratio=0.25))
    finally:
        os.chdir(cwd)
    _pack_list(im2rec, _args(prefix=str(OUT / "im2rec")), "im2rec")
    lines = []
    for i, (rel, *_rest) in enumerate(IMAGES):
        labels = "".join("%f\t" % v for v in (i, i * 0.5, -i))
        lines.append("%d\t%s%s\n" % (10 + i, labels, rel))
    (OUT / "im2rec_multi.lst").write_text("".join(lines))
    _pack_list(im2rec, _args(prefix=str(OUT / "im2rec_multi"), pack_label=True), "im2rec_multi")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    _make_tree()
    _raw()
    _images()
    _im2rec()
    (OUT / "versions.json").write_text(json.dumps({"mxnet": mx.__version__, "numpy": np.__version__}))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
