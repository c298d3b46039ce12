"""Record MXNet 1.9.1's gluon.data behaviour (DataLoader batches, samplers, MNIST items, vision
transforms, mx.image) as goldens for mxtorch's tests.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_data.py [--only SECTION ...]
Writes tests/conformance/golden/data/<section>.npz. Sections: loader, sampler, mnist, image,
transforms.
The mnist section reads ../shared/data/mnist (or $MXTORCH_MNIST). The image section encodes its
JPEG input with the project venv's Pillow (the reference venv has no image library).
"""
import argparse
import json
import os
import pathlib
import struct
import subprocess
import sys
import zlib

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "gluon" / "data"))
import cases  # noqa: E402

OUT = HERE / "golden" / "data"


def _leaf(value):
    kind = type(value).__name__
    arr = value.asnumpy() if isinstance(value, mx.nd.NDArray) else np.asarray(value)
    return kind, arr


def gen_loader() -> dict:
    """Two epochs of each DataLoader case: every leaf's container type, dtype and values."""
    result, index = {}, {}
    for name, (dataset, kwargs) in cases.loader_cases(mx).items():
        loader = mx.gluon.data.DataLoader(dataset, **kwargs)
        batches = [b for _ in range(2) for b in loader]
        index[name] = []
        for bi, batch in enumerate(batches):
            leaves = cases.flatten(batch)
            index[name].append([path for path, _ in leaves])
            for path, value in leaves:
                kind, arr = _leaf(value)
                result[f"{name}/{bi}/{path}"] = arr
                result[f"{name}/{bi}/{path}/type"] = np.array(kind)
    result["index"] = np.array(json.dumps(index))
    return result


def gen_sampler() -> dict:
    """numpy-seeded shuffles: RandomSampler and a shuffling DataLoader."""
    np.random.seed(0)
    random_sampler = np.array(list(mx.gluon.data.RandomSampler(10)))
    np.random.seed(1)
    loader = mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(np.arange(10, dtype=np.float32)),
                                      batch_size=4, shuffle=True, last_batch="discard")
    shuffled = np.stack([b.asnumpy() for b in loader])
    return {"random_sampler_seed0": random_sampler, "shuffled_loader_seed1": shuffled}


def gen_mnist() -> dict:
    """MNIST test split as MXNet reads it: item types, first images and labels, a batch."""
    import mxnet.gluon.utils as gluon_utils
    # The shared copy is re-compressed (same content, other gzip bytes), so MXNet's check of the
    # published .gz SHA-1 would reject it and try to download: accept it here.
    gluon_utils.check_sha1 = lambda *args, **kwargs: True
    root = os.environ.get("MXTORCH_MNIST", str(HERE.parents[2] / "shared" / "data" / "mnist"))
    ds = mx.gluon.data.vision.MNIST(root=root, train=False)
    image, label = ds[0]
    x, y = next(iter(mx.gluon.data.DataLoader(ds, batch_size=5)))
    return {"item_types": np.array([type(image).__name__, type(label).__name__]),
            "item_dtypes": np.array([np.dtype(image.dtype).name, np.dtype(label.dtype).name]),
            "images": x.asnumpy(), "batch_labels": y.asnumpy(), "labels": ds._label[:50],
            "length": np.array(len(ds))}


def _image_inputs() -> dict:
    rng = np.random.RandomState(0)
    yy, xx = np.mgrid[0:25, 0:33]
    smooth = np.stack([(xx * 4) % 256, (yy * 6) % 256, ((xx + yy) * 3) % 256], -1)
    big = np.clip(smooth + rng.randint(-40, 40, smooth.shape), 0, 255).astype(np.uint8)
    img = rng.randint(0, 256, (6, 7, 3)).astype(np.uint8)
    return {"img": img, "imgf": img.astype(np.float32), "imgn": img.astype(np.float32) / 255,
            "gray": rng.randint(0, 256, (5, 7, 1)).astype(np.uint8),
            "batch": rng.randint(0, 256, (2, 6, 7, 3)).astype(np.uint8),
            "big": big, "bigf": big.astype(np.float32),
            "tensor": rng.uniform(0, 1, (3, 6, 7)).astype(np.float32),
            "tensor1": rng.uniform(0, 1, (1, 6, 7)).astype(np.float32),
            "tensors": rng.uniform(0, 1, (2, 3, 6, 7)).astype(np.float32),
            # even width: MXNet leaves the middle column of an odd-width flip unwritten
            "img8": rng.randint(0, 256, (5, 8, 3)).astype(np.uint8)}


