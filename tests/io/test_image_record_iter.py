"""mx.io.ImageRecordIter against MXNet 1.9.1 (goldens from tests/conformance/gen_image_iter.py),
properties of its random augmentation, and a ResNet-18 trained from a .rec through it."""
import io

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from tests.conftest import GOLDEN

G = GOLDEN / "image_iter"
REC, IDX = str(G / "images.rec"), str(G / "images.idx")
MEAN = (123.68, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)
NORM = dict(mean_r=MEAN[0], mean_g=MEAN[1], mean_b=MEAN[2], std_r=STD[0], std_g=STD[1], std_b=STD[2])


@pytest.fixture(scope="module")
def golden():
    return np.load(G / "batches.npz")


def epoch(it):
    batches = list(it)
    return (np.concatenate([b.data[0].asnumpy() for b in batches]),
            np.concatenate([b.label[0].asnumpy() for b in batches]), [b.pad for b in batches])


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_deterministic_batches_match_mxnet(golden, threads):
    """resize + centre crop + mean/std, two epochs: the first ends with a batch padded by the next
    epoch's first images, the second starts after them. Within one grey level of MXNet (resize
    rounding; the JPEG decode itself is exact, see the uint8 test)."""
    it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=5, resize=20,
                               preprocess_threads=threads, **NORM)
    for e in range(2):
        data, label, pads = epoch(it)
        want = golden[f"rec_data_{e}"].astype(np.float32)
        assert data.shape == want.shape
        np.testing.assert_array_equal(label, golden[f"rec_label_{e}"])
        assert pads == list(golden[f"rec_pad_{e}"])
        assert np.abs(data - want).max() <= 1.5 / min(STD)
        assert np.abs(data - want).mean() <= 0.3 / min(STD)
        it.reset()


def test_uint8_iter_decodes_as_mxnet(golden):
    it = mx.io.ImageRecordUInt8Iter(path_imgrec=REC, data_shape=(3, 28, 28), batch_size=6)
    assert it.provide_data[0].dtype == np.uint8
    data, label, pads = epoch(it)
    assert data.dtype == np.uint8
    assert np.abs(data.astype(int) - golden["u8_data"].astype(int)).max() <= 2
    np.testing.assert_array_equal(label, golden["u8_label"])
    assert pads == list(golden["u8_pad"])


def test_provide_data_label_and_layout():
    it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4, resize=20,
                               data_name="img", label_name="lab")
    assert it.provide_data[0].name == "img" and it.provide_data[0].shape == (4, 3, 16, 16)
    assert it.provide_label[0].name == "lab" and it.provide_label[0].shape == (4,)
    nchw = it.next().data[0].asnumpy()
    nhwc_it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4,
                                    resize=20, layout="NHWC")
    assert nhwc_it.provide_data[0].shape == (4, 16, 16, 3)
    np.testing.assert_array_equal(nhwc_it.next().data[0].asnumpy(), nchw.transpose(0, 2, 3, 1))


def test_partitions_with_index_split_by_ceil():
    seen = []
    for part in range(3):
        it = mx.io.ImageRecordIter(path_imgrec=REC, path_imgidx=IDX, data_shape=(3, 16, 16),
                                   batch_size=2, resize=20, num_parts=3, part_index=part,
                                   round_batch=False)
        _, label, pads = epoch(it)
        seen.append((len(label) - sum(pads)))
    assert seen == [4, 4, 4]


def test_round_batch_false_reports_pad():
    it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=5, resize=20,
                               round_batch=False)
    data, _, pads = epoch(it)
    assert pads == [0, 0, 3]
    assert not data[-3:].any()


RANDOM = dict(rand_crop=True, rand_mirror=True, random_resized_crop=True, min_random_area=0.3,
              max_aspect_ratio=1.33, min_aspect_ratio=0.75, brightness=0.3, contrast=0.3,
              saturation=0.3, pca_noise=0.1, random_h=10, random_s=20, random_l=20,
              inter_method=10)


@pytest.mark.parametrize("extra", [RANDOM, dict(max_random_scale=1.3, min_random_scale=0.7, pad=2,
                                                rand_crop=True, max_aspect_ratio=0.2),
                                   dict(max_crop_size=30, min_crop_size=20, rand_crop=True)])
def test_random_augmentation_shapes_ranges_and_seeds(extra):
    def run(seed, threads):
        it = mx.io.ImageRecordUInt8Iter(path_imgrec=REC, path_imgidx=IDX, data_shape=(3, 24, 24),
                                        batch_size=4, shuffle=True, seed=seed,
                                        preprocess_threads=threads, **extra)
        return epoch(it)

    data, label, _ = run(7, 1)
    assert data.shape == (12, 3, 24, 24) and data.dtype == np.uint8
    assert sorted(label.tolist()) == sorted([i % 4 for i in range(12)])
    again, label2, _ = run(7, 3)
    np.testing.assert_array_equal(data, again)     # same seed, any number of threads
    np.testing.assert_array_equal(label, label2)
    other, _, _ = run(8, 2)
    assert not np.array_equal(data, other)


