"""A few training iterations of GluonCV 0.10.5 networks on mxtorch, hybridized as GluonCV's own
training scripts run them, on synthetic images and boxes: the loss goes down.

SSD: targets from ``SSDDefaultTrainTransform`` (MultiBox matching against the network's anchors)
and ``SSDMultiBoxLoss``; YOLOv3: targets from ``YOLO3DefaultTrainTransform`` (built on the network,
before it is hybridized, as ``train_yolo3.py`` does) and the network's own training losses; a
ResNet-v1b classifier with softmax cross-entropy; Faster R-CNN with its RPN and R-CNN losses.
Skips without GluonCV.
"""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon


def _data(count: int = 4) -> tuple:
    rs = np.random.RandomState(0)
    images = [mx.nd.array(rs.randint(0, 255, (96, 128, 3)).astype("uint8"), dtype="uint8")
              for _ in range(count)]
    boxes = [np.array([[10, 12, 60, 80, 3], [30, 5, 100, 90, 7]], dtype="float32")] * count
    return images, boxes


@pytest.mark.slow
def test_ssd_trains(gluoncv) -> None:
    mx.random.seed(0)
    net = gluoncv.model_zoo.get_model("ssd_512_mobilenet1.0_voc", pretrained=False, pretrained_base=False)
    net.initialize()
    net.hybridize()
    with autograd.train_mode():
        _, _, anchors = net(mx.nd.zeros((1, 3, 128, 128)))
    transform = gluoncv.data.transforms.presets.ssd.SSDDefaultTrainTransform(128, 128, anchors)
    samples = [transform(image, box) for image, box in zip(*_data())]
    x, cls_targets, box_targets = (mx.nd.stack(*[s[k] for s in samples]) for k in range(3))
    loss = gluoncv.loss.SSDMultiBoxLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01, "momentum": 0.9})
    history = []
    for _ in range(4):
        with autograd.record():
            cls_pred, box_pred, _ = net(x)
            total, _, _ = loss(cls_pred, box_pred, cls_targets, box_targets)
        autograd.backward(total)
        trainer.step(1)
        history.append(sum(t.sum().asscalar() for t in total))
    assert np.isfinite(history).all() and history[-1] < history[0]


@pytest.mark.slow
def test_yolo3_trains(gluoncv) -> None:
    mx.random.seed(0)
    net = gluoncv.model_zoo.get_model("yolo3_mobilenet1.0_voc", pretrained=False, pretrained_base=False)
    net.initialize()
    transform = gluoncv.data.transforms.presets.yolo.YOLO3DefaultTrainTransform(128, 128, net)
    net.hybridize()
    batchify = gluoncv.data.batchify
    samples = [transform(image, box) for image, box in zip(*_data())]
    stack_and_pad = [batchify.Stack() for _ in range(6)] + [batchify.Pad(axis=0, pad_val=-1)]
    batch = batchify.Tuple(*stack_and_pad)(samples)
    x, targets, gt_boxes = batch[0], batch[1:6], batch[6]
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.001, "momentum": 0.9})
    history = []
    for _ in range(4):
        with autograd.record():
            obj, center, scale, cls = net(x, gt_boxes, *targets)
            total = obj + center + scale + cls
        autograd.backward(total)
        trainer.step(len(samples))
        history.append(total.sum().asscalar())
    assert np.isfinite(history).all() and history[-1] < history[0]


@pytest.mark.slow
def test_resnet_v1b_classifier_trains(gluoncv) -> None:
    mx.random.seed(0)
    net = gluoncv.model_zoo.get_model("resnet18_v1b", pretrained=False, classes=10)
    net.initialize(mx.init.Xavier())
    net.hybridize()
    x = mx.nd.random.uniform(shape=(8, 3, 32, 32))
    y = mx.nd.array(np.arange(8) % 10)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01, "momentum": 0.9})
    history = []
    for _ in range(6):
        with autograd.record():
            value = loss(net(x), y)
        value.backward()
        trainer.step(len(y))
        history.append(value.mean().asscalar())
    assert np.isfinite(history).all() and history[-1] < history[0]


@pytest.mark.slow
def test_faster_rcnn_trains(gluoncv) -> None:
    # as train_faster_rcnn.py: RPN targets from the train preset and FasterRCNNTrainBatchify
    # (one shard), R-CNN targets from the network's own sampler, its four losses
    mx.random.seed(0)
    net = gluoncv.model_zoo.get_model("faster_rcnn_resnet50_v1b_voc", pretrained=False,
                                      pretrained_base=False, per_device_batch_size=2)
    net.initialize()
    transform = gluoncv.data.transforms.presets.rcnn.FasterRCNNDefaultTrainTransform(96, 128, net)
    images, boxes = _data(2)
    batch = gluoncv.data.batchify.FasterRCNNTrainBatchify(net, 1)(
        [transform(image, box) for image, box in zip(images, boxes)])
    net.hybridize(static_alloc=True)
    data, label = batch[0], batch[1]
    rpn_cls_targets, rpn_box_targets, rpn_box_masks = (shards[0] for shards in batch[2:])
    rpn_cls_loss = gluon.loss.SigmoidBinaryCrossEntropyLoss(from_sigmoid=False)
    rpn_box_loss = gluon.loss.HuberLoss(rho=1 / 9.0)
    rcnn_cls_loss = gluon.loss.SoftmaxCrossEntropyLoss()
    rcnn_box_loss = gluon.loss.HuberLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.001, "momentum": 0.9,
                                                          "wd": 1e-4})
    history = []
    for _ in range(3):
        with autograd.record():
            out = net(data, label[:, :, :4], label[:, :, 4:5])
            cls_pred, box_pred, rpn_score, rpn_box = out[0], out[1], out[5], out[6]
            cls_targets, box_targets, box_masks = out[8], out[9], out[10]
            rpn_score = rpn_score.squeeze(axis=-1)
            rpn_pos = (rpn_cls_targets >= 0).sum()
            rcnn_pos = (cls_targets >= 0).sum()
            total = ((rpn_cls_loss(rpn_score, rpn_cls_targets, rpn_cls_targets >= 0)
                      * rpn_cls_targets.size / rpn_pos).sum()
                     + (rpn_box_loss(rpn_box, rpn_box_targets, rpn_box_masks)
                        * rpn_box.size / rpn_pos).sum()
                     + (rcnn_cls_loss(cls_pred, cls_targets, cls_targets.expand_dims(-1) >= 0)
                        * cls_targets.size / rcnn_pos).sum()
                     + (rcnn_box_loss(box_pred, box_targets, box_masks) * box_pred.size / rcnn_pos).sum())
        total.backward()
        trainer.step(len(images))
        history.append(total.asscalar())
    assert np.isfinite(history).all() and history[-1] < history[0]
