"""mx.image augmenters, ImageIter and ImageDetIter against MXNet 1.9.1 (goldens from
tests/conformance/gen_image_iter.py), and properties of the random augmenters."""
import json
import random

import numpy as np
import pytest

import mxtorch as mx
from tests.conftest import GOLDEN

G = GOLDEN / "image_iter"
MEAN = (123.68, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)
PCA_EIGVAL = np.array([55.46, 4.794, 1.148])
PCA_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140],
                       [-0.5836, -0.6948, 0.4203]])


@pytest.fixture(scope="module")
def batches():
    return np.load(G / "batches.npz")


@pytest.fixture(scope="module")
def augs():
    return np.load(G / "augmenters.npz")


def epoch(it):
    got = list(it)
    return (np.concatenate([b.data[0].asnumpy() for b in got]),
            np.concatenate([b.label[0].asnumpy() for b in got]), [b.pad for b in got])


def test_image_iter_matches_mxnet(batches):
    it = mx.image.ImageIter(batch_size=5, data_shape=(3, 16, 16), path_imgrec=str(G / "images.rec"),
                            path_imgidx=str(G / "images.idx"), resize=20, mean=np.array(MEAN),
                            std=np.array(STD))
    data, label, pads = epoch(it)
    want = batches["imageiter_data"].astype(np.float32)
    np.testing.assert_array_equal(label, batches["imageiter_label"])
    assert pads == list(batches["imageiter_pad"])
    assert np.abs(data - want).max() <= 1.5 / min(STD)
    assert np.abs(data - want).mean() <= 0.2 / min(STD)


def test_image_det_iter_matches_mxnet(batches):
    it = mx.image.ImageDetIter(batch_size=4, data_shape=(3, 16, 16), path_imgrec=str(G / "det.rec"))
    assert it.label_shape == tuple(batches["det_label_shape"])
    assert it.provide_label[0][1] == (4,) + it.label_shape
    data, label, pads = epoch(it)
    np.testing.assert_allclose(label, batches["det_label"], atol=1e-6)
    assert pads == list(batches["det_pad"])
    assert np.abs(data - batches["det_data"].astype(np.float32)).max() <= 1.5


def test_image_iter_last_batch_handles_and_parts():
    rec, idx = str(G / "images.rec"), str(G / "images.idx")
    discard = mx.image.ImageIter(5, (3, 8, 8), path_imgrec=rec, path_imgidx=idx, resize=10,
                                 last_batch_handle="discard")
    assert len(list(discard)) == 2
    roll = mx.image.ImageIter(5, (3, 8, 8), path_imgrec=rec, path_imgidx=idx, resize=10,
                              last_batch_handle="roll_over")
    first = [b.label[0].asnumpy().tolist() for b in roll]
    roll.reset()
    second = [b.label[0].asnumpy().tolist() for b in roll]
    assert len(first) == 2 and second[0][:2] == [2.0, 3.0]   # images 10 and 11 rolled over
    part = mx.image.ImageIter(2, (3, 8, 8), path_imgrec=rec, path_imgidx=idx, resize=10,
                              num_parts=3, part_index=1)
    assert [b.label[0].asnumpy().tolist() for b in part] == [[0.0, 1.0], [2.0, 3.0]]


def test_image_iter_from_list(tmp_path):
    from PIL import Image

    lines = []
    for i in range(3):
        Image.fromarray(np.full((12, 14, 3), 50 * i, np.uint8)).save(tmp_path / f"{i}.png")
        lines.append(f"{i}\t{i}\t{i * 2}\t{i}.png")
    (tmp_path / "x.lst").write_text("\n".join(lines) + "\n")
    it = mx.image.ImageIter(2, (3, 10, 10), label_width=2, path_imglist=str(tmp_path / "x.lst"),
                            path_root=str(tmp_path))
    data, label, pads = epoch(it)
    assert label.tolist() == [[0, 0], [1, 2], [2, 4], [0, 0]] and pads == [0, 1]
    assert data[2].min() == data[2].max() == 100
    listed = mx.image.ImageIter(3, (3, 10, 10), imglist=[[1.0, "0.png"], [2.0, "1.png"], [3.0, "2.png"]],
                                path_root=str(tmp_path))
    assert epoch(listed)[1].tolist() == [1.0, 2.0, 3.0]