def test_float_output_is_normalised():
    it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=12, resize=20,
                               scale=1 / 255.0)
    data = it.next().data[0].asnumpy()
    assert data.dtype == np.float32 and 0.0 <= data.min() and data.max() <= 1.0


def test_refusals(tmp_path):
    with pytest.raises(MXNetError, match="cannot read path_imglist"):
        mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4,
                              path_imglist=str(tmp_path / "missing.lst"))
    # MXNet ignores unknown arguments; mxtorch says so (io.file_iters.ignore_unknown), pointing
    # at the caller, and stays quiet about those MXNet knew but mxtorch has no use for
    with pytest.warns(UserWarning, match=r"ImageRecordIter: ignoring arguments it does not use: "
                                         r"\['bogus'\]") as caught:
        mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4, bogus=1,
                              verbose=True, ctx="gpu").close()
    assert len(caught) == 1 and caught[0].filename == __file__
    with pytest.raises(MXNetError, match="aspect ratio"):
        mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4,
                              max_aspect_ratio=0.5, min_aspect_ratio=0.75)
    with pytest.raises(MXNetError, match="dtype"):
        mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4, dtype="float64")
    truncated = tmp_path / "cut.rec"
    truncated.write_bytes((G / "images.rec").read_bytes()[:3000])
    it = mx.io.ImageRecordIter(path_imgrec=str(truncated), data_shape=(3, 16, 16), batch_size=4)
    with pytest.raises(MXNetError):
        list(it)
    it.close()


def _write_rec(path, count, classes, size=(40, 48)):
    from PIL import Image

    rng = np.random.default_rng(0)
    rec = mx.recordio.MXIndexedRecordIO(str(path) + ".idx", str(path) + ".rec", "w")
    for i in range(count):
        label = i % classes
        img = np.full(size + (3,), 40, np.uint8)
        img[..., label % 3] = 200               # a learnable colour cue
        img = np.clip(img + rng.integers(0, 30, img.shape), 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="JPEG", quality=90)
        rec.write_idx(i, mx.recordio.pack(mx.recordio.IRHeader(0, float(label), i, 0), buf.getvalue()))
    rec.close()


def test_resnet18_trains_from_rec(tmp_path):
    from mxtorch import autograd, gluon

    _write_rec(tmp_path / "train", 16, 3)
    it = mx.io.ImageRecordIter(path_imgrec=str(tmp_path / "train.rec"),
                               path_imgidx=str(tmp_path / "train.idx"), data_shape=(3, 32, 32),
                               batch_size=8, shuffle=True, rand_crop=True, rand_mirror=True,
                               resize=36, mean_r=123.68, mean_g=116.28, mean_b=103.53,
                               std_r=58.395, std_g=57.12, std_b=57.375, preprocess_threads=2)
    mx.random.seed(3)
    net = gluon.model_zoo.vision.resnet18_v1(classes=3)
    net.initialize(mx.init.Xavier())
    first = net(it.next().data[0])   # deferred initialisation; keep a weight to compare
    weight = net.features[0].weight.data().asnumpy().copy()
    assert first.shape == (8, 3)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01, "momentum": 0.9})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    losses = []
    for _ in range(3):
        it.reset()
        for batch in it:
            with autograd.record():
                loss = loss_fn(net(batch.data[0]), batch.label[0])
            loss.backward()
            trainer.step(batch.data[0].shape[0])
            losses.append(float(loss.mean().asscalar()))
    assert len(losses) == 6 and all(np.isfinite(losses))
    assert not np.allclose(net.features[0].weight.data().asnumpy(), weight)
    assert min(losses[-2:]) < losses[0]   # seeded: the images carry a colour cue it picks up
    it.close()


def test_multi_label_records_and_label_width(tmp_path):
    from PIL import Image

    rec = mx.recordio.MXRecordIO(str(tmp_path / "m.rec"), "w")
    for i in range(3):
        buf = io.BytesIO()
        Image.fromarray(np.full((20, 20, 3), 30 * i, np.uint8)).save(buf, format="PNG")
        labels = np.array([i, i + 0.5, -i], dtype=np.float32)
        rec.write(mx.recordio.pack(mx.recordio.IRHeader(3, labels, i, 0), buf.getvalue()))
    rec.close()
    it = mx.io.ImageRecordIter(path_imgrec=str(tmp_path / "m.rec"), data_shape=(3, 16, 16),
                               batch_size=3, label_width=3)
    assert it.provide_label[0].shape == (3, 3)
    batch = it.next()
    np.testing.assert_array_equal(batch.label[0].asnumpy(),
                                  [[0, 0.5, 0], [1, 1.5, -1], [2, 2.5, -2]])
    assert batch.data[0].asnumpy()[2].min() == batch.data[0].asnumpy()[2].max() == 60
    too_wide = mx.io.ImageRecordIter(path_imgrec=str(tmp_path / "m.rec"), data_shape=(3, 16, 16),
                                     batch_size=3, label_width=4)
    with pytest.raises(MXNetError, match="label_width"):
        too_wide.next()
    too_wide.close()


