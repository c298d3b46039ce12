"""What mxtorch says it is (``mx.__version__``), ``mx.base``, ``mx.util``, ``mx.library`` and the
top-level NumPy-shape names against MXNet 1.9.1 (golden from tests/conformance/gen_runtime.py),
and the clear refusals of what mxtorch leaves out."""
import json
import pathlib
import re
import types

import numpy as np
import pytest
import torch

import mxtorch as mx
from mxtorch import base, util

ROOT = pathlib.Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests" / "conformance" / "golden" / "runtime" / "runtime.json")
                    .read_text(encoding="utf-8"))
BEHAVIOUR = GOLDEN["behaviour"]

# mxnet.base's names with nothing to stand for in mxtorch: the C library's calling plumbing.
BASE_PLUMBING = {"MXCallbackList", "c2pyerror", "c_array", "c_array_buf", "c_handle_array", "c_str",
                 "c_str_array", "check_call", "ctypes2buffer", "ctypes2numpy_shared",
                 "get_last_ffi_error", "mx_float_p"}


def _outcome(fn) -> dict:
    try:
        return {"value": repr(fn())}
    except Exception as err:  # noqa: BLE001
        return {"error": type(err).__name__, "message": str(err)}


# --- identity ----------------------------------------------------------------------------------

def test_version_is_the_mxnet_release_and_mxtorchs_own_is_kept():
    assert mx.__version__ == GOLDEN["version"] == "1.9.1" == base.__version__
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^version = "(.+)"$', pyproject, re.M).group(1) == mx.__mxtorch_version__
    assert "dynamic" not in pyproject      # the package version is not read from __version__
    # what MXNet programs do with it: compare with 1.x releases
    major, minor, patch = (int(p) for p in mx.__version__.split("."))
    assert (1, 6, 0) <= (major, minor, patch) < (2, 0, 0)


def test_version_command(capsys):
    from mxtorch.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"mxtorch {mx.__mxtorch_version__} (the MXNet 1.9.1 API)"


# --- mx.base -----------------------------------------------------------------------------------

def test_base_has_mxnets_names_but_the_c_plumbing():
    expected = set(GOLDEN["names"]["base"])
    assert BASE_PLUMBING <= expected
    missing = [n for n in sorted(expected - BASE_PLUMBING) if not hasattr(base, n)]
    assert missing == []


def test_base_helpers_answer_as_mxnets():
    fn = types.FunctionType((lambda: None).__code__, {}, "dot")
    assert str(base.NotImplementedForSymbol(fn, "_dot", 1, "a")) == BEHAVIOUR["not_for_symbol"]
    assert str(base.NotImplementedForSymbol(fn, None)) == BEHAVIOUR["not_for_symbol_bare"]
    assert str(base.NotSupportedForSparseNDArray(fn, "dot", 2.0)) == BEHAVIOUR["not_for_sparse"]
    assert isinstance(base.NotImplementedForSymbol(fn, None), mx.MXNetError)
    assert base.error_types["NotImplementedForSymbol"] is base.NotImplementedForSymbol
    assert base.py_str("é".encode("utf-8")) == BEHAVIOUR["py_str"]
    assert base.build_param_doc(["a", "b", "num_args", "a"], ["int", "str", "x", "y"],
                                ["the a", "", "", "again"]) == BEHAVIOUR["build_param_doc"]
    assert base.build_param_doc(["a", "a"], ["int", "y"], ["", ""], remove_dup=False) \
        == BEHAVIOUR["build_param_doc_dup"]
    assert base.mx_real_t.__name__ == BEHAVIOUR["mx_real_t"]


def test_type_tuples_classify_as_mxnets():
    assert [t.__name__ for t in base.string_types] == BEHAVIOUR["string_types"]
    assert {t.__name__ for t in base.numeric_types} == set(BEHAVIOUR["numeric_types"])
    assert {t.__name__ for t in base.integer_types} == set(BEHAVIOUR["integer_types"])
    assert isinstance(np.int64(3), base.integer_types) and not isinstance(np.int8(3), base.integer_types)
    assert isinstance(np.float16(1), base.numeric_types) and not isinstance("1", base.numeric_types)


