"""mx.kv: the single-process local/device key-value store (MXNet 1.9.1's behaviour)."""
import types

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError

SHAPE = (2, 3)


def _kv(kind: str = "local"):
    kv = mx.kv.create(kind)
    kv.init(3, mx.nd.ones(SHAPE) * 2)
    return kv


@pytest.mark.parametrize("kind", ["local", "device", "Device", "local_allreduce_cpu"])
def test_create_single_machine_types(kind: str) -> None:
    kv = mx.kv.create(kind)
    assert (kv.type, kv.rank, kv.num_workers) == (kind.lower(), 0, 1)
    assert kv.is_capable("optimizer") and mx.kvstore.create is mx.kv.create


def test_create_rejects_byteps_and_non_strings() -> None:
    with pytest.raises(MXNetError, match="'byteps' is not supported.*use 'dist_sync'"):
        mx.kv.create("byteps")
    with pytest.raises(TypeError, match="name must be a string"):
        mx.kv.create(3)
    with pytest.raises(ValueError, match="Unknown capability: x"):
        mx.kv.create().is_capable("x")


def test_init_pull_push_sum() -> None:
    kv = _kv()
    a = mx.nd.zeros(SHAPE)
    kv.pull(3, out=a)
    assert (a.asnumpy() == 2).all()
    kv.push(3, [mx.nd.ones(SHAPE), mx.nd.ones(SHAPE) * 3])
    outs = [mx.nd.zeros(SHAPE), mx.nd.zeros(SHAPE)]
    kv.pull(3, out=outs)
    assert all((o.asnumpy() == 4).all() for o in outs)


def test_list_of_keys_and_string_keys() -> None:
    kv = mx.kv.create("local")
    kv.init(["a", "b"], [mx.nd.ones(SHAPE), mx.nd.zeros(SHAPE)])
    kv.push(["a", "b"], [[mx.nd.ones(SHAPE), mx.nd.ones(SHAPE)], mx.nd.ones(SHAPE) * 3])
    a, b = mx.nd.zeros(SHAPE), mx.nd.zeros(SHAPE)
    kv.pull(["a", "b"], out=[[a], b])
    assert (a.asnumpy() == 2).all() and (b.asnumpy() == 3).all()
    with pytest.raises(MXNetError, match="Mixed key types"):
        kv.init(5, mx.nd.ones(SHAPE))


def test_pushpull_and_broadcast() -> None:
    kv = _kv()
    value = mx.nd.ones(SHAPE) * 7
    kv.pushpull(3, value)
    assert (value.asnumpy() == 7).all()
    out = mx.nd.zeros(SHAPE)
    kv.pushpull(3, [mx.nd.ones(SHAPE), mx.nd.ones(SHAPE)], out=out)
    assert (out.asnumpy() == 2).all()
    outs = [mx.nd.zeros(SHAPE), mx.nd.zeros(SHAPE)]
    kv.broadcast(9, mx.nd.ones(SHAPE) * 4, out=outs)
    assert all((o.asnumpy() == 4).all() for o in outs)


def test_errors_name_the_key() -> None:
    kv = _kv()
    with pytest.raises(MXNetError, match="duplicate init of key 3"):
        kv.init(3, mx.nd.ones(SHAPE))
    with pytest.raises(MXNetError, match="key 5 has not been inited"):
        kv.pull(5, out=mx.nd.zeros(SHAPE))
    with pytest.raises(MXNetError, match=r"key 3 has shape \(3, 2\)"):
        kv.push(3, mx.nd.ones((3, 2)))
    with pytest.raises(MXNetError, match="2 keys but 1 values"):
        kv.push([3, 4], mx.nd.ones(SHAPE))
    with pytest.raises(MXNetError, match="not supported"):
        kv.set_gradient_compression({"type": "2bit", "threshold": 0.5})


def test_optimizer_updates_the_stored_weight(tmp_path) -> None:
    kv = mx.kv.create("device")
    weight = mx.nd.zeros((2, 2))
    kv.init(3, weight)
    kv.set_optimizer(mx.optimizer.SGD(momentum=0.9))
    kv.push(3, [mx.nd.ones((2, 2)), mx.nd.ones((2, 2))])
    kv.pull(3, out=weight)
    np.testing.assert_allclose(weight.asnumpy(), -0.02, rtol=1e-6)
    kv.save_optimizer_states(str(tmp_path / "states"), dump_optimizer=True)
    kv.push(3, mx.nd.ones((2, 2)))
    kv.pull(3, out=weight)
    after_two = weight.asnumpy()

    other = mx.kv.create("device")
    other.init(3, mx.nd.full((2, 2), -0.02))
    other.set_optimizer(mx.optimizer.SGD())
    other.load_optimizer_states(str(tmp_path / "states"))
    other.push(3, mx.nd.ones((2, 2)))
    other.pull(3, out=weight)
    np.testing.assert_allclose(weight.asnumpy(), after_two, rtol=1e-6)


def test_custom_updater() -> None:
    kv = _kv()
    seen = []

    def update(key, merged, stored):
        seen.append(key)
        stored[:] += merged * 2

    kv._set_updater(update)
    kv.push(3, mx.nd.ones(SHAPE))
    out = mx.nd.zeros(SHAPE)
    kv.pull(3, out=out)
    assert seen == [3] and (out.asnumpy() == 4).all()


def test_create_kvstore_for_trainers() -> None:
    params = {"w": mx.nd.zeros((4,))}
    assert mx.model._create_kvstore("device", 1, params) == (None, False)
    kv, update_on_kv = mx.model._create_kvstore("device", 2, params)
    assert kv.type == "device" and update_on_kv
    given = mx.kv.create("local")
    assert mx.model._create_kvstore(given, 1, params) == (given, True)
    with pytest.raises(TypeError, match="kvstore must be KVStore, str or None"):
        mx.model._create_kvstore(3, 1, params)
    assert mx.model._create_kvstore(None, 2, params) == (None, False)


def test_local_kvstore_over_huge_arrays_updates_on_devices() -> None:
    """MXNet: a 'local' store whose largest array exceeds 16M elements does not run the optimizer."""
    huge = {"w": types.SimpleNamespace(size=1024 * 1024 * 16 + 1)}
    kv, update_on_kv = mx.model._create_kvstore("local", 2, huge)
    assert kv.type == "local" and not update_on_kv
    assert mx.model._create_kvstore("local", 2, {"w": mx.nd.zeros((4,))})[1]