CASES = {
    "brightness": lambda: mx.image.BrightnessJitterAug(0.4),
    "contrast": lambda: mx.image.ContrastJitterAug(0.4),
    "saturation": lambda: mx.image.SaturationJitterAug(0.4),
    "hue": lambda: mx.image.HueJitterAug(0.3),
    "colorjitter": lambda: mx.image.ColorJitterAug(0.3, 0.3, 0.3),
    "lighting": lambda: mx.image.LightingAug(0.5, PCA_EIGVAL, PCA_EIGVEC),
    "gray": lambda: mx.image.RandomGrayAug(1.0),
    "flip": lambda: mx.image.HorizontalFlipAug(1.0),
    "randomcrop": lambda: mx.image.RandomCropAug((6, 7), 1),
    "randomsizedcrop": lambda: mx.image.RandomSizedCropAug((6, 6), 0.3, (0.75, 1.33), 1),
    "centercrop": lambda: mx.image.CenterCropAug((6, 5), 1),
    "resize": lambda: mx.image.ResizeAug(6, 1),
    "forceresize": lambda: mx.image.ForceResizeAug((7, 5), 1),
    "normalize": lambda: mx.image.ColorNormalizeAug(np.array([100.0, 110.0, 120.0]),
                                                    np.array([50.0, 60.0, 70.0])),
    "randomorder": lambda: mx.image.RandomOrderAug([mx.image.BrightnessJitterAug(0.2),
                                                    mx.image.ContrastJitterAug(0.2)]),
}


@pytest.mark.parametrize("k,name", list(enumerate(CASES)))
def test_augmenters_match_mxnet_with_the_same_seeds(augs, k, name):
    """MXNet's augmenters draw from Python's and NumPy's global generators; ours draw the same
    numbers in the same order, so the same seeds give the same images."""
    aug = CASES[name]()
    random.seed(k)
    np.random.seed(k)
    out = aug(mx.nd.array(augs["input"])).asnumpy()
    np.testing.assert_allclose(out, augs[name], rtol=1e-5, atol=1e-3 if "resize" not in name else 0.51)
    assert json.dumps(aug.dumps()) == str(augs[name + "_dumps"])


DET_CASES = {
    "detflip": lambda: mx.image.DetHorizontalFlipAug(1.0),
    "detcrop": lambda: mx.image.DetRandomCropAug(min_object_covered=0.1, area_range=(0.3, 1.0)),
    "detpad": lambda: mx.image.DetRandomPadAug(area_range=(1.5, 3.0), pad_val=(10, 20, 30)),
}


@pytest.mark.parametrize("k,name", list(enumerate(DET_CASES)))
def test_det_augmenters_match_mxnet(augs, k, name):
    random.seed(100 + k)
    np.random.seed(100 + k)
    src, label = DET_CASES[name]()(mx.nd.array(augs["input"]), augs["det_input"].copy())
    np.testing.assert_allclose(src.asnumpy(), augs[name], atol=1e-4)
    np.testing.assert_allclose(label, augs[name + "_label"], atol=1e-6)


