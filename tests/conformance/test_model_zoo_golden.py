"""Model-zoo networks load parameter files written by MXNet 1.9.1 and give MXNet's logits.

Goldens from ``gen_model_zoo.py`` (reference venv): per architecture, MXNet's save_parameters file
(lzma-compressed) and the logits MXNet computed for a fixed input.
"""
import lzma

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import nd
from mxtorch.gluon.model_zoo import vision
from tests.conformance.conftest import GOLDEN

MODELS = ["resnet18_v1", "resnet50_v2", "vgg11_bn", "densenet121", "squeezenet1.1",
          "mobilenet0.25", "mobilenetv2_0.25", "inceptionv3"]
FOLDER = GOLDEN / "model_zoo"


@pytest.fixture(scope="module", params=MODELS)
def loaded(request, tmp_path_factory):
    name = request.param
    golden = np.load(FOLDER / f"{name}.npz")
    params_file = tmp_path_factory.mktemp(name) / f"{name}.params"
    params_file.write_bytes(lzma.decompress((FOLDER / f"{name}.params.xz").read_bytes()))
    with mx.name.NameManager():  # fresh counters, as in the reference's fresh process
        net = vision.get_model(name, classes=10)
    net.load_parameters(str(params_file))
    return name, net, golden


def test_parameter_names_and_shapes_match_mxnet(loaded):
    name, net, golden = loaded
    params = net.collect_params()
    assert list(params.keys()) == list(golden["names"])
    shapes = [",".join(map(str, p.shape)) for p in params.values()]
    assert shapes == list(golden["shapes"])
    assert list(net._collect_params_with_prefix().keys()) == list(golden["structural"])


def test_logits_match_mxnet(loaded):
    name, net, golden = loaded
    x = nd.array(golden["input"].astype(np.float32) / 4)
    out = net(x).asnumpy()
    expected = golden["logits"]
    scale = np.abs(expected).max()
    max_abs = np.abs(out - expected).max()
    # deep float32 networks: differences come from summation order in the convolutions
    assert max_abs <= 1e-4 * scale, f"{name}: max abs difference {max_abs} (logit scale {scale})"
    np.testing.assert_array_equal(out.argmax(axis=1), expected.argmax(axis=1))
