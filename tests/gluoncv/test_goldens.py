"""GluonCV networks on mxtorch give MXNet 1.9.1's outputs on MXNet's parameter files.

Goldens from ``tests/conformance/gen_gluoncv.py``, run with GluonCV 0.10.5 on MXNet 1.9.1: per
network, the file MXNet's ``save_parameters`` wrote (lzma-compressed) and every output MXNet gave in
predict mode for a fixed input. Here the same GluonCV code builds the network on mxtorch, loads
that file and runs the input, imperative and hybridized.
"""
import json
import lzma

import numpy as np
import pytest

import mxtorch as mx
from tests.conformance.conftest import GOLDEN

FOLDER = GOLDEN / "gluoncv"
# name -> {"shape": input shape, "kwargs": get_model keywords beyond pretrained=False}
NETWORKS = json.loads((FOLDER / "networks.json").read_text())
DETECTORS = {name for name in NETWORKS if name.startswith(("ssd_", "yolo3_"))}


@pytest.fixture(scope="module", params=sorted(NETWORKS))
def loaded(request, gluoncv, tmp_path_factory):
    name = request.param
    kwargs = NETWORKS[name]["kwargs"]
    golden = np.load(FOLDER / f"{name}.npz")
    params_file = tmp_path_factory.mktemp("gluoncv") / f"{name}.params"
    params_file.write_bytes(lzma.decompress((FOLDER / f"{name}.params.xz").read_bytes()))
    with mx.name.NameManager():  # fresh counters, as in the generator
        net = gluoncv.model_zoo.get_model(name, pretrained=False, **kwargs)
    net.load_parameters(str(params_file))
    return name, net, golden


def _outputs(net, golden) -> list:
    x = mx.nd.array(golden["input"].astype(np.float32) / 4)
    out = net(x)
    return [o.asnumpy() for o in (out if isinstance(out, (list, tuple)) else [out])]


def _expected(golden) -> list:
    return [golden[f"output{i}"] for i in range(sum(k.startswith("output") for k in golden.files))]


def test_parameter_names_and_shapes_match_mxnet(loaded):
    _, net, golden = loaded
    params = net.collect_params()
    assert list(params.keys()) == list(golden["names"])
    # the arrays' shapes: some of SSD's BatchNorm parameters keep shape None, in MXNet as here
    assert [",".join(map(str, p.data().shape)) for p in params.values()] == list(golden["shapes"])


def _assert_dense_close(name: str, outputs: list, expected: list) -> None:
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        assert got.shape == want.shape
        scale = np.abs(want).max()
        max_abs = np.abs(got - want).max()
        # deep float32 networks: differences come from summation order in the convolutions
        assert max_abs <= 1e-4 * scale, f"{name}: max abs difference {max_abs} (scale {scale})"


def _assert_detections_close(name: str, outputs: list, expected: list) -> None:
    """Class ids, scores and boxes after non-maximum suppression, in MXNet's order."""
    (ids, scores, boxes), (want_ids, want_scores, want_boxes) = outputs, expected
    assert ids.shape == want_ids.shape and boxes.shape == want_boxes.shape
    np.testing.assert_array_equal(ids, want_ids, err_msg=name)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-4, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(boxes, want_boxes, rtol=1e-4, atol=1e-3, err_msg=name)


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
def test_outputs_match_mxnet(loaded, hybridize: bool):
    name, net, golden = loaded
    if hybridize:
        net.hybridize()
    try:
        outputs = _outputs(net, golden)
    finally:
        net.hybridize(False)
    check = _assert_detections_close if name in DETECTORS else _assert_dense_close
    check(name, outputs, _expected(golden))
