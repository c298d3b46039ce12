"""In-place writes through slices and views, ``+=`` and ``out=``, on plain arrays, arrays after
attach_grad() and Parameter data, inside and outside autograd.record (train and predict mode), against
what MXNet 1.9.1 did for the same programs (goldens by tests/conformance/gen_inplace.py)."""
import functools
import json

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import MXNetError, autograd, nd
from tests.conformance.conftest import GOLDEN
from tests.ndarray import inplace_cases as cases

GOLDEN_INPLACE = GOLDEN / "inplace"
CASES = list(cases.combinations())


@functools.lru_cache(maxsize=None)
def _golden(name: str) -> dict:
    return dict(np.load(GOLDEN_INPLACE / name))


@functools.lru_cache(maxsize=None)
def _case_index() -> dict:
    return {str(cid): i for i, cid in enumerate(_golden("cases.npz")["ids"])}


def test_goldens_cover_every_case():
    assert sorted(_case_index()) == sorted(cases.case_id(c) for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[cases.case_id(c) for c in CASES])
def test_inplace_case(case):
    golden = _golden("cases.npz")
    i = _case_index()[cases.case_id(case)]
    got = cases.run(mx, case)
    expected_error = str(golden["errors"][i])
    assert (":".join(got["error"]) if got["error"] else "") == expected_error
    if expected_error:
        # MXNet runs the refused write before its recorder refuses it, so its memory holds the
        # write; mxtorch refuses before writing (test_refusal_names_the_rule)
        return
    for key in cases.RESULT_ARRAYS:
        want = golden[key][i]
        val = got.get(key)
        if np.isnan(want).all():
            assert val is None, f"{key}: MXNet had none, mxtorch has {val}"
            continue
        assert val is not None, f"{key}: MXNet had {want}, mxtorch none"
        np.testing.assert_allclose(val, want, rtol=1e-6, atol=1e-6, err_msg=key)


def test_refusal_names_the_rule():
    x = nd.ones((2, 3))
    x.attach_grad()
    with pytest.raises(MXNetError, match="already in a computational graph"):
        with autograd.record():
            x[0:1] += 1
    np.testing.assert_array_equal(x.asnumpy(), np.ones((2, 3)))  # refused before writing


def test_used_then_written_is_a_stated_difference():
    """MXNet refuses writing a plain array inside record once a recorded operation has read it;
    torch does not track which plain tensors a graph read, so mxtorch writes the memory and the
    backward pass reads it as it is then (as MXNet does for writes outside record)."""
    golden = json.loads((GOLDEN_INPLACE / "used_then_written.json").read_text())
    assert golden == {"error": "MXNetError"}
    got = cases.used_then_written(mx)
    assert got["error"] is None
    np.testing.assert_array_equal(got["w_grad"], np.full(cases.SHAPE, 100, np.float32))


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
def test_gluon_write_then_trainer_step(hybridize):
    golden = _golden("gluon.npz")
    got = cases.gluon_write_then_step(mx, hybridize)
    pre = f"step{int(hybridize)}/"
    for key, val in got.items():
        if key in ("params", "grads"):
            for j, a in enumerate(val):
                np.testing.assert_allclose(a, golden[f"{pre}{key}{j}"], rtol=1e-5, atol=1e-6,
                                           err_msg=f"{key}{j}")
        elif key == "in_record_error":
            assert (val or "") == str(golden[pre + key])
        else:
            np.testing.assert_allclose(val, golden[pre + key], rtol=1e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
def test_gluon_hand_written_sgd_trains(hybridize):
    golden = _golden("gluon.npz")
    got = cases.gluon_hand_sgd(mx, hybridize)
    pre = f"sgd{int(hybridize)}/"
    assert got["losses"][-1] < 0.5 * got["losses"][0]
    np.testing.assert_allclose(got["losses"], golden[pre + "losses"], rtol=1e-4, atol=1e-6)
    for j, a in enumerate(got["params"]):
        np.testing.assert_allclose(a, golden[f"{pre}params{j}"], rtol=1e-4, atol=1e-5)


def test_view_made_outside_record_survives_writes_to_its_base():
    """A view taken outside record, its base then written in place, is usable inside record
    (torch refuses views made under no_grad once their base changed; MXNet's views are plain)."""
    x = nd.ones((4, 3))
    x.attach_grad()
    v = x[1:3]
    x[:] += 1
    x._t.data.mul_(1)  # a Trainer-style write straight to the tensor
    w = nd.ones((2, 3))
    w.attach_grad()
    with autograd.record():
        z = (v * w).sum()
    z.backward()
    np.testing.assert_array_equal(w.grad.asnumpy(), np.full((2, 3), 2.0))


def test_overlapping_inplace_reads_the_source_first():
    x = nd.array(np.arange(6, dtype=np.float32))
    x.attach_grad()
    x[1:4] += x[0:3]
    np.testing.assert_array_equal(x.asnumpy(), [0, 1, 3, 5, 4, 5])
    y = nd.array(np.arange(6, dtype=np.float32))
    y[1:4] = y[0:3]
    np.testing.assert_array_equal(y.asnumpy(), [0, 0, 1, 2, 4, 5])


def test_inplace_keeps_identity_and_dtype_rules():
    x = nd.ones((2, 3))
    x.attach_grad()
    ref = x
    x += nd.ones((1, 3))  # broadcast into x
    x *= 3
    assert x is ref
    np.testing.assert_array_equal(x.asnumpy(), np.full((2, 3), 6.0))
    i = nd.array([1, 2, 3], dtype="int32")
    i += 2
    assert i.dtype == np.int32
    np.testing.assert_array_equal(i.asnumpy(), [3, 4, 5])
    with pytest.raises(MXNetError, match="shape inconsistent"):
        x += nd.ones((3, 2, 3))
