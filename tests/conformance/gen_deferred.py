"""Goldens for deferred initialization, from MXNet 1.9.1.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_deferred.py

Each case builds a network whose layers leave some input sizes out (``in_units``, ``in_channels``
...), initializes it with a recording initializer, runs one forward pass eagerly or hybridized, and
records what MXNet did: the order in which the parameters were initialized, the shapes deferred
initialization gave them, their values and the output. The recording initializer fills the k-th
array it is handed with values that depend on k, so the values also say the order; MXNet's random
streams are not mxtorch's, so a seeded ``Uniform`` would not be comparable. The error cases record
the type and message of what MXNet raises when deferred initialization cannot finish. Last, a
SymbolBlock holding a BatchNorm is cast to float16 and float64: the parameters' types and outputs.

Everything goes to ``golden/deferred/deferred.json``. The cases are plain functions of the ``mx``
module, so the tests replay the same code on mxtorch; importing this module does not import MXNet.
"""
from __future__ import annotations

import json
import pathlib
import re
import zlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "golden" / "deferred"
MODES = ("eager", "hybrid")


def recorder(mx):
    """An initializer that notes each parameter it initializes, in order, and fills the k-th
    with ``0.5 + 0.4 * sin(0.37 * i + k)`` (positive, so also valid as a variance)."""

    class Recorder(mx.init.Initializer):
        def __init__(self):
            super().__init__()
            self.order = []

        def _init_weight(self, name, arr):
            k = len(self.order)
            self.order.append(str(name))
            values = 0.5 + 0.4 * np.sin(0.37 * np.arange(int(np.prod(arr.shape))) + k)
            arr[:] = mx.nd.array(values.reshape(arr.shape).astype(np.float32))

        _init_default = _init_weight

    return Recorder()


# -- cases that initialize ------------------------------------------------------------------------------
def build_layers(mx):
    """Conv2D, BatchNorm, PReLU, Dense (flattening and not) in a HybridSequential, no input sizes
    given; every initializer left to the global one so that the recorder sees every parameter."""
    nn = mx.gluon.nn
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, bias_initializer=None),
                nn.BatchNorm(beta_initializer=None, gamma_initializer=None,
                             running_mean_initializer=None, running_variance_initializer=None),
                nn.PReLU(alpha_initializer=None),
                nn.Dense(5, bias_initializer=None),
                nn.Dense(3, bias_initializer=None))
    return net


def build_embedding(mx):
    """An Embedding (sizes always given) feeding a Dense over its last axis (in_units inferred)."""
    nn = mx.gluon.nn
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Embedding(10, 4), nn.Dense(3, flatten=False, bias_initializer=None))
    return net


