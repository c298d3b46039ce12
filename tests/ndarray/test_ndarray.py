"""NDArray: creation, properties, conversion, operators, indexing and printing as in MXNet 1.9.1.

Expected values come from running the same calls in the reference (MXNet 1.9.1); wider sweeps against
recorded reference results are in test_ndarray_golden.py.
"""
import pickle
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mxtorch as mx
from mxtorch import MXNetError, autograd, nd


# -- creation ---------------------------------------------------------------------------------
@pytest.mark.parametrize("source", [np.zeros(2), np.zeros(2, np.int64), np.zeros(2, np.uint8),
                                    np.zeros(2, bool), np.zeros(2, np.float16), [1, 2], [True, False]])
def test_array_defaults_to_float32_for_non_ndarray_sources(source):
    assert nd.array(source).dtype == np.float32


def test_array_keeps_ndarray_dtype_and_honours_dtype():
    assert nd.array(nd.array([1, 2], dtype="int32")).dtype == np.int32
    assert nd.array(np.zeros(2), dtype="float64").dtype == np.float64
    assert nd.array([1.7, -1.7], dtype="int32").asnumpy().tolist() == [1, -1]
    assert nd.array([1, 2], dtype=np.int8).dtype == np.int8


def test_array_of_a_scalar_is_zero_dimensional():
    x = nd.array(3)
    assert x.shape == () and x.dtype == np.float32
    assert repr(x) == "\n3.0\n<NDArray  @cpu(0)>"


def test_array_copies_its_source():
    src = np.ones(3, np.float32)
    x = nd.array(src)
    src[0] = 5
    y = nd.array(x)
    y[0] = 7
    assert x.asnumpy().tolist() == [1, 1, 1]


def test_array_rejects_non_arrays():
    with pytest.raises(TypeError):
        nd.array([[1, 2], [3]])
    with pytest.raises(TypeError):
        nd.array({"a": 1})


def test_zeros_ones_empty_full():
    assert nd.ones(3).shape == (3,)
    assert nd.zeros((2,), dtype="int64").dtype == np.int64
    assert nd.zeros((2,), dtype=np.int8).dtype == np.int8
    assert nd.empty((2, 0)).shape == (2, 0)
    assert nd.full((2,), 3.7, dtype="int32").asnumpy().tolist() == [3, 3]
    assert nd.full(2, 3).asnumpy().tolist() == [3.0, 3.0]
    assert nd.full((2,), -1, dtype="uint8").asnumpy().tolist() == [255, 255]
    out = nd.zeros((2,))
    assert nd.full((2,), 4, out=out) is out and out.asnumpy().tolist() == [4, 4]
    with pytest.raises(MXNetError, match="storage type 'csr'"):
        nd.zeros((2,), stype="csr")


def test_arange_computes_in_the_output_dtype():
    # MXNet: start + i * step in float32, so 0.3 * 3 is 0.90000004, not float32(0.9)
    got = nd.arange(0, 1, 0.3).asnumpy()
    np.testing.assert_array_equal(got, np.float32(0.3) * np.arange(4, dtype=np.float32))
    assert nd.arange(5).asnumpy().tolist() == [0, 1, 2, 3, 4]
    assert nd.arange(3, repeat=2).asnumpy().tolist() == [0, 0, 1, 1, 2, 2]
    assert nd.arange(0, 5, 2, dtype="int32").asnumpy().tolist() == [0, 2, 4]
    assert nd.arange(0, 5, 1.5, dtype="int32").asnumpy().tolist() == [0, 1, 2, 3]
    assert nd.arange(2, 10, 3, repeat=2, dtype="int32").asnumpy().tolist() == [2, 2, 5, 5, 8, 8]
    np.testing.assert_allclose(nd.arange(5, 0, -1.5).asnumpy(), [5, 3.5, 2, 0.5])
    assert nd.arange(3, 1).shape == (0,)


