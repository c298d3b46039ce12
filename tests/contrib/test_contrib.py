"""mx.contrib as a package: its submodules, the legacy autograd API, DataLoaderIter, refusals."""
import importlib

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, nd
from mxtorch.base import MXNetError
from mxtorch.contrib import amp, onnx
from mxtorch.contrib import autograd as cag
from mxtorch.contrib.io import DataLoaderIter


def test_submodules_import_as_in_mxnet():
    import mxtorch.contrib.ndarray as cnd
    import mxtorch.contrib.symbol as csym
    from mxtorch.contrib import text  # noqa: F401 - the import a helper module at the top does

    assert cnd is mx.nd.contrib and csym is mx.sym.contrib
    assert mx.contrib.nd is mx.nd.contrib and mx.contrib.sym is mx.sym.contrib
    for name in ("text", "text.vocab", "text.embedding", "text.utils", "autograd", "io", "amp",
                 "amp.amp", "onnx"):
        importlib.import_module("mxtorch.contrib." + name)


# MXNet 1.9.1's exported names of contrib.amp (tests/contrib/test_amp.py) and contrib.onnx
# (tests/onnx/ checks what they do).
AMP_NAMES = ["init", "init_trainer", "scale_loss", "unscale", "convert_model",
             "convert_hybrid_block", "list_lp16_ops", "list_fp32_ops", "list_lp16_fp32_ops",
             "list_conditional_fp32_ops", "list_widest_type_cast", "list_loss_output_functions",
             "list_lp16_use_fp32_params", "convert_symbol"]
ONNX_NAMES = ["import_model", "get_model_metadata", "import_to_gluon", "export_model"]


def test_amp_exports_mxnet_names():
    assert amp.__all__ == AMP_NAMES and all(callable(getattr(amp, n)) for n in AMP_NAMES)


def test_onnx_exports_mxnet_names():
    assert onnx.__all__ == ONNX_NAMES and all(callable(getattr(onnx, n)) for n in ONNX_NAMES)
    assert onnx.export_model is mx.onnx.export_model
    assert getattr(amp.amp, "init") is amp.init


def test_train_and_test_sections():
    assert not autograd.is_recording()
    with cag.train_section():
        assert autograd.is_recording() and autograd.is_training()
        with cag.test_section():
            assert not autograd.is_recording() and not autograd.is_training()
        assert autograd.is_recording()
    assert not autograd.is_recording() and not autograd.is_training()
    assert cag.set_is_training(True) is False
    assert autograd.is_recording() and autograd.is_training()
    assert cag.set_is_training(False) is True
    assert not autograd.is_recording() and not autograd.is_training()


def test_mark_variables_backward_and_compute_gradient():
    x, y = nd.array([1.0, 2.0]), nd.array([3.0, 4.0])
    gx, gy = nd.zeros((2,)), nd.zeros((2,))
    cag.mark_variables([x, y], [gx, gy])
    with cag.train_section():
        z = x * y
    cag.backward([z], [nd.array([1.0, 10.0])], retain_graph=True)
    np.testing.assert_array_equal(gx.asnumpy(), [3, 40])
    np.testing.assert_array_equal(gy.asnumpy(), [1, 20])
    cag.compute_gradient((z,))
    np.testing.assert_array_equal(gx.asnumpy(), [3, 4])
    with pytest.raises(MXNetError, match="list or tuple"):
        cag.backward(z)
    with pytest.raises(MXNetError, match="same length"):
        cag.backward([z], [None, None])


def test_grad_and_loss_and_grad():
    def f(a, b):
        return a * a * b

    a, b = nd.array([1.0, 2.0]), nd.array([5.0, 7.0])
    grads, loss = cag.grad_and_loss(f)(a, b)
    np.testing.assert_array_equal(loss.asnumpy(), [5, 28])
    np.testing.assert_array_equal(grads[0].asnumpy(), [10, 28])
    np.testing.assert_array_equal(grads[1].asnumpy(), [1, 4])
    only_b = cag.grad(f, argnum=1)(a, b)
    assert len(only_b) == 1
    np.testing.assert_array_equal(only_b[0].asnumpy(), [1, 4])
    assert cag.grad(f).__name__ == "f"
    with pytest.raises(MXNetError, match="must be an NDArray"):
        cag.grad(f)(a, 3.0)


def test_dataloader_iter_as_mxnet():
    data = np.arange(10 * 3, dtype=np.float64).reshape(10, 3)
    label = np.arange(10, dtype=np.int32)
    loader = mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(data, label), batch_size=4)
    it = DataLoaderIter(loader, data_name="x", label_name="y")
    assert it.batch_size == 4
    assert [(d.name, d.shape, d.dtype) for d in it.provide_data] == [("x", (4, 3), "float32")]
    assert [(d.name, d.shape) for d in it.provide_label] == [("y", (4,))]
    batches = list(it)
    assert [b.pad for b in batches] == [0, 0, 2]
    assert all(b.data[0].shape == (4, 3) and b.data[0].dtype == np.float32 for b in batches)
    np.testing.assert_array_equal(batches[2].data[0].asnumpy()[:2], data[8:])
    np.testing.assert_array_equal(batches[2].label[0].asnumpy()[:2], [8, 9])
    assert batches[1].index is None
    with pytest.raises(StopIteration):
        it.next()
    it.reset()
    np.testing.assert_array_equal(it.next().data[0].asnumpy(), data[:4])
