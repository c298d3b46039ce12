"""gluon.contrib.nn.PixelShuffle1D/2D/3D against MXNet 1.9.1 (tests/conformance/gen_pixel_shuffle.py)."""
import json

import numpy as np
import pytest

import mxtorch as mx
from tests.conftest import GOLDEN

META = json.loads((GOLDEN / "gluon" / "pixel_shuffle.json").read_text())
OUTPUTS = np.load(GOLDEN / "gluon" / "pixel_shuffle.npz")


@pytest.mark.parametrize("hybridize", [False, True])
@pytest.mark.parametrize("case", sorted(META))
def test_pixel_shuffle_matches_mxnet(case: str, hybridize: bool) -> None:
    meta = META[case]
    factor = meta["factor"] if isinstance(meta["factor"], int) else tuple(meta["factor"])
    block = getattr(mx.gluon.contrib.nn, meta["layer"])(factor)
    assert repr(block) == meta["repr"]
    if hybridize:
        block.hybridize()
    x = mx.nd.arange(int(np.prod(meta["shape"]))).reshape(tuple(meta["shape"]))
    np.testing.assert_array_equal(block(x).asnumpy(), OUTPUTS[f"out_{case}"])


def test_pixel_shuffle_gradient_is_the_inverse_permutation() -> None:
    block = mx.gluon.contrib.nn.PixelShuffle2D((2, 3))
    x = mx.nd.arange(2 * 12 * 2 * 3).reshape((2, 12, 2, 3))
    x.attach_grad()
    with mx.autograd.record():
        y = block(x)
    y.backward(y)   # the head gradient is the output itself: each input gets its own value back
    np.testing.assert_array_equal(x.grad.asnumpy(), x.asnumpy())


def test_pixel_shuffle_factor_count_is_checked() -> None:
    with pytest.raises(ValueError, match="expected 3 factors"):
        mx.gluon.contrib.nn.PixelShuffle3D((2, 2))
