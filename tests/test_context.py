"""Contexts as MXNet 1.9.1 has them (behaviour checked against the reference)."""
import threading

import pytest
import torch

import mxtorch as mx
from mxtorch import nd


def test_constructors_print_and_compare():
    assert str(mx.cpu()) == "cpu(0)" and repr(mx.gpu(1)) == "gpu(1)"
    assert str(mx.cpu_pinned()) == "cpu_pinned(0)"
    assert str(mx.Context("cpu_shared", 0)) == "cpu_shared(0)"
    assert mx.cpu(1) == mx.cpu(1) and mx.cpu() == mx.cpu(0)
    assert mx.cpu() != mx.gpu() and mx.cpu(0) != mx.cpu(1)
    assert mx.cpu() != "cpu(0)"
    assert hash(mx.cpu()) == hash(mx.cpu(0))
    assert {mx.cpu(0): 1}[mx.Context("cpu", 0)] == 1


def test_copy_constructor_and_fields():
    c = mx.Context(mx.gpu(3))
    assert (str(c), c.device_type, c.device_id, c.device_typeid) == ("gpu(3)", "gpu", 3, 2)
    assert mx.cpu().torch_device == torch.device("cpu")
    assert mx.cpu_pinned(2).torch_device == torch.device("cpu")


def test_unknown_device_type():
    with pytest.raises(mx.MXNetError, match="unknown device type 'tpu'"):
        mx.Context("tpu")


def test_current_context_and_scoping():
    assert mx.current_context() == mx.cpu(0)
    assert isinstance(mx.current_context(), mx.Context)
    with mx.Context("cpu", 2) as c:
        assert c == mx.cpu(2)
        assert mx.current_context() == mx.cpu(2)
        assert nd.ones((1,)).context == mx.cpu(2)
        with mx.cpu(3):
            assert mx.current_context() == mx.cpu(3)
        assert mx.current_context() == mx.cpu(2)
    assert mx.current_context() == mx.cpu(0)


def test_same_context_object_entered_twice():
    ctx = mx.cpu(5)
    with ctx:
        with ctx:
            assert mx.current_context() == ctx
        assert mx.current_context() == ctx
    assert mx.current_context() == mx.cpu(0)


def test_scope_is_per_thread():
    seen = []
    with mx.cpu(4):
        worker = threading.Thread(target=lambda: seen.append(mx.current_context()))
        worker.start()
        worker.join()
    assert seen == [mx.cpu(0)]


def test_default_ctx_is_deprecated_but_works():
    with pytest.warns(DeprecationWarning):
        assert mx.Context.default_ctx == mx.cpu(0)


def test_num_gpus():
    assert mx.context.num_gpus() == (torch.cuda.device_count() if torch.cuda.is_available() else 0)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")
def test_gpu_data_without_gpu_raises_mxnet_error():
    for make in (lambda: nd.ones((2,), ctx=mx.gpu(0)), lambda: nd.array([1, 2], ctx=mx.gpu(0)),
                 lambda: nd.zeros((1,)).copyto(mx.gpu(0)),
                 lambda: nd.zeros((1,)).as_in_context(mx.gpu(0))):
        with pytest.raises(mx.MXNetError, match=r"cannot use gpu\(0\): this machine has 0 GPU"):
            make()
    with mx.gpu(0):
        with pytest.raises(mx.MXNetError, match="GPU"):
            nd.zeros((2,))
    with pytest.raises(mx.MXNetError, match="GPU"):
        mx.context.gpu_memory_info(0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_data_on_gpu():
    x = nd.ones((2,), ctx=mx.gpu(0))
    assert x.context == mx.gpu(0) and x._t.is_cuda
    assert (x + 1).context == mx.gpu(0)
    assert x.as_in_context(mx.cpu()).context == mx.cpu()
    free, total = mx.context.gpu_memory_info(0)
    assert 0 < free <= total
