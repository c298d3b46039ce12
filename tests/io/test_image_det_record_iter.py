"""mx.io.ImageDetRecordIter against MXNet 1.9.1 (goldens from
tests/conformance/gen_image_det_record.py) and properties of its random augmentation."""
import inspect

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import mxtorch as mx
from mxtorch import recordio
from mxtorch.base import MXNetError
from mxtorch.io import image_det_record as det
from tests.conftest import GOLDEN

G = GOLDEN / "image_det_record"
REC = str(G / "det.rec")
MEAN = dict(mean_r=123.68, mean_g=116.28, mean_b=103.53)
STD = dict(std_r=58.395, std_g=57.12, std_b=57.375)
# the settings gen_image_det_record.py gave MXNet: name -> (keyword arguments, epochs)
CASES = {
    "force": (dict(data_shape=(3, 24, 32), batch_size=3), 2),
    "force_norm": (dict(data_shape=(3, 24, 32), batch_size=3, **MEAN, **STD, scale=0.5), 1),
    "fit": (dict(data_shape=(3, 30, 30), batch_size=4, resize_mode="fit", **MEAN), 1),
    "shrink": (dict(data_shape=(3, 50, 50), batch_size=4, resize_mode="shrink", resize=40), 1),
    "gray": (dict(data_shape=(1, 20, 20), batch_size=4), 1),
    "pad_width": (dict(data_shape=(3, 16, 16), batch_size=5, label_pad_width=40,
                       label_pad_value=-2.5, round_batch=False), 1),
    "mirror": (dict(data_shape=(3, 24, 32), batch_size=4, rand_mirror_prob=1.0), 1),
    "imglist": (dict(data_shape=(3, 16, 16), batch_size=4, path_imglist=str(G / "det.lst")), 1),
    "part_1_of_2": (dict(data_shape=(3, 16, 16), batch_size=2, num_parts=2, part_index=1), 1),
}
# the raw labels written into det.rec (see the generator)
HEADERS = [[2, 5], [2, 5], [4, 5, 7, 8], [2, 6], [2, 5], [2, 5], [2, 5], [4, 5, 1, 2]]


@pytest.fixture(scope="module")
def golden():
    return np.load(G / "batches.npz")


def epoch(it):
    batches = list(it)
    return (np.concatenate([b.data[0].asnumpy() for b in batches]),
            np.concatenate([b.label[0].asnumpy() for b in batches]), [b.pad for b in batches])


@pytest.mark.parametrize("name", sorted(CASES))
def test_deterministic_batches_match_mxnet(golden, name):
    """Labels exactly as MXNet's (header, boxes moved and dropped, padding); pixels within two
    grey levels (resize rounding; the golden is stored as float16)."""
    kw, epochs = CASES[name]
    it = mx.io.ImageDetRecordIter(path_imgrec=REC, preprocess_threads=2, **kw)
    assert it.provide_label[0].shape == (kw["batch_size"], golden[f"det_{name}_label" + (
        "_0" if epochs > 1 else "")].shape[1])
    for e in range(epochs):
        suffix = f"_{e}" if epochs > 1 else ""
        data, label, pads = epoch(it)
        want_data = golden[f"det_{name}_data{suffix}"].astype(np.float32)
        want_label = golden[f"det_{name}_label{suffix}"]
        assert pads == list(golden[f"det_{name}_pad{suffix}"])
        data, label = data[:len(want_data)], label[:len(want_label)]
        np.testing.assert_array_equal(label, want_label)
        grey = 1.0 / min(STD.values()) * 0.5 if "std_r" in kw else 1.0
        assert np.abs(data - want_data).max() <= 2.1 * grey
        assert np.abs(data - want_data).mean() <= 0.3 * grey
        it.reset()


def test_batch_layout_and_names():
    it = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4,
                                  data_name="img", label_name="boxes", label_pad_width=-1)
    assert it.provide_data[0].name == "img" and it.provide_data[0].shape == (4, 3, 16, 16)
    assert it.provide_label[0].name == "boxes" and it.provide_label[0].shape == (4, 26)
    batch = it.next()
    assert batch.data[0].shape == (4, 3, 16, 16) and batch.label[0].shape == (4, 26)
    with pytest.raises(TypeError):
        mx.io.ImageDetRecordIter(REC, (3, 16, 16), 4)     # keywords only, as MXNet's


