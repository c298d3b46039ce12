"""mx.image and nd.image against MXNet 1.9.1 goldens (tests/conformance/gen_data.py, section image).

Tolerances: float results within 1e-3 (values on a 0-255 scale); uint8 results of resizing and of
hue rotation within one grey level (OpenCV resizes uint8 in fixed point, mxtorch in float32 then
rounds), on at most a fifth of the pixels; everything else exact.
"""
import json

import numpy as np
import pytest

import mxtorch as mx

from .conftest import GOLDEN

IMAGE = np.load(GOLDEN / "data" / "image.npz")
CASES = json.loads(str(IMAGE["cases"]))
_ONE_LEVEL = ("resize", "imresize", "center_crop", "fixed_crop_resize", "hue_")


def _function(path):
    fn = mx
    for part in path.split("."):
        fn = getattr(fn, part)
    return fn


def _input(key):
    x = IMAGE[f"input/{key}"]
    return mx.nd.array(x, dtype=x.dtype)


@pytest.mark.parametrize("name,path,key,kwargs", CASES, ids=[c[0] for c in CASES])
def test_matches_mxnet(name, path, key, kwargs):
    kwargs = {k: mx.nd.array(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    out = _function(path)(_input(key), **kwargs)
    if isinstance(out, tuple):
        assert list(out[1]) == IMAGE[f"{name}/rect"].tolist()
        out = out[0]
    got, want = out.asnumpy(), IMAGE[f"{name}/out"]
    assert got.shape == want.shape and got.dtype == want.dtype
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)
    elif name.startswith(_ONE_LEVEL):
        diff = np.abs(got.astype(int) - want)
        assert diff.max() <= 1 and (diff > 0).mean() <= 0.2
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", ["png_rgb", "png_gray", "png_rgba", "jpeg"])
@pytest.mark.parametrize("flag", [0, 1])
@pytest.mark.parametrize("to_rgb", [0, 1])
def test_imdecode_matches_mxnet(name, flag, to_rgb):
    blob = IMAGE[f"file/{name}"]
    out = mx.image.imdecode(blob.tobytes(), flag=flag, to_rgb=to_rgb)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out.asnumpy(), IMAGE[f"decode/{name}/{flag}/{to_rgb}"])
    # numpy buffers and NDArrays of bytes decode the same
    np.testing.assert_array_equal(mx.image.imdecode(blob, flag, to_rgb).asnumpy(), out.asnumpy())


def test_imread_and_errors(tmp_path):
    path = tmp_path / "x.png"
    path.write_bytes(IMAGE["file/png_rgb"].tobytes())
    np.testing.assert_array_equal(mx.image.imread(str(path)).asnumpy(), IMAGE["decode/png_rgb/1/1"])
    out = mx.nd.zeros((25, 33, 1), dtype="uint8")
    assert mx.image.imread(str(path), flag=0, out=out) is out
    np.testing.assert_array_equal(out.asnumpy(), IMAGE["decode/png_rgb/0/1"])
    with pytest.raises(mx.MXNetError, match="cannot read image file .*missing.png"):
        mx.image.imread(str(tmp_path / "missing.png"))
    with pytest.raises(mx.MXNetError, match="cannot decode the buffer as an image"):
        mx.image.imdecode(b"not an image")
    with pytest.raises(ValueError, match="buf must be of type bytes"):
        mx.image.imdecode("x.png")
    with pytest.raises(mx.MXNetError, match="flag must be 1 .* or 0"):
        mx.image.imdecode(IMAGE["file/png_rgb"].tobytes(), flag=2)


def test_scale_down_and_interp_choice():
    assert [list(mx.image.scale_down(*a)) for a in (((640, 480), (720, 120)),
                                                    ((100, 300), (200, 100)))] == \
        IMAGE["scale_down"].tolist()
    interp = mx.image.image._get_interp_method
    assert [interp(9, (10, 10, 20, 20)), interp(9, (10, 10, 5, 5)), interp(9, (10, 10, 5, 20))] \
        == [2, 3, 1]
    with pytest.raises(ValueError, match="Unknown interp method 7"):
        mx.image.resize_short(_input("big"), 10, interp=7)


def test_random_crops_stay_inside_the_image():
    src = _input("big")  # 25 x 33
    for _ in range(20):
        out, (x0, y0, w, h) = mx.image.random_crop(src, (10, 8))
        assert out.shape == (8, 10, 3) and 0 <= x0 <= 33 - w and 0 <= y0 <= 25 - h
        np.testing.assert_array_equal(out.asnumpy(), src.asnumpy()[y0:y0 + h, x0:x0 + w])
        out, (x0, y0, w, h) = mx.image.random_size_crop(src, (12, 12), (0.1, 0.9), (0.5, 2.0))
        assert out.shape == (12, 12, 3) and x0 + w <= 33 and y0 + h <= 25
        assert 0.5 / 1.3 <= w / h <= 2.0 * 1.3  # ratio from rounded sides
    up, rect = mx.image.random_crop(src, (66, 50))  # larger than the image: upsampled
    assert up.shape == (50, 66, 3) and rect == (0, 0, 33, 25)


def test_nd_image_errors_name_the_problem():
    img = _input("img")
    with pytest.raises(mx.MXNetError, match="does not fit in an image of width 7"):
        mx.nd.image.crop(img, x=5, y=0, width=3, height=2)
    with pytest.raises(mx.MXNetError, match="mean .* must have 1 or 3 elements"):
        mx.nd.image.normalize(mx.nd.image.to_tensor(img), mean=(0.1, 0.2), std=1.0)
    with pytest.raises(mx.MXNetError, match=r"must have shape \(height, width, channels\)"):
        mx.nd.image.random_brightness(_input("batch"), min_factor=0.5, max_factor=1.5)
    with pytest.raises(mx.MXNetError, match="unknown interpolation method 5"):
        mx.image.imresize(img, 3, 3, interp=5)


def _gif_header(width: int, height: int) -> bytes:
    """A GIF whose logical screen and single frame declare ``width`` x ``height`` pixels."""
    import struct
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00" * 6
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x44\x01\x00\x3b"
    return screen + frame


def test_imdecode_refuses_a_decompression_bomb_by_name():
    # 60000 x 60000 pixels in 40 bytes: Pillow's own DecompressionBombError must become an MXNetError
    with pytest.raises(mx.MXNetError, match="MAX_IMAGE_PIXELS"):
        mx.image.imdecode(_gif_header(60000, 60000))


def test_imdecode_honours_a_lowered_pixel_limit(monkeypatch):
    from PIL import Image
    data = _gif_header(1200, 1000)   # past the limit, but under twice it, where Pillow only warns
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    with pytest.warns(Image.DecompressionBombWarning), \
            pytest.raises(mx.MXNetError, match=r"1200x1000 pixels, more than the 1000000"):
        mx.image.imdecode(data)


def test_imdecode_failures_inside_pillow_are_mxnet_errors():
    png = mx.image.imdecode  # a PNG header with a wrong chunk length: Pillow raises SyntaxError/OSError
    bad = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00" \
          b"\xff\xff\xff\xffIDAT"
    with pytest.raises(mx.MXNetError, match="cannot decode the buffer"):
        png(bad)