def test_eye_and_linspace():
    assert nd.eye(2, 3, 1).asnumpy().tolist() == [[0, 1, 0], [0, 0, 1]]
    assert nd.eye(2, 3, -1).asnumpy().tolist() == [[0, 0, 0], [1, 0, 0]]
    assert nd.eye(3, dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(nd.linspace(-3.3, 7.1, 13).asnumpy(),
                                  np.linspace(-3.3, 7.1, 13).astype(np.float32))
    assert nd.linspace(0, 1, 4, endpoint=False).asnumpy().tolist() == [0, 0.25, 0.5, 0.75]


def test_concatenate_and_moveaxis():
    a = nd.array([[1, 2, 3], [4, 5, 6]])
    assert nd.concatenate([a, a]).shape == (4, 3)
    assert nd.concatenate([a, a], axis=1).asnumpy()[0].tolist() == [1, 2, 3, 1, 2, 3]
    assert nd.concatenate([a], always_copy=False) is a
    with pytest.raises(MXNetError, match="same dtype"):
        nd.concatenate([a, a.astype("int32")])
    assert nd.moveaxis(nd.zeros((2, 3, 4)), 0, 2).shape == (3, 4, 2)


# -- properties and conversion ------------------------------------------------------------------
def test_properties():
    a = nd.array([[1, 2, 3], [4, 5, 6]])
    assert (a.shape, a.size, a.ndim, a.stype, a.writable) == ((2, 3), 6, 2, "default", True)
    assert type(a.shape) is tuple
    assert a.dtype is np.float32
    assert a.context == mx.cpu() and a.ctx == mx.cpu()
    assert a.grad is None
    assert a.T.asnumpy().tolist() == [[1, 4], [2, 5], [3, 6]]
    assert nd.ones((2, 3, 4)).T.shape == (4, 3, 2)
    v = nd.ones((3,))
    assert v.T is v  # MXNet returns a vector itself


def test_context_is_kept_through_operations():
    x = nd.ones((2,), ctx=mx.cpu(1))
    assert x.context == mx.cpu(1)
    for y in (x + 1, x * x, -x, x[0], x.reshape((2, 1)), x.copy(), x.astype("int32"), x.T,
              x.detach(), nd.relu(x)):
        assert y.context == mx.cpu(1)
    assert x.copyto(mx.cpu(2)).context == mx.cpu(2)
    assert x.as_in_context(mx.cpu(1)) is x
    moved = x.as_in_context(mx.cpu(0))
    assert moved is not x and moved.context == mx.cpu(0)


def test_asnumpy_asscalar_astype():
    a = nd.array([[1, 2], [3, 4]])
    assert isinstance(a.asnumpy(), np.ndarray)
    assert nd.array([3]).asscalar() == 3.0 and type(nd.array([3]).asscalar()) is np.float32
    assert type(nd.array([3], dtype="int32").asscalar()) is np.int32
    with pytest.raises(ValueError, match="The current array is not a scalar"):
        a.asscalar()
    assert a.astype("int32").dtype == np.int32
    assert a.astype("float32", copy=False) is a
    assert a.astype(np.float32, copy=True) is not a


def test_copy_copyto_tostype():
    a = nd.array([[1, 2, 3], [4, 5, 6]])
    b = a.copy()
    b[:] = 0
    assert a.asnumpy()[0, 0] == 1
    target = nd.zeros((2, 3), dtype="int32")
    assert a.copyto(target) is target and target.asnumpy().tolist() == [[1, 2, 3], [4, 5, 6]]
    with pytest.raises(MXNetError, match="shape mismatch"):
        a.copyto(nd.zeros((3,)))
    with pytest.warns(RuntimeWarning, match="copy an array to itself"):
        assert a.copyto(a) is False
    with pytest.raises(TypeError):
        a.copyto("cpu")
    c = a.tostype("default")
    assert c is not a and c.asnumpy().tolist() == a.asnumpy().tolist()
    with pytest.raises(MXNetError, match="'csr'"):
        a.tostype("csr")


def test_truth_length_iteration_hash():
    assert not nd.array([0]) and nd.array([2])
    with pytest.raises(ValueError, match="ambiguous"):
        bool(nd.ones((2,)))
    a = nd.array([[1, 2, 3], [4, 5, 6]])
    assert len(a) == 2
    with pytest.raises(IndexError):
        len(nd.array(5))
    assert [r.shape for r in a] == [(3,), (3,)]
    assert {a: 1}[a] == 1


def test_pickle_round_trip():
    a = nd.array([[1, 2], [3, 4]], dtype="int32")
    b = pickle.loads(pickle.dumps(a))
    assert b.dtype == np.int32 and b.asnumpy().tolist() == [[1, 2], [3, 4]] and b.grad is None


def test_slots_reject_new_attributes():
    with pytest.raises(AttributeError):
        nd.ones((1,)).foo = 1


# -- printing -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make,text", [
    (lambda: nd.array([[1, 2]]), "\n[[1. 2.]]\n<NDArray 1x2 @cpu(0)>"),
    (lambda: nd.array([1.5, 2.25], dtype="float64"), "\n[1.5  2.25]\n<NDArray 2 @cpu(0)>"),
    (lambda: nd.array([1, 2], dtype="int32"), "\n[1 2]\n<NDArray 2 @cpu(0)>"),
    (lambda: nd.array([1e10, 1]), "\n[1.e+10 1.e+00]\n<NDArray 2 @cpu(0)>"),
    (lambda: nd.array([1, 0], dtype="bool"), "\n[ True False]\n<NDArray 2 @cpu(0)>"),
    (lambda: nd.ones((2,), ctx=mx.cpu(1)), "\n[1. 1.]\n<NDArray 2 @cpu(1)>"),
    (lambda: nd.zeros((2, 3, 4)), "\n[[[0. 0. 0. 0.]\n  [0. 0. 0. 0.]\n  [0. 0. 0. 0.]]\n\n"
                                  " [[0. 0. 0. 0.]\n  [0. 0. 0. 0.]\n  [0. 0. 0. 0.]]]\n"
                                  "<NDArray 2x3x4 @cpu(0)>"),
])
def test_repr_as_mxnet_prints(make, text):
    assert repr(make()) == text


