"""mx.test_utils against MXNet 1.9.1's (goldens from tests/conformance/gen_test_utils.py)."""
import gzip
import json
import os
import pathlib
import sys
import types

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import nd
from mxtorch import test_utils as tu

GOLDEN = pathlib.Path(__file__).parent / "conformance" / "golden" / "test_utils"
EXPORTS = json.loads((GOLDEN / "exports.json").read_text())
VALUES = json.loads((GOLDEN / "values.json").read_text())
MNIST_ROOT = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def _dtype_table(table):
    return {str(k): v for k, v in table.items()}


# --- exports ---------------------------------------------------------------------------------

def test_star_import_brings_what_mxnets_brings():
    ns = {}
    exec("from mxtorch.test_utils import *", ns)  # noqa: S102  (the behaviour under test)
    ns.pop("__builtins__")
    expected = set(EXPORTS["names"]) - set(EXPORTS["excluded"])
    assert len(EXPORTS["names"]) == 113
    assert set(ns) == expected
    for name, kind in EXPORTS["kinds"].items():
        if name in EXPORTS["excluded"]:
            continue
        obj = ns[name]
        if kind.startswith("module:"):
            assert isinstance(obj, types.ModuleType), name
            if kind != "module:mxnet":  # mx is mxtorch itself
                assert obj.__name__ == kind[len("module:"):], name
            else:
                assert obj is mx
        elif kind == "class":
            assert isinstance(obj, type), name
        elif kind == "none":  # ss: scipy.stats when scipy is installed, else None (as MXNet)
            scipy_stats = sys.modules.get("scipy.stats")
            assert obj is scipy_stats, name
        else:
            assert callable(obj), name
    assert ns["np"] is np and ns["rnd"] is np.random and ns["npt"] is np.testing


def test_cpp_and_sparse_only_names_refuse_clearly():
    with pytest.raises(mx.MXNetError, match="'csr'.*not supported in mxtorch"):
        tu.rand_ndarray((2, 3), stype="csr")
    with pytest.raises(mx.MXNetError, match="row_sparse"):
        tu.rand_sparse_ndarray((2, 3), "row_sparse")
    with pytest.raises(mx.MXNetError, match="sparse"):
        tu.create_sparse_array((2, 3), "csr")
    with pytest.raises(mx.MXNetError, match="sparse"):
        tu.create_sparse_array_zd((2, 3), "row_sparse", 0.5)
    with pytest.raises(mx.MXNetError, match="sparse"):
        tu.shuffle_csr_column_indices(nd.ones((2, 2)))
    with pytest.raises(mx.MXNetError, match="pickle|never code"):
        tu.get_mnist_pkl()
    with pytest.raises(mx.MXNetError, match="mx.np"):
        tu.np_symbol()
    assert not isinstance(mx.sym.Variable("x"), tu.np_symbol)
    with pytest.raises(mx.MXNetError, match="sparse"):
        tu.check_symbolic_backward(mx.sym.Variable("a") * 2, [np.ones(2)], [np.ones(2)],
                                   [np.ones(2)], grad_stypes={"a": "row_sparse"})
    with pytest.raises(ValueError, match="gpu context"):
        tu.get_cuda_compute_capability(mx.cpu())
    assert tu.has_tvm_ops() is False and tu.is_op_runnable() is True


def test_shuffle_csr_column_indices_keeps_each_rows_set():
    class Csr:  # the attributes a scipy CSR matrix has
        indptr = np.array([0, 3, 3, 5])
        indices = np.array([0, 1, 2, 3, 4])
    csr = Csr()
    np.random.seed(3)
    tu.shuffle_csr_column_indices(csr)
    assert sorted(csr.indices[:3]) == [0, 1, 2] and sorted(csr.indices[3:]) == [3, 4]


# --- tolerance rules ---------------------------------------------------------------------------