def test_mean_img_pad_fill_and_mirror(tmp_path):
    mean = np.random.default_rng(1).uniform(0, 100, (3, 16, 16)).astype(np.float32)
    mx.nd.save(str(tmp_path / "mean.nd"), {"mean_img": mx.nd.array(mean)})
    plain = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4, resize=20)
    centred = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4, resize=20,
                                    mean_img=str(tmp_path / "mean.nd"), scale=0.5, std_r=2.0)
    raw, got = plain.next().data[0].asnumpy(), centred.next().data[0].asnumpy()
    want = raw - mean
    want[:, 0] = want[:, 0] * 0.5 / 2.0
    want[:, 1:] *= 0.5
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    mirrored = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=4,
                                     resize=20, mirror=True)
    np.testing.assert_array_equal(mirrored.next().data[0].asnumpy(), raw[..., ::-1])
    padded = mx.io.ImageRecordUInt8Iter(path_imgrec=REC, data_shape=(3, 24, 24), batch_size=4,
                                        resize=20, pad=2, fill_value=7)
    data = padded.next().data[0].asnumpy()
    for img in data:   # the shorter side is 20 + 2 * 2 = 24: its border survives the crop
        rows = (img[:, 0, :] == 7).all() and (img[:, -1, :] == 7).all()
        cols = (img[:, :, 0] == 7).all() and (img[:, :, -1] == 7).all()
        assert rows or cols
    with pytest.raises(MXNetError, match="mean_img"):
        mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 8, 8), batch_size=4,
                              mean_img=str(tmp_path / "mean.nd"))


def test_grey_images_with_colour_jitter():
    it = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(1, 16, 16), batch_size=4, resize=20,
                               brightness=0.2, contrast=0.2, saturation=0.2, pca_noise=0.1,
                               random_h=5)
    data = it.next().data[0].asnumpy()
    assert data.shape == (4, 1, 16, 16) and 0 <= data.min() and data.max() <= 255


@pytest.mark.parametrize("key,kwargs,max_diff,mean_diff", [
    ("affine_rotate30", dict(rotate=30, fill_value=0), 4, 0.2),
    ("affine_rotate90", dict(rotate=90, fill_value=9), 1, 0.05),
    ("affine_scale_ratio", dict(min_random_scale=0.7, max_random_scale=0.7, min_aspect_ratio=1.25,
                                max_aspect_ratio=1.25), 5, 0.2),
])
def test_affine_warp_matches_mxnet(golden, key, kwargs, max_diff, mean_diff):
    it = mx.io.ImageRecordUInt8Iter(path_imgrec=REC, data_shape=(3, 28, 28), batch_size=6, **kwargs)
    diff = np.abs(it.next().data[0].asnumpy().astype(int) - golden[key].astype(int))
    assert diff.max() <= max_diff and diff.mean() <= mean_diff
    it.close()


def test_random_rotation_and_shear_properties():
    def run(seed):
        it = mx.io.ImageRecordUInt8Iter(path_imgrec=REC, data_shape=(3, 24, 24), batch_size=12,
                                        resize=30, max_rotate_angle=25, max_shear_ratio=0.2,
                                        fill_value=0, seed=seed, preprocess_threads=2)
        return it.next().data[0].asnumpy()

    first = run(4)
    assert first.shape == (12, 3, 24, 24)
    np.testing.assert_array_equal(first, run(4))
    assert not np.array_equal(first, run(5))


def test_random_contrast_and_illumination():
    """As MXNet 1.9.1 (measured there): per image, ((pixel - mean) * c + i) * scale / std with
    c in [1 - max_random_contrast, 1 + max] and i in [-max_random_illumination, max]."""
    norm = dict(mean_r=10, mean_g=20, mean_b=30, std_r=2, std_g=2, std_b=2, scale=0.5)
    raw = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=12,
                                resize=20).next().data[0].asnumpy()
    centred = (raw - np.array([10, 20, 30]).reshape(1, 3, 1, 1)) * 0.25
    con = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=12, resize=20,
                                max_random_contrast=0.5, **norm).next().data[0].asnumpy()
    factors = con.reshape(12, -1)[:, :1] / centred.reshape(12, -1)[:, :1]
    np.testing.assert_allclose(con.reshape(12, -1), centred.reshape(12, -1) * factors, rtol=1e-4, atol=1e-4)
    assert (0.5 <= factors).all() and (factors <= 1.5).all() and factors.std() > 0
    ill = mx.io.ImageRecordIter(path_imgrec=REC, data_shape=(3, 16, 16), batch_size=12, resize=20,
                                max_random_illumination=10, **norm).next().data[0].asnumpy()
    offsets = (ill - centred).reshape(12, -1)
    np.testing.assert_allclose(offsets, offsets[:, :1] * np.ones_like(offsets), atol=1e-4)
    assert (np.abs(offsets[:, 0]) <= 2.5 + 1e-5).all() and offsets[:, 0].std() > 0
