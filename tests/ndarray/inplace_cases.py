"""In-place writes (slices, views, ``+=``, ``out=``) on arrays with and without gradients, inside and
outside ``autograd.record``: the programs, written once and run on either library.

``tests/conformance/gen_inplace.py`` runs them on MXNet 1.9.1 and saves what happened;
``tests/ndarray/test_inplace_autograd.py`` runs them on mxtorch and compares. Every function takes the
library's top-level module (``mxnet`` or ``mxtorch``) as ``mx``, so both run the same text.
"""
import itertools

import numpy as np

SHAPE = (4, 3)

# What the written array is: a plain array, one after attach_grad(), a Gluon Parameter's data().
TARGETS = ("plain", "attached", "param")

# Where the write happens. ``record*`` write inside autograd.record (train or predict mode),
# ``pause`` inside a pause() within record, the others outside record.
SCOPES = ("outside", "train_mode", "predict_mode", "record", "record_predict", "pause")

# The value written: ``plain`` an array computed in the scope, ``graph`` the same computed from the
# variable ``w`` (recorded when the scope records).
VALUES = ("plain", "graph")

# When: ``before`` the write comes before the recorded forward pass; ``between`` it comes after the
# forward pass and before backward (MXNet's backward reads memory as it is then).
WHENS = ("before", "between")


def _write_ops(mx):
    """name -> function(x, val) performing one kind of in-place write of ``val`` into ``x``."""
    nd = mx.nd

    def set_all_scalar(x, val):
        x[:] = 5

    def set_all(x, val):
        x[:] = val

    def set_slice(x, val):
        x[1:3] = val[1:3]

    def set_slice_scalar(x, val):
        x[1:3] = 7

    def iadd_slice(x, val):
        x[1:3] += val[1:3]

    def isub_all_sgd(x, val):
        x[:] -= 0.5 * val

    def iadd(x, val):
        x += val

    def iadd_scalar(x, val):
        x += 1

    def imul(x, val):
        x *= val

    def idiv_scalar(x, val):
        x /= 4

    def set_int(x, val):
        x[1] = val[1]

    def set_tuple(x, val):
        x[1, 0:2] = val[1, 0:2]

    def set_tuple_scalar(x, val):
        x[2, 1] = 9

    def set_index_array(x, val):
        x[nd.array([0, 2])] = val[0:2]

    def set_step_slice(x, val):
        x[::2] = val[1:3]

    def out_slice(x, val):
        nd.exp(val[1:3], out=x[1:3])

    def out_whole(x, val):
        nd.exp(val, out=x)

    def view_write(x, val):
        v = x[1:3]
        v[:] = val[0:2]

    def view_iadd(x, val):
        v = x[2:4]
        v += 1

    def reshape_view_write(x, val):
        v = x.reshape((-1,))
        v[0:3] = 8

    def copyto(x, val):
        val.copyto(x)

    return {f.__name__: f for f in (
        set_all_scalar, set_all, set_slice, set_slice_scalar, iadd_slice, isub_all_sgd, iadd,
        iadd_scalar, imul, idiv_scalar, set_int, set_tuple, set_tuple_scalar, set_index_array,
        set_step_slice, out_slice, out_whole, view_write, view_iadd, reshape_view_write, copyto)}


WRITES = ("set_all_scalar", "set_all", "set_slice", "set_slice_scalar", "iadd_slice", "isub_all_sgd",
          "iadd", "iadd_scalar", "imul", "idiv_scalar", "set_int", "set_tuple", "set_tuple_scalar",
          "set_index_array", "set_step_slice", "out_slice", "out_whole", "view_write", "view_iadd",
          "reshape_view_write", "copyto")


# The arrays a case reports, with their shapes.
RESULT_ARRAYS = {"x": SHAPE, "z": (1,), "w_grad": SHAPE, "x_grad": SHAPE}


def combinations():
    """Every (target, scope, value, write, when) case; ``between`` only for writes outside record."""
    for target, scope, value, write, when in itertools.product(TARGETS, SCOPES, VALUES, WRITES,
                                                              WHENS):
        if when == "between" and scope not in ("outside", "pause"):
            continue
        yield target, scope, value, write, when


def case_id(case) -> str:
    return "-".join(case)


def _scope(mx, scope):
    ag = mx.autograd
    return {"outside": ag.predict_mode,  # recording off, the default mode: a no-op scope
            "train_mode": ag.train_mode, "predict_mode": ag.predict_mode,
            "record": ag.record, "record_predict": lambda: ag.record(train_mode=False),
            "pause": None}[scope]


def _source():
    return (np.arange(12, dtype=np.float32).reshape(SHAPE) - 4) / 2


def _make_target(mx, target):
    """The array written into, and the array whose .grad is its gradient (or None)."""
    data = mx.nd.array(_source())
    if target == "plain":
        return data, None
    if target == "attached":
        data.attach_grad()
        return data, data
    param = mx.gluon.Parameter("weight", shape=SHAPE)
    param.initialize(init=mx.init.Zero(), ctx=mx.cpu())
    param.set_data(data)
    return param.data(), param


def _grad_of(holder):
    if holder is None:
        return None
    g = holder.grad() if callable(holder.grad) else holder.grad
    return g.asnumpy()


