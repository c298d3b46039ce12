"""Record MXNet 1.9.1's gluon.data behaviour (DataLoader batches, samplers, MNIST items, vision
transforms, mx.image) as goldens for mxtorch's tests.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_data.py [--only SECTION ...]
Writes tests/conformance/golden/data/<section>.npz. Sections: loader, sampler, mnist.
The mnist section reads ../shared/data/mnist (or $MXTORCH_MNIST).
"""
import argparse
import json
import os
import pathlib
import sys

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


SECTIONS = {"loader": gen_loader, "sampler": gen_sampler, "mnist": gen_mnist}


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