def test_default_tolerance_tables():
    assert _dtype_table(tu.default_rtols()) == VALUES["default_rtols"]
    assert _dtype_table(tu.default_atols()) == VALUES["default_atols"]
    assert _dtype_table(tu.default_numeric_eps()) == VALUES["default_numeric_eps"]
    assert np.dtype(tu.default_dtype()).name == VALUES["default_dtype"]


def test_effective_dtype_and_get_tols():
    for dt, want in VALUES["effective_dtype"].items():
        assert str(tu.effective_dtype(np.zeros(2, dtype=dt))) == want
    for dt, want in VALUES["effective_dtype_nd"].items():
        assert str(tu.effective_dtype(nd.zeros(2, dtype=dt))) == want
    for a, b, want in VALUES["get_tols"]:
        assert list(tu.get_tols(np.zeros(1, a), np.zeros(1, b), None, None)) == want
    assert list(tu.get_tols(1, 2.0, None, None)) == VALUES["get_tols_numbers"]
    assert list(tu.get_tols(np.zeros(1, "float16"), np.zeros(1), 0.5, 0.25)) == \
        VALUES["get_tols_given"]
    assert list(tu.get_tols(np.zeros(1, "float32"), np.zeros(1, "float32"),
                            {np.dtype("float32"): 0.125}, None)) == VALUES["get_tols_dict"]
    assert [tu.get_rtol(), tu.get_atol(), tu.get_etol(), tu.get_rtol(0.5),
            tu.get_atol(dtype=np.dtype("float16")), tu.get_etol(0.1)] == \
        VALUES["get_rtol_atol_etol"]


def test_tf32_makes_float32_on_an_ampere_gpu_compare_as_float16(monkeypatch):
    gpu_array = types.SimpleNamespace(ctx=mx.gpu(0), dtype=np.float32)
    monkeypatch.setattr(tu, "get_cuda_compute_capability", lambda ctx: 80)
    assert tu.effective_dtype(gpu_array) == np.float16
    monkeypatch.setenv("NVIDIA_TF32_OVERRIDE", "0")
    assert tu.effective_dtype(gpu_array) == np.float32
    monkeypatch.delenv("NVIDIA_TF32_OVERRIDE")
    monkeypatch.setattr(tu, "get_cuda_compute_capability", lambda ctx: 75)
    assert tu.effective_dtype(gpu_array) == np.float32


# --- comparisons -------------------------------------------------------------------------------

def _message(f, *args, **kwargs):
    try:
        f(*args, **kwargs)
    except AssertionError as e:
        return str(e)
    return None


def _head(msg):
    # numpy 2 prints the arrays after " ACTUAL:" slightly differently from MXNet's numpy 1.23
    return msg.split(" ACTUAL:")[0]


