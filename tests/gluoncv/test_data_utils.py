"""GluonCV 0.10.5's data presets, losses, metrics and utilities on mxtorch (through the ``mxnet``
hook): the SSD, YOLOv3 and Faster R-CNN transforms, SSD's target generation and loss, the VOC07
mAP and segmentation metrics, ``bbox_iou`` and ``export_block``. Skips without GluonCV."""
import numpy as np
import pytest

import mxtorch as mx

BOXES = np.array([[10, 12, 60, 80, 3], [30, 5, 100, 90, 7]], dtype="float32")


@pytest.fixture
def image() -> mx.nd.NDArray:
    pixels = np.random.RandomState(0).randint(0, 255, (96, 128, 3)).astype("uint8")
    return mx.nd.array(pixels, dtype="uint8")


def test_detection_presets_resize_and_keep_boxes(gluoncv, image) -> None:
    presets = gluoncv.data.transforms.presets
    x, label = presets.ssd.SSDDefaultValTransform(128, 128)(image, BOXES)
    assert x.shape == (3, 128, 128) and label.shape == (2, 5)
    # a 128x96 image stretched to 128x128: y coordinates scale by 4/3, x stay, classes stay
    np.testing.assert_allclose(label, BOXES * np.array([1, 4 / 3, 1, 4 / 3, 1], "float32"), rtol=1e-5)
    x, label = presets.yolo.YOLO3DefaultValTransform(128, 128)(image, BOXES)
    assert x.shape == (3, 128, 128) and label.shape == (2, 5)
    x, label, scale = presets.rcnn.FasterRCNNDefaultValTransform(short=96, max_size=128)(image, BOXES)
    assert x.shape == (3, 96, 128) and scale.asnumpy().tolist() == [1.0]
    np.testing.assert_allclose(label, BOXES)
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    expected = (image.asnumpy().astype("float32") / 255 - mean) / std
    np.testing.assert_allclose(x.asnumpy().transpose(1, 2, 0), expected, rtol=1e-4, atol=1e-5)


def test_ssd_train_transform_targets_and_loss(gluoncv, image) -> None:
    anchors = mx.nd.contrib.MultiBoxPrior(mx.nd.zeros((1, 3, 8, 8)), sizes=[0.3, 0.6], ratios=[1, 2])
    transform = gluoncv.data.transforms.presets.ssd.SSDDefaultTrainTransform(128, 128, anchors)
    mx.random.seed(0)
    np.random.seed(0)
    x, cls_targets, box_targets = transform(image, BOXES)
    n = anchors.shape[1]
    assert x.shape == (3, 128, 128) and cls_targets.shape == (n,) and box_targets.shape == (n, 4)
    # every ground-truth box has its best anchor: targets name classes 3 and 7 (shifted by one
    # for the background) and nothing else; the other anchors are background (0)
    assert set(np.unique(cls_targets.asnumpy()).tolist()) <= {0.0, 4.0, 8.0}
    assert (cls_targets.asnumpy() > 0).sum() >= 1
    loss = gluoncv.loss.SSDMultiBoxLoss()
    cls_pred = mx.nd.random.uniform(shape=(1, n, 21))
    box_pred = mx.nd.random.uniform(shape=(1, n, 4))
    sum_loss, cls_loss, box_loss = loss(cls_pred, box_pred, cls_targets[None], box_targets[None])
    for value in (sum_loss, cls_loss, box_loss):
        assert np.isfinite(value[0].asnumpy()).all() and value[0].asnumpy().item() > 0


