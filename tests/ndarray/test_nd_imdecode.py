"""mx.nd.imdecode (MXNet 1.9.1's deprecated decoder: OpenCV channel order, channel-first float,
clipping, mean, out/index) against MXNet's OpenCV decode (tests/conformance/gen_image_det_record.py)."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from tests.conftest import GOLDEN


@pytest.fixture(scope="module")
def g():
    return np.load(GOLDEN / "image_det_record" / "imdecode.npz")


def png(g, name):
    return g[f"{name}_png"].tobytes()


@pytest.mark.parametrize("name", ["rgb", "rgba"])
def test_colour_is_bgr_channel_first_float32(g, name):
    out = mx.nd.imdecode(png(g, name))
    assert out.dtype == np.float32 and out.shape == (3, 5, 7)
    np.testing.assert_array_equal(out.asnumpy(), g[f"{name}_cv_colour"].transpose(2, 0, 1))


def test_grey_with_one_channel(g):
    for name in ("rgb", "grey"):
        out = mx.nd.imdecode(png(g, name), channels=1)
        np.testing.assert_array_equal(out.asnumpy(), g[f"{name}_cv_grey"].transpose(2, 0, 1))


def test_alpha_kept_with_four_channels_and_grey_image_refuses_three(g):
    out = mx.nd.imdecode(png(g, "rgba"), channels=4).asnumpy()
    np.testing.assert_array_equal(out[:3], g["rgba_cv_colour"].transpose(2, 0, 1))
    assert out.shape == (4, 5, 7)
    with pytest.raises(MXNetError, match="channels=3, but the image has 1 channel"):
        mx.nd.imdecode(png(g, "grey"))


def test_clip_mean_and_dtype(g):
    full = g["rgb_cv_colour"].transpose(2, 0, 1).astype(np.float64)
    clipped = mx.nd.imdecode(png(g, "rgb"), clip_rect=(1, 2, 6, 4))
    np.testing.assert_array_equal(clipped.asnumpy(), full[:, 2:4, 1:6])
    mean = np.arange(3 * 5 * 7, dtype=np.float64).reshape(3, 5, 7) / 4
    got = mx.nd.imdecode(png(g, "rgb"), mean=mx.nd.array(mean, dtype=np.float64))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got.asnumpy(), full - mean)
    with pytest.raises(MXNetError, match="mean has shape"):
        mx.nd.imdecode(png(g, "rgb"), mean=mx.nd.zeros((3, 4, 4)))
    with pytest.raises(MXNetError, match="clip_rect"):
        mx.nd.imdecode(png(g, "rgb"), clip_rect=(0, 0, 8, 5))


def test_out_and_index(g):
    want = g["rgb_cv_colour"].transpose(2, 0, 1)
    buf = mx.nd.ones((2, 3, 5, 7)) * -1
    assert mx.nd.imdecode(png(g, "rgb"), out=buf, index=1) is buf
    np.testing.assert_array_equal(buf.asnumpy()[1], want)
    assert np.all(buf.asnumpy()[0] == -1)
    three = mx.nd.zeros((3, 5, 7), dtype=np.uint8)
    mx.nd.imdecode(png(g, "rgb"), out=three)
    assert three.dtype == np.uint8
    np.testing.assert_array_equal(three.asnumpy(), want)
    with pytest.raises(MXNetError, match="out has shape"):
        mx.nd.imdecode(png(g, "rgb"), out=mx.nd.zeros((3, 4, 4)))


def test_input_must_be_bytes(g):
    np.testing.assert_array_equal(mx.nd.imdecode(g["rgb_png"]).asnumpy(),
                                  mx.nd.imdecode(png(g, "rgb")).asnumpy())
    with pytest.raises(MXNetError, match="as bytes"):
        mx.nd.imdecode("not an image")
    with pytest.raises(MXNetError, match="cannot decode"):
        mx.nd.imdecode(b"\x00\x01 not an image")


def test_mxnet_own_call_fails_under_python3(g):
    """What the goldens stand in for: MXNet 1.9.1's nd.imdecode itself errors under Python 3."""
    assert "MXNetError" in str(g["mxnet_error"])