# -- operators ----------------------------------------------------------------------------------
def test_scalar_is_cast_to_the_array_dtype():
    i = nd.array([7, -7], dtype="int32")
    assert (i * 2.7).asnumpy().tolist() == [14, -14]
    assert (i / 2).asnumpy().tolist() == [3, -3]
    assert (2.7 - i).asnumpy().tolist() == [-5, 9]
    assert (i % 3).asnumpy().tolist() == [1, 2]
    assert (i >= 1.5).dtype == np.int32
    assert (nd.array([2, 3], dtype="int32") ** 2).asnumpy().tolist() == [4, 9]
    assert (nd.array([2, 3], dtype="int32") ** 0.5).asnumpy().tolist() == [1, 1]
    assert (nd.array([1], dtype="uint8") - 2).asnumpy().tolist() == [255]
    assert (-nd.array([1], dtype="uint8")).asnumpy().tolist() == [255]


def test_comparisons_return_the_input_dtype():
    assert (nd.array([1, 2]) > 1.5).asnumpy().tolist() == [0, 1]
    assert (nd.array([1, 2]) == nd.array([1, 3])).dtype == np.float32


def test_numpy_scalars_on_the_left():
    a = nd.array([1, 2])
    out = np.float32(2) * a
    assert isinstance(out, nd.NDArray) and out.asnumpy().tolist() == [2, 4]


@pytest.mark.parametrize("other", [np.ones(2), [1, 2], None, "a"])
def test_unsupported_operands_raise_type_error(other):
    a = nd.array([1, 2])
    with pytest.raises(TypeError, match="not supported"):
        a + other
    with pytest.raises(TypeError):
        a == other


def test_mismatched_dtypes_and_shapes_are_mxnet_errors():
    with pytest.raises(MXNetError, match="same dtype"):
        nd.array([1, 2]) + nd.array([1, 2], dtype="float64")
    with pytest.raises(MXNetError, match="broadcast_add"):
        nd.ones((2, 2)) + nd.ones((3,))
    assert (nd.ones((2, 1)) + nd.ones((3,))).shape == (2, 3)