def test_with_metaclass_and_classproperty():
    class Meta(type):
        def __new__(mcs, name, bases, namespace):
            namespace["made_by_meta"] = True
            return super().__new__(mcs, name, bases, namespace)

    class Derived(base.with_metaclass(Meta, object)):
        pass

    assert type(Derived) is Meta and Derived.made_by_meta

    class Holder(metaclass=base._ClassPropertyMeta):
        _value = 1

        @base.classproperty
        def value(cls):
            return cls._value

        @value.setter
        def value(cls, new):
            cls._value = new

    assert Holder.value == 1 and Holder().value == 1
    Holder.value = 5
    assert Holder._value == 5


# --- mx.util and the top-level NumPy-shape names -----------------------------------------------

def test_util_and_top_level_have_mxnets_names():
    assert [n for n in GOLDEN["names"]["util"] if not hasattr(util, n)] == []
    assert [n for n in GOLDEN["top_level"] if not hasattr(mx, n)] == []
    assert [n for n in GOLDEN["names"]["library"] if not hasattr(mx.library, n)] == []


def test_legacy_shape_switches_answer_as_mxnets_when_off():
    def scope(active):
        with mx.np_shape(active):
            return "ran"

    cases = {
        "is_np_shape": mx.is_np_shape, "is_np_array": mx.is_np_array,
        "set_np_shape_false": lambda: mx.set_np_shape(False),
        "np_shape_false": lambda: scope(False), "np_shape_none": lambda: scope(None),
        "set_np_false_false": lambda: util.set_np(shape=False, array=False),
        "set_np_array_without_shape": lambda: util.set_np(shape=False, array=True),
        "reset_np": util.reset_np,
        "use_np_shape_non_callable": lambda: mx.use_np_shape(3),
        "compute_capability_cpu": lambda: util.get_cuda_compute_capability(mx.cpu()),
        "getenv_unset": lambda: util.getenv("MXTORCH_GOLDEN_SURELY_UNSET"),
    }
    for key, fn in cases.items():
        assert _outcome(fn) == BEHAVIOUR[key], key


def test_numpy_ufunc_helpers_answer_as_mxnets():
    for case, legal in BEHAVIOUR["ufunc_legal"].items():
        key, _, text = case.partition("=")
        value = np.int8 if text == "<class 'numpy.int8'>" else eval(text)  # noqa: S307 - golden's reprs
        assert util.np_ufunc_legal_option(key, value) == legal, case

    def unary(**kwargs):
        return util.wrap_np_unary_func(lambda x, out=None: "ran")(1, **kwargs)

    def binary(**kwargs):
        return util.wrap_np_binary_func(lambda a, b, out=None: "ran")(1, 2, **kwargs)

    for key, fn in {"unary_default": lambda: unary(casting="same_kind"),
                    "unary_legal": lambda: unary(casting="safe"),
                    "unary_illegal": lambda: unary(casting="nope"),
                    "unary_unknown": lambda: unary(foo=1),
                    "binary_default": lambda: binary(where=True),
                    "binary_legal": lambda: binary(dtype="int8"),
                    "binary_illegal": lambda: binary(order=3),
                    "binary_unknown": lambda: binary(bar=1)}.items():
        assert _outcome(fn) == BEHAVIOUR[key], key
    marked = util.set_module("mxnet.numpy")(types.FunctionType((lambda: None).__code__, {}, "f"))
    assert repr(marked.__module__) == BEHAVIOUR["set_module"]["value"]