def test_almost_equal_uses_float64_tolerances_as_mxnet():
    x = np.array([1.0, 2.0, 3.0])
    got = [tu.almost_equal(x, x + 1e-6), tu.almost_equal(x, x * (1 + 2e-5)),
           tu.almost_equal(x.astype(np.float32), x * (1 + 2e-5)),
           tu.almost_equal(x, x + 0.01, rtol=0.01), tu.almost_equal(x, x + 0.01, atol=0.011),
           tu.almost_equal(np.array([np.nan]), np.array([np.nan])),
           tu.almost_equal(np.array([np.nan]), np.array([np.nan]), equal_nan=True)]
    assert got == VALUES["almost_equal"]
    # NDArrays are accepted too (MXNet's own helper fails on them)
    assert tu.almost_equal(nd.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert tu.same(nd.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert not tu.same(nd.array([1.0, 2.0]), np.array([1.0, 2.5]))
    with pytest.raises(AssertionError, match="shape"):
        tu.almost_equal(np.ones(2), np.ones((1, 2)), use_broadcast=False)


def test_assert_almost_equal_messages_match_mxnets():
    x = np.array([1.0, 2.0, 3.0])
    got = {
        "float64": _message(tu.assert_almost_equal, x, np.array([1.0, 2.5, 3.1]),
                            names=("x", "y")),
        "float32": _message(tu.assert_almost_equal, x.astype(np.float32),
                            np.array([1.0, 2.0, 3.01], dtype=np.float32)),
        "scalar": _message(tu.assert_almost_equal, np.float64(1.0), np.float64(2.0)),
        "mismatches": _message(tu.assert_almost_equal, np.arange(30.0), np.arange(30.0) + 1,
                               mismatches=(3, 5)),
        "allclose": _message(tu.assert_allclose, x, x * (1 + 1e-6)),
        "ignore_nan": _message(tu.assert_almost_equal_ignore_nan, np.array([np.nan, 1.0]),
                               np.array([5.0, 1.5])),
        "with_err": _message(tu.assert_almost_equal_with_err, np.arange(10.0),
                             np.arange(10.0) + np.array([0] * 7 + [1] * 3), etol=0.2),
        "nd": _message(tu.assert_almost_equal, nd.array([1, 2, 3]), nd.array([1, 2, 4])),
    }
    for key, want in VALUES["messages"].items():
        assert got[key] is not None, key
        assert _head(got[key]) == _head(want), key
    passes = {
        "with_err": _message(tu.assert_almost_equal_with_err, np.arange(10.0),
                             np.arange(10.0) + np.array([0] * 8 + [1] * 2), etol=0.2),
        "ignore_nan": _message(tu.assert_almost_equal_ignore_nan, np.array([np.nan, 1.0]),
                               np.array([5.0, 1.0])),
        "allclose_nan": _message(tu.assert_allclose, np.array([np.nan]), np.array([np.nan])),
        "nd_equal": _message(tu.assert_almost_equal, nd.array([1, 2]), nd.array([1, 2])),
    }
    assert passes == VALUES["passes"]
    with pytest.raises(AssertionError):  # booleans compare exactly
        tu.assert_almost_equal(np.array([True, False]), np.array([True, True]))


def test_assert_exception_and_retry():
    tu.assert_exception(int, ValueError, "x")
    with pytest.raises(AssertionError):
        tu.assert_exception(int, ValueError, "3")
    calls = []

    @tu.retry(3)
    def flaky():
        calls.append(1)
        assert len(calls) == 3

    flaky()
    assert len(calls) == 3

    @tu.retry(2)
    def always():
        raise AssertionError("no")

    with pytest.raises(AssertionError, match="no"):
        always()


def test_compare_ndarray_tuple_and_same_array():
    a = nd.array([1.0, 2.0])
    tu.compare_ndarray_tuple((a, (a, None)), (a.copy(), (a.asnumpy(), a)))
    with pytest.raises(AssertionError):
        tu.compare_ndarray_tuple((a,), (a + 1,))
    assert tu.same_array(a, a)
    assert not tu.same_array(a, a.copy())
    assert a.asnumpy().tolist() == [1.0, 2.0]


# --- random helpers and matrices ---------------------------------------------------------------

def test_seeded_random_helpers_draw_what_mxnets_draw():
    want = VALUES["seed7"]
    np.random.seed(7)
    got = {}
    got["rand_shape_2d"] = [int(x) for x in tu.rand_shape_2d()]
    got["rand_shape_3d"] = [int(x) for x in tu.rand_shape_3d(3, 4, 5)]
    got["rand_shape_nd"] = [int(x) for x in tu.rand_shape_nd(4, 5)]
    got["rand_shape_nd_zero"] = [int(x) for x in tu.rand_shape_nd(6, 2, allow_zero_size=True)]
    got["random_arrays"] = tu.random_arrays((2, 3))
    got["random_arrays_two"] = tu.random_arrays((2,), ())
    got["random_uniform_arrays"] = tu.random_uniform_arrays((3,), low=-2, high=-1,
                                                            dtype=np.float64)
    got["random_sample"] = tu.random_sample(list(range(10)), 4)
    got["rand_coord_2d"] = [int(x) for x in tu.rand_coord_2d(0, 10, 5, 8)]
    got["new_matrix_with_real_eigvals_2d"] = tu.new_matrix_with_real_eigvals_2d(3)
    got["new_matrix_with_real_eigvals_nd"] = tu.new_matrix_with_real_eigvals_nd((2, 2, 2))
    got["new_orthonormal_matrix_2d"] = tu.new_orthonormal_matrix_2d(3)
    got["new_sym_matrix_with_real_eigvals_nd"] = tu.new_sym_matrix_with_real_eigvals_nd(
        (2, 3, 3))
    got["mean_check"] = [tu.mean_check(lambda n: np.random.normal(0, 1, size=n), 0, 1, 1000),
                         tu.mean_check(lambda n: np.random.normal(1, 1, size=n), 0, 1, 1000)]
    got["var_check"] = [tu.var_check(lambda n: np.random.normal(0, 2, size=n), 2, 1000),
                        tu.var_check(lambda n: np.random.normal(0, 1, size=n), 2, 1000)]
    for key in ("rand_shape_2d", "rand_shape_3d", "rand_shape_nd", "rand_shape_nd_zero",
                "random_sample", "rand_coord_2d", "mean_check", "var_check"):
        assert got[key] == want[key], key
    assert tu.random_arrays((2, 3)).dtype == np.float32
    for key in ("random_arrays", "new_matrix_with_real_eigvals_2d",
                "new_matrix_with_real_eigvals_nd", "new_orthonormal_matrix_2d",
                "new_sym_matrix_with_real_eigvals_nd"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-6, atol=1e-9, err_msg=key)
    for g, w in zip(got["random_arrays_two"], want["random_arrays_two"]):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    np.testing.assert_allclose(got["random_uniform_arrays"][0], want["random_uniform_arrays"][0])


def test_rand_shape_and_rand_ndarray_properties():
    for _ in range(20):
        shape = tu.rand_shape_nd(4, 3)
        assert len(shape) == 4 and all(1 <= s <= 3 for s in shape)
    assert any(0 in tu.rand_shape_nd(8, 1, allow_zero_size=True) for _ in range(20))
    arr = tu.rand_ndarray((2, 3), dtype="float64")
    assert isinstance(arr, nd.NDArray) and arr.shape == (2, 3) and arr.dtype == np.float64
    assert tu.rand_ndarray((4,)).dtype == np.float32
    x = tu.new_sym_matrix_with_real_eigvals_2d(4)
    np.testing.assert_allclose(x, x.T, atol=1e-12)
    q = tu.new_orthonormal_matrix_2d(4)
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-10)
    assert np.isreal(np.linalg.eigvals(tu.new_matrix_with_real_eigvals_2d(4))).all()


def test_array_helpers():
    a = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    got = [tu.collapse_sum_like(a, (3, 1)), tu.collapse_sum_like(a, (1, 3, 4)),
           tu.collapse_sum_like(a, (0, 4))]
    for g, w in zip(got, VALUES["collapse_sum_like"]):
        assert g.tolist() == w
    got = [tu.np_reduce(a, 1, False, np.sum), tu.np_reduce(a, (0, 2), True, np.max),
           tu.np_reduce(a, None, False, np.sum)]
    for g, w in zip(got, VALUES["np_reduce"]):
        assert np.asarray(g).tolist() == w
    assert tu.assign_each(np.array([[1., 2.], [3., 4.]]), lambda x: x * x).tolist() == \
        VALUES["assign_each"]
    assert tu.assign_each2(np.array([1., 2.]), np.array([3., 5.]), lambda x, y: x - y).tolist() \
        == VALUES["assign_each2"]
    assert tu.create_vector(4).asnumpy().tolist() == [0, 1, 2, 3]
    assert tu.create_2d_tensor(3, 2).asnumpy().tolist() == [[0, 0], [1, 1], [2, 2]]
    assert (tu.get_identity_mat_batch(3).asnumpy() == np.eye(3)).all()


# --- random-generator statistics ---------------------------------------------------------------

def test_buckets_and_chi_square():
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda p: 4 * p - 2, 4)
    assert [[list(b) for b in buckets], probs] == VALUES["gen_buckets_probs_with_ppf"]
    # chi2 = 10 with 2 degrees of freedom: p = exp(-5)
    p, obs, exp = tu.chi_square_check(lambda n: np.repeat([0, 1, 2], [10, 20, 30]), [0, 1, 2],
                                      [1 / 3] * 3, nsamples=60)
    assert obs.tolist() == [10, 20, 30] and exp.tolist() == [20, 20, 20]
    assert p == pytest.approx(np.exp(-5), rel=1e-9)
    normal_buckets = [tuple(b) for b in VALUES["normal_buckets"]]
    np.random.seed(1)
    p_values = tu.verify_generator(lambda n: np.random.normal(size=n), normal_buckets, [0.2] * 5,
                                   nsamples=20000, nrepeat=3)
    assert len(p_values) == 3
    with pytest.raises(AssertionError, match="Generator test fails"):
        tu.verify_generator(lambda n: np.random.normal(0.5, size=n), normal_buckets, [0.2] * 5,
                            nsamples=20000, nrepeat=3)


