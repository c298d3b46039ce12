"""What MXNet 1.9.1's gluon.contrib.nn.PixelShuffle1D/2D/3D give for small arange inputs.

    .ref/bin/python tests/conformance/gen_pixel_shuffle.py

Each case's input is ``arange`` over its shape, so only the shapes, factors and outputs are saved,
in golden/gluon/pixel_shuffle.npz (out_<case>), with the layers' repr in pixel_shuffle.json;
tests/gluon/contrib/test_pixel_shuffle.py replays them imperative and hybridized.
"""
import json
import pathlib

import mxnet as mx
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "gluon"

# case -> (layer, factor, input shape)
CASES = {
    "1d": ("PixelShuffle1D", 3, (2, 6, 4)),
    "2d": ("PixelShuffle2D", (2, 3), (2, 12, 2, 3)),
    "2d_int": ("PixelShuffle2D", 2, (1, 8, 3, 2)),
    "3d": ("PixelShuffle3D", (1, 2, 2), (1, 8, 2, 2, 3)),
}


def main() -> None:
    outputs, meta = {}, {}
    for case, (layer, factor, shape) in CASES.items():
        block = getattr(mx.gluon.contrib.nn, layer)(factor)
        x = mx.nd.arange(int(np.prod(shape))).reshape(shape)
        outputs[f"out_{case}"] = block(x).asnumpy()
        meta[case] = {"layer": layer, "factor": factor, "shape": list(shape), "repr": repr(block)}
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "pixel_shuffle.npz", **outputs)
    (OUT / "pixel_shuffle.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
