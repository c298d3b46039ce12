"""GluonCV 0.10.5's model zoo on mxtorch: each family builds from
``gluoncv.model_zoo.get_model(name, pretrained=False)``, initializes, and runs forward, imperative
and hybridized, at a small input size with finite outputs of the shapes GluonCV gives.

Inputs are small to keep the suite fast on two CPU cores (the networks are the full ones); the
heavier networks are marked ``slow``. Skips when GluonCV is not installed.
"""
import numpy as np
import pytest

import mxtorch as mx

# name -> (input shape, get_model keywords beyond pretrained=False, initializer, output shapes)
# Uniform (Gluon's default) is what GluonCV's own scripts use; YOLOv3 on DarkNet-53 overflows
# exp() in its box decoder under it (no BatchNorm statistics yet), so it takes Xavier.
_DET = {"pretrained_base": False}
_SEG = {"pretrained_base": False, "crop_size": 64, "base_size": 64}
_BOXES = [(1, 100, 1), (1, 100, 1), (1, 100, 4)]
CASES = {
    "resnet18_v1b": ((1, 3, 32, 32), {}, None, [(1, 1000)]),
    "resnet50_v1d": ((1, 3, 64, 64), {}, None, [(1, 1000)]),
    "resnext50_32x4d": ((1, 3, 64, 64), {}, None, [(1, 1000)]),
    "se_resnet18_v1": ((1, 3, 32, 32), {}, None, [(1, 1000)]),
    "mobilenetv3_small": ((1, 3, 64, 64), {}, None, [(1, 1000)]),
    "darknet53": ((1, 3, 64, 64), {}, None, [(1, 1000)]),
    "ssd_300_vgg16_atrous_voc": ((1, 3, 300, 300), _DET, None, _BOXES),
    "ssd_512_mobilenet1.0_voc": ((1, 3, 128, 128), _DET, None, _BOXES),
    "yolo3_mobilenet1.0_voc": ((1, 3, 128, 128), _DET, None, _BOXES),
    "yolo3_darknet53_voc": ((1, 3, 128, 128), _DET, "xavier", _BOXES),
    "faster_rcnn_resnet50_v1b_voc": ((1, 3, 128, 128), _DET, None,
                                     [(1, 6000, 1), (1, 6000, 1), (1, 6000, 4)]),
    # Mask R-CNN on FPN: the C4 one (mask_rcnn_resnet50_v1b_coco) also runs, from 256x256 up (its
    # 1000 proposals need that many anchors), but takes minutes on two cores
    "mask_rcnn_fpn_resnet18_v1b_coco": ((1, 3, 128, 128), _DET, None,
                                        [(1, 1000, 1), (1, 1000, 1), (1, 1000, 4), (1, 1000, 14, 14)]),
    "center_net_resnet18_v1b_voc": ((1, 3, 128, 128), _DET, None, [(1, 40), (1, 40), (1, 40, 4)]),
    "center_net_mobilenetv3_small_duc_voc": ((1, 3, 128, 128), _DET, None,
                                             [(1, 40), (1, 40), (1, 40, 4)]),
    "fcn_resnet50_voc": ((1, 3, 64, 64), _SEG, None, [(1, 21, 64, 64), (1, 21, 64, 64)]),
    "psp_resnet50_ade": ((1, 3, 64, 64), _SEG, None, [(1, 150, 64, 64), (1, 150, 64, 64)]),
    "deeplab_resnet50_ade": ((1, 3, 64, 64), _SEG, None, [(1, 150, 64, 64), (1, 150, 64, 64)]),
    "simple_pose_resnet18_v1b": ((1, 3, 64, 48), _DET, None, [(1, 17, 16, 16)]),
    "mobile_pose_mobilenetv3_small": ((1, 3, 64, 48), _DET, None, [(1, 17, 16, 16)]),
}
FAST = {"resnet18_v1b", "se_resnet18_v1", "mobilenetv3_small", "yolo3_mobilenet1.0_voc",
        "simple_pose_resnet18_v1b", "mobile_pose_mobilenetv3_small"}


def _params():
    return [pytest.param(name, hybridize, id=f"{name}-{'hybrid' if hybridize else 'imperative'}",
                         marks=() if name in FAST and not hybridize else pytest.mark.slow)
            for name in CASES for hybridize in (False, True)]


@pytest.mark.parametrize("name, hybridize", _params())
def test_get_model_builds_and_runs_forward(gluoncv, name: str, hybridize: bool) -> None:
    shape, kwargs, init, expected = CASES[name]
    mx.random.seed(0)
    net = gluoncv.model_zoo.get_model(name, pretrained=False, **kwargs)
    net.initialize(mx.init.Xavier() if init == "xavier" else mx.init.Uniform())
    if hybridize:
        net.hybridize()
    out = net(mx.nd.random.uniform(shape=shape))
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    assert [o.shape for o in outs] == expected
    for o in outs:
        assert np.isfinite(o.asnumpy()).all()