# --- symbols -----------------------------------------------------------------------------------

def test_numeric_grad_matches_mxnets_finite_differences():
    g = VALUES["numeric_grad"]
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    sym = mx.sym.sin(a) * b
    loc = {k: np.array(v) for k, v in g["location"].items()}
    exe = sym.bind(mx.cpu(), args={k: nd.array(v, dtype="float64") for k, v in loc.items()})
    got = tu.numeric_grad(exe, {k: v.copy() for k, v in loc.items()}, eps=g["eps"],
                          dtype=np.float64)
    for k, want in g["grads"].items():
        np.testing.assert_allclose(got[k], want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(tu.simple_forward(sym, a=loc["a"], b=loc["b"]),
                               VALUES["simple_forward"], rtol=1e-6)


def test_check_numeric_gradient_passes_on_correct_gradients_and_fails_on_a_wrong_one():
    np.random.seed(0)
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    tu.check_numeric_gradient(fc, [np.random.randn(2, 4), np.random.randn(3, 4),
                                   np.random.randn(3)], rtol=1e-2, atol=1e-3)
    tu.check_numeric_gradient(mx.sym.tanh(data), {"data": np.random.randn(3, 2)},
                              numeric_eps=1e-4, rtol=1e-2, atol=1e-4, dtype=np.float64)
    # BlockGrad's backward passes no gradient although its forward is the identity
    with pytest.raises(AssertionError, match="NUMERICAL_data"):
        tu.check_numeric_gradient(mx.sym.BlockGrad(data) * 2, [np.random.randn(3)])
    with pytest.raises(ValueError, match="do not match"):
        tu.check_numeric_gradient(fc, {"data": np.ones((2, 4))})


def test_check_symbolic_forward_and_backward():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    x, y, og = np.array([1.0, -2.0, 3.0]), np.array([0.5, 4.0, -1.0]), np.array([1., 2., 3.])
    outs = tu.check_symbolic_forward(a * b, [x, y], [x * y])
    assert outs[0].asnumpy().tolist() == (x * y).tolist()
    tu.check_symbolic_forward(a * b, {"a": x, "b": y}, {"_mul0_output": x * y}
                              if (a * b).list_outputs() == ["_mul0_output"]
                              else [x * y])
    with pytest.raises(AssertionError, match="EXPECTED_.*FORWARD_"):
        tu.check_symbolic_forward(a * b, [x, y], [x + y])
    grads = tu.check_symbolic_backward(a * b, [x, y], [og], [og * y, og * x])
    assert grads["a"].asnumpy().tolist() == (og * y).tolist()
    tu.check_symbolic_backward(a * b, [x, y], [og], [og * y, og * x], grad_req="add")
    tu.check_symbolic_backward(a * b, [x, y], [og], {"a": og * y},
                               grad_req={"a": "write", "b": "null"})
    with pytest.raises(AssertionError, match="BACKWARD_a"):
        tu.check_symbolic_backward(a * b, [x, y], [og], [og * x, og * y])


def test_check_consistency_and_speed():
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    ctx_list = [{"ctx": mx.cpu(), "data": (2, 4), "type_dict": {"data": np.float64}},
                {"ctx": mx.cpu(), "data": (2, 4), "type_dict": {"data": np.float32}}]
    if tu.list_gpus():
        ctx_list.append({"ctx": mx.gpu(0), "data": (2, 4), "type_dict": {"data": np.float32}})
    gt = tu.check_consistency(fc, ctx_list)
    assert set(gt) == {"fc_output", "data", "fc_weight", "fc_bias"}
    assert gt["fc_output"].dtype == np.float64
    wrong = mx.sym.FullyConnected(data * 1.01, num_hidden=3, name="fc")
    with pytest.raises(AssertionError):
        tu.check_consistency([fc, wrong], ctx_list[:2], arg_params={
            "data": np.ones((2, 4)), "fc_weight": np.ones((3, 4)), "fc_bias": np.zeros(3)})
    assert tu.check_speed(fc, N=2, data=(2, 4)) > 0
    assert tu.check_speed(fc, location={"data": np.ones((2, 4))}, N=2, typ="forward") > 0
    assert tu.same_symbol_structure(fc, wrong) is False
    assert tu.same_symbol_structure(fc, mx.sym.FullyConnected(data, num_hidden=5)) is True


def test_compare_optimizer():
    tu.compare_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9),
                         mx.optimizer.SGD(learning_rate=0.1, momentum=0.9), (3, 4), np.float32)
    with pytest.raises(AssertionError):
        tu.compare_optimizer(mx.optimizer.SGD(learning_rate=0.1),
                             mx.optimizer.SGD(learning_rate=0.2), (3, 4), np.float32)
    with pytest.raises(mx.MXNetError, match="sparse"):
        tu.compare_optimizer(mx.optimizer.SGD(), mx.optimizer.SGD(), (3,), np.float32,
                             w_stype="row_sparse")


