"""Write the golden of ``mxtorch predict``'s ImageNet evaluation transform with MXNet 1.9.1.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_predict.py

The transform is the one MXNet's Gluon tutorials evaluate ImageNet models with:
``Resize(256, keep_ratio=True)`` (the shorter side to 256, OpenCV's bilinear interpolation),
``CenterCrop(224)``, ``ToTensor()``, ``Normalize(mean, std)``. For each input size (one image
shrunk, one enlarged) it writes tests/conformance/golden/predict/evaluation_transform.npz with
``<H>x<W>``: every 8th row and column of the (3, 224, 224) output (float32). The inputs are
tests/apps/sample_images.py's patterns, which the test rebuilds.
"""
import pathlib
import sys

import mxnet as mx
import numpy as np
from mxnet.gluon.data.vision import transforms

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "apps"))
from sample_images import SIZES, pattern  # noqa: E402

OUT = HERE / "golden" / "predict" / "evaluation_transform.npz"
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def main() -> None:
    transform = transforms.Compose([transforms.Resize(256, keep_ratio=True), transforms.CenterCrop(224),
                                    transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    goldens = {}
    for height, width in SIZES:
        out = transform(mx.nd.array(pattern(height, width), dtype="uint8")).asnumpy()
        goldens[f"{height}x{width}"] = out[:, ::8, ::8].astype(np.float32)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **goldens)
    print(f"wrote {OUT}: {sorted(goldens)}")


if __name__ == "__main__":
    main()