def check_labels(label, data_shape):
    """Each row: [channels, height, width, n, the n values of a valid detection label, pad]."""
    for row in label:
        channels, height, width, n = (int(v) for v in row[:4])
        assert channels == data_shape[0] and 0 < height <= data_shape[1] and 0 < width <= data_shape[2]
        raw = row[4:4 + n]
        assert np.all(row[4 + n:] == -1)
        header_width, object_width = int(raw[0]), int(raw[1])
        assert [header_width, object_width] in ([2, 5], [4, 5], [2, 6])
        objects = raw[header_width:].reshape(-1, object_width)
        assert len(objects) >= 1
        assert np.all((objects[:, 1:5] >= 0) & (objects[:, 1:5] <= 1))
        assert np.all(objects[:, 3] >= objects[:, 1]) and np.all(objects[:, 4] >= objects[:, 2])
        assert set(objects[:, 0].tolist()) <= set(range(7))


RANDOM = dict(rand_crop_prob=0.8, min_crop_scales=(0.3, 0.5), max_crop_scales=(0.9, 1.0),
              min_crop_aspect_ratios=(0.5,), max_crop_aspect_ratios=(2.0,), num_crop_sampler=2,
              rand_pad_prob=0.5, max_pad_scale=2.0, rand_mirror_prob=0.5, max_random_hue=18,
              random_hue_prob=0.5, max_random_saturation=30, random_saturation_prob=0.5,
              max_random_illumination=30, random_illumination_prob=0.5,
              max_random_contrast=0.3, random_contrast_prob=0.5, inter_method=10)


@pytest.mark.parametrize("mode", ["force", "fit", "shrink"])
def test_random_augmentation_gives_valid_batches(mode):
    it = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 24, 32), batch_size=4,
                                  resize_mode=mode, shuffle=True, seed=3, **RANDOM)
    for _ in range(3):
        data, label, _ = epoch(it)
        assert data.shape == (8, 3, 24, 32) and 0 <= data.min() and data.max() <= 255
        check_labels(label, (3, 24, 32))
        for img, row in zip(data, label):      # outside the written image: zeros
            height, width = int(row[1]), int(row[2])
            assert not img[:, height:, :].any() and not img[:, :, width:].any()
        if mode == "force":
            assert np.all(label[:, 1:3] == [24, 32])
        it.reset()


def test_random_augmentation_follows_the_seed_not_the_threads():
    def run(seed, threads):
        it = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 24, 32), batch_size=4,
                                      seed=seed, preprocess_threads=threads, shuffle=True, **RANDOM)
        first = epoch(it)
        it.reset()
        return first, epoch(it)

    (d1, l1, _), (d2, l2, _) = run(7, 1)
    (e1, m1, _), (e2, m2, _) = run(7, 3)
    np.testing.assert_array_equal(d1, e1)
    np.testing.assert_array_equal(l1, m1)
    np.testing.assert_array_equal(d2, e2)
    assert not np.array_equal(d1, d2)              # a new epoch draws anew
    assert not np.array_equal(run(8, 2)[0][0], d1)


def test_crop_keeps_the_boxes_whose_centre_it_contains():
    """Crops only (always, fixed scale range): every kept box lies in [0, 1] after projection and
    fewer or as many boxes as recorded remain; the overlap mode keeps boxes covered enough."""
    for emit in ("center", "overlap"):
        it = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=8,
                                      rand_crop_prob=1.0, min_crop_scales=0.4,
                                      max_crop_scales=0.7, min_crop_aspect_ratios=0.5,
                                      max_crop_aspect_ratios=2.0, crop_emit_mode=emit, seed=1)
        full = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=8)
        cropped, whole = it.next().label[0].asnumpy(), full.next().label[0].asnumpy()
        check_labels(cropped, (3, 16, 16))
        assert np.all(cropped[:, 3] <= whole[:, 3])
        assert not np.array_equal(cropped, whole)