# --- contexts, environment, iterators ----------------------------------------------------------

def test_contexts():
    import torch

    assert list(tu.list_gpus()) == list(range(torch.cuda.device_count()))
    before = tu.default_context()
    try:
        tu.set_default_context(mx.cpu(1))
        assert tu.default_context() == mx.cpu(1) == mx.current_context()
    finally:
        tu.set_default_context(before)
    assert tu.default_context() == before


def test_environment_restores_variables(monkeypatch):
    monkeypatch.setenv("MXT_TU_A", "old")
    monkeypatch.delenv("MXT_TU_B", raising=False)
    with pytest.raises(KeyError):
        with tu.environment({"MXT_TU_A": "new", "MXT_TU_B": "set"}):
            assert os.environ["MXT_TU_A"] == "new" and os.environ["MXT_TU_B"] == "set"
            raise KeyError("body fails")
    assert os.environ["MXT_TU_A"] == "old" and "MXT_TU_B" not in os.environ
    with tu.environment("MXT_TU_A", None):
        assert "MXT_TU_A" not in os.environ

    @tu.environment("MXT_TU_B", "decorated")
    def read():
        return os.environ["MXT_TU_B"]

    assert read() == "decorated" and "MXT_TU_B" not in os.environ
    assert os.environ["MXT_TU_A"] == "old"
    monkeypatch.setenv("CD_JOB", "1")
    assert tu.is_cd_run() is True
    assert tu.is_aarch64_run() == (os.uname().machine == "aarch64")


