"""gluon.data.vision.transforms: MXNet's outputs for the deterministic transforms (goldens),
properties for the random ones, Block behaviour, and batch application in the DataLoader."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mxtorch as mx
from mxtorch.gluon import Block, HybridBlock
from mxtorch.gluon.data import ArrayDataset, DataLoader
from mxtorch.gluon.data.dataloader import default_batchify_fn
from mxtorch.gluon.data.vision import transforms as T

from . import cases
from ...conftest import GOLDEN

GOLD = np.load(GOLDEN / "data" / "transforms.npz")
IMAGE = np.load(GOLDEN / "data" / "image.npz")
TRANSFORMS = cases.transform_cases(T)
# OpenCV resizes uint8 images in fixed point, mxtorch in float32 then rounds: one grey level,
# which the compose case carries through ToTensor and Normalize(std=0.2) as 1 / 255 / 0.2
_RESIZING = {"resize_int": 1, "resize_keep_ratio": 1, "resize_batch": 1,
             "center_crop_upsample": 1, "crop_resize_size": 1, "compose": 1 / 255 / 0.2 + 1e-6}


def _nd(key):
    x = IMAGE[f"input/{key}"]
    return mx.nd.array(x, dtype=x.dtype)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_deterministic_transforms_match_mxnet(name):
    transform, key = TRANSFORMS[name]
    got, want = transform(_nd(key)).asnumpy(), GOLD[name]
    assert got.shape == want.shape and got.dtype == want.dtype
    if name in _RESIZING:
        assert np.abs(got.astype(np.float64) - want).max() <= _RESIZING[name]
    else:
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_transforms_are_blocks_and_hybridize():
    assert isinstance(T.ToTensor(), HybridBlock) and isinstance(T.CenterCrop(3), Block)
    assert not isinstance(T.CenterCrop(3), HybridBlock)
    pipeline = T.Compose([T.Resize(10), T.CenterCrop(8), T.ToTensor(), T.Normalize(0.5, 0.2)])
    # the hybrid run (ToTensor, Normalize) is grouped into one hybridized HybridSequential
    assert [type(c).__name__ for c in pipeline._children.values()] == \
        ["Resize", "CenterCrop", "HybridSequential"]
    hybrid = T.HybridCompose([T.Resize(10), T.ToTensor(), T.Normalize(0.5, 0.2)])
    img = _nd("img")
    np.testing.assert_array_equal(
        hybrid(img).asnumpy(),
        T.Normalize(0.5, 0.2)(T.ToTensor()(T.Resize(10)(img))).asnumpy())
    with pytest.raises(ValueError, match="is not a HybridBlock, try use `Compose`"):
        T.HybridCompose([T.CenterCrop(3)])


def test_crop_resize_without_interpolation_uses_bilinear():
    img = _nd("img")
    out = T.CropResize(1, 2, 4, 3, size=(6, 5))(img).asnumpy()
    assert np.abs(out.astype(int) - GOLD["crop_resize_size"]).max() <= 1


# -- random transforms ---------------------------------------------------------------------------
images = st.integers(0, 2 ** 31 - 1).map(
    lambda s: np.random.RandomState(s).uniform(0, 255, (4, 5, 3)).astype(np.float32))
amounts = st.floats(0.0, 0.9)


def _factor(out, x):
    mask = np.abs(x) > 1
    return out[mask] / x[mask]


@settings(max_examples=15, deadline=None)
@given(images, amounts)
def test_random_brightness_scales_by_one_factor_in_range(x, b):
    out = T.RandomBrightness(b)(mx.nd.array(x)).asnumpy()
    f = _factor(out, x)
    assert np.ptp(f) < 1e-4 and max(0, 1 - b) - 1e-5 <= f[0] <= 1 + b + 1e-5


@settings(max_examples=15, deadline=None)
@given(images, amounts)
def test_random_contrast_blends_with_the_grey_mean(x, c):
    out = T.RandomContrast(c)(mx.nd.array(x)).asnumpy()
    gray_mean = (x * np.array([0.299, 0.587, 0.114], np.float32)).sum() / 20
    # out = a * x + (1 - a) * gray_mean for one a
    a = (out[0, 0, 0] - out[1, 1, 1]) / (x[0, 0, 0] - x[1, 1, 1])
    np.testing.assert_allclose(out, a * x + (1 - a) * gray_mean, rtol=1e-4, atol=1e-2)
    assert max(0, 1 - c) - 1e-3 <= a <= 1 + c + 1e-3


@settings(max_examples=15, deadline=None)
@given(images, amounts)
def test_random_saturation_factor_in_range(x, s):
    out = T.RandomSaturation(s)(mx.nd.array(x)).asnumpy()
    # MXNet 1.9.1's kernel: out = a * x + (1 - a) * 0.114 * blue
    blue = 0.114 * x[..., 2:3]
    a = (out[0, 0, 0] - out[0, 0, 1]) / (x[0, 0, 0] - x[0, 0, 1])
    np.testing.assert_allclose(out, a * x + (1 - a) * blue, rtol=1e-4, atol=1e-2)
    assert max(0, 1 - s) - 1e-3 <= a <= 1 + s + 1e-3


@settings(max_examples=15, deadline=None)
@given(images, amounts)
def test_random_hue_keeps_lightness_and_range(x, h):
    out = T.RandomHue(h)(mx.nd.array(x)).asnumpy()
    lightness = (x.max(-1) + x.min(-1)) / 2
    np.testing.assert_allclose((out.max(-1) + out.min(-1)) / 2, lightness, atol=1e-2)
    assert out.min() >= -1e-3 and out.max() <= 255 + 1e-3


def test_random_lighting_adds_one_offset_per_channel():
    x = IMAGE["input/imgf"]
    out = T.RandomLighting(0.1)(mx.nd.array(x)).asnumpy()
    offset = (out - x).reshape(-1, 3)
    assert np.ptp(offset, axis=0).max() < 1e-3 and np.abs(offset).max() > 0


def test_random_color_jitter_uint8_and_single_property():
    img = _nd("img")
    out = T.RandomColorJitter(0.4, 0.4, 0.4, 0.1)(img)
    assert out.shape == img.shape and out.dtype == np.uint8
    x = IMAGE["input/imgf"]
    f = _factor(T.RandomColorJitter(brightness=0.3)(mx.nd.array(x)).asnumpy(), x)
    assert np.ptp(f) < 1e-4 and 0.7 - 1e-5 <= f[0] <= 1.3 + 1e-5
    np.testing.assert_array_equal(T.RandomColorJitter()(img).asnumpy(), img.asnumpy())


def test_random_flips_give_both_outcomes():
    img = _nd("img8")
    x = img.asnumpy()
    seen = set()
    for _ in range(40):
        out = T.RandomFlipLeftRight()(img).asnumpy()
        assert np.array_equal(out, x) or np.array_equal(out, x[:, ::-1])
        seen.add(np.array_equal(out, x))
        out = T.RandomFlipTopBottom()(img).asnumpy()
        assert np.array_equal(out, x) or np.array_equal(out, x[::-1])
    assert seen == {True, False}


def test_random_transforms_follow_mx_random_seed():
    img = _nd("img")
    t = T.RandomColorJitter(0.4, 0.4, 0.4, 0.2)
    mx.random.seed(7)
    first = t(img).asnumpy()
    mx.random.seed(7)
    np.testing.assert_array_equal(t(img).asnumpy(), first)


def test_random_resized_crop_and_random_apply():
    img = _nd("big")
    for _ in range(10):
        assert T.RandomResizedCrop((12, 9))(img).shape == (9, 12, 3)
    assert T.RandomResizedCrop(7, scale=(0.5, 1.0))(img).shape == (7, 7, 3)
    flip_all = T.Compose([T.Cast(), T.Normalize(0.0, -1.0)])  # not a random transform: x -> -x
    never = T.RandomApply(flip_all, p=0.0)
    assert never(T.ToTensor()(img)).asnumpy().min() >= 0
    always = T.RandomApply(flip_all, p=1.0)
    assert always(T.ToTensor()(img)).asnumpy().max() <= 0


# -- batches -------------------------------------------------------------------------------------
def test_to_tensor_and_normalize_take_batches():
    batch = _nd("batch")
    per_sample = [T.Normalize((0.1, 0.2, 0.3), 0.5)(T.ToTensor()(b)).asnumpy() for b in batch]
    both = T.Normalize((0.1, 0.2, 0.3), 0.5)(T.ToTensor()(batch)).asnumpy()
    np.testing.assert_array_equal(both, np.stack(per_sample))


@pytest.mark.parametrize("transform,batched", [
    (T.ToTensor(), True), (T.Compose([T.ToTensor(), T.Normalize(0.13, 0.31)]), True),
    (T.HybridCompose([T.Cast("float32"), T.ToTensor()]), True), (T.Resize(3), False)])
def test_loader_applies_batchable_transforms_once_per_batch(transform, batched):
    rng = np.random.RandomState(0)
    data = rng.randint(0, 256, (7, 5, 5, 1)).astype(np.uint8)
    ds = ArrayDataset(mx.nd.array(data, dtype="uint8"), np.arange(7, dtype=np.int32))
    tds = ds.transform_first(transform)
    assert (tds._batch_gatherer() is not None) == batched
    fast = list(DataLoader(tds, batch_size=3))
    slow = list(DataLoader(tds, batch_size=3, batchify_fn=lambda d: default_batchify_fn(d)))
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert fx.dtype == sx.dtype and fy.dtype == sy.dtype == np.int32
        np.testing.assert_array_equal(fx.asnumpy(), sx.asnumpy())
        np.testing.assert_array_equal(fy.asnumpy(), sy.asnumpy())


def test_loader_batch_transform_falls_back_for_samples_it_cannot_batch():
    # 2-D samples: ToTensor rejects each one, so the loader must not treat the batch as images
    ds = ArrayDataset(mx.nd.zeros((4, 5, 5), dtype="uint8"), np.arange(4)).transform_first(
        T.ToTensor())
    with pytest.raises(mx.MXNetError, match="to_tensor"):
        next(iter(DataLoader(ds, batch_size=2)))