def test_operators_not_in_mxnet_are_absent():
    a = nd.array([1.5])
    for fn in (lambda: +a, lambda: ~a, lambda: a // 2, lambda: a @ a):
        with pytest.raises(TypeError):
            fn()


def test_inplace_operators_write_into_the_same_memory():
    a = nd.zeros((2,))
    view = a[0:1]
    b = a
    b += 1
    assert b is a and a.asnumpy().tolist() == [1, 1] and view.asnumpy().tolist() == [1]
    a -= nd.ones((1,))
    a *= 4
    a /= 2
    a %= 3
    assert a.asnumpy().tolist() == [0, 0]
    with pytest.raises(MXNetError, match="shape"):
        z = nd.zeros((1,))
        z += nd.ones((2,))


def test_slice_assignment_keeps_identity_and_casts():
    a = nd.zeros((2, 3))
    a[:] = 1
    a[:] = nd.array([1, 2, 3])
    assert a.asnumpy().tolist() == [[1, 2, 3], [1, 2, 3]]
    i = nd.zeros((2,), dtype="int32")
    i[:] = 2.7
    assert i.asnumpy().tolist() == [2, 2]
    i[0] = nd.array([5.9], dtype="float64")
    assert i.asnumpy().tolist() == [5, 2]
    with pytest.raises(TypeError, match="assignment"):
        a[0] = "x"


# -- views and copies -----------------------------------------------------------------------------
def test_basic_contiguous_indexing_shares_memory_as_in_mxnet():
    x = nd.arange(24).reshape((2, 3, 4))
    x[0][:] = -1  # contiguous: a view
    assert x.asnumpy()[0, 0, 0] == -1
    x[1, 1][:] = -2
    assert x.asnumpy()[1, 1, 0] == -2
    col = x[:, 0]  # not contiguous in memory: MXNet copies
    col[:] = 99
    assert x.asnumpy()[1, 0, 0] != 99
    flat = x.reshape((-1,))  # reshape is a view
    flat[:] = 7
    assert x.asnumpy().max() == 7
    d = x.detach()
    d[:] = 3
    assert x.asnumpy().max() == 3


def test_operator_outputs_never_alias_inputs():
    x = nd.ones((2, 3))
    for y in (nd.reshape(x, shape=(-1,)), nd.Flatten(x), x.T):
        y[:] = 5
    assert x.asnumpy().max() == 1


def test_indexing_errors():
    x = nd.zeros((2, 3))
    with pytest.raises(IndexError, match="out of bounds"):
        x[5]
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(ValueError, match="does not support slicing"):
        x["a"]
    with pytest.raises(ValueError, match="does not support slicing"):
        x[1.0]
    with pytest.raises(IndexError, match="ellipsis"):
        x[..., 0, ...]
    with pytest.raises(ValueError, match="boolean indexing"):
        x[nd.array([1, 0], dtype="bool")]
    with pytest.raises(ValueError, match="shape"):
        x[:] = nd.ones((3, 2))


def test_float_ndarray_index_truncates():
    x = nd.arange(6).reshape((3, 2))
    assert x[nd.array([1.7, 0])].asnumpy().tolist() == [[2, 3], [0, 1]]


# -- reshape ------------------------------------------------------------------------------------
def test_reshape_call_forms():
    x = nd.zeros((2, 3, 4))
    assert x.reshape(6, 4).shape == (6, 4)
    assert x.reshape((6, 4)).shape == (6, 4)
    assert x.reshape(shape=(6, -1)).shape == (6, 4)
    assert x.reshape((-1, 0), reverse=True).shape == (6, 4)
    assert x.reshape_like(nd.zeros((4, 6))).shape == (4, 6)
    with pytest.raises(TypeError, match="unknown keywords"):
        x.reshape((6, 4), order="F")


@st.composite
def _reshape_case(draw):
    """A source shape and MXNet reshape codes built from it, with the shape the codes mean."""
    src = draw(st.lists(st.integers(1, 4), min_size=1, max_size=5))
    codes, expected, j = [], [], 0
    while j < len(src):
        choice = draw(st.sampled_from(["copy", "literal", "merge", "split", "rest"]))
        if choice == "merge" and j + 1 < len(src):
            codes.append(-3)
            expected.append(src[j] * src[j + 1])
            j += 2
        elif choice == "split" and src[j] in (2, 4):
            first = draw(st.sampled_from([1, 2]))
            second = src[j] // first
            codes += [-4, draw(st.sampled_from([first, -1])), second]
            expected += [first, second]
            j += 1
        elif choice == "rest":
            codes.append(-2)
            expected += src[j:]
            j = len(src)
        else:
            codes.append(0 if choice == "copy" else src[j])
            expected.append(src[j])
            j += 1
    literal = [k for k, c in enumerate(codes) if c > 0 and (k == 0 or codes[k - 1] != -4)
               and (k < 2 or codes[k - 2] != -4)]
    if literal and draw(st.booleans()):
        codes[draw(st.sampled_from(literal))] = -1
    return tuple(src), tuple(codes), tuple(expected)


@settings(max_examples=150, deadline=None)
@given(_reshape_case())
def test_reshape_codes_property(case):
    src, codes, expected = case
    x = nd.array(np.arange(int(np.prod(src))).reshape(src))
    out = x.reshape(codes)
    assert out.shape == expected
    np.testing.assert_array_equal(out.asnumpy().ravel(), x.asnumpy().ravel())


# -- indexing against numpy (MXNet 1.x follows numpy, with shape (1,) for a single element) ----------
@st.composite
def _index_case(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple))
    entries, advanced = [], False
    for size in shape[:draw(st.integers(1, len(shape)))]:
        kind = draw(st.sampled_from(["int", "slice", "slice", "array", "none"]))
        if kind == "int":
            entries.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            bound = st.one_of(st.none(), st.integers(-size - 1, size + 1))
            entries.append(slice(draw(bound), draw(bound),
                                 draw(st.one_of(st.none(), st.integers(-3, 3).filter(bool)))))
        elif kind == "array" and not advanced:  # one integer array: numpy and MXNet agree on layout
            advanced = True
            entries.append(draw(hnp.arrays(np.int64, st.integers(1, 3),
                                           elements=st.integers(-size, size - 1))))
        else:
            entries.append(None)
            entries.append(slice(None))
    return shape, tuple(entries)