def test_discard_stderr_silences_descriptor_two(capfd, monkeypatch):
    import sys

    # the process's stderr, as outside pytest (capfd swaps sys.stderr for another descriptor)
    monkeypatch.setattr(sys, "stderr", sys.__stderr__)
    with tu.discard_stderr():
        os.write(2, b"hidden\n")
    os.write(2, b"shown\n")
    err = capfd.readouterr().err
    assert "hidden" not in err and "shown" in err


def test_dummy_iter_repeats_the_first_batch():
    real = mx.io.NDArrayIter(np.arange(20.0).reshape(10, 2), np.arange(10.0), 5)
    it = tu.DummyIter(real)
    first, second = next(it), next(it)
    assert first is second and it.batch_size == 5
    assert first.data[0].asnumpy()[0].tolist() == [0.0, 1.0]
    assert it.provide_data == real.provide_data


# --- datasets and downloads --------------------------------------------------------------------

@pytest.fixture(scope="module")
def mnist():
    if not MNIST_ROOT.is_dir():
        pytest.skip("../shared/data/mnist is absent")
    return tu.get_mnist(str(MNIST_ROOT))


def test_get_mnist_reads_the_gz_files_as_mxnet(mnist):
    want = VALUES["mnist"]
    assert list(mnist) == ["train_data", "train_label", "test_data", "test_label"]
    for key, w in want.items():
        arr = mnist[key]
        assert list(arr.shape) == w["shape"] and arr.dtype.name == w["dtype"], key
        assert float(arr.min()) == w["min"] and float(arr.max()) == w["max"], key
        assert arr.reshape(len(arr), -1)[0].sum().item() == pytest.approx(w["first"], rel=1e-6)
        assert float(arr.astype(np.float64).sum()) == pytest.approx(w["sum"], rel=1e-9), key
        if "label" in key:
            assert arr[:10].tolist() == w["head"]
            assert np.bincount(arr.astype(np.int64)).tolist() == w["counts"]