def test_constrained_crop_only_when_some_box_meets_all_six_bounds():
    it = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=8,
                                  rand_crop_prob=1.0, min_crop_scales=0.5, max_crop_scales=1.0,
                                  min_crop_overlaps=0.5, max_crop_overlaps=0.99,
                                  min_crop_sample_coverages=0.01, max_crop_sample_coverages=0.99,
                                  min_crop_object_coverages=0.01, max_crop_object_coverages=0.99,
                                  max_crop_trials=50, seed=2)
    check_labels(it.next().label[0].asnumpy(), (3, 16, 16))


def test_pad_moves_the_boxes_inwards():
    it = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 32, 32), batch_size=8,
                                  rand_pad_prob=1.0, max_pad_scale=3.0, fill_value=0, seed=4)
    full = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 32, 32), batch_size=8)
    padded, whole = it.next().label[0].asnumpy(), full.next().label[0].asnumpy()
    check_labels(padded, (3, 32, 32))
    np.testing.assert_array_equal(padded[:, 3], whole[:, 3])   # a pad drops no box
    moved = 0
    for p, w in zip(padded, whole):
        hw, ow, n = int(w[4]), int(w[5]), int(w[3])
        po = p[4 + hw:4 + n].reshape(-1, ow)
        wo = w[4 + hw:4 + n].reshape(-1, ow)
        # the box shrinks relative to the canvas by the pad scale (1 up to 3)
        ratio = (po[:, 3] - po[:, 1]) / (wo[:, 3] - wo[:, 1])
        assert np.all(ratio <= 1 + 1e-5) and np.all(ratio >= 1 / 3 - 1e-5)
        moved += int(np.any(ratio < 0.95))
    assert moved >= 4


def write_rec(path, labels, flags=None):
    """A record file of det.rec's images with other labels."""
    source = recordio.MXRecordIO(REC, "r")
    writer = recordio.MXRecordIO(str(path), "w")
    for i, label in enumerate(labels):
        _, payload = recordio.unpack(source.read())
        label = np.asarray(label, dtype=np.float32)
        flag = len(label) if flags is None else flags[i]
        writer.write(recordio.pack(recordio.IRHeader(flag, label if flag else 0.0, i, 0), payload))
    writer.close()
    return str(path)


def test_refusals(tmp_path):
    def make(**kw):
        args = dict(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4)
        args.update(kw)
        return mx.io.ImageDetRecordIter(**args)

    with pytest.raises(MXNetError, match="det_aug_default"):
        make(aug_seq="aug_default")
    with pytest.raises(MXNetError, match="label_pad_width=10 is shorter than the longest label"):
        make(label_pad_width=10)
    with pytest.raises(MXNetError, match="label_width is 7"):
        make(label_width=7)
    with pytest.raises(MXNetError, match="inter_method"):
        make(inter_method=0)
    with pytest.raises(MXNetError, match="min_crop_scales has 3 values for num_crop_sampler=2"):
        make(num_crop_sampler=2, min_crop_scales=(0.1, 0.2, 0.3))
    with pytest.raises(MXNetError, match="crop sampler 0 needs"):
        make(min_crop_scales=0.5, max_crop_scales=0.5)
    with pytest.raises(MXNetError, match="must be a number or a tuple of numbers"):
        make(max_crop_trials="many")
    make(num_crop_sampler=2, min_crop_scales="(0.1, 0.3)", max_crop_scales="1",
         data_shape="(3, 16, 16)").close()
    with pytest.raises(MXNetError, match="resize_mode"):
        make(resize_mode="stretch")
    with pytest.raises(MXNetError, match="data_shape"):
        make(data_shape=(2, 16, 16))
    with pytest.raises(MXNetError, match="part_index"):
        make(num_parts=2, part_index=2)
    with pytest.warns(UserWarning, match="ignoring arguments it does not use"):
        make(bogus=1, verbose=False, shuffle_chunk_size=4).close()

    bad = write_rec(tmp_path / "bad.rec", [[2, 5, 0, 0.1, 0.1, 0.5]])     # 6 values
    it = make(path_imgrec=bad)
    with pytest.raises(MXNetError, match="not a detection label"):
        it.next()
    uneven = write_rec(tmp_path / "uneven.rec", [[2, 5, 0, 0.1, 0.1, 0.5, 0.5, 1]])
    with pytest.raises(MXNetError, match="not a multiple of the object width"):
        make(path_imgrec=uneven).next()
    plain = write_rec(tmp_path / "plain.rec", [[3.0]], flags=[0])
    with pytest.raises(MXNetError, match="holds no detection label"):
        make(path_imgrec=plain).next()
    with pytest.raises(MXNetError, match="cannot read path_imglist"):
        make(path_imglist=str(tmp_path / "missing.lst"))
    nan = write_rec(tmp_path / "nan.rec", [[np.nan, 5, 0, 0.1, 0.1, 0.5, 0.5]])
    with pytest.raises(MXNetError, match="widths are not numbers"):
        make(path_imgrec=nan).next()