def test_create_augmenter_lists_match_mxnet(augs):
    made = mx.image.CreateAugmenter((3, 8, 8), resize=10, rand_crop=True, rand_resize=True,
                                    rand_mirror=True, mean=True, std=True, brightness=0.1,
                                    contrast=0.1, saturation=0.1, hue=0.1, pca_noise=0.1,
                                    rand_gray=0.1)
    assert json.dumps([a.dumps() for a in made]) == str(augs["create_dumps"])
    det = mx.image.CreateDetAugmenter((3, 8, 8), resize=10, rand_crop=0.5, rand_pad=0.5,
                                      rand_mirror=True, mean=True, std=True, brightness=0.1,
                                      hue=0.1, pca_noise=0.1, rand_gray=0.1)
    assert json.dumps([a.dumps() for a in det]) == str(augs["createdet_dumps"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_pipeline_shapes_ranges_and_seeds(seed):
    img = mx.nd.array(np.random.RandomState(seed).randint(0, 256, (30, 40, 3)), dtype="uint8")

    def run():
        # a fresh list each time: RandomOrderAug shuffles its members in place, as MXNet's does
        chain = mx.image.CreateAugmenter((3, 16, 16), resize=20, rand_crop=True, rand_resize=True,
                                         rand_mirror=True, brightness=0.3, contrast=0.3,
                                         saturation=0.3, hue=0.2, pca_noise=0.1, rand_gray=0.3,
                                         inter_method=10)
        random.seed(seed)
        np.random.seed(seed)
        out = img
        for aug in chain:
            out = aug(out)
        return out.asnumpy()

    first, second = run(), run()
    assert first.shape == (16, 16, 3) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    assert np.isfinite(first).all() and -200 < first.min() and first.max() < 500


def test_det_random_crop_and_pad_keep_boxes_valid():
    random.seed(3)
    label = np.array([[0, 0.1, 0.2, 0.5, 0.6], [1, 0.4, 0.3, 0.9, 0.95]], dtype=np.float32)
    img = mx.nd.zeros((40, 50, 3))
    crop = mx.image.DetRandomCropAug(min_object_covered=0.3, area_range=(0.2, 1.0))
    pad = mx.image.DetRandomPadAug(area_range=(1.2, 2.5))
    for _ in range(20):
        for aug in (crop, pad):
            src, out = aug(img, label.copy())
            assert out.shape[1] == 5 and (out[:, 1:] >= 0).all() and (out[:, 1:] <= 1).all()
            assert (out[:, 3] > out[:, 1]).all() and (out[:, 4] > out[:, 2]).all()
            assert src.shape[2] == 3


def test_copy_make_border_types():
    a = mx.nd.array(np.arange(18).reshape(2, 3, 3), dtype="uint8")
    out = mx.image.copyMakeBorder(a, 1, 0, 0, 1, values=(7, 8)).asnumpy()
    assert out.shape == (3, 4, 3) and out[0, 0].tolist() == [7, 8, 0] and out[1, 3].tolist() == [7, 8, 0]
    assert mx.image.copyMakeBorder(a, 0, 0, 2, 0, 1).asnumpy()[0, :, 0].tolist() == [3, 0, 0, 3, 6]
    assert mx.image.copyMakeBorder(a, 0, 0, 2, 0, 2).asnumpy()[0, :, 0].tolist() == [6, 3, 0, 3, 6]
    assert (mx.image.copyMakeBorder(a, 1, 0, 0, 0, value=5).asnumpy()[0] == 5).all()


def test_imrotate_matches_mxnet(augs):
    chw = mx.nd.array(augs["input"].transpose(2, 0, 1))
    for key, args, kwargs in (("rotate_plain", (30,), {}), ("rotate_zoom_in", (-50,), {"zoom_in": True}),
                              ("rotate_zoom_out", (75,), {"zoom_out": True})):
        np.testing.assert_allclose(mx.image.imrotate(chw, *args, **kwargs).asnumpy(), augs[key],
                                   rtol=1e-4, atol=1e-2)
    np.random.seed(7)
    batch = mx.image.random_rotate(mx.nd.stack(chw, chw * 0.5), (-40, 40))
    np.testing.assert_allclose(batch.asnumpy(), augs["rotate_random_batch"], rtol=1e-4, atol=1e-2)
    with pytest.raises(TypeError):
        mx.image.imrotate(chw.astype("float64"), 10)


def test_image_det_iter_random_augmentation_keeps_labels_valid():
    random.seed(5)
    np.random.seed(5)
    it = mx.image.ImageDetIter(batch_size=2, data_shape=(3, 20, 20), path_imgrec=str(G / "det.rec"),
                               rand_crop=0.8, rand_pad=0.8, rand_mirror=True, mean=True, std=True,
                               brightness=0.2, contrast=0.2, saturation=0.2, hue=0.1,
                               min_object_covered=[0.1, 0.5], area_range=(0.3, 2.0))
    for _ in range(3):
        for batch in it:
            data, label = batch.data[0].asnumpy(), batch.label[0].asnumpy()
            assert data.shape == (2, 3, 20, 20) and np.isfinite(data).all()
            assert label.shape == (2,) + it.label_shape
            objects = label[label[:, :, 0] >= 0]
            assert len(objects) >= 2    # every image keeps at least one object
            assert (objects[:, 1:5] >= 0).all() and (objects[:, 1:5] <= 1).all()
            assert (objects[:, 3] > objects[:, 1]).all() and (objects[:, 4] > objects[:, 2]).all()
            assert (label[label[:, :, 0] < 0] == -1).all()
        it.reset()


def test_image_det_iter_reshape_and_sync():
    a = mx.image.ImageDetIter(batch_size=2, data_shape=(3, 16, 16), path_imgrec=str(G / "det.rec"))
    b = mx.image.ImageDetIter(batch_size=2, data_shape=(3, 16, 16), path_imgrec=str(G / "det.rec"))
    b.reshape(label_shape=(5, 5))
    assert a.sync_label_shape(b) is b and a.label_shape == (5, 5)
    assert a.next().label[0].shape == (2, 5, 5)
    with pytest.raises(ValueError):
        a.reshape(label_shape=(2, 5))
