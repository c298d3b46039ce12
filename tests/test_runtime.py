"""mx.runtime against MXNet 1.9.1 (golden from tests/conformance/gen_runtime.py), and each
feature's answer against the torch build it reports on."""
import json
import pathlib
import platform

import pytest
import torch

import mxtorch as mx

GOLDEN = json.loads((pathlib.Path(__file__).parent / "conformance" / "golden" / "runtime"
                     / "runtime.json").read_text(encoding="utf-8"))
BEHAVIOUR = GOLDEN["behaviour"]


def test_features_are_mxnets_in_mxnets_order():
    assert [f.name for f in mx.runtime.feature_list()] == GOLDEN["feature_names"]
    assert list(mx.runtime.Features()) == GOLDEN["feature_names"]


def test_runtime_defines_mxnets_names():
    for name in GOLDEN["names"]["runtime"]:
        assert hasattr(mx.runtime, name), name


def test_features_is_one_object_and_behaves_as_mxnets():
    features = mx.runtime.Features()
    assert (features is mx.runtime.Features()) == BEHAVIOUR["features_singleton"]
    assert isinstance(features.is_enabled("cuda"), bool)       # any case
    with pytest.raises(RuntimeError) as err:
        features.is_enabled("NOPE")
    assert str(err.value) == BEHAVIOUR["is_enabled_unknown"]["message"]
    assert isinstance(err.value, mx.MXNetError)
    cuda = features["CUDA"]
    assert repr(cuda) == ("✔ CUDA" if cuda.enabled else BEHAVIOUR["feature_repr_cuda"])
    assert repr(features) == str(list(features.values()))
    assert all(isinstance(f, mx.runtime.Feature) for f in features.values())


def test_features_report_the_torch_build():
    features = mx.runtime.Features()
    config = torch.__config__.show()
    assert features.is_enabled("CUDA") == torch.backends.cuda.is_built()
    assert features.is_enabled("CUDNN") == torch.backends.cudnn.is_available()
    assert features.is_enabled("MKLDNN") == torch.backends.mkldnn.is_available()
    assert features.is_enabled("OPENMP") == torch.backends.openmp.is_available()
    assert features.is_enabled("BLAS_MKL") == ("BLAS_INFO=mkl" in config)
    assert sum(features.is_enabled(b) for b in ("BLAS_OPEN", "BLAS_ATLAS", "BLAS_MKL",
                                                 "BLAS_APPLE")) <= 1
    assert features.is_enabled("DIST_KVSTORE") == torch.distributed.is_available()
    assert features.is_enabled("PROFILER")                      # mx.profiler is there
    assert features.is_enabled("INT64_TENSOR_SIZE")
    assert features.is_enabled("DEBUG") == bool(torch.version.debug)
    x86 = platform.machine().lower() in ("x86_64", "amd64")
    assert features.is_enabled("CPU_SSE2") == x86
    if x86:
        avx2 = torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")
        assert features.is_enabled("CPU_AVX2") == avx2 == features.is_enabled("CPU_SSE4_2")
    for never in ("CUDA_RTC", "TENSORRT", "CPU_SSE4A", "JEMALLOC", "OPENCV", "CAFFE", "TVM_OP"):
        assert not features.is_enabled(never), never


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_cuda_features_on_a_gpu_build():
    features = mx.runtime.Features()
    assert features.is_enabled("CUDA") and repr(features["CUDA"]) == "✔ CUDA"
    assert features.is_enabled("CUDNN") == torch.backends.cudnn.is_available()
    assert features.is_enabled("NCCL") == torch.distributed.is_nccl_available()
    assert mx.util.get_gpu_count() == torch.cuda.device_count()
    free, total = mx.util.get_gpu_memory(0)
    assert 0 < free <= total
    major, minor = torch.cuda.get_device_capability(0)
    assert mx.util.get_cuda_compute_capability(mx.gpu(0)) == major * 10 + minor