def test_get_mnist_downloads_only_what_is_absent(tmp_path, monkeypatch):
    names = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)

    def idx(arr):
        dims = b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
        return gzip.compress(bytes([0, 0, 8, arr.ndim]) + dims + arr.tobytes())

    for name in names[1:]:
        arr = images if "images" in name else np.array([3, 4], dtype=np.uint8)
        (tmp_path / name).write_bytes(idx(arr))
    fetched = []

    def fake_download(url, path=None, overwrite=False, retries=5, **kwargs):
        fetched.append((url, path))
        pathlib.Path(path).write_bytes(idx(np.array([7, 8], dtype=np.uint8)))
        return path

    monkeypatch.setattr("mxtorch.gluon.utils.download", fake_download)
    data = tu.get_mnist(str(tmp_path))
    assert len(fetched) == 1 and fetched[0][0].endswith("/train-labels-idx1-ubyte.gz")
    assert fetched[0][1] == str(tmp_path / "train-labels-idx1-ubyte.gz")
    assert data["train_label"].tolist() == [7, 8] and data["test_label"].dtype == np.int8
    np.testing.assert_allclose(data["train_data"][1, 0], images[1] / 255, rtol=1e-6)
    (tmp_path / names[0]).write_bytes(idx(np.array([1, 2, 3], dtype=np.uint8)))
    with pytest.raises(mx.MXNetError, match="2 images but .* 3 labels"):
        tu.get_mnist(str(tmp_path))
    (tmp_path / names[0]).write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(mx.MXNetError, match="get_mnist"):
        tu.get_mnist(str(tmp_path))


def test_get_mnist_iterator_from_local_gz_files(tmp_path, monkeypatch):
    if not MNIST_ROOT.is_dir():
        pytest.skip("../shared/data/mnist is absent")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    for f in MNIST_ROOT.glob("*.gz"):
        (tmp_path / "data" / f.name).symlink_to(f)
    monkeypatch.setattr("mxtorch.gluon.utils.download",
                        lambda *a, **k: pytest.fail("nothing should be downloaded"))
    train, val = tu.get_mnist_iterator(100, (784,), num_parts=10, part_index=1)
    assert (tmp_path / "data" / "t10k-images-idx3-ubyte").stat().st_size == 16 + 10000 * 784
    batch = next(val)
    assert batch.data[0].shape == (100, 784) and batch.label[0].shape == (100,)
    assert next(train).data[0].shape == (100, 784)
    train, _ = tu.get_mnist_iterator(50, (1, 28, 28), num_parts=20)
    assert next(train).data[0].shape == (50, 1, 28, 28)