def test_a_label_count_beyond_the_record_is_refused_before_allocating(tmp_path):
    """Found by fuzzing: the label count in a record's header sizes the label batch, so it is
    checked against the bytes the record spans."""
    data = bytearray(open(REC, "rb").read())
    data[8:12] = (1 << 30).to_bytes(4, "little")       # the first record's IRHeader flag
    path = tmp_path / "huge.rec"
    path.write_bytes(bytes(data))
    with pytest.raises(MXNetError, match="declares 1073741824 label values"):
        mx.io.ImageDetRecordIter(path_imgrec=str(path), data_shape=(3, 8, 8), batch_size=2)


def test_grey_rgba_and_uint8():
    it = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=8,
                                  dtype="uint8")
    assert it.provide_data[0].dtype == np.uint8
    data = it.next().data[0].asnumpy()
    assert data.dtype == np.uint8
    ref = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=8)
    np.testing.assert_array_equal(data.astype(np.float32), ref.next().data[0].asnumpy())
    # the JPEG and PNG records carry no alpha channel: four channels are refused per record
    rgba = mx.io.ImageDetRecordIter(path_imgrec=REC, data_shape=(4, 16, 16), batch_size=8)
    with pytest.raises(MXNetError, match="no alpha channel"):
        rgba.next()


# -- the augmentation on its own, over many settings (hypothesis) ---------------------------------


def det_settings(**over):
    kw = {name: p.default for name, p in
          inspect.signature(mx.io.ImageDetRecordIter.__init__).parameters.items()
          if p.default is not inspect.Parameter.empty}
    kw.update(over)
    return det._DetSettings(kw)


@st.composite
def det_cases(draw):
    rows, cols = draw(st.integers(4, 48)), draw(st.integers(4, 48))
    boxes = []
    for cls in range(draw(st.integers(1, 4))):
        x0, x1 = sorted(draw(st.floats(0, 1, width=32)) for _ in range(2))
        y0, y1 = sorted(draw(st.floats(0, 1, width=32)) for _ in range(2))
        boxes.append([cls, x0, y0, max(x1, x0 + 0.01), max(y1, y0 + 0.01), 10 + cls])
    over = dict(
        data_shape=(3, draw(st.integers(4, 40)), draw(st.integers(4, 40))),
        resize_mode=draw(st.sampled_from(["force", "shrink", "fit"])),
        resize=draw(st.sampled_from([-1, 8, 30])),
        inter_method=draw(st.sampled_from([1, 2, 3, 4, 9, 10])),
        rand_mirror_prob=draw(st.sampled_from([0.0, 0.5, 1.0])),
        rand_pad_prob=draw(st.sampled_from([0.0, 1.0])),
        max_pad_scale=draw(st.floats(1.0, 4.0)),
        rand_crop_prob=draw(st.sampled_from([0.0, 1.0])),
        min_crop_scales=draw(st.floats(0.0, 0.5)), max_crop_scales=draw(st.floats(0.6, 1.0)),
        min_crop_aspect_ratios=draw(st.floats(0.2, 1.0)),
        max_crop_aspect_ratios=draw(st.floats(1.0, 3.0)),
        crop_emit_mode=draw(st.sampled_from(["center", "overlap"])),
        max_random_hue=18, random_hue_prob=draw(st.sampled_from([0.0, 1.0])),
        max_random_contrast=0.5, random_contrast_prob=draw(st.sampled_from([0.0, 1.0])))
    return rows, cols, np.array(boxes, dtype=np.float32), over, draw(st.integers(0, 2**31))


