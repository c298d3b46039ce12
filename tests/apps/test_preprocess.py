"""MNIST-style preprocessing: MNIST digits come back unchanged; moved, scaled, thickened ones close."""
import numpy as np
import pytest
from PIL import Image, ImageFilter

from mxtorch.apps.digits.preprocess import BlankImageError, preprocess


@pytest.fixture(scope="module")
def digits(mnist_test):
    return mnist_test[0]


def _reference(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32) / image.max()


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two images, allowing either to sit up to one pixel off."""
    return max(float(np.corrcoef(np.roll(a, (dy, dx), (0, 1)).ravel(), b.ravel())[0, 1])
               for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def test_mnist_digit_comes_back_nearly_unchanged(digits):
    for image in digits:
        out = preprocess(image)
        assert out.shape == (28, 28) and out.dtype == np.float32
        assert 0.0 <= out.min() and out.max() == pytest.approx(1.0)
        assert np.abs(out - _reference(image)).max() < 0.03


def test_shift_on_a_larger_canvas_is_undone_exactly(digits):
    for k, image in enumerate(digits[:50]):
        canvas = np.zeros((120, 90), dtype=np.uint8)
        top, left = 7 + (k * 13) % 85, 3 + (k * 29) % 55
        canvas[top:top + 28, left:left + 28] = image
        np.testing.assert_allclose(preprocess(canvas), preprocess(image), atol=1e-6)


# Shrinking below MNIST's size loses detail that enlarging cannot bring back: lower bars there.
@pytest.mark.parametrize("factor, floor, mean", [(0.75, 0.5, 0.85), (2.0, 0.75, 0.92), (5.0, 0.75, 0.93),
                                                 (9.0, 0.75, 0.93)])
def test_scaled_off_centre_digit_comes_back_close(digits, factor, floor, mean):
    size = round(28 * factor)
    scores = []
    for image in digits[:60]:
        scaled = np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BICUBIC))
        canvas = np.zeros((size + 60, size + 100), dtype=np.uint8)
        canvas[50:50 + size, 10:10 + size] = scaled
        scores.append(_correlation(preprocess(canvas), _reference(image)))
    assert min(scores) > floor and np.mean(scores) > mean


def test_thickened_digit_stays_close(digits):
    scores = []
    for image in digits[:60]:
        big = Image.fromarray(image).resize((140, 140), Image.Resampling.BICUBIC)
        thick = np.asarray(big.filter(ImageFilter.MaxFilter(5)))  # strokes about 1 px wider at 28x28
        scores.append(_correlation(preprocess(thick), _reference(image)))
    assert min(scores) > 0.7 and np.mean(scores) > 0.88


def test_black_on_white_and_canvas_alpha_read_as_white_on_black(digits):
    image = digits[0]
    expected = preprocess(image)
    black_on_white = 255 - image
    np.testing.assert_allclose(preprocess(black_on_white), expected, atol=1e-6)
    rgba = np.zeros((28, 28, 4), dtype=np.uint8)  # black strokes on a transparent canvas
    rgba[..., 3] = image
    np.testing.assert_allclose(preprocess(Image.fromarray(rgba, "RGBA")), expected, atol=1e-6)
    rgb = np.stack([black_on_white] * 3, axis=-1)
    np.testing.assert_allclose(preprocess(Image.fromarray(rgb, "RGB")), expected, atol=1e-6)


def test_centre_of_mass_lands_at_the_centre():
    canvas = np.zeros((300, 300), dtype=np.uint8)
    canvas[20:60, 230:290] = 255  # a small bar in the top-right corner
    out = preprocess(canvas)
    rows, cols = np.indices(out.shape)
    assert abs((out * rows).sum() / out.sum() - 14) <= 0.5
    assert abs((out * cols).sum() / out.sum() - 14) <= 0.5
    assert max(np.ptp(np.flatnonzero(out.any(0))), np.ptp(np.flatnonzero(out.any(1)))) + 1 == 20


@pytest.mark.parametrize("blank", [np.zeros((50, 50), np.uint8), np.full((50, 50), 255, np.uint8),
                                   Image.new("RGBA", (64, 64), (0, 0, 0, 0))])
def test_blank_image_is_refused(blank):
    with pytest.raises(BlankImageError, match="blank"):
        preprocess(blank)


def test_array_of_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"\(H, W\).*got shape \(2, 3, 4, 5\)"):
        preprocess(np.zeros((2, 3, 4, 5)))


def test_16_bit_grayscale_reads_like_8_bit(digits):
    # Dark ink on a light gray background, anti-aliased: every level must keep its gray value.
    image8 = (255 - digits[0] // 2).astype(np.uint8)
    image16 = Image.fromarray(image8.astype(np.uint16) * 257)  # mode I;16, as a 16-bit PNG opens
    assert image16.mode == "I;16"
    np.testing.assert_allclose(preprocess(image16), preprocess(Image.fromarray(image8)), atol=1e-6)
