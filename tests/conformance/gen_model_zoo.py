"""Model-zoo goldens: MXNet 1.9.1 builds each architecture, writes its parameters, and runs it.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_model_zoo.py

The weights are random but low-entropy (ternary values times a power of two per tensor), so the
parameter files MXNet writes compress to a small fraction of their size with lzma and the golden
folder stays small; the network still computes a non-trivial function of its input. For each model
it writes <name>.params.xz (MXNet's save_parameters output, lzma-compressed), and <name>.npz with the
input (int8, divided by 4 before use), MXNet's logits, and the parameter names and shapes.
"""
import lzma
import pathlib

import mxnet as mx
import numpy as np
from mxnet.gluon.model_zoo import vision

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "model_zoo"
# (model, input side): the smallest input each architecture accepts with its fixed-size pools
MODELS = [("resnet18_v1", 64), ("resnet50_v2", 64), ("vgg11_bn", 32), ("densenet121", 224),
          ("squeezenet1.1", 224), ("mobilenet0.25", 64), ("mobilenetv2_0.25", 64),
          ("inceptionv3", 299)]
CLASSES = 10


def ternary(rng, shape, p_nonzero=0.05):
    return rng.choice([-1.0, 0.0, 1.0], size=shape, p=[p_nonzero / 2, 1 - p_nonzero, p_nonzero / 2])


def low_entropy_value(rng, name, shape, min_taps=0):
    """A ternary tensor times a power of two; ``min_taps`` raises the share of non-zero weights so
    that a filter with a small fan-in (depthwise) keeps about that many, instead of none."""
    if name.endswith("running_var"):
        return 1.0 + 0.5 * rng.choice([0.0, 1.0], size=shape)
    if name.endswith(("running_mean", "beta")):
        return 0.125 * ternary(rng, shape)
    if name.endswith("gamma"):
        return 1.0 + 0.25 * ternary(rng, shape)
    if name.endswith("bias"):
        return 0.0625 * ternary(rng, shape)
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    p_nonzero = max(0.05, min(1 / 3, min_taps / fan_in))
    scale = 2.0 ** np.round(np.log2(np.sqrt(2.0 / (p_nonzero * fan_in))))
    return scale * ternary(rng, shape, p_nonzero)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, side in MODELS:
        rng = np.random.RandomState(0)
        net = vision.get_model(name, classes=CLASSES)
        net.initialize(mx.init.Xavier())
        x_int = rng.randint(-8, 9, size=(2, 3, side, side)).astype(np.int8)
        x = mx.nd.array(x_int.astype(np.float32) / 4)
        net(x)  # completes deferred shapes
        params = net.collect_params()
        for pname, p in params.items():
            p.set_data(mx.nd.array(low_entropy_value(rng, pname, p.shape)))
        logits = net(x).asnumpy()
        tmp = OUT / f"{name}.params"
        net.save_parameters(str(tmp))
        (OUT / f"{name}.params.xz").write_bytes(lzma.compress(tmp.read_bytes(), preset=9))
        tmp.unlink()
        names = np.array(list(params.keys()))
        shapes = np.array([",".join(map(str, p.shape)) for p in params.values()])
        structural = np.array(list(net._collect_params_with_prefix().keys()))
        np.savez_compressed(OUT / f"{name}.npz", input=x_int, logits=logits, names=names,
                            shapes=shapes, structural=structural)
        print(name, logits.std(), (OUT / f"{name}.params.xz").stat().st_size)


if __name__ == "__main__":
    main()