@settings(max_examples=150, deadline=None)
@given(det_cases())
def test_det_augment_keeps_image_and_boxes_consistent(case):
    rows, cols, objects, over, seed = case
    s = det_settings(**over)
    img = torch.randint(0, 256, (rows, cols, 3), dtype=torch.uint8)
    out, boxes = det._det_augment(img, objects.copy(), s, np.random.default_rng(seed))
    _, height, width = s.data_shape
    assert out.dtype == torch.uint8 and out.shape[2] == 3
    assert 1 <= out.shape[0] <= height and 1 <= out.shape[1] <= width
    if s.resize_mode == "force":
        assert tuple(out.shape[:2]) == (height, width)
    assert 1 <= len(boxes) <= len(objects) and boxes.shape[1] == objects.shape[1]
    assert np.all((boxes[:, 1:5] >= 0) & (boxes[:, 1:5] <= 1))
    assert np.all(boxes[:, 3] >= boxes[:, 1]) and np.all(boxes[:, 4] >= boxes[:, 2])
    # class and extra value travel together, whatever was dropped
    assert np.all(boxes[:, 5] == boxes[:, 0] + 10)
    if not s.rand_crop_prob:
        assert len(boxes) == len(objects)


def test_det_augment_pad_puts_the_image_where_its_boxes_go():
    """With a pad only, the image's pixels land where the projected full-image box says."""
    s = det_settings(data_shape=(3, 64, 64), resize_mode="shrink", rand_pad_prob=1.0,
                     max_pad_scale=2.5, fill_value=0)
    img = torch.full((20, 30, 3), 200, dtype=torch.uint8)
    whole = np.array([[0, 0.0, 0.0, 1.0, 1.0]], dtype=np.float32)
    for seed in range(20):
        out, boxes = det._det_augment(img, whole.copy(), s, np.random.default_rng(seed))
        h, w = out.shape[0], out.shape[1]
        x0, y0, x1, y1 = boxes[0, 1:5]
        inside = out[int(np.ceil(y0 * h)) + 1:int(y1 * h) - 1, int(np.ceil(x0 * w)) + 1:int(x1 * w) - 1]
        assert inside.numel() and bool((inside == 200).all())
        assert int((out == 200).all(-1).sum()) <= (y1 - y0) * h * (x1 - x0) * w + 2 * (h + w)


def test_det_augment_crop_moves_the_boxes_with_the_pixels():
    """A ramp image (red = x, green = y): after a crop, a box corner still sits on the pixels of
    the corner it had in the original image."""
    rows, cols = 60, 80
    ys, xs = torch.meshgrid(torch.arange(rows), torch.arange(cols), indexing="ij")
    img = torch.stack([xs * 255 // (cols - 1), ys * 255 // (rows - 1), torch.zeros_like(xs)],
                      -1).to(torch.uint8)
    objects = np.array([[0, 0.4, 0.3, 0.6, 0.7]], dtype=np.float32)
    s = det_settings(data_shape=(3, 100, 100), resize_mode="shrink", rand_crop_prob=1.0,
                     min_crop_scales=0.5, max_crop_scales=0.9, min_crop_aspect_ratios=0.5,
                     max_crop_aspect_ratios=2.0)
    cropped = 0
    for seed in range(30):
        out, boxes = det._det_augment(img, objects.copy(), s, np.random.default_rng(seed))
        if tuple(out.shape[:2]) == (rows, cols):
            continue
        cropped += 1
        h, w = out.shape[0], out.shape[1]
        x0, y0 = boxes[0, 1], boxes[0, 2]
        if x0 > 0:      # the box's left edge is inside the crop: it is still at x = 0.4
            assert abs(int(out[h // 2, min(int(round(x0 * w)), w - 1), 0]) - 0.4 * 255) <= 2 * 255 / cols
        if y0 > 0:
            assert abs(int(out[min(int(round(y0 * h)), h - 1), w // 2, 1]) - 0.3 * 255) <= 2 * 255 / rows
    assert cropped >= 20