@settings(max_examples=200, deadline=None)
@given(_index_case())
def test_getitem_matches_numpy(case):
    shape, key = case
    src = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    expected = src[key]
    got = nd.array(src)[key]
    assert got.shape == (expected.shape or (1,))
    np.testing.assert_array_equal(got.asnumpy(), expected.reshape(got.shape))


@settings(max_examples=200, deadline=None)
@given(_index_case())
def test_setitem_matches_numpy(case):
    shape, key = case
    src = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    target_shape = src[key].shape
    value = -np.arange(int(np.prod(target_shape)), dtype=np.float32).reshape(target_shape) - 1
    expected = src.copy()
    expected[key] = value
    x = nd.array(src)
    x[key] = nd.array(value)
    np.testing.assert_array_equal(x.asnumpy(), expected)


# -- misc ---------------------------------------------------------------------------------------
def test_wait_to_read_and_waitall():
    x = nd.ones((2,))
    x.wait_to_read()
    nd.waitall()
    assert x.asnumpy().tolist() == [1, 1]


def test_grad_of_int_array_is_a_zero_buffer():
    a = nd.array([1, 2], dtype="int32")
    a.attach_grad()
    assert a.grad.dtype == np.int32 and a.grad.asnumpy().tolist() == [0, 0]


def test_operations_outside_record_do_not_track():
    x = nd.ones((2,))
    x.attach_grad()
    for y in (x * 2, x[0], x.reshape((2, 1)), x.copy(), x.astype("float64"), x.T):
        assert not y._t.requires_grad or y._t.grad_fn is None
    with autograd.record():
        assert (x * 2)._t.grad_fn is not None
        assert x[1:]._t.grad_fn is not None


def test_dlpack_export():
    x = nd.array([1, 2])
    back = torch.utils.dlpack.from_dlpack(x.to_dlpack_for_read())
    assert back.tolist() == [1, 2]


def test_no_runtime_warnings_from_plain_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = nd.arange(6).reshape((2, 3))
        x[:, ::-1] = x[:, 0:3]
        repr(x)