@pytest.mark.parametrize("turn_on", [
    lambda: mx.set_np_shape(True),
    lambda: mx.np_shape().__enter__(),
    lambda: mx.np_array().__enter__(),
    lambda: util.set_np(),
    lambda: util.set_np(shape=True, array=False),
    lambda: mx.use_np_shape(lambda: 1)(),
])
def test_numpy_mode_on_is_refused_clearly(turn_on):
    with pytest.raises(mx.MXNetError, match="not supported in mxtorch.*legacy shapes"):
        turn_on()
    assert not mx.is_np_shape() and not mx.is_np_array()


def test_use_np_decorates_and_refuses_on_first_call():
    @mx.use_np
    class Net(mx.gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return x

        @property
        def size(self):
            return 1

    @mx.util.use_np
    def scalar_one():
        return mx.nd.ones(())

    with pytest.raises(mx.MXNetError, match="NumPy-.* semantics .* not supported in mxtorch"):
        Net()
    with pytest.raises(mx.MXNetError, match="not supported in mxtorch"):
        scalar_one()
    with pytest.raises(mx.MXNetError, match="not supported in mxtorch"):
        Net.size.fget(object())


def test_environment_settings(monkeypatch):
    monkeypatch.delenv("MXTORCH_TEST_SETTING", raising=False)
    util.setenv("MXTORCH_TEST_SETTING", "1")
    assert util.getenv("MXTORCH_TEST_SETTING") == "1"
    util.setenv("MXTORCH_TEST_SETTING", None)
    assert util.getenv("MXTORCH_TEST_SETTING") is None


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")
def test_gpu_queries_without_a_gpu():
    assert util.get_gpu_count() == 0
    with pytest.raises(mx.MXNetError):
        util.get_gpu_memory(0)


# --- clear refusals ----------------------------------------------------------------------------

@pytest.mark.parametrize("use, shown, instead", [
    (lambda: mx.np.ones((2,)), "mx.np.ones", "use mx.nd"),
    (lambda: mx.numpy.array([1]), "mx.np.array", "use mx.nd"),
    (lambda: mx.npx.set_np(), "mx.npx.set_np", "mx.nd's operators"),
    (lambda: mx.numpy_extension.relu, "mx.npx.relu", "mx.nd's operators"),
    (lambda: mx.rtc.CudaModule("kernel"), "mx.rtc.CudaModule", "torch operations"),
    (lambda: mx.nd.sparse.csr_matrix(([1], [0], [0, 1]), shape=(1, 1)), "mx.nd.sparse.csr_matrix",
     "dense arrays"),
    (lambda: mx.sym.sparse.dot, "mx.sym.sparse.dot", "dense arrays"),
    (lambda: mx.library.load("/opt/lib/libcustom.so"), "mx.library.load", "mx.operator.CustomOp"),
])
def test_what_is_left_out_fails_on_first_use_naming_it(use, shown, instead):
    with pytest.raises(mx.MXNetError) as err:
        use()
    text = str(err.value)
    assert text.startswith(shown) and "not supported in mxtorch" in text and instead in text


def test_left_out_modules_import_and_refuse_on_use():
    import mxtorch.ndarray.sparse
    import mxtorch.numpy as mnp
    import mxtorch.numpy_extension  # noqa: F401
    import mxtorch.rtc  # noqa: F401

    assert mnp is mx.np and mxtorch.ndarray.sparse is mx.nd.sparse
    with pytest.raises(mx.MXNetError, match="mx.np.ndarray: MXNet's NumPy interface"):
        from mxtorch.numpy import ndarray  # noqa: F401
    # tools probing private and special names get AttributeError, as from any module
    assert not hasattr(mx.np, "__path__") and not hasattr(mx.np, "_internal")
    assert "not supported in mxtorch" in repr(mx.np)
    with pytest.raises(mx.MXNetError, match="storage type 'csr' is not supported"):
        mx.nd.ones((2, 2)).tostype("csr")


def test_star_import_keeps_the_programs_numpy():
    namespace = {"np": np}
    exec("from mxtorch import *", namespace)  # noqa: S102 - the behaviour under test
    assert namespace["np"] is np and "npx" not in namespace
    assert namespace["is_np_shape"]() is False and "runtime" in namespace