def test_download_keeps_existing_files_and_builds_the_name(tmp_path, monkeypatch):
    calls = []

    def fake_download(url, path=None, overwrite=False, retries=5, **kwargs):
        calls.append((url, path, retries))
        pathlib.Path(path).write_bytes(b"payload")
        return path

    monkeypatch.setattr("mxtorch.gluon.utils.download", fake_download)
    target = tu.download("https://example.org/a/file.bin", dirname=str(tmp_path / "sub"),
                         retries=2)
    assert target == str(tmp_path / "sub" / "file.bin")
    assert calls == [("https://example.org/a/file.bin", target, 2)]
    assert tu.download("https://example.org/a/file.bin", dirname=str(tmp_path / "sub")) == target
    assert len(calls) == 1  # present: not fetched again
    tu.download("https://example.org/a/file.bin", dirname=str(tmp_path / "sub"), overwrite=True)
    assert len(calls) == 2
    assert tu.download_model("no-such-model", str(tmp_path)) == (None, 0)


def test_zip_and_bz2_data_are_extracted_within_bounds(tmp_path, monkeypatch):
    import bz2
    import zipfile

    def fake_download(url, path=None, overwrite=False, retries=5, **kwargs):
        name = url.split("/")[-1]
        if name.endswith(".zip"):
            with zipfile.ZipFile(path, "w") as zf:
                if name == "evil.zip":
                    zf.writestr("../outside.txt", "x")
                else:
                    zf.writestr("inner/a.txt", "hello")
        else:
            pathlib.Path(path).write_bytes(bz2.compress(b"line1\nline2\n"))
        return path

    monkeypatch.setattr("mxtorch.gluon.utils.download", fake_download)
    tu.get_zip_data(str(tmp_path), "https://example.org/good.zip", "good.zip")
    assert (tmp_path / "inner" / "a.txt").read_text() == "hello"
    (tmp_path / "evil").mkdir()
    with pytest.raises(mx.MXNetError, match="outside"):
        tu.get_zip_data(str(tmp_path / "evil"), "https://example.org/evil.zip", "evil.zip")
    assert not (tmp_path / "outside.txt").exists()
    tu.get_bz2_data(str(tmp_path), "data.txt", "https://example.org/data.txt.bz2",
                    "data.txt.bz2")
    assert (tmp_path / "data.txt").read_bytes() == b"line1\nline2\n"
    assert not (tmp_path / "data.txt.bz2").exists()


def test_get_im2rec_path_names_the_missing_tool(monkeypatch, tmp_path):
    monkeypatch.setenv("MXNET_HOME", str(tmp_path))
    with pytest.raises(IOError, match="im2rec.py"):
        tu.get_im2rec_path()
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "im2rec.py").write_text("")
    assert tu.get_im2rec_path() == str(tmp_path / "tools" / "im2rec.py")


def test_check_gluon_hybridize_consistency():
    def build(prefix):
        net = mx.gluon.nn.HybridSequential(prefix=prefix)
        with net.name_scope():
            net.add(mx.gluon.nn.Dense(3, in_units=4, use_bias=False))
        return net

    data = nd.array(np.random.RandomState(0).randn(2, 4))
    tu.check_gluon_hybridize_consistency(build, [data])
    # a numpy reference that is not the block's function must fail the check
    with pytest.raises(AssertionError):
        tu.check_gluon_hybridize_consistency(build, [data], numpy_func=lambda x: x[:, :3] + 1)