def build_nested(mx):
    """A block with its own deferred parameter, created before its children but used between
    them: eagerly MXNet initializes the block's own parameter first, hybridized in graph order."""
    nn = mx.gluon.nn

    class Nested(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.proj = self.params.get("proj", shape=(6, 0), allow_deferred_init=True)
                self.body = nn.HybridSequential()
                self.body.add(nn.Dense(7, activation="relu", bias_initializer=None),
                              nn.BatchNorm(beta_initializer=None, gamma_initializer=None,
                                           running_mean_initializer=None,
                                           running_variance_initializer=None))
                self.head = nn.Dense(2, bias_initializer=None)

        def hybrid_forward(self, F, x, proj):
            h = self.body(x)
            h = F.FullyConnected(h, proj, no_bias=True, num_hidden=6)
            return self.head(h)

    return Nested()


def build_two_inputs(mx):
    """Two inputs, each through its own Dense (created in the other order), and a sum."""
    nn = mx.gluon.nn

    class TwoInputs(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.for_y = nn.Dense(3, bias_initializer=None)
                self.for_x = nn.Dense(3, bias_initializer=None)

        def hybrid_forward(self, F, x, y):
            return self.for_x(x) + self.for_y(y)

    return TwoInputs()


def build_plain_parent(mx):
    """A plain Block whose forward calls deferred HybridBlock children."""
    nn = mx.gluon.nn

    class Parent(mx.gluon.Block):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.first = nn.Dense(4, activation="tanh", bias_initializer=None)
                self.second = nn.Dense(2, bias_initializer=None)

        def forward(self, x):
            return self.second(self.first(x))

    return Parent()


# name -> (build, input shapes; an integer-valued input is drawn from [0, 10))
CASES = {
    "layers": (build_layers, [(2, 3, 6, 6)]),
    "embedding": (build_embedding, [("int", 2, 5)]),
    "nested": (build_nested, [(3, 5)]),
    "two_inputs": (build_two_inputs, [(2, 4), (2, 6)]),
    "plain_parent": (build_plain_parent, [(2, 3)]),
}


def case_inputs(case):
    rng = np.random.RandomState(zlib.crc32(case.encode()))
    arrays = []
    for shape in CASES[case][1]:
        if shape[0] == "int":
            arrays.append(rng.randint(0, 10, size=shape[1:]).astype(np.float32))
        else:
            arrays.append(rng.uniform(-1, 1, size=shape).astype(np.float32))
    return arrays


def run_case(mx, case, mode):
    """Build, initialize with the recorder, one forward pass; what deferred initialization did."""
    with mx.name.NameManager():
        net = CASES[case][0](mx)
    init = recorder(mx)
    net.initialize(init)
    net.hybridize(mode == "hybrid")
    out = net(*[mx.nd.array(a) for a in case_inputs(case)])
    params = net.collect_params()
    return {"order": init.order,
            "shapes": {k: list(p.shape) for k, p in params.items()},
            "values": {k: _rounded(p.data()) for k, p in params.items()},
            "output": _rounded(out)}


def _rounded(arr):
    return [round(float(v), 6) for v in arr.asnumpy().ravel()]


# -- cases where deferred initialization cannot finish ------------------------------------------------
def _unknowable(mx):
    class Unknowable(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.w = self.params.get("w", shape=(0,), allow_deferred_init=True)

        def hybrid_forward(self, F, x, w):
            return F.broadcast_add(x, w)

    return Unknowable()


def err_unknowable(mx, mode):
    """A deferred parameter whose only consumer (a broadcast) cannot give it a shape."""
    net = _unknowable(mx)
    net.initialize()
    net.hybridize(mode == "hybrid")
    net(mx.nd.ones((2, 3)))


def err_nested_unknowable(mx, mode):
    """The same block inside a HybridSequential: the error passes through the parent."""
    seq = mx.gluon.nn.HybridSequential()
    seq.add(mx.gluon.nn.Dense(3))
    seq.add(_unknowable(mx))
    seq.initialize()
    seq.hybridize(mode == "hybrid")
    seq(mx.nd.ones((2, 3)))


def err_dense_unknown_input(mx, mode):
    """A Dense fed by a deferred parameter of unknown shape: neither can be inferred."""
    class Fed(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.table = self.params.get("table", shape=(0, 0), allow_deferred_init=True)
                self.dense = mx.gluon.nn.Dense(2)

        def hybrid_forward(self, F, x, table):
            return F.broadcast_add(self.dense(table), F.sum(x))

    net = Fed()
    net.initialize()
    net.hybridize(mode == "hybrid")
    net(mx.nd.ones((2, 3)))


def err_unused_parameter(mx, mode):
    """A block with deferred initialization and a parameter its graph never reads."""
    class Unused(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.extra = self.params.get("extra", shape=(0,), allow_deferred_init=True)
                self.dense = mx.gluon.nn.Dense(2)

        def hybrid_forward(self, F, x, extra):
            return self.dense(x)

    net = Unused()
    net.initialize()
    net.hybridize(mode == "hybrid")
    net(mx.nd.ones((2, 3)))


def err_plain_block_data(mx, mode):
    """A plain Block reading its deferred parameter's data() in forward."""
    class Plain(mx.gluon.Block):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.weight = self.params.get("weight", shape=(0, 3), allow_deferred_init=True)

        def forward(self, x):
            return mx.nd.dot(x, self.weight.data())

    net = Plain()
    net.initialize()
    net.hybridize(mode == "hybrid")
    net(mx.nd.ones((2, 4)))


def err_data_before_forward(mx, mode):
    """A deferred parameter's data() asked for before the first forward pass."""
    net = mx.gluon.nn.Dense(3)
    net.initialize()
    net.hybridize(mode == "hybrid")
    net.collect_params()["dense0_weight"].data()


def err_not_initialized(mx, mode):
    """A forward pass through a block never initialized."""
    net = mx.gluon.nn.Dense(3)
    net.hybridize(mode == "hybrid")
    net(mx.nd.ones((2, 4)))


ERRORS = {
    "unknowable": err_unknowable,
    "nested_unknowable": err_nested_unknowable,
    "dense_unknown_input": err_dense_unknown_input,
    "unused_parameter": err_unused_parameter,
    "plain_block_data": err_plain_block_data,
    "data_before_forward": err_data_before_forward,
    "not_initialized": err_not_initialized,
}


def run_error(mx, case, mode):
    """The type name and message of what the case raises (None if it does not)."""
    with mx.name.NameManager():
        try:
            ERRORS[case](mx, mode)
        except Exception as err:  # noqa: BLE001 - recording whatever MXNet raises
            # the C++ log line's time of day would change each run
            return {"type": type(err).__name__,
                    "message": re.sub(r"\[\d\d:\d\d:\d\d\] ", "", str(err))}
    return None


# -- SymbolBlock.cast: the parameters' types after a cast ---------------------------------------------
CAST_INPUT = (1, 2, 5, 5)


def build_cast_block(mx):
    """A SymbolBlock over Convolution, BatchNorm (MXNet's own ``moving_*`` names) and
    FullyConnected, initialized by the recorder."""
    data = mx.sym.var("data")
    out = mx.sym.BatchNorm(mx.sym.Convolution(data, kernel=(3, 3), num_filter=2, name="conv"),
                           name="bn")
    out = mx.sym.FullyConnected(out, num_hidden=3, name="fc")
    block = mx.gluon.SymbolBlock(out, data)
    block.initialize(recorder(mx))
    return block


def run_cast(mx):
    """Output in float32; after cast('float64') each parameter's dtype and the output; after
    cast('float16') the dtypes only (MXNet has no float16 matrix product on the CPU)."""
    block = build_cast_block(mx)
    x = mx.nd.array(np.random.RandomState(7).uniform(-1, 1, size=CAST_INPUT).astype(np.float32))
    result = {"float32": {"output": _rounded(block(x))}}
    for dtype in ("float64", "float16"):
        block.cast(dtype)
        result[dtype] = {"dtypes": {k: np.dtype(p.dtype).name
                                    for k, p in block.collect_params().items()}}
        if dtype == "float64":
            result[dtype]["output"] = _rounded(block(x.astype(dtype)))
    return result


def main() -> None:
    import warnings

    import mxnet as mx

    # MXNet reads the message of an incomplete shape inference from the warning it records, so
    # warnings must stay on; they are swallowed here
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        golden = {"cases": {c: {m: run_case(mx, c, m) for m in MODES} for c in CASES},
                  "errors": {c: {m: run_error(mx, c, m) for m in MODES} for c in ERRORS},
                  "cast": run_cast(mx)}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "deferred.json"
    path.write_text(json.dumps(golden, sort_keys=True) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