def run(mx, case) -> dict:
    """Run one case; returns {"error": [stage, type name] or None, "x": ..., "w_grad": ...,
    "x_grad": ...} with arrays as numpy (absent when the run stopped before them)."""
    target, scope, value, write, when = case
    nd, ag = mx.nd, mx.autograd
    op = _write_ops(mx)[write]
    x, holder = _make_target(mx, target)
    w = nd.array(np.arange(1, 13, dtype=np.float32).reshape(SHAPE) / 4)
    w.attach_grad()
    out: dict = {"error": None}
    stage = "write"

    def do_write():
        if scope == "pause":
            with ag.record():
                with ag.pause():
                    val = w * 2 if value == "graph" else nd.array(_source()[::-1].copy())
                    op(x, val)
        else:
            with _scope(mx, scope)():
                val = w * 2 if value == "graph" else nd.array(_source()[::-1].copy())
                op(x, val)

    try:
        if when == "before":
            do_write()
            stage = "forward"
            with ag.record():
                z = (x * x * w).sum()
        else:
            stage = "forward"
            with ag.record():
                z = (x * x * w).sum()
            stage = "write"
            do_write()
        stage = "backward"
        z.backward()
        out["z"] = z.asnumpy()
        out["w_grad"] = w.grad.asnumpy()
        out["x_grad"] = _grad_of(holder)
    except Exception as err:  # noqa: BLE001 - what MXNet raised is the recorded result
        out["error"] = [stage, type(err).__name__]
    out["x"] = x.asnumpy()
    return out


# -- used-then-written: a plain array read by a recorded operation, then written inside record ----
def used_then_written(mx) -> dict:
    """MXNet refuses the write (the array is now part of the graph); see the test for mxtorch."""
    nd, ag = mx.nd, mx.autograd
    x = nd.array(_source())
    w = nd.ones(SHAPE)
    w.attach_grad()
    try:
        with ag.record():
            y = w * x
            x[:] = 100
            z = y.sum()
        z.backward()
        return {"error": None, "w_grad": w.grad.asnumpy()}
    except Exception as err:  # noqa: BLE001
        return {"error": type(err).__name__}


# -- Gluon programs -----------------------------------------------------------------------------
def _net(mx, hybridize):
    nn = mx.gluon.nn
    net = nn.HybridSequential()
    net.add(nn.Dense(5, in_units=4, activation="tanh"))
    net.add(nn.Dense(2, in_units=5))
    net.initialize(mx.init.Zero())
    rng = np.random.RandomState(0)
    for p in net.collect_params().values():
        p.set_data(mx.nd.array(rng.uniform(-0.5, 0.5, size=p.shape).astype(np.float32)))
    if hybridize:
        net.hybridize()
    return net


def _batch():
    rng = np.random.RandomState(1)
    x = rng.uniform(-1, 1, size=(8, 4)).astype(np.float32)
    y = np.stack([x[:, 0] - x[:, 1], x[:, 2] * 0.5 + x[:, 3]], axis=1).astype(np.float32)
    return x, y


def _params(net):
    return [p for _, p in sorted(net.collect_params().items())]


def gluon_write_then_step(mx, hybridize: bool) -> dict:
    """Forward/backward, ``net[0].weight.data()[:] += 1`` (outside record), the gradient then,
    another forward/backward and a Trainer step; then the same write tried inside record."""
    nd, ag, gluon = mx.nd, mx.autograd, mx.gluon
    net = _net(mx, hybridize)
    xb, yb = _batch()
    x, y = nd.array(xb), nd.array(yb)
    loss_fn = gluon.loss.L2Loss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    with ag.record():
        loss = loss_fn(net(x), y)
    loss.backward()
    out = {"grad_before": net[0].weight.grad().asnumpy()}
    net[0].weight.data()[:] += 1
    net[1].bias.data()[0:1] = 0.25
    out["grad_after_write"] = net[0].weight.grad().asnumpy()
    out["weight_after_write"] = net[0].weight.data().asnumpy()
    with ag.record():
        loss = loss_fn(net(x), y)
    loss.backward()
    out["loss"] = loss.asnumpy()
    trainer.step(8)
    out["params"] = [p.data().asnumpy() for p in _params(net)]
    out["grads"] = [p.grad().asnumpy() for p in _params(net)]
    try:
        with ag.record():
            net[0].weight.data()[:] += 1
        out["in_record_error"] = None
    except Exception as err:  # noqa: BLE001
        out["in_record_error"] = type(err).__name__
    return out


def gluon_hand_sgd(mx, hybridize: bool, steps: int = 30, lr: float = 0.2) -> dict:
    """The talk-era training loop: ``for p in params: p.data()[:] -= lr * p.grad()``."""
    nd, ag, gluon = mx.nd, mx.autograd, mx.gluon
    net = _net(mx, hybridize)
    xb, yb = _batch()
    x, y = nd.array(xb), nd.array(yb)
    loss_fn = gluon.loss.L2Loss()
    params = _params(net)
    losses = []
    for _ in range(steps):
        with ag.record():
            loss = loss_fn(net(x), y).mean()
        loss.backward()
        for p in params:
            p.data()[:] -= lr * p.grad()
        losses.append(float(loss.asscalar()))
    return {"losses": np.array(losses, dtype=np.float32),
            "params": [p.data().asnumpy() for p in params]}
