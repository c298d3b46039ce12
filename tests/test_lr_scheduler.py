"""Learning-rate schedulers against MXNet 1.9.1's values, and their argument checks."""
import numpy as np
import pytest

import mxtorch as mx
from tests.conformance.conftest import GOLDEN
from tests.optimizer import cases


def test_schedules_match_mxnet() -> None:
    expected = dict(np.load(GOLDEN / "optimizer" / "lr_scheduler.npz"))
    got = cases.run_schedulers(mx)
    assert sorted(got) == sorted(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-12, err_msg=key)


def test_linear_warmup_values() -> None:
    sched = mx.lr_scheduler.CosineScheduler(max_update=10, base_lr=1.0, warmup_steps=4,
                                            warmup_begin_lr=0.2)
    assert [sched(i) for i in range(4)] == pytest.approx([0.2, 0.4, 0.6, 0.8])
    assert sched(4) == pytest.approx(1.0) and sched(10) == pytest.approx(0.0)


@pytest.mark.parametrize("make,message", [
    (lambda: mx.lr_scheduler.FactorScheduler(step=0), "greater or equal than 1"),
    (lambda: mx.lr_scheduler.FactorScheduler(step=2, factor=1.5), "no more than 1"),
    (lambda: mx.lr_scheduler.MultiFactorScheduler(step=[3, 3]), "increasing integer list"),
    (lambda: mx.lr_scheduler.MultiFactorScheduler(step=[0, 3]), "greater or equal than 1"),
    (lambda: mx.lr_scheduler.PolyScheduler(max_update=0), "strictly positive"),
    (lambda: mx.lr_scheduler.CosineScheduler(max_update=5, warmup_mode="cubic"),
     "linear and constant"),
    (lambda: mx.lr_scheduler.CosineScheduler(max_update=5, base_lr=0.1, warmup_begin_lr=0.5),
     "higher than warmup_begin_lr"),
    (lambda: mx.lr_scheduler.PolyScheduler(max_update=5, warmup_steps=-1),
     "positive or 0"),
])
def test_bad_arguments_are_rejected(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_base_class_must_be_subclassed() -> None:
    with pytest.raises(NotImplementedError):
        mx.lr_scheduler.LRScheduler()(0)