def _image_cases() -> list:
    """(name, function, input, kwargs): nd.image operators and mx.image functions. A list value
    is passed as a float32 NDArray (tuples stay tuples)."""
    cases = [("to_tensor_u8", "nd.image.to_tensor", "img", {}),
             ("to_tensor_f32", "nd.image.to_tensor", "imgf", {}),
             ("to_tensor_batch", "nd.image.to_tensor", "batch", {}),
             ("normalize_tuple", "nd.image.normalize", "tensor",
              {"mean": (0.1, 0.2, 0.3), "std": (0.5, 0.25, 2.0)}),
             ("normalize_scalar", "nd.image.normalize", "tensor", {"mean": 0.5, "std": 0.25}),
             ("normalize_gray", "nd.image.normalize", "tensor1", {"mean": 0.5, "std": 0.25}),
             ("normalize_batch", "nd.image.normalize", "tensors",
              {"mean": (0.1, 0.2, 0.3), "std": (0.5, 0.25, 2.0)}),
             ("crop", "nd.image.crop", "img", {"x": 1, "y": 2, "width": 3, "height": 2}),
             ("crop_batch", "nd.image.crop", "batch", {"x": 1, "y": 2, "width": 3, "height": 2}),
             ("flip_left_right", "nd.image.flip_left_right", "img8", {}),
             ("flip_top_bottom", "nd.image.flip_top_bottom", "img", {}),
             ("lighting_u8", "nd.image.adjust_lighting", "img", {"alpha": (0.1, -0.2, 0.3)}),
             ("lighting_f32", "nd.image.adjust_lighting", "imgf", {"alpha": (1.0, 0.5, -2.0)}),
             ("resize_int", "nd.image.resize", "img", {"size": 4}),
             ("resize_keep", "nd.image.resize", "img", {"size": 4, "keep_ratio": True}),
             ("resize_tuple", "nd.image.resize", "big", {"size": (15, 11)}),
             ("resize_batch", "nd.image.resize", "batch", {"size": (3, 4)}),
             ("resize_f32_cubic", "nd.image.resize", "bigf", {"size": (40, 30), "interp": 2}),
             ("resize_short", "image.resize_short", "big", {"size": 20}),
             ("resize_short_auto", "image.resize_short", "big", {"size": 30, "interp": 9}),
             ("center_crop", "image.center_crop", "big", {"size": (20, 30)}),
             ("center_crop_up", "image.center_crop", "big", {"size": (40, 30), "interp": 1}),
             ("fixed_crop", "image.fixed_crop", "big", {"x0": 3, "y0": 4, "w": 20, "h": 10}),
             ("fixed_crop_resize", "image.fixed_crop", "big",
              {"x0": 3, "y0": 4, "w": 20, "h": 10, "size": (10, 5)}),
             ("color_normalize", "image.color_normalize", "bigf",
              {"mean": [123.0, 117.0, 104.0], "std": [58.4, 57.1, 57.4]})]
    for name in ("brightness", "contrast", "saturation", "hue"):
        for factor in (0.5, 1.3):
            for key in ("img", "imgf", "imgn"):
                cases.append((f"{name}_{factor}_{key}", f"nd.image.random_{name}", key,
                              {"min_factor": factor, "max_factor": factor}))
        if name != "hue":  # MXNet leaves a 1-channel hue result unwritten
            cases.append((f"{name}_gray", f"nd.image.random_{name}", "gray",
                          {"min_factor": 0.5, "max_factor": 0.5}))
    for interp in range(5):
        for w, h in ((15, 11), (50, 40), (33, 12), (20, 35), (17, 13)):
            for key in ("big", "bigf") if (w, h) in ((15, 11), (20, 35)) else ("big",):
                cases.append((f"imresize_{interp}_{w}x{h}_{key}", "image.imresize", key,
                              {"w": w, "h": h, "interp": interp}))
    return cases