def test_voc07_map_and_bbox_iou(gluoncv) -> None:
    metric = gluoncv.utils.metrics.voc_detection.VOC07MApMetric(
        iou_thresh=0.5, class_names=[str(i) for i in range(10)])
    boxes, labels = mx.nd.array(BOXES[None, :, :4]), mx.nd.array(BOXES[None, :, 4:5])
    metric.update(boxes, labels, mx.nd.array([[[0.9], [0.8]]]), boxes, labels)
    assert metric.get()[1][-1] == pytest.approx(1.0)
    shifted = mx.nd.array(BOXES[None, :, :4] + np.array([40, 0, 40, 0], "float32"))
    metric.reset()
    metric.update(shifted, labels, mx.nd.array([[[0.9], [0.8]]]), boxes, labels)
    assert metric.get()[1][-1] < 1.0
    iou = gluoncv.utils.bbox_iou(BOXES[:, :4], BOXES[:, :4])
    # overlap 30 x 68 = 2040 over 3400 + 5950 - 2040
    np.testing.assert_allclose(iou, [[1, 2040 / 7310], [2040 / 7310, 1]], rtol=1e-5)


def test_segmentation_metric(gluoncv) -> None:
    from gluoncv.utils.metrics.segmentation import SegmentationMetric

    metric = SegmentationMetric(3)
    label = np.array([[[0, 1], [2, 2]]])
    scores = np.zeros((1, 3, 2, 2), "float32")
    for i, j, c in [(0, 0, 0), (0, 1, 1), (1, 0, 2), (1, 1, 0)]:
        scores[0, c, i, j] = 1
    metric.update(mx.nd.array(label), mx.nd.array(scores))
    pixel_acc, miou = metric.get()
    assert pixel_acc == pytest.approx(3 / 4)
    # IoU per class: 0 -> 1/2, 1 -> 1, 2 -> 1/2
    assert miou == pytest.approx((0.5 + 1 + 0.5) / 3)


def test_classification_and_segmentation_presets(gluoncv, image) -> None:
    """ImageNet's evaluation preset resizes the short side and crops the centre; the segmentation
    preset normalizes the whole image. Both with ImageNet's mean and deviation, channels first."""
    from gluoncv.data.transforms.presets import imagenet, segmentation

    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    x = segmentation.test_transform(image, ctx=mx.cpu())
    assert x.shape == (1, 3, 96, 128)
    expected = (image.asnumpy() / 255 - mean) / std
    np.testing.assert_allclose(x.asnumpy()[0].transpose(1, 2, 0), expected, rtol=1e-4, atol=1e-5)
    # 96x128 -> short side 48 (48x64) -> centre 40x40, rows 4..44 and columns 12..52
    x = imagenet.transform_eval(image, resize_short=48, crop_size=40)
    assert x.shape == (1, 3, 40, 40)
    resized = mx.image.imresize(image, 64, 48).asnumpy()[4:44, 12:52]
    np.testing.assert_allclose(x.asnumpy()[0].transpose(1, 2, 0), (resized / 255 - mean) / std,
                               rtol=1e-4, atol=1e-4)
    assert len(imagenet.transform_eval([image, image], resize_short=48, crop_size=40)) == 2


def test_export_block_round_trip(gluoncv, tmp_path) -> None:
    net = gluoncv.model_zoo.get_model("resnet18_v1b", pretrained=False)
    net.initialize()
    prefix = str(tmp_path / "r18")
    # export_block pops box_encode from mx.sym.contrib for good (as it does under MXNet), after which
    # GluonCV's R-CNN target encoder takes another branch than the one its constants were made for;
    # put it back so that the tests after this one see the module as they would in a fresh process
    box_encode = mx.sym.contrib.box_encode
    try:
        gluoncv.utils.export_block(prefix, net, data_shape=(32, 32, 3), preprocess=True, layout="HWC")
    finally:
        mx.sym.contrib.__dict__.setdefault("box_encode", box_encode)
    loaded = mx.gluon.SymbolBlock.imports(prefix + "-symbol.json", ["data"], prefix + "-0000.params")
    x = mx.nd.random.uniform(0, 255, shape=(1, 32, 32, 3))
    mean = mx.nd.array([0.485, 0.456, 0.406]).reshape((1, 3, 1, 1))
    std = mx.nd.array([0.229, 0.224, 0.225]).reshape((1, 3, 1, 1))
    expected = net((x.transpose((0, 3, 1, 2)) / 255 - mean) / std)
    np.testing.assert_allclose(loaded(x).asnumpy(), expected.asnumpy(), rtol=1e-4, atol=1e-4)
