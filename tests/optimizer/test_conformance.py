"""Every optimizer case against MXNet 1.9.1's goldens: weights after each step, final states."""
import numpy as np
import pytest

import mxtorch as mx
from tests.conformance.conftest import GOLDEN
from tests.optimizer import cases

GOLDEN_OPT = GOLDEN / "optimizer"


@pytest.mark.parametrize("case", cases.CASES, ids=[c.id for c in cases.CASES])
def test_optimizer_matches_mxnet(case: cases.Case) -> None:
    expected = dict(np.load(GOLDEN_OPT / f"{case.id}.npz"))
    got = cases.run(mx, case)
    assert sorted(got) == sorted(expected)
    for key in sorted(expected):
        np.testing.assert_allclose(got[key].astype(np.float64), expected[key].astype(np.float64),
                                   rtol=case.rtol, atol=case.atol, err_msg=f"{case.id}: {key}")