def _png(img: np.ndarray) -> bytes:
    """A PNG file (8-bit grey, RGB or RGBA) written with zlib only."""
    h, w, c = img.shape
    kind = {1: 0, 3: 2, 4: 6}[c]
    raw = b"".join(b"\0" + img[y].tobytes() for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + \
            struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, kind, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _jpeg(img: np.ndarray) -> bytes:
    venv_python = HERE.parents[1] / ".venv" / "bin" / "python"
    script = ("import io, sys, numpy as np; from PIL import Image; "
              "a = np.frombuffer(sys.stdin.buffer.read(), np.uint8).reshape(%d, %d, 3); "
              "b = io.BytesIO(); Image.fromarray(a).save(b, 'JPEG', quality=90); "
              "sys.stdout.buffer.write(b.getvalue())" % img.shape[:2])
    return subprocess.run([str(venv_python), "-c", script], input=img.tobytes(),
                          capture_output=True, check=True).stdout


def gen_image() -> dict:
    """nd.image operators and mx.image functions on small images, and decoding."""
    inputs = _image_inputs()
    result = {f"input/{k}": v for k, v in inputs.items()}
    for name, fn_path, key, kwargs in _image_cases():
        fn = mx
        for part in fn_path.split("."):
            fn = getattr(fn, part)
        kwargs = {k: mx.nd.array(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        out = fn(mx.nd.array(inputs[key], dtype=inputs[key].dtype), **kwargs)
        if isinstance(out, tuple):  # crops return (image, (x, y, width, height))
            result[f"{name}/rect"] = np.array(out[1])
            out = out[0]
        result[f"{name}/out"] = out.asnumpy()
    result["cases"] = np.array(json.dumps(_image_cases()))
    result["scale_down"] = np.array([mx.image.scale_down((640, 480), (720, 120)),
                                     mx.image.scale_down((100, 300), (200, 100))])
    big = inputs["big"]
    rgba = np.concatenate([big, np.full(big.shape[:2] + (1,), 200, np.uint8)], -1)
    files = {"png_rgb": _png(big), "png_gray": _png(big[..., :1]), "png_rgba": _png(rgba),
             "jpeg": _jpeg(big)}
    for name, blob in files.items():
        result[f"file/{name}"] = np.frombuffer(blob, np.uint8)
        for flag in (0, 1):
            for to_rgb in (0, 1):
                result[f"decode/{name}/{flag}/{to_rgb}"] = mx.image.imdecode(
                    blob, flag=flag, to_rgb=to_rgb).asnumpy()
    return result


def gen_transforms() -> dict:
    """Deterministic gluon.data.vision.transforms on the image section's inputs."""
    inputs = _image_inputs()
    result = {}
    for name, (transform, key) in cases.transform_cases(mx.gluon.data.vision.transforms).items():
        x = inputs[key]
        result[name] = transform(mx.nd.array(x, dtype=x.dtype)).asnumpy()
    return result


SECTIONS = {"loader": gen_loader, "sampler": gen_sampler, "mnist": gen_mnist, "image": gen_image,
            "transforms": gen_transforms}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), help="sections to (re)generate")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, fn in SECTIONS.items():
        if args.only and name not in args.only:
            continue
        np.savez_compressed(OUT / f"{name}.npz", **fn())
        print("wrote", name)


if __name__ == "__main__":
    main()
